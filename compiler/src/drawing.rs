//! The graph of a plan as text a person reads in a terminal, as Mermaid, and as DOT.

use std::fmt::Write;

use crate::plan::{Mode, Plan, PlanNode};

fn mode_text(node: &PlanNode) -> String {
    match &node.mode {
        Mode::Single => String::new(),
        Mode::Each {
            source,
            filter: None,
        } => format!("each {source}"),
        Mode::Each {
            source,
            filter: Some(_),
        } => format!("each {source} (filtered)"),
        Mode::Group { sources } => format!("group {} by origin", sources.join(", ")),
    }
}

fn edges(node: &PlanNode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for read in &node.reads {
        let kind = match &node.mode {
            Mode::Each { source, .. } if source == read => "each",
            Mode::Group { sources } if sources.contains(read) => "group",
            _ => "data",
        };
        out.push((read.clone(), kind));
    }
    out.extend(node.after.iter().map(|a| (a.clone(), "after")));
    out.extend(node.after_any.iter().map(|a| (a.clone(), "after any")));
    out
}

/// A drawing for a terminal: stages in order, each node with its operator,
/// mode, inputs and output shape, then the outputs.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "pipeline {} ({} nodes, {} stages)",
        plan.pipeline,
        plan.nodes.len(),
        plan.stages.len()
    );
    if !plan.inputs.is_empty() {
        let inputs: Vec<String> = plan
            .inputs
            .iter()
            .map(|i| format!("{}: {}", i.name, i.ty))
            .collect();
        let _ = writeln!(out, "  inputs: {}", inputs.join(", "));
    }
    // Nodes by name, found once each (a search per node would make a large
    // plan's drawing quadratic).
    let by_name: std::collections::HashMap<&str, &PlanNode> =
        plan.nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    for (n, stage) in plan.stages.iter().enumerate() {
        let _ = writeln!(out, "\nstage {n}");
        for name in stage {
            let Some(node) = by_name.get(name.as_str()).copied() else {
                continue;
            };
            let shape = if node.many {
                format!("many {}", node.item_type)
            } else {
                node.item_type.clone()
            };
            let mode = mode_text(node);
            let _ = writeln!(
                out,
                "  {} = {}{}",
                node.name,
                node.plugin.name(),
                if mode.is_empty() {
                    String::new()
                } else {
                    format!("  [{mode}]")
                }
            );
            for (from, kind) in edges(node) {
                let _ = writeln!(out, "      <- {from} ({kind})");
            }
            let _ = writeln!(out, "      -> {shape}");
        }
    }
    if !plan.outputs.is_empty() {
        let _ = writeln!(out, "\noutputs");
        for o in &plan.outputs {
            let _ = writeln!(out, "  {}: {}", o.name, o.ty);
        }
    }
    out
}

/// `name`, operator and mode, joined by `separator` (a line break of the format).
fn node_label(node: &PlanNode, separator: &str) -> String {
    let mut parts = vec![node.name.clone(), node.plugin.name().to_string()];
    let mode = mode_text(node);
    if !mode.is_empty() {
        parts.push(mode);
    }
    parts.join(separator)
}

fn escape(text: &str) -> String {
    text.replace('"', "'")
}

/// A Mermaid flowchart.
pub fn mermaid(plan: &Plan) -> String {
    let mut out = String::from("flowchart TD\n");
    for node in &plan.nodes {
        let label = node_label(node, "<br/>");
        let _ = writeln!(out, "  {}[\"{}\"]", node.name, escape(&label));
    }
    for node in &plan.nodes {
        for (from, kind) in edges(node) {
            let arrow = if kind.starts_with("after") {
                "-.->"
            } else {
                "-->"
            };
            if kind == "data" {
                let _ = writeln!(out, "  {from} {arrow} {}", node.name);
            } else {
                let _ = writeln!(out, "  {from} {arrow}|{kind}| {}", node.name);
            }
        }
    }
    out
}

/// A Graphviz DOT digraph.
pub fn dot(plan: &Plan) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];\n",
        escape(&plan.pipeline)
    );
    for node in &plan.nodes {
        let label = node_label(node, "\\n");
        let _ = writeln!(out, "  \"{}\" [label=\"{}\"];", node.name, escape(&label));
    }
    for node in &plan.nodes {
        for (from, kind) in edges(node) {
            let style = if kind.starts_with("after") {
                ", style=dashed"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{from}\" -> \"{}\" [label=\"{kind}\"{style}];",
                node.name
            );
        }
    }
    out.push_str("}\n");
    out
}
