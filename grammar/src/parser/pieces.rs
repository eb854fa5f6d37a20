//! A file as independent pieces, for incremental analysis.
//!
//! [`outline`] cuts a file into pieces at the boundaries error recovery uses:
//! every item is a piece, and a pipeline is cut further into its head
//! (`pipeline NAME {`) and runs of members. A run ends after a member whose
//! name hashes to a multiple of [`RUN_DIVISOR`] (content-defined, so an edit,
//! insertion or removal moves no boundary but its own): runs average that
//! many members, and an edit re-parses and re-checks one run. Every piece starts where the
//! previous one ended, so it carries the comments and doc comments above it,
//! and the pieces cover the file. [`parse_piece`] parses one piece alone, with
//! spans relative to the piece's start; a compiler keys its memoised work on
//! the piece's text, so an edit re-parses and re-checks only its own piece.
//!
//! The outline is refused (`None`) whenever the pieces might not mean what
//! the whole file means: brackets nested too deeply, a member or item not
//! starting its own line, or a doc comment between pieces that nothing
//! follows. Any piece failing to parse is likewise the caller's signal to
//! parse the whole file, so syntax errors are always the whole-file parser's.

use std::ops::Range;

use pest::Parser;

use super::build::Builder;
use super::recover::{boundaries, item_starts};
use super::{PipeParser, Rule, attach_docs, collect_comments, nesting_error, token_ends};
use crate::ast::{Docs, Ident, Item, Member, Pipeline};
use crate::diagnostic::{Diagnostic, FileName, sort_diagnostics};
use crate::lexer::{self, Lexeme, Token};
use crate::span::Span;

/// Files smaller than this are parsed, and checked, on one thread: splitting
/// the work would cost more than it saves.
pub const PARALLEL_THRESHOLD: usize = 64 * 1024;

/// A run of members ends after a member whose name's hash is a multiple of this.
pub const RUN_DIVISOR: u64 = 32;

/// Whether a run of members ends after the member named `name`.
fn ends_run(name: &str) -> bool {
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % RUN_DIVISOR == 0
}

/// What a piece holds, and so how it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PieceKind {
    /// One whole item.
    Item,
    /// `pipeline NAME {` with the comments above it; its members are other pieces.
    PipelineHead,
    /// A run of members of a pipeline.
    Members,
}

/// One top-level item of an outline, with byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutlineItem {
    /// An item that is one piece.
    Whole(Range<usize>),
    /// A pipeline cut into its head and its members.
    Pipeline {
        /// `pipeline NAME {` and what precedes it since the previous piece.
        head: Range<usize>,
        /// Runs of members, each with what precedes it since the previous piece.
        members: Vec<Range<usize>>,
        /// The pipeline's name.
        name: Span,
        /// The pipeline from its keyword to its closing brace.
        span: Span,
    },
}

/// The pieces of a file, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outline {
    /// The items, in source order.
    pub items: Vec<OutlineItem>,
}

/// A parsed piece: an item (a pipeline head parses as a pipeline without
/// members) or a member.
#[derive(Debug, Clone, PartialEq)]
pub enum PieceTree {
    /// An item, or a pipeline head.
    Item(Item),
    /// A run of members.
    Members(Vec<Member>),
}

/// The syntax of one piece, with spans relative to its start.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceSyntax {
    /// What it holds.
    pub tree: PieceTree,
    /// Warnings found while building it (an error means it did not parse).
    pub diagnostics: Vec<Diagnostic>,
}

/// Cuts a file into pieces; `None` when it cannot be cut safely.
pub fn outline(text: &str) -> Option<Outline> {
    let lexemes = lexer::lex(text);
    if lexemes.iter().any(|l| l.token.is_err())
        || nesting_error(&FileName::from(""), &lexemes).is_some()
    {
        return None;
    }
    let outline = cut(text, &lexemes)?;
    // A doc comment where no piece follows it (before a pipeline's `}` or at
    // the end of the file) documents nothing; only the whole file says so.
    let docs: Vec<usize> = lexemes
        .iter()
        .filter(|l| l.token == Ok(Token::Comment) && lexer::is_doc_comment(&text[l.span.range()]))
        .map(|l| l.span.start as usize)
        .collect();
    let has_doc = |gap: Range<usize>| {
        let first = docs.partition_point(|&d| d < gap.start);
        docs.get(first).is_some_and(|&d| d < gap.end)
    };
    let mut end_of_last = 0;
    for item in &outline.items {
        match item {
            OutlineItem::Whole(range) => end_of_last = range.end,
            OutlineItem::Pipeline {
                head,
                members,
                span,
                ..
            } => {
                let last = members.last().map_or(head.end, |run| run.end);
                // The span ends with the one-byte `}`.
                if has_doc(last..span.end as usize - 1) {
                    return None;
                }
                end_of_last = span.end as usize;
            }
        }
    }
    if has_doc(end_of_last..text.len()) {
        return None;
    }
    Some(outline)
}

