//! `pipec run`: compile a pipeline and run it locally.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pipec_compiler::compile::{CompileError, compile};
use pipec_compiler::{Database, RunInputs};
use pipec_grammar::lexer::Token;
use pipec_grammar::render::{self, Sources};
use pipec_runtime::tables::RecordBatch;
use pipec_runtime::{
    Event, NoRecord, NodeState, Registry, RunOptions, SqliteStore, StartingTables, TableOptions,
    TableOutputs,
};
use serde_json::{Map, Value};

use super::printed;
use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, EXIT_WAITING, RunArgs};

/// Runs `pipec run`.
pub fn run(args: &RunArgs) -> u8 {
    let bytes = match std::fs::read(&args.target.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            errln!(
                "error: cannot read `{}`: {error}",
                args.target.file.display()
            );
            return EXIT_USAGE;
        }
    };
    let source_hash = blake3::hash(&bytes).to_hex()[..32].to_string();
    let mut inputs = match gather_inputs(args) {
        Ok(inputs) => inputs,
        Err(message) => {
            errln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let table_options = TableOptions {
        memory_limit: args.memory_limit,
        spill_dir: args.spill_dir.clone(),
        partitions: None,
    };
    // The table engine starts on another core while the plan is compiled.
    let tables = may_use_tables(&bytes).then(|| StartingTables::start(table_options.clone()));
    // The check plans the pipeline's SQL on the engine's session.
    if let Some(tables) = &tables {
        pipec_compiler::tables::planner::plan_on_sessions_from(tables.session_source());
    }
    // Set by SIGINT or SIGTERM (and by the run itself when a failure stops it).
    let cancel = Arc::new(AtomicBool::new(false));
    let mut db = Database::new();
    let source = db.set_source(Path::new(&args.target.file), bytes);
    // Check-time table schemas read the files this run reads.
    db.set_run_inputs(RunInputs::new(
        source.name(&db).clone(),
        args.target.pipeline.as_deref(),
        &inputs,
    ));
    let compiled = match compile(&db, source, args.target.pipeline.as_deref()) {
        Ok(compiled) => compiled,
        Err(CompileError::Diagnostics(diagnostics)) => {
            let mut sources = Sources::new();
            super::files::load_sources(&mut sources, &diagnostics);
            err!("{}", render::human(&diagnostics, &sources, false));
            errln!(
                "error: `{}` has errors; nothing was run",
                args.target.file.display()
            );
            return EXIT_FAILURE;
        }
        Err(other) => {
            errln!("error: {}", super::compile_failure_text(&other));
            return EXIT_USAGE;
        }
    };
    let plan = compiled.plan;
    keep_text_of_text_inputs(&mut inputs, args, &plan.inputs);

    let secrets = match gather_secrets(args, &plan.secrets) {
        Ok(secrets) => secrets,
        Err(message) => {
            errln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    // The secrets' values and the texts derived from them alone.
    let secret_values: Vec<String> = pipec_runtime::secret_texts(&plan, &secrets);
    let redact = |text: String| pipec_runtime::store::redact(&text, &secret_values);

    let events_out: Option<Mutex<Box<dyn Write + Send>>> = match args.events.as_deref() {
        None => None,
        Some("-") => Some(Mutex::new(Box::new(std::io::stderr()))),
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some(Mutex::new(Box::new(file))),
            Err(error) => {
                errln!("error: cannot write events to `{path}`: {error}");
                return EXIT_USAGE;
            }
        },
    };
    let progress = !args.quiet;
    let terminal = std::io::stderr().is_terminal();
    // On a terminal: a live bar of tasks and nodes; elsewhere: plain lines.
    let bar = (progress && terminal).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} tasks  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        bar
    });
    let total_nodes = plan.nodes.len();
    let nodes_done = std::sync::atomic::AtomicUsize::new(0);
    let recorded_in = (!args.no_store).then(|| args.store.display().to_string());
    let sink = |event: &Event| {
        // Said once the run has begun (its inputs were taken): a run that
        // could not start is not recorded.
        if progress && let (Event::RunStarted { run, .. }, Some(store)) = (event, &recorded_in) {
            let line = format!("recording run {run} in {store}");
            match &bar {
                Some(bar) => bar.println(line),
                None => errln!("{line}"),
            }
        }
        if let Some(bar) = &bar {
            match event {
                Event::NodeStarted { tasks, .. } => bar.inc_length(*tasks as u64),
                Event::TaskFinished { .. } | Event::TaskFailed { .. } => bar.inc(1),
                Event::NodeFinished { .. } => {
                    let done = nodes_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    bar.set_message(format!("{done}/{total_nodes} nodes"));
                }
                _ => {}
            }
        }
        // A line as it happens, flushed: the file can be followed while
        // the run goes on, and holds every event up to a crash.
        if let Some(out) = &events_out
            && let Ok(line) = serde_json::to_string(event)
            && let Ok(mut out) = out.lock()
        {
            let _ = writeln!(out, "{}", redact(line));
            let _ = out.flush();
        }
        if progress
            && let Event::NodeFinished {
                node,
                state,
                millis,
                items,
                ..
            } = event
        {
            let mark = match *state {
                "completed" => "ok",
                "failed" => "FAILED",
                other => other,
            };
            let line = format!(
                "{mark:<9} {node} ({items} item{}, {millis} ms)",
                if *items == 1 { "" } else { "s" }
            );
            match &bar {
                Some(bar) => bar.println(format!("  {line}")),
                None => errln!("{line}"),
            }
        }
    };

    let run_id = match &args.resume {
        Some(resumed) => resumed.run_id.clone(),
        None => format!(
            "run-{}-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
            std::process::id()
        ),
    };
    let identity = pipec_runtime::durable::RunIdentity {
        pipeline: plan.pipeline.clone(),
        file: std::path::absolute(&args.target.file)
            .ok()
            .map(|p| p.display().to_string()),
        source_hash: Some(source_hash),
        plan_hash: pipec_runtime::plan_hash(&plan),
        owner: Some(pipec_runtime::owner::this_process()),
    };
    let run_id_shown = run_id.clone();
    let mut options = RunOptions {
        jobs: args.jobs,
        memory: args.memory.map(|bytes| bytes as u64),
        keep_going: args.keep_going,
        inputs,
        secrets,
        approvals: args.approve.iter().cloned().collect::<HashSet<_>>(),
        rejections: HashMap::new(),
        cache: args.cache,
        identity: Some(identity),
        run_id,
        tables: table_options,
        // Table outputs are printed straight from their Arrow batches.
        table_outputs: TableOutputs::Batches,
        cancel: Some(Arc::clone(&cancel)),
        deadline: None,
        // `exec`'s whole stdout and stderr, beside the run record.
        logs: (!args.no_store).then(|| logs_dir(&args.store)),
    };
    if let Some(resumed) = &args.resume {
        options.apply_decisions(&resumed.decisions);
    }
    // The durable record (or none with --no-store).
    let sqlite = if args.no_store {
        None
    } else {
        match SqliteStore::open(&args.store) {
            Ok(store) => Some(store),
            Err(error) => {
                errln!("error: {error} (pass --no-store to run without a record)");
                return EXIT_USAGE;
            }
        }
    };
    let store: &dyn pipec_runtime::Store = match &sqlite {
        Some(sqlite) => sqlite,
        None => &NoRecord,
    };
    if progress {
        errln!(
            "running pipeline `{}` ({} nodes)",
            plan.pipeline,
            plan.nodes.len()
        );
    }
    let registry = Registry::new();
    let signal = super::signals::cancel_on_signals(Arc::clone(&cancel));
    let outcome = match tables {
        Some(tables) => {
            pipec_runtime::run_with_tables(&plan, &registry, &options, store, &sink, tables)
        }
        None => pipec_runtime::run(&plan, &registry, &options, store, &sink),
    };
    let result = match outcome {
        Ok(result) => result,
        Err(error) => {
            let text = match &error {
                // The library names the secret; the CLI says how to give it.
                pipec_runtime::RunError::MissingInput { name, .. } => {
                    format!("{error}: pass --input {name}=...")
                }
                pipec_runtime::RunError::MissingSecret(name, upper) => {
                    format!("{error}: set PIPE_SECRET_{upper} or pass --secret {name}=...")
                }
                _ => error.to_string(),
            };
            errln!("error: {}", redact(text));
            // Bad inputs or secrets are the caller's to fix: a usage problem.
            return match error {
                pipec_runtime::RunError::Input(_)
                | pipec_runtime::RunError::MissingInput { .. }
                | pipec_runtime::RunError::MissingSecret(..) => EXIT_USAGE,
                _ => EXIT_FAILURE,
            };
        }
    };
    if let Some(out) = &events_out
        && let Ok(mut out) = out.lock()
    {
        let _ = out.flush();
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    if progress {
        let reused = result.nodes.iter().any(|n| n.resumed + n.cached > 0);
        errln!(
            "\n{:<24} {:<10} {:>6} {:>8} {:>9} {:>6}{}",
            "node",
            "status",
            "tasks",
            "attempts",
            "wall ms",
            "items",
            if reused { "  resumed  cached" } else { "" }
        );
        for node in &result.nodes {
            errln!(
                "{:<24} {:<10} {:>6} {:>8} {:>9} {:>6}{}",
                node.name,
                node.state.as_str(),
                node.tasks,
                node.attempts,
                node.millis,
                node.items,
                if reused {
                    format!("  {:>7}  {:>6}", node.resumed, node.cached)
                } else {
                    String::new()
                }
            );
        }
    }
    if let Some(error) = sqlite.as_ref().and_then(SqliteStore::error) {
        errln!(
            "warning: the run record in `{}` is incomplete: {error}",
            args.store.display()
        );
    }
    let order: Vec<&str> = plan.outputs.iter().map(|o| o.name.as_str()).collect();
    let pipec_runtime::RunResult {
        ok,
        outputs,
        tables,
        nodes,
        error,
        failed_outputs,
        cancelled: _,
        waiting,
    } = result;
    print_outputs(&outputs, &tables, &order, &secret_values);
    let received = signal.load(Ordering::SeqCst);
    let code = if received != 0 {
        super::signals::report_cancelled(received, &nodes);
        super::signals::exit_code(received)
    } else if ok {
        EXIT_OK
    } else if error.is_none() && !waiting.is_empty() {
        report_waiting(&waiting, &run_id_shown, recorded_in.as_deref(), &redact);
        EXIT_WAITING
    } else {
        report_failure(&nodes, error.as_deref(), &failed_outputs, &redact);
        EXIT_FAILURE
    };
    // Everything is written and the record is closed: the process ends here
    // rather than free what the run built (the compiler's database, the
    // plan, the outputs: a large table's rows value by value) on its way out
    // of `main`.
    drop(sqlite);
    end_process(code)
}

