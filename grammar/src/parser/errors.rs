//! Turns pest's parse errors into diagnostics that name what was found,
//! what was expected, and where.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use super::slips::{
    BRACE_IN_STRING_HELP, chunk_text_between, clauses_without_braces, glued_number,
    is_clause_keyword, missing_node_keyword, misspelt_clause,
};
use crate::codes;
use crate::diagnostic::{Diagnostic, FileName};
use crate::lexer::{LexError, Lexeme, Token};
use crate::span::Span;

/// The diagnostic for a pest error in `chunk`, a piece of the file starting at byte `base`.
/// `lexemes` are the whole file's tokens; `what` names what the chunk should have been.
pub fn syntax_error(
    file: &FileName,
    chunk: &str,
    base: usize,
    lexemes: &[Lexeme],
    error: &Error<Rule>,
    what: &str,
) -> Diagnostic {
    let rule_at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // pest places the error at the furthest *rule* attempt; a literal token
    // (`:`, `=`, `)`) tried further on is the better place.
    let token_at = error.parse_attempts().map_or(0, |a| a.max_position);
    let literal_only = token_at > rule_at && expected_list(error, true).is_some();
    let token_at = if literal_only { token_at } else { rule_at };
    let at = base + rule_at.max(token_at);
    let chunk_end = base + chunk.len();
    // Only the chunk's tokens matter: looking at the others would make
    // recovery over many broken members quadratic.
    let first = lexemes.partition_point(|l| (l.span.end as usize) < base);
    let last = lexemes.partition_point(|l| (l.span.start as usize) <= chunk_end);
    let lexemes = &lexemes[first..last.max(first)];

    // A lexical mistake at or before the failure explains it better than the parser can.
    if let Some(lexical) = lexical_error(file, lexemes, base, at) {
        return lexical;
    }

    // A keyword where a name belongs.
    let at_rule = lexemes
        .iter()
        .find(|l| l.span.start as usize >= base + rule_at && l.token != Ok(Token::Comment))
        .filter(|l| (l.span.start as usize) < chunk_end);
    if let Some(found) = at_rule
        && let Ok(token) = found.token
        && token.is_keyword()
        && wants_name(error)
    {
        let found_text = chunk_text(chunk, base, found.span);
        return Diagnostic::new(
            codes::KEYWORD_AS_NAME,
            format!("`{found_text}` is a reserved keyword and cannot be used as a name"),
            file,
            found.span,
        )
        .with_label("keyword used as a name")
        .with_help(format!(
            "pick another name, such as `{found_text}_` or a more specific word"
        ))
        .with_fix(
            format!("rename to `{found_text}_`"),
            found.span,
            format!("{found_text}_"),
        );
    }

    // A bad escape inside a string: the lexer took the string whole, pest stopped at the `\`.
    let escape_at = if chunk[at - base..].starts_with('\\') {
        Some(at)
    } else {
        (at > base && chunk.as_bytes()[at - base - 1] == b'\\').then(|| at - 1)
    };
    if let Some(string) = lexemes
        .iter()
        .find(|l| (l.span.start as usize) < at && at < l.span.end as usize)
        && matches!(string.token, Ok(Token::String | Token::TripleString))
        && let Some(at) = escape_at
    {
        let escape: String = chunk[at - base..].chars().take(2).collect();
        return Diagnostic::new(
            codes::INVALID_ESCAPE,
            format!("`{escape}` is not an escape"),
            file,
            Span::new(at, at + escape.len()),
        )
        .with_label("unknown escape")
        .with_help("the escapes are `\\\" \\\\ \\n \\t \\r \\{ \\} \\u{...}`; write `\\\\` for a backslash");
    }

    // A mistake inside a string's interpolation (`"{n + 1}"`): the lexer took
    // the string whole, so the token at the failure is read from the text.
    let inside_string = lexemes
        .iter()
        .find(|l| (l.span.start as usize) < at && at < l.span.end as usize)
        .is_some_and(|l| matches!(l.token, Ok(Token::String | Token::TripleString)));
    let in_interpolation = inside_string
        .then(|| crate::lexer::lex(&chunk[at - base..]).first().copied())
        .flatten()
        .map(|first| Lexeme {
            token: first.token,
            span: Span::new(at + first.span.start as usize, at + first.span.end as usize),
        });
    if let Some(lexeme) = in_interpolation
        && lexeme.token.is_err()
    {
        return lexical_diagnostic(file, &lexeme);
    }

    let found = in_interpolation.as_ref().or_else(|| {
        lexemes
            .iter()
            .find(|l| l.span.start as usize >= at && l.token != Ok(Token::Comment))
    });
    let found = found.filter(|l| (l.span.start as usize) < chunk_end);

    let expected = expected_list(error, literal_only);

    // A bracket still open where the chunk ends.
    if found.is_none()
        && let Some(open) = unclosed_delimiter(lexemes, base, chunk_end)
    {
        let closer = match open.token {
            Ok(Token::LParen) => ")",
            Ok(Token::LBracket) => "]",
            _ => "}",
        };
        let opener = &chunk[open.span.start as usize - base..open.span.end as usize - base];
        return Diagnostic::new(
            codes::UNCLOSED_DELIMITER,
            format!("this `{opener}` is never closed"),
            file,
            open.span,
        )
        .with_label("opened here")
        .with_secondary(
            file,
            Span::at(chunk_end),
            format!("expected `{closer}` before here"),
        )
        .with_help(format!("add the missing `{closer}`"));
    }

    let Some(found) = found else {
        return Diagnostic::new(
            codes::UNEXPECTED_TOKEN,
            format!(
                "{what} ends too early: expected {}",
                expected.unwrap_or_else(|| "more".into())
            ),
            file,
            Span::at(at),
        )
        .with_label("ends here")
        .with_help("complete it, or remove the unfinished text");
    };

    let found_text = chunk_text(chunk, base, found.span);

    // A number glued to letters that are no unit: `10min`, `3x`.
    let glued = [base + rule_at, at]
        .into_iter()
        .find_map(|p| glued_number(&chunk[p - base..]).map(|n| (p, n)));
    if let Some((number_at, number)) = glued {
        let span = Span::new(number_at, number_at + number.len());
        return Diagnostic::new(
            codes::INVALID_NUMBER,
            format!("`{number}` is not a number, duration or size"),
            file,
            span,
        )
        .with_label("unknown unit")
        .with_help("durations end in ms, s, m, h or d (`30s`); sizes in B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (`512MiB`)");
    }

    // `=` where a comparison was being read: almost always a `==` typo.
    if found.token == Ok(Token::Eq) && wants_rule(error, Rule::op_eq) {
        return Diagnostic::new(
            codes::UNEXPECTED_TOKEN,
            "unexpected `=` in an expression: did you mean `==`?",
            file,
            found.span,
        )
        .with_label("`=` only binds names")
        .with_help("compare with `==`")
        .with_fix("replace `=` with `==`", found.span, "==");
    }

    // `&&` and `||` from other languages: the language writes `and`, `or`.
    // (The parser may stop at the second character: `|` then expects a pipe.)
    let found_in_chunk = (found.span.start as usize).saturating_sub(base);
    let operator = [found_in_chunk, found_in_chunk.saturating_sub(1)]
        .into_iter()
        .find_map(|from| {
            let rest = chunk.get(from..)?;
            ["&&", "||"]
                .into_iter()
                .find(|op| rest.starts_with(op))
                .map(|op| (from, op))
        });
    if let Some((found_at, operator)) = operator {
        let word = if operator == "&&" { "and" } else { "or" };
        let span = Span::new(base + found_at, base + found_at + 2);
        let before = chunk[..found_at].chars().next_back();
        let after = chunk[found_at + 2..].chars().next();
        let replacement = format!(
            "{}{word}{}",
            if before.is_some_and(|c| !c.is_whitespace()) {
                " "
            } else {
                ""
            },
            if after.is_some_and(|c| !c.is_whitespace()) {
                " "
            } else {
                ""
            },
        );
        return Diagnostic::new(
            codes::UNEXPECTED_TOKEN,
            format!("`{operator}` is not an operator here: write `{word}`"),
            file,
            span,
        )
        .with_label(format!("`{word}` in this language"))
        .with_help(format!(
            "conditions are joined with `and` and `or` (`a > 1 {word} b < 2`)"
        ))
        .with_fix(
            format!("replace `{operator}` with `{word}`"),
            span,
            replacement,
        );
    }

    // `each words.value`: a clause names a node, not a field.
    if found.token == Ok(Token::Dot)
        && let Some(position) = lexemes.iter().position(|l| l.span == found.span)
        && position >= 2
        && lexemes[position - 1].token == Ok(Token::Ident)
        && matches!(
            lexemes[position - 2].token,
            Ok(Token::KwEach | Token::KwAll | Token::KwGroup)
        )
    {
        let clause = &chunk[lexemes[position - 2].span.start as usize - base
            ..lexemes[position - 2].span.end as usize - base];
        let node = &chunk[lexemes[position - 1].span.start as usize - base
            ..lexemes[position - 1].span.end as usize - base];
        let field = lexemes
            .get(position + 1)
            .filter(|l| l.token == Ok(Token::Ident))
            .map_or("FIELD", |l| {
                &chunk[l.span.start as usize - base..l.span.end as usize - base]
            });
        return Diagnostic::new(
            codes::UNEXPECTED_TOKEN,
            format!("`{clause}` takes a node's name, not a field of it"),
            file,
            found.span,
        )
        .with_label("a field of a node")
        .with_help(format!(
            "to fan out over a list field, make its elements the items of a node: `node {node}_items = items({node}.{field})` and write `{clause} {node}_items`"
        ));
    }

    // A `.` with no field name after it.
    if found.token == Ok(Token::Dot) {
        return Diagnostic::new(
            codes::UNEXPECTED_TOKEN,
            "a `.` must be followed by a field name",
            file,
            found.span,
        )
        .with_label("no field name after this `.`")
        .with_help("write the field (`files.path`), or remove the `.`");
    }

    // A misspelt clause keyword (`retries 3`), on the `{`'s line or its own.
    if let Some(diagnostic) = misspelt_clause(file, found, &found_text, &expected) {
        return diagnostic;
    }

    // A line `name = call(...)` among members: the `node` keyword is missing.
    if let Some(diagnostic) = missing_node_keyword(file, chunk, base, lexemes, found) {
        return diagnostic;
    }

    // Inside a piece, the end of the input is where the next item or member starts.
    let expected = expected.map(|e| match what {
        "this member" => e.replace("the end of the file", "a new member"),
        "this item" => e.replace("the end of the file", "a new item"),
        _ => e,
    });
    let message = match &expected {
        Some(expected) => format!(
            "unexpected {}: expected {expected}",
            describe_found(found, &found_text)
        ),
        None => format!("unexpected {}", describe_found(found, &found_text)),
    };
    // When the surprise starts a new line, what is missing belongs at the end of the line before.
    let previous = lexemes
        .iter()
        .rev()
        .find(|l| {
            (l.span.end as usize) <= found.span.start as usize && l.token != Ok(Token::Comment)
        })
        .filter(|l| (l.span.end as usize) > base);
    let primary = match previous {
        Some(previous)
            if chunk_text_between(
                chunk,
                base,
                previous.span.end as usize,
                found.span.start as usize,
            )
            .contains('\n') =>
        {
            Span::at(previous.span.end as usize)
        }
        _ => found.span,
    };
    let mut diagnostic = Diagnostic::new(codes::UNEXPECTED_TOKEN, message, file, primary)
        .with_label(match &expected {
            Some(expected) => format!("expected {expected}"),
            None => "not expected here".to_string(),
        });
    if primary != found.span {
        diagnostic = diagnostic.with_secondary(
            file,
            found.span,
            format!("found {} here", describe_found(found, &found_text)),
        );
    }
    diagnostic.help = Some(match (&expected, primary != found.span) {
        (Some(expected), true) => format!("{expected} may be missing at the end of this line"),
        _ => help_for(found, &found_text, &expected),
    });
    // An opener still open where a closer was expected: say which one.
    if let Some(open) = unclosed_delimiter(lexemes, base, at) {
        let (opener, closer) = match open.token {
            Ok(Token::LParen) => ("(", ")"),
            Ok(Token::LBracket) => ("[", "]"),
            _ => ("{", "}"),
        };
        let opener_line = chunk[..open.span.start as usize - base]
            .matches('\n')
            .count();
        let found_line = chunk[..(found.span.start as usize - base).min(chunk.len())]
            .matches('\n')
            .count();
        let telling = found_line > opener_line
            || matches!(
                found.token,
                Ok(Token::LBrace | Token::RBrace | Token::RParen | Token::RBracket | Token::Arrow)
            )
            || found.token.is_ok_and(Token::is_keyword);
        if telling
            && expected
                .as_deref()
                .is_some_and(|e| e.contains(&format!("`{closer}`")))
        {
            diagnostic = diagnostic.with_secondary(
                file,
                open.span,
                format!("this `{opener}` is still open"),
            );
            diagnostic.help = Some(format!(
                "is a `{closer}` missing before {}?",
                describe_found(found, &found_text)
            ));
        }
    }
    if let Some((span, clauses)) = clauses_without_braces(found, &expected, lexemes, chunk, base) {
        diagnostic = diagnostic.with_fix(
            "put the clauses in braces",
            span,
            format!("{{ {clauses} }}"),
        );
    }
    // Braces meant as text (`"{a: 1}"` for jq, `"{a,b}.txt"`): a `:` or `,`
    // where an interpolation's expression should go on.
    if inside_string && matches!(found.token, Ok(Token::Colon | Token::Comma)) {
        diagnostic.help = Some(BRACE_IN_STRING_HELP.to_string());
    }
    diagnostic
}

