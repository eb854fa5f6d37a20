//! Parallel parsing of large files.
//!
//! A large file is cut into the pieces of [`super::pieces`] (at the item and
//! member keywords that start a line, the boundaries error recovery uses),
//! and the pieces are parsed with the same pest rules on rayon's pool. If any
//! piece fails, the caller parses the whole file as usual, so the grammar
//! alone decides what is valid: a split in the wrong place can only make a
//! piece fail, never make a wrong parse succeed (a piece must be a complete
//! item or run of members on its own).

use rayon::prelude::*;

use super::build::Builder;
use super::pieces::{OutlineItem, cut, parse_item, parse_members};
use crate::ast::{Docs, Ident, Item, Member, Pipeline};
use crate::diagnostic::{Diagnostic, FileName};
use crate::lexer::Lexeme;

/// What one piece produced.
enum Parsed {
    Item(Item),
    Members(Vec<Member>),
}

/// Parses `text` in parallel pieces (the pieces of [`cut`]); `None` when any
/// piece fails (the caller then parses the file whole, which reports the errors).
pub fn parse(
    file: &FileName,
    text: &str,
    lexemes: &[Lexeme],
    token_ends: &[u32],
) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
    let outline = cut(text, lexemes)?;
    // Every piece with the index of its item; a pipeline's head is built here.
    let pieces: Vec<(usize, bool, std::ops::Range<usize>)> = outline
        .items
        .iter()
        .enumerate()
        .flat_map(|(i, item)| match item {
            OutlineItem::Whole(range) => vec![(i, false, range.clone())],
            OutlineItem::Pipeline { members, .. } => {
                members.iter().map(|run| (i, true, run.clone())).collect()
            }
        })
        .collect();
    let results: Vec<(usize, Parsed, Vec<Diagnostic>)> = pieces
        .par_iter()
        .map(|(item, is_run, range)| {
            let builder = Builder::new(file, range.start, token_ends);
            let slice = &text[range.clone()];
            let parsed = if *is_run {
                Parsed::Members(parse_members(&builder, slice)?)
            } else {
                Parsed::Item(parse_item(&builder, slice)?)
            };
            Some((*item, parsed, builder.into_diagnostics()))
        })
        .collect::<Option<Vec<_>>>()?;

    let mut items: Vec<Option<Item>> = outline
        .items
        .iter()
        .map(|item| match item {
            OutlineItem::Whole(_) => None,
            OutlineItem::Pipeline { name, span, .. } => Some(Item::Pipeline(Pipeline {
                docs: Docs::default(),
                name: Ident {
                    name: text[name.range()].to_string(),
                    span: *name,
                },
                members: Vec::new(),
                span: *span,
            })),
        })
        .collect();
    let mut diagnostics = Vec::new();
    for (index, parsed, found) in results {
        diagnostics.extend(found);
        match (parsed, &mut items[index]) {
            (Parsed::Item(item), slot) => *slot = Some(item),
            (Parsed::Members(members), Some(Item::Pipeline(pipeline))) => {
                pipeline.members.extend(members)
            }
            (Parsed::Members(_), _) => return None,
        }
    }
    Some((items.into_iter().collect::<Option<Vec<_>>>()?, diagnostics))
}