/// Says which waits the run stopped at, and how to go on.
fn report_waiting(
    waiting: &[(String, String, Option<String>)],
    run_id: &str,
    store: Option<&str>,
    redact: &dyn Fn(String) -> String,
) {
    let store_arg = match store {
        Some(".pipec/runs.sqlite") | None => String::new(),
        Some(other) => format!(" --store {other}"),
    };
    for (node, key, prompt) in waiting {
        errln!(
            "waiting: node `{node}` waits for approval `{key}`{}",
            prompt
                .as_ref()
                .map(|p| format!(": {}", redact(p.clone())))
                .unwrap_or_default()
        );
        if store.is_some() {
            errln!("  approve and go on:  pipec approve {run_id} {key}{store_arg} --resume");
            errln!("  or reject it:       pipec reject {run_id} {key}{store_arg} --note \"why\"");
        }
    }
    if store.is_none() {
        errln!("the run keeps no record (--no-store): run it again with --approve KEY");
    }
}

/// Where a run's task logs go: `logs/` beside the store's file.
pub(super) fn logs_dir(store: &Path) -> std::path::PathBuf {
    store.parent().unwrap_or_else(|| Path::new("")).join("logs")
}

/// Says why a run failed: the first failure, then each other failed node's
/// error and each output left out because its table failed.
fn report_failure(
    nodes: &[pipec_runtime::NodeSummary],
    first: Option<&str>,
    failed_outputs: &[(String, String)],
    redact: &dyn Fn(String) -> String,
) {
    let failed: Vec<&str> = nodes
        .iter()
        .filter(|n| n.state == NodeState::Failed)
        .map(|n| n.name.as_str())
        .collect();
    errln!(
        "error: the run failed{}{}",
        if failed.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", failed.join(", "))
        },
        first
            .map(|e| format!(": {}", redact(e.to_string())))
            .unwrap_or_default()
    );
    // Each other failed node's error (`--keep-going` lets several fail).
    for node in nodes {
        if let Some(error) = &node.error
            && node.state == NodeState::Failed
            && !first.is_some_and(|first| first.starts_with(&format!("node `{}`", node.name)))
        {
            errln!("error: node `{}`: {}", node.name, redact(error.clone()));
        }
    }
    // Each output left out because its table failed, unless that is the
    // failure just named.
    for (name, error) in failed_outputs {
        let named = format!("output `{name}`: {error}");
        if first != Some(named.as_str()) {
            errln!("error: {}", redact(named));
        }
    }
}

