//! Compiler diagnostics → protocol diagnostics; fixes → workspace edits.

use std::collections::HashMap;

use pipec_grammar::diagnostic::{self as compiler, Severity};
use tower_lsp::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, NumberOrString,
    TextEdit, Url, WorkspaceEdit,
};

use crate::workspace::{TextView, Workspace};

/// The `source` field of every diagnostic the server publishes.
pub const SOURCE: &str = "pipec";

/// Codes whose finding is "this is never used": shown faded by editors.
const UNUSED_CODES: &[&str] = &["W0101", "W0102"];

/// One compiler diagnostic as the protocol shows it, in the document `view`
/// of `file`; labels in other files become related information.
pub fn diagnostic(
    workspace: &Workspace,
    view: &TextView<'_>,
    file: &str,
    d: &compiler::Diagnostic,
) -> Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() && d.primary.message != d.message {
        message.push_str(&format!("\n{}", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let location = if &*label.location.file == file {
                let uri = workspace_uri(workspace, file)?;
                tower_lsp::lsp_types::Location {
                    uri,
                    range: view.range(label.location.span),
                }
            } else {
                let source = workspace.source_named(&label.location.file)?;
                workspace.location(source, label.location.span)?
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: if label.message.is_empty() {
                    "see here".into()
                } else {
                    label.message.clone()
                },
            })
        })
        .collect();
    let code = d.code.as_str();
    Diagnostic {
        range: view.range(d.primary.location.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(code.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: UNUSED_CODES
            .contains(&code)
            .then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn workspace_uri(workspace: &Workspace, file: &str) -> Option<Url> {
    let source = workspace.source_named(file)?;
    workspace.uri(source)
}

/// The edits of a compiler fix, grouped by document.
pub fn fix_edit(workspace: &Workspace, fix: &compiler::Fix) -> Option<WorkspaceEdit> {
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for edit in &fix.edits {
        let source = workspace.source_named(&edit.location.file)?;
        let location = workspace.location(source, edit.location.span)?;
        changes.entry(location.uri).or_default().push(TextEdit {
            range: location.range,
            new_text: edit.replacement.clone(),
        });
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
