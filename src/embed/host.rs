//! The host: its plugins, its store and its event sink, and the runs it
//! starts ([`RunHandle`]).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, mpsc};

use pipec_compiler::analyze::Callee;
use pipec_compiler::plan::Plan;
use pipec_runtime::{
    EventSink, MemoryStore, NoEvents, Plugin, Registry, RunError, RunOptions, RunResult,
    SqliteStore, Store, TableOutputs,
};
use serde_json::{Map, Value};

use super::handle::{Outcome, RunEvents, RunHandle};

/// A host: its plugins, and where runs are recorded and reported. Cheap
/// to share: runs started from it ([`Host::start`]) run on threads of
/// their own, with the plugins, store and sink the host had then.
#[derive(Clone)]
pub struct Host {
    registry: Registry,
    store: Arc<dyn Store>,
    /// The store again when it is SQLite: its history ([`Host::history`]).
    sqlite: Option<Arc<SqliteStore>>,
    events: Arc<dyn EventSink>,
    options: RunOptions,
}

impl Default for Host {
    fn default() -> Self {
        Host {
            registry: Registry::new(),
            store: Arc::new(MemoryStore::default()),
            sqlite: None,
            events: Arc::new(NoEvents),
            options: RunOptions::default(),
        }
    }
}

/// A plugin a plan and a host disagree on, found before a run starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginMismatch {
    /// The plan calls a plugin the host does not provide (the run is refused).
    Missing {
        /// The node that calls it.
        node: String,
        /// The plugin.
        plugin: String,
    },
    /// The host provides a plugin that no node of the plan calls (a
    /// misspelt registration, or a plugin for another program).
    Unused {
        /// The plugin.
        plugin: String,
    },
}

impl Host {
    /// A host without plugins, recording in memory, reporting nowhere.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a plugin for the `plugin NAME(...)` declaration of that
    /// name. What it returns is checked against the declaration's output
    /// type: a value of another shape fails the task, naming the plugin,
    /// the type declared and the value found.
    pub fn register(&mut self, name: &str, plugin: impl Plugin + 'static) -> &mut Self {
        self.registry.register(name, plugin);
        self
    }

    /// Registers a plugin that takes its `table` arguments as Arrow batches
    /// (`context.table_batches(&args["rows"])`) rather than JSON rows, and
    /// may return a table made of batches (`context.new_table(batches)`).
    pub fn register_batches(&mut self, name: &str, plugin: impl Plugin + 'static) -> &mut Self {
        self.registry.register_batches(name, plugin);
        self
    }

    /// Receives every event of the host's runs.
    pub fn on_event(&mut self, sink: impl EventSink + 'static) -> &mut Self {
        self.events = Arc::new(sink);
        self
    }

    /// Records runs in this store (a [`pipec_runtime::SqliteStore`] keeps
    /// them across processes: resume, cache, decisions, history).
    pub fn with_store(&mut self, store: impl Store + 'static) -> &mut Self {
        self.store = Arc::new(store);
        self.sqlite = None;
        self
    }

    /// Records runs in a SQLite store and keeps its history at hand
    /// ([`Host::history`]: the runs, their nodes, tasks, waits, outputs).
    pub fn with_sqlite(&mut self, store: SqliteStore) -> &mut Self {
        let store = Arc::new(store);
        self.store = Arc::clone(&store) as Arc<dyn Store>;
        self.sqlite = Some(store);
        self
    }

    /// The history of the host's runs, when its store is SQLite
    /// ([`Host::with_sqlite`]): what `pipec runs`, `show` and `why` read —
    /// `runs(None, None, 20)`, `run_counted(id)`, `nodes(id)`,
    /// `tasks(id, None)`, `waits(id)`, `outputs(id)`, `prune(keep)`.
    pub fn history(&self) -> Option<&SqliteStore> {
        self.sqlite.as_deref()
    }

