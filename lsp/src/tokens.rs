//! Semantic tokens from the lexer (logos), each name classified by the
//! tokens around it: declarations, callees, pipes, fields, types.

use pipec_grammar::lexer::{Token, is_doc_comment, lex};
use tower_lsp::lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

use crate::workspace::TextView;

/// The token types, in legend order.
pub const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::TYPE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::NAMESPACE,
];

/// The token modifiers, in legend order (bit 0 first).
pub const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DOCUMENTATION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

const KEYWORD: u32 = 0;
const STRING: u32 = 1;
const NUMBER: u32 = 2;
const COMMENT: u32 = 3;
const OPERATOR: u32 = 4;
const VARIABLE: u32 = 5;
const FUNCTION: u32 = 6;
const TYPE: u32 = 7;
const PROPERTY: u32 = 8;
const PARAMETER: u32 = 9;
const NAMESPACE: u32 = 10;

const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;
const DEFAULT_LIBRARY: u32 = 4;

/// The built-in type names.
const BUILTIN_TYPES: &[&str] = &[
    "string", "int", "float", "bool", "path", "json", "duration", "size", "table", "list", "any",
];

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// Every token of a text, encoded as the protocol wants (relative positions,
/// one token per line: a multi-line string or comment is cut at line breaks).
pub fn semantic_tokens(view: &TextView<'_>) -> Vec<SemanticToken> {
    let text = view.text;
    let lexemes = lex(text);
    let significant: Vec<(usize, Token)> = lexemes
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l.token {
            Ok(Token::Comment) | Err(_) => None,
            Ok(t) => Some((i, t)),
        })
        .collect();
    let mut classes: Vec<Option<(u32, u32)>> = vec![None; lexemes.len()];
    for (k, &(i, token)) in significant.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| significant[p].1);
        let next = significant.get(k + 1).map(|s| s.1);
        let span = lexemes[i].span;
        classes[i] = classify(token, prev, next, &text[span.range()]);
    }
    let mut out = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    for (lexeme, class) in lexemes.iter().zip(classes) {
        let class = match lexeme.token {
            Ok(Token::Comment) => {
                let doc = is_doc_comment(&text[lexeme.span.range()]);
                Some((COMMENT, if doc { DOCUMENTATION } else { 0 }))
            }
            _ => class,
        };
        let Some((kind, modifiers)) = class else {
            continue;
        };
        // One protocol token per line of the lexeme.
        let mut start = lexeme.span.start as usize;
        let end = lexeme.span.end as usize;
        while start < end {
            let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
            if line_end > start {
                let position = view.position(start);
                let length: usize = text[start..line_end].chars().map(char::len_utf16).sum();
                let delta_line = position.line - last_line;
                let delta_start = if delta_line == 0 {
                    position.character - last_start
                } else {
                    position.character
                };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: length as u32,
                    token_type: kind,
                    token_modifiers_bitset: modifiers,
                });
                last_line = position.line;
                last_start = position.character;
            }
            start = line_end + 1;
        }
    }
    out
}

/// The class of one token, from the tokens before and after it.
fn classify(
    token: Token,
    prev: Option<Token>,
    next: Option<Token>,
    text: &str,
) -> Option<(u32, u32)> {
    use Token::*;
    Some(match token {
        KwAnd | KwOr | KwNot | KwIn | KwMatches => (OPERATOR, 0),
        t if t.is_keyword() => (KEYWORD, 0),
        String | TripleString => (STRING, 0),
        Number | Duration | Size => (NUMBER, 0),
        Lt | Gt | Le | Ge | EqEq | NotEq | Eq | Coalesce | Question | Pipe | Arrow => (OPERATOR, 0),
        Ident => match (prev, next) {
            (Some(KwNode | KwOutput | KwConst), _) => (VARIABLE, DECLARATION),
            (Some(KwInput | KwSecret), _) => (PARAMETER, DECLARATION),
            (Some(KwPipeline | KwPlugin), _) => (FUNCTION, DECLARATION),
            (Some(KwSchema), _) => (TYPE, DECLARATION),
            (Some(KwAs), _) => (NAMESPACE, DECLARATION),
            (Some(Pipe), _) => (FUNCTION, DEFAULT_LIBRARY),
            (_, Some(LParen)) => (FUNCTION, 0),
            (Some(Dot), _) => (PROPERTY, 0),
            (Some(Colon | Lt | Arrow), _) if BUILTIN_TYPES.contains(&text) => {
                (TYPE, DEFAULT_LIBRARY)
            }
            (Some(Colon | Lt | Arrow), _) if text.starts_with(|c: char| c.is_ascii_uppercase()) => {
                (TYPE, 0)
            }
            (_, Some(Colon)) => (PROPERTY, 0),
            _ => (VARIABLE, 0),
        },
        _ => return None,
    })
}
