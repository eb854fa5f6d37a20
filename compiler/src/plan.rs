//! Lowering an analysed pipeline to a serde-serialisable execution plan: nodes
//! in topological order with stages, resolved plugins, input modes, filters
//! and bindings in evaluable form, and run policies.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pipec_grammar::ast::{self, ClauseKind, Expr, ExprKind, Item, Literal, Member, StringPart};
use serde::Serialize;

use crate::analyze::{Callee, PipelineInfo};
use crate::links::PlanLinks;
use crate::types::Type;

/// An execution plan for one pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Plan {
    /// The pipeline's name.
    pub pipeline: String,
    /// The file that defines it.
    pub file: String,
    /// Run parameters.
    pub inputs: Vec<PlanInput>,
    /// Secret names (values are never part of a plan).
    pub secrets: Vec<String>,
    /// Constants the expressions may read, in an order where each reads only
    /// earlier ones: the file's own, its unaliased imports', and each aliased
    /// import as a record of its constants.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub constants: Vec<(String, PlanExpr)>,
    /// Sets of nodes that may run in parallel, in order.
    pub stages: Vec<Vec<String>>,
    /// Nodes in topological order.
    pub nodes: Vec<PlanNode>,
    /// The plans of the pipelines its nodes call, by `file::pipeline`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub subplans: BTreeMap<String, Plan>,
    /// What the run returns.
    pub outputs: Vec<PlanOutput>,
    /// The names above resolved to positions, on first use.
    #[serde(skip)]
    links: LinksCache,
}

impl Plan {
    /// The plan's dependencies as positions in [`Plan::nodes`], resolved on
    /// first use. A plan changed after that keeps them: change a clone (a
    /// clone resolves its own).
    pub fn links(&self) -> &PlanLinks {
        self.links.0.get_or_init(|| PlanLinks::of(self))
    }
}

/// [`PlanLinks`], computed once; equal to any other and not copied by a clone
/// (it is derived from the plan, which a clone may change).
#[derive(Debug, Default)]
struct LinksCache(OnceLock<PlanLinks>);

impl Clone for LinksCache {
    fn clone(&self) -> Self {
        LinksCache::default()
    }
}

impl PartialEq for LinksCache {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// A run parameter.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlanInput {
    /// Name.
    pub name: String,
    /// Type, as written in the language.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the run must give it.
    pub required: bool,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<PlanExpr>,
}

/// A node of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlanNode {
    /// Name.
    pub name: String,
    /// Stage number (0 first).
    pub stage: usize,
    /// What it runs.
    pub plugin: Callee,
    /// How its tasks are formed from its inputs.
    pub mode: Mode,
    /// Whether it produces many items.
    pub many: bool,
    /// Whether its operator returns a list, so that under `each` or
    /// `group` each task's list is one item per element.
    #[serde(skip_serializing_if = "is_false", default)]
    pub returns_list: bool,
    /// The type of one produced item.
    pub item_type: String,
    /// For a host plugin, the output type its declaration gives (`-> T`),
    /// as written: what each of its tasks must return.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub returns: Option<String>,
    /// Parameter bindings, by parameter name.
    pub bindings: Vec<Binding>,
    /// Guard: the node is skipped when it is false.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub when: Option<PlanExpr>,
    /// Nodes whose data it reads (all kinds of dependency but ordering).
    pub reads: Vec<String>,
    /// Ordering-only: runs after all of these.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub after: Vec<String>,
    /// Ordering-only: runs once the first of these finishes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub after_any: Vec<String>,
    /// Retry, timeout, cache, pool and resources.
    pub policy: Policy,
    /// For a table operator: fused into the table node that reads it, or
    /// materialised and why (the fusion boundaries).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub table: Option<String>,
    /// For `to_table`: the columns its items' record type gives the table
    /// (name, and type word or `null` where the type says no more), which
    /// the table has even when there are no items.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub item_columns: Vec<(String, Option<String>)>,
}

/// How a node's tasks are formed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mode {
    /// One task.
    Single,
    /// One task per item of `source` that passes `filter`.
    Each {
        /// The node iterated.
        source: String,
        /// The item filter.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        filter: Option<PlanExpr>,
    },
    /// One task per origin group of the sources.
    Group {
        /// The grouped nodes.
        sources: Vec<String>,
    },
}

