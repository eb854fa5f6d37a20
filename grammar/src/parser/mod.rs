//! The parser: pest over the whole file, and item-by-item recovery when that fails.
//!
//! A file is first parsed whole with the pest rule `file`. When that fails,
//! the logos tokens split the file into items (at item keywords that start a
//! line) and pipelines into members (at member keywords that start a line);
//! each piece is parsed alone, so one broken node costs only that node and
//! every other mistake is still reported at its own line.

mod build;
mod chunks;
mod errors;
pub mod pieces;
mod recover;
mod slips;

use pest::Parser;
use pest_derive::Parser;

use crate::ast::{Comment, Docs, Expr, Item, SourceFile};
use crate::codes;
use crate::diagnostic::{Diagnostic, FileName, sort_diagnostics};
use crate::lexer::{self, Lexeme, Token};
use crate::span::Span;

pub use build::{MAX_EXPR_OPERATORS, unescape};
pub use slips::BRACE_IN_STRING_HELP;

/// The pest parser generated from `pipe.pest`.
#[derive(Parser)]
#[grammar = "pipe.pest"]
pub struct PipeParser;

pub use crate::limits::MAX_NESTING;

/// The keywords that start a node clause (completion offers them; a
/// misspelt one gets "did you mean").
pub const CLAUSE_KEYWORDS: &[&str] = &[
    "each",
    "all",
    "group",
    "when",
    "after",
    "retry",
    "timeout",
    "cache",
    "on",
    "resources",
];

/// The result of parsing one source: a tree (possibly partial) and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Parse {
    /// The syntax tree of everything that parsed.
    pub tree: SourceFile,
    /// Syntax diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses raw bytes: invalid UTF-8 is reported (E0001) and yields an empty tree.
pub fn parse_bytes(file: &FileName, bytes: &[u8]) -> Parse {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(file, text),
        Err(error) => {
            let at = error.valid_up_to();
            let len = error.error_len().unwrap_or(bytes.len() - at).max(1);
            let diagnostic = Diagnostic::new(
                codes::INVALID_UTF8,
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X} at offset {at})",
                    bytes[at]
                ),
                file,
                Span::new(at, at + len),
            )
            .with_label("not UTF-8")
            .with_help("save the file as UTF-8");
            Parse {
                tree: SourceFile {
                    items: Vec::new(),
                    comments: Vec::new(),
                    span: Span::new(0, bytes.len()),
                },
                diagnostics: vec![diagnostic],
            }
        }
    }
}

/// Parses a source text. Never panics; every mistake is a diagnostic.
pub fn parse(file: &FileName, text: &str) -> Parse {
    parse_with(file, text, true)
}

/// Parses, in parallel pieces when `allow_pieces` and the file is large.
fn parse_with(file: &FileName, text: &str, allow_pieces: bool) -> Parse {
    let lexemes = lexer::lex(text);
    let comments = collect_comments(text, &lexemes);
    let token_ends = token_ends(&lexemes);
    let mut diagnostics = Vec::new();

    let mut broken_starts = Vec::new();
    let mut items = match nesting_error(file, &lexemes) {
        Some(error) => {
            diagnostics.push(error);
            broken_starts.push(0);
            Vec::new()
        }
        None => match chunks_or_whole(file, text, &lexemes, &token_ends, allow_pieces) {
            Ok(Whole::Chunked(items, found)) => {
                diagnostics.extend(found);
                items
            }
            Ok(Whole::Parsed(mut pairs)) => {
                let builder = build::Builder::new(file, 0, &token_ends);
                let items = builder.file_items(pairs.next().expect("grammar: file"));
                diagnostics.extend(builder.into_diagnostics());
                items
            }
            Err(_) => {
                pest::set_error_detail(true);
                let recovered =
                    recover::parse_items(file, text, &lexemes, &token_ends, &mut diagnostics);
                broken_starts = recovered.broken_starts;
                recovered.items
            }
        },
    };

    if broken_starts.first() == Some(&0) && items.is_empty() {
        // Nothing parsed: doc comments cannot be judged.
    } else {
        attach_docs(
            file,
            text,
            &mut items,
            &comments,
            &broken_starts,
            &mut diagnostics,
        );
    }
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    Parse {
        tree: SourceFile {
            items,
            comments,
            span: Span::new(0, text.len()),
        },
        diagnostics,
    }
}

