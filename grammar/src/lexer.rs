//! The logos lexer over the same tokens as the pest grammar.
//!
//! The parser proper is pest; this lexer serves three jobs that need a fast,
//! total view of the tokens: collecting comments (which the syntax tree keeps
//! beside the items), finding item and member boundaries for error recovery,
//! and naming lexical mistakes (an unterminated string, a stray character)
//! precisely. The language server uses it for semantic tokens.

use logos::Logos;

use crate::span::Span;

/// What went wrong while lexing one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexError {
    /// A character that starts no token.
    #[default]
    UnexpectedChar,
    /// A `"` string that reaches the end of its line (or the file) before its closing quote.
    UnterminatedString,
    /// A `"""` string that reaches the end of the file before its closing quotes.
    UnterminatedTripleString,
    /// A `{` interpolation inside a string that is never closed.
    UnterminatedInterpolation,
    /// Interpolations, brackets and strings inside one string nest deeper
    /// than [`MAX_STRING_NESTING`].
    NestedTooDeep,
    /// An arithmetic operator (`+ - * / %`): the language has none.
    Arithmetic,
    /// A `\\` inside an interpolation (`"a {\\"b\\"} c"`): an interpolation
    /// holds an expression, whose strings take plain quotes. The byte
    /// offset of the `\\` from the start of the string token.
    EscapeInInterpolation(u32),
}

impl LexError {
    /// The error with an offset inside it moved `by` bytes further on.
    fn shifted(self, by: usize) -> LexError {
        match self {
            LexError::EscapeInInterpolation(at) => {
                LexError::EscapeInInterpolation(at.saturating_add(by as u32))
            }
            other => other,
        }
    }
}

pub use crate::limits::MAX_STRING_NESTING;

/// A token of the `.pipe` language.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\n\x0B\x0C\r]+")]
pub enum Token {
    /// `// ...` or `/// ...` up to the end of the line.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,

    /// `import`
    #[token("import")]
    KwImport,
    /// `as`
    #[token("as")]
    KwAs,
    /// `const`
    #[token("const")]
    KwConst,
    /// `schema`
    #[token("schema")]
    KwSchema,
    /// `plugin`
    #[token("plugin")]
    KwPlugin,
    /// `pipeline`
    #[token("pipeline")]
    KwPipeline,
    /// `input`
    #[token("input")]
    KwInput,
    /// `secret`
    #[token("secret")]
    KwSecret,
    /// `node`
    #[token("node")]
    KwNode,
    /// `output`
    #[token("output")]
    KwOutput,
    /// `each`
    #[token("each")]
    KwEach,
    /// `all`
    #[token("all")]
    KwAll,
    /// `group`
    #[token("group")]
    KwGroup,
    /// `by`
    #[token("by")]
    KwBy,
    /// `when`
    #[token("when")]
    KwWhen,
    /// `after`
    #[token("after")]
    KwAfter,
    /// `retry`
    #[token("retry")]
    KwRetry,
    /// `backoff`
    #[token("backoff")]
    KwBackoff,
    /// `timeout`
    #[token("timeout")]
    KwTimeout,
    /// `cache`
    #[token("cache")]
    KwCache,
    /// `on`
    #[token("on")]
    KwOn,
    /// `resources`
    #[token("resources")]
    KwResources,
    /// `where`
    #[token("where")]
    KwWhere,
    /// `and`
    #[token("and")]
    KwAnd,
    /// `or`
    #[token("or")]
    KwOr,
    /// `not`
    #[token("not")]
    KwNot,
    /// `in`
    #[token("in")]
    KwIn,
    /// `matches`
    #[token("matches")]
    KwMatches,
    /// `true`
    #[token("true")]
    KwTrue,
    /// `false`
    #[token("false")]
    KwFalse,
    /// `null`
    #[token("null")]
    KwNull,

    /// An identifier (also the contextual words `any`, `off`, `origin` and type names).
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    /// An integer or a float, optionally negative.
    #[regex(r"-?[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?")]
    Number,
    /// A duration such as `250ms`, `30s`, `5m`, `2h`, `1d`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?(ms|s|m|h|d)")]
    Duration,
    /// A size such as `512MiB` or `4GiB`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")]
    Size,
    /// A `"..."` string, interpolations included.
    #[token("\"", lex_string)]
    String,
    /// A `"""..."""` string, interpolations included.
    #[token("\"\"\"", lex_triple_string)]
    TripleString,

    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `<`
    #[token("<")]
    Lt,
    /// `>`
    #[token(">")]
    Gt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `=`
    #[token("=")]
    Eq,
    /// `,`
    #[token(",")]
    Comma,
    /// `:`
    #[token(":")]
    Colon,
    /// `.`
    #[token(".")]
    Dot,
    /// `??`
    #[token("??")]
    Coalesce,
    /// `?`
    #[token("?")]
    Question,
    /// `|`
    #[token("|")]
    Pipe,
    /// `->`
    #[token("->")]
    Arrow,
}

