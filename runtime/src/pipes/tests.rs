//! Each pipe against the behaviour of the dagabaaz pipe it comes from.

use serde_json::{Value, json};

use crate::eval::{EvalError, Limits, evaluate};

/// Evaluates `source` (an expression of the language) with `x` bound to `input`.
fn run(source: &str, input: Value) -> Result<Value, EvalError> {
    let file: pipec_grammar::diagnostic::FileName = "test".into();
    let expr =
        pipec_grammar::parse_expr(&file, source).unwrap_or_else(|d| panic!("{source}: {d:?}"));
    let plan = pipec_compiler::plan::lower_expr(&expr);
    let mut scope = serde_json::Map::new();
    scope.insert("x".into(), input);
    evaluate(&plan, &scope, &Limits::default())
}

fn ok(source: &str, input: Value) -> Value {
    run(source, input).unwrap_or_else(|e| panic!("{source}: {e}"))
}

#[test]
fn text_pipes() {
    assert_eq!(ok("x | upper", json!("abc")), json!("ABC"));
    assert_eq!(ok("x | lower", json!("ABC")), json!("abc"));
    assert_eq!(
        ok("x | title", json!("hello wORLD-x")),
        json!("Hello World-X")
    );
    assert_eq!(ok("x | trim", json!("  a  ")), json!("a"));
    assert_eq!(ok("x | strip(\"x\")", json!("xxaxx")), json!("a"));
    assert_eq!(ok("x | lstrip", json!("  a  ")), json!("a  "));
    assert_eq!(ok("x | rstrip(\"-\")", json!("a--")), json!("a"));
    assert_eq!(
        ok("x | replace(\"a\", \"b\")", json!("banana")),
        json!("bbnbnb")
    );
    assert_eq!(ok("x | replace(\"a\")", json!("banana")), json!("bnn"));
    assert_eq!(ok("x | truncate(3)", json!("abcdef")), json!("abc"));
    assert_eq!(ok("x | truncate", json!("short")), json!("short"));
    assert_eq!(
        ok("x | prepend(\">\") | append(\"<\")", json!("a")),
        json!(">a<")
    );
    assert_eq!(ok("x | upper", json!(12)), json!("12"));
    assert_eq!(ok("x | upper", json!(null)), json!(""));
}

#[test]
fn defaults_and_required() {
    assert_eq!(ok("x | default(\"d\")", json!(null)), json!("d"));
    assert_eq!(ok("x | default(\"d\")", json!("")), json!("d"));
    assert_eq!(ok("x | default(\"d\")", json!(0)), json!(0));
    assert_eq!(ok("x | default", json!(null)), json!(""));
    assert_eq!(
        run("x | required", json!(null)),
        Err(EvalError::RequiredMissing("x".into()))
    );
    assert_eq!(
        run("x.name | required", json!({ "name": "" })),
        Err(EvalError::RequiredMissing("x.name".into()))
    );
    assert_eq!(ok("x | required", json!("v")), json!("v"));
}

#[test]
fn list_pipes() {
    assert_eq!(ok("x | first", json!([1, 2, 3])), json!(1));
    assert_eq!(ok("x | last", json!([1, 2, 3])), json!(3));
    assert_eq!(ok("x | first", json!([])), json!(null));
    assert_eq!(ok("x | first", json!("solo")), json!("solo"));
    assert_eq!(ok("x | nth(1)", json!(["a", "b"])), json!("b"));
    assert_eq!(ok("x | nth(5)", json!(["a", "b"])), json!(null));
    assert_eq!(ok("x | nth(-1)", json!(["a", "b"])), json!(null));
    assert_eq!(ok("x | nth", json!(["a", "b"])), json!("a"));
    assert_eq!(ok("x | join", json!(["a", null, "b"])), json!("a, b"));
    assert_eq!(ok("x | join(\"-\")", json!([1, 2])), json!("1-2"));
    assert_eq!(
        ok("x | flatten", json!([[1], 2, [3, [4]]])),
        json!([1, 2, 3, [4]])
    );
    assert_eq!(ok("x | compact", json!([1, null, 2])), json!([1, 2]));
    assert_eq!(ok("x | length", json!([1, 2, 3])), json!(3));
    assert_eq!(ok("x | length", json!("héllo")), json!(5));
    assert_eq!(ok("x | length", json!(null)), json!(0));
    assert_eq!(ok("x | string", json!([1, "a"])), json!("1, a"));
}

