//! Runs a plan: nodes start as soon as what they wait for has settled; their
//! tasks run on a rayon pool; every state change goes through the store and
//! out as an event.
//!
//! Semantics (docs/language.md): `each` makes one task per item of its
//! source that passes its `where`; `group ... by origin` one task per root
//! item; a node with nothing to do is **filtered** (dependents still run and
//! see an empty list); a node whose `when` is false, or that needs a value a
//! skipped node did not produce, is **skipped**, and that cascades — except
//! into `??`, `after any` and references under `??`; a task that fails after
//! its retries fails the node and, unless keep-going, the run.

use std::collections::{BTreeMap, HashMap, HashSet};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pipec_compiler::analyze::Callee;
use pipec_compiler::links::{NodeLinks, PlanLinks};
use pipec_compiler::plan::{Mode, Plan, PlanExpr, PlanNode, TemplatePart};
use serde_json::{Map, Value, json};

use crate::eval::{Limits, Scope, evaluate};
use crate::events::{Event, EventSink};
use crate::plugins::{Args, Registry, TaskContext, builtin};
use crate::store::{NodeState, Store, TaskRecord};
use crate::tables::{
    Engine, ITEM_COLUMNS_ARG, RecordBatch, SQL_PARAMS_ARG, SQL_TABLES_ARG, StartingTables,
    TableOptions, Tables, handle, holds_table, rows_of,
};
use crate::text::truthy;

/// The reason a task gives when the run's cancellation stopped it.
const CANCELLED: &str = "the run was cancelled";

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads (default: the number of cores).
    pub jobs: Option<usize>,
    /// Let independent branches finish after a failure.
    pub keep_going: bool,
    /// Input values by name (validated against the plan's inputs).
    pub inputs: Map<String, Value>,
    /// Secret values by name (never recorded).
    pub secrets: HashMap<String, String>,
    /// Keys approved for `wait`.
    pub approvals: HashSet<String>,
    /// The run's id.
    pub run_id: String,
    /// How the table engine runs (memory limit, spill directory, partitions).
    pub tables: TableOptions,
    /// How an output whose value is a table is handed back.
    pub table_outputs: TableOutputs,
}

/// How an output whose value is a table is handed back in [`RunResult`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TableOutputs {
    /// As JSON rows in [`RunResult::outputs`], like every other output.
    #[default]
    Rows,
    /// As Arrow batches in [`RunResult::tables`] (not in `outputs`): no JSON
    /// value is built per row; [`crate::tables::JsonRows`] writes them as
    /// JSON when needed. The store still records the rows, if it keeps
    /// outputs ([`Store::keeps_outputs`]).
    Batches,
}

/// What one node did.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSummary {
    /// Node name.
    pub name: String,
    /// Final state.
    pub state: NodeState,
    /// Tasks formed.
    pub tasks: usize,
    /// Attempts made over all tasks.
    pub attempts: u32,
    /// Wall time from start to finish.
    pub millis: u128,
    /// Items produced.
    pub items: usize,
    /// Why it failed (its first failed task's error), when it failed.
    pub error: Option<String>,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Whether every node completed, was filtered or was skipped.
    pub ok: bool,
    /// The pipeline's outputs (without the tables handed back as batches).
    /// After a failure, only those computed: an output that reads a node
    /// that failed or did not run (outside `??`) is left out.
    pub outputs: Map<String, Value>,
    /// The outputs whose value is a table, as Arrow batches, when the run
    /// was asked for them ([`TableOutputs::Batches`]).
    pub tables: BTreeMap<String, Vec<RecordBatch>>,
    /// Every node, in plan order.
    pub nodes: Vec<NodeSummary>,
    /// The first failure, named.
    pub error: Option<String>,
    /// The outputs left out because their table failed while it was
    /// computed (a bad row met by a fused plan), each with its error.
    pub failed_outputs: Vec<(String, String)>,
}

/// Why a run could not start (nothing ran).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// An input problem.
    #[error("{0}")]
    Input(String),
    /// A secret the pipeline declares has no value.
    #[error("secret `{0}` has no value: set PIPE_SECRET_{1} or pass --secret {0}=...")]
    MissingSecret(String, String),
    /// A constant that cannot be evaluated.
    #[error("constant `{0}`: {1}")]
    Constant(String, String),
    /// A host plugin the plan needs is not registered.
    #[error("node `{node}` calls plugin `{plugin}`, which this host does not provide")]
    MissingPlugin {
        /// The node.
        node: String,
        /// The plugin.
        plugin: String,
    },
}

