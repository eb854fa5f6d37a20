use crate::diagnostic::FileName;
use crate::parse;

fn fmt(src: &str) -> String {
    let file: FileName = "t.pipe".into();
    let parsed = parse(&file, src);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    super::format_source(src, &parsed.tree)
}

#[test]
fn canonical_spacing_and_indentation() {
    let src = "pipeline   p{input n:int=3\nnode a=echo( input.n|string ){retry 2 backoff 1s}\n\n\n output o=a}";
    let expected = "pipeline p {\n  input n: int = 3\n  node a = echo(input.n | string) { retry 2 backoff 1s }\n\n  output o = a\n}\n";
    assert_eq!(fmt(src), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn keeps_comments() {
    let src = "// head\n\n/// doc\npipeline p { // trailing on open\n  // lead\n  node a = echo(1) // tail\n  // end\n}\n// eof\n";
    let out = fmt(src);
    for comment in [
        "// head",
        "/// doc",
        "// trailing on open",
        "// lead",
        "// tail",
        "// end",
        "// eof",
    ] {
        assert!(out.contains(comment), "lost {comment}:\n{out}");
    }
    assert_eq!(fmt(&out), out);
}

#[test]
fn comment_inside_an_expression_keeps_the_statement_as_written() {
    let src = "pipeline p {\n  node a = echo([\n      1, // one\n      2])\n}\n";
    let out = fmt(src);
    assert!(out.contains("// one"));
    assert_eq!(fmt(&out), out);
}

#[test]
fn long_calls_break_one_argument_per_line() {
    let src = "pipeline p { node a = join(orders_with_a_long_name, customers_with_a_long_name, on: [\"customer_id\"], how: \"inner\") }";
    let out = fmt(src);
    assert_eq!(
        out,
        "pipeline p {\n  node a = join(\n    orders_with_a_long_name,\n    customers_with_a_long_name,\n    on: [\"customer_id\"],\n    how: \"inner\",\n  )\n}\n"
    );
    assert_eq!(fmt(&out), out);
}
