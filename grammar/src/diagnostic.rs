//! The one diagnostic type of the toolchain: the parser, the analysis, the
//! runtime's compile step and the language server all speak it.

use std::sync::Arc;

use serde::Serialize;

use crate::span::Span;

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A hint for better code; never fails a check.
    Warning,
    /// A mistake; the file cannot run.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A stable diagnostic code such as `E0101` (errors) or `W0201` (warnings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Code(pub &'static str);

impl Code {
    /// The code's text.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The severity the code's first letter stands for.
    pub fn severity(self) -> Severity {
        if self.0.starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The name of a source: a path as given on the command line, or a URI.
pub type FileName = Arc<str>;

/// A span in a named source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// Which source.
    pub file: FileName,
    /// Where in it.
    pub span: Span,
}

/// A labelled span: the primary one says what is wrong where; secondary ones add context.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What to say there (may be empty).
    pub message: String,
}

/// One text replacement of a fix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TextEdit {
    /// The text to replace.
    pub location: Location,
    /// What to put there.
    pub replacement: String,
}

/// A machine-applicable fix: applying all its edits repairs the mistake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    /// What the fix does, for a person choosing it ("replace `uper` with `upper`").
    pub message: String,
    /// The edits, which do not overlap.
    pub edits: Vec<TextEdit>,
}

/// A diagnostic: a code, a severity, a message naming the thing, a primary
/// label, secondary labels, a help line and an optional fix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line that names the offending thing.
    pub message: String,
    /// Where the mistake is.
    pub primary: Label,
    /// Further places worth showing.
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// A machine-applicable repair.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Moves every place in `file` `by` bytes later: a diagnostic found in a
    /// piece of a file, with spans relative to the piece, made absolute.
    pub fn shift(&mut self, file: &FileName, by: u32) {
        if by == 0 {
            return;
        }
        let shift = |location: &mut Location| {
            if location.file == *file {
                location.span = location.span.shifted(by);
            }
        };
        shift(&mut self.primary.location);
        for label in &mut self.secondary {
            shift(&mut label.location);
        }
        if let Some(fix) = &mut self.fix {
            for edit in &mut fix.edits {
                shift(&mut edit.location);
            }
        }
    }

    /// A diagnostic with the code's severity and a primary span.
    pub fn new(code: Code, message: impl Into<String>, file: &FileName, span: Span) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label {
                location: Location {
                    file: file.clone(),
                    span,
                },
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Sets the primary label's text.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(
        mut self,
        file: &FileName,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        self.secondary.push(Label {
            location: Location {
                file: file.clone(),
                span,
            },
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets a fix made of one edit in the primary file.
    pub fn with_fix(
        self,
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.with_fix_edits(message, [(span, replacement.into())])
    }

    /// Sets a fix made of edits in the primary file (span, replacement),
    /// which do not overlap.
    pub fn with_fix_edits(
        mut self,
        message: impl Into<String>,
        edits: impl IntoIterator<Item = (Span, String)>,
    ) -> Self {
        let file = &self.primary.location.file;
        let edits = edits
            .into_iter()
            .map(|(span, replacement)| TextEdit {
                location: Location {
                    file: file.clone(),
                    span,
                },
                replacement,
            })
            .collect();
        self.fix = Some(Fix {
            message: message.into(),
            edits,
        });
        self
    }

    /// Adds "did you mean `x`?" and a fix replacing `span` when a candidate is
    /// close to `name`; otherwise the help `otherwise`. `more` is appended to
    /// the suggestion (context such as the list of valid names), when given.
    pub fn with_suggestion<'a>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        span: Span,
        otherwise: impl Into<String>,
        more: Option<&str>,
    ) -> Self {
        let near = closest(name, candidates);
        let Some(best) = near.first().copied() else {
            return self.with_help(otherwise);
        };
        // Candidates as close as the best: all offered, none applied.
        let tied = tied_closest(name, &near);
        let shown = one_of(&tied);
        let help = match more {
            Some(more) => format!("did you mean {shown}? {more}"),
            None => format!("did you mean {shown}?"),
        };
        match tied.len() {
            1 => self
                .with_help(help)
                .with_fix(format!("replace with `{best}`"), span, best),
            _ => self.with_help(help),
        }
    }

    /// The primary file.
    pub fn file(&self) -> &FileName {
        &self.primary.location.file
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.primary.location.span
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code, so that output is stable.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file(), a.span().start, a.span().end, a.code).cmp(&(
            b.file(),
            b.span().start,
            b.span().end,
            b.code,
        ))
    });
}

/// The closest candidates to `name` by edit distance, best first, for "did you mean".
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= limit || (c.len() >= 3 && (c.contains(name) || name.contains(c))))
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// The candidates of `near` (closest first, as [`closest`] gives them) as
/// close to `name` as the first: when there are several, a suggestion
/// names them all and applies none.
pub fn tied_closest<'a>(name: &str, near: &[&'a str]) -> Vec<&'a str> {
    let Some(best) = near.first() else {
        return Vec::new();
    };
    let distance = edit_distance(name, best);
    near.iter()
        .copied()
        .filter(|c| edit_distance(name, c) == distance)
        .collect()
}

/// Names as a message offers them: `` `a` `` or `` `a` or `b` ``.
pub fn one_of(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The number of edits between two names: characters inserted, deleted or
/// replaced, and two neighbours swapped (`nmae` is one edit from `name`, the
/// most common slip of a typing hand).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("nmae", "name"), 1);
    }

    #[test]
    fn closest_candidates() {
        let names = ["upper", "lower", "trim", "truncate"];
        assert_eq!(closest("uper", names), vec!["upper"]);
        assert!(closest("zzzzzz", names).is_empty());
        assert_eq!(closest("dya", ["day", "qty"]), vec!["day"]);
    }

    #[test]
    fn suggestion_adds_help_and_fix_or_falls_back() {
        let file: FileName = "f.pipe".into();
        let span = Span::new(3, 7);
        let near = Diagnostic::new(Code("E0101"), "unknown", &file, span).with_suggestion(
            "uper",
            ["upper", "lower"],
            span,
            "fallback",
            Some("more"),
        );
        assert_eq!(near.help.as_deref(), Some("did you mean `upper`? more"));
        let fix = near.fix.expect("a fix");
        assert_eq!(fix.edits[0].replacement, "upper");
        assert_eq!(fix.edits[0].location.span, span);
        let far = Diagnostic::new(Code("E0101"), "unknown", &file, span).with_suggestion(
            "zzzz",
            ["upper"],
            span,
            "fallback",
            None,
        );
        assert_eq!(far.help.as_deref(), Some("fallback"));
        assert!(far.fix.is_none());
    }

    #[test]
    fn code_severity() {
        assert_eq!(Code("W0201").severity(), Severity::Warning);
        assert_eq!(Code("E0001").severity(), Severity::Error);
    }
}
