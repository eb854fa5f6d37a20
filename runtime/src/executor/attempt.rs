//! One task's attempts (retries with backoff, timeouts, cancellation, the
//! store's task records and events) and the call of its operator: a table
//! operator on the run's engine, a records-and-files built-in, a host
//! plugin, or a pipeline called as a node (a nested run).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pipec_compiler::analyze::Callee;
use pipec_compiler::plan::{Plan, PlanNode};
use serde_json::Value;

use super::memory::{Decision, Memory, Reuse};
use super::nested::{NestedEvents, NestedStore};
use super::{CANCELLED, Done, RunOptions, TableOutputs, Task, run_with_engine};
use crate::events::{Event, EventSink};
use crate::plugins::{Args, Registry, TaskContext, WAITING_FOR, builtin, wait_outcome};
use crate::store::{Store, TaskRecord};
use crate::tables::{Engine, RecordBatch, Tables, handle, holds_table};

/// A `wait` that found no decision in the run's options takes one recorded
/// in the store since the run started (a host's `RunHandle::approve`);
/// any other error is passed on.
fn decided_since(
    error: String,
    args: &Args,
    store: &dyn Store,
    run_id: &str,
) -> Result<Value, String> {
    if !error.starts_with(WAITING_FOR) {
        return Err(error);
    }
    let key = args.get("key").and_then(Value::as_str).unwrap_or("");
    match store.decisions(run_id).into_iter().find(|d| d.key == key) {
        Some(d) => wait_outcome(key, (!d.approved).then(|| d.rejection_note()).as_deref()),
        None => Err(error),
    }
}

/// Runs one task with its retries, or reuses a value an earlier start of
/// the run (or, with `cache`, another run) recorded for the same key.
pub(super) fn attempt_task(position: usize, index: usize, task: Task, shared: &Shared<'_>) -> Done {
    let node = &shared.plan.nodes[position];
    let label = task.label.as_deref();
    let decision = shared
        .memory
        .decide(node, index, label, &task.args, shared.store);
    let (result, attempts, reused) = match decision {
        Decision::Reuse {
            value,
            from,
            how,
            keyed,
        } => {
            // Resumed from an earlier start of this run: the record it
            // reuses stays its record (nothing is written again). Taken
            // from the cache: recorded with its value, for this run's own
            // later starts.
            if how == Reuse::Cached {
                shared.store.task_finished(
                    &shared.options.run_id,
                    TaskRecord {
                        node: node.name.clone(),
                        task: index,
                        attempt: 0,
                        ok: true,
                        label: task.label.clone(),
                        key: Some(keyed.key),
                        parts: Some(keyed.parts),
                        value: Some(value.clone()),
                        reused_from: Some(from.clone()),
                        ..TaskRecord::default()
                    },
                );
            }
            emit(shared.events, || Event::TaskReused {
                node: node.name.clone(),
                task: index,
                how: match how {
                    Reuse::Resumed => "resumed",
                    Reuse::Cached => "cached",
                },
                from,
                at_ms: shared.began.elapsed().as_millis(),
            });
            (Ok(value), 0, Some(how))
        }
        Decision::Run { keyed, reason } => {
            let (result, attempts) =
                run_attempts(position, index, &task, shared, keyed.as_ref(), reason);
            (result, attempts, None)
        }
    };
    Done {
        node: position,
        task: index,
        origin: task.origin,
        result,
        attempts,
        label: task.label,
        reused,
    }
}

