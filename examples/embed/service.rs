//! A small service embedding pipec: it reads commands, one per line, runs
//! several pipelines at once with its own plugin (`word_count`), streams
//! their events, cancels and approves on request, and records every run in
//! SQLite. Shared by the example binary (`cargo run --example embed`,
//! commands on stdin) and its test.
//!
//! Commands (`NAME` is the client's label for a run):
//! - `run NAME FILE [INPUT=JSON ...]` compiles FILE and starts it;
//! - `cancel NAME` stops the run;
//! - `approve NAME KEY` approves its wait (resuming it if it stopped there);
//! - `runs` lists the store's runs;
//! - `wait` waits for every run started so far.
//!
//! Everything it says is one line: `started NAME ID`, `event NAME JSON`,
//! `finished NAME STATE OUTPUTS`, `runs ...`, `error ...`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipec::embed::{
    Args, Host, Program, RunHandle, SqliteStore, TaskContext, compile_path_for_run,
};
use serde_json::{Map, Value, json};
use tokio::task::JoinHandle;

/// Where the service says things.
pub type Say = Arc<dyn Fn(String) + Send + Sync>;

/// A run the service started: its program and inputs (to resume it), its
/// handle, and the task that reports its end.
struct Started {
    program: Arc<Program>,
    inputs: Map<String, Value>,
    handle: Arc<RunHandle>,
    reporter: Option<JoinHandle<()>>,
}

/// The service: a host with the `word_count` plugin, recording to SQLite.
pub struct Service {
    host: Host,
    root: PathBuf,
    runs: HashMap<String, Started>,
    say: Say,
}

impl Service {
    /// A service reading programs under `root`, recording in `store`.
    pub fn new(root: &Path, store: &Path, say: Say) -> Result<Service, String> {
        let mut host = Host::new();
        host.register("word_count", |args: &Args, _: &TaskContext<'_>| {
            let text = args
                .get("text")
                .and_then(Value::as_str)
                .ok_or("`text` must be text")?;
            Ok(json!({ "words": text.split_whitespace().count() }))
        })
        .with_sqlite(SqliteStore::open(store).map_err(|e| e.to_string())?);
        Ok(Service {
            host,
            root: root.to_path_buf(),
            runs: HashMap::new(),
            say,
        })
    }

    /// Carries out one command line.
    pub async fn command(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let outcome = match words.as_slice() {
            ["run", name, file, inputs @ ..] => self.run(name, file, inputs),
            ["cancel", name] => self.handle(name).map(|h| h.cancel()),
            ["approve", name, key] => self.approve(name, key).await,
            ["runs"] => self.list(),
            ["wait"] => {
                self.wait_all().await;
                Ok(())
            }
            [] => Ok(()),
            _ => Err(format!("unknown command `{line}`")),
        };
        if let Err(error) = outcome {
            (self.say)(format!("error {error}"));
        }
    }

    fn handle(&self, name: &str) -> Result<&Arc<RunHandle>, String> {
        self.runs
            .get(name)
            .map(|s| &s.handle)
            .ok_or_else(|| format!("no run `{name}`"))
    }

    fn run(&mut self, name: &str, file: &str, given: &[&str]) -> Result<(), String> {
        let mut inputs = Map::new();
        for pair in given {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not INPUT=JSON"))?;
            let value = serde_json::from_str(value).unwrap_or(Value::String(value.into()));
            inputs.insert(key.to_string(), value);
        }
        let program =
            compile_path_for_run(&self.root.join(file), None, &inputs).map_err(|e| e.rendered)?;
        let handle = self
            .host
            .start(&program, inputs.clone())
            .map_err(|e| e.to_string())?;
        (self.say)(format!("started {name} {}", handle.id()));
        let started = Started {
            program: Arc::new(program),
            inputs,
            handle: Arc::new(handle),
            reporter: None,
        };
        self.runs.insert(name.to_string(), started);
        self.report(name);
        Ok(())
    }

    /// Streams a run's events and says how it ended.
    fn report(&mut self, name: &str) {
        let Some(started) = self.runs.get_mut(name) else {
            return;
        };
        let handle = Arc::clone(&started.handle);
        let say = Arc::clone(&self.say);
        let name = name.to_string();
        started.reporter = Some(tokio::spawn(async move {
            if let Some(events) = handle.events() {
                let (say, name) = (Arc::clone(&say), name.clone());
                // The events come on a channel a thread reads.
                let _ = tokio::task::spawn_blocking(move || {
                    for event in events.iter() {
                        let text = serde_json::to_string(&event).unwrap_or_default();
                        say(format!("event {name} {text}"));
                    }
                })
                .await;
            }
            let said = match handle.wait_async().await {
                Ok(result) => {
                    let state = if result.cancelled {
                        "cancelled"
                    } else if !result.waiting.is_empty() {
                        "waiting"
                    } else if result.ok {
                        "succeeded"
                    } else {
                        "failed"
                    };
                    format!("finished {name} {state} {}", Value::Object(result.outputs))
                }
                Err(error) => format!("finished {name} error {error}"),
            };
            say(said);
        }));
    }

    /// Approves a wait: a run still going passes it; a run that stopped
    /// there is resumed.
    async fn approve(&mut self, name: &str, key: &str) -> Result<(), String> {
        let started = self
            .runs
            .get_mut(name)
            .ok_or_else(|| format!("no run `{name}`"))?;
        started.handle.approve(key, "service", None)?;
        let ended = started.handle.is_finished();
        let stopped_there = ended
            && started
                .handle
                .wait()
                .is_ok_and(|r| r.waiting.iter().any(|(_, k, _)| k == key));
        if stopped_there {
            if let Some(reporter) = started.reporter.take() {
                let _ = reporter.await;
            }
            let handle = self
                .host
                .resume(
                    started.handle.id(),
                    &started.program,
                    started.inputs.clone(),
                )
                .map_err(|e| e.to_string())?;
            started.handle = Arc::new(handle);
            (self.say)(format!("resumed {name} {}", started.handle.id()));
            self.report(name);
        }
        Ok(())
    }

    fn list(&self) -> Result<(), String> {
        let history = self.host.history().ok_or("no history")?;
        for run in history.runs(None, None, 100)? {
            (self.say)(format!("runs {} {} {}", run.id, run.pipeline, run.state));
        }
        Ok(())
    }

    /// Waits for every run started so far to end and be reported.
    pub async fn wait_all(&mut self) {
        for started in self.runs.values_mut() {
            if let Some(reporter) = started.reporter.take() {
                let _ = reporter.await;
            }
        }
    }
}
