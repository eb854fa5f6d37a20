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

mod attempt;
mod commits;
mod error;
mod keys;
mod memory;
mod nested;
mod scope;
mod slots;
mod sql_params;
mod tasks;

use std::collections::VecDeque;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Instant;

use pipec_compiler::links::NodeLinks;
use pipec_compiler::plan::Plan;
use serde_json::{Map, Value};

use crate::eval::{Limits, evaluate};
use crate::events::{Event, EventSink};
use crate::plugins::{Args, Registry};
use crate::store::{NodeState, Store};
use crate::tables::{Engine, RecordBatch, StartingTables, TableOptions, rows_of};
use attempt::{Shared, attempt_task, emit};
use commits::{Commits, is_quick};
pub use error::RunError;
use scope::{Layers, base_scope, output_values, reads_any, table_inputs, unfinished_nodes};
use slots::{Demand, Slots};
use tasks::{NoTasks, collect_items, form_tasks};

pub use memory::plan_hash;

/// The reason a task gives when the run's cancellation stopped it.
const CANCELLED: &str = "the run was cancelled";

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// CPU slots and worker threads (default: the number of cores): a task
    /// takes its node's `resources { cpus }` of them (one when it says
    /// nothing) while it runs.
    pub jobs: Option<usize>,
    /// The memory budget in bytes that tasks' `resources { memory }` take
    /// from while they run (default: this machine's memory).
    pub memory: Option<u64>,
    /// Let independent branches finish after a failure.
    pub keep_going: bool,
    /// Input values by name (validated against the plan's inputs).
    pub inputs: Map<String, Value>,
    /// Secret values by name (never recorded).
    pub secrets: HashMap<String, String>,
    /// Keys approved for `wait`.
    pub approvals: HashSet<String>,
    /// Keys rejected for `wait`, each with its note: the waiting node fails
    /// with it.
    pub rejections: HashMap<String, String>,
    /// Reuse completed tasks of pure operators from any earlier run with
    /// the same key (`pipec run --cache`); a node's `cache on` does this
    /// for its own tasks, whatever the operator.
    pub cache: bool,
    /// What identifies the run in the store (its file and hashes): recorded,
    /// and used to find the earlier run a task is compared with.
    pub identity: Option<crate::durable::RunIdentity>,
    /// The run's id.
    pub run_id: String,
    /// How the table engine runs (memory limit, spill directory, partitions).
    pub tables: TableOptions,
    /// How an output whose value is a table is handed back.
    pub table_outputs: TableOutputs,
    /// Set from outside (a signal handler, a host) to cancel the run:
    /// running tasks are told to stop (`exec` children are killed with
    /// their process groups) and nodes not yet started are cancelled. The
    /// run sets it too when a failure stops it.
    pub cancel: Option<Arc<AtomicBool>>,
    /// When the whole run must stop: every task's deadline is at most this
    /// (a pipeline called as a node runs within its node's timeout).
    pub deadline: Option<Instant>,
    /// Where tasks keep the whole output of the processes they run: `exec`
    /// writes `LOGS/RUN_ID/NODE.TASK.ATTEMPT.stdout` and `.stderr`.
    pub logs: Option<PathBuf>,
}

impl RunOptions {
    /// Takes the decisions recorded on the run's waits: an approval lets
    /// its `wait` pass, a rejection fails its node with the note and who
    /// rejected it.
    pub fn apply_decisions(&mut self, decisions: &[crate::durable::Decision]) {
        for decision in decisions {
            if decision.approved {
                self.approvals.insert(decision.key.clone());
            } else {
                self.rejections
                    .insert(decision.key.clone(), decision.rejection_note());
            }
        }
    }
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
    /// Tasks whose value was taken from an earlier start of this run.
    pub resumed: usize,
    /// Tasks whose value was taken from another run (the cache).
    pub cached: usize,
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
    /// Whether the run was cancelled from outside ([`RunOptions::cancel`])
    /// before a failure stopped it.
    pub cancelled: bool,
    /// The outputs left out because their table failed while it was
    /// computed (a bad row met by a fused plan), each with its error.
    pub failed_outputs: Vec<(String, String)>,
    /// The waits without a decision the run stopped at: (node, key, prompt).
    pub waiting: Vec<(String, String, Option<String>)>,
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
    /// The item it runs for, as messages name it (`batch_041.json`).
    label: Option<String>,
}

/// Tasks started together once what they need is free: a chunk of a plain
/// node's tasks (one CPU), or one task of a node with `resources` or of an
/// operator that runs a process (its own thread, not the pool's).
struct Unit {
    node: usize,
    tasks: Vec<(usize, Task)>,
    demand: Demand,
    own_thread: bool,
}

