//! Forming a node's tasks once what it waits for has settled (skips,
//! guards, `each`/`group` items and their filters, arguments bound), and
//! turning finished tasks into the node's items.

use pipec_compiler::analyze::Callee;
use pipec_compiler::links::NodeLinks;
use pipec_compiler::plan::{Mode, Plan, PlanExpr, PlanNode};
use serde_json::{Map, Value};

use super::scope::{Layer, Layers, node_values};
use super::sql_params::{aggregate_values_with_params, sql_with_params};
use super::{Item, NodeRun, Task};
use crate::eval::{Limits, Scope, evaluate};
use crate::plugins::Args;
use crate::store::NodeState;
use crate::tables::{ITEM_COLUMNS_ARG, SQL_PARAMS_ARG, SQL_TABLES_ARG, holds_table};
use crate::text::truthy;

/// Why a node gets no tasks: the state it settles in.
pub(super) enum NoTasks {
    Skipped,
    Filtered,
    Cancelled,
    /// Forming its tasks failed (a guard, filter or argument did not evaluate).
    Failed(String),
}

impl NoTasks {
    pub(super) fn state(&self) -> NodeState {
        match self {
            NoTasks::Skipped => NodeState::Skipped,
            NoTasks::Filtered => NodeState::Filtered,
            NoTasks::Cancelled => NodeState::Cancelled,
            NoTasks::Failed(_) => NodeState::Failed,
        }
    }
}

/// Decides a node: its tasks, or a final state without tasks.
pub(super) fn form_tasks(
    plan: &Plan,
    node: &PlanNode,
    node_links: &NodeLinks,
    nodes: &[NodeRun],
    base: &Map<String, Value>,
    limits: &Limits,
) -> Result<Vec<Task>, NoTasks> {
    let unusable = |&i: &usize| {
        matches!(
            nodes[i].state,
            NodeState::Skipped | NodeState::Failed | NodeState::Cancelled
        )
    };
    // Skips cascade through what the node needs, not through `??` or `after any`.
    if node_links.reads.iter().any(|r| r.1 && unusable(&r.0))
        || node_links.after.iter().any(unusable)
    {
        return Err(NoTasks::Skipped);
    }
    // `after any(...)` runs once one of them completed or was filtered
    // (as `after` of a filtered node runs); skipped only when none did.
    if !node_links.after_any.is_empty()
        && !node_links
            .after_any
            .iter()
            .any(|&i| matches!(nodes[i].state, NodeState::Completed | NodeState::Filtered))
    {
        return Err(NoTasks::Skipped);
    }
    let values =
        node_values(plan, node, node_links, nodes, base, limits).map_err(NoTasks::Failed)?;
    let scope = Layers {
        base,
        top: values.as_slice(),
    };
    if let Some(when) = &node.when {
        match evaluate(when, &scope, limits) {
            Ok(v) if truthy(&v) => {}
            Ok(_) => return Err(NoTasks::Skipped),
            Err(e) => return Err(NoTasks::Failed(format!("`when`: {e}"))),
        }
    }
    let sql_operator = match &node.plugin {
        Callee::Builtin { name } if matches!(name.as_str(), "sql" | "filter" | "aggregate") => {
            Some(name.as_str())
        }
        _ => None,
    };
    let bind = |scope: &dyn Scope| -> Result<Args, NoTasks> {
        let mut args = Args::new();
        for binding in &node.bindings {
            let failed = |e: String| NoTasks::Failed(format!("argument `{}`: {e}", binding.param));
            let value = match (&binding.value, sql_operator, binding.param.as_str()) {
                (PlanExpr::Template(parts), Some("sql" | "filter"), "query" | "predicate") => {
                    sql_with_params(parts, scope, limits).map_err(failed)?
                }
                // An aggregate's values share one numbering of parameters.
                (PlanExpr::Record(fields), Some("aggregate"), "values") => {
                    let (texts, params) =
                        aggregate_values_with_params(fields, scope, limits).map_err(failed)?;
                    if !params.values.is_empty() {
                        args.insert(
                            SQL_PARAMS_ARG.into(),
                            serde_json::json!({ "params": params.values, "written": params.written }),
                        );
                    }
                    texts
                }
                _ => evaluate(&binding.value, scope, limits).map_err(|e| failed(e.to_string()))?,
            };
            args.insert(binding.param.clone(), value);
        }
        if sql_operator == Some("sql") {
            // The pipeline's table inputs by their names, then the upstream
            // tables the query names, by node name (a node before an input
            // of the same name).
            let mut tables: Map<String, Value> = match base.get("input") {
                Some(Value::Object(inputs)) => inputs
                    .iter()
                    .filter(|(_, v)| holds_table(v))
                    .map(|(name, v)| (name.clone(), v.clone()))
                    .collect(),
                _ => Map::new(),
            };
            tables.extend(
                values
                    .iter()
                    .filter(|(_, v)| holds_table(v))
                    .map(|(name, v)| (name.to_string(), v.clone())),
            );
            args.insert(SQL_TABLES_ARG.into(), Value::Object(tables));
        }
        if !node.item_columns.is_empty() {
            let columns = serde_json::to_value(&node.item_columns).unwrap_or(Value::Null);
            args.insert(ITEM_COLUMNS_ARG.into(), columns);
        }
        Ok(args)
    };
    match &node.mode {
        Mode::Single => Ok(vec![Task {
            args: bind(&scope)?,
            origin: None,
            label: None,
        }]),
        Mode::Each { source, filter } => {
            let Some(&s) = node_links.sources.first() else {
                return Err(NoTasks::Filtered);
            };
            let mut tasks = Vec::new();
            // Hidden in item labels; read once per node, not per item.
            let secrets = secret_values(&scope);
            for (index, item) in nodes[s].items.iter().enumerate() {
                // The item over the node's scope, without copying the scope.
                let task_scope = Layer {
                    base: &scope,
                    name: source,
                    value: &item.value,
                };
                // A failure names the item it met, among many.
                let at_item = |message: String| {
                    NoTasks::Failed(format!(
                        "item {index} of `{source}` ({}): {message}",
                        short_json(&item.value, &secrets)
                    ))
                };
                if let Some(filter) = filter {
                    match evaluate(filter, &task_scope, limits) {
                        Ok(v) if truthy(&v) => {}
                        Ok(_) => continue,
                        Err(e) => return Err(at_item(format!("`where`: {e}"))),
                    }
                }
                let args = bind(&task_scope).map_err(|no_tasks| match no_tasks {
                    NoTasks::Failed(message) => at_item(message),
                    other => other,
                })?;
                tasks.push(Task {
                    args,
                    origin: Some(item.origin),
                    label: Some(item_label(&item.value, &secrets)),
                });
            }
            if tasks.is_empty() {
                Err(NoTasks::Filtered)
            } else {
                Ok(tasks)
            }
        }
        Mode::Group { .. } => {
            let mut origins: Vec<u64> = Vec::new();
            for &s in &node_links.sources {
                origins.extend(nodes[s].items.iter().map(|i| i.origin));
            }
            origins.sort_unstable();
            origins.dedup();
            let mut tasks = Vec::new();
            for origin in origins {
                let group_values: Vec<(&str, Value)> = node_links
                    .sources
                    .iter()
                    .map(|&s| {
                        let items = nodes[s]
                            .items
                            .iter()
                            .filter(|i| i.origin == origin)
                            .map(|i| i.value.clone())
                            .collect();
                        (plan.nodes[s].name.as_str(), Value::Array(items))
                    })
                    .collect();
                let task_scope = Layers {
                    base: &scope,
                    top: group_values.as_slice(),
                };
                tasks.push(Task {
                    args: bind(&task_scope)?,
                    origin: Some(origin),
                    label: None,
                });
            }
            if tasks.is_empty() {
                Err(NoTasks::Filtered)
            } else {
                Ok(tasks)
            }
        }
    }
}

