//! Embedding: compile a `.pipe` program and run it from a Rust host, with
//! the host's own plugins, store and events — without the CLI. This module
//! is the front door: what it names is what a host may rely on.
//!
//! **Compile, register, run.** A plugin is a closure (or any [`Plugin`]);
//! what it returns is checked against its `plugin` declaration.
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
//! host.register("shout", |args: &pipec::embed::Args, _: &pipec::embed::TaskContext<'_>| {
//!     let text = args["text"].as_str().unwrap_or_default().to_uppercase();
//!     Ok(json!({ "text": text }))
//! });
//! let result = host.run(&program, serde_json::Map::new()).expect("runs");
//! assert_eq!(result.outputs["said"], json!("HELLO WORLD"));
//! ```
//!
//! **A run is a handle.** [`Host::start`] returns at once; the handle
//! gives the run's id, its events, `cancel()`, `approve`/`reject` for its
//! waits, and `wait()` (or `wait_async().await`) for the result.
//!
//! ```
//! use pipec::embed::{Event, Host, compile_source};
//!
//! let program = compile_source(
//!     "slow.pipe",
//!     "pipeline p {\n  node slow = exec([\"sleep\", \"30\"])\n  output out = slow.stdout\n}\n",
//!     None,
//! )
//! .expect("compiles");
//! let host = Host::new();
//! let run = host.start(&program, serde_json::Map::new()).expect("starts");
//! let events = run.events().expect("the events, once");
//! // Wait until the process runs, then stop it: the child is killed.
//! for event in events.iter() {
//!     if matches!(event, Event::TaskStarted { .. }) {
//!         break;
//!     }
//! }
//! run.cancel();
//! let result = run.wait().expect("the run ended");
//! assert!(result.cancelled && !result.ok);
//! ```
//!
//! **Waits decided by the host.** A `wait` with no decision stops its
//! branch; the host approves it — before it is reached, while the run goes
//! on, or after the run stopped there and then resumes it.
//!
//! ```
//! use pipec::embed::{Host, compile_source};
//!
//! let program = compile_source(
//!     "ship.pipe",
//!     "pipeline p {\n  node ok = wait(\"ship\", prompt: \"Ship it?\")\n  output shipped = ok.approved\n}\n",
//!     None,
//! )
//! .expect("compiles");
//! let host = Host::new();
//! let first = host.start(&program, serde_json::Map::new()).expect("starts");
//! let id = first.id().to_string();
//! let stopped = first.wait().expect("ends");
//! assert_eq!(stopped.waiting[0].1, "ship");
//! host.decide(&id, "ship", true, "ann", Some("looks good")).expect("recorded");
//! let done = host
//!     .resume(&id, &program, serde_json::Map::new())
//!     .expect("resumes")
//!     .wait()
//!     .expect("ends");
//! assert_eq!(done.outputs["shipped"], serde_json::json!(true));
//! ```
//!
//! **From async code.** Every entry point works inside a tokio runtime
//! (the run has threads of its own); [`Host::run_async`] and
//! [`RunHandle::wait_async`] await without blocking it.
//!
//! ```
//! # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # runtime.block_on(async {
//! use pipec::embed::{Host, compile_source};
//!
//! let program = compile_source(
//!     "t.pipe",
//!     "pipeline p {\n  node rows = to_table([{ n: 1 }, { n: 2 }])\n  node total = sql(\"select sum(n) as n from rows\")\n  output total = total\n}\n",
//!     None,
//! )
//! .expect("compiles");
//! let result = Host::new().run_async(&program, serde_json::Map::new()).await.expect("runs");
//! assert_eq!(result.outputs["total"], serde_json::json!([{ "n": 3 }]));
//! # });
//! ```
//!
//! **Compile once, run many times.** A [`Program`] saves to JSON and
//! loads again — in this process or another — if the same pipec saved it.
//!
//! ```
//! use pipec::embed::{Host, Program, compile_source};
//!
//! let program = compile_source("p.pipe", "pipeline p {\n  node a = echo(2)\n  output a = a.value\n}\n", None)
//!     .expect("compiles");
//! let saved: String = program.save();
//! let loaded = Program::load(&saved).expect("same pipec");
//! let result = Host::new().run(&loaded, serde_json::Map::new()).expect("runs");
//! assert_eq!(result.outputs["a"], serde_json::json!(2));
//! ```
//!
//! **Plugins checked before and while running.** [`Host::check_plugins`]
//! lists the plugins the program calls that the host lacks (a run is then
//! refused) and those it registered that the program never calls
//! ([`RunHandle::warnings`]); a plugin's result of another shape than its
//! declaration fails its task. [`Host::register_batches`] registers a
//! plugin that takes and returns tables as Arrow batches.
//!
//! **Typed failures.** A program that does not compile gives a
//! [`CompileFailure`]: its [`FailureKind`] and each diagnostic as data
//! ([`Problem`]: code, severity, file, line, column, message, help, fix);
//! a compiled [`Program`] carries its warnings. A run that cannot start
//! gives a [`RunError`] (bad inputs, a secret without a value, a plugin
//! the host does not provide — found before anything runs).
//!
//! ```
//! use pipec::embed::{FailureKind, compile_source};
//!
//! let failure = compile_source("bad.pipe", "pipeline p {\n  node a = ech(1)\n}\n", None)
//!     .expect_err("does not compile");
//! assert_eq!(failure.kind, FailureKind::Diagnostics);
//! let problem = &failure.problems[0];
//! assert_eq!((problem.code.as_str(), problem.line), ("E0104", 2));
//! ```

mod compile;
mod handle;
mod host;

pub use compile::{
    CompileFailure, FailureKind, LoadError, Problem, Program, compile_path, compile_path_for_run,
    compile_source,
};
pub use handle::RunHandle;
pub use host::{Host, PluginMismatch};
pub use pipec_compiler::plan::Plan;
pub use pipec_grammar::diagnostic::Severity;
pub use pipec_runtime::{
    Args, Event, EventSink, MemoryStore, NodeState, Plugin, RunError, RunResult, SqliteStore,
    Store, TaskContext,
};
