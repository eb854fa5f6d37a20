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