/// Cuts lexed text into items, pipeline heads and runs of members, each
/// piece from the end of the previous one; `None` when the item and member
/// boundaries do not account for every token. Doc comments are not judged:
/// [`outline`] does that for pieces parsed alone; the whole-file parser
/// attaches them after parsing the pieces (`chunks`).
pub(super) fn cut(text: &str, lexemes: &[Lexeme]) -> Option<Outline> {
    let (tokens, starts) = item_starts(text, lexemes);
    if !tokens.is_empty() && starts.first() != Some(&0) {
        return None;
    }
    let mut items = Vec::with_capacity(starts.len());
    let mut previous_end = 0usize;
    for (n, &first) in starts.iter().enumerate() {
        let last = starts.get(n + 1).copied().unwrap_or(tokens.len());
        let end = tokens[last - 1].span.end as usize;
        if tokens[first].token != Ok(Token::KwPipeline) {
            items.push(OutlineItem::Whole(previous_end..end));
            previous_end = end;
            continue;
        }
        // `pipeline NAME {` members `}`
        if last - first < 4
            || tokens[first + 1].token != Ok(Token::Ident)
            || tokens[first + 2].token != Ok(Token::LBrace)
            || tokens[last - 1].token != Ok(Token::RBrace)
        {
            return None;
        }
        let head_end = tokens[first + 2].span.end as usize;
        let head = previous_end..head_end;
        let member_starts = boundaries(text, &tokens, first + 3, last - 1, Token::starts_member);
        if first + 3 < last - 1 && member_starts.first() != Some(&(first + 3)) {
            return None;
        }
        let mut members = Vec::new();
        let mut member_start = head_end;
        for (m, &at) in member_starts.iter().enumerate() {
            let next = member_starts.get(m + 1).copied().unwrap_or(last - 1);
            let member_end = tokens[next - 1].span.end as usize;
            let name = tokens
                .get(at + 1)
                .filter(|t| t.token == Ok(Token::Ident))
                .map(|t| &text[t.span.range()]);
            if next == last - 1 || name.is_some_and(ends_run) {
                members.push(member_start..member_end);
                member_start = member_end;
            }
        }
        items.push(OutlineItem::Pipeline {
            head,
            members,
            name: tokens[first + 1].span,
            span: Span::new(tokens[first].span.start as usize, end),
        });
        previous_end = end;
    }
    Some(Outline { items })
}

