//! Diagnostics for programs: a JSON array, and SARIF 2.1.0 for code scanning.
//!
//! Lines and columns are 1-based; columns count Unicode code points; an end
//! column points just past the last character (as SARIF defines it).

use serde_json::{Value, json as j};

use super::Sources;
use crate::diagnostic::{Diagnostic, FileName, Location, Severity};

/// What SARIF says about a rule (a diagnostic code).
#[derive(Debug, Clone, Copy)]
pub struct SarifRule {
    /// The code.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Paragraph.
    pub text: &'static str,
}

fn region(sources: &Sources, location: &Location) -> Value {
    match sources.range(&location.file, location.span) {
        Some((start, end)) => j!({
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        }),
        None => j!({}),
    }
}

fn position(sources: &Sources, location: &Location) -> Value {
    match sources.range(&location.file, location.span) {
        Some((start, end)) => j!({
            "file": location.file.as_ref(),
            "line": start.line,
            "column": start.column,
            "end_line": end.line,
            "end_column": end.column,
        }),
        None => j!({ "file": location.file.as_ref() }),
    }
}

/// The diagnostics as a JSON array: one object per diagnostic with `file`,
/// `line`, `column`, `end_line`, `end_column`, `code`, `severity`, `message`,
/// `help`, `labels` and `fix`.
pub fn json(diagnostics: &[Diagnostic], sources: &Sources) -> Value {
    Value::Array(
        diagnostics
            .iter()
            .map(|d| {
                let mut object = position(sources, &d.primary.location);
                let map = object.as_object_mut().expect("position is an object");
                map.insert("code".into(), j!(d.code.as_str()));
                map.insert("severity".into(), j!(d.severity.as_str()));
                map.insert("message".into(), j!(d.message));
                map.insert("label".into(), j!(d.primary.message));
                map.insert("help".into(), j!(d.help));
                map.insert(
                    "labels".into(),
                    Value::Array(
                        d.secondary
                            .iter()
                            .map(|l| {
                                let mut label = position(sources, &l.location);
                                label["message"] = j!(l.message);
                                label
                            })
                            .collect(),
                    ),
                );
                map.insert(
                    "fix".into(),
                    match &d.fix {
                        Some(fix) => j!({
                            "message": fix.message,
                            "edits": fix.edits.iter().map(|e| {
                                let mut edit = position(sources, &e.location);
                                edit["replacement"] = j!(e.replacement);
                                edit
                            }).collect::<Vec<_>>(),
                        }),
                        None => Value::Null,
                    },
                );
                object
            })
            .collect(),
    )
}

fn uri(file: &FileName) -> String {
    file.replace('\\', "/")
}

/// The diagnostics as a SARIF 2.1.0 log that GitHub code scanning accepts.
/// `rules` describes every code that may appear (unknown codes still get a rule).
pub fn sarif(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    rules: &[SarifRule],
    version: &str,
) -> Value {
    let mut used: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    let rule_objects: Vec<Value> = used
        .iter()
        .map(|id| {
            let rule = rules.iter().find(|r| r.id == *id);
            let level = if id.starts_with('W') {
                "warning"
            } else {
                "error"
            };
            j!({
                "id": id,
                "shortDescription": { "text": rule.map_or(*id, |r| r.title) },
                "fullDescription": { "text": rule.map_or(*id, |r| r.text) },
                "help": { "text": format!("Run `pipec explain {id}` for an example.") },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let rule_index = used.iter().position(|id| *id == d.code.as_str()).unwrap_or(0);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let mut result = j!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(d.file()) },
                        "region": region(sources, &d.primary.location),
                    }
                }],
            });
            if !d.secondary.is_empty() {
                result["relatedLocations"] = Value::Array(
                    d.secondary
                        .iter()
                        .enumerate()
                        .map(|(n, l)| {
                            j!({
                                "id": n,
                                "message": { "text": l.message },
                                "physicalLocation": {
                                    "artifactLocation": { "uri": uri(&l.location.file) },
                                    "region": region(sources, &l.location),
                                }
                            })
                        })
                        .collect(),
                );
            }
            if let Some(fix) = &d.fix {
                result["fixes"] = j!([{
                    "description": { "text": fix.message },
                    "artifactChanges": fix.edits.iter().map(|e| j!({
                        "artifactLocation": { "uri": uri(&e.location.file) },
                        "replacements": [{
                            "deletedRegion": region(sources, &e.location),
                            "insertedContent": { "text": e.replacement },
                        }],
                    })).collect::<Vec<_>>(),
                }]);
            }
            result
        })
        .collect();
    j!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pipec",
                    "version": version,
                    "informationUri": "https://example.invalid/pipec",
                    "rules": rule_objects,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
