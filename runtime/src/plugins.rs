//! Operators the executor can call: the built-in records-and-files operators,
//! and plugins registered by a host program.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::text::text;

/// A task's arguments: parameter name → value.
pub type Args = Map<String, Value>;

/// How a `wait` without a decision ends its task: the executor sees this
/// start and puts the node in the waiting state (no retry, no failure).
pub const WAITING_FOR: &str = "waiting for approval `";

/// What a task may consult while it runs.
pub struct TaskContext<'a> {
    /// When this attempt must stop.
    pub deadline: Option<Instant>,
    /// Set when the run is being cancelled.
    pub cancelled: &'a AtomicBool,
    /// Keys approved for `wait` in this run.
    pub approvals: &'a HashSet<String>,
    /// Keys rejected for `wait` in this run, each with its note.
    pub rejections: &'a HashMap<String, String>,
    /// Where this attempt may keep the whole output of a process it runs
    /// (`exec` writes `PREFIX.stdout` and `PREFIX.stderr`), when the run
    /// keeps logs ([`crate::RunOptions::logs`]).
    pub log_prefix: Option<PathBuf>,
    /// The run's tables as Arrow batches, for a plugin registered to take
    /// them ([`Registry::register_batches`]).
    pub tables: Option<&'a dyn PluginTables>,
}

/// The run's tables as Arrow batches, for plugins that take and return
/// tables without JSON rows in between.
pub trait PluginTables {
    /// The batches of a table argument (the value the plugin was given for
    /// a `table` parameter).
    fn batches(&self, table: &Value) -> Result<Vec<crate::tables::RecordBatch>, String>;
    /// Keeps `batches` (at least one, possibly empty, for the schema) as a
    /// table of the run; the value returned is what the plugin returns for
    /// a `table` output (or puts in a record field).
    fn table(&self, batches: Vec<crate::tables::RecordBatch>) -> Result<Value, String>;
}

impl TaskContext<'_> {
    /// The Arrow batches of a table argument, for a plugin registered with
    /// [`Registry::register_batches`] (other plugins get tables as rows).
    pub fn table_batches(&self, table: &Value) -> Result<Vec<crate::tables::RecordBatch>, String> {
        self.tables
            .ok_or("this task has no tables as batches")?
            .batches(table)
    }

    /// Keeps Arrow batches as a table of the run and returns the value a
    /// plugin returns for it (a `table` output, or a record field).
    pub fn new_table(&self, batches: Vec<crate::tables::RecordBatch>) -> Result<Value, String> {
        self.tables
            .ok_or("this task cannot make tables")?
            .table(batches)
    }

    /// Whether the task should stop now (deadline passed or run cancelled).
    pub fn should_stop(&self) -> Option<&'static str> {
        if self.cancelled.load(Ordering::Relaxed) {
            Some("the run was cancelled")
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some("timed out")
        } else {
            None
        }
    }
}

/// An operator a host provides, matching a `plugin` declaration.
pub trait Plugin: Send + Sync {
    /// Runs one task. An error fails the attempt (and may be retried).
    fn run(&self, args: &Args, context: &TaskContext<'_>) -> Result<Value, String>;
}

impl<F> Plugin for F
where
    F: Fn(&Args, &TaskContext<'_>) -> Result<Value, String> + Send + Sync,
{
    fn run(&self, args: &Args, context: &TaskContext<'_>) -> Result<Value, String> {
        self(args, context)
    }
}

/// The host plugins of a run, by name.
#[derive(Default, Clone)]
pub struct Registry {
    plugins: HashMap<String, Arc<dyn Plugin>>,
    /// The plugins that take tables as Arrow batches, not rows.
    batch_plugins: HashSet<String>,
}

impl Registry {
    /// No host plugins.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a plugin under the name its `plugin` declaration uses.
    pub fn register(
        &mut self,
        name: impl Into<String>,
        plugin: impl Plugin + 'static,
    ) -> &mut Self {
        let name = name.into();
        self.batch_plugins.remove(&name);
        self.plugins.insert(name, Arc::new(plugin));
        self
    }

    /// Registers a plugin that takes its table arguments as Arrow batches
    /// ([`TaskContext::table_batches`] of the value it is given) rather
    /// than JSON rows, and may return a table made of batches
    /// ([`TaskContext::new_table`]).
    pub fn register_batches(
        &mut self,
        name: impl Into<String>,
        plugin: impl Plugin + 'static,
    ) -> &mut Self {
        let name = name.into();
        self.batch_plugins.insert(name.clone());
        self.plugins.insert(name, Arc::new(plugin));
        self
    }

    /// Whether the plugin takes tables as Arrow batches.
    pub fn takes_batches(&self, name: &str) -> bool {
        self.batch_plugins.contains(name)
    }

    /// The plugin of that name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Plugin>> {
        self.plugins.get(name)
    }

    /// The names of the plugins registered.
    pub fn names(&self) -> Vec<String> {
        self.plugins.keys().cloned().collect()
    }
}

/// The argument `name`, which must be given and not null.
pub(crate) fn arg<'a>(args: &'a Args, name: &str) -> Result<&'a Value, String> {
    args.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("argument `{name}` is missing"))
}