#[test]
fn path_pipes() {
    assert_eq!(ok("x | basename", json!("a/b/c.tar.gz")), json!("c.tar.gz"));
    assert_eq!(ok("x | dirname", json!("a/b/c.txt")), json!("a/b"));
    assert_eq!(ok("x | dirname", json!("c.txt")), json!("."));
    assert_eq!(ok("x | dirname", json!("/c.txt")), json!("/"));
    assert_eq!(ok("x | stem", json!("a/b/c.tar.gz")), json!("c.tar"));
    assert_eq!(ok("x | ext", json!("a/b/c.tar.gz")), json!(".gz"));
    assert_eq!(ok("x | ext", json!(".bashrc")), json!(""));
    assert_eq!(ok("x | stem", json!(".bashrc")), json!(".bashrc"));
    assert_eq!(ok("x | urlencode", json!("a b/ü")), json!("a%20b%2F%C3%BC"));
    assert_eq!(
        ok("x | urldecode", json!("a%20b%2F%C3%BC%zz")),
        json!("a b/ü%zz")
    );
}

#[test]
fn numbers() {
    assert_eq!(ok("x | int", json!("42")), json!(42));
    assert_eq!(ok("x | int", json!("3.7")), json!(3));
    assert_eq!(ok("x | int", json!("-3.7")), json!(-3));
    assert_eq!(ok("x | int", json!("abc")), json!(0));
    assert_eq!(ok("x | int", json!(true)), json!(0));
    assert_eq!(ok("x | int", json!("1e30")), json!(0));
    assert_eq!(ok("x | pad", json!(5)), json!("05"));
    assert_eq!(ok("x | pad(4)", json!("7")), json!("0007"));
    assert_eq!(ok("x | pad(3)", json!(-5)), json!("-05"));
    assert_eq!(ok("x | pad(2)", json!(3.7)), json!("03"));
    assert_eq!(ok("x | pad(3)", json!("abc")), json!("abc"));
    assert_eq!(ok("x | gt(3)", json!(5)), json!(true));
    assert_eq!(ok("x | lt(\"3\")", json!("10")), json!(false));
    assert_eq!(ok("x | gt(3)", json!("abc")), json!(false));
}

#[test]
fn comparisons_and_matching() {
    assert_eq!(ok("x | eq(\"1\")", json!(1)), json!(true));
    assert_eq!(ok("x | neq(\"a\")", json!("b")), json!(true));
    assert_eq!(ok("x | in(\"a\", \"b\")", json!("b")), json!(true));
    assert_eq!(ok("x | in(\"a\", \"b\")", json!("c")), json!(false));
    assert_eq!(ok("x | not", json!("")), json!(true));
    assert_eq!(ok("x | not", json!([1])), json!(false));
    assert_eq!(ok("x | match(\"[0-9]+\")", json!("ab123cd")), json!("123"));
    assert_eq!(ok("x | match(\"z\")", json!("abc")), json!(""));
    assert_eq!(ok("x | match(\"(\")", json!("abc")), json!(""));
    assert_eq!(ok("x | json_get(\"a\")", json!({ "a": 1 })), json!(1));
    assert_eq!(ok("x | json_get(\"a\")", json!("{\"a\": [1]}")), json!([1]));
    assert_eq!(ok("x | json_get(\"a\")", json!("not json")), json!(null));
}

