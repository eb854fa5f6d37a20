// The VS Code client of the pipec language server: starts `pipec lsp` on
// stdio for `.pipe` files and restarts it on command or when its path changes.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("pipec");
  const command = config.get<string>("server.path", "pipec") || "pipec";
  const extra = config.get<string[]>("server.extraArgs", []);
  const run = { command, args: ["lsp", ...extra], transport: TransportKind.stdio };
  return { run, debug: run };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "pipe" }, { scheme: "untitled", language: "pipe" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.pipe"),
    },
    outputChannelName: "pipe language server",
  };
  client = new LanguageClient("pipec", "pipe language server", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    const path = vscode.workspace.getConfiguration("pipec").get<string>("server.path", "pipec");
    void vscode.window.showErrorMessage(
      `The pipe language server did not start (\`${path} lsp\`): ${error}. ` +
        "Install pipec (cargo install --path . in its repository) or set `pipec.server.path`.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  await start(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("pipec.restartServer", () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("pipec.server")) {
        void restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
