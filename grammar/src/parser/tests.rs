use super::*;

fn file() -> FileName {
    "test.pipe".into()
}

#[test]
fn parses_a_small_pipeline() {
    let parsed = parse(
        &file(),
        "pipeline p {\n  input n: int = 3\n  node a = echo(input.n | string) { retry 2 backoff 1s }\n  output o = a\n}\n",
    );
    assert_eq!(parsed.diagnostics, vec![]);
    assert_eq!(parsed.tree.items.len(), 1);
}

/// A large source mixing every item kind, doc comments, comments and a big pipeline.
fn large_mixed_source() -> String {
    let mut text = String::from(
        "// header\nimport \"lib.pipe\" as lib\nconst LIMIT = 10\n\n/// A row.\nschema Row { id: int, name: string? }\nplugin probe(path: path) -> { seconds: float }\n\n",
    );
    for p in 0..3 {
        text.push_str(&format!(
            "/// Pipeline {p}.\npipeline p{p} {{\n  input dir: path = \"in\"\n  secret token\n"
        ));
        for i in 0..1500 {
            text.push_str(&format!(
                "  /// Node {i}.\n  node n{i} = echo(input.dir | default(\"x\"), label: \"{{LIMIT}}-{i}\") {{ when true retry 2 backoff 1s }}  // tail {i}\n"
            ));
        }
        text.push_str("  output o = n0\n}\n\n");
    }
    text
}

#[test]
fn parallel_pieces_give_the_same_tree_as_the_whole_file() {
    let text = large_mixed_source();
    assert!(text.len() > super::pieces::PARALLEL_THRESHOLD * 2);
    let pieces = parse_with(&file(), &text, true);
    let whole = parse_with(&file(), &text, false);
    assert_eq!(whole.diagnostics, vec![]);
    assert_eq!(pieces, whole);
}

#[test]
fn a_broken_large_file_reports_the_same_errors_either_way() {
    let mut text = large_mixed_source();
    let at = text.find("node n700 =").expect("node 700");
    text.insert_str(at + "node n700 = echo(".len(), ",,");
    let pieces = parse_with(&file(), &text, true);
    let whole = parse_with(&file(), &text, false);
    assert_eq!(pieces, whole);
    assert_eq!(pieces.diagnostics.len(), 1, "{:?}", pieces.diagnostics);
}

#[test]
fn a_misspelt_clause_on_its_own_line_is_named() {
    let parsed = parse(
        &file(),
        "pipeline p {\n  node a = exec([\"true\"]) {\n    retries 3\n  }\n}\n",
    );
    let first = parsed.diagnostics.first().expect("a diagnostic");
    assert!(
        first.message.contains("did you mean `retry`"),
        "{:#?}",
        parsed.diagnostics
    );
}
