//! A plan's dependencies as positions in its node list, for executors: which
//! nodes each node waits for and reads (and whether a skip of a read node
//! skips it), who waits for each node, and which nodes the outputs read.
//! Computed once per plan ([`crate::plan::Plan::links`]), so a run does no
//! name lookups.

use rustc_hash::FxHashMap;

use crate::plan::{Mode, Plan, PlanExpr, PlanNode, TemplatePart};

/// The dependencies of one node, as positions in [`Plan::nodes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeLinks {
    /// Nodes it reads, each with whether a skip of it skips this node: read
    /// outside `??`, or iterated (`each`) or grouped.
    pub reads: Vec<(usize, bool)>,
    /// Nodes it runs after (`after`).
    pub after: Vec<usize>,
    /// Nodes of which the first to finish starts it (`after any`).
    pub after_any: Vec<usize>,
    /// The node `each` iterates, or the nodes `group` groups.
    pub sources: Vec<usize>,
    /// Nodes that wait for this one, each once, in plan order.
    pub dependents: Vec<usize>,
    /// How many nodes read this one (ordering-only waits excluded) plus how
    /// many outputs do.
    pub readers: usize,
}

impl NodeLinks {
    /// Every node waited for (with repeats).
    pub fn waits(&self) -> impl Iterator<Item = usize> + '_ {
        self.reads
            .iter()
            .map(|r| r.0)
            .chain(self.after.iter().copied())
            .chain(self.after_any.iter().copied())
    }
}

/// The dependencies of every node of a plan, and what its outputs read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanLinks {
    /// One entry per node, in plan order.
    pub nodes: Vec<NodeLinks>,
    /// Nodes the outputs read, each once.
    pub outputs: Vec<usize>,
}

impl PlanLinks {
    /// Resolves `plan`'s names to positions; names that are not nodes of the
    /// plan are left out (nothing waits for them).
    pub fn of(plan: &Plan) -> Self {
        let index: FxHashMap<&str, usize> = plan
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let resolve = |names: &[String]| -> Vec<usize> {
            names
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect()
        };
        let mut nodes: Vec<NodeLinks> = plan
            .nodes
            .iter()
            .map(|node| {
                let soft = soft_reads(node);
                let sources = match &node.mode {
                    Mode::Each { source, .. } => resolve(std::slice::from_ref(source)),
                    Mode::Group { sources } => resolve(sources),
                    Mode::Single => Vec::new(),
                };
                NodeLinks {
                    reads: node
                        .reads
                        .iter()
                        .filter_map(|r| {
                            let i = *index.get(r.as_str())?;
                            Some((i, soft.binary_search(&r.as_str()).is_err()))
                        })
                        .collect(),
                    after: resolve(&node.after),
                    after_any: resolve(&node.after_any),
                    sources,
                    dependents: Vec::new(),
                    readers: 0,
                }
            })
            .collect();
        for n in 0..nodes.len() {
            let mut read: Vec<usize> = nodes[n].reads.iter().map(|r| r.0).collect();
            read.sort_unstable();
            read.dedup();
            for r in read {
                nodes[r].readers += 1;
            }
            let mut waits: Vec<usize> = nodes[n].waits().collect();
            waits.sort_unstable();
            waits.dedup();
            for w in waits {
                nodes[w].dependents.push(n);
            }
        }
        let mut outputs = Vec::new();
        for output in &plan.outputs {
            output.value.visit_refs(false, &mut |name, _| {
                if let Some(&i) = index.get(name) {
                    outputs.push(i);
                }
            });
        }
        for output in &plan.outputs {
            let mut read = Vec::new();
            output.value.visit_refs(false, &mut |name, _| {
                if let Some(&i) = index.get(name) {
                    read.push(i);
                }
            });
            read.sort_unstable();
            read.dedup();
            for r in read {
                nodes[r].readers += 1;
            }
        }
        outputs.sort_unstable();
        outputs.dedup();
        PlanLinks { nodes, outputs }
    }
}

/// Where a table operator's result is computed: fused into the plan of the
/// one table node that reads it, or materialised (and why). The executor
/// follows this rule; `pipec plan` shows it.
pub fn table_step(plan: &Plan, position: usize) -> Option<String> {
    let node = plan.nodes.get(position)?;
    let crate::analyze::Callee::Builtin { name } = &node.plugin else {
        return None;
    };
    if !pipec_stdlib::TABLE_OPERATORS.contains(&name.as_str()) {
        return None;
    }
    let links = plan.links();
    let readers = links.nodes[position].readers;
    Some(if name.starts_with("write_") {
        "materialised: written".into()
    } else if name == "rows" {
        "materialised: rows".into()
    } else if readers >= 2 {
        format!("materialised: read by {readers} (computed once, kept in memory)")
    } else if readers == 0 {
        "unused".into()
    } else if links.outputs.contains(&position) {
        "materialised: output".into()
    } else {
        let reader = links.nodes[position]
            .dependents
            .iter()
            .find(|&&d| links.nodes[d].reads.iter().any(|r| r.0 == position))
            .map(|&d| &plan.nodes[d]);
        match reader {
            Some(reader) if is_table_operator(reader) => format!("fused into `{}`", reader.name),
            Some(reader) => format!("materialised: rows for `{}`", reader.name),
            None => "unused".into(),
        }
    })
}

