//! Golden tests: every case directory holds an input and the expected output.
//!
//! - `tests/golden/parse/<case>/input.pipe` → `diagnostics.txt`: the syntax
//!   diagnostics alone, rendered as `pipec check` prints them (no color);
//! - `tests/golden/check/<case>/` → `diagnostics.txt`: everything `pipec check`
//!   reports for `input.pipe` (its imports may sit next to it);
//! - `tests/golden/fmt/<case>/input.pipe` → `output.pipe` (what `pipec fmt` writes).
//!
//! Run with `PIPEC_BLESS=1` to rewrite the expected files, then review the diff.

use std::path::{Path, PathBuf};

use pipec::grammar::format::format_checked;

#[path = "support/internal_names.rs"]
mod internal_names;
use pipec::grammar::render::{Sources, human};

fn bless() -> bool {
    std::env::var_os("PIPEC_BLESS").is_some_and(|v| v != "0")
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Compares `actual` with the file `expected` (or writes it when blessing);
/// returns a description of the mismatch.
fn compare(expected: &Path, actual: &str) -> Option<String> {
    if expected.ends_with("diagnostics.txt") {
        let leaked = internal_names::internal_names(actual);
        if !leaked.is_empty() {
            return Some(format!(
                "{}: an internal name reaches a message:\n{}",
                expected.display(),
                leaked.join("\n")
            ));
        }
    }
    if bless() {
        std::fs::write(expected, actual).expect("write golden file");
        return None;
    }
    let wanted = std::fs::read_to_string(expected).unwrap_or_default();
    (wanted != actual).then(|| {
        let diff = similar::TextDiff::from_lines(wanted.as_str(), actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        format!("{}:\n{diff}", expected.display())
    })
}

/// Fails with every mismatch at once, so one run shows them all.
fn assert_no_mismatches(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} golden mismatches (PIPEC_BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The case's input, its name in diagnostics, and its text.
fn read_case(case: &Path) -> (pipec::FileName, Vec<u8>, String) {
    let bytes = std::fs::read(case.join("input.pipe")).expect("read input.pipe");
    let name: pipec::FileName =
        format!("{}/input.pipe", case.file_name().unwrap().to_string_lossy()).into();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (name, bytes, text)
}

fn render(name: &pipec::FileName, text: &str, diagnostics: &[pipec::Diagnostic]) -> String {
    let mut sources = Sources::new();
    sources.insert(name.clone(), text.to_string());
    human(diagnostics, &sources, false)
}

#[test]
fn parse_goldens() {
    let cases = cases("parse");
    assert!(
        cases.len() >= 40,
        "expected at least 40 parse cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let (name, bytes, text) = read_case(case);
        let parsed = pipec::grammar::parse_bytes(&name, &bytes);
        let rendered = render(&name, &text, &parsed.diagnostics);
        if let Some(failure) = compare(&case.join("diagnostics.txt"), &rendered) {
            failures.push(failure);
        }
        // Every diagnostic has an explanation, and every error case says so in its name.
        for d in &parsed.diagnostics {
            assert!(
                pipec::compiler::explain(d.code.as_str()).is_some(),
                "{}: code {} has no `pipec explain` entry",
                case.display(),
                d.code
            );
        }
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let has_errors = parsed.has_errors();
        assert_eq!(
            name.starts_with("err_"),
            has_errors,
            "{name}: cases named err_* must have errors and only they may: {rendered}"
        );
        // Formatting what parsed is safe and idempotent.
        if !has_errors {
            let once =
                format_checked(&text, &parsed.tree).unwrap_or_else(|e| panic!("{name}: {e}"));
            let reparsed = pipec::grammar::parse(&"once".into(), &once);
            let twice =
                format_checked(&once, &reparsed.tree).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(once, twice, "{name}: formatting is not idempotent");
        }
    }
    assert_no_mismatches(&failures);
}

#[test]
fn check_goldens() {
    let cases = cases("check");
    assert!(
        cases.len() >= 60,
        "expected at least 60 check cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut codes_seen = std::collections::BTreeSet::new();
    let mut read_as_pieces = 0;
    for case in &cases {
        // Run from the case directory's parent so imports resolve next to input.pipe.
        let (name, bytes, text) = read_case(case);
        // A path relative to the package root (the tests' working directory), so
        // that file names in messages do not depend on where the clone is.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = case.strip_prefix(root).unwrap_or(case).join("input.pipe");
        let mut db = pipec::compiler::Database::new();
        let source = db.set_source(&path, bytes);
        let diagnostics: Vec<pipec::Diagnostic> = pipec::compiler::check::diagnostics(&db, source)
            .iter()
            .filter(|d| d.file().ends_with("input.pipe"))
            .map(|d| {
                let mut d = d.clone();
                d.primary.location.file = name.clone();
                for label in &mut d.secondary {
                    label.location.file = name.clone();
                }
                d
            })
            .collect();
        // Read as pieces (the editor's incremental reading) and whole: the same diagnostics.
        let mut whole_db = pipec::compiler::Database::reading_whole_files();
        let whole_source = whole_db.set_source(&path, read_case(case).1);
        let whole: Vec<&pipec::Diagnostic> =
            pipec::compiler::check::diagnostics(&whole_db, whole_source)
                .iter()
                .filter(|d| d.file().ends_with("input.pipe"))
                .collect();
        let pieces: Vec<&pipec::Diagnostic> = pipec::compiler::check::diagnostics(&db, source)
            .iter()
            .filter(|d| d.file().ends_with("input.pipe"))
            .collect();
        assert_eq!(
            pieces,
            whole,
            "{}: pieces and whole file disagree",
            case.display()
        );
        if matches!(
            pipec::compiler::layout::layout(&db, source),
            pipec::compiler::layout::Layout::Pieces { .. }
        ) {
            read_as_pieces += 1;
        }
        let rendered = render(&name, &text, &diagnostics);
        if let Some(failure) = compare(&case.join("diagnostics.txt"), &rendered) {
            failures.push(failure);
        }
        let case_name = case.file_name().unwrap().to_string_lossy().to_string();
        let has_errors = diagnostics.iter().any(|d| d.is_error());
        assert_eq!(
            case_name.starts_with("err_"),
            has_errors,
            "{case_name}: err_* cases, and only they, have errors:\n{rendered}"
        );
        if case_name.starts_with("ok_") {
            // The data files ok_* cases read need not exist: W0409 (a file
            // read first that is not there) is the one diagnostic allowed.
            assert!(
                diagnostics.iter().all(|d| d.code.as_str() == "W0409"),
                "{case_name}: ok_* cases have no diagnostics but W0409:\n{rendered}"
            );
        }
        for d in &diagnostics {
            assert!(
                pipec::compiler::explain(d.code.as_str()).is_some(),
                "{case_name}: {} has no explanation",
                d.code
            );
            codes_seen.insert(d.code.as_str());
        }
    }
    // Most cases parse, so most are read as pieces: the comparison above means something.
    assert!(
        read_as_pieces * 2 > cases.len(),
        "only {read_as_pieces} of {} check cases were read as pieces",
        cases.len()
    );
    // Every analysis code is exercised by at least one case.
    for e in pipec::compiler::codes::EXPLANATIONS {
        assert!(
            codes_seen.contains(e.code.as_str()),
            "no check golden produces {}",
            e.code
        );
    }
    assert_no_mismatches(&failures);
}

#[test]
fn fmt_goldens() {
    let cases = cases("fmt");
    assert!(
        cases.len() >= 10,
        "expected at least 10 fmt cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let input = std::fs::read_to_string(case.join("input.pipe")).expect("read input.pipe");
        let parsed = pipec::grammar::parse(&"input.pipe".into(), &input);
        assert!(
            !parsed.has_errors(),
            "{}: {:?}",
            case.display(),
            parsed.diagnostics
        );
        let formatted = format_checked(&input, &parsed.tree)
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        if let Some(failure) = compare(&case.join("output.pipe"), &formatted) {
            failures.push(failure);
        }
        let reparsed = pipec::grammar::parse(&"output.pipe".into(), &formatted);
        let again = format_checked(&formatted, &reparsed.tree).expect("formatted text formats");
        assert_eq!(
            formatted,
            again,
            "{}: formatting is not idempotent",
            case.display()
        );
    }
    assert_no_mismatches(&failures);
}
