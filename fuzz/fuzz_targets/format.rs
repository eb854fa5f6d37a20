//! Formatting never panics, and a formatted text parses and formats to
//! itself (the formatter is idempotent and never breaks a program).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let name: pipec_grammar::diagnostic::FileName = "fuzz.pipe".into();
    let parsed = pipec_grammar::parse(&name, text);
    if parsed.has_errors() {
        return;
    }
    let Ok(formatted) = pipec_grammar::format::format_checked(text, &parsed.tree) else {
        return;
    };
    let again = pipec_grammar::parse(&name, &formatted);
    assert!(
        !again.has_errors(),
        "formatting broke the program:\n{formatted}"
    );
    let twice = pipec_grammar::format::format_checked(&formatted, &again.tree)
        .expect("a formatted text formats");
    assert_eq!(formatted, twice, "formatting is not idempotent");
});