fn path_arg(args: &Args, name: &str) -> Result<PathBuf, String> {
    let value = arg(args, name)?;
    let text = text(value);
    if text.is_empty() {
        return Err(format!("argument `{name}` is an empty path"));
    }
    Ok(PathBuf::from(text))
}

/// Runs a built-in operator.
pub fn builtin(name: &str, args: &Args, context: &TaskContext<'_>) -> Result<Value, String> {
    match name {
        "echo" => Ok(json!({ "value": args.get("value").cloned().unwrap_or(Value::Null) })),
        "list_files" => list_files(args),
        // The list itself: a list-returning operator's single task yields
        // one item per element.
        "items" => match args.get("list") {
            Some(Value::Array(elements)) => Ok(Value::Array(elements.clone())),
            Some(Value::Null) | None => Ok(Value::Array(Vec::new())),
            Some(other) => Err(format!("`items` takes a list, found {other}")),
        },
        "read_text" => {
            let path = path_arg(args, "path")?;
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            Ok(json!({ "path": path.to_string_lossy(), "text": text }))
        }
        "write_text" => {
            let path = path_arg(args, "path")?;
            let body = text(arg(args, "text")?);
            write_file(&path, body.as_bytes())?;
            Ok(json!({ "path": path.to_string_lossy(), "bytes": body.len() }))
        }
        "read_json_value" => {
            let path = path_arg(args, "path")?;
            let raw = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let value: Value = serde_json::from_str(&raw)
                .map_err(|e| format!("`{}` is not valid JSON: {e}", path.display()))?;
            Ok(json!({ "path": path.to_string_lossy(), "value": value }))
        }
        "write_json" => {
            let path = path_arg(args, "path")?;
            let value = args.get("value").cloned().unwrap_or(Value::Null);
            let rows = value.as_array().map(Vec::len);
            let body = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
            write_file(&path, body.as_bytes())?;
            Ok(json!({ "path": path.to_string_lossy(), "rows": rows }))
        }
        "exec" => crate::exec::exec(args, context),
        "wait" => {
            let key = text(arg(args, "key")?);
            if context.approvals.contains(&key) {
                wait_outcome(&key, None)
            } else if let Some(note) = context.rejections.get(&key) {
                wait_outcome(&key, Some(note))
            } else {
                Err(format!(
                    "{WAITING_FOR}{key}`: no decision yet (`pipec approve RUN_ID {key}`, or `--approve {key}` to `pipec run`)"
                ))
            }
        }
        other => Err(format!("no built-in operator `{other}`")),
    }
}

/// What a decided `wait` gives: its record when approved; when rejected,
/// its node's error with the note (which says who rejected it).
pub(crate) fn wait_outcome(key: &str, rejection: Option<&str>) -> Result<Value, String> {
    match rejection {
        None => Ok(json!({ "key": key, "approved": true })),
        Some(note) => Err(format!("`{key}` was rejected: {note}")),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    // Through a temporary file and a rename: a failure leaves no half-written file.
    let temp = path.with_extension(format!(
        "{}.pipec-tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&temp, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write `{}`: {e}", path.display())
    })
}

/// One item per file under `dir` whose path relative to `dir` matches `glob`
/// (the one file-pattern dialect, [`pipec_compiler::files`]: links to files
/// and directories followed), sorted.
fn list_files(args: &Args) -> Result<Value, String> {
    let dir = path_arg(args, "dir")?;
    let pattern = args.get("glob").map_or_else(|| "*".to_string(), text);
    let matcher = pipec_compiler::files::Pattern::new(&pattern)?;
    let found: Vec<(PathBuf, u64)> = pipec_compiler::files::find(&dir, &matcher)?
        .into_iter()
        .map(|file| (file.path, file.size))
        .collect();
    Ok(Value::Array(
        found
            .into_iter()
            .map(|(path, size)| {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let ext = match name.rfind('.') {
                    Some(i) if i > 0 && i < name.len() - 1 => name[i..].to_string(),
                    _ => String::new(),
                };
                let stem = name[..name.len() - ext.len()].to_string();
                json!({ "path": path.to_string_lossy(), "name": name, "stem": stem, "ext": ext, "size": size })
            })
            .collect(),
    ))
}
