//! Fixes that fix: a diagnostic keeps its machine-applicable fix only when
//! applying the fix to the text and checking that text again leaves fewer
//! diagnostics of its code and no more errors than before (a fix that
//! names the node being defined, say, would make a cycle, and is dropped).
//! The help line stays; only the fix, which editors and `--fix` tools
//! apply without asking, is withheld.
//!
//! Each try checks the whole file again, so the work is bounded: at most
//! [`MOST_TRIED`] fixes per file are tried (in file order, on rayon's
//! pool), in files of at most [`LARGEST_TRIED`] bytes; a fix beyond those
//! is withheld too, never offered untried.

use std::path::Path;

use pipec_grammar::diagnostic::{Diagnostic, Fix};

use crate::db::{Database, Db, Source};

/// Most fixes tried per file.
pub const MOST_TRIED: usize = 32;

/// Largest file whose fixes are tried, in bytes.
pub const LARGEST_TRIED: usize = 256 * 1024;

/// `diagnostics` (of sources in `db`) with every fix that does not fix
/// removed, and every fix past the bounds of the module doc. Each fix is
/// tried on a fresh database holding the edited text.
pub fn verified(db: &dyn Db, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let mut tried_per_file: std::collections::HashMap<String, usize> = Default::default();
    let mut to_try = Vec::new();
    for (index, diagnostic) in diagnostics.iter_mut().enumerate() {
        if diagnostic.fix.is_none() {
            continue;
        }
        let file = diagnostic.file().to_string();
        let small = db
            .load(Path::new(&file))
            .is_ok_and(|source| source.bytes(db).len() <= LARGEST_TRIED);
        let tried = tried_per_file.entry(file).or_default();
        if small && *tried < MOST_TRIED {
            *tried += 1;
            to_try.push(index);
        } else {
            diagnostic.fix = None;
        }
    }
    // What each try needs, read from `db` here; the tries themselves
    // (fresh databases) run in parallel.
    let tries: Vec<(usize, Option<Try>)> = to_try
        .iter()
        .map(|&index| (index, prepare(db, &diagnostics[index])))
        .collect();
    let failing: Vec<usize> = tries
        .par_iter()
        .filter(|(_, attempt)| attempt.as_ref().is_some_and(|t| !t.works()))
        .map(|(index, _)| *index)
        .collect();
    for index in failing {
        diagnostics[index].fix = None;
    }
    diagnostics
}

/// One fix to try: the file with the fix applied (`None`: it cannot be
/// applied), and what the file had before.
struct Try {
    path: std::path::PathBuf,
    edited: Option<Vec<u8>>,
    code: pipec_grammar::diagnostic::Code,
    is_error: bool,
    /// Diagnostics of the fix's code, and errors, before it.
    of_code: usize,
    errors: usize,
}

impl Try {
    /// Whether the edited file has fewer diagnostics of the code and no
    /// more errors than before, less the one the fix removes.
    fn works(&self) -> bool {
        let Some(edited) = &self.edited else {
            return false;
        };
        let mut fresh = Database::new();
        let source = fresh.set_source(&self.path, edited.clone());
        let after = crate::check::diagnostics(&fresh, source);
        let of_code = after.iter().filter(|d| d.code == self.code).count();
        let errors = after.iter().filter(|d| d.is_error()).count();
        of_code < self.of_code && errors <= self.errors.saturating_sub(usize::from(self.is_error))
    }
}

/// The try of `diagnostic`'s fix, or `None` when there is nothing to try
/// here (no fix, a file not in `db`, edits in other files: kept as they are).
fn prepare(db: &dyn Db, diagnostic: &Diagnostic) -> Option<Try> {
    let source = db.load(Path::new(diagnostic.file().as_ref())).ok()?;
    prepare_in(db, source, diagnostic)
}

fn prepare_in(db: &dyn Db, source: Source, diagnostic: &Diagnostic) -> Option<Try> {
    let fix = diagnostic.fix.as_ref()?;
    let file = diagnostic.file();
    if fix.edits.iter().any(|edit| &edit.location.file != file) {
        return None;
    }
    let before = crate::check::diagnostics(db, source);
    Some(Try {
        path: source.path(db).clone(),
        edited: apply(source.bytes(db), fix),
        code: diagnostic.code,
        is_error: diagnostic.is_error(),
        of_code: before.iter().filter(|d| d.code == diagnostic.code).count(),
        errors: before.iter().filter(|d| d.is_error()).count(),
    })
}

/// Whether `diagnostic`'s fix, applied to `source`'s text, removes one
/// diagnostic of its code without adding an error (true for a diagnostic
/// without a fix, or whose fix edits other files: not tried here; false in
/// a file larger than [`LARGEST_TRIED`]).
pub fn fix_works(db: &dyn Db, source: Source, diagnostic: &Diagnostic) -> bool {
    if source.bytes(db).len() > LARGEST_TRIED {
        return diagnostic.fix.is_none();
    }
    prepare_in(db, source, diagnostic).is_none_or(|attempt| attempt.works())
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
