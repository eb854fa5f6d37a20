//! A deterministic, realistic `.pipe` source of any size, shared by the benchmarks.

/// A pipeline of `nodes` nodes (about 100 bytes each) with references,
/// pipes, templates, clauses and doc comments.
pub fn large_source(nodes: usize) -> String {
    let mut out = String::with_capacity(nodes * 110);
    out.push_str("// Generated benchmark source.\n\n/// A large pipeline.\npipeline large {\n");
    out.push_str("  input prefix: string = \"item\"\n  input enabled: bool = true\n\n");
    out.push_str("  node n0 = list_files(\"in\", glob: \"*\")\n");
    for i in 1..nodes {
        let a = i - 1;
        let b = i.saturating_sub(3);
        match i % 4 {
            0 => out.push_str(&format!(
                "  /// Node {i}.\n  node n{i} = echo(n{a}.value | default(\"x\") | upper, label: \"{{input.prefix}}-{{n{b}.id}}\")\n"
            )),
            1 => out.push_str(&format!(
                "  node n{i} = read_text(n{a}.path) {{ each n{a} where n{a}.ext in [\".txt\", \".md\"] }}\n"
            )),
            2 => out.push_str(&format!(
                "  node n{i} = write_json(\"out/{i}.json\", {{ a: n{a}.text, b: n{b}.text | length }}) {{ retry 2 backoff 1s }}\n"
            )),
            _ => out.push_str(&format!(
                "  node n{i} = echo(n{a} ?? n{b}) {{ when input.enabled and n{b}.count > {i} }}\n"
            )),
        }
    }
    out.push_str(&format!("\n  output last = n{}\n}}\n", nodes - 1));
    out
}

/// A pipeline of `nodes` nodes with three references each (30,000 for
/// 10,000 nodes), for the analysis benchmark. `marker` is the argument of
/// the middle node, so that an edit can change one node only.
pub fn referencing_source(nodes: usize, marker: u64) -> String {
    let mut out = String::with_capacity(nodes * 90);
    out.push_str("pipeline refs {\n  input seed: int = 1\n  node n0 = echo(input.seed)\n  node n1 = echo(n0.value)\n  node n2 = echo(n1.value)\n");
    for i in 3..nodes {
        if i == nodes / 2 {
            out.push_str(&format!(
                "  node n{i} = echo({{ a: n{}.value, b: n{}.value, c: n{}.value, m: {marker} }})\n",
                i - 1,
                i - 2,
                i - 3
            ));
        } else {
            out.push_str(&format!(
                "  node n{i} = echo({{ a: n{}.value, b: n{}.value, c: n{}.value }})\n",
                i - 1,
                i - 2,
                i - 3
            ));
        }
    }
    out.push_str(&format!("  output last = n{}\n}}\n", nodes - 1));
    out
}
