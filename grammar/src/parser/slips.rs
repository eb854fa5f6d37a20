//! Slips people make often, recognised where the parser stopped so that
//! the message names the slip: a misspelt clause keyword, a missing `node`
//! keyword, clauses without braces, a number glued to letters, braces meant
//! as text in a string.

use crate::codes;
use crate::diagnostic::{Diagnostic, FileName};
use crate::lexer::{Lexeme, Token};
use crate::span::Span;

/// The help for a `{` in a string that was meant as text.
pub const BRACE_IN_STRING_HELP: &str = "a `{` in a string starts an interpolation (`\"{node.field}\"`); \
     for a literal brace write `\\{`, as in `\"\\{a: 1}\"` or `\"\\{a,b}.txt\"`";

/// `retries 3` where a clause was expected: the name is a slip of a clause
/// keyword. The fix is offered only when one keyword is the closest.
pub(super) fn misspelt_clause(
    file: &FileName,
    found: &Lexeme,
    found_text: &str,
    expected: &Option<String>,
) -> Option<Diagnostic> {
    if found.token != Ok(Token::Ident)
        || !expected
            .as_deref()
            .is_some_and(|e| e.contains("a clause") || e.contains("`on`"))
    {
        return None;
    }
    let candidates: Vec<&str> = super::CLAUSE_KEYWORDS.to_vec();
    let mut near = crate::diagnostic::closest(found_text, candidates.iter().copied());
    // A keyword's inflection (`retries`, `timeouts`, `caching`): the same
    // first four letters.
    if near.is_empty() {
        let common = |k: &str| {
            k.chars()
                .zip(found_text.chars())
                .take_while(|(a, b)| a == b)
                .count()
        };
        near = candidates
            .iter()
            .copied()
            .filter(|k| common(k) >= 4)
            .collect();
    }
    let tied = crate::diagnostic::tied_closest(found_text, &near);
    let shown = crate::diagnostic::one_of(&tied);
    if tied.is_empty() {
        return None;
    }
    let diagnostic = Diagnostic::new(
        codes::UNEXPECTED_TOKEN,
        format!("`{found_text}` is not a clause: did you mean {shown}?"),
        file,
        found.span,
    )
    .with_label("unknown clause")
    .with_help(format!(
        "did you mean {shown}? A node's clauses are {}",
        super::CLAUSE_KEYWORDS
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Some(match tied.as_slice() {
        [only] => diagnostic.with_fix(format!("replace with `{only}`"), found.span, *only),
        _ => diagnostic,
    })
}

/// `a = echo(1)` first on its line among a pipeline's members: a node
/// without its `node` keyword. The fix writes the keyword.
pub(super) fn missing_node_keyword(
    file: &FileName,
    chunk: &str,
    base: usize,
    lexemes: &[Lexeme],
    found: &Lexeme,
) -> Option<Diagnostic> {
    if found.token != Ok(Token::Ident) {
        return None;
    }
    let at = (found.span.start as usize).checked_sub(base)?;
    let line_start = chunk[..at].rfind('\n').map_or(0, |n| n + 1);
    if !chunk[line_start..at].trim().is_empty() {
        return None;
    }
    let position = lexemes.iter().position(|l| l.span == found.span)?;
    let next = lexemes[position + 1..]
        .iter()
        .find(|l| l.token != Ok(Token::Comment))?;
    if next.token != Ok(Token::Eq) {
        return None;
    }
    let name = &chunk[at..at + found.span.len()];
    Some(
        Diagnostic::new(
            codes::EXPECTED_ITEM,
            format!("`{name} = ...` is not a member: is the `node` keyword missing?"),
            file,
            found.span,
        )
        .with_label("a member starts with `input`, `secret`, `node` or `output`")
        .with_help(format!("a node is written `node {name} = operator(...)`"))
        .with_fix("add `node`", Span::at(found.span.start as usize), "node "),
    )
}

/// A node's clauses written after its call without braces (`f(x) each x`):
/// the span from the clause keyword to the end of its line (comments left
/// out) and its text, when braces were among the things expected there.
pub(super) fn clauses_without_braces<'c>(
    found: &Lexeme,
    expected: &Option<String>,
    lexemes: &[Lexeme],
    chunk: &'c str,
    base: usize,
) -> Option<(Span, &'c str)> {
    if !is_clause_keyword(found) || !expected.as_deref().is_some_and(|e| e.contains("`{`")) {
        return None;
    }
    let start = found.span.start as usize;
    let end = lexemes
        .iter()
        .skip_while(|l| l.span.start < found.span.start)
        .take_while(|l| {
            l.span.end as usize <= base + chunk.len()
                && !chunk_text_between(chunk, base, start, l.span.start as usize).contains('\n')
        })
        .filter(|l| l.token != Ok(Token::Comment))
        .last()?
        .span
        .end as usize;
    let text = chunk_text_between(chunk, base, start, end);
    (!text.is_empty()).then(|| (Span::new(start, end), text))
}

/// Whether a lexeme is a keyword that starts a node clause (`each`, `when`, ...).
pub(super) fn is_clause_keyword(lexeme: &Lexeme) -> bool {
    matches!(
        lexeme.token,
        Ok(Token::KwEach
            | Token::KwAll
            | Token::KwGroup
            | Token::KwWhen
            | Token::KwAfter
            | Token::KwRetry
            | Token::KwTimeout
            | Token::KwCache
            | Token::KwOn
            | Token::KwResources)
    )
}

/// `10min`, `3x`: digits directly followed by letters that made no literal.
pub(super) fn glued_number(rest: &str) -> Option<&str> {
    let bytes = rest.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.') {
        i += 1;
    }
    if i == digits_start || !bytes[digits_start].is_ascii_digit() {
        return None;
    }
    let letters_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    (i > letters_start).then(|| &rest[..i])
}

pub(super) fn chunk_text_between(chunk: &str, base: usize, from: usize, to: usize) -> &str {
    let start = from.saturating_sub(base).min(chunk.len());
    let end = to.saturating_sub(base).clamp(start, chunk.len());
    chunk.get(start..end).unwrap_or("")
}