/// A parameter bound to an expression.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Binding {
    /// The parameter.
    pub param: String,
    /// Its value.
    pub value: PlanExpr,
    /// `all SRC where COND` filters applying to references to SRC in this value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub filters: BTreeMap<String, PlanExpr>,
    /// The parameter's type is optional (`T?`): a skipped node read here
    /// makes the value null instead of skipping the node.
    #[serde(skip_serializing_if = "is_false", default)]
    pub optional: bool,
}

/// Run policies of a node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct Policy {
    /// Further attempts after a failure.
    pub retries: u32,
    /// First backoff, in milliseconds (doubling, with jitter).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub backoff_ms: Option<u64>,
    /// Per-attempt limit, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timeout_ms: Option<u64>,
    /// Whether results are memoised (`cache on`; off by default).
    pub cache: bool,
    /// The pool it must run in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pool: Option<String>,
    /// What it needs (`cpus`, `memory` in bytes, ...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub resources: BTreeMap<String, PlanExpr>,
}

/// A pipeline output.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlanOutput {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Value.
    pub value: PlanExpr,
}

/// An expression in evaluable form: the syntax without spans, literals decoded.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanExpr {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text without interpolation.
    String(String),
    /// A duration in milliseconds.
    DurationMs(u64),
    /// A size in bytes.
    SizeBytes(u64),
    /// A string with interpolations: its text and its `{expr}`s in order.
    Template(Vec<TemplatePart>),
    /// `a.b.c`
    Ref(Vec<String>),
    /// `[..]`
    List(Vec<PlanExpr>),
    /// `{ k: v }` (fields in source order).
    Record(Vec<(String, PlanExpr)>),
    /// `value | name(args)`
    Pipe {
        /// Piped value.
        value: Box<PlanExpr>,
        /// Pipe name.
        name: String,
        /// Arguments.
        args: Vec<PlanExpr>,
    },
    /// `lhs op rhs`
    Binary {
        /// Operator as written (`==`, `and`, `??`, `not in`, ...).
        op: String,
        /// Left.
        lhs: Box<PlanExpr>,
        /// Right.
        rhs: Box<PlanExpr>,
    },
    /// `not x`
    Not(Box<PlanExpr>),
}

/// A piece of a [`PlanExpr::Template`]: written text, or an `{expr}`.
///
/// The two are kept apart even when the expression is itself a text
/// (`"region = {"o'hara"}"`): `sql` and `filter` take the written text as
/// SQL and bind each `{expr}` as a parameter, so a value must never be
/// mistaken for text.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    /// Text as written (escapes decoded).
    Text(String),
    /// An interpolated expression.
    Value(PlanExpr),
}

/// The key of a called pipeline in [`Plan::subplans`].
pub fn subplan_key(file: &str, pipeline: &str) -> String {
    format!("{file}::{pipeline}")
}

/// Converts a syntax expression to its evaluable form.
pub fn lower_expr(expr: &Expr) -> PlanExpr {
    match &expr.kind {
        ExprKind::Literal(literal) => match literal {
            Literal::Null => PlanExpr::Null,
            Literal::Bool(b) => PlanExpr::Bool(*b),
            Literal::Int(text) => PlanExpr::Int(text.replace('_', "").parse().unwrap_or(i64::MAX)),
            Literal::Float(text) => {
                PlanExpr::Float(text.replace('_', "").parse().unwrap_or(f64::NAN))
            }
            Literal::Duration(text) => PlanExpr::DurationMs(duration_ms(text).unwrap_or(u64::MAX)),
            Literal::Size(text) => PlanExpr::SizeBytes(size_bytes(text).unwrap_or(u64::MAX)),
        },
        ExprKind::String(string) => match (string.as_plain(), string.single_interpolation()) {
            (Some(text), _) => PlanExpr::String(text),
            (None, Some(only)) => lower_expr(only),
            (None, None) => PlanExpr::Template(
                string
                    .parts
                    .iter()
                    .map(|part| match part {
                        StringPart::Text { value, .. } => TemplatePart::Text(value.clone()),
                        StringPart::Interpolation(inner) => TemplatePart::Value(lower_expr(inner)),
                    })
                    .collect(),
            ),
        },
        ExprKind::Ref(parts) => PlanExpr::Ref(parts.iter().map(|p| p.name.clone()).collect()),
        ExprKind::List(items) => PlanExpr::List(items.iter().map(lower_expr).collect()),
        ExprKind::Record(fields) => PlanExpr::Record(
            fields
                .iter()
                .map(|f| (f.name.name.clone(), lower_expr(&f.value)))
                .collect(),
        ),
        ExprKind::Pipe { value, name, args } => PlanExpr::Pipe {
            value: Box::new(lower_expr(value)),
            name: name.name.clone(),
            args: pipe_args(&name.name, args.as_deref().unwrap_or_default()),
        },
        ExprKind::Binary { op, lhs, rhs, .. } => PlanExpr::Binary {
            op: op.as_str().to_string(),
            lhs: Box::new(lower_expr(lhs)),
            rhs: Box::new(lower_expr(rhs)),
        },
        ExprKind::Not(inner) => PlanExpr::Not(Box::new(lower_expr(inner))),
        ExprKind::Paren(inner) => lower_expr(inner),
    }
}