#[test]
fn operators_and_references() {
    assert_eq!(
        ok("x.a == 1 and x.b != \"q\"", json!({ "a": 1.0, "b": "r" })),
        json!(true)
    );
    assert_eq!(
        ok("x.missing ?? \"fallback\"", json!({})),
        json!("fallback")
    );
    assert_eq!(
        ok(
            "x.items.name",
            json!({ "items": [{ "name": "a" }, { "name": "b" }] })
        ),
        json!(["a", "b"])
    );
    assert_eq!(ok("\"b\" in x", json!(["a", "b"])), json!(true));
    assert_eq!(ok("\"ell\" in x", json!("hello")), json!(true));
    assert_eq!(ok("\"z\" not in x", json!({ "a": 1 })), json!(true));
    assert_eq!(ok("x matches \"^h.*o$\"", json!("hello")), json!(true));
    assert_eq!(ok("x > 2 and x <= 3", json!(3)), json!(true));
    assert_eq!(
        ok("\"{x} items, first {x | first}\"", json!([7, 8])),
        json!("[7,8] items, first 7")
    );
    assert_eq!(ok("\"{x}\"", json!(5)), json!(5));
    assert_eq!(ok("30s", json!(null)), json!(30_000));
    assert_eq!(ok("[x, { k: x }]", json!(1)), json!([1, { "k": 1 }]));
    assert!(matches!(run("y", json!(1)), Err(EvalError::Undefined(name)) if name == "y"));
    assert!(matches!(
        run("x < \"a\"", json!(1)),
        Err(EvalError::Operands { .. })
    ));
    assert!(matches!(
        run("x | nope", json!(1)),
        Err(EvalError::UnknownPipe(_))
    ));
    assert!(matches!(
        run("x | upper(1)", json!(1)),
        Err(EvalError::PipeArity { .. })
    ));
}

#[test]
fn limits_stop_runaway_results() {
    let big = "a".repeat(600_000);
    assert!(matches!(
        run("x | replace(\"a\", \"bb\")", json!(big)),
        Err(EvalError::Limit(_))
    ));
    let chain = format!("x{}", " | upper".repeat(10));
    assert!(run(&chain, json!("a")).is_ok());
}

mod properties {
    use proptest::prelude::*;
    use serde_json::json;

    use crate::eval::{Limits, evaluate};

    const PIECES: &[&str] = &[
        "x",
        "x.a",
        "x.list",
        "x.list.name",
        "1",
        "-2.5",
        "\"s\"",
        "\"{x.a}\"",
        "null",
        "true",
        "30s",
        "4GiB",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        ",",
        ":",
        "k",
        "|",
        "upper",
        "first",
        "nth(1)",
        "join",
        "int",
        "pad(3)",
        "match(\"a+\")",
        "json_get(\"a\")",
        "replace(\"a\", \"bb\")",
        "flatten",
        "compact",
        "length",
        "default(1)",
        "in(\"a\")",
        "gt(1)",
        "not",
        "==",
        "!=",
        "<",
        ">=",
        "and",
        "or",
        "??",
        "in",
        "not in",
        "matches",
    ];

    proptest! {
        #[test]
        fn evaluation_never_panics(pieces in proptest::collection::vec(0..PIECES.len(), 1..30)) {
            let source: String = pieces.iter().map(|&p| PIECES[p]).collect::<Vec<_>>().join(" ");
            let file: pipec_grammar::diagnostic::FileName = "prop".into();
            if let Ok(expr) = pipec_grammar::parse_expr(&file, &source) {
                let plan = pipec_compiler::plan::lower_expr(&expr);
                let mut scope = serde_json::Map::new();
                scope.insert("x".into(), json!({ "a": "aaa", "list": [{ "name": "n" }, null, [1, 2]] }));
                let _ = evaluate(&plan, &scope, &Limits::default());
            }
        }
    }
}