/// A diagnostic for a lexical error inside `[base, at]`, if there is one.
pub fn lexical_error(
    file: &FileName,
    lexemes: &[Lexeme],
    base: usize,
    at: usize,
) -> Option<Diagnostic> {
    let lexeme = lexemes
        .iter()
        .skip_while(|l| (l.span.end as usize) < base)
        .take_while(|l| l.span.start as usize <= at)
        .find(|l| l.token.is_err())?;
    Some(lexical_diagnostic(file, lexeme))
}

/// The diagnostic for one lexeme that failed to lex.
pub fn lexical_diagnostic(file: &FileName, lexeme: &Lexeme) -> Diagnostic {
    let span = lexeme.span;
    match lexeme.token {
        Err(LexError::UnterminatedString) => {
            Diagnostic::new(codes::UNTERMINATED_STRING, "this string is never closed", file, Span::at(span.start as usize).cover(Span::new(span.start as usize, span.start as usize + 1)))
                .with_label("string starts here")
                .with_secondary(file, Span::at(span.end as usize), "the line ends before the closing `\"`")
                .with_help("close the string with `\"` on the same line, or use a `\"\"\"` string for text over several lines")
        }
        Err(LexError::UnterminatedTripleString) => {
            Diagnostic::new(codes::UNTERMINATED_STRING, "this `\"\"\"` string is never closed", file, Span::new(span.start as usize, span.start as usize + 3))
                .with_label("string starts here")
                .with_help("close it with `\"\"\"`")
        }
        Err(LexError::UnterminatedInterpolation) => {
            Diagnostic::new(codes::UNTERMINATED_STRING, "this string has a `{` that is never closed", file, Span::new(span.start as usize, span.start as usize + 1))
                .with_label("string starts here")
                .with_help("close the interpolation with `}`, or write `\\{` for a literal brace")
        }
        Err(LexError::NestedTooDeep) => {
            Diagnostic::new(codes::NESTING_TOO_DEEP, format!("interpolations, brackets and strings inside this string nest more than {} levels deep", crate::lexer::MAX_STRING_NESTING), file, Span::new(span.start as usize, span.start as usize + 1))
                .with_label("string starts here")
                .with_help("compute the inner parts in nodes of their own; deeper nesting is refused to keep every tool safe")
        }
        Err(LexError::EscapeInInterpolation(at)) => {
            let at = span.start as usize + at as usize;
            Diagnostic::new(codes::UNEXPECTED_CHARACTER, "a `\\` inside `{...}`: an interpolation holds an expression, not text", file, Span::new(at, at + 1))
                .with_label("no escape here")
                .with_help("a string inside `{...}` takes plain quotes, as anywhere in an expression: `\"region = {\"o'hara\"}\"`; for a literal brace in the text write `\\{`")
        }
        Err(LexError::Arithmetic) => {
            Diagnostic::new(codes::UNEXPECTED_CHARACTER, "`.pipe` expressions have no arithmetic", file, span)
                .with_label("not an operator of the language")
                .with_help("compute numbers in SQL (`sql`, `filter`, `aggregate` values) or in a plugin; a node's arguments are values, references and pipes")
        }
        _ => Diagnostic::new(codes::UNEXPECTED_CHARACTER, "this character starts no token", file, span)
            .with_label("unexpected character")
            .with_help("remove it; comments start with `//`, and strings are written in `\"double quotes\"`"),
    }
}

