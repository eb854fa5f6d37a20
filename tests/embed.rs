//! Runs the embedding example's host: its own plugin, events, outputs.

#[path = "../examples/embed/host.rs"]
mod host;

#[test]
fn the_embedding_host_runs_its_own_plugin() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (outputs, nodes) = host::run_example(root).expect("the example runs");
    // groceries (9 words), plants (9), short (1), empty (0): sorted by path.
    assert_eq!(outputs["words"], serde_json::json!([0, 9, 9, 1]));
    assert_eq!(nodes.len(), 3);
    for node in ["files", "texts", "counts"] {
        assert!(
            nodes.iter().any(|n| n == node),
            "no event for {node}: {nodes:?}"
        );
    }
}

#[test]
fn a_program_with_mistakes_gives_the_checker_diagnostics() {
    let failure =
        pipec::embed::compile_source("bad.pipe", "pipeline p {\n  node a = ech(1)\n}\n", None)
            .expect_err("must not compile");
    assert_eq!(failure.diagnostics[0].code.as_str(), "E0104");
    assert!(
        failure.rendered.contains("did you mean `echo`?"),
        "{}",
        failure.rendered
    );
}