/// Ends the process with `code` once stdout and stderr are flushed.
fn end_process(code: u8) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(i32::from(code))
}

/// Prints the outputs, tables among them, as one JSON object on stdout
/// (laid out as [`printed`] says), in the order the pipeline declares them
/// (`order`), secrets redacted. Without secrets the text is written as it
/// is made, through one buffer.
fn print_outputs(
    outputs: &Map<String, Value>,
    tables: &BTreeMap<String, Vec<RecordBatch>>,
    order: &[&str],
    secret_values: &[String],
) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = if secret_values.is_empty() {
        printed::write_outputs(&mut out, outputs, tables, order)
    } else {
        let mut text = Vec::new();
        printed::write_outputs(&mut text, outputs, tables, order).and_then(|()| {
            let text = String::from_utf8_lossy(&text).into_owned();
            out.write_all(pipec_runtime::store::redact(&text, secret_values).as_bytes())
        })
    };
    if let Err(error) = written.and_then(|()| out.flush())
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        errln!("error: cannot write the outputs: {error}");
    }
}

/// `--inputs file.json|file.toml` then `--input k=v` (a value that reads as JSON is JSON, else text).
/// Whether `source` may run table operators: it names one, or the `table`
/// type. The table engine is then started on another core while the plan
/// compiles. A wrong guess costs only time: an engine started for nothing,
/// or one started by the first table operator, as without a guess.
fn may_use_tables(source: &[u8]) -> bool {
    let Ok(source) = std::str::from_utf8(source) else {
        return false;
    };
    pipec_grammar::lexer::lex(source).iter().any(|lexeme| {
        lexeme.token == Ok(Token::Ident) && {
            let name = &source[lexeme.span.range()];
            name == "table" || pipec_stdlib::TABLE_OPERATORS.contains(&name)
        }
    })
}