enum Whole<'i> {
    Chunked(Vec<Item>, Vec<Diagnostic>),
    Parsed(pest::iterators::Pairs<'i, Rule>),
}

/// A large file in parallel pieces when they all parse; otherwise the whole file with pest.
fn chunks_or_whole<'i>(
    file: &FileName,
    text: &'i str,
    lexemes: &[Lexeme],
    token_ends: &[u32],
    allow_pieces: bool,
) -> Result<Whole<'i>, pest::error::Error<Rule>> {
    if allow_pieces
        && text.len() >= pieces::PARALLEL_THRESHOLD
        && let Some((items, found)) = chunks::parse(file, text, lexemes, token_ends)
    {
        return Ok(Whole::Chunked(items, found));
    }
    PipeParser::parse(Rule::file, text).map(Whole::Parsed)
}

/// Parses one expression or template body, as `pipec eval` reads it.
pub fn parse_expr(file: &FileName, text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let lexemes = lexer::lex(text);
    if let Some(error) = nesting_error(file, &lexemes) {
        return Err(vec![error]);
    }
    let token_ends = token_ends(&lexemes);
    match PipeParser::parse(Rule::expr_only, text) {
        Ok(mut pairs) => {
            let builder = build::Builder::new(file, 0, &token_ends);
            let expr_pair = pairs
                .next()
                .and_then(|p| p.into_inner().next())
                .expect("grammar: expr_only");
            let expr = builder.expr(expr_pair);
            let diagnostics = builder.into_diagnostics();
            if diagnostics.iter().any(Diagnostic::is_error) {
                Err(diagnostics)
            } else {
                Ok(expr)
            }
        }
        Err(error) => Err(vec![errors::syntax_error(
            file,
            text,
            0,
            &lexemes,
            &error,
            "an expression",
        )]),
    }
}

/// End offsets of every token but comments, for trimming spans.
fn token_ends(lexemes: &[Lexeme]) -> Vec<u32> {
    lexemes
        .iter()
        .filter(|l| l.token != Ok(Token::Comment))
        .map(|l| l.span.end)
        .collect()
}

fn collect_comments(text: &str, lexemes: &[Lexeme]) -> Vec<Comment> {
    lexemes
        .iter()
        .filter(|l| l.token == Ok(Token::Comment))
        .map(|l| {
            let body = text[l.span.range()].trim_end_matches('\r');
            Comment {
                text: body.to_string(),
                is_doc: lexer::is_doc_comment(body),
                span: Span::new(l.span.start as usize, l.span.start as usize + body.len()),
            }
        })
        .collect()
}

