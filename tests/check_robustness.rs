//! Property test: the whole checker (syntax, names, types, graph, lowering)
//! never panics, on mutated examples and on token soup, and reading a file
//! as pieces gives the same diagnostics as reading it whole.

use std::path::Path;

use proptest::prelude::*;

const EXAMPLES: &[&str] = &[
    include_str!("../examples/sales/sales.pipe"),
    include_str!("../examples/media/media.pipe"),
    include_str!("../examples/etl/etl.pipe"),
    include_str!("../examples/approval/approval.pipe"),
    include_str!("golden/check/ok_realistic_tables/input.pipe"),
    include_str!("golden/check/ok_realistic_misc/input.pipe"),
    include_str!("golden/check/ok_sub_pipeline_outputs_typed/input.pipe"),
    include_str!("golden/check/err_mutually_recursive_pipelines/input.pipe"),
];

const PIECES: &[&str] = &[
    "node",
    "input",
    "output",
    "each",
    "all",
    "group",
    "by origin",
    "when",
    "after",
    "any(",
    "retry",
    "timeout",
    "import \"x.pipe\"",
    "const",
    "schema",
    "plugin",
    "pipeline p {",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=",
    "==",
    "??",
    "|",
    "| first",
    "| upper",
    "x",
    "files",
    "input.dir",
    "42",
    "30s",
    "null",
    "true",
    "\"s\"",
    "sql(\"select * from t\")",
    "echo(",
    "read_csv(",
    "list_files(",
    "a.b.c",
    "not",
    "in",
    "\n",
];

fn check_everything(text: &str) {
    let mut db = pipec::compiler::Database::new();
    let source = db.set_source(Path::new("prop.pipe"), text.as_bytes().to_vec());
    let diagnostics = pipec::compiler::check::diagnostics(&db, source);
    // The incremental reading (pieces) and the whole-file reading agree.
    let mut whole_db = pipec::compiler::Database::reading_whole_files();
    let whole_source = whole_db.set_source(Path::new("prop.pipe"), text.as_bytes().to_vec());
    assert_eq!(
        diagnostics,
        pipec::compiler::check::diagnostics(&whole_db, whole_source),
        "pieces and whole file disagree on:\n{text}"
    );
    for d in diagnostics {
        assert!(d.span().end as usize <= text.len().max(d.span().end as usize));
        assert!(
            pipec::compiler::explain(d.code.as_str()).is_some(),
            "{} unexplained",
            d.code
        );
    }
    // Lowering, drawings and the schema of whatever compiles.
    let analysis = pipec::compiler::analyze::analyze(&db, source);
    for pipeline in &analysis.pipelines {
        if let Ok(compiled) = pipec::compiler::compile::compile(&db, source, Some(&pipeline.name)) {
            let _ = pipec::compiler::drawing::text(&compiled.plan);
            let _ = pipec::compiler::drawing::dot(&compiled.plan);
            let _ = pipec::compiler::schema::inputs_schema(&compiled.info, &compiled.plan, None);
        }
    }
}

fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #[test]
    fn mutated_programs_never_panic_the_checker(
        example in 0..EXAMPLES.len(),
        edits in proptest::collection::vec((any::<usize>(), 0..PIECES.len(), 0usize..12), 1..6),
    ) {
        let mut text = EXAMPLES[example].to_string();
        for (at, piece, delete) in edits {
            let start = floor(&text, at % (text.len() + 1));
            let end = floor(&text, start + delete);
            text = format!("{}{}{}", &text[..start], PIECES[piece], &text[end..]);
        }
        check_everything(&text);
    }

    /// Edits applied one after another to one database (the editor's way,
    /// reusing the previous outline and memos) give what a fresh reading of
    /// the whole file gives.
    #[test]
    fn successive_edits_check_like_a_fresh_whole_reading(
        example in 0..EXAMPLES.len(),
        edits in proptest::collection::vec((any::<usize>(), 0..PIECES.len(), 0usize..6), 1..8),
    ) {
        let mut text = EXAMPLES[example].to_string();
        let mut db = pipec::compiler::Database::new();
        let path = Path::new("edited.pipe");
        let source = db.set_source(path, text.as_bytes().to_vec());
        let _ = pipec::compiler::check::diagnostics(&db, source);
        for (at, piece, delete) in edits {
            let start = floor(&text, at % (text.len() + 1));
            let end = floor(&text, start + delete);
            // Small edits, mostly inside members: identifiers and numbers.
            let insert = if piece % 2 == 0 { "x" } else { PIECES[piece] };
            text = format!("{}{}{}", &text[..start], insert, &text[end..]);
            let source = db.set_source(path, text.as_bytes().to_vec());
            let edited = pipec::compiler::check::diagnostics(&db, source).clone();
            let mut whole_db = pipec::compiler::Database::reading_whole_files();
            let whole_source = whole_db.set_source(path, text.as_bytes().to_vec());
            let whole = pipec::compiler::check::diagnostics(&whole_db, whole_source);
            prop_assert_eq!(&edited, whole, "after edits:\n{}", text);
        }
    }

    #[test]
    fn token_soup_never_panics_the_checker(pieces in proptest::collection::vec(0..PIECES.len(), 0..80)) {
        let text = format!("pipeline p {{\n{}\n}}", pieces.iter().map(|&p| PIECES[p]).collect::<Vec<_>>().join(" "));
        check_everything(&text);
    }
}

/// A file large enough to be parsed in parallel but made of few pieces (one
/// long string) is checked on the calling thread: no work of a query may run
/// on a thread inside another query (this panicked in salsa before).
#[test]
fn a_large_file_of_few_pieces_checks() {
    let long = "x".repeat(100_000);
    let text = format!("pipeline p {{\n  node a = echo(\"{long}\")\n  output o = a\n}}\n");
    let mut db = pipec::compiler::Database::new();
    let source = db.set_source(Path::new("long.pipe"), text.into_bytes());
    assert_eq!(pipec::compiler::check::diagnostics(&db, source), &[]);
}

/// A large file checked from inside one of rayon's workers (as a host that
/// checks many files in parallel does) while another is checked on another.
#[test]
fn a_large_file_checks_on_a_rayon_worker() {
    let mut text = String::from("pipeline big {\n  node n0 = echo(\"0\")\n");
    for i in 1..3_000 {
        text.push_str(&format!("  node n{i} = echo(n{}.value)\n", i - 1));
    }
    text.push_str("  output o = n2999\n}\n");
    let check = |name: &str| {
        let mut db = pipec::compiler::Database::new();
        let source = db.set_source(Path::new(name), text.clone().into_bytes());
        pipec::compiler::check::diagnostics(&db, source).clone()
    };
    let (first, second) = rayon::join(|| check("a.pipe"), || check("b.pipe"));
    assert_eq!(first, &[]);
    assert_eq!(second, &[]);
}
