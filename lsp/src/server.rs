//! The protocol: tower-lsp's `LanguageServer` on a [`Workspace`].
//!
//! **Ordering.** tower-lsp may run handlers concurrently. Edits are applied
//! in the order they arrive: a `didChange` handler takes the `order` lock
//! (a fair, first-come lock) before touching the text, and a change for a
//! version not newer than the document's is refused rather than applied out
//! of order. Requests that read documents take the same lock, so a request
//! sent after an edit answers on the edited text. Diagnostics are computed for one version after a short quiet
//! time (the debounce); they are published under the same `order` lock and
//! only when the document still has that version, so diagnostics computed
//! for an older text are never published.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pipec_compiler::check;
use serde_json::Value;
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::locate::Occurrence;
use crate::workspace::{TextView, Workspace};
use crate::{actions, complete, convert, hover, locate, navigate, signature, symbols, tokens};

/// How the server behaves; set by the client's `initializationOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Quiet time after an edit before diagnostics are computed
    /// (`{"debounceMs": 10}`); edits inside it are checked once.
    pub debounce: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            debounce: Duration::from_millis(10),
        }
    }
}

/// The language server.
pub struct Backend {
    client: Client,
    workspace: Arc<Mutex<Workspace>>,
    order: Arc<tokio::sync::Mutex<()>>,
    settings: Arc<Mutex<Settings>>,
    /// The diagnostics last published per document, with their version.
    published: Arc<Mutex<Published>>,
}

/// The diagnostics last published per document, with the version they were for.
type Published = HashMap<Url, (Option<i32>, Vec<Diagnostic>)>;

/// Locks a mutex even when a panicking holder poisoned it (the state is
/// still consistent: edits are applied whole or not at all).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client) -> Self {
        Backend {
            client,
            workspace: Arc::new(Mutex::new(Workspace::new())),
            order: Arc::new(tokio::sync::Mutex::new(())),
            settings: Arc::new(Mutex::new(Settings::default())),
            published: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Runs `work` on the workspace on a blocking thread (analysis can take
    /// a while on a large file; the protocol's threads stay free).
    async fn read<R: Send + 'static>(
        &self,
        work: impl FnOnce(&Workspace) -> Option<R> + Send + 'static,
    ) -> Result<Option<R>> {
        // In line behind the edits that arrived before this request (the
        // `order` lock is first-come), so that it answers on their text.
        let _in_order = self.order.lock().await;
        let workspace = self.workspace.clone();
        tokio::task::spawn_blocking(move || work(&lock(&workspace)))
            .await
            .map_err(|e| internal(&format!("the request failed: {e}")))
    }

    /// Checks every open document after the debounce and publishes what changed.
    fn schedule_diagnostics(&self) {
        let client = self.client.clone();
        let workspace = self.workspace.clone();
        let order = self.order.clone();
        let published = self.published.clone();
        let debounce = lock(&self.settings).debounce;
        let versions: Vec<(Url, Option<i32>)> = {
            let ws = lock(&workspace);
            ws.open_documents()
                .map(|(uri, _)| (uri.clone(), ws.version(uri)))
                .collect()
        };
        tokio::spawn(async move {
            if !debounce.is_zero() {
                tokio::time::sleep(debounce).await;
            }
            let still_current = {
                let ws = lock(&workspace);
                versions.iter().all(|(uri, v)| ws.version(uri) == *v)
            };
            if !still_current {
                return; // a later edit scheduled its own check
            }
            let computed = {
                let workspace = workspace.clone();
                tokio::task::spawn_blocking(move || compute_diagnostics(&lock(&workspace))).await
            };
            let computed = match computed {
                Ok(computed) => computed,
                Err(error) => {
                    client
                        .log_message(MessageType::ERROR, format!("checking failed: {error}"))
                        .await;
                    return;
                }
            };
            let _in_order = order.lock().await;
            for (uri, version, diagnostics) in computed {
                if lock(&workspace).version(&uri) != version {
                    continue; // edited since: its own check will publish
                }
                {
                    let mut published = lock(&published);
                    let entry = (version, diagnostics.clone());
                    if published.get(&uri) == Some(&entry) {
                        continue;
                    }
                    published.insert(uri.clone(), entry);
                }
                client.publish_diagnostics(uri, diagnostics, version).await;
            }
        });
    }
}

/// Every open document's diagnostics, with the version they were computed for.
fn compute_diagnostics(ws: &Workspace) -> Vec<(Url, Option<i32>, Vec<Diagnostic>)> {
    let mut out = Vec::new();
    for (uri, source) in ws.open_documents() {
        let Some(view) = ws.view(source) else {
            continue;
        };
        let file = source.name(&ws.db).to_string();
        let diagnostics = check::diagnostics(&ws.db, source)
            .iter()
            .filter(|d| *d.primary.location.file == *file)
            .map(|d| convert::diagnostic(ws, &view, &file, d))
            .collect();
        out.push((uri.clone(), ws.version(uri), diagnostics));
    }
    out
}

fn internal(message: &str) -> Error {
    Error {
        code: tower_lsp::jsonrpc::ErrorCode::InternalError,
        message: message.to_string().into(),
        data: None,
    }
}

fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

/// The document and byte offset of a request's position.
fn at(
    ws: &Workspace,
    position: &TextDocumentPositionParams,
) -> Option<(pipec_compiler::Source, usize)> {
    let (document, source) = ws.document(&position.text_document.uri)?;
    Some((source, document.offset(position.position)))
}

