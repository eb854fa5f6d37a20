//! Error recovery: parse item by item, and a broken pipeline member by member.
//!
//! Boundaries come from the logos tokens: an item keyword (`import`, `const`,
//! `schema`, `plugin`, `pipeline`) or a member keyword (`input`, `secret`,
//! `node`, `output`) that is the first token on its line and is not an
//! argument or field name (`on: ...`). Keywords are reserved, so such a token
//! can only begin a new item or member; strings are single tokens, so text
//! inside them never counts.

use pest::Parser;

use super::build::Builder;
use super::errors::{lexical_diagnostic, syntax_error};
use super::slips::missing_node_keyword;
use super::{PipeParser, Rule};
use crate::ast::{BrokenMember, Ident, Item, Member, Pipeline};
use crate::codes;
use crate::diagnostic::{Diagnostic, FileName};
use crate::lexer::{Lexeme, Token};
use crate::span::Span;

/// What recovery salvaged.
pub struct Recovered {
    /// The items that parsed, the broken pipeline parts included as [`Member::Broken`].
    pub items: Vec<Item>,
    /// Where dropped items start (doc comments above them are not dangling).
    pub broken_starts: Vec<u32>,
}

/// Parses a file that failed to parse whole, one item at a time.
pub fn parse_items(
    file: &FileName,
    text: &str,
    lexemes: &[Lexeme],
    token_ends: &[u32],
    diagnostics: &mut Vec<Diagnostic>,
) -> Recovered {
    let errors_before = diagnostics.iter().filter(|d| d.is_error()).count();
    let (tokens, starts) = item_starts(text, lexemes);
    let mut recovered = Recovered {
        items: Vec::new(),
        broken_starts: Vec::new(),
    };

    let first_item = starts.first().copied().unwrap_or(tokens.len());
    if first_item > 0 {
        diagnostics.push(stray_text(file, text, &tokens[..first_item], "item"));
    }

    for (n, &first) in starts.iter().enumerate() {
        let last = starts.get(n + 1).copied().unwrap_or(tokens.len());
        let start = tokens[first].span.start as usize;
        let end = tokens[last - 1].span.end as usize;
        let chunk = &text[start..end];
        match PipeParser::parse(Rule::item_only, chunk) {
            Ok(mut pairs) => {
                let builder = Builder::new(file, start, token_ends);
                let pair = pairs
                    .next()
                    .and_then(|p| p.into_inner().next())
                    .expect("grammar: item_only");
                recovered.items.push(builder.item(pair));
                diagnostics.extend(builder.into_diagnostics());
            }
            Err(error) => {
                if tokens[first].token == Ok(Token::KwPipeline)
                    && let Some(pipeline) = recover_pipeline(
                        file,
                        text,
                        lexemes,
                        token_ends,
                        &tokens[first..last],
                        diagnostics,
                    )
                {
                    recovered.items.push(Item::Pipeline(pipeline));
                } else {
                    diagnostics.push(syntax_error(
                        file,
                        chunk,
                        start,
                        lexemes,
                        &error,
                        "this item",
                    ));
                    recovered.broken_starts.push(start as u32);
                }
            }
        }
    }

    // Whatever happens above, a file that did not parse must get an error.
    if diagnostics.iter().filter(|d| d.is_error()).count() == errors_before
        && let Err(error) = PipeParser::parse(Rule::file, text)
    {
        diagnostics.push(syntax_error(file, text, 0, lexemes, &error, "the file"));
    }
    recovered
}