fn is_table_operator(node: &PlanNode) -> bool {
    matches!(&node.plugin, crate::analyze::Callee::Builtin { name }
        if pipec_stdlib::TABLE_OPERATORS.contains(&name.as_str()) && !name.starts_with("write_") && name != "rows")
}

/// The names a node reads only under `??` (a skip of one of them does not
/// skip the node), sorted. Every other read is needed: read outside `??`,
/// iterated, grouped, or named as a table in `sql` text.
fn soft_reads(node: &PlanNode) -> Vec<&str> {
    let mut protected: Vec<&str> = Vec::new();
    let mut needed: Vec<&str> = Vec::new();
    let mut found = |name, under_coalesce: bool| {
        if under_coalesce {
            protected.push(name)
        } else {
            needed.push(name)
        }
    };
    for binding in &node.bindings {
        binding.value.visit_refs(binding.optional, &mut found);
    }
    if let Some(when) = &node.when {
        when.visit_refs(false, &mut found);
    }
    match &node.mode {
        Mode::Each { source, .. } => needed.push(source),
        Mode::Group { sources } => needed.extend(sources.iter().map(String::as_str)),
        Mode::Single => {}
    }
    needed.sort_unstable();
    protected.retain(|name| needed.binary_search(name).is_err());
    protected.sort_unstable();
    protected.dedup();
    protected
}

impl PlanExpr {
    /// Calls `found` with the first name of every reference in the expression
    /// and whether it sits under `??` (`protected`, which starts as given).
    pub fn visit_refs<'p>(&'p self, protected: bool, found: &mut impl FnMut(&'p str, bool)) {
        match self {
            PlanExpr::Ref(path) => {
                if let Some(head) = path.first() {
                    found(head, protected);
                }
            }
            PlanExpr::Binary { op, lhs, rhs } => {
                let coalesce = op == "??";
                lhs.visit_refs(protected || coalesce, found);
                rhs.visit_refs(protected || coalesce, found);
            }
            PlanExpr::Template(parts) => parts.iter().for_each(|part| {
                if let TemplatePart::Value(value) = part {
                    value.visit_refs(protected, found)
                }
            }),
            PlanExpr::List(items) => items.iter().for_each(|i| i.visit_refs(protected, found)),
            PlanExpr::Record(fields) => fields
                .iter()
                .for_each(|(_, v)| v.visit_refs(protected, found)),
            PlanExpr::Pipe { value, args, .. } => {
                value.visit_refs(protected, found);
                args.iter().for_each(|a| a.visit_refs(protected, found));
            }
            PlanExpr::Not(inner) => inner.visit_refs(protected, found),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PlanLinks;
    use crate::plan::Plan;

    fn plan(source: &str) -> Plan {
        let mut db = crate::Database::new();
        let file = db.set_source(
            std::path::Path::new("/links-test/test.pipe"),
            source.as_bytes().to_vec(),
        );
        match crate::compile::compile(&db, file, None) {
            Ok(compiled) => compiled.plan,
            Err(error) => panic!("{error:?}"),
        }
    }

    fn position(plan: &Plan, name: &str) -> usize {
        plan.nodes
            .iter()
            .position(|n| n.name == name)
            .expect("node")
    }

    #[test]
    fn reads_under_coalesce_do_not_skip_and_dependents_are_listed_once() {
        let plan = plan(
            "pipeline p {
  node a = echo(1)
  node b = echo(2)
  node c = echo([a.value, a.value, b.value ?? 0])
  node d = echo(c.value) { after any(a, b) }
  output out = d.value
}",
        );
        let links = plan.links();
        let (a, b, c, d) = (
            position(&plan, "a"),
            position(&plan, "b"),
            position(&plan, "c"),
            position(&plan, "d"),
        );
        let mut reads = links.nodes[c].reads.clone();
        reads.sort_unstable();
        let mut expected = vec![(a, true), (b, false)];
        expected.sort_unstable();
        assert_eq!(reads, expected, "b is read only under ??");
        assert_eq!(links.nodes[a].dependents, {
            let mut v = vec![c, d];
            v.sort_unstable();
            v
        });
        assert_eq!(links.nodes[d].after_any.len(), 2);
        assert_eq!(links.outputs, vec![d]);
        assert_eq!(
            *links,
            PlanLinks::of(&plan),
            "the cache holds what `of` computes"
        );
    }

    #[test]
    fn tables_named_in_sql_text_are_needed() {
        let plan = plan(
            "pipeline p {
  node t = to_table([{ n: 1 }])
  node u = to_table([{ n: 2 }])
  node q = sql(\"select * from t join u using (n)\")
  output out = q
}",
        );
        let links = plan.links();
        let q = position(&plan, "q");
        assert!(
            links.nodes[q].reads.iter().all(|&(_, hard)| hard),
            "a skip or failure of t or u must skip q: {:?}",
            links.nodes[q].reads
        );
        assert_eq!(links.nodes[q].reads.len(), 2);
    }

    #[test]
    fn a_clone_resolves_its_own_links() {
        let plan = plan("pipeline p {\n  node a = echo(1)\n  node b = echo(a.value)\n}");
        let before = plan.links().clone();
        let mut changed = plan.clone();
        changed.nodes.reverse();
        assert_ne!(
            *changed.links(),
            before,
            "the clone did not keep the old positions"
        );
        let mut back = changed.clone();
        back.nodes.reverse();
        assert_eq!(plan, back, "equality ignores the cache");
    }
}