/// One produced item and the root item it descends from.
#[derive(Debug, Clone)]
struct Item {
    value: Value,
    origin: u64,
}

/// A task to run: its arguments and the origin its output inherits.
struct Task {
    args: Args,
    origin: Option<u64>,
}

/// A finished task, sent back to the scheduler.
struct Done {
    node: usize,
    task: usize,
    origin: Option<u64>,
    result: Result<Value, String>,
    attempts: u32,
}

struct NodeRun {
    state: NodeState,
    items: Vec<Item>,
    outputs: Vec<Option<(Value, Option<u64>)>>,
    remaining: usize,
    tasks: usize,
    attempts: u32,
    started: Option<Instant>,
    millis: u128,
    failed: Option<String>,
    /// Some task was stopped by the run's cancellation.
    cancelled: bool,
}

/// Runs `plan` with `registry`'s host plugins, recording in `store` and
/// reporting to `events`.
pub fn run(
    plan: &Plan,
    registry: &Registry,
    options: &RunOptions,
    store: &dyn Store,
    events: &dyn EventSink,
) -> Result<RunResult, RunError> {
    run_top(plan, registry, options, store, events, Engine::new(None))
}

/// Runs `plan` as [`run`] does, with a table engine started beforehand
/// (while the caller compiled the plan). It is used if it was started with
/// `options.tables`; a run without table operators leaves it unused.
pub fn run_with_tables(
    plan: &Plan,
    registry: &Registry,
    options: &RunOptions,
    store: &dyn Store,
    events: &dyn EventSink,
    tables: StartingTables,
) -> Result<RunResult, RunError> {
    let engine = Engine::new(Some(tables));
    run_top(plan, registry, options, store, events, engine)
}

/// A top-level run (not a pipeline called as a node) on `engine`.
fn run_top(
    plan: &Plan,
    registry: &Registry,
    options: &RunOptions,
    store: &dyn Store,
    events: &dyn EventSink,
    engine: Engine,
) -> Result<RunResult, RunError> {
    // No secret value reaches the record (the caller's messages and events
    // are the caller's to redact, as the CLI does).
    let store: &dyn Store = if options.secrets.is_empty() {
        store
    } else {
        &crate::store::Redacting::new(store, options.secrets.values().cloned())
    };
    run_with_engine(plan, registry, options, store, events, &engine, false)
}