/// Runs one task with its retries; returns the result and the attempts made.
fn run_attempts(
    position: usize,
    task: usize,
    work: &Task,
    shared: &Shared<'_>,
    keyed: Option<&super::keys::Keyed>,
    reason: Option<String>,
) -> (Result<Value, String>, u32) {
    let args = &work.args;
    let Shared {
        store,
        events,
        began,
        cancelled,
        ..
    } = *shared;
    let run_id = shared.options.run_id.as_str();
    let node = &shared.plan.nodes[position];
    let attempts = node.policy.retries + 1;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        if cancelled.load(Ordering::Relaxed) {
            return (Err(CANCELLED.into()), attempt - 1);
        }
        // A pipeline called as a node: its node's timeout has passed.
        if shared.options.deadline.is_some_and(|d| Instant::now() >= d) {
            return (
                Err("timed out (the calling node's timeout)".into()),
                attempt - 1,
            );
        }
        let start = Instant::now();
        emit(events, || Event::TaskStarted {
            node: node.name.clone(),
            task,
            attempt,
            at_ms: start.duration_since(began).as_millis(),
        });
        // The node's timeout, within the run's own deadline (that of the
        // node that called this pipeline).
        let own_deadline = node
            .policy
            .timeout_ms
            .map(|ms| start + Duration::from_millis(ms));
        let plugin_tables = PluginTablesOf {
            shared,
            node: &node.name,
        };
        let context = TaskContext {
            tables: Some(&plugin_tables),
            deadline: match (own_deadline, shared.options.deadline) {
                (Some(own), Some(run)) => Some(own.min(run)),
                (own, run) => own.or(run),
            },
            cancelled,
            approvals: &shared.options.approvals,
            rejections: &shared.options.rejections,
            log_prefix: shared.options.logs.as_ref().map(|logs| {
                logs.join(&shared.options.run_id)
                    .join(format!("{}.{task}.{attempt}", node.name))
            }),
        };
        let result = call(position, args, shared, &context)
            .or_else(|error| decided_since(error, args, store, run_id))
            .and_then(|value| match (own_deadline, node.policy.timeout_ms) {
                (Some(deadline), Some(ms)) if Instant::now() > deadline => {
                    Err(format!("timed out after {ms} ms"))
                }
                _ => Ok(value),
            });
        let millis = start.elapsed().as_millis();
        if let Some(prefix) = &context.log_prefix {
            redact_logs(prefix, shared.memory.secrets());
        }
        // A wait without a decision: the node waits; no retry, no failure.
        if let Err(error) = &result
            && error.starts_with(WAITING_FOR)
        {
            let key = args.get("key").and_then(Value::as_str).unwrap_or("");
            let prompt = args.get("prompt").and_then(Value::as_str);
            store.wait_reached(run_id, &node.name, key, prompt);
            shared.memory.waited(&node.name, key, prompt);
            emit(events, || Event::Waiting {
                node: node.name.clone(),
                key: key.to_string(),
                prompt: prompt.map(str::to_string),
            });
            return (result, attempt);
        }
        let (value, parts) = match (&result, keyed) {
            (Ok(value), Some(keyed)) => {
                // What reads a table this task made keys on this key.
                shared.memory.lineage.made(value, &node.name, &keyed.key);
                let parts = shared.memory.completed_parts(node, keyed, value, store);
                ((!holds_table(value)).then(|| value.clone()), Some(parts))
            }
            _ => (None, keyed.map(|k| k.parts.clone())),
        };
        store.task_finished(
            run_id,
            TaskRecord {
                node: node.name.clone(),
                task,
                attempt,
                ok: result.is_ok(),
                error: result.as_ref().err().cloned(),
                millis: millis as u64,
                label: work.label.clone(),
                key: keyed.map(|k| k.key.clone()),
                parts,
                value,
                reused_from: None,
                reason: reason.clone(),
                session: 0,
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

/// Hides the run's secrets in the stdout and stderr files a task kept
/// (`PREFIX.stdout`, `PREFIX.stderr`): nothing the store writes holds one.
fn redact_logs(prefix: &std::path::Path, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for stream in ["stdout", "stderr"] {
        let path = std::path::PathBuf::from(format!("{}.{stream}", prefix.display()));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let hidden = crate::store::redact(&text, secrets);
        if hidden != text {
            let _ = std::fs::write(&path, hidden);
        }
    }
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
pub(super) fn emit(events: &dyn EventSink, make: impl FnOnce() -> Event) {
    if events.enabled() {
        events.event(&make());
    }
}

/// What every task of a run may need besides its own arguments.
#[derive(Clone, Copy)]
pub(super) struct Shared<'a> {
    /// The run's record.
    pub(super) store: &'a dyn Store,
    /// Where the run's events go.
    pub(super) events: &'a dyn EventSink,
    /// When the run began (events' times are counted from it).
    pub(super) began: Instant,
    /// Set when the run is being cancelled; shared with the runs of
    /// pipelines called as nodes.
    pub(super) cancelled: &'a Arc<AtomicBool>,
    pub(super) registry: &'a Registry,
    pub(super) plan: &'a Plan,
    pub(super) options: &'a RunOptions,
    /// The table engine, started by the first table operator (of this run
    /// or of a pipeline it calls as a node).
    pub(super) tables: &'a Engine,
    /// What the run remembers of earlier tasks.
    pub(super) memory: &'a Memory,
}

impl Shared<'_> {
    fn tables(&self) -> Result<&Tables, String> {
        self.tables.get(&self.options.tables)
    }

    /// The batches of the table `value` is, when it is one of the run's tables.
    pub(super) fn batches(&self, value: &Value) -> Option<Result<Vec<RecordBatch>, String>> {
        match self.tables.running() {
            Some(tables) if handle(value).is_some() => Some(tables.collect(value)),
            _ => None,
        }
    }

    /// `value` with its tables as rows, when the run has made tables.
    pub(super) fn export(&self, value: Value) -> Result<Value, String> {
        match self.tables.running() {
            Some(tables) if holds_table(&value) => tables.export(value),
            _ => Ok(value),
        }
    }
}

/// The run's tables as batches, for a plugin that takes them.
struct PluginTablesOf<'a> {
    shared: &'a Shared<'a>,
    node: &'a str,
}

impl crate::plugins::PluginTables for PluginTablesOf<'_> {
    fn batches(&self, table: &Value) -> Result<Vec<RecordBatch>, String> {
        self.shared
            .batches(table)
            .unwrap_or_else(|| Err("not a table of this run".into()))
    }

    fn table(&self, batches: Vec<RecordBatch>) -> Result<Value, String> {
        self.shared.tables()?.keep_batches(self.node, batches)
    }
}