/// The outline of `new_text`, derived from the outline of `old_text` when
/// the two differ only strictly inside one run of members: that run is
/// re-read and everything after it moves by the change in length. `None`
/// when the edit is anywhere else, or the edited run does not lex cleanly on
/// its own; the caller then outlines the whole text. (Which members share a
/// run only affects what is reused, never a result: the runs of an edited
/// outline need not be the ones [`outline`] would choose.)
pub fn outline_after_edit(old_text: &str, old: &Outline, new_text: &str) -> Option<Outline> {
    let (old_bytes, new_bytes) = (old_text.as_bytes(), new_text.as_bytes());
    let prefix = old_bytes
        .iter()
        .zip(new_bytes)
        .take_while(|(a, b)| a == b)
        .count();
    let room = old_bytes.len().min(new_bytes.len()) - prefix;
    let suffix = old_bytes
        .iter()
        .rev()
        .zip(new_bytes.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == old_bytes.len() && prefix == new_bytes.len() {
        return Some(old.clone());
    }
    let changed = prefix..old_bytes.len() - suffix;
    let delta = new_bytes.len() as isize - old_bytes.len() as isize;
    let (item_index, run_index) =
        old.items
            .iter()
            .enumerate()
            .find_map(|(i, item)| match item {
                OutlineItem::Pipeline { members, .. } => members
                    .iter()
                    .position(|run| run.start < changed.start && changed.end < run.end)
                    .map(|j| (i, j)),
                OutlineItem::Whole(_) => None,
            })?;
    // The change is strictly inside one run: every other boundary is before
    // it (and stays) or after it (and moves by the change in length).
    let moved = |at: usize| {
        if at < changed.end {
            at
        } else {
            at.wrapping_add_signed(delta)
        }
    };
    let moved_range = |r: &Range<usize>| moved(r.start)..moved(r.end);
    let moved_span = |s: &Span| Span::new(moved(s.start as usize), moved(s.end as usize));
    let items: Vec<OutlineItem> = old
        .items
        .iter()
        .map(|item| match item {
            OutlineItem::Whole(range) => OutlineItem::Whole(moved_range(range)),
            OutlineItem::Pipeline {
                head,
                members,
                name,
                span,
            } => OutlineItem::Pipeline {
                head: moved_range(head),
                members: members.iter().map(moved_range).collect(),
                name: moved_span(name),
                span: moved_span(span),
            },
        })
        .collect();
    // The edited run must lex on its own and end on a token, like any run.
    let OutlineItem::Pipeline { members, .. } = &items[item_index] else {
        return None;
    };
    let run = new_text.get(members[run_index].clone())?;
    let lexemes = lexer::lex(run);
    let ends_on_token = lexemes
        .last()
        .is_some_and(|l| l.token.is_ok_and(|t| t != Token::Comment));
    if !ends_on_token
        || lexemes.iter().any(|l| l.token.is_err())
        || max_depth(&lexemes) >= super::MAX_NESTING
    {
        return None;
    }
    Some(Outline { items })
}

/// One item, alone in `text`, built by `builder` (whose offset places it).
pub(super) fn parse_item(builder: &Builder, text: &str) -> Option<Item> {
    let mut pairs = PipeParser::parse(Rule::item_only, text).ok()?;
    Some(builder.item(pairs.next()?.into_inner().next()?))
}

/// The members that are all of `text`, built by `builder` (whose offset places them).
pub(super) fn parse_members(builder: &Builder, text: &str) -> Option<Vec<Member>> {
    let mut pairs = PipeParser::parse(Rule::members_only, text).ok()?;
    Some(
        pairs
            .next()?
            .into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| builder.member(p))
            .collect(),
    )
}