/// A run whose tables live in `engine`: a run's own, or, for a pipeline
/// called as a node (`nested`), the calling run's, so that tables pass in
/// and out of it as they are (its outputs keep their tables, for the caller
/// to compute or export).
fn run_with_engine(
    plan: &Plan,
    registry: &Registry,
    options: &RunOptions,
    store: &dyn Store,
    events: &dyn EventSink,
    engine: &Engine,
    nested: bool,
) -> Result<RunResult, RunError> {
    let limits = Limits::default();
    let mut base = base_scope(plan, options, registry, &limits)?;
    let given_inputs = base["input"].clone();
    table_inputs(plan, &mut base, engine, options)?;
    let began = Instant::now();
    let since = |t: Instant| t.duration_since(began).as_millis();
    store.run_started(&options.run_id, &plan.pipeline, &given_inputs);
    emit(events, || Event::RunStarted {
        run: options.run_id.clone(),
        pipeline: plan.pipeline.clone(),
        at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    });

    let links = plan.links();
    let mut nodes: Vec<NodeRun> = plan
        .nodes
        .iter()
        .map(|_| NodeRun {
            state: NodeState::Pending,
            items: Vec::new(),
            outputs: Vec::new(),
            remaining: 0,
            tasks: 0,
            attempts: 0,
            started: None,
            millis: 0,
            failed: None,
            cancelled: false,
        })
        .collect();
    let names: Vec<&str> = plan.nodes.iter().map(|n| n.name.as_str()).collect();
    store.nodes_state(&options.run_id, &names, NodeState::Pending);
    let cancelled = AtomicBool::new(false);
    let mut next_origin: u64 = 1;
    let mut first_error: Option<String> = None;
    let jobs = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| RunError::Input(e.to_string()))?;
    let (tx, rx) = mpsc::channel::<Vec<Done>>();

    // A node is looked at again only when one of the nodes it waits for
    // settles (linear in the edges, not quadratic in the nodes).
    let mut candidates: Vec<usize> = (0..plan.nodes.len())
        .filter(|&n| links.nodes[n].waits().next().is_none())
        .collect();
    candidates.reverse();

    let shared = Shared {
        registry,
        plan,
        options,
        tables: engine,
    };
    let shared = &shared;
    pool.in_place_scope(|scope| {
        let mut running = 0usize;
        let mut inline: Option<Done> = None;
        loop {
            // Start (or settle) every candidate whose dependencies have settled.
            while let Some(n) = candidates.pop() {
                {
                    let node = &plan.nodes[n];
                    if nodes[n].state != NodeState::Pending || !settled(&links.nodes[n], &nodes) {
                        continue;
                    }
                    let decided = if cancelled.load(Ordering::Relaxed) {
                        Err(NoTasks::Cancelled)
                    } else {
                        form_tasks(plan, node, &links.nodes[n], &nodes, &base, &limits)
                    };
                    match decided {
                        Err(no_tasks) => {
                            let state = no_tasks.state();
                            nodes[n].state = state;
                            if let NoTasks::Failed(message) = no_tasks {
                                nodes[n].failed = Some(message.clone());
                                first_error
                                    .get_or_insert(format!("node `{}`: {message}", node.name));
                                if !options.keep_going {
                                    cancelled.store(true, Ordering::Relaxed);
                                }
                            }
                            store.node_state(&options.run_id, &node.name, state);
                            emit(events, || Event::NodeFinished {
                                node: node.name.clone(),
                                state: state.as_str(),
                                millis: 0,
                                items: 0,
                                at_ms: since(Instant::now()),
                            });
                            candidates.extend(links.nodes[n].dependents.iter().rev());
                        }
                        Ok(tasks) => {
                            let count = tasks.len();
                            let now = Instant::now();
                            nodes[n].state = NodeState::Running;
                            nodes[n].tasks = count;
                            nodes[n].remaining = count;
                            nodes[n].outputs = vec![None; count];
                            nodes[n].started = Some(now);
                            store.node_state(&options.run_id, &node.name, NodeState::Running);
                            emit(events, || Event::NodeStarted {
                                node: node.name.clone(),
                                tasks: count,
                                at_ms: since(now),
                            });
                            // The only work there is: run it here, without a hand-off.
                            if count == 1
                                && running == 0
                                && candidates.is_empty()
                                && inline.is_none()
                            {
                                if let Some(task) = tasks.into_iter().next() {
                                    running += 1;
                                    let (result, attempts) = attempt_task(
                                        n,
                                        0,
                                        &task.args,
                                        shared,
                                        &cancelled,
                                        &options.approvals,
                                        store,
                                        &options.run_id,
                                        events,
                                        began,
                                    );
                                    inline = Some(Done {
                                        node: n,
                                        task: 0,
                                        origin: task.origin,
                                        result,
                                        attempts,
                                    });
                                }
                                continue;
                            }
                            // Tasks go to the pool in chunks: one job and one message per
                            // chunk, not per task (a no-op task costs less than a wake-up).
                            let chunk = count.div_ceil(jobs * 8).max(1);
                            let mut tasks = tasks.into_iter().enumerate().peekable();
                            while tasks.peek().is_some() {
                                let batch: Vec<(usize, Task)> =
                                    tasks.by_ref().take(chunk).collect();
                                running += batch.len();
                                let tx = tx.clone();
                                let cancelled = &cancelled;
                                let approvals = &options.approvals;
                                let run_id = &options.run_id;
                                scope.spawn(move |_| {
                                    let done: Vec<Done> = batch
                                        .into_iter()
                                        .map(|(t, task)| {
                                            let (result, attempts) = attempt_task(
                                                n, t, &task.args, shared, cancelled, approvals,
                                                store, run_id, events, began,
                                            );
                                            Done {
                                                node: n,
                                                task: t,
                                                origin: task.origin,
                                                result,
                                                attempts,
                                            }
                                        })
                                        .collect();
                                    let _ = tx.send(done);
                                });
                            }
                        }
                    }
                }
            }
            if running == 0 {
                // A cancelled run settles every node still pending.
                let pending: Vec<usize> = (0..plan.nodes.len())
                    .filter(|&i| nodes[i].state == NodeState::Pending)
                    .collect();
                if cancelled.load(Ordering::Relaxed) && !pending.is_empty() {
                    for &i in &pending {
                        nodes[i].state = NodeState::Cancelled;
                    }
                    let names: Vec<&str> = pending
                        .iter()
                        .map(|&i| plan.nodes[i].name.as_str())
                        .collect();
                    store.nodes_state(&options.run_id, &names, NodeState::Cancelled);
                }
                break;
            }
            let batch = match inline.take() {
                Some(done) => vec![done],
                None => match rx.recv() {
                    Ok(batch) => batch,
                    Err(_) => break,
                },
            };
            for done in batch {
                running -= 1;
                let node = &plan.nodes[done.node];
                let run = &mut nodes[done.node];
                run.attempts += done.attempts;
                run.remaining -= 1;
                match done.result {
                    Ok(value) => run.outputs[done.task] = Some((value, done.origin)),
                    // A task stopped by the run's cancellation is cancelled, not failed.
                    Err(message) if message.contains(CANCELLED) => run.cancelled = true,
                    Err(message) => {
                        if run.failed.is_none() {
                            run.failed = Some(message.clone());
                        }
                        first_error.get_or_insert(format!(
                            "node `{}` task {}: {message}",
                            node.name, done.task
                        ));
                        if !options.keep_going {
                            cancelled.store(true, Ordering::Relaxed);
                        }
                    }
                }
                if run.remaining == 0 {
                    let state = if run.failed.is_some() {
                        NodeState::Failed
                    } else if run.cancelled {
                        NodeState::Cancelled
                    } else {
                        NodeState::Completed
                    };
                    run.state = state;
                    run.millis = run.started.map_or(0, |s| s.elapsed().as_millis());
                    if state == NodeState::Completed {
                        let outputs = std::mem::take(&mut run.outputs);
                        run.items = collect_items(node, outputs, &mut next_origin);
                    }
                    store.node_state(&options.run_id, &node.name, state);
                    emit(events, || Event::NodeFinished {
                        node: node.name.clone(),
                        state: state.as_str(),
                        millis: run.millis,
                        items: run.items.len(),
                        at_ms: since(Instant::now()),
                    });
                    candidates.extend(links.nodes[done.node].dependents.iter().rev());
                }
            }
        }
    });
    // Its threads would only compete with the table engine's while the
    // outputs' tables are computed.
    drop(pool);

    // Outputs, from whatever completed.
    let mut outputs = Map::new();
    let values = output_values(plan, &links.outputs, &nodes, &base);
    let scope = Layers {
        base: &base,
        top: values.as_slice(),
    };
    let mut tables = BTreeMap::new();
    let mut failed_outputs = Vec::new();
    let unfinished = unfinished_nodes(plan, links, &nodes);
    for output in &plan.outputs {
        if reads_any(&output.value, &unfinished) {
            // Not computed: left out, rather than printed and stored as a
            // null that a node could have returned.
            continue;
        }
        let value = evaluate(&output.value, &scope, &limits).unwrap_or(Value::Null);
        let batches = (options.table_outputs == TableOutputs::Batches)
            .then(|| shared.batches(&value))
            .flatten();
        let exported = match batches {
            Some(Ok(batches)) => {
                if store.keeps_outputs() {
                    let rows = rows_of(&batches).map_or(Value::Null, Value::Array);
                    store.output(&options.run_id, &output.name, &rows);
                }
                tables.insert(output.name.clone(), batches);
                continue;
            }
            Some(Err(e)) => Err(e),
            // The caller's engine holds the tables: they stay tables.
            None if nested => Ok(value),
            None => shared.export(value),
        };
        let value = match exported {
            Ok(value) => value,
            Err(e) => {
                // Failed while computed (a fused table's bad row): left out
                // as an output that was not computed is.
                first_error.get_or_insert(format!("output `{}`: {e}", output.name));
                failed_outputs.push((output.name.clone(), e));
                continue;
            }
        };
        store.output(&options.run_id, &output.name, &value);
        outputs.insert(output.name.clone(), value);
    }
    let ok = first_error.is_none()
        && nodes.iter().all(|n| {
            matches!(
                n.state,
                NodeState::Completed | NodeState::Skipped | NodeState::Filtered
            )
        });
    store.run_finished(&options.run_id, ok);
    emit(events, || Event::RunFinished {
        ok,
        millis: began.elapsed().as_millis(),
    });
    Ok(RunResult {
        ok,
        outputs,
        tables,
        nodes: plan
            .nodes
            .iter()
            .zip(&nodes)
            .map(|(p, n)| NodeSummary {
                name: p.name.clone(),
                state: n.state,
                tasks: n.tasks,
                attempts: n.attempts,
                millis: n.millis,
                items: n.items.len(),
                error: n.failed.clone(),
            })
            .collect(),
        error: first_error,
        failed_outputs,
    })
}

