//! Golden tests: every case directory holds an input and the expected output.
//!
//! - `tests/golden/parse/<case>/input.pipe` → `diagnostics.txt` (the human
//!   rendering `pipec check` prints, without color);
//! - `tests/golden/fmt/<case>/input.pipe` → `output.pipe` (what `pipec fmt` writes).
//!
//! Run with `PIPEC_BLESS=1` to rewrite the expected files, then review the diff.

use std::path::{Path, PathBuf};

use pipec::FileName;
use pipec::grammar::format::format_checked;
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

fn check_text(case: &Path) -> (String, pipec::compiler::CheckedSource, String) {
    let input = case.join("input.pipe");
    let bytes = std::fs::read(&input).expect("read input.pipe");
    let name: FileName =
        format!("{}/input.pipe", case.file_name().unwrap().to_string_lossy()).into();
    let checked = pipec::compiler::check_source(&name, &bytes);
    let mut sources = Sources::new();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    sources.insert(name, text.clone());
    (human(checked.diagnostics(), &sources, false), checked, text)
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
        let (rendered, checked, text) = check_text(case);
        if let Some(failure) = compare(&case.join("diagnostics.txt"), &rendered) {
            failures.push(failure);
        }
        // Every diagnostic has an explanation, and every error case says so in its name.
        for d in checked.diagnostics() {
            assert!(
                pipec::compiler::explain(d.code.as_str()).is_some(),
                "{}: code {} has no `pipec explain` entry",
                case.display(),
                d.code
            );
        }
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let has_errors = checked.parse.has_errors();
        assert_eq!(
            name.starts_with("err_"),
            has_errors,
            "{name}: cases named err_* must have errors and only they may: {rendered}"
        );
        // Formatting what parsed is safe and idempotent.
        if !has_errors {
            let once = format_checked(&text, &checked.parse.tree)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let reparsed = pipec::grammar::parse(&"once".into(), &once);
            let twice =
                format_checked(&once, &reparsed.tree).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(once, twice, "{name}: formatting is not idempotent");
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches (PIPEC_BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
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
    assert!(
        failures.is_empty(),
        "{} golden mismatches (PIPEC_BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
