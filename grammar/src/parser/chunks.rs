//! Parallel parsing of large files.
//!
//! A large file is split at the same boundaries error recovery uses (item
//! keywords, and member keywords inside big pipelines, that start a line),
//! and the pieces are parsed with the same pest rules on rayon's pool. If any
//! piece fails, the caller parses the whole file as usual, so the grammar
//! alone decides what is valid: a split in the wrong place can only make a
//! piece fail, never make a wrong parse succeed (a piece must be a complete
//! item or run of members on its own).

use pest::Parser;
use rayon::prelude::*;

use super::build::Builder;
use super::recover::boundaries;
use super::{PipeParser, Rule};
use crate::ast::{Ident, Item, Member, Pipeline};
use crate::diagnostic::{Diagnostic, FileName};
use crate::lexer::{Lexeme, Token};
use crate::span::Span;

/// Files smaller than this are parsed whole: splitting would cost more than it saves.
pub const PARALLEL_THRESHOLD: usize = 64 * 1024;

/// About how many tokens one piece should hold.
const PIECE_TOKENS: usize = 4_096;

/// One piece of work.
enum Piece {
    /// A whole item, `start..end` in the file.
    Item { start: usize, end: usize },
    /// Members `start..end` of the pipeline that is piece `owner`.
    Members {
        owner: usize,
        start: usize,
        end: usize,
    },
    /// The head of a split pipeline: its name and span; members come from other pieces.
    Pipeline { name: Ident, span: Span },
}

/// What one piece produced.
enum Parsed {
    Item(Item),
    Members(usize, Vec<Member>),
    Pipeline(Ident, Span),
}

/// Parses `text` in parallel pieces; `None` when any piece fails (the caller
/// then parses the file whole, which reports the errors).
pub fn parse(
    file: &FileName,
    text: &str,
    lexemes: &[Lexeme],
    token_ends: &[u32],
) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
    let tokens: Vec<Lexeme> = lexemes
        .iter()
        .copied()
        .filter(|l| l.token != Ok(Token::Comment))
        .collect();
    let pieces = split(text, &tokens)?;
    let results: Vec<(Parsed, Vec<Diagnostic>)> = pieces
        .par_iter()
        .map(|piece| parse_piece(file, text, token_ends, piece))
        .collect::<Option<Vec<_>>>()?;

    let mut items: Vec<Item> = Vec::new();
    let mut diagnostics = Vec::new();
    // Index of each split pipeline's head piece → position in `items`.
    let mut owners: Vec<(usize, usize)> = Vec::new();
    for (index, (parsed, found)) in results.into_iter().enumerate() {
        diagnostics.extend(found);
        match parsed {
            Parsed::Item(item) => items.push(item),
            Parsed::Pipeline(name, span) => {
                owners.push((index, items.len()));
                items.push(Item::Pipeline(Pipeline {
                    docs: Default::default(),
                    name,
                    members: Vec::new(),
                    span,
                }));
            }
            Parsed::Members(owner, members) => {
                let (_, position) = *owners.iter().find(|(head, _)| *head == owner)?;
                if let Item::Pipeline(pipeline) = &mut items[position] {
                    pipeline.members.extend(members);
                }
            }
        }
    }
    Some((items, diagnostics))
}

/// Splits the file into pieces; `None` when it does not split cleanly.
fn split(text: &str, tokens: &[Lexeme]) -> Option<Vec<Piece>> {
    let starts = boundaries(text, tokens, 0, tokens.len(), Token::starts_item);
    if starts.first() != Some(&0) {
        return None;
    }
    let mut pieces = Vec::new();
    for (n, &first) in starts.iter().enumerate() {
        let last = starts.get(n + 1).copied().unwrap_or(tokens.len());
        let start = tokens[first].span.start as usize;
        let end = tokens[last - 1].span.end as usize;
        let is_pipeline = tokens[first].token == Ok(Token::KwPipeline);
        if !is_pipeline || last - first < 2 * PIECE_TOKENS {
            pieces.push(Piece::Item { start, end });
            continue;
        }
        // `pipeline NAME {` ... `}`: members between, split into runs.
        if tokens.get(first + 1)?.token != Ok(Token::Ident)
            || tokens.get(first + 2)?.token != Ok(Token::LBrace)
            || tokens[last - 1].token != Ok(Token::RBrace)
        {
            return None;
        }
        let name_span = tokens[first + 1].span;
        let owner = pieces.len();
        pieces.push(Piece::Pipeline {
            name: Ident {
                name: text[name_span.range()].to_string(),
                span: name_span,
            },
            span: Span::new(start, end),
        });
        let members = boundaries(text, tokens, first + 3, last - 1, Token::starts_member);
        if members.first() != Some(&(first + 3)) {
            return None;
        }
        let mut run_start = members[0];
        for m in 0..members.len() {
            let next = members.get(m + 1).copied().unwrap_or(last - 1);
            if next - run_start >= PIECE_TOKENS || next == last - 1 {
                pieces.push(Piece::Members {
                    owner,
                    start: tokens[run_start].span.start as usize,
                    end: tokens[next - 1].span.end as usize,
                });
                run_start = next;
            }
        }
    }
    Some(pieces)
}

fn parse_piece(
    file: &FileName,
    text: &str,
    token_ends: &[u32],
    piece: &Piece,
) -> Option<(Parsed, Vec<Diagnostic>)> {
    match piece {
        Piece::Item { start, end } => {
            let mut pairs = PipeParser::parse(Rule::item_only, &text[*start..*end]).ok()?;
            let builder = Builder::new(file, *start, token_ends);
            let item = builder.item(pairs.next()?.into_inner().next()?);
            Some((Parsed::Item(item), builder.into_diagnostics()))
        }
        Piece::Members { owner, start, end } => {
            let mut pairs = PipeParser::parse(Rule::members_only, &text[*start..*end]).ok()?;
            let builder = Builder::new(file, *start, token_ends);
            let members = pairs
                .next()?
                .into_inner()
                .filter(|p| p.as_rule() != Rule::EOI)
                .map(|p| builder.member(p))
                .collect();
            Some((Parsed::Members(*owner, members), builder.into_diagnostics()))
        }
        Piece::Pipeline { name, span } => Some((Parsed::Pipeline(name.clone(), *span), Vec::new())),
    }
}