/// Whether everything a node waits for has settled (`after any`: one completed, or all settled).
fn settled(node_links: &NodeLinks, nodes: &[NodeRun]) -> bool {
    let is_final = |&i: &usize| nodes[i].state.is_final();
    let any_done = node_links.after_any.is_empty()
        || node_links
            .after_any
            .iter()
            .any(|&i| nodes[i].state == NodeState::Completed)
        || node_links.after_any.iter().all(is_final);
    node_links.reads.iter().all(|r| is_final(&r.0))
        && node_links.after.iter().all(is_final)
        && any_done
}

/// A `table` input given as a file's path (`--input sales=orders.csv`) or
/// as rows (a JSON array of records) becomes a table of the run: the file
/// read by its extension (`.csv`, `.parquet`, `.json`/`.ndjson`), the rows
/// made a table as `to_table` makes them. A table (from a calling
/// pipeline) stays as it is.
fn table_inputs(
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
fn base_scope(
    plan: &Plan,
    options: &RunOptions,
    registry: &Registry,
    limits: &Limits,
) -> Result<Map<String, Value>, RunError> {
    let mut scope = Map::new();
    scope.insert(
        "input".into(),
        Value::Object(
            crate::inputs::validate(plan, &options.inputs, limits).map_err(RunError::Input)?,
        ),
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

/// The value of node `name` as seen from a task (`each`/`group` handled by the caller).
fn node_value(
    name: &str,
    node_index: usize,
    plan: &Plan,
    nodes: &[NodeRun],
    filter: Option<&PlanExpr>,
    scope: &dyn Scope,
    limits: &Limits,
) -> Value {
    let run = &nodes[node_index];
    if run.state != NodeState::Completed && run.state != NodeState::Filtered {
        return Value::Null;
    }
    let producer = &plan.nodes[node_index];
    let many = producer.many || !matches!(producer.mode, Mode::Single);
    if !many {
        return run.items.first().map_or(Value::Null, |i| i.value.clone());
    }
    Value::Array(
        run.items
            .iter()
            .filter(|item| {
                filter.is_none_or(|f| {
                    let item_scope = Layer {
                        base: scope,
                        name,
                        value: &item.value,
                    };
                    evaluate(f, &item_scope, limits).is_ok_and(|v| truthy(&v))
                })
            })
            .map(|i| i.value.clone())
            .collect(),
    )
}

/// The values of the nodes a node reads (without its `each`/`group` items),
/// to be layered over the base scope.
fn node_values<'p>(
    plan: &'p Plan,
    node: &PlanNode,
    node_links: &NodeLinks,
    nodes: &[NodeRun],
    base: &Map<String, Value>,
    limits: &Limits,
) -> Vec<(&'p str, Value)> {
    let mut values = Vec::with_capacity(node_links.reads.len());
    // `each` and `group` sources are bound per task: building their whole
    // list here would be copied into every task's scope.
    for &(i, _) in &node_links.reads {
        if !node_links.sources.contains(&i) {
            let name = plan.nodes[i].name.as_str();
            let filter = node.bindings.iter().find_map(|b| b.filters.get(name));
            values.push((name, node_value(name, i, plan, nodes, filter, base, limits)));
        }
    }
    values
}

/// The names of the nodes that did not finish (failed, cancelled, or never
/// settled), and of those skipped because they read one of them: none when
/// the run went through.
fn unfinished_nodes<'p>(plan: &'p Plan, links: &PlanLinks, nodes: &[NodeRun]) -> Vec<&'p str> {
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
fn reads_any(value: &PlanExpr, unfinished: &[&str]) -> bool {
    let mut reads = false;
    if !unfinished.is_empty() {
        value.visit_refs(false, &mut |name, protected| {
            reads |= !protected && unfinished.contains(&name);
        });
    }
    reads
}

/// The values outputs see besides the base scope: the nodes they read.
fn output_values<'p>(
    plan: &'p Plan,
    read: &[usize],
    nodes: &[NodeRun],
    base: &Map<String, Value>,
) -> Vec<(&'p str, Value)> {
    read.iter()
        .map(|&i| {
            let name = plan.nodes[i].name.as_str();
            let value = node_value(name, i, plan, nodes, None, base, &Limits::default());
            (name, value)
        })
        .collect()
}