/// Milliseconds of a duration literal (`250ms`, `1.5s`, `2h`).
pub fn duration_ms(text: &str) -> Option<u64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.replace('_', "").parse().ok()?;
    let factor = match unit {
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some((value * factor).round() as u64)
}

/// Bytes of a size literal (`512MiB`, `4GB`).
pub fn size_bytes(text: &str) -> Option<u64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.replace('_', "").parse().ok()?;
    let factor: f64 = match unit {
        "B" => 1.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((value * factor).round() as u64)
}

/// Lowers an analysed pipeline (which must have no errors) to a plan.
pub fn lower(info: &PipelineInfo, pipeline: &ast::Pipeline, file: &str) -> Plan {
    let stage = stages(info);
    let dir = crate::paths::file_dir(file);
    let mut order: Vec<usize> = (0..info.nodes.len()).collect();
    order.sort_by_key(|&n| (stage[n], n));

    let mut nodes = Vec::new();
    for &n in &order {
        let node = &info.nodes[n];
        let Some(Member::Node(decl)) = pipeline.members.get(node.member) else {
            continue;
        };
        nodes.push(lower_node(node, decl, stage[n], &info.nodes, dir));
    }
    let mut stages_out: Vec<Vec<String>> = Vec::new();
    for &n in &order {
        let s = stage[n];
        if stages_out.len() <= s {
            stages_out.resize(s + 1, Vec::new());
        }
        stages_out[s].push(info.nodes[n].name.clone());
    }

    let inputs = info
        .inputs
        .iter()
        .map(|input| {
            let default = match pipeline.members.get(input.member) {
                Some(Member::Input(decl)) => decl.default.as_ref().map(lower_expr),
                _ => None,
            };
            let default = match input.ty.takes_path() {
                true => default.map(|value| written_path(value, dir)),
                false => default,
            };
            PlanInput {
                name: input.name.clone(),
                ty: input.ty.to_string(),
                required: default.is_none() && !matches!(input.ty, Type::Optional(_)),
                default,
            }
        })
        .collect();
    let outputs = info
        .outputs
        .iter()
        .filter_map(|output| match pipeline.members.get(output.member) {
            Some(Member::Output(decl)) => Some(PlanOutput {
                name: output.name.clone(),
                ty: output.ty.to_string(),
                value: lower_expr(&decl.value),
            }),
            _ => None,
        })
        .collect();
    let mut plan = Plan {
        pipeline: info.name.clone(),
        file: file.to_string(),
        inputs,
        secrets: info.secrets.clone(),
        constants: Vec::new(),
        subplans: BTreeMap::new(),
        stages: stages_out,
        nodes,
        outputs,
        links: LinksCache::default(),
    };
    let steps: Vec<Option<String>> = (0..plan.nodes.len())
        .map(|n| crate::links::table_step(&plan, n))
        .collect();
    for (node, step) in plan.nodes.iter_mut().zip(steps) {
        node.table = step;
    }
    plan
}