pub(super) fn call(
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
    let takes_tables = match &node.plugin {
        Callee::Pipeline { .. } => true,
        Callee::Host { name, .. } => shared.registry.takes_batches(name),
        Callee::Builtin { .. } => false,
    };
    let args = if args.values().any(holds_table) && !takes_tables {
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
        Callee::Host { name, .. } => {
            let value = shared
                .registry
                .get(name)
                .ok_or_else(|| format!("plugin `{name}` is not provided by this host"))?
                .run(args, context)?;
            // What a plugin returns is checked against its declaration.
            match &node.returns {
                Some(declared) => crate::inputs::convert(declared, &value).map_err(|found| {
                    format!(
                        "plugin `{name}` returned {found}, but its declaration says it returns `{declared}`"
                    )
                }),
                None => Ok(value),
            }
        }
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
                // Its nodes stop with the calling node: at its timeout, or
                // when the calling run is cancelled.
                cancel: Some(Arc::clone(shared.cancelled)),
                deadline: context.deadline,
                logs: shared.options.logs.clone(),
                jobs: Some(1),
                memory: shared.options.memory,
                keep_going: shared.options.keep_going,
                inputs: args.clone(),
                secrets: shared.options.secrets.clone(),
                approvals: shared.options.approvals.clone(),
                rejections: shared.options.rejections.clone(),
                cache: false,
                identity: None,
                run_id: format!("{}/{name}", shared.options.run_id),
                tables: shared.options.tables.clone(),
                // The outputs are the node's record; its tables stay
                // tables of this run's engine (`run_with_engine`).
                table_outputs: TableOutputs::Rows,
            };
            // Its nodes and tasks are recorded and reported under the
            // calling node's name (`caller/node`).
            let prefix = format!("{}/", node.name);
            let store = NestedStore {
                inner: shared.store,
                prefix: &prefix,
            };
            let events = NestedEvents {
                inner: shared.events,
                prefix: &prefix,
            };
            let result = run_with_engine(
                sub,
                shared.registry,
                &options,
                &store,
                &events,
                shared.tables,
                true,
            )
            .map_err(|e| format!("pipeline `{name}`: {e}"))?;
            if result.ok {
                Ok(Value::Object(result.outputs))
            } else if result.cancelled {
                Err(CANCELLED.into())
            } else {
                Err(format!(
                    "pipeline `{name}` failed: {}",
                    result.error.unwrap_or_default()
                ))
            }
        }
    }
}
