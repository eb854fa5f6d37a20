//! The values a run's expressions see: the base scope (inputs, secrets,
//! run, constants), table inputs made tables, the values of upstream nodes
//! layered over it, and which outputs can be computed after a failure.

use pipec_compiler::analyze::Callee;
use pipec_compiler::links::{NodeLinks, PlanLinks};
use pipec_compiler::plan::{Mode, Plan, PlanExpr, PlanNode};
use serde_json::{Map, Value, json};

use super::{NodeRun, RunError, RunOptions};
use crate::eval::{Limits, Scope, evaluate};
use crate::plugins::{Args, Registry};
use crate::store::NodeState;
use crate::tables::Engine;
use crate::text::truthy;

/// A `table` input given as a file's path (`--input sales=orders.csv`) or
/// as rows (a JSON array of records) becomes a table of the run: the file
/// read by its extension (`.csv`, `.parquet`, `.json`/`.ndjson`), the rows
/// made a table as `to_table` makes them. A table (from a calling
/// pipeline) stays as it is.
pub(super) fn table_inputs(
    plan: &Plan,
    base: &mut Map<String, Value>,
    engine: &Engine,
    options: &RunOptions,
) -> Result<(), RunError> {
    let Some(Value::Object(inputs)) = base.get_mut("input") else {
        return Ok(());
    };
    for input in &plan.inputs {
        if !input.ty.starts_with("table") {
            continue;
        }
        let Some(value) = inputs.get_mut(&input.name) else {
            continue;
        };
        let mut args = Args::new();
        let operator = match value {
            Value::String(path) => {
                let extension = std::path::Path::new(path.as_str())
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase());
                let operator = match extension.as_deref() {
                    Some("csv") => "read_csv",
                    Some("parquet") => "read_parquet",
                    Some("json" | "ndjson" | "jsonl") => "read_json",
                    _ => {
                        return Err(RunError::Input(format!(
                            "input `{}` is a table: give a .csv, .parquet or .json file (or rows as a JSON array), not `{path}`",
                            input.name
                        )));
                    }
                };
                args.insert("path".into(), value.clone());
                operator
            }
            Value::Array(_) => {
                args.insert("items".into(), value.clone());
                "to_table"
            }
            _ => continue,
        };
        let tables = engine.get(&options.tables).map_err(RunError::Input)?;
        *value = tables
            .run(&format!("input.{}", input.name), operator, &args, 1)
            .map_err(|e| RunError::Input(format!("input `{}`: {e}", input.name)))?;
    }
    Ok(())
}

/// The scope every expression starts from: inputs, secrets, run, config, constants.
pub(super) fn base_scope(
    plan: &Plan,
    options: &RunOptions,
    registry: &Registry,
    limits: &Limits,
) -> Result<Map<String, Value>, RunError> {
    let mut scope = Map::new();
    scope.insert(
        "input".into(),
        Value::Object(crate::inputs::validate(plan, &options.inputs, limits)?),
    );
    let mut secrets = Map::new();
    for name in &plan.secrets {
        let value = options
            .secrets
            .get(name)
            .cloned()
            .ok_or_else(|| RunError::MissingSecret(name.clone(), name.to_ascii_uppercase()))?;
        secrets.insert(name.clone(), Value::String(value));
    }
    scope.insert("secret".into(), Value::Object(secrets));
    scope.insert(
        "run".into(),
        json!({ "id": options.run_id, "pipeline": plan.pipeline, "started": now_unix_seconds() }),
    );
    scope.insert("config".into(), Value::Object(Map::new()));
    // Constants may read earlier ones; a few passes settle any order.
    let mut pending: Vec<&(String, PlanExpr)> = plan.constants.iter().collect();
    for _ in 0..=plan.constants.len() {
        let mut left = Vec::new();
        for constant in pending {
            match evaluate(&constant.1, &scope, limits) {
                Ok(value) => {
                    scope.insert(constant.0.clone(), value);
                }
                Err(_) => left.push(constant),
            }
        }
        pending = left;
        if pending.is_empty() {
            break;
        }
    }
    if let Some((name, expr)) = pending.first() {
        let error = evaluate(expr, &scope, limits)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return Err(RunError::Constant(name.clone(), error));
    }
    for node in &plan.nodes {
        if let Callee::Host { name, .. } = &node.plugin
            && registry.get(name).is_none()
        {
            return Err(RunError::MissingPlugin {
                node: node.name.clone(),
                plugin: name.clone(),
            });
        }
    }
    Ok(scope)
}

fn now_unix_seconds() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{secs}")
}