/// A path argument or default as the run uses it: written text resolved
/// against the file's directory `dir` ([`crate::paths`]); a template only when
/// it starts with written text.
fn written_path(value: PlanExpr, dir: &str) -> PlanExpr {
    match value {
        PlanExpr::String(text) => PlanExpr::String(crate::paths::resolve_written(dir, &text)),
        PlanExpr::Template(mut parts) => {
            if let Some(TemplatePart::Text(first)) = parts.first_mut() {
                *first = crate::paths::resolve_written(dir, first);
            }
            PlanExpr::Template(parts)
        }
        other => other,
    }
}

fn lower_node(
    node: &crate::analyze::NodeInfo,
    decl: &ast::NodeDecl,
    stage: usize,
    nodes: &[crate::analyze::NodeInfo],
    dir: &str,
) -> PlanNode {
    let mut mode = Mode::Single;
    let mut when = None;
    let mut after = Vec::new();
    let mut after_any = Vec::new();
    let mut policy = Policy::default();
    let mut all_filters: BTreeMap<String, PlanExpr> = BTreeMap::new();
    for clause in &decl.clauses {
        match &clause.kind {
            ClauseKind::Each { source, filter } => {
                mode = Mode::Each {
                    source: source.name.clone(),
                    filter: filter.as_ref().map(lower_expr),
                }
            }
            ClauseKind::All { source, filter } => {
                if let Some(filter) = filter {
                    all_filters.insert(source.name.clone(), lower_expr(filter));
                }
            }
            ClauseKind::Group { sources, .. } => {
                mode = Mode::Group {
                    sources: sources.iter().map(|s| s.name.clone()).collect(),
                }
            }
            ClauseKind::When(cond) => when = Some(lower_expr(cond)),
            ClauseKind::After { any: false, nodes } => {
                after.extend(nodes.iter().map(|n| n.name.clone()))
            }
            ClauseKind::After { any: true, nodes } => {
                after_any.extend(nodes.iter().map(|n| n.name.clone()))
            }
            ClauseKind::Retry { count, backoff } => {
                if let PlanExpr::Int(n) = lower_expr(count) {
                    policy.retries = u32::try_from(n).unwrap_or(0);
                }
                if let Some(PlanExpr::DurationMs(ms)) = backoff.as_ref().map(lower_expr) {
                    policy.backoff_ms = Some(ms);
                }
            }
            ClauseKind::Timeout(d) => {
                if let PlanExpr::DurationMs(ms) = lower_expr(d) {
                    policy.timeout_ms = Some(ms);
                }
            }
            ClauseKind::Cache(on) => policy.cache = *on,
            ClauseKind::On(pool) => {
                if let PlanExpr::String(name) = lower_expr(pool) {
                    policy.pool = Some(name);
                }
            }
            ClauseKind::Resources(fields) => {
                for field in fields {
                    policy
                        .resources
                        .insert(field.name.name.clone(), lower_expr(&field.value));
                }
            }
        }
    }
    let bindings = decl
        .call
        .args
        .iter()
        .zip(&node.binds)
        .filter_map(|(arg, param)| {
            let param = param.clone()?;
            let value = match node.path_params.contains(&param) {
                true => written_path(lower_expr(&arg.value), dir),
                false => lower_expr(&arg.value),
            };
            let mut filters = BTreeMap::new();
            value.visit_refs(false, &mut |head, _| {
                if let Some(filter) = all_filters.get(head) {
                    filters.insert(head.to_string(), filter.clone());
                }
            });
            Some(Binding {
                optional: node.optional_params.contains(&param),
                param,
                value,
                filters,
            })
        })
        .collect();
    let mut reads: Vec<String> = Vec::new();
    for dep in &node.deps {
        if !matches!(
            dep.kind,
            crate::analyze::DepKind::After | crate::analyze::DepKind::AfterAny
        ) && !reads.contains(&dep.node)
        {
            reads.push(dep.node.clone());
        }
    }
    let returns_list = node.returns_list && !matches!(mode, Mode::Single);
    PlanNode {
        name: node.name.clone(),
        stage,
        plugin: node
            .callee
            .clone()
            .unwrap_or(Callee::Builtin { name: "?".into() }),
        mode,
        many: node.many,
        returns_list,
        item_type: node.item.to_string(),
        returns: match &node.callee {
            Some(Callee::Host { .. }) if node.returns_list => Some(format!("list<{}>", node.item)),
            Some(Callee::Host { .. }) => Some(node.item.to_string()),
            _ => None,
        },
        bindings,
        when,
        reads,
        after,
        after_any,
        policy,
        table: None,
        item_columns: to_table_columns(node, decl, nodes),
    }
}

