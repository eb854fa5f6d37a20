//! Analysis of `.pipe` sources on a salsa database: imports, names, types,
//! graph checks, and lowering to an execution plan.
#![warn(missing_docs)]

pub mod analyze;
pub mod check;
pub mod codes;
pub mod compile;
pub mod db;
pub mod drawing;
pub mod files;
pub mod fixes;
pub mod graph;
pub mod ide;
pub mod layout;
pub mod links;
/// pipec's one table of limits (from the grammar crate, for the runtime).
pub use pipec_grammar::limits;
pub mod paths;
pub mod plan;
mod plan_text;
pub mod queries;
pub mod schema;
pub mod scope;
pub mod secret_flow;
pub mod sql;
pub mod tables;
pub mod types;

use std::path::Path;
use std::sync::LazyLock;

use pipec_grammar::Parse;
use pipec_grammar::codes::Explanation;
use pipec_grammar::diagnostic::{Diagnostic, FileName};

pub use db::{Database, Db, RunInputs, Source};

/// The outcome of checking one source.
#[derive(Debug, Clone)]
pub struct CheckedSource {
    /// The parse (tree and syntax diagnostics).
    pub parse: Parse,
    /// Every diagnostic: syntax, imports, names, types, graph; sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckedSource {
    /// Every diagnostic found, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// Checks one source given as raw bytes, named `file`; its imports are read
/// from disk relative to `file`. Invalid UTF-8 is a diagnostic, not a failure.
pub fn check_source(file: &FileName, bytes: &[u8]) -> CheckedSource {
    let mut db = Database::new();
    let source = db.set_source(Path::new(file.as_ref()), bytes.to_vec());
    CheckedSource {
        parse: queries::parse(&db, source).clone(),
        diagnostics: check::diagnostics(&db, source).clone(),
    }
}

static ALL_EXPLANATIONS: LazyLock<Vec<Explanation>> = LazyLock::new(|| {
    let mut all: Vec<Explanation> = pipec_grammar::codes::EXPLANATIONS.to_vec();
    all.extend_from_slice(codes::EXPLANATIONS);
    all.sort_by_key(|e| (e.code.as_str().starts_with('W'), e.code.as_str()));
    all
});

/// Every diagnostic code the toolchain can emit, with its explanation.
pub fn explanations() -> &'static [Explanation] {
    &ALL_EXPLANATIONS
}

/// The explanation of one code (case-insensitive: `e0004` finds `E0004`).
pub fn explain(code: &str) -> Option<&'static Explanation> {
    explanations()
        .iter()
        .find(|e| e.code.as_str().eq_ignore_ascii_case(code))
}