impl Token {
    /// Whether the token is a reserved keyword.
    pub fn is_keyword(self) -> bool {
        use Token::*;
        matches!(
            self,
            KwImport
                | KwAs
                | KwConst
                | KwSchema
                | KwPlugin
                | KwPipeline
                | KwInput
                | KwSecret
                | KwNode
                | KwOutput
                | KwEach
                | KwAll
                | KwGroup
                | KwBy
                | KwWhen
                | KwAfter
                | KwRetry
                | KwBackoff
                | KwTimeout
                | KwCache
                | KwOn
                | KwResources
                | KwWhere
                | KwAnd
                | KwOr
                | KwNot
                | KwIn
                | KwMatches
                | KwTrue
                | KwFalse
                | KwNull
        )
    }

    /// Whether the token starts a top-level item.
    pub fn starts_item(self) -> bool {
        matches!(
            self,
            Token::KwImport
                | Token::KwConst
                | Token::KwSchema
                | Token::KwPlugin
                | Token::KwPipeline
        )
    }

    /// Whether the token starts a pipeline member.
    pub fn starts_member(self) -> bool {
        matches!(
            self,
            Token::KwInput | Token::KwSecret | Token::KwNode | Token::KwOutput
        )
    }
}

/// One lexed token with its span, or a lexical error with its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexeme {
    /// The token, or what went wrong.
    pub token: Result<Token, LexError>,
    /// Where it is in the source.
    pub span: Span,
}

/// Lexes a whole source. Never fails: mistakes are lexemes with an error.
pub fn lex(source: &str) -> Vec<Lexeme> {
    let mut lexer = Token::lexer(source);
    let mut out = Vec::with_capacity(source.len() / 4);
    while let Some(token) = lexer.next() {
        let range = lexer.span();
        let token = match token {
            Err(LexError::UnexpectedChar)
                if matches!(lexer.slice(), "+" | "-" | "*" | "/" | "%") =>
            {
                Err(LexError::Arithmetic)
            }
            other => other,
        };
        out.push(Lexeme {
            token,
            span: Span::new(range.start, range.end),
        });
    }
    out
}

/// Whether a comment's text (starting with `//`) is a doc comment (`///` but not `////`).
pub fn is_doc_comment(text: &str) -> bool {
    text.starts_with("///") && !text.starts_with("////")
}

/// The outcome of scanning a string body.
enum Scan {
    /// The string closed; the number of bytes consumed after the opening quote(s).
    Closed(usize),
    /// The string did not close; bytes to consume and the error.
    Open(usize, LexError),
}

fn lex_string(lex: &mut logos::Lexer<Token>) -> Result<(), LexError> {
    finish(lex, scan_string(lex.remainder(), false, 0), 1)
}

fn lex_triple_string(lex: &mut logos::Lexer<Token>) -> Result<(), LexError> {
    finish(lex, scan_string(lex.remainder(), true, 0), 3)
}

/// Ends a string token opened by `quote` bytes.
fn finish(lex: &mut logos::Lexer<Token>, scan: Scan, quote: usize) -> Result<(), LexError> {
    match scan {
        Scan::Closed(n) => {
            lex.bump(n);
            Ok(())
        }
        Scan::Open(n, error) => {
            lex.bump(n);
            Err(error.shifted(quote))
        }
    }
}

/// Scans a string body (after its opening quote or quotes), following
/// interpolations and the strings nested inside them; `depth` is how deep
/// the string itself is nested in another string.
fn scan_string(rest: &str, triple: bool, depth: usize) -> Scan {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' if !triple => return Scan::Closed(i + 1),
            b'"' if triple && rest[i..].starts_with("\"\"\"") => return Scan::Closed(i + 3),
            b'\n' if !triple => return Scan::Open(i, LexError::UnterminatedString),
            b'{' => match scan_interpolation(&rest[i + 1..], depth + 1) {
                Ok(n) => i += 1 + n,
                Err(error @ LexError::EscapeInInterpolation(_)) => {
                    let end = if triple {
                        bytes.len()
                    } else {
                        line_end(rest, i)
                    };
                    return Scan::Open(end, error.shifted(i + 1));
                }
                Err(error) => {
                    let end = if triple {
                        bytes.len()
                    } else {
                        line_end(rest, i)
                    };
                    return Scan::Open(end, error);
                }
            },
            _ => i += 1,
        }
    }
    let error = if triple {
        LexError::UnterminatedTripleString
    } else {
        LexError::UnterminatedString
    };
    Scan::Open(bytes.len().min(rest.len()), error)
}