/// For a `to_table` node, the columns its items' record type gives
/// ([`crate::tables::items`]); empty for any other node.
fn to_table_columns(
    node: &crate::analyze::NodeInfo,
    decl: &ast::NodeDecl,
    nodes: &[crate::analyze::NodeInfo],
) -> Vec<(String, Option<String>)> {
    if !matches!(&node.callee, Some(Callee::Builtin { name }) if name == "to_table") {
        return Vec::new();
    }
    let Some(items) = decl
        .call
        .args
        .iter()
        .zip(&node.binds)
        .find_map(|(arg, param)| (param.as_deref() == Some("items")).then_some(&arg.value))
    else {
        return Vec::new();
    };
    let item_of = |name: &str| Some(nodes.iter().find(|n| n.name == name)?.value_type());
    crate::tables::items::item_columns(items, item_of)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, word)| (name, word.map(str::to_string)))
        .collect()
}

/// The stage of each node: 0 without dependencies, else one more than its
/// latest dependency. Computed in topological order (petgraph), without
/// recursion; a cyclic graph (already an error) gets stage 0 everywhere.
pub fn stages(info: &PipelineInfo) -> Vec<usize> {
    let graph = crate::graph::build(info);
    let mut stage = vec![0usize; info.nodes.len()];
    let Ok(order) = petgraph::algo::toposort(&graph.graph, None) else {
        return stage;
    };
    for vertex in order {
        let n = graph.graph[vertex];
        let s = graph
            .graph
            .neighbors_directed(vertex, petgraph::Direction::Incoming)
            .map(|d| stage[graph.graph[d]] + 1)
            .max()
            .unwrap_or(0);
        stage[n] = s;
    }
    stage
}

/// The pipeline item of an analysed pipeline.
pub fn pipeline_item<'a>(items: &'a [Item], info: &PipelineInfo) -> Option<&'a ast::Pipeline> {
    match items.get(info.item)? {
        Item::Pipeline(p) => Some(p),
        _ => None,
    }
}

/// A pipe's arguments in the order of its parameters: named arguments
/// (`replace(new: "+", old: "-")`) go to their parameter's place, and a
/// parameter left out before one given by name is `null`, which a pipe
/// takes as its default.
fn pipe_args(pipe: &str, args: &[ast::Arg]) -> Vec<PlanExpr> {
    let (named, positional): (Vec<&ast::Arg>, Vec<&ast::Arg>) =
        args.iter().partition(|a| a.name.is_some());
    let mut placed: Vec<Option<PlanExpr>> = positional
        .iter()
        .map(|a| Some(lower_expr(&a.value)))
        .collect();
    let params = pipec_stdlib::pipes::pipe_decl(pipe).map_or(&[][..], |decl| decl.params);
    for arg in named {
        let name = arg.name.as_ref().map_or("", |n| n.name.as_str());
        let value = Some(lower_expr(&arg.value));
        match params.iter().position(|(param, ..)| *param == name) {
            Some(at) => {
                if placed.len() <= at {
                    placed.resize(at + 1, None);
                }
                placed[at] = value;
            }
            // A name the pipe does not have (the checker reports it): kept
            // after the others.
            None => placed.push(value),
        }
    }
    placed
        .into_iter()
        .map(|v| v.unwrap_or(PlanExpr::Null))
        .collect()
}

/// For `skip_serializing_if`: a flag that is off is not written.
fn is_false(flag: &bool) -> bool {
    !*flag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration_ms("250ms"), Some(250));
        assert_eq!(duration_ms("1.5s"), Some(1500));
        assert_eq!(duration_ms("2h"), Some(7_200_000));
        assert_eq!(size_bytes("4GiB"), Some(4 * 1024 * 1024 * 1024));
        assert_eq!(size_bytes("10MB"), Some(10_000_000));
    }
}