/// The deepest bracket nesting in a token stream (a run sits one level inside its pipeline).
fn max_depth(lexemes: &[Lexeme]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for lexeme in lexemes {
        match lexeme.token {
            Ok(Token::LParen | Token::LBrace | Token::LBracket) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Ok(Token::RParen | Token::RBrace | Token::RBracket) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Parses one piece alone, spans relative to its start; `None` when it does
/// not parse as the kind of piece it should be.
pub fn parse_piece(file: &FileName, kind: PieceKind, text: &str) -> Option<PieceSyntax> {
    let closed;
    let text = match kind {
        PieceKind::PipelineHead => {
            closed = format!("{text}}}");
            closed.as_str()
        }
        _ => text,
    };
    let lexemes = lexer::lex(text);
    let comments = collect_comments(text, &lexemes);
    let ends = token_ends(&lexemes);
    let builder = Builder::new(file, 0, &ends);
    let mut items = match kind {
        PieceKind::Item | PieceKind::PipelineHead => vec![parse_item(&builder, text)?],
        PieceKind::Members => {
            let members = parse_members(&builder, text)?;
            // Wrapped in a nameless pipeline so that their docs attach as in a file.
            vec![Item::Pipeline(Pipeline {
                docs: Docs::default(),
                name: Ident {
                    name: String::new(),
                    span: Span::new(0, 0),
                },
                members,
                span: Span::new(0, text.len()),
            })]
        }
    };
    let mut diagnostics = builder.into_diagnostics();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    attach_docs(file, text, &mut items, &comments, &[], &mut diagnostics);
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    let item = items.pop()?;
    let tree = match (kind, item) {
        (PieceKind::Members, Item::Pipeline(pipeline)) => PieceTree::Members(pipeline.members),
        (PieceKind::PipelineHead, item @ Item::Pipeline(_)) => PieceTree::Item(item),
        (PieceKind::PipelineHead, _) => return None,
        (_, item) => PieceTree::Item(item),
    };
    Some(PieceSyntax { tree, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "const A = 1\n\n/// The pipeline.\npipeline p {\n  input x: int = 1\n  /// A node.\n  node a = echo(input.x)\n  // plain\n  node b = echo(a.value) { retry 2 }\n  output o = b\n}\n";

    fn members_of(text: &str, runs: &[Range<usize>]) -> Vec<(usize, Member)> {
        let file: FileName = "t.pipe".into();
        let mut out = Vec::new();
        for range in runs {
            let piece =
                parse_piece(&file, PieceKind::Members, &text[range.clone()]).expect("parses");
            let PieceTree::Members(members) = piece.tree else {
                panic!("members");
            };
            out.extend(members.into_iter().map(|m| (range.start, m)));
        }
        out
    }

    #[test]
    fn pieces_cover_the_file_and_parse_like_the_whole() {
        let outline = outline(FILE).expect("outline");
        assert_eq!(outline.items.len(), 2);
        let OutlineItem::Pipeline { head, members, .. } = &outline.items[1] else {
            panic!("a pipeline");
        };
        assert_eq!(head.start, 11);
        assert_eq!(members.last().map(|m| m.end), Some(FILE.len() - 3));
        let file: FileName = "t.pipe".into();
        let whole = crate::parse(&file, FILE);
        let crate::ast::Item::Pipeline(pipeline) = &whole.tree.items[1] else {
            panic!("a pipeline");
        };
        let parsed = members_of(FILE, members);
        assert_eq!(parsed.len(), 4);
        for ((offset, member), expected) in parsed.iter().zip(&pipeline.members) {
            assert_eq!(
                member.span().start as usize + offset,
                expected.span().start as usize
            );
            let docs = |m: &Member| m.clone().docs_mut().and_then(|d| d.text());
            assert_eq!(docs(member), docs(expected));
        }
        let head = parse_piece(&file, PieceKind::PipelineHead, &FILE[head.clone()]).expect("head");
        let PieceTree::Item(Item::Pipeline(p)) = head.tree else {
            panic!("a pipeline head");
        };
        assert_eq!(p.name.name, "p");
        assert_eq!(p.docs.text().as_deref(), Some("The pipeline."));
    }

    #[test]
    fn runs_are_content_defined() {
        let mut text = String::from("pipeline p {\n");
        for i in 0..400 {
            text.push_str(&format!("  node n{i} = echo({i})\n"));
        }
        text.push_str("}\n");
        let runs = |text: &str| match &outline(text).expect("outline").items[0] {
            OutlineItem::Pipeline { members, .. } => members.clone(),
            OutlineItem::Whole(_) => panic!("a pipeline"),
        };
        let before = runs(&text);
        assert!(
            before.len() > 4 && before.len() < 100,
            "{} runs",
            before.len()
        );
        assert_eq!(members_of(&text, &before).len(), 400);
        // Lengthening one member moves no other boundary: the runs after it
        // have the same texts.
        let edited = text.replace("echo(200)", "echo(200000)");
        let after = runs(&edited);
        assert_eq!(before.len(), after.len());
        let changed = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| text[(*b).clone()] != edited[(*a).clone()])
            .count();
        assert_eq!(changed, 1);
    }

    #[test]
    fn an_edit_inside_a_run_reuses_the_outline() {
        let mut text = String::from("const A = 1\npipeline p {\n");
        for i in 0..200 {
            text.push_str(&format!("  node n{i} = echo({i})\n"));
        }
        text.push_str("}\nconst B = 2\n");
        let old = outline(&text).expect("outline");
        let edited = text.replace("echo(100)", "echo(100, label: \"x\")");
        let derived = outline_after_edit(&text, &old, &edited).expect("derived");
        // Same members, same places as a fresh outline (runs may be grouped differently).
        let members = |o: &Outline, t: &str| -> Vec<(usize, usize)> {
            let OutlineItem::Pipeline { members, .. } = &o.items[1] else {
                panic!("a pipeline");
            };
            members_of(t, members)
                .iter()
                .map(|(offset, m)| {
                    (
                        offset + m.span().start as usize,
                        offset + m.span().end as usize,
                    )
                })
                .collect()
        };
        let fresh = outline(&edited).expect("outline");
        assert_eq!(members(&derived, &edited), members(&fresh, &edited));
        assert_eq!(derived.items[2], fresh.items[2]);
        // An edit that breaks a string is not derived.
        let broken = text.replace("echo(100)", "echo(\"100)");
        assert!(outline_after_edit(&text, &old, &broken).is_none());
        // An edit outside any run is not derived.
        let head = text.replace("pipeline p", "pipeline q");
        assert!(outline_after_edit(&text, &old, &head).is_none());
    }

    #[test]
    fn refuses_what_pieces_cannot_mean() {
        // A dangling doc comment at the end of a pipeline.
        assert!(outline("pipeline p {\n  node a = echo(1)\n  /// nothing\n}\n").is_none());
    }
}