    /// Sets a secret's value.
    pub fn secret(&mut self, name: &str, value: &str) -> &mut Self {
        self.options
            .secrets
            .insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the number of worker threads (CPU slots) of each run.
    pub fn jobs(&mut self, jobs: usize) -> &mut Self {
        self.options.jobs = Some(jobs);
        self
    }

    /// Lets independent branches finish after a failure (`--keep-going`).
    pub fn keep_going(&mut self, on: bool) -> &mut Self {
        self.options.keep_going = on;
        self
    }

    /// Approves the `wait` keyed `key` in every run up front (`--approve`).
    pub fn approve_up_front(&mut self, key: &str) -> &mut Self {
        self.options.approvals.insert(key.to_string());
        self
    }

    /// The memory the table engine may use, in bytes (`--memory-limit`):
    /// beyond it, sorts, joins and aggregates spill to disk.
    pub fn memory_limit(&mut self, bytes: usize) -> &mut Self {
        self.options.tables.memory_limit = Some(bytes);
        self
    }

    /// Hands back outputs whose value is a table as Arrow batches
    /// ([`RunResult::tables`]) instead of JSON rows in `outputs`.
    pub fn tables_as_batches(&mut self) -> &mut Self {
        self.options.table_outputs = TableOutputs::Batches;
        self
    }

    /// Reuses completed tasks of pure operators from any earlier run the
    /// store recorded with the same key (as `pipec run --cache`).
    pub fn cache(&mut self, on: bool) -> &mut Self {
        self.options.cache = on;
        self
    }

    /// Where the plan and the host disagree on plugins: a plugin the plan
    /// calls that the host does not provide, or one the host provides
    /// that the plan never calls. [`Host::start`] refuses a run on the
    /// first kind.
    pub fn check_plugins(&self, plan: &Plan) -> Vec<PluginMismatch> {
        let mut called = Vec::new();
        let mut mismatches = Vec::new();
        for (node, plugin) in host_calls(plan) {
            if self.registry.get(&plugin).is_none() {
                mismatches.push(PluginMismatch::Missing {
                    node,
                    plugin: plugin.clone(),
                });
            }
            called.push(plugin);
        }
        let mut provided = self.registry.names();
        provided.sort();
        for plugin in provided {
            if !called.contains(&plugin) {
                mismatches.push(PluginMismatch::Unused { plugin });
            }
        }
        mismatches
    }

    /// Starts a run of `plan` with `inputs` under a new, unique run id and
    /// returns as soon as the run is recorded (before any task has run),
    /// or with the error that refused it (bad inputs, a secret without a
    /// value, a missing plugin): the [`RunHandle`] gives its id, events,
    /// cancellation, decisions and result. Safe to call from any thread and
    /// from inside a tokio runtime (the run has its own threads).
    pub fn start(&self, plan: &Plan, inputs: Map<String, Value>) -> Result<RunHandle, RunError> {
        self.start_as(&new_run_id(), plan, inputs)
    }

    /// Starts a run under the id `run_id`. With a store that remembers
    /// ([`Store::remembers`], as `SqliteStore` does), an id the store has
    /// seen continues that run: its completed tasks are reused, the
    /// decisions taken on its waits apply — the resume of `pipec resume`.
    /// Refused at once when the plan calls a plugin the host does not
    /// provide ([`RunError::MissingPlugin`]).
    pub fn start_as(
        &self,
        run_id: &str,
        plan: &Plan,
        inputs: Map<String, Value>,
    ) -> Result<RunHandle, RunError> {
        let mut warnings = Vec::new();
        for mismatch in self.check_plugins(plan) {
            match mismatch {
                PluginMismatch::Missing { node, plugin } => {
                    return Err(RunError::MissingPlugin { node, plugin });
                }
                PluginMismatch::Unused { plugin } => warnings.push(format!(
                    "plugin `{plugin}` is registered, but no node of pipeline `{}` calls it",
                    plan.pipeline
                )),
            }
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let mut options = RunOptions {
            inputs,
            run_id: run_id.to_string(),
            cancel: Some(Arc::clone(&cancel)),
            ..self.options.clone()
        };
        options.apply_decisions(&self.store.decisions(run_id));
        let (sender, receiver) = mpsc::channel();
        let outcome = Arc::new(Outcome::default());
        let sink = RunEvents {
            outcome: Arc::clone(&outcome),
            host: Arc::clone(&self.events),
            handle: Mutex::new(Some(sender)),
        };
        let handle = RunHandle {
            id: run_id.to_string(),
            warnings,
            cancel,
            events: Mutex::new(Some(receiver)),
            outcome: Arc::clone(&outcome),
            store: Arc::clone(&self.store),
        };
        let plan = plan.clone();
        let registry = self.registry.clone();
        let store = Arc::clone(&self.store);
        let spawned = std::thread::Builder::new()
            .name(format!("pipec {run_id}"))
            .spawn(move || {
                // A plugin that panics fails the run, never the host (nor
                // leaves the handle waiting).
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    pipec_runtime::run(&plan, &registry, &options, store.as_ref(), &sink)
                }))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Err(RunError::Panicked(what))
                });
                // The handle's event stream ends with the run.
                drop(sink);
                outcome.finish(result);
            });
        if let Err(error) = spawned {
            return Err(RunError::Input(format!(
                "cannot start the run's thread: {error}"
            )));
        }
        // Returned once the run is in the store, so that a decision taken
        // through the handle at once finds it; a run refused before that
        // (bad inputs, a secret without a value) is this call's error.
        handle.outcome.wait_started()?;
        Ok(handle)
    }

    /// Runs `plan` with `inputs` under a new run id and waits for its
    /// result ([`Host::start`], then [`RunHandle::wait`]).
    pub fn run(&self, plan: &Plan, inputs: Map<String, Value>) -> Result<RunResult, RunError> {
        self.start(plan, inputs)?.wait()
    }

    /// Runs under the id `run_id` and waits ([`Host::start_as`]).
    pub fn run_as(
        &self,
        run_id: &str,
        plan: &Plan,
        inputs: Map<String, Value>,
    ) -> Result<RunResult, RunError> {
        self.start_as(run_id, plan, inputs)?.wait()
    }

    /// Runs and awaits the result without blocking the async runtime.
    pub async fn run_async(
        &self,
        plan: &Plan,
        inputs: Map<String, Value>,
    ) -> Result<RunResult, RunError> {
        self.start(plan, inputs)?.wait_async().await
    }

    /// Continues the run `run_id` (failed, cancelled, crashed or waiting):
    /// what completed is reused, decisions taken since apply. The same as
    /// [`Host::start_as`] with that id.
    pub fn resume(
        &self,
        run_id: &str,
        plan: &Plan,
        inputs: Map<String, Value>,
    ) -> Result<RunHandle, RunError> {
        self.start_as(run_id, plan, inputs)
    }

    /// Approves (or rejects) the `wait` keyed `key` of the run `run_id`,
    /// in the host's store; [`Host::resume`] then continues it.
    pub fn decide(
        &self,
        run_id: &str,
        key: &str,
        approved: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), String> {
        self.store.decide(
            run_id,
            &pipec_runtime::durable::Decision::new(key, approved, by, note),
        )
    }
}

/// The host plugins a plan (and the pipelines it calls) calls: (node, plugin).
fn host_calls(plan: &Plan) -> Vec<(String, String)> {
    let mut calls = Vec::new();
    for node in &plan.nodes {
        if let Callee::Host { name, .. } = &node.plugin {
            calls.push((node.name.clone(), name.clone()));
        }
    }
    for sub in plan.subplans.values() {
        calls.extend(host_calls(sub));
    }
    calls
}

/// A run id no other run of this process or another has: the time, the
/// process and a counter.
fn new_run_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "run-{}-{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}
