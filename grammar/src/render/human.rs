//! Diagnostics for people, drawn with ariadne.

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

use super::Sources;
use crate::diagnostic::{Diagnostic, FileName, Severity};
use crate::span::Span;

/// Renders diagnostics as ariadne reports, one after the other.
/// `color` adds ANSI colors (only on a terminal, never with `NO_COLOR`).
pub fn human(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = Vec::new();
    // One ariadne cache (line index) per file for all reports: building it
    // per report made a file with thousands of diagnostics take seconds.
    let mut names: Vec<&FileName> = Vec::new();
    for d in diagnostics {
        for name in std::iter::once(d.file()).chain(d.secondary.iter().map(|l| &l.location.file)) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut cache = ariadne::sources(
        names
            .into_iter()
            .map(|name| (name.to_string(), sources.text(name).unwrap_or(""))),
    );
    for diagnostic in diagnostics {
        render_one(diagnostic, sources, color, &mut cache, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The span inside the text and on character boundaries (a span made for raw
/// bytes may fall inside a replacement character of the lossy text).
fn clamp(sources: &Sources, file: &FileName, span: Span) -> std::ops::Range<usize> {
    let text = sources.text(file).unwrap_or("");
    let mut start = (span.start as usize).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// The line (counted from 0) on which `range` of `file` ends, as ariadne
/// places a label.
fn last_line(sources: &Sources, file: &FileName, range: &std::ops::Range<usize>) -> usize {
    let last = if range.end > range.start {
        range.end - 1
    } else {
        range.start
    };
    sources.line_of(file, last).unwrap_or(0)
}

fn render_one(
    diagnostic: &Diagnostic,
    sources: &Sources,
    color: bool,
    cache: &mut impl ariadne::Cache<String>,
    out: &mut Vec<u8>,
) {
    let file = diagnostic.file();
    let (kind, accent) = match diagnostic.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    let primary = clamp(sources, file, diagnostic.span());
    let mut labels = vec![(
        file.to_string(),
        primary.clone(),
        &diagnostic.primary.message,
        accent,
        last_line(sources, file, &primary),
    )];
    for label in &diagnostic.secondary {
        let range = clamp(sources, &label.location.file, label.location.span);
        let line = last_line(sources, &label.location.file, &range);
        labels.push((
            label.location.file.to_string(),
            range,
            &label.message,
            Color::Blue,
            line,
        ));
    }
    // Labels of the primary file first, line by line (the primary first on
    // its line): ariadne starts a new snippet for a label on a line above
    // the one before it, and heads that snippet with the primary location,
    // not the label's own line.
    let primary_file = file.to_string();
    labels.sort_by(|a, b| (a.0 != primary_file, &a.0, a.4).cmp(&(b.0 != primary_file, &b.0, b.4)));
    let mut report = Report::build(kind, (file.to_string(), primary))
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    for (order, (label_file, range, message, label_color, _)) in labels.into_iter().enumerate() {
        report = report.with_label(
            Label::new((label_file, range))
                .with_message(message)
                .with_color(label_color)
                .with_order(order as i32),
        );
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    if let Some(fix) = &diagnostic.fix {
        report = report.with_note(format!("fix available: {}", fix.message));
    }
    if report.finish().write(cache, &mut *out).is_err() {
        // Writing to a Vec cannot fail; keep the message even if drawing did.
        out.extend_from_slice(
            format!(
                "{}[{}]: {}\n",
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message
            )
            .as_bytes(),
        );
    }
}
