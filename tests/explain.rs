//! Every diagnostic code has an explanation whose wrong example produces the
//! code and whose right example checks clean.

/// Codes whose wrong example cannot be written literally (invalid bytes, or
/// thousands of brackets, two files importing each other, a data file that
/// must exist); their golden cases under tests/golden/parse and
/// tests/golden/check prove them.
const ILLUSTRATED_ONLY: &[&str] = &["E0001", "E0011", "E0012", "E0108", "E0406"];

#[test]
fn explanations_are_proved_by_their_examples() {
    let mut seen = std::collections::HashSet::new();
    for e in pipec::compiler::explanations() {
        assert!(seen.insert(e.code), "{} is explained twice", e.code);
        assert!(
            !e.title.is_empty() && e.text.len() > 40,
            "{} needs a real paragraph",
            e.code
        );
        let code = e.code.as_str();
        let file: pipec::FileName = format!("{code}-right.pipe").into();
        let right = pipec::compiler::check_source(&file, e.right.as_bytes());
        // Examples name files that need not exist (`orders.csv`): W0409,
        // a file read first that is not there, is not their point.
        let unrelated = |d: &&pipec::Diagnostic| d.code.as_str() == "W0409" && code != "W0409";
        let shown: Vec<_> = right
            .diagnostics()
            .iter()
            .filter(|d| !unrelated(d))
            .collect();
        assert!(
            shown.is_empty(),
            "{code}: the right example has diagnostics: {shown:?}"
        );
        if ILLUSTRATED_ONLY.contains(&code) {
            continue;
        }
        let file: pipec::FileName = format!("{code}-wrong.pipe").into();
        let wrong = pipec::compiler::check_source(&file, e.wrong.as_bytes());
        assert!(
            wrong.diagnostics().iter().any(|d| d.code == e.code),
            "{code}: the wrong example does not produce {code}: {:?}",
            wrong.diagnostics()
        );
    }
}

#[test]
fn code_lookup_is_case_insensitive() {
    assert!(pipec::compiler::explain("e0004").is_some());
    assert!(pipec::compiler::explain("E9999").is_none());
}
