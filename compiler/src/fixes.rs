//! Fixes that fix: a diagnostic keeps its machine-applicable fix only when
//! applying the fix to the text and checking that text again leaves fewer
//! diagnostics of its code and no more errors than before (a fix that
//! names the node being defined, say, would make a cycle, and is dropped).
//! The help line stays; only the fix, which editors and `--fix` tools
//! apply without asking, is withheld.

use std::path::Path;

use pipec_grammar::diagnostic::{Diagnostic, Fix};

use crate::db::{Database, Db, Source};

/// `diagnostics` (of sources in `db`) with every fix that does not fix
/// removed. Each fix is tried on a fresh database holding the edited text.
pub fn verified(db: &dyn Db, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut diagnostic| {
            if diagnostic.fix.is_some() && !fixes(db, &diagnostic) {
                diagnostic.fix = None;
            }
            diagnostic
        })
        .collect()
}

/// Whether applying `fix` removes one `diagnostic` of its code without
/// adding an error.
fn fixes(db: &dyn Db, diagnostic: &Diagnostic) -> bool {
    let path = Path::new(diagnostic.file().as_ref());
    match db.load(path) {
        Ok(source) => fix_works(db, source, diagnostic),
        Err(_) => true,
    }
}

/// Whether `diagnostic`'s fix, applied to `source`'s text, removes one
/// diagnostic of its code without adding an error (true for a diagnostic
/// without a fix, or whose fix edits other files: not tried here).
pub fn fix_works(db: &dyn Db, source: Source, diagnostic: &Diagnostic) -> bool {
    let Some(fix) = &diagnostic.fix else {
        return true;
    };
    let file = diagnostic.file();
    if fix.edits.iter().any(|edit| &edit.location.file != file) {
        return true;
    }
    let path = source.path(db).clone();
    let path = path.as_path();
    let before = crate::check::diagnostics(db, source);
    let Some(edited) = apply(source.bytes(db), fix) else {
        return false;
    };
    let mut fresh = Database::new();
    let edited_source = fresh.set_source(path, edited);
    let after = crate::check::diagnostics(&fresh, edited_source);
    let count = |list: &[Diagnostic], code| list.iter().filter(|d| d.code == code).count();
    let errors = |list: &[Diagnostic]| list.iter().filter(|d| d.is_error()).count();
    count(after, diagnostic.code) < count(before, diagnostic.code)
        && errors(after) <= errors(before).saturating_sub(usize::from(diagnostic.is_error()))
}

/// The text with the fix's edits applied (they do not overlap), or `None`
/// when an edit lies outside the text or inside a character.
fn apply(text: &[u8], fix: &Fix) -> Option<Vec<u8>> {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.location.span.start));
    let mut out = std::str::from_utf8(text).ok()?.to_string();
    for edit in edits {
        let range = edit.location.span.range();
        if !out.is_char_boundary(range.start)
            || range.end > out.len()
            || !out.is_char_boundary(range.end)
        {
            return None;
        }
        out.replace_range(range, &edit.replacement);
    }
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> (Database, Vec<Diagnostic>) {
        let mut db = Database::new();
        let source = db.set_source(Path::new("/fixes-test/p.pipe"), text.as_bytes().to_vec());
        let diagnostics = crate::check::diagnostics(&db, source).clone();
        (db, diagnostics)
    }

    #[test]
    fn a_fix_that_repairs_the_text_is_kept() {
        let (db, diagnostics) = checked(
            "pipeline p {\n  node a = echo(\"x\")\n  node b = echo(a.value | uper)\n  output v = b\n}\n",
        );
        let verified = verified(&db, diagnostics);
        assert!(verified.iter().any(|d| d.fix.is_some()), "{verified:#?}");
    }

    #[test]
    fn a_fix_that_adds_an_error_is_dropped() {
        // `upper` is the near name, but it takes text and is given a number.
        let (db, diagnostics) = checked(
            "pipeline p {\n  node a = echo(1)\n  node b = echo(a.value | uper)\n  output v = b\n}\n",
        );
        assert!(
            diagnostics.iter().any(|d| d.fix.is_some()),
            "{diagnostics:#?}"
        );
        let verified = verified(&db, diagnostics);
        assert!(verified.iter().all(|d| d.fix.is_none()), "{verified:#?}");
    }

    #[test]
    fn a_fix_that_makes_a_cycle_is_dropped() {
        // `bb` is nearest to `b`, the node being defined: replacing it
        // would make `b` read itself.
        let (db, diagnostics) = checked(
            "pipeline p {\n  node a = echo(1)\n  node b = echo(bb.value)\n  output v = b\n}\n",
        );
        assert!(
            diagnostics.iter().any(|d| d.fix.is_some()),
            "{diagnostics:#?}"
        );
        let verified = verified(&db, diagnostics);
        assert!(verified.iter().all(|d| d.fix.is_none()), "{verified:#?}");
    }
}
