//! Any bytes parse without a panic: a tree and diagnostics, every
//! diagnostic's span inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let name: pipec_grammar::diagnostic::FileName = "fuzz.pipe".into();
    let parsed = pipec_grammar::parse_bytes(&name, bytes);
    for diagnostic in &parsed.diagnostics {
        assert!(diagnostic.span().end as usize <= bytes.len());
    }
});