/// Parses a broken pipeline member by member. `None` when even its header is broken.
fn recover_pipeline(
    file: &FileName,
    text: &str,
    lexemes: &[Lexeme],
    token_ends: &[u32],
    tokens: &[Lexeme],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Pipeline> {
    let start = tokens[0].span.start as usize;
    let end = tokens[tokens.len() - 1].span.end as usize;
    let chunk = &text[start..end];
    let open = PipeParser::parse(Rule::pipeline_open, chunk).ok()?.next()?;
    let open_end = start + open.as_span().end();
    let name_pair = open.into_inner().nth(1)?;
    let name = Ident {
        name: name_pair.as_str().to_string(),
        span: Span::new(
            start + name_pair.as_span().start(),
            start + name_pair.as_span().end(),
        ),
    };

    // The body runs from after `{` to the final `}`; without one, the pipeline is unclosed.
    let body_first = tokens
        .iter()
        .position(|t| t.span.start as usize >= open_end)?;
    // Members written after the `}` that closes the body belong to no
    // pipeline: reported there, and read as the pipeline's (so that what
    // they name still resolves).
    let owned;
    let tokens = match after_closing_brace(file, text, tokens, body_first, &name) {
        Some((close, diagnostic)) => {
            diagnostics.push(diagnostic);
            let mut rest = tokens.to_vec();
            let brace = rest.remove(close);
            rest.push(brace);
            owned = rest;
            owned.as_slice()
        }
        None => tokens,
    };
    let mut body_last = tokens.len();
    if tokens.len() > body_first && tokens[tokens.len() - 1].token == Ok(Token::RBrace) {
        body_last -= 1;
    } else {
        let brace = tokens[..body_first]
            .last()
            .map_or(Span::at(open_end), |t| t.span);
        diagnostics.push(
            Diagnostic::new(
                codes::UNCLOSED_DELIMITER,
                format!("the body of pipeline `{}` is never closed", name.name),
                file,
                brace,
            )
            .with_label("opened here")
            .with_secondary(file, Span::at(end), "expected `}` before here")
            .with_help("add `}` after the pipeline's last member"),
        );
    }

    let mut starts = boundaries(text, tokens, body_first, body_last, Token::starts_member);
    // A member may also start right after the `{`, on the pipeline's own line.
    if body_first < body_last
        && starts.first() != Some(&body_first)
        && tokens[body_first].token.is_ok_and(Token::starts_member)
    {
        starts.insert(0, body_first);
    }
    let first_member = starts.first().copied().unwrap_or(body_last);
    if first_member > body_first {
        diagnostics.push(stray_text(
            file,
            text,
            &tokens[body_first..first_member],
            "member",
        ));
    }

    let mut members = Vec::new();
    for (n, &first) in starts.iter().enumerate() {
        let last = starts.get(n + 1).copied().unwrap_or(body_last);
        let m_start = tokens[first].span.start as usize;
        let m_end = tokens[last - 1].span.end as usize;
        let member_text = &text[m_start..m_end];
        match PipeParser::parse(Rule::member_only, member_text) {
            Ok(mut pairs) => {
                let builder = Builder::new(file, m_start, token_ends);
                let pair = pairs
                    .next()
                    .and_then(|p| p.into_inner().next())
                    .expect("grammar: member_only");
                members.push(builder.member(pair));
                diagnostics.extend(builder.into_diagnostics());
            }
            Err(error) => {
                diagnostics.push(syntax_error(
                    file,
                    member_text,
                    m_start,
                    lexemes,
                    &error,
                    "this member",
                ));
                let keyword = &text[tokens[first].span.range()];
                let name = tokens
                    .get(first + 1)
                    .filter(|t| {
                        first + 1 < last
                            && t.token.is_ok_and(|k| k == Token::Ident || k.is_keyword())
                    })
                    .map(|t| Ident {
                        name: text[t.span.range()].to_string(),
                        span: t.span,
                    });
                members.push(Member::Broken(BrokenMember {
                    keyword: Some(keyword.to_string()),
                    name,
                    span: Span::new(m_start, m_end),
                }));
            }
        }
    }

    Some(Pipeline {
        docs: Default::default(),
        name,
        members,
        span: Span::new(start, end),
    })
}

/// When the `}` that closes a pipeline's body (opened just before
/// `tokens[body_first]`) is followed by a member (`node`, `input`, ...):
/// that brace's index and the diagnostic for the member outside the pipeline.
fn after_closing_brace(
    file: &FileName,
    text: &str,
    tokens: &[Lexeme],
    body_first: usize,
    name: &Ident,
) -> Option<(usize, Diagnostic)> {
    let mut depth = 1usize;
    let close = (body_first..tokens.len()).find(|&i| {
        match tokens[i].token {
            Ok(Token::LBrace) => depth += 1,
            Ok(Token::RBrace) => depth -= 1,
            _ => {}
        }
        depth == 0
    })?;
    let member = tokens.get(close + 1)?;
    if !member.token.is_ok_and(Token::starts_member)
        || !first_on_line(text, member.span.start as usize)
    {
        return None;
    }
    let keyword = &text[member.span.range()];
    let brace_line = text[..tokens[close].span.start as usize]
        .matches('\n')
        .count()
        + 1;
    let diagnostic = Diagnostic::new(
        codes::EXPECTED_ITEM,
        format!(
            "`{keyword}` must be inside a pipeline: it comes after the `}}` that closes pipeline `{}` (line {brace_line})",
            name.name
        ),
        file,
        member.span,
    )
    .with_label(format!("`{keyword}` outside a pipeline"))
    .with_secondary(file, tokens[close].span, format!("pipeline `{}` ends here", name.name))
    .with_help(format!(
        "move the `}}` on line {brace_line} below the pipeline's last member"
    ));
    Some((close, diagnostic))
}

/// The tokens of `lexemes` without comments, and the indices among them of
/// the tokens that start an item (see [`boundaries`]).
pub(super) fn item_starts(text: &str, lexemes: &[Lexeme]) -> (Vec<Lexeme>, Vec<usize>) {
    let tokens: Vec<Lexeme> = lexemes
        .iter()
        .copied()
        .filter(|l| l.token != Ok(Token::Comment))
        .collect();
    let starts = boundaries(text, &tokens, 0, tokens.len(), Token::starts_item);
    (tokens, starts)
}

/// Indices (in `tokens[from..to]`) of tokens that start a piece: `starts(token)`,
/// first on their line, and not used as a name (`node: ...`, `x.node`).
pub(super) fn boundaries(
    text: &str,
    tokens: &[Lexeme],
    from: usize,
    to: usize,
    starts: fn(Token) -> bool,
) -> Vec<usize> {
    (from..to)
        .filter(|&i| {
            let Ok(token) = tokens[i].token else {
                return false;
            };
            starts(token)
                && first_on_line(text, tokens[i].span.start as usize)
                && tokens
                    .get(i + 1)
                    .is_none_or(|next| next.token != Ok(Token::Colon))
        })
        .collect()
}

fn first_on_line(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    text[line_start..offset].trim().is_empty()
}

/// The diagnostic for text where an item (or member) should start.
fn stray_text(file: &FileName, text: &str, tokens: &[Lexeme], what: &str) -> Diagnostic {
    let first = tokens[0];
    if first.token.is_err() {
        return lexical_diagnostic(file, &first);
    }
    if let Some(bad) = tokens.iter().find(|t| t.token.is_err()) {
        return lexical_diagnostic(file, bad);
    }
    if what == "member"
        && let Some(diagnostic) = missing_node_keyword(file, text, 0, tokens, &first)
    {
        return diagnostic;
    }
    let found = &text[first.span.range()];
    let shown: String = found.chars().take(40).collect();
    if what == "item" && first.token.is_ok_and(Token::starts_member) {
        return Diagnostic::new(
            codes::EXPECTED_ITEM,
            format!("`{shown}` must be inside a pipeline"),
            file,
            first.span,
        )
        .with_label(format!("`{shown}` outside a pipeline"))
        .with_help("wrap the members in `pipeline NAME { ... }`");
    }
    let (expected, help) = if what == "item" {
        (
            "`import`, `const`, `schema`, `plugin` or `pipeline`",
            "a file holds only items; remove this text or start an item",
        )
    } else {
        (
            "`input`, `secret`, `node` or `output`",
            "a pipeline holds only members, each starting on its own line",
        )
    };
    let article = if what == "item" { "an" } else { "a" };
    Diagnostic::new(
        codes::EXPECTED_ITEM,
        format!("expected {article} {what} ({expected}), found `{shown}`"),
        file,
        first.span,
    )
    .with_label(format!("not {article} {what}"))
    .with_help(help)
}