/// The document of a request's position, its text, and the name there.
fn occurrence_at<'w>(
    ws: &'w Workspace,
    position: &TextDocumentPositionParams,
) -> Option<(pipec_compiler::Source, TextView<'w>, Occurrence)> {
    let (source, offset) = at(ws, position)?;
    let view = ws.view(source)?;
    let occurrence = locate::at(&ws.db, source, view.text, offset)?;
    Some((source, view, occurrence))
}

/// A request's answer: nothing, a result, or a refusal the client shows.
fn answer<T, E: ToString>(outcome: Option<std::result::Result<T, E>>) -> Result<Option<T>> {
    match outcome {
        None => Ok(None),
        Some(Ok(found)) => Ok(Some(found)),
        Some(Err(refused)) => Err(invalid(refused.to_string())),
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        if let Some(Value::Number(ms)) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("debounceMs"))
            && let Some(ms) = ms.as_u64()
        {
            lock(&self.settings).debounce = Duration::from_millis(ms);
        }
        {
            let mut ws = lock(&self.workspace);
            let mut folders: Vec<Url> = params
                .workspace_folders
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.uri)
                .collect();
            #[allow(deprecated)] // clients that predate workspace folders send only a root.
            if folders.is_empty() {
                folders.extend(params.root_uri);
            }
            for folder in folders {
                if let Ok(path) = folder.to_file_path() {
                    ws.add_folder(&path);
                }
            }
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "pipec".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "|".into(), "\"".into()]),
                    ..CompletionOptions::default()
                }),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: Some(vec![":".into()]),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                document_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: tokens::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            ..SemanticTokensOptions::default()
                        },
                    ),
                ),
                ..ServerCapabilities::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client
            .log_message(MessageType::INFO, "pipec language server ready")
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        {
            let _in_order = self.order.lock().await;
            let doc = params.text_document;
            lock(&self.workspace).open(doc.uri, doc.text, doc.version);
        }
        self.schedule_diagnostics();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let refused = {
            let _in_order = self.order.lock().await;
            let uri = &params.text_document.uri;
            lock(&self.workspace)
                .change(uri, params.text_document.version, params.content_changes)
                .err()
        };
        if let Some(refused) = refused {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "edit of {} not applied: {refused:?}",
                        params.text_document.uri
                    ),
                )
                .await;
        }
        self.schedule_diagnostics();
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        self.schedule_diagnostics();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        {
            let _in_order = self.order.lock().await;
            lock(&self.workspace).close(&params.text_document.uri);
            lock(&self.published).remove(&params.text_document.uri);
        }
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
        self.schedule_diagnostics();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        {
            let _in_order = self.order.lock().await;
            let mut ws = lock(&self.workspace);
            for change in params.changes {
                ws.file_changed(&change.uri);
            }
        }
        self.schedule_diagnostics();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        self.read(move |ws| {
            let (_, view, occurrence) = occurrence_at(ws, &position)?;
            let value = hover::describe(ws, &occurrence.target)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                }),
                range: Some(view.range(occurrence.span)),
            })
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        self.read(move |ws| {
            let (_, _, occurrence) = occurrence_at(ws, &position)?;
            let (target_source, span) = navigate::declaration(&ws.db, &occurrence.target)?;
            let location = ws.location(target_source, span)?;
            Some(GotoDefinitionResponse::Scalar(location))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let include = params.context.include_declaration;
        self.read(move |ws| {
            let (source, _, occurrence) = occurrence_at(ws, &position)?;
            let found = navigate::references(ws, source, &occurrence.target, include);
            Some(
                found
                    .into_iter()
                    .filter_map(|(s, span)| ws.location(s, span))
                    .collect(),
            )
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let outcome = self
            .read(move |ws| {
                let (_, view, occurrence) = occurrence_at(ws, &params)?;
                Some(
                    navigate::renamable(&ws.db, &occurrence)
                        .map(|()| PrepareRenameResponse::Range(view.range(occurrence.span))),
                )
            })
            .await?;
        answer(outcome)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let new_name = params.new_name;
        let outcome = self
            .read(move |ws| {
                let (source, _, occurrence) = occurrence_at(ws, &position)?;
                Some(navigate::rename(ws, source, &occurrence, &new_name))
            })
            .await?;
        answer(outcome)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        self.read(move |ws| {
            let (source, offset) = at(ws, &position)?;
            let view = ws.view(source)?;
            let (items, is_incomplete) = complete::complete(ws, source, view.text, offset);
            Some(CompletionResponse::List(CompletionList {
                is_incomplete,
                items,
            }))
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let position = params.text_document_position_params;
        self.read(move |ws| {
            let (source, offset) = at(ws, &position)?;
            let view = ws.view(source)?;
            signature::help(&ws.db, source, view.text, offset)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.read(move |ws| {
            let (_, source) = ws.document(&params.text_document.uri)?;
            let view = ws.view(source)?;
            Some(DocumentSymbolResponse::Nested(symbols::document_symbols(
                &ws.db, source, &view,
            )))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri;
        let outcome = self
            .read(move |ws| {
                let (_, source) = ws.document(&uri)?;
                let view = ws.view(source)?;
                Some(actions::format_document(&uri, &view).map_err(|not_formatted| not_formatted.0))
            })
            .await?;
        answer(outcome)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.read(move |ws| {
            let (_, source) = ws.document(&params.text_document.uri)?;
            let view = ws.view(source)?;
            Some(actions::quick_fixes(ws, source, &view, params.range))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.read(move |ws| {
            let (_, source) = ws.document(&params.text_document.uri)?;
            let view = ws.view(source)?;
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data: tokens::semantic_tokens(&view),
            }))
        })
        .await
    }
}
