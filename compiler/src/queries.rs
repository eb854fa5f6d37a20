//! The tracked queries from a source's bytes to its syntax and its imports.

use std::path::Path;

use pipec_grammar::Parse;
use pipec_grammar::ast::Item;
use pipec_grammar::span::Span;

use crate::db::{Db, Source};
use crate::layout::{Layout, head_item, layout};

/// The syntax tree and syntax diagnostics of a source.
// Not compared with the previous result: per-file results change with
// every edit (spans move), so comparing them only costs time.
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn Db, source: Source) -> Parse {
    pipec_grammar::parse_bytes(source.name(db), source.bytes(db))
}

/// One `import` of a source, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The `as` name, if any.
    pub alias: Option<String>,
    /// The imported source, or why it cannot be read.
    pub target: Result<Source, String>,
    /// The path as written.
    pub written: String,
    /// The span of the path string.
    pub span: Span,
}

/// The imports of a source, each resolved relative to the source's directory.
#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn Db, source: Source) -> Vec<Import> {
    let dir = source
        .path(db)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let written: Vec<(&pipec_grammar::ast::Import, u32)> = match layout(db, source) {
        Layout::Pieces { items, .. } => items
            .iter()
            .filter_map(|laid| match head_item(db, laid)? {
                Item::Import(import) => Some((import, laid.head.offset)),
                _ => None,
            })
            .collect(),
        Layout::Whole => parse(db, source)
            .tree
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Import(import) => Some((import, 0)),
                _ => None,
            })
            .collect(),
    };
    written
        .into_iter()
        .filter_map(|(import, offset)| {
            let written = import.path.as_plain()?;
            let target = db.load(&crate::db::normalize(&dir.join(&written)));
            Some(Import {
                alias: import.alias.as_ref().map(|a| a.name.clone()),
                target,
                written,
                span: import.path.span.shifted(offset),
            })
        })
        .collect()
}
