//! SQL text that does not parse (E0304): where the parser stopped, in the
//! `.pipe` file, and what to write instead.
//!
//! The parser's message gives a line and column of the SQL text (or meets
//! its end); [`SqlText`] maps them to the file. The help names the usual
//! slips: a misspelt keyword (`form`), Python's `None`, a `(` never
//! closed, a quoted text never closed, two statements in one node, `&&`.

use pipec_grammar::diagnostic::{Diagnostic, FileName, closest, edit_distance};
use pipec_grammar::span::Span;

use super::planner::SqlText;
use crate::codes;
use crate::sql::{CLAUSE_KEYWORDS, SyntaxError, find_operator, second_statement, unclosed_paren};

/// The diagnostic of SQL text `sql` (written at `whole` in the file) that
/// does not parse: `message` is the parser's, `lead` what is reported
/// (`this SQL`, ``node `f`: the predicate``).
pub(crate) fn syntax_diagnostic(
    file: &FileName,
    sql: &SqlText,
    whole: Span,
    lead: &str,
    message: &str,
) -> Diagnostic {
    let error = SyntaxError::of(message);
    let text = sql.text();
    // Where the text ends in the file: the byte after its last one, the
    // string's closing quote.
    let closing = text
        .len()
        .checked_sub(1)
        .and_then(|last| sql.file_span(last, last + 1))
        .map_or(whole, |last| {
            Span::new(last.end as usize, last.end as usize + 1)
        });
    let offset = error
        .at
        .and_then(|(line, column)| sql.offset_of(line, column));
    // The token the parser stopped at, as long as it is written there.
    let found_len = match (&error.found, offset) {
        (Some(found), Some(at))
            if text
                .get(at..at + found.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(found)) =>
        {
            found.len()
        }
        // One character, whatever its width (`中` is three bytes).
        (_, Some(at)) => text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8),
        _ => 1,
    };
    let at_token = offset.and_then(|at| sql.file_span(at, at + found_len));
    let unterminated = error.message.starts_with("Unterminated string literal");
    let found = error.found.as_deref().unwrap_or_default();
    let word = !found.is_empty() && found.chars().all(|c| c.is_ascii_alphabetic());
    let lower = found.to_ascii_lowercase();
    let none = word && matches!(lower.as_str(), "none" | "nil");
    let misspelt = (!unterminated && !none)
        .then(|| misspelt_keyword(sql, offset, word.then_some(found)))
        .flatten();
    // A misspelt keyword before where the parser stopped (`wher amount`)
    // is where the slip is.
    let before_stop = misspelt
        .and_then(|(_, at)| at)
        .filter(|at| Some(*at) != at_token);
    let span = if let Some(misspelt) = before_stop {
        misspelt
    } else if error.at_end() {
        closing
    } else {
        at_token.unwrap_or(whole)
    };
    // A token expected is shown as code (`)`), words as they are.
    let expected = error.expected.as_deref().map(|expected| {
        if expected.chars().all(|c| c.is_ascii_punctuation()) {
            format!("`{expected}`")
        } else {
            expected.to_string()
        }
    });
    let detail = match (&expected, &error.found) {
        _ if unterminated => "a quoted text is never closed".to_string(),
        (Some(expected), Some(_)) if error.at_end() => {
            format!("expected {expected}, found the end of the text")
        }
        (Some(expected), Some(found)) => format!("expected {expected}, found `{found}`"),
        _ => error.message.clone(),
    };
    let diagnostic = Diagnostic::new(
        codes::SQL_SYNTAX,
        format!("{lead} does not parse: {detail}"),
        file,
        span,
    );
    let labelled = match (&expected, error.at_end()) {
        _ if unterminated => diagnostic.with_label("this quote is never closed"),
        _ if before_stop.is_some() => diagnostic.with_label("read as a name, not a keyword"),
        _ if none => diagnostic.with_label(format!("SQL has no `{found}`")),
        (_, true) => diagnostic.with_label("the text ends here"),
        (Some(expected), false) => diagnostic.with_label(format!("expected {expected}")),
        (None, false) => diagnostic.with_label("invalid SQL"),
    };
    if unterminated {
        labelled
            .with_help("end the text with `'`; a `'` inside text is written twice (`'o''hara'`)")
    } else if none {
        let fix = at_token.map(|span| (span, "null"));
        with_optional_fix(
            labelled.with_help(format!(
                "SQL writes a missing value as `null`: test it with `is null`, not `{found}`"
            )),
            "replace with `null`",
            fix,
        )
    } else if let Some((keyword, span)) = misspelt {
        with_optional_fix(
            labelled.with_help(format!("did you mean `{keyword}`?")),
            format!("replace with `{keyword}`"),
            span.map(|span| (span, keyword)),
        )
    } else if error.at_end() && error.expected.as_deref() == Some(")") {
        let opened = unclosed_paren(text).and_then(|at| sql.file_span(at, at + 1));
        let labelled = match opened {
            Some(opened) => labelled.with_secondary(file, opened, "this `(` is never closed"),
            None => labelled,
        };
        labelled.with_help("close the `(` with `)`")
    } else if error.at_end() {
        labelled.with_help(format!(
            "the text ends where {} should follow: finish it, or take away what is left over",
            expected.as_deref().unwrap_or("more")
        ))
    } else {
        labelled.with_help("the text is parsed with the SQL parser DataFusion uses")
    }
}