/// The innermost bracket opened in `[base, end)` and not closed before `end`.
fn unclosed_delimiter(lexemes: &[Lexeme], base: usize, end: usize) -> Option<Lexeme> {
    let mut stack = Vec::new();
    for lexeme in lexemes
        .iter()
        .skip_while(|l| (l.span.start as usize) < base)
        .take_while(|l| (l.span.start as usize) < end)
    {
        match lexeme.token {
            Ok(Token::LParen | Token::LBrace | Token::LBracket) => stack.push(*lexeme),
            Ok(Token::RParen | Token::RBrace | Token::RBracket) => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

fn chunk_text(chunk: &str, base: usize, span: Span) -> String {
    let start = (span.start as usize).saturating_sub(base).min(chunk.len());
    let end = (span.end as usize)
        .saturating_sub(base)
        .clamp(start, chunk.len());
    chunk.get(start..end).unwrap_or("").to_string()
}

fn describe_found(found: &Lexeme, text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    let shown = if shown.len() < text.len() {
        format!("{shown}…")
    } else {
        shown
    };
    match found.token {
        Ok(Token::String | Token::TripleString) => format!("string {shown}"),
        Ok(Token::Number | Token::Duration | Token::Size) => format!("number `{shown}`"),
        Ok(t) if t.is_keyword() => format!("keyword `{shown}`"),
        Ok(Token::Ident) => format!("name `{shown}`"),
        _ => format!("`{shown}`"),
    }
}

fn help_for(found: &Lexeme, text: &str, expected: &Option<String>) -> String {
    match (found.token, expected.as_deref()) {
        (Ok(Token::Comma), _) => "remove the extra `,`".into(),
        (Ok(Token::Eq), Some(e)) if e.contains("==") => "compare with `==`; `=` only binds names".into(),
        (Ok(Token::Ident | Token::Number | Token::String | Token::Duration | Token::Size), Some(e)) if e.contains("`,`") => {
            "a `,` may be missing between two elements".into()
        }
        (Ok(Token::Ident | Token::Number | Token::String), Some(e)) if e.contains("`input`") && e.contains("`node`") => {
            "a pipeline holds `input`, `secret`, `node` and `output` members; this line starts with none of them".into()
        }
        (Ok(_), Some(e)) if is_clause_keyword(found) && e.contains("`{`") => format!(
            "a node's clauses go in braces after its call: `node n = f(x) {{ {text} ... }}`"
        ),
        (Ok(Token::LParen), _) => {
            "calls do not nest: a call is a node's whole value, so give the inner call a node of its own (`node sorted = sort(t, by: [\"x\"])`) and pass that node's name".into()
        }
        (Ok(Token::RBrace | Token::RParen | Token::RBracket), _) => format!("`{text}` has no opening partner here, or something before it is missing"),
        _ => "check the text just before this point: something is missing or misspelled".into(),
    }
}

/// Whether pest tried `rule` where it failed.
fn wants_rule(error: &Error<Rule>, rule: Rule) -> bool {
    matches!(&error.variant, ErrorVariant::ParsingError { positives, .. } if positives.contains(&rule))
}

/// Whether the parser was looking for a name where it failed.
fn wants_name(error: &Error<Rule>) -> bool {
    match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .any(|r| matches!(r, Rule::ident | Rule::ident_list)),
        ErrorVariant::CustomError { .. } => false,
    }
}

/// "a, b or c" from the rules and literal tokens pest tried at the failure.
fn expected_list(error: &Error<Rule>, literal_only: bool) -> Option<String> {
    let mut expected: Vec<&'static str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant
        && !literal_only
    {
        for rule in positives {
            if let Some(text) = describe_rule(*rule) {
                expected.push(text);
            }
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        let tokens: Vec<String> = attempts
            .expected_tokens()
            .iter()
            .map(ToString::to_string)
            .collect();
        // The operator guard (`infix_start` in the grammar) tries these first characters.
        let operator_guard = tokens.iter().any(|t| t == "?") && tokens.iter().any(|t| t == "m");
        if operator_guard {
            expected.push("an operator");
        }
        for token in &tokens {
            if operator_guard && matches!(token.as_str(), "?" | "=" | "!" | "<" | ">" | "|") {
                continue;
            }
            if let Some(text) = describe_literal(token) {
                expected.push(text);
            }
        }
    }
    let mut seen = Vec::new();
    for e in expected {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    // Tokens that only begin an expression, or are operators, are said by the broader words.
    if seen
        .iter()
        .any(|e| *e == "an expression" || *e == "an argument")
    {
        seen.retain(|e| !matches!(*e, "`\"`" | "`\"\"\"`" | "`(`" | "`[`" | "`{`"));
    }
    // A `.` is only ever a field access or a decimal point: never a useful suggestion.
    seen.retain(|e| *e != "`.`");
    if seen.contains(&"an operator") {
        seen.retain(|e| !matches!(*e, "`<`" | "`>`" | "`in`" | "`|`"));
    }
    seen.sort_by_key(|e| order_of(e));
    match seen.len() {
        0 => None,
        1 => Some(seen[0].to_string()),
        n if n > 8 => Some(format!(
            "{} or another of {} choices",
            seen[..6].join(", "),
            n - 6
        )),
        n => Some(format!("{} or {}", seen[..n - 1].join(", "), seen[n - 1])),
    }
}

/// Punctuation first, then keywords, then broad classes.
fn order_of(text: &str) -> u8 {
    if text.starts_with("`") {
        let inner = text.trim_matches('`');
        if inner.chars().all(|c| !c.is_alphanumeric()) {
            0
        } else {
            1
        }
    } else {
        2
    }
}

fn describe_literal(token: &str) -> Option<&'static str> {
    Some(match token {
        "(" => "`(`",
        ")" => "`)`",
        "{" => "`{`",
        "}" => "`}`",
        "[" => "`[`",
        "]" => "`]`",
        "," => "`,`",
        ":" => "`:`",
        "=" => "`=`",
        "->" => "`->`",
        "<" => "`<`",
        ">" => "`>`",
        "." => "`.`",
        "\"" => "`\"`",
        "\"\"\"" => "`\"\"\"`",
        "|" => "`|`",
        _ => return None,
    })
}

fn describe_rule(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the file",
        ident | ident_list => "a name",
        name | arg_name => "a name",
        expr | paren | list | record | reference | number | string | triple_string | kw_true
        | kw_false | kw_null => "an expression",
        op_not => "an expression",
        op_coalesce | op_or | op_and | op_eq | op_ne | op_le | op_ge | op_lt | op_gt | op_in
        | op_not_in | op_matches => "an operator",
        pipe_call => "`|`",
        type_expr | generic_type | record_type | named_type => "a type",
        optional_mark => "`?`",
        import => "`import`",
        const_decl => "`const`",
        schema_decl => "`schema`",
        plugin_decl => "`plugin`",
        pipeline => "`pipeline`",
        input_decl => "`input`",
        secret_decl => "`secret`",
        node_decl => "`node`",
        output_decl => "`output`",
        each_clause | all_clause | group_clause | when_clause | after_clause | retry_clause
        | timeout_clause | cache_clause | on_clause | resources_clause => {
            "a clause (`each`, `all`, `group`, `when`, `after`, `retry`, `timeout`, `cache`, `on`, `resources`)"
        }
        after_any => "`any(...)`",
        call | callee => "a call such as `echo(...)`",
        args | arg => "an argument",
        clauses => "`{`",
        params | param => "a parameter",
        field_types | field_type | record_field => "a field",
        kw_as => "`as`",
        kw_where => "`where`",
        kw_by => "`by`",
        kw_backoff => "`backoff`",
        kw_on => "`on`",
        kw_off => "`off`",
        kw_any => "`any`",
        kw_in => "`in`",
        interpolation => "the rest of the string",
        _ => return None,
    })
}
