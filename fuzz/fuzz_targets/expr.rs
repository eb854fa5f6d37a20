//! Any text given as an expression (`pipec eval`'s input) parses or is
//! refused with diagnostics, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let name: pipec_grammar::diagnostic::FileName = "<expr>".into();
    if let Err(diagnostics) = pipec_grammar::parse_expr(&name, text) {
        assert!(!diagnostics.is_empty());
    }
});