/// The diagnostic of a query the engine refuses before planning it, for a
/// slip of its writing rather than its tables (two statements in one node,
/// `&&`), if `message` is one.
pub(crate) fn writing_diagnostic(
    file: &FileName,
    sql: &SqlText,
    lead: &str,
    message: &str,
) -> Option<Diagnostic> {
    let text = sql.text();
    if message.contains("only supports a single SQL statement") {
        let at = second_statement(text)?;
        let span = sql.file_span(at, text.len())?;
        return Some(
            Diagnostic::new(
                codes::SQL_SYNTAX,
                format!("{lead} holds more than one statement"),
                file,
                span,
            )
            .with_label("a second statement")
            .with_help("an `sql` node runs one query: give each query a node of its own"),
        );
    }
    if message.contains("for string concat operation") && !message.contains("Utf8") {
        let at = find_operator(text, "||")?;
        let span = sql.file_span(at, at + 2)?;
        return Some(
            Diagnostic::new(
                codes::TABLE_QUERY,
                format!("{lead} joins values that are not text with `||`"),
                file,
                span,
            )
            .with_label("joins text in SQL")
            .with_help("in SQL `||` joins two texts; for either condition write `or`")
            .with_fix("replace with `or`", span, "or"),
        );
    }
    if message.contains("Unsupported binary operator: PGOverlap") {
        let at = find_operator(text, "&&")?;
        let span = sql.file_span(at, at + 2)?;
        return Some(
            Diagnostic::new(
                codes::SQL_SYNTAX,
                format!("{lead} uses `&&`, which SQL does not have"),
                file,
                span,
            )
            .with_label("not SQL")
            .with_help("SQL writes both conditions with `and`")
            .with_fix("replace with `and`", span, "and"),
        );
    }
    None
}

/// A keyword misspelt where the parser stopped: the word it found
/// (`select * form a`), or the word before it, which the parser took for a
/// name (`from t wher amount > 0` reads `wher` as an alias of `t`). With the
/// file span of the misspelt word.
fn misspelt_keyword(
    sql: &SqlText,
    offset: Option<usize>,
    found: Option<&str>,
) -> Option<(&'static str, Option<Span>)> {
    // The nearest keyword, the likelier first among equals (`wher` is one
    // edit from `where` and from `when`).
    let near = |word: &str| {
        let lower = word.to_ascii_lowercase();
        if CLAUSE_KEYWORDS.contains(&lower.as_str()) || lower.len() < 3 {
            return None;
        }
        let found = closest(&lower, CLAUSE_KEYWORDS);
        CLAUSE_KEYWORDS
            .into_iter()
            .filter(|k| found.contains(k))
            .min_by_key(|k| edit_distance(&lower, k))
    };
    let at = offset?;
    if let Some(keyword) = found.and_then(near) {
        let span = sql.file_span(at, at + found.map_or(1, str::len));
        return Some((keyword, span));
    }
    let before = sql.text().get(..at)?.trim_end();
    let word_start = before
        .rfind(|c: char| !c.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = &before[word_start..];
    let keyword = near(word)?;
    Some((keyword, sql.file_span(word_start, before.len())))
}

fn with_optional_fix(
    diagnostic: Diagnostic,
    message: impl Into<String>,
    fix: Option<(Span, impl Into<String>)>,
) -> Diagnostic {
    match fix {
        Some((span, replacement)) => diagnostic.with_fix(message, span, replacement),
        None => diagnostic,
    }
}