/// How a message names the item a task runs for: a record's `name`, else
/// the file name of its `path`, else the item itself (text as it is,
/// anything else as short JSON).
/// `secrets` ([`secret_values`]) are hidden before the text is cut,
/// so that a cut never leaves a secret's prefix showing.
pub(super) fn item_label(value: &Value, secrets: &[String]) -> String {
    let field = |name: &str| value.get(name).and_then(Value::as_str);
    if let Some(name) = field("name").filter(|n| !n.is_empty()) {
        return short_text(name, secrets);
    }
    if let Some(path) = field("path").filter(|p| !p.is_empty()) {
        let file = path.rsplit(['/', '\\']).find(|part| !part.is_empty());
        return short_text(file.unwrap_or(path), secrets);
    }
    match value {
        Value::String(text) => short_text(text, secrets),
        other => short_text(&other.to_string(), secrets),
    }
}

/// The values of `scope`'s secrets (none when it has none).
pub(super) fn secret_values(scope: &dyn Scope) -> Vec<String> {
    scope
        .get("secret")
        .and_then(Value::as_object)
        .map(|secrets| {
            secrets
                .values()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Text with `secrets` hidden, then cut to about 80 characters.
fn short_text(text: &str, secrets: &[String]) -> String {
    let text = crate::store::redact(text, secrets);
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// A value as JSON, secrets hidden, cut to about 80 characters, to name an
/// item in a message.
pub(super) fn short_json(value: &Value, secrets: &[String]) -> String {
    short_text(&value.to_string(), secrets)
}

/// Turns task outputs into items: a single task of a many-producer yields one
/// new root item per element; other tasks yield one item inheriting their origin.
pub(super) fn collect_items(
    node: &PlanNode,
    outputs: Vec<Option<(Value, Option<u64>)>>,
    next_origin: &mut u64,
) -> Vec<Item> {
    let mut items = Vec::new();
    for (value, origin) in outputs.into_iter().flatten() {
        match (&node.mode, origin, value) {
            // A single task of a list-returning operator: an item, and a
            // new root, per element.
            (Mode::Single, _, Value::Array(elements)) if node.many => {
                for element in elements {
                    items.push(Item {
                        value: element,
                        origin: *next_origin,
                    });
                    *next_origin += 1;
                }
            }
            // A task of an `each`/`group` node whose operator returns a
            // list: an item per element, each of the task's origin.
            (_, Some(origin), Value::Array(elements)) if node.returns_list => {
                items.extend(elements.into_iter().map(|value| Item { value, origin }));
            }
            (_, origin, value) => {
                let origin = origin.unwrap_or_else(|| {
                    *next_origin += 1;
                    *next_origin - 1
                });
                items.push(Item { value, origin });
            }
        }
    }
    items
}