/// Scans an interpolation body (after its `{`); returns the bytes up to and
/// including the matching `}`. Like the grammar, an interpolation may span
/// lines (an expression ignores white space). `depth` counts the
/// interpolation itself and everything it is nested in.
fn scan_interpolation(rest: &str, depth: usize) -> Result<usize, LexError> {
    let bytes = rest.as_bytes();
    // Braces decide where the interpolation ends; parentheses and square
    // brackets only count towards the nesting limit.
    let mut braces = 0usize;
    let mut brackets = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if depth + braces + brackets > MAX_STRING_NESTING {
            return Err(LexError::NestedTooDeep);
        }
        match bytes[i] {
            b'\\' => return Err(LexError::EscapeInInterpolation(i as u32)),
            b'{' => braces += 1,
            b'}' if braces == 0 => return Ok(i + 1),
            b'}' => braces -= 1,
            b'(' | b'[' => brackets += 1,
            b')' | b']' => brackets = brackets.saturating_sub(1),
            b'"' => {
                let triple = rest[i..].starts_with("\"\"\"");
                let skip = if triple { 3 } else { 1 };
                match scan_string(&rest[i + skip..], triple, depth + braces + brackets + 1) {
                    Scan::Closed(n) => i += skip + n - 1,
                    Scan::Open(_, LexError::NestedTooDeep) => return Err(LexError::NestedTooDeep),
                    Scan::Open(_, error @ LexError::EscapeInInterpolation(_)) => {
                        return Err(error.shifted(i + skip));
                    }
                    Scan::Open(..) => return Err(LexError::UnterminatedInterpolation),
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(LexError::UnterminatedInterpolation)
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Result<Token, LexError>> {
        lex(src).into_iter().map(|l| l.token).collect()
    }

    #[test]
    fn keywords_identifiers_and_literals() {
        assert_eq!(
            tokens("node x = f(1, 2.5, 30s, 4GiB, \"a\")"),
            vec![
                Ok(Token::KwNode),
                Ok(Token::Ident),
                Ok(Token::Eq),
                Ok(Token::Ident),
                Ok(Token::LParen),
                Ok(Token::Number),
                Ok(Token::Comma),
                Ok(Token::Number),
                Ok(Token::Comma),
                Ok(Token::Duration),
                Ok(Token::Comma),
                Ok(Token::Size),
                Ok(Token::Comma),
                Ok(Token::String),
                Ok(Token::RParen),
            ]
        );
    }

    #[test]
    fn strings_with_nested_interpolation_are_one_token() {
        let src = r#""a {x | default("}")} b" next"#;
        let lexemes = lex(src);
        assert_eq!(lexemes[0].token, Ok(Token::String));
        assert_eq!(lexemes[0].span, Span::new(0, 24));
        assert_eq!(lexemes[1].token, Ok(Token::Ident));
    }

    #[test]
    fn an_escape_inside_an_interpolation_is_placed_at_its_backslash() {
        // `x = "a {\"b\"} c"` then the next line.
        let src = "x = \"a {\\\"b\\\"} c\"\nnode";
        let lexemes = lex(src);
        let string = lexemes.iter().find(|l| l.token.is_err()).expect("an error");
        assert_eq!(string.token, Err(LexError::EscapeInInterpolation(4)));
        assert_eq!(&src[string.span.start as usize + 4..][..1], "\\");
        assert_eq!(lexemes.last().map(|l| l.token), Some(Ok(Token::KwNode)));
        // Nested one string deeper, in a triple string.
        let src = "\"\"\"a {f(\"b {\\\"c\\\"}\")} d\"\"\"";
        let lexemes = lex(src);
        let Err(LexError::EscapeInInterpolation(at)) = lexemes[0].token else {
            panic!("{:?}", lexemes[0].token)
        };
        assert_eq!(&src[at as usize..][..2], "\\\"");
    }

    #[test]
    fn unterminated_string_stops_at_the_line_end() {
        let lexemes = lex("\"abc\nnode");
        assert_eq!(lexemes[0].token, Err(LexError::UnterminatedString));
        assert_eq!(lexemes[0].span, Span::new(0, 4));
        assert_eq!(lexemes[1].token, Ok(Token::KwNode));
    }

    #[test]
    fn triple_strings_span_lines() {
        let lexemes = lex("\"\"\"a\n\"b\"\n\"\"\" x");
        assert_eq!(lexemes[0].token, Ok(Token::TripleString));
        assert_eq!(lexemes[1].token, Ok(Token::Ident));
    }

    #[test]
    fn comments_and_doc_comments() {
        let lexemes = lex("/// doc\n// plain\nx");
        assert_eq!(lexemes[0].token, Ok(Token::Comment));
        assert!(is_doc_comment("/// doc"));
        assert!(!is_doc_comment("// plain"));
        assert!(!is_doc_comment("//// banner"));
        assert_eq!(lexemes[2].token, Ok(Token::Ident));
    }

    #[test]
    fn stray_characters_are_errors() {
        assert_eq!(tokens("@"), vec![Err(LexError::UnexpectedChar)]);
    }
}
