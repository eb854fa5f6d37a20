//! Code actions: every diagnostic that carries a fix becomes a quick fix;
//! formatting is the same as `pipec fmt`.

use pipec_compiler::Source;
use pipec_compiler::check;
use pipec_grammar::format::format_checked;
use pipec_grammar::span::Span;
use tower_lsp::lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Url};

use crate::convert::{diagnostic, fix_edit};
use crate::workspace::{TextView, Workspace};

/// The quick fixes of the diagnostics of `source` whose span meets `range`.
pub fn quick_fixes(
    workspace: &Workspace,
    source: Source,
    view: &TextView<'_>,
    range: Range,
) -> Vec<CodeActionOrCommand> {
    let db = &workspace.db;
    let file = source.name(db).to_string();
    let wanted = Span::new(view.offset(range.start), view.offset(range.end));
    let mut out = Vec::new();
    for d in check::diagnostics(db, source) {
        let Some(fix) = &d.fix else { continue };
        let span = d.primary.location.span;
        let meets = span.start <= wanted.end && wanted.start <= span.end;
        if &*d.primary.location.file != file.as_str() || !meets {
            continue;
        }
        // Only a fix that provably fixes (re-checked with it applied).
        if !pipec_compiler::fixes::fix_works(db, source, d) {
            continue;
        }
        let Some(edit) = fix_edit(workspace, fix) else {
            continue;
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.message.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(workspace, view, &file, d)]),
            edit: Some(edit),
            is_preferred: Some(fix.edits.len() == 1),
            ..CodeAction::default()
        }));
    }
    out
}

/// Why a document was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFormatted(pub String);

/// The edits that format a whole document as `pipec fmt` does (none when it
/// is formatted already).
pub fn format_document(uri: &Url, view: &TextView<'_>) -> Result<Vec<TextEdit>, NotFormatted> {
    let name = uri.path().to_string();
    let parsed = pipec_grammar::parse(&name.as_str().into(), view.text);
    if parsed.has_errors() {
        return Err(NotFormatted(format!(
            "`{name}` has syntax errors and was not formatted"
        )));
    }
    let formatted =
        format_checked(view.text, &parsed.tree).map_err(|e| NotFormatted(e.to_string()))?;
    if formatted == view.text {
        return Ok(Vec::new());
    }
    Ok(vec![TextEdit {
        range: Range {
            start: view.position(0),
            end: view.position(view.text.len()),
        },
        new_text: formatted,
    }])
}