/// Why a node gets no tasks: the state it settles in.
enum NoTasks {
    Skipped,
    Filtered,
    Cancelled,
    /// Forming its tasks failed (a guard, filter or argument did not evaluate).
    Failed(String),
}

impl NoTasks {
    fn state(&self) -> NodeState {
        match self {
            NoTasks::Skipped => NodeState::Skipped,
            NoTasks::Filtered => NodeState::Filtered,
            NoTasks::Cancelled => NodeState::Cancelled,
            NoTasks::Failed(_) => NodeState::Failed,
        }
    }
}

/// Decides a node: its tasks, or a final state without tasks.
fn form_tasks(
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
    if !node_links.after_any.is_empty()
        && !node_links
            .after_any
            .iter()
            .any(|&i| nodes[i].state == NodeState::Completed)
    {
        return Err(NoTasks::Skipped);
    }
    let values = node_values(plan, node, node_links, nodes, base, limits);
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
                    if !params.is_empty() {
                        args.insert(SQL_PARAMS_ARG.into(), Value::Array(params));
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
        }]),
        Mode::Each { source, filter } => {
            let Some(&s) = node_links.sources.first() else {
                return Err(NoTasks::Filtered);
            };
            let mut tasks = Vec::new();
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
                        short_json(&item.value)
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

/// A value as JSON, cut to about 80 characters, to name an item in a message.
fn short_json(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// SQL text from a template: its text parts as written, each `{expr}` as a
/// parameter `$n` with its value beside (never spliced into the text). A
/// list written as the whole of an `in (...)` (`city in ({input.cities})`)
/// is its items, a parameter each (an empty list is `NULL`, which matches
/// nothing); a list anywhere else is refused, since no SQL value is a list.
fn sql_with_params(
    parts: &[TemplatePart],
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<Value, String> {
    let mut params = Vec::new();
    let text = sql_text_with_params(parts, scope, limits, &mut params)?;
    Ok(json!({ "sql": text, "params": params }))
}

/// An aggregate's values (name: SQL text) with their `{expr}`s as
/// parameters, numbered across all the values, and those parameters.
fn aggregate_values_with_params(
    fields: &[(String, PlanExpr)],
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<(Value, Vec<Value>), String> {
    let mut params = Vec::new();
    let mut texts = Map::new();
    for (name, value) in fields {
        let text = match value {
            PlanExpr::Template(parts) => Value::String(
                sql_text_with_params(parts, scope, limits, &mut params)
                    .map_err(|e| format!("`{name}`: {e}"))?,
            ),
            other => evaluate(other, scope, limits).map_err(|e| e.to_string())?,
        };
        texts.insert(name.clone(), text);
    }
    Ok((Value::Object(texts), params))
}

/// The text of [`sql_with_params`], its parameters appended to `params`
/// (numbered after those already there).
fn sql_text_with_params(
    parts: &[TemplatePart],
    scope: &dyn Scope,
    limits: &Limits,
    params: &mut Vec<Value>,
) -> Result<String, String> {
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        let expr = match part {
            TemplatePart::Text(written) => {
                text.push_str(written);
                continue;
            }
            TemplatePart::Value(expr) => expr,
        };
        let value = evaluate(expr, scope, limits).map_err(|e| e.to_string())?;
        let Value::Array(items) = value else {
            params.push(value);
            text.push_str(&format!("${}", params.len()));
            continue;
        };
        let after = match parts.get(i + 1) {
            Some(TemplatePart::Text(next)) => next.as_str(),
            _ => "",
        };
        if !pipec_compiler::sql::is_in_list(&text, after) {
            return Err(format!(
                "the value of parameter ${} is a list of {}; a list is bound as its items only as the whole of an `in (...)`, as in `city in ({{input.cities}})`; elsewhere give one value (`| first`) or text (`| join`)",
                params.len() + 1,
                items.len()
            ));
        }
        if items.is_empty() {
            text.push_str("NULL");
        }
        for (k, item) in items.into_iter().enumerate() {
            params.push(item);
            if k > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${}", params.len()));
        }
    }
    Ok(text)
}

/// One name bound over a scope (an `each` task's item), without copying the scope.
struct Layer<'a> {
    base: &'a dyn Scope,
    name: &'a str,
    value: &'a Value,
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
struct Layers<'a, Top: Scope + ?Sized> {
    base: &'a dyn Scope,
    top: &'a Top,
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

/// Turns task outputs into items: a single task of a many-producer yields one
/// new root item per element; other tasks yield one item inheriting their origin.
fn collect_items(
    node: &PlanNode,
    outputs: Vec<Option<(Value, Option<u64>)>>,
    next_origin: &mut u64,
) -> Vec<Item> {
    let mut items = Vec::new();
    for (value, origin) in outputs.into_iter().flatten() {
        match (&node.mode, origin, value) {
            (Mode::Single, _, Value::Array(elements)) if node.many => {
                for element in elements {
                    items.push(Item {
                        value: element,
                        origin: *next_origin,
                    });
                    *next_origin += 1;
                }
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

/// Runs one task with its retries; returns the result and the attempts made.
#[allow(clippy::too_many_arguments)]
fn attempt_task(
    position: usize,
    task: usize,
    args: &Args,
    shared: &Shared<'_>,
    cancelled: &AtomicBool,
    approvals: &HashSet<String>,
    store: &dyn Store,
    run_id: &str,
    events: &dyn EventSink,
    began: Instant,
) -> (Result<Value, String>, u32) {
    let node = &shared.plan.nodes[position];
    let attempts = node.policy.retries + 1;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        if cancelled.load(Ordering::Relaxed) {
            return (Err(CANCELLED.into()), attempt - 1);
        }
        let start = Instant::now();
        emit(events, || Event::TaskStarted {
            node: node.name.clone(),
            task,
            attempt,
            at_ms: start.duration_since(began).as_millis(),
        });
        let context = TaskContext {
            deadline: node
                .policy
                .timeout_ms
                .map(|ms| start + Duration::from_millis(ms)),
            cancelled,
            approvals,
        };
        let result = call(position, args, shared, &context).and_then(|value| {
            match (context.deadline, node.policy.timeout_ms) {
                (Some(deadline), Some(ms)) if Instant::now() > deadline => {
                    Err(format!("timed out after {ms} ms"))
                }
                _ => Ok(value),
            }
        });
        let millis = start.elapsed().as_millis();
        store.task_finished(
            run_id,
            TaskRecord {
                node: node.name.clone(),
                task,
                attempt,
                ok: result.is_ok(),
                error: result.as_ref().err().cloned(),
                millis: millis as u64,
            },
        );
        match result {
            Ok(value) => {
                emit(events, || Event::TaskFinished {
                    node: node.name.clone(),
                    task,
                    attempts: attempt,
                    millis,
                    at_ms: began.elapsed().as_millis(),
                });
                return (Ok(value), attempt);
            }
            Err(error) => {
                last_error = error;
                if attempt < attempts {
                    let backoff = backoff_ms(node, task, attempt);
                    emit(events, || Event::TaskRetrying {
                        node: node.name.clone(),
                        task,
                        attempt,
                        error: last_error.clone(),
                        backoff_ms: backoff,
                        at_ms: began.elapsed().as_millis(),
                    });
                    let until = Instant::now() + Duration::from_millis(backoff);
                    while Instant::now() < until && !cancelled.load(Ordering::Relaxed) {
                        std::thread::sleep(
                            Duration::from_millis(2)
                                .min(until.saturating_duration_since(Instant::now())),
                        );
                    }
                }
            }
        }
    }
    emit(events, || Event::TaskFailed {
        node: node.name.clone(),
        task,
        attempts,
        error: last_error.clone(),
        at_ms: began.elapsed().as_millis(),
    });
    (Err(last_error), attempts)
}

/// Exponential backoff from the node's `backoff` (default 100 ms), with ±25 % jitter.
fn backoff_ms(node: &PlanNode, task: usize, attempt: u32) -> u64 {
    let base = node.policy.backoff_ms.unwrap_or(100);
    let exp = base.saturating_mul(1u64 << (attempt - 1).min(16));
    // Jitter from a hash of (node, task, attempt): spread, but reproducible.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in node
        .name
        .bytes()
        .chain(task.to_le_bytes())
        .chain(attempt.to_le_bytes())
    {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let spread = exp / 4;
    if spread == 0 {
        exp
    } else {
        exp - spread + h % (2 * spread + 1)
    }
}

/// Sends the event `make` builds, building it only when the sink wants events.
fn emit(events: &dyn EventSink, make: impl FnOnce() -> Event) {
    if events.enabled() {
        events.event(&make());
    }
}

/// What every task of a run may need besides its own arguments.
struct Shared<'a> {
    registry: &'a Registry,
    plan: &'a Plan,
    options: &'a RunOptions,
    /// The table engine, started by the first table operator (of this run
    /// or of a pipeline it calls as a node).
    tables: &'a Engine,
}

impl Shared<'_> {
    fn tables(&self) -> Result<&Tables, String> {
        self.tables.get(&self.options.tables)
    }

    /// The batches of the table `value` is, when it is one of the run's tables.
    fn batches(&self, value: &Value) -> Option<Result<Vec<RecordBatch>, String>> {
        match self.tables.running() {
            Some(tables) if handle(value).is_some() => Some(tables.collect(value)),
            _ => None,
        }
    }

    /// `value` with its tables as rows, when the run has made tables.
    fn export(&self, value: Value) -> Result<Value, String> {
        match self.tables.running() {
            Some(tables) if holds_table(&value) => tables.export(value),
            _ => Ok(value),
        }
    }
}

fn call(
    position: usize,
    args: &Args,
    shared: &Shared<'_>,
    context: &TaskContext<'_>,
) -> Result<Value, String> {
    let node = &shared.plan.nodes[position];
    if let Callee::Builtin { name } = &node.plugin
        && pipec_stdlib::TABLE_OPERATORS.contains(&name.as_str())
    {
        // The rule `pipec plan` shows (links::table_step): read by two or
        // more nodes or outputs, the result is computed once and kept.
        let readers = shared.plan.links().nodes[position].readers;
        return shared.tables()?.run(&node.name, name, args, readers);
    }
    // Other operators see a table as its rows; a pipeline called as a node
    // shares this run's engine and takes tables as they are.
    let exported;
    let args = if args.values().any(holds_table) && !matches!(node.plugin, Callee::Pipeline { .. })
    {
        exported = match shared.export(Value::Object(args.clone()))? {
            Value::Object(map) => map,
            _ => Args::new(),
        };
        &exported
    } else {
        args
    };
    match &node.plugin {
        Callee::Builtin { name } => builtin(name, args, context),
        Callee::Host { name, .. } => shared
            .registry
            .get(name)
            .ok_or_else(|| format!("plugin `{name}` is not provided by this host"))?
            .run(args, context),
        Callee::Pipeline { name, file } => {
            // A nested run: the arguments are its inputs, its outputs the node's record.
            let sub = shared
                .plan
                .subplans
                .get(&pipec_compiler::plan::subplan_key(file, name))
                .ok_or_else(|| {
                    format!("pipeline `{name}` of `{file}` was not compiled into this plan")
                })?;
            let options = RunOptions {
                jobs: Some(1),
                keep_going: shared.options.keep_going,
                inputs: args.clone(),
                secrets: shared.options.secrets.clone(),
                approvals: shared.options.approvals.clone(),
                run_id: format!("{}/{name}", shared.options.run_id),
                tables: shared.options.tables.clone(),
                // The outputs are the node's record; its tables stay
                // tables of this run's engine (`run_with_engine`).
                table_outputs: TableOutputs::Rows,
            };
            let result = run_with_engine(
                sub,
                shared.registry,
                &options,
                &crate::store::MemoryStore::default(),
                &crate::events::NoEvents,
                shared.tables,
                true,
            )
            .map_err(|e| format!("pipeline `{name}`: {e}"))?;
            if result.ok {
                Ok(Value::Object(result.outputs))
            } else {
                Err(format!(
                    "pipeline `{name}` failed: {}",
                    result.error.unwrap_or_default()
                ))
            }
        }
    }
}
