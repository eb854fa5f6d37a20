//! Analysis of `.pipe` sources.
//!
//! Today this crate runs the front end (syntax) for every source and owns the
//! list of diagnostic explanations. Issue 3 builds the salsa database here:
//! name resolution, types, graph checks and lowering to an execution plan.
#![warn(missing_docs)]

use pipec_grammar::codes::{EXPLANATIONS, Explanation};
use pipec_grammar::diagnostic::{Diagnostic, FileName};
use pipec_grammar::{Parse, parse_bytes};

/// The outcome of checking one source.
#[derive(Debug, Clone)]
pub struct CheckedSource {
    /// The parse (tree and syntax diagnostics).
    pub parse: Parse,
}

impl CheckedSource {
    /// Every diagnostic found, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.parse.diagnostics
    }
}

/// Checks one source given as raw bytes (invalid UTF-8 is a diagnostic, not a failure).
pub fn check_source(file: &FileName, bytes: &[u8]) -> CheckedSource {
    CheckedSource {
        parse: parse_bytes(file, bytes),
    }
}

/// Every diagnostic code the toolchain can emit, with its explanation.
pub fn explanations() -> &'static [Explanation] {
    EXPLANATIONS
}

/// The explanation of one code (case-insensitive: `e0004` finds `E0004`).
pub fn explain(code: &str) -> Option<&'static Explanation> {
    explanations()
        .iter()
        .find(|e| e.code.as_str().eq_ignore_ascii_case(code))
}