/// A finished task, sent back to the scheduler.
struct Done {
    node: usize,
    task: usize,
    origin: Option<u64>,
    result: Result<Value, String>,
    attempts: u32,
    label: Option<String>,
    reused: Option<memory::Reuse>,
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
    /// Some task reached a `wait` without a decision.
    waiting: bool,
    resumed: usize,
    cached: usize,
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
        // Derived texts (`secret.token | upper`) are hidden as well.
        &crate::store::Redacting::new(store, crate::secrets::secret_texts(plan, &options.secrets))
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
    let remembered = match nested {
        true => memory::Memory::none(),
        false => {
            let identity =
                options
                    .identity
                    .clone()
                    .unwrap_or_else(|| crate::durable::RunIdentity {
                        pipeline: plan.pipeline.clone(),
                        plan_hash: memory::plan_hash(plan),
                        ..Default::default()
                    });
            store.run_identity(&options.run_id, &identity);
            memory::Memory::load(
                plan,
                store,
                &options.run_id,
                &identity,
                options.cache,
                crate::secrets::secret_texts(plan, &options.secrets),
            )
        }
    };
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
            waiting: false,
            resumed: 0,
            cached: 0,
        })
        .collect();
    let names: Vec<&str> = plan.nodes.iter().map(|n| n.name.as_str()).collect();
    store.nodes_state(&options.run_id, &names, NodeState::Pending);
    let cancelled: Arc<AtomicBool> = options.cancel.clone().unwrap_or_default();
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
    // What each node's tasks need; a node asking for more than the run has
    // is refused before anything runs.
    let memory = options.memory.unwrap_or_else(slots::machine_memory);
    // A called pipeline runs within its calling task, one task at a time:
    // its nodes are not refused for asking more than that.
    let capacity = match nested {
        true => slots::Capacity::unlimited(),
        false => slots::Capacity {
            jobs,
            memory,
            memory_given: options.memory.is_some(),
        },
    };
    let demands = slots::demands(plan, &base, &limits, &capacity).map_err(RunError::Input)?;
    let mut slots = Slots::new(jobs, memory);
    let mut waiting: VecDeque<Unit> = VecDeque::new();
    let (tx, rx) = mpsc::channel::<(Demand, Vec<Done>)>();

    // A node is looked at again only when one of the nodes it waits for
    // settles (linear in the edges, not quadratic in the nodes).
    let mut candidates: Vec<usize> = (0..plan.nodes.len())
        .filter(|&n| links.nodes[n].waits().next().is_none())
        .collect();
    candidates.reverse();

    let shared = Shared {
        store,
        events,
        began,
        cancelled: &cancelled,
        registry,
        plan,
        options,
        tables: engine,
        memory: &remembered,
    };
    let shared = &shared;
    std::thread::scope(|threads| {
        pool.in_place_scope(|scope| {
            let mut running = 0usize;
            let mut inline: Option<(Demand, Done)> = None;
            let mut commits = Commits::new();
            loop {
                // What finished is committed before what reads it is formed
                // (quick tasks in batches: see `commits`).
                if !candidates.is_empty() {
                    commits.commit_if_due(store);
                }
                // Start (or settle) every candidate whose dependencies have settled.
                while let Some(n) = candidates.pop() {
                    {
                        let node = &plan.nodes[n];
                        if nodes[n].state != NodeState::Pending || !settled(&links.nodes[n], &nodes)
                        {
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
                                if let Some(reason) = &nodes[n].failed {
                                    store.node_failed(&options.run_id, &node.name, reason);
                                }
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
                                if let Some(pool) = &node.policy.pool {
                                    store.node_pool(&options.run_id, &node.name, pool);
                                }
                                emit(events, || Event::NodeStarted {
                                    node: node.name.clone(),
                                    tasks: count,
                                    at_ms: since(now),
                                });
                                let own_thread = runs_a_process(node);
                                let demand = demands[n].unwrap_or(Demand::ONE_CPU);
                                // The only work there is: run it here, without a hand-off.
                                if count == 1
                                    && running == 0
                                    && candidates.is_empty()
                                    && inline.is_none()
                                    && waiting.is_empty()
                                {
                                    if let Some(task) = tasks.into_iter().next() {
                                        // Nothing stays uncommitted (nor locks the
                                        // store) while a task that may take long runs.
                                        if !is_quick(node) {
                                            commits.commit(store);
                                        }
                                        running += 1;
                                        slots.try_take(demand);
                                        let done = attempt_task(n, 0, task, shared);
                                        inline = Some((demand, done));
                                    }
                                    continue;
                                }
                                // Plain tasks go to the pool in chunks: one job and one message
                                // per chunk, not per task (a no-op task costs less than a
                                // wake-up). A task that needs its own resources, or waits on a
                                // process, is a unit of its own.
                                let chunk = match own_thread || demands[n].is_some() {
                                    true => 1,
                                    false => count.div_ceil(jobs * 8).max(1),
                                };
                                let mut tasks = tasks.into_iter().enumerate().peekable();
                                while tasks.peek().is_some() {
                                    let batch: Vec<(usize, Task)> =
                                        tasks.by_ref().take(chunk).collect();
                                    running += batch.len();
                                    waiting.push_back(Unit {
                                        node: n,
                                        tasks: batch,
                                        demand,
                                        own_thread,
                                    });
                                }
                            }
                        }
                    }
                }
                // Start what fits, in order.
                while waiting
                    .front()
                    .is_some_and(|unit| slots.try_take(unit.demand))
                {
                    let Some(Unit {
                        node: n,
                        tasks: batch,
                        demand,
                        own_thread,
                    }) = waiting.pop_front()
                    else {
                        break;
                    };
                    let tx = tx.clone();
                    let work = move || {
                        let done: Vec<Done> = batch
                            .into_iter()
                            .map(|(t, task)| attempt_task(n, t, task, shared))
                            .collect();
                        let _ = tx.send((demand, done));
                    };
                    if own_thread {
                        threads.spawn(work);
                    } else {
                        scope.spawn(move |_| work());
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
                let (demand, batch) = match inline.take() {
                    Some((demand, done)) => (demand, vec![done]),
                    None => match rx.try_recv() {
                        Ok(batch) => batch,
                        // Nothing finished yet: commit before waiting, so
                        // no finished task stays unrecorded while others run.
                        Err(_) => {
                            commits.commit_if_due(store);
                            match rx.recv_timeout(commits::AT_MOST) {
                                Ok(batch) => batch,
                                // Nothing stays uncommitted (nor holds the
                                // store's lock) while a long task runs.
                                Err(mpsc::RecvTimeoutError::Timeout) => {
                                    commits.commit(store);
                                    match rx.recv() {
                                        Ok(batch) => batch,
                                        Err(_) => break,
                                    }
                                }
                                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                            }
                        }
                    },
                };
                slots.give(demand);
                for done in batch {
                    running -= 1;
                    let node = &plan.nodes[done.node];
                    commits.finished(node);
                    let run = &mut nodes[done.node];
                    run.attempts += done.attempts;
                    run.remaining -= 1;
                    match done.reused {
                        Some(memory::Reuse::Resumed) => run.resumed += 1,
                        Some(memory::Reuse::Cached) => run.cached += 1,
                        None => {}
                    }
                    match done.result {
                        Ok(value) => run.outputs[done.task] = Some((value, done.origin)),
                        // A task stopped by the run's cancellation is cancelled, not failed.
                        Err(message) if message.contains(CANCELLED) => run.cancelled = true,
                        // A wait without a decision: the node waits (its
                        // dependents stay pending); the run goes on with
                        // everything else.
                        Err(message) if message.starts_with(crate::plugins::WAITING_FOR) => {
                            run.waiting = true;
                        }
                        Err(message) => {
                            if run.failed.is_none() {
                                run.failed = Some(message.clone());
                            }
                            first_error.get_or_insert(match &done.label {
                                Some(label) => format!(
                                    "node `{}` task {} ({label}): {message}",
                                    node.name, done.task
                                ),
                                None => {
                                    format!("node `{}` task {}: {message}", node.name, done.task)
                                }
                            });
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
                        } else if run.waiting {
                            NodeState::Waiting
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
                        if let (NodeState::Failed, Some(reason)) = (state, &run.failed) {
                            store.node_failed(&options.run_id, &node.name, reason);
                        }
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
        })
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
    let cancelled_from_outside = first_error.is_none() && cancelled.load(Ordering::Relaxed);
    let waiting: Vec<(String, String, Option<String>)> = remembered.waits();
    let ok = first_error.is_none()
        && !cancelled_from_outside
        && nodes.iter().all(|n| {
            matches!(
                n.state,
                NodeState::Completed | NodeState::Skipped | NodeState::Filtered
            )
        });
    if let (false, Some(reason)) = (ok || cancelled_from_outside, &first_error) {
        store.run_failed(&options.run_id, reason);
    }
    if cancelled_from_outside {
        store.run_cancelled(&options.run_id);
    } else if first_error.is_none() && !waiting.is_empty() {
        store.run_waiting(&options.run_id);
    } else {
        store.run_finished(&options.run_id, ok);
    }
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
                resumed: n.resumed,
                cached: n.cached,
            })
            .collect(),
        error: first_error,
        cancelled: cancelled_from_outside,
        failed_outputs,
        waiting,
    })
}

/// Whether a node's tasks wait on a child process (`exec`): they run on
/// threads of their own, so that how many run at once is set by the run's
/// CPU slots, and a waiting task never holds a pool thread that other ready
/// work could use.
fn runs_a_process(node: &pipec_compiler::plan::PlanNode) -> bool {
    matches!(&node.plugin, pipec_compiler::analyze::Callee::Builtin { name } if name == "exec")
}

/// Whether everything a node waits for has settled (`after any`: one completed, or all settled).
fn settled(node_links: &NodeLinks, nodes: &[NodeRun]) -> bool {
    let is_final = |&i: &usize| nodes[i].state.is_final();
    let any_done = node_links.after_any.is_empty()
        || node_links
            .after_any
            .iter()
            .any(|&i| matches!(nodes[i].state, NodeState::Completed | NodeState::Filtered))
        || node_links.after_any.iter().all(is_final);
    node_links.reads.iter().all(|r| is_final(&r.0))
        && node_links.after.iter().all(is_final)
        && any_done
}
