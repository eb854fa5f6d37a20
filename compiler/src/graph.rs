//! The dependency graph of a pipeline (petgraph): cycles, groups, unused nodes.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use pipec_grammar::diagnostic::{Diagnostic, FileName};

use crate::analyze::{Callee, DepKind, PipelineInfo};
use crate::codes;

/// The graph of a pipeline: one vertex per node, one edge per dependency
/// (from the node depended on to the node that depends on it).
pub struct Graph {
    /// The petgraph graph; vertex weights are indices into `PipelineInfo::nodes`.
    pub graph: DiGraph<usize, DepKind>,
    /// Vertex of each node, by name.
    pub index: HashMap<String, NodeIndex>,
}

/// Builds the graph of a pipeline.
pub fn build(info: &PipelineInfo) -> Graph {
    let mut graph = DiGraph::new();
    let mut index = HashMap::new();
    for (n, node) in info.nodes.iter().enumerate() {
        index
            .entry(node.name.clone())
            .or_insert_with(|| graph.add_node(n));
    }
    for node in &info.nodes {
        let Some(&to) = index.get(&node.name) else {
            continue;
        };
        for dep in &node.deps {
            if let Some(&from) = index.get(&dep.node)
                && graph.find_edge(from, to).is_none()
            {
                graph.add_edge(from, to, dep.kind);
            }
        }
    }
    Graph { graph, index }
}

/// Checks a pipeline's graph: cycles, groups without a common root, unused nodes.
pub fn check(info: &PipelineInfo, file: &FileName, diagnostics: &mut Vec<Diagnostic>) {
    let graph = build(info);

    // Cycles: every strongly connected component with more than one node, or a self edge.
    for component in petgraph::algo::tarjan_scc(&graph.graph) {
        let cyclic = component.len() > 1 || graph.graph.contains_edge(component[0], component[0]);
        if !cyclic {
            continue;
        }
        let mut members: Vec<usize> = component.iter().map(|&v| graph.graph[v]).collect();
        members.sort_unstable();
        let path = cycle_path(info, &members);
        let first = &info.nodes[members[0]];
        let mut d = Diagnostic::new(
            codes::DEPENDENCY_CYCLE,
            format!("these nodes depend on each other in a cycle: {path}"),
            file,
            first.span,
        )
        .with_label("part of the cycle")
        .with_help("break the cycle: one of these nodes must not read the next");
        for &m in &members[1..] {
            let node = &info.nodes[m];
            d = d.with_secondary(file, node.span, "also in the cycle");
        }
        diagnostics.push(d);
    }

    // Groups: the grouped nodes must descend (through `each`) from one root.
    for node in &info.nodes {
        let grouped: Vec<_> = node
            .deps
            .iter()
            .filter(|d| d.kind == DepKind::Group)
            .collect();
        if grouped.len() < 2 {
            continue;
        }
        let roots: Vec<Option<String>> =
            grouped.iter().map(|d| root_of(info, &d.node, 0)).collect();
        if roots.windows(2).any(|w| w[0] != w[1]) {
            let describe = |r: &Option<String>| {
                r.as_ref()
                    .map_or("no node with many items".to_string(), |r| format!("`{r}`"))
            };
            let mut d = Diagnostic::new(
                codes::GROUP_WITHOUT_COMMON_ROOT,
                format!(
                    "`{}` groups nodes that do not descend from one root",
                    node.name
                ),
                file,
                grouped[0].span,
            )
            .with_label(format!("descends from {}", describe(&roots[0])))
            .with_help("group nodes whose `each` chains start at the same node with many items");
            for (dep, root) in grouped.iter().zip(&roots).skip(1) {
                d = d.with_secondary(file, dep.span, format!("descends from {}", describe(root)));
            }
            diagnostics.push(d);
        }
    }

    // Unused pure nodes.
    let read: std::collections::HashSet<&str> = info
        .nodes
        .iter()
        .flat_map(|n| n.deps.iter().map(|d| d.node.as_str()))
        .chain(
            info.outputs
                .iter()
                .flat_map(|o| o.deps.iter().map(|d| d.node.as_str())),
        )
        .collect();
    for node in &info.nodes {
        let pure =
            matches!(&node.callee, Some(Callee::Builtin { name }) if pipec_stdlib::is_pure(name));
        if pure && !read.contains(node.name.as_str()) {
            diagnostics.push(
                Diagnostic::new(
                    codes::UNUSED_NODE,
                    format!("the result of node `{}` is never used", node.name),
                    file,
                    node.span,
                )
                .with_label("nothing reads this node")
                .with_help("read it from another node, make it an `output`, or remove it"),
            );
        }
    }
}

/// The root a node's items descend from: the first node with many items
/// that is not itself an `each` over another.
pub fn root_of(info: &PipelineInfo, name: &str, depth: usize) -> Option<String> {
    let node = info.node(name)?;
    if depth > info.nodes.len() {
        return None;
    }
    match node.deps.iter().find(|d| d.kind == DepKind::Each) {
        Some(each) => root_of(info, &each.node, depth + 1).or_else(|| Some(each.node.clone())),
        None if node.many => Some(node.name.clone()),
        None => None,
    }
}

/// `a -> b -> a`, following dependencies inside the cycle's members.
fn cycle_path(info: &PipelineInfo, members: &[usize]) -> String {
    let names: Vec<&str> = members
        .iter()
        .map(|&m| info.nodes[m].name.as_str())
        .collect();
    let start = names[0];
    let mut path = vec![start];
    let mut current = start;
    for _ in 0..names.len() {
        let node = info.node(current);
        let next = node.and_then(|n| {
            n.deps
                .iter()
                .map(|d| d.node.as_str())
                .find(|d| names.contains(d) && (!path.contains(d) || *d == start))
        });
        match next {
            Some(next) => {
                path.push(next);
                if next == start {
                    break;
                }
                current = next;
            }
            None => break,
        }
    }
    // Dependencies point backwards (a reads b): show the flow forwards.
    path.reverse();
    path.join(" -> ")
}