fn gather_inputs(args: &RunArgs) -> Result<Map<String, Value>, String> {
    // A resumed run starts from the inputs it was recorded with.
    let mut inputs = args
        .resume
        .as_ref()
        .map(|r| r.inputs.clone())
        .unwrap_or_default();
    if let Some(path) = &args.inputs {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let is_toml = path.extension().is_some_and(|e| e == "toml");
        let parsed: Result<Value, String> = if is_toml {
            toml::from_str::<Value>(&text)
                .map_err(|e| format!("`{}` is not valid TOML: {e}", path.display()))
        } else {
            serde_json::from_str::<Value>(&text)
                .map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))
        };
        match parsed? {
            Value::Object(map) => inputs.extend(map),
            _ => {
                return Err(format!(
                    "`{}` must hold a table (object) of inputs",
                    path.display()
                ));
            }
        }
    }
    for pair in &args.input {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`--input {pair}`: write NAME=VALUE"))?;
        let value = serde_json::from_str::<Value>(value)
            .unwrap_or_else(|_| Value::String(value.to_string()));
        inputs.insert(key.to_string(), value);
    }
    Ok(inputs)
}

/// `--input code=007` or `--input year=2024` for an input declared `string`
/// or `path`: the text as written, not the number it also reads as (a user
/// cannot be asked to type JSON quotes through a shell). Values from
/// `--inputs FILE` are JSON and stay as they are.
fn keep_text_of_text_inputs(
    inputs: &mut Map<String, Value>,
    args: &RunArgs,
    declared: &[pipec_compiler::plan::PlanInput],
) {
    // The last `--input` of a name is the one taken.
    let mut seen = HashSet::new();
    for pair in args.input.iter().rev() {
        let Some((name, text)) = pair.split_once('=') else {
            continue;
        };
        if !seen.insert(name) {
            continue;
        }
        let Some(input) = declared.iter().find(|input| input.name == name) else {
            continue;
        };
        let optional = input.ty.ends_with('?');
        let is_text = matches!(input.ty.trim_end_matches('?'), "string" | "path");
        // `null` given to an optional input is its absence.
        if is_text
            && inputs
                .get(name)
                .is_some_and(|v| !(v.is_string() || optional && v.is_null()))
        {
            inputs.insert(name.to_string(), Value::String(text.to_string()));
        }
    }
}

/// Secrets from `PIPE_SECRET_<NAME>` and `--secret NAME=value` or `NAME=@file`.
fn gather_secrets(args: &RunArgs, declared: &[String]) -> Result<HashMap<String, String>, String> {
    let mut secrets = HashMap::new();
    for name in declared {
        if let Ok(value) = std::env::var(format!("PIPE_SECRET_{}", name.to_ascii_uppercase())) {
            secrets.insert(name.clone(), value);
        }
    }
    for pair in &args.secret {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            format!(
                "`--secret {}`: write NAME=VALUE or NAME=@FILE",
                pair.split('=').next().unwrap_or("")
            )
        })?;
        let value = match value.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read secret file `{file}`: {e}"))?
                .trim_end()
                .to_string(),
            None => value.to_string(),
        };
        secrets.insert(key.to_string(), value);
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use super::may_use_tables;

    #[test]
    fn a_source_naming_a_table_operator_or_the_table_type_may_use_tables() {
        assert!(may_use_tables(
            b"pipeline p {\n  node t = read_parquet(\"a\")\n}\n"
        ));
        assert!(may_use_tables(b"plugin sink(rows: table) -> json\n"));
        // Words inside strings and comments are not operators.
        assert!(!may_use_tables(
            b"// sql here\npipeline p {\n  node a = echo(\"sql(x)\")\n}\n"
        ));
        assert!(!may_use_tables(b"\xff\xfe"));
    }
}
