//! Embedding: compile a `.pipe` program and run it from a Rust host, with the
//! host's own plugins, store and events — without the CLI.
//!
//! ```
//! use pipec::embed::{Host, compile_source};
//! use serde_json::json;
//!
//! let program = compile_source(
//!     "inline.pipe",
//!     "plugin shout(text: string) -> { text: string }\n\
//!      pipeline p {\n  input name: string = \"world\"\n  node s = shout(\"hello {input.name}\")\n  output said = s.text\n}\n",
//!     None,
//! )
//! .expect("compiles");
//! let mut host = Host::new();
//! host.register("shout", |args: &pipec::runtime::Args, _: &pipec::runtime::TaskContext<'_>| {
//!     let text = args["text"].as_str().unwrap_or_default().to_uppercase();
//!     Ok(json!({ "text": text }))
//! });
//! let result = host.run(&program, serde_json::Map::new()).expect("runs");
//! assert_eq!(result.outputs["said"], json!("HELLO WORLD"));
//! ```

use std::path::Path;

use pipec_compiler::compile::{CompileError, compile};
use pipec_compiler::plan::Plan;
use pipec_compiler::{Database, RunInputs};
use pipec_grammar::diagnostic::Diagnostic;
use pipec_grammar::render::{Sources, human};
use pipec_runtime::{
    EventSink, MemoryStore, NoEvents, Plugin, Registry, RunError, RunOptions, RunResult, Store,
    TableOutputs,
};
use serde_json::{Map, Value};

/// Why a program did not compile: its diagnostics (the same as `pipec check`'s).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{rendered}")]
pub struct CompileFailure {
    /// Every diagnostic.
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics drawn for people (or the reason, when there are none).
    pub rendered: String,
}

fn failure(error: CompileError, name: &str, text: &str) -> CompileFailure {
    match error {
        CompileError::Diagnostics(diagnostics) => {
            let mut sources = Sources::new();
            sources.insert(name.into(), text.to_string());
            let rendered = human(&diagnostics, &sources, false);
            CompileFailure {
                diagnostics,
                rendered,
            }
        }
        other => CompileFailure {
            diagnostics: Vec::new(),
            rendered: other.to_string(),
        },
    }
}

/// Compiles a program given as text; `name` is where its imports resolve from
/// and how diagnostics name it; `pipeline` picks one when it has several.
pub fn compile_source(
    name: &str,
    text: &str,
    pipeline: Option<&str>,
) -> Result<Plan, CompileFailure> {
    compile_text(name, text, pipeline, None)
}

/// Compiles a program from a file.
pub fn compile_path(path: &Path, pipeline: Option<&str>) -> Result<Plan, CompileFailure> {
    let text = read(path)?;
    compile_source(&path.to_string_lossy(), &text, pipeline)
}

/// Compiles a program from a file for a run given `inputs`: the checks of
/// table schemas read the files those inputs name (`data: "other.csv"`),
/// not those of the inputs' defaults, as `pipec run --input` does.
pub fn compile_path_for_run(
    path: &Path,
    pipeline: Option<&str>,
    inputs: &Map<String, Value>,
) -> Result<Plan, CompileFailure> {
    let text = read(path)?;
    compile_text(&path.to_string_lossy(), &text, pipeline, Some(inputs))
}

fn read(path: &Path) -> Result<String, CompileFailure> {
    std::fs::read_to_string(path).map_err(|e| CompileFailure {
        diagnostics: Vec::new(),
        rendered: format!("cannot read `{}`: {e}", path.display()),
    })
}

fn compile_text(
    name: &str,
    text: &str,
    pipeline: Option<&str>,
    inputs: Option<&Map<String, Value>>,
) -> Result<Plan, CompileFailure> {
    let mut db = Database::new();
    let source = db.set_source(Path::new(name), text.as_bytes().to_vec());
    if let Some(inputs) = inputs {
        db.set_run_inputs(RunInputs::new(source.name(&db).clone(), pipeline, inputs));
    }
    compile(&db, source, pipeline)
        .map(|c| c.plan)
        .map_err(|e| failure(e, name, text))
}

/// A host: its plugins, and where runs are recorded and reported.
pub struct Host {
    registry: Registry,
    store: Box<dyn Store>,
    events: Box<dyn EventSink>,
    options: RunOptions,
}

impl Default for Host {
    fn default() -> Self {
        Host {
            registry: Registry::new(),
            store: Box::new(MemoryStore::default()),
            events: Box::new(NoEvents),
            options: RunOptions::default(),
        }
    }
}

impl Host {
    /// A host without plugins, recording in memory, reporting nowhere.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a plugin for the `plugin NAME(...)` declaration of that name.
    pub fn register(&mut self, name: &str, plugin: impl Plugin + 'static) -> &mut Self {
        self.registry.register(name, plugin);
        self
    }

    /// Receives every event of the host's runs.
    pub fn on_event(&mut self, sink: impl EventSink + 'static) -> &mut Self {
        self.events = Box::new(sink);
        self
    }

    /// Records runs in this store.
    pub fn with_store(&mut self, store: impl Store + 'static) -> &mut Self {
        self.store = Box::new(store);
        self
    }

    /// Sets a secret's value.
    pub fn secret(&mut self, name: &str, value: &str) -> &mut Self {
        self.options
            .secrets
            .insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the number of worker threads.
    pub fn jobs(&mut self, jobs: usize) -> &mut Self {
        self.options.jobs = Some(jobs);
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

    /// Runs a compiled program with these inputs, under a new run id
    /// ([`RunResult`] does not carry it: [`Host::run_as`] names the run).
    pub fn run(&self, plan: &Plan, inputs: Map<String, Value>) -> Result<RunResult, RunError> {
        self.run_as(&new_run_id(), plan, inputs)
    }

    /// Runs a compiled program under the run id `run_id`. With a store
    /// that remembers ([`Store::remembers`], as `SqliteStore` does), an id
    /// the store has seen continues that run: its completed tasks are
    /// reused, its approvals and rejections apply — the resume of `pipec
    /// resume`.
    pub fn run_as(
        &self,
        run_id: &str,
        plan: &Plan,
        inputs: Map<String, Value>,
    ) -> Result<RunResult, RunError> {
        let mut options = RunOptions {
            inputs,
            run_id: run_id.to_string(),
            ..self.options.clone()
        };
        options.apply_decisions(&self.store.decisions(run_id));
        pipec_runtime::run(
            plan,
            &self.registry,
            &options,
            self.store.as_ref(),
            self.events.as_ref(),
        )
    }

    /// Approves (or rejects) the `wait` keyed `key` of the run `run_id`,
    /// in the host's store; [`Host::run_as`] with that id then continues it.
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
            &pipec_runtime::durable::Decision {
                key: key.to_string(),
                approved,
                by: by.to_string(),
                note: note.map(str::to_string),
            },
        )
    }
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
