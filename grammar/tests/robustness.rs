//! Property tests: any input yields diagnostics and never a panic; every
//! diagnostic points inside its text; whatever parses, formats idempotently.

use pipec_grammar::diagnostic::FileName;
use pipec_grammar::format::format_checked;
use pipec_grammar::render::{Sources, human, json};
use pipec_grammar::{parse, parse_bytes};
use proptest::prelude::*;

const EXAMPLES: &[&str] = &[
    include_str!("../../examples/sales/sales.pipe"),
    include_str!("../../examples/media/media.pipe"),
    include_str!("../../examples/etl/etl.pipe"),
    include_str!("../../examples/approval/approval.pipe"),
];

/// Pieces a mutation may insert: tokens of the language and common mistakes.
const PIECES: &[&str] = &[
    "node",
    "pipeline",
    "input",
    "output",
    "secret",
    "each",
    "all",
    "where",
    "when",
    "after",
    "any",
    "retry",
    "backoff",
    "timeout",
    "cache",
    "on",
    "off",
    "resources",
    "group",
    "by",
    "origin",
    "import",
    "as",
    "const",
    "schema",
    "plugin",
    "not",
    "in",
    "and",
    "or",
    "matches",
    "true",
    "false",
    "null",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=",
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "??",
    "?",
    "|",
    "->",
    "\"",
    "\"\"\"",
    "\\",
    "//",
    "///",
    "\n",
    " ",
    "x",
    "42",
    "-1",
    "2.5",
    "30s",
    "4GiB",
    "10min",
    "@",
    "é",
    "\u{1F600}",
    "{x}",
    "\"{\"",
];

fn file() -> FileName {
    "prop.pipe".into()
}

/// Parses and renders; checks every span is inside the text.
fn exercise(text: &str) {
    let parsed = parse(&file(), text);
    for d in &parsed.diagnostics {
        let span = d.span();
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "span {span:?} outside text of {} bytes",
            text.len()
        );
        assert!(!d.message.is_empty());
    }
    let mut sources = Sources::new();
    sources.insert(file(), text.to_string());
    let _ = human(&parsed.diagnostics, &sources, false);
    let _ = json(&parsed.diagnostics, &sources);
    if !parsed.has_errors() {
        let once = format_checked(text, &parsed.tree).expect("formatting what parsed succeeds");
        let again = parse(&file(), &once);
        assert!(!again.has_errors(), "formatted text must parse:\n{once}");
        let twice = format_checked(&once, &again.tree).expect("formatting formatted text succeeds");
        assert_eq!(once, twice, "formatting must be idempotent");
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, piece: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutation: &Mutation) -> String {
    if text.is_empty() {
        return text.to_string();
    }
    match *mutation {
        Mutation::Delete { at, len } => {
            let start = floor_boundary(text, at % text.len());
            let end = floor_boundary(text, start + len);
            format!("{}{}", &text[..start], &text[end..])
        }
        Mutation::Insert { at, piece } => {
            let at = floor_boundary(text, at % (text.len() + 1));
            format!("{}{}{}", &text[..at], PIECES[piece], &text[at..])
        }
        Mutation::Duplicate { at, len } => {
            let start = floor_boundary(text, at % text.len());
            let end = floor_boundary(text, start + len);
            format!("{}{}", &text[..end], &text[start..])
        }
    }
}

proptest! {
    // 256 cases each by default; PROPTEST_CASES=20000 for a deeper local run.

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let parsed = parse_bytes(&file(), &bytes);
        if std::str::from_utf8(&bytes).is_err() {
            prop_assert!(parsed.diagnostics.iter().any(|d| d.code.as_str() == "E0001"));
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            exercise(text);
        }
    }

    #[test]
    fn random_token_soup_never_panics(pieces in proptest::collection::vec(0..PIECES.len(), 0..120)) {
        let text: String = pieces.iter().map(|&p| PIECES[p]).collect::<Vec<_>>().join(" ");
        exercise(&text);
    }

    #[test]
    fn mutated_examples_never_panic(example in 0..EXAMPLES.len(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut text = EXAMPLES[example].to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        exercise(&text);
    }
}

#[test]
fn examples_parse_clean_and_are_formatted() {
    for example in EXAMPLES {
        let parsed = parse(&file(), example);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(
            &format_checked(example, &parsed.tree).expect("format"),
            example
        );
    }
}

/// Parses `text` on a thread with a small stack (smaller than rayon's
/// workers'): pest runs without a stack probe, so the nesting checks must
/// refuse deep input before it recurses.
fn parse_on_small_stack(text: String) -> Vec<String> {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            parse(&file(), &text)
                .diagnostics
                .iter()
                .map(|d| d.code.as_str().to_string())
                .collect()
        })
        .expect("a thread")
        .join()
        .expect("no overflow")
}

#[test]
fn deep_nesting_is_refused_before_the_parser_recurses() {
    let n = 20_000;
    let cases = [
        format!(
            "pipeline p {{\n  input x: {}int{}\n}}",
            "list<".repeat(n),
            ">".repeat(n)
        ),
        format!(
            "pipeline p {{\n  node a = echo({}x{})\n}}",
            "\"{".repeat(n),
            "}\"".repeat(n)
        ),
        format!(
            "pipeline p {{\n  node a = echo(\"{{{}x{}}}\")\n}}",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "pipeline p {{\n  node a = echo({}x{})\n}}",
            "[".repeat(n),
            "]".repeat(n)
        ),
    ];
    for text in cases {
        let codes = parse_on_small_stack(text);
        assert_eq!(codes, vec!["E0011"]);
    }
}

#[test]
fn nesting_below_the_limits_parses() {
    let cases = [
        format!(
            "pipeline p {{\n  input x: {}int{}\n}}",
            "list<".repeat(100),
            ">".repeat(100)
        ),
        format!(
            "pipeline p {{\n  node a = echo({}x{})\n}}",
            "\"{".repeat(30),
            "}\"".repeat(30)
        ),
        // Both limits at once: brackets just under theirs around a string
        // whose insides nest just under theirs.
        format!(
            "pipeline p {{\n  node a = echo({}\"{{{}x{}}}\"{})\n}}",
            "(".repeat(126),
            "(".repeat(62),
            ")".repeat(62),
            ")".repeat(126)
        ),
        // Many comparisons are no nesting.
        format!(
            "pipeline p {{\n{}}}",
            (0..300)
                .map(|i| format!("  node n{i} = echo(a < {i})\n"))
                .collect::<String>()
        ),
    ];
    for text in cases {
        let codes = parse_on_small_stack(text);
        assert!(codes.is_empty(), "{codes:?}");
    }
}
