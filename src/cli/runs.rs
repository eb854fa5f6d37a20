//! The durable side of the CLI: `resume`, `approve`, `reject`, `runs`,
//! `show`, `why` and `logs`, all reading the run store (`--store`).

use std::path::{Path, PathBuf};

use pipec_runtime::SqliteStore;
use pipec_runtime::durable::Decision;
use pipec_runtime::sqlite::history::RunRow;
use serde_json::{Map, Value, json};

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PipelineArgs, RunArgs};

const DEFAULT_STORE: &str = ".pipec/runs.sqlite";

/// A run being continued: its id, the inputs it was recorded with, and the
/// decisions taken on its waits.
#[derive(Debug, Clone, Default)]
pub struct Resumed {
    /// The run's id.
    pub run_id: String,
    /// Its recorded inputs (`--input` given again overrides them).
    pub inputs: Map<String, Value>,
    /// Approvals and rejections recorded for it.
    pub decisions: Vec<Decision>,
}

/// Arguments of `pipec resume`.
#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The run to continue (default: the latest unfinished run of `--file`).
    pub run_id: Option<String>,
    /// The `.pipe` file whose latest unfinished run to continue.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// An input value, NAME=VALUE, replacing the recorded one.
    #[arg(long, value_name = "NAME=VALUE")]
    pub input: Vec<String>,
    /// A JSON file of input values, replacing the recorded ones.
    #[arg(long, value_name = "FILE")]
    pub inputs: Option<PathBuf>,
    /// A secret, NAME=VALUE or NAME=@FILE (secrets are never recorded: give
    /// them again, or through PIPE_SECRET_<NAME>).
    #[arg(long, value_name = "NAME=VALUE")]
    pub secret: Vec<String>,
    /// Approve the `wait` key KEY for this run.
    #[arg(long, value_name = "KEY")]
    pub approve: Vec<String>,
    /// CPU slots and worker threads.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// After a failure, let independent branches finish.
    #[arg(long)]
    pub keep_going: bool,
    /// Write events as JSON lines to FILE (`-`: standard error).
    #[arg(long, value_name = "FILE|-")]
    pub events: Option<String>,
    /// No progress lines or summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Reuse completed tasks of pure operators from any earlier run.
    #[arg(long)]
    pub cache: bool,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Arguments of `pipec approve` and `pipec reject`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The run.
    pub run_id: String,
    /// The `wait` key.
    pub key: String,
    /// Why (shown in `pipec show`; a rejection's note is its node's error).
    #[arg(long)]
    pub note: Option<String>,
    /// Who decides (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
    /// Resume the run at once.
    #[arg(long)]
    pub resume: bool,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Output formats of the history commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    /// Lines for people.
    Human,
    /// JSON.
    Json,
}

