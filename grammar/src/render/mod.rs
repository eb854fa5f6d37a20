//! Renders diagnostics for people (ariadne), for programs (JSON) and for code
//! scanning (SARIF 2.1.0).

mod human;
mod machine;

use std::collections::HashMap;

use crate::diagnostic::FileName;
use crate::span::{LineCol, LineIndex, Span};

pub use human::human;
pub use machine::{SarifRule, json, sarif};

/// The texts of the sources that diagnostics point into.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: HashMap<FileName, (String, LineIndex)>,
}

impl Sources {
    /// No sources.
    pub fn new() -> Self {
        Sources::default()
    }

    /// Adds (or replaces) a source. Invalid UTF-8 should be passed lossily converted.
    pub fn insert(&mut self, file: FileName, text: String) {
        let index = LineIndex::new(&text);
        self.files.insert(file, (text, index));
    }

    /// The text of a source.
    pub fn text(&self, file: &FileName) -> Option<&str> {
        self.files.get(file).map(|(t, _)| t.as_str())
    }

    /// The 0-based line holding byte `offset` of a source; `None` for an
    /// unknown source.
    pub fn line_of(&self, file: &FileName, offset: usize) -> Option<usize> {
        let (text, index) = self.files.get(file)?;
        Some(index.line_of(offset.min(text.len())))
    }

    /// Start and end (exclusive) line/column of a span; `None` for an unknown source.
    pub fn range(&self, file: &FileName, span: Span) -> Option<(LineCol, LineCol)> {
        let (text, index) = self.files.get(file)?;
        Some((
            index.line_col(text, span.start as usize),
            index.line_col(text, span.end as usize),
        ))
    }
}
