//! The language server of the `.pipe` language, started by `pipec lsp`.
//!
//! Built with tower-lsp on the compiler's salsa database
//! ([`pipec_compiler::Database`]): every open document is a source of one
//! database, so that after an edit only the edited piece of the file is
//! parsed and checked again. The modules:
//!
//! - [`server`]: the protocol (tower-lsp's `LanguageServer`), ordering of
//!   edits and publishing of diagnostics;
//! - [`workspace`]: the database, the open documents and the files of the
//!   workspace folders;
//! - [`documents`]: one open text, its version and incremental edits;
//! - [`convert`]: byte offsets and spans ↔ protocol positions, compiler
//!   diagnostics → protocol diagnostics;
//! - [`locate`]: what the name under the cursor is;
//! - [`navigate`]: definition, references and rename;
//! - [`hover`], [`complete`], [`signature`], [`symbols`], [`tokens`],
//!   [`actions`]: one feature each.
#![warn(missing_docs)]

pub mod actions;
pub mod complete;
pub mod convert;
pub mod documents;
mod exit;
mod framing;
pub mod hover;
pub mod locate;
pub mod navigate;
pub mod server;
pub mod signature;
pub mod symbols;
pub mod tokens;
pub mod workspace;

pub use server::{Backend, Settings};

/// Serves the protocol on standard input and output until the client exits.
/// Returns whether the client ended properly: `shutdown` before `exit` (or
/// before its input closed); an `exit` without `shutdown` is not (the
/// protocol's exit code 1).
pub fn serve_stdio() -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let shut_down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = std::sync::Arc::clone(&shut_down);
    runtime.block_on(async move {
        let (service, socket) = tower_lsp::LspService::new(Backend::new);
        let (exited, on_exit) = tokio::sync::oneshot::channel();
        let service = exit::ExitWatch::new(service, exited, seen);
        // The client's messages pass the tolerant framing layer first;
        // the server's, and that layer's error replies, one writer.
        let (to_server, server_input) = tokio::io::duplex(1 << 16);
        let (server_output, from_server) = tokio::io::duplex(1 << 16);
        let (replies, replies_out) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(framing::read_client(tokio::io::stdin(), to_server, replies));
        let writer = tokio::spawn(framing::write_client(
            from_server,
            replies_out,
            tokio::io::stdout(),
        ));
        let serve = tower_lsp::Server::new(server_input, server_output, socket).serve(service);
        // tower-lsp reads on after `exit` until its input closes; the
        // protocol says the server exits then.
        tokio::select! {
            () = serve => {}
            _ = on_exit => {}
        }
        reader.abort();
        // What the server wrote last (the answer to `shutdown`) is written out.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), writer).await;
    });
    // Reading standard input blocks a thread that only the next byte would
    // wake: do not wait for it after `exit`.
    runtime.shutdown_background();
    Ok(shut_down.load(std::sync::atomic::Ordering::SeqCst))
}