/// Arguments of `pipec runs`.
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    /// Only runs of this pipeline.
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Only runs in this state (running, succeeded, failed, cancelled, waiting, crashed).
    #[arg(long)]
    pub state: Option<String>,
    /// At most this many runs, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Human)]
    pub format: HistoryFormat,
    /// Remove old runs and their files, keeping the newest `--keep`.
    #[arg(long)]
    pub prune: bool,
    /// How many runs `--prune` keeps.
    #[arg(long, default_value_t = 20, requires = "prune")]
    pub keep: usize,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Arguments of `pipec show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The run.
    pub run_id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Human)]
    pub format: HistoryFormat,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Arguments of `pipec why`.
#[derive(Debug, clap::Args)]
pub struct WhyArgs {
    /// The run.
    pub run_id: String,
    /// The node.
    pub node: String,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Arguments of `pipec logs`.
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// The run.
    pub run_id: String,
    /// The node.
    pub node: String,
    /// Only this task.
    #[arg(long)]
    pub task: Option<usize>,
    /// The run store.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STORE)]
    pub store: PathBuf,
}

/// The store at `path`, which must exist (reading never creates one).
fn open(path: &Path) -> Result<SqliteStore, String> {
    if !path.exists() {
        return Err(format!(
            "no run store at `{}` (runs are recorded there by `pipec run`; pass --store FILE for another)",
            path.display()
        ));
    }
    SqliteStore::open(path).map_err(|e| e.to_string())
}

/// The run `id` of `store`, or a message naming the store.
fn find_run(store: &SqliteStore, id: &str, path: &Path) -> Result<RunRow, String> {
    store.run(id)?.ok_or_else(|| {
        format!(
            "no run `{id}` in `{}` (`pipec runs` lists them)",
            path.display()
        )
    })
}

/// Prints `error: MESSAGE` and gives the usage exit code.
fn usage(message: String) -> u8 {
    errln!("error: {message}");
    EXIT_USAGE
}

/// `pipec resume`.
pub fn resume(args: &ResumeArgs) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    let run = match (&args.run_id, &args.file) {
        (Some(id), _) => find_run(&store, id, &args.store),
        (None, Some(file)) => {
            let absolute = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            match store.latest_unfinished(&absolute.display().to_string()) {
                Ok(Some(run)) => Ok(run),
                Ok(None) => Err(format!(
                    "no unfinished run of `{}` in `{}`",
                    file.display(),
                    args.store.display()
                )),
                Err(e) => Err(e),
            }
        }
        (None, None) => Err("name the run (`pipec resume RUN_ID`) or its file (`--file F`)".into()),
    };
    let run = match run {
        Ok(run) => run,
        Err(message) => return usage(message),
    };
    if run.state == "running" {
        return usage(format!(
            "run `{}` is still running in another process; it cannot be resumed twice at once",
            run.id
        ));
    }
    let file = match (&args.file, &run.file) {
        (Some(file), _) => file.clone(),
        (None, Some(file)) => PathBuf::from(file),
        (None, None) => {
            return usage(format!(
                "run `{}` does not say which file it came from: pass --file",
                run.id
            ));
        }
    };
    // Two resumes of one run at once: one claims it, the other is refused.
    match store.claim(
        &run.id,
        run.owner.as_deref(),
        &pipec_runtime::owner::this_process(),
    ) {
        Ok(true) => {}
        Ok(false) => {
            return usage(format!(
                "run `{}` was just taken by another process; it cannot be resumed twice at once",
                run.id
            ));
        }
        Err(message) => return usage(message),
    }
    let decisions = pipec_runtime::Store::decisions(&store, &run.id);
    let inputs = match &run.inputs {
        Value::Object(inputs) => inputs.clone(),
        _ => Map::new(),
    };
    drop(store);
    let run_args = RunArgs {
        target: PipelineArgs {
            file,
            pipeline: Some(run.pipeline.clone()),
        },
        input: args.input.clone(),
        inputs: args.inputs.clone(),
        secret: args.secret.clone(),
        jobs: args.jobs,
        memory: None,
        keep_going: args.keep_going,
        events: args.events.clone(),
        approve: args.approve.clone(),
        quiet: args.quiet,
        store: args.store.clone(),
        no_store: false,
        memory_limit: None,
        spill_dir: None,
        cache: args.cache,
        resume: Some(Resumed {
            run_id: run.id.clone(),
            inputs,
            decisions,
        }),
    };
    if !args.quiet {
        errln!(
            "resuming run {} ({}, was {})",
            run.id,
            run.pipeline,
            run.state
        );
    }
    super::run::run(&run_args)
}

/// `pipec approve` (`approved`) and `pipec reject`.
pub fn decide(args: &DecideArgs, approved: bool) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    let by = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    if let Err(message) =
        store.record_decision(&args.run_id, &args.key, approved, &by, args.note.as_deref())
    {
        return usage(message);
    }
    errln!(
        "{} `{}` of run {} (by {by})",
        if approved { "approved" } else { "rejected" },
        args.key,
        args.run_id
    );
    drop(store);
    if args.resume {
        return resume(&ResumeArgs {
            run_id: Some(args.run_id.clone()),
            file: None,
            input: Vec::new(),
            inputs: None,
            secret: Vec::new(),
            approve: Vec::new(),
            jobs: None,
            keep_going: false,
            events: None,
            quiet: false,
            cache: false,
            store: args.store.clone(),
        });
    }
    errln!("go on with: pipec resume {}", args.run_id);
    EXIT_OK
}

/// `pipec runs`.
pub fn list(args: &RunsArgs) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    if args.prune {
        return match store.prune(args.keep) {
            Ok(removed) => {
                errln!(
                    "removed {} run{}",
                    removed.len(),
                    if removed.len() == 1 { "" } else { "s" }
                );
                EXIT_OK
            }
            Err(message) => usage(message),
        };
    }
    let runs = match store.runs(args.pipeline.as_deref(), args.state.as_deref(), args.limit) {
        Ok(runs) => runs,
        Err(message) => return usage(message),
    };
    match args.format {
        HistoryFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&runs).unwrap_or_default()
        ),
        HistoryFormat::Human => {
            outln!(
                "{:<28} {:<16} {:<10} {:<20} {:>9}  tasks",
                "run",
                "pipeline",
                "state",
                "started (UTC)",
                "duration"
            );
            for run in &runs {
                outln!(
                    "{:<28} {:<16} {:<10} {:<20} {:>9}  {}",
                    run.id,
                    run.pipeline,
                    run.state,
                    utc(run.started_ms),
                    run.finished_ms
                        .map(|f| format!("{:.1}s", (f - run.started_ms) as f64 / 1000.0))
                        .unwrap_or_else(|| "-".into()),
                    counts(&run.tasks)
                );
            }
        }
    }
    EXIT_OK
}

/// `ran 3, reused 2, failed 1`.
fn counts(tasks: &Map<String, Value>) -> String {
    let parts: Vec<String> = tasks.iter().map(|(k, v)| format!("{k} {v}")).collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// `2026-12-07 21:04:23` for milliseconds since the epoch.
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `pipec show`.
pub fn show(args: &ShowArgs) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    let gathered = (|| -> Result<Value, String> {
        find_run(&store, &args.run_id, &args.store)?;
        let run = store.run_counted(&args.run_id)?;
        Ok(json!({
            "run": run,
            "nodes": store.nodes(&args.run_id)?,
            "tasks": store.tasks(&args.run_id, None)?,
            "waits": store.waits(&args.run_id)?,
            "outputs": store.outputs(&args.run_id)?,
        }))
    })();
    let shown = match gathered {
        Ok(shown) => shown,
        Err(message) => return usage(message),
    };
    if args.format == HistoryFormat::Json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
        return EXIT_OK;
    }
    let run = &shown["run"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    outln!("run       {}", text(&run["id"]));
    outln!(
        "pipeline  {} ({})",
        text(&run["pipeline"]),
        text(&run["file"])
    );
    outln!("state     {}", text(&run["state"]));
    outln!(
        "started   {} UTC, {} start(s)",
        utc(run["started_ms"].as_i64().unwrap_or(0)),
        run["sessions"]
    );
    outln!("inputs    {}", run["inputs"]);
    if let Some(error) = run["error"].as_str() {
        outln!("error     {error}");
    }
    outln!("\n{:<24} {:<10} tasks", "node", "state");
    let tasks = shown["tasks"].as_array().cloned().unwrap_or_default();
    for node in shown["nodes"].as_array().into_iter().flatten() {
        let name = text(&node["node"]);
        let mine: Vec<&Value> = tasks.iter().filter(|t| t["node"] == node["node"]).collect();
        let reused = mine.iter().filter(|t| !t["reused_from"].is_null()).count();
        let failed = mine.iter().filter(|t| t["ok"] == false).count();
        outln!(
            "{:<24} {:<10} {} record(s), {reused} reused, {failed} failed attempt(s){}",
            name,
            text(&node["state"]),
            mine.len(),
            node["error"]
                .as_str()
                .map(|e| format!("\n    error: {e}"))
                .unwrap_or_default()
        );
    }
    for wait in shown["waits"].as_array().into_iter().flatten() {
        outln!(
            "\nwait `{}` (node `{}`): {}{}",
            text(&wait["key"]),
            text(&wait["node"]),
            wait["decision"].as_str().unwrap_or("no decision yet"),
            wait["note"]
                .as_str()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
    }
    if shown["outputs"].as_object().is_some_and(|o| !o.is_empty()) {
        outln!(
            "\noutputs   {}",
            serde_json::to_string_pretty(&shown["outputs"]).unwrap_or_default()
        );
    }
    EXIT_OK
}

/// `pipec why`.
pub fn why(args: &WhyArgs) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    let (run, tasks) = match find_run(&store, &args.run_id, &args.store)
        .and_then(|run| Ok((run, store.tasks(&args.run_id, Some(&args.node))?)))
    {
        Ok(found) => found,
        Err(message) => return usage(message),
    };
    if tasks.is_empty() {
        errln!(
            "error: node `{}` of run {} has no task records",
            args.node,
            args.run_id
        );
        return EXIT_FAILURE;
    }
    // The latest record of each task: (start, attempt).
    let mut latest: std::collections::HashMap<i64, (i64, i64)> = Default::default();
    for task in &tasks {
        let at = latest.entry(task.task).or_default();
        *at = (*at).max((task.session, task.attempt));
    }
    for task in &tasks {
        let item = task
            .label
            .as_ref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let what = match (&task.reused_from, task.ok) {
            (Some(from), _) if *from == args.run_id => {
                "reused from an earlier start of this run".to_string()
            }
            (Some(from), _) => format!("reused from run {from} (cache)"),
            (None, ok) => format!(
                "ran (start {}, attempt {}{}): {}{}",
                task.session,
                task.attempt,
                if ok { "" } else { ", failed" },
                task.reason.as_deref().unwrap_or("no reason recorded"),
                // A task resumed by later starts keeps this record.
                match ok
                    && task.session < run.sessions
                    && latest.get(&task.task) == Some(&(task.session, task.attempt))
                {
                    true => "; kept by the later start(s)",
                    false => "",
                }
            ),
        };
        outln!("task {}{item}: {what}", task.task);
    }
    EXIT_OK
}

/// `pipec logs`.
pub fn logs(args: &LogsArgs) -> u8 {
    let store = match open(&args.store) {
        Ok(store) => store,
        Err(message) => return usage(message),
    };
    if let Err(message) = find_run(&store, &args.run_id, &args.store) {
        return usage(message);
    }
    let dir = super::run::logs_dir(&args.store).join(&args.run_id);
    let prefix = match args.task {
        Some(task) => format!("{}.{task}.", args.node),
        None => format!("{}.", args.node),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        errln!(
            "error: no logs of node `{}` in run {} (only `exec` tasks keep their output)",
            args.node,
            args.run_id
        );
        return EXIT_FAILURE;
    }
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        outln!("==> {name} <==");
        out!(
            "{}",
            String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default())
        );
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00");
        assert_eq!(super::utc(1_796_677_487_837), "2026-12-07 21:04:47");
    }
}
