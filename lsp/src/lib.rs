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
pub fn serve_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = tower_lsp::LspService::new(Backend::new);
        let (exited, on_exit) = tokio::sync::oneshot::channel();
        let service = exit::ExitWatch::new(service, exited);
        let serve =
            tower_lsp::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service);
        // tower-lsp reads on after `exit` until standard input closes; the
        // protocol says the server exits then.
        tokio::select! {
            () = serve => {}
            _ = on_exit => {}
        }
    });
    // Reading standard input blocks a thread that only the next byte would
    // wake: do not wait for it after `exit`.
    runtime.shutdown_background();
    Ok(())
}
