//! pipec: the toolchain of the `.pipe` workflow language, as a library.
//!
//! The crates of the workspace are re-exported here, so that a host program
//! depends on `pipec` alone:
//!
//! ```
//! let file: pipec::FileName = "inline.pipe".into();
//! let checked = pipec::compiler::check_source(&file, b"pipeline p { node a = echo(1) }");
//! assert!(checked.diagnostics().is_empty());
//! ```
#![warn(missing_docs)]

mod cli;
pub mod embed;

/// What the `pipec` binary needs from the library: not part of the API a
/// host may rely on (that is [`embed`], and the crates re-exported below
/// for the checker's and the runtime's own types).
#[doc(hidden)]
pub mod internals {
    /// The command line: parses the arguments, runs the command, returns
    /// its exit code.
    pub fn main() -> std::process::ExitCode {
        crate::cli::main()
    }
}

pub use pipec_compiler as compiler;
pub use pipec_grammar as grammar;
pub use pipec_grammar::diagnostic::{Diagnostic, FileName, Severity};
pub use pipec_lsp as lsp;
pub use pipec_runtime as runtime;