/// Refuses input that nests deeper than the parsers may recurse: brackets
/// deeper than [`MAX_NESTING`] (generic types `list<...>` count as brackets),
/// or a string whose insides nest too deep (the lexer marks it). pest runs
/// without its stack probe (it costs a sixth of parsing), so this check is
/// what keeps deep input from overflowing the stack.
fn nesting_error(file: &FileName, lexemes: &[Lexeme]) -> Option<Diagnostic> {
    let mut depth = 0usize;
    // Open generics: a `<` right after a name counts (`list<`, `table<`, but
    // also a comparison `a < b`). Anything that cannot be inside a type ends
    // the run, so a comparison is forgotten at the next token outside types.
    let mut generics = 0usize;
    let mut after_name = false;
    for lexeme in lexemes {
        let after_generic_name =
            std::mem::replace(&mut after_name, lexeme.token == Ok(Token::Ident));
        match lexeme.token {
            Ok(Token::Lt) if after_generic_name => {
                generics += 1;
                if depth + generics > MAX_NESTING {
                    return Some(too_deep(file, lexeme.span));
                }
            }
            Ok(Token::Gt) => generics = generics.saturating_sub(1),
            Ok(
                Token::Ident
                | Token::Comma
                | Token::Colon
                | Token::Question
                | Token::LBrace
                | Token::RBrace
                | Token::Comment,
            ) => {}
            _ => generics = 0,
        }
        match lexeme.token {
            Err(crate::lexer::LexError::NestedTooDeep) => {
                return Some(errors::lexical_diagnostic(file, lexeme));
            }
            Ok(Token::LParen | Token::LBrace | Token::LBracket) => {
                depth += 1;
                if depth + generics > MAX_NESTING {
                    return Some(too_deep(file, lexeme.span));
                }
            }
            Ok(Token::RParen | Token::RBrace | Token::RBracket) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The diagnostic for brackets nested deeper than [`MAX_NESTING`], at the one too many.
fn too_deep(file: &FileName, span: Span) -> Diagnostic {
    Diagnostic::new(
        codes::NESTING_TOO_DEEP,
        format!("brackets are nested more than {MAX_NESTING} levels deep"),
        file,
        span,
    )
    .with_label("too deep")
    .with_help("flatten the structure; deeper nesting is refused to keep every tool safe")
}

/// Attaches each run of `///` lines to the item or member right after it,
/// and warns about doc comments that document nothing.
fn attach_docs(
    file: &FileName,
    text: &str,
    items: &mut [Item],
    comments: &[Comment],
    broken_starts: &[u32],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut used = vec![false; comments.len()];
    let mut attach = |start: u32, docs: &mut Docs| {
        let mut first = comments.partition_point(|c| c.span.end <= start);
        let mut next_start = start as usize;
        while first > 0 {
            let comment = &comments[first - 1];
            let between = &text[comment.span.end as usize..next_start];
            if !comment.is_doc || !between.trim().is_empty() || between.matches('\n').count() > 1 {
                break;
            }
            first -= 1;
            next_start = comment.span.start as usize;
        }
        let run = first..comments.partition_point(|c| c.span.end <= start);
        if run.is_empty() {
            return;
        }
        for index in run.clone() {
            used[index] = true;
        }
        let lines = comments[run.clone()]
            .iter()
            .map(|c| {
                let body = &c.text[3..];
                body.strip_prefix(' ').unwrap_or(body).to_string()
            })
            .collect();
        docs.lines = lines;
        docs.span = Some(comments[run.start].span.cover(comments[run.end - 1].span));
    };
    let mut broken = broken_starts.to_vec();
    for item in items.iter_mut() {
        let start = item.span().start;
        attach(start, item.docs_mut());
        if let Item::Pipeline(pipeline) = item {
            for member in &mut pipeline.members {
                let start = member.span().start;
                match member.docs_mut() {
                    Some(docs) => attach(start, docs),
                    None => broken.push(start),
                }
            }
        }
    }
    // Docs above something that failed to parse are not dangling: that thing is broken.
    for start in broken {
        let mut i = comments.partition_point(|c| c.span.end <= start);
        while i > 0 && comments[i - 1].is_doc {
            used[i - 1] = true;
            i -= 1;
        }
    }
    for (comment, used) in comments.iter().zip(used) {
        if comment.is_doc && !used {
            diagnostics.push(
                Diagnostic::new(codes::DANGLING_DOC_COMMENT, "this doc comment documents nothing", file, comment.span)
                    .with_label("not followed by an item or member")
                    .with_help("doc comments go right above a pipeline, input, node, output, plugin, schema or constant; use `//` for a plain comment")
                    .with_fix("make it a plain comment", Span::new(comment.span.start as usize, comment.span.start as usize + 3), "//"),
            );
        }
    }
}

#[cfg(test)]
mod tests;