/// The value of node `name` as seen from a task (`each`/`group` handled by
/// the caller), through the reading node's `all NAME where COND` filter if
/// it has one: a condition that cannot be evaluated for an item is an
/// error naming the item, never a silent `false`.
pub(super) fn node_value(
    name: &str,
    node_index: usize,
    plan: &Plan,
    nodes: &[NodeRun],
    filter: Option<&PlanExpr>,
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<Value, String> {
    let run = &nodes[node_index];
    if run.state != NodeState::Completed && run.state != NodeState::Filtered {
        return Ok(Value::Null);
    }
    let producer = &plan.nodes[node_index];
    let many = producer.many || !matches!(producer.mode, Mode::Single);
    let keeps = |index: usize, item: &Value| -> Result<bool, String> {
        let Some(filter) = filter else {
            return Ok(true);
        };
        let item_scope = Layer {
            base: scope,
            name,
            value: item,
        };
        evaluate(filter, &item_scope, limits)
            .map(|v| truthy(&v))
            .map_err(|e| {
                format!(
                    "`all {name} where ...`: item {index} of `{name}` ({}): {e}",
                    super::tasks::item_label(item, &super::tasks::secret_values(scope))
                )
            })
    };
    if !many {
        // One value: the condition holds for it, or the node sees null.
        return match run.items.first() {
            Some(item) if keeps(0, &item.value)? => Ok(item.value.clone()),
            _ => Ok(Value::Null),
        };
    }
    let mut kept = Vec::new();
    for (index, item) in run.items.iter().enumerate() {
        if keeps(index, &item.value)? {
            kept.push(item.value.clone());
        }
    }
    Ok(Value::Array(kept))
}

/// The values of the nodes a node reads (without its `each`/`group` items),
/// to be layered over the base scope.
pub(super) fn node_values<'p>(
    plan: &'p Plan,
    node: &PlanNode,
    node_links: &NodeLinks,
    nodes: &[NodeRun],
    base: &Map<String, Value>,
    limits: &Limits,
) -> Result<Vec<(&'p str, Value)>, String> {
    let mut values = Vec::with_capacity(node_links.reads.len());
    // `each` and `group` sources are bound per task: building their whole
    // list here would be copied into every task's scope.
    for &(i, _) in &node_links.reads {
        if !node_links.sources.contains(&i) {
            let name = plan.nodes[i].name.as_str();
            let filter = node.bindings.iter().find_map(|b| b.filters.get(name));
            values.push((
                name,
                node_value(name, i, plan, nodes, filter, base, limits)?,
            ));
        }
    }
    Ok(values)
}

/// The names of the nodes that did not finish (failed, cancelled, or never
/// settled), and of those skipped because they read one of them: none when
/// the run went through.
pub(super) fn unfinished_nodes<'p>(
    plan: &'p Plan,
    links: &PlanLinks,
    nodes: &[NodeRun],
) -> Vec<&'p str> {
    let mut unfinished: Vec<bool> = nodes
        .iter()
        .map(|run| {
            matches!(
                run.state,
                NodeState::Failed | NodeState::Cancelled | NodeState::Pending | NodeState::Running
            )
        })
        .collect();
    // Skips cascade along reads, in any order of the plan: until none is added.
    let mut added = true;
    while added {
        added = false;
        for (n, run) in nodes.iter().enumerate() {
            if !unfinished[n]
                && run.state == NodeState::Skipped
                && links.nodes[n]
                    .reads
                    .iter()
                    .any(|&(r, hard)| hard && unfinished[r])
            {
                unfinished[n] = true;
                added = true;
            }
        }
    }
    plan.nodes
        .iter()
        .zip(unfinished)
        .filter(|(_, unfinished)| *unfinished)
        .map(|(node, _)| node.name.as_str())
        .collect()
}

/// Whether `value` reads one of `unfinished` outside `??` (which takes
/// whichever side has a value).
pub(super) fn reads_any(value: &PlanExpr, unfinished: &[&str]) -> bool {
    let mut reads = false;
    if !unfinished.is_empty() {
        value.visit_refs(false, &mut |name, protected| {
            reads |= !protected && unfinished.contains(&name);
        });
    }
    reads
}

/// The values outputs see besides the base scope: the nodes they read.
pub(super) fn output_values<'p>(
    plan: &'p Plan,
    read: &[usize],
    nodes: &[NodeRun],
    base: &Map<String, Value>,
) -> Vec<(&'p str, Value)> {
    read.iter()
        .map(|&i| {
            let name = plan.nodes[i].name.as_str();
            let value = node_value(name, i, plan, nodes, None, base, &Limits::default())
                .unwrap_or(Value::Null);
            (name, value)
        })
        .collect()
}

/// One name bound over a scope (an `each` task's item), without copying the scope.
pub(super) struct Layer<'a> {
    pub(super) base: &'a dyn Scope,
    pub(super) name: &'a str,
    pub(super) value: &'a Value,
}

impl Scope for Layer<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        if name == self.name {
            Some(self.value)
        } else {
            self.base.get(name)
        }
    }
}

/// Names bound over a scope (a node's upstream values, a `group` task's lists).
pub(super) struct Layers<'a, Top: Scope + ?Sized> {
    pub(super) base: &'a dyn Scope,
    pub(super) top: &'a Top,
}

/// A few bound names, searched in order (cheaper than a map for a handful).
impl Scope for [(&str, Value)] {
    fn get(&self, name: &str) -> Option<&Value> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl<Top: Scope + ?Sized> Scope for Layers<'_, Top> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.top.get(name).or_else(|| self.base.get(name))
    }
}
