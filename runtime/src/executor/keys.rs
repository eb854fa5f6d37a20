//! A task's content key: a hash of what determines its result, so that a
//! resumed or cached run reuses a task whose key it has seen complete.
//!
//! In the key: the operator (a built-in with pipec's version, a host
//! plugin by name, a called pipeline by its plan), the resolved arguments
//! (upstream values included, since they are arguments by then; object
//! fields in sorted order), for a table the key of the task that made it
//! (its lineage), and for a file a reader reads, its content hash (size and
//! modification time are a fast check: when both are as recorded, the
//! recorded hash is used without reading the file). Not in the key: the
//! attempt, the node's place in the file, formatting and comments (the key
//! comes from the plan), and secret values (replaced by `***`: a new value
//! of a secret does not by itself re-run a task).
//!
//! Beside the key, its parts in words (each argument as a short preview,
//! each file with its size and hash) are kept, so that a task that re-ran
//! can say which part changed ([`crate::why`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use pipec_compiler::analyze::Callee;
use pipec_compiler::plan::PlanNode;
use serde_json::{Map, Value, json};

use crate::durable::FileSig;
use crate::plugins::Args;
use crate::store::{Store, redact};
use crate::tables::handle;

/// Operators that read the file named by their `path` argument: its
/// content is part of their key.
const READERS: [&str; 5] = [
    "read_text",
    "read_json_value",
    "read_csv",
    "read_parquet",
    "read_json",
];

/// A task's key and its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed {
    /// Hex BLAKE3 of the canonical parts.
    pub key: String,
    /// What the key is made of, in words: `operator`, `args` (a preview
    /// each), `files` (path: size and hash), `tables` (argument: the node
    /// that made it).
    pub parts: Value,
    /// False when some part cannot be known (a file behind a URL, a table
    /// whose making is not known): such a key is never matched.
    pub known: bool,
}

/// The keys of the tables a run has made, by handle: a task that reads a
/// table has the key of the task that made it in its own.
#[derive(Default)]
pub struct Lineage {
    tables: Mutex<BTreeMap<usize, (String, String)>>,
}

impl Lineage {
    /// Remembers that the table of `value` (a handle) was made by the task
    /// keyed `key` of node `node`.
    pub fn made(&self, value: &Value, node: &str, key: &str) {
        if let Some(id) = handle(value)
            && let Ok(mut tables) = self.tables.lock()
        {
            tables.insert(id, (node.to_string(), key.to_string()));
        }
    }

    fn of(&self, id: usize) -> Option<(String, String)> {
        self.tables.lock().ok()?.get(&id).cloned()
    }
}

/// The name the key gives a node's operator: a built-in with the version
/// of pipec that runs it, a host plugin by name, a pipeline by its plan.
pub fn operator_identity(node: &PlanNode, subplan_hash: impl Fn(&str, &str) -> String) -> String {
    match &node.plugin {
        Callee::Builtin { name } => format!("{name}@{}", env!("CARGO_PKG_VERSION")),
        Callee::Host { name, .. } => format!("plugin {name}"),
        Callee::Pipeline { name, file } => {
            format!("pipeline {name}@{}", subplan_hash(file, name))
        }
    }
}

/// The key of a task of `node` (operator `operator`) with `args`. Its
/// parts name the operator, tables and files; the arguments' previews are
/// added by [`Keyed::describe`] only for a task that is not resumed (a
/// resumed task needs its key alone).
pub fn task_key(
    node: &PlanNode,
    operator: &str,
    args: &Args,
    lineage: &Lineage,
    store: &dyn Store,
    secrets: &[String],
) -> Keyed {
    let mut known = true;
    let mut tables = Map::new();
    let mut hashed_args = Map::new();
    for (name, value) in args {
        let (value, made_by) = with_lineage(value, lineage, &mut known);
        if let Some(made_by) = made_by {
            tables.insert(name.clone(), Value::String(made_by));
        }
        hashed_args.insert(name.clone(), value);
    }
    let hashed_args = match secrets.is_empty() {
        true => Value::Object(hashed_args),
        // Secret values are not part of the key (see the module's doc).
        false => serde_json::from_str(&redact(&Value::Object(hashed_args).to_string(), secrets))
            .unwrap_or(Value::Null),
    };
    let mut files = Map::new();
    if let Callee::Builtin { name } = &node.plugin
        && READERS.contains(&name.as_str())
        && let Some(Value::String(path)) = args.get("path")
    {
        for (shown, sig) in file_sigs(path, store, &mut known) {
            files.insert(shown, json!({ "bytes": sig.size, "hash": sig.hash }));
        }
    }
    let files = Value::Object(files);
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"{");
    for (name, value) in [
        ("args", &hashed_args),
        ("files", &files),
        ("operator", &Value::String(operator.to_string())),
    ] {
        feed_name(name, &mut hasher);
        canonical(value, &mut hasher);
        hasher.update(b",");
    }
    hasher.update(b"}");
    let parts = json!({
        "operator": operator,
        "args": {},
        "tables": tables,
        "files": files,
    });
    Keyed {
        key: hasher.finalize().to_hex().to_string(),
        parts,
        known,
    }
}

impl Keyed {
    /// Adds a short preview of each argument (secrets hidden) to the parts,
    /// so that a later run can say which argument changed.
    pub fn describe(&mut self, args: &Args, secrets: &[String]) {
        let previews: Map<String, Value> = args
            .iter()
            .map(|(name, value)| {
                let shown = redact(&value.to_string(), secrets);
                (name.clone(), Value::String(preview(&shown)))
            })
            .collect();
        if let Value::Object(parts) = &mut self.parts {
            parts.insert("args".into(), Value::Object(previews));
        }
    }
}

/// `value` with each table handle replaced by the key of the task that
/// made it; the node that made it, when `value` is one table.
fn with_lineage(value: &Value, lineage: &Lineage, known: &mut bool) -> (Value, Option<String>) {
    if let Some(id) = handle(value) {
        return match lineage.of(id) {
            Some((node, key)) => (json!({ "table made by": key }), Some(node)),
            None => {
                *known = false;
                (value.clone(), None)
            }
        };
    }
    match value {
        Value::Array(items) => (
            Value::Array(
                items
                    .iter()
                    .map(|v| with_lineage(v, lineage, known).0)
                    .collect(),
            ),
            None,
        ),
        Value::Object(fields) => (
            Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), with_lineage(v, lineage, known).0))
                    .collect(),
            ),
            None,
        ),
        other => (other.clone(), None),
    }
}

/// A value's JSON text cut to 80 characters.
fn preview(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Feeds `value` to `hasher` with object fields in sorted order, so that
/// the order arguments are written in changes nothing.
fn canonical(value: &Value, hasher: &mut blake3::Hasher) {
    match value {
        Value::Object(fields) => {
            let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            hasher.update(b"{");
            for (name, value) in sorted {
                feed_name(name, hasher);
                canonical(value, hasher);
                hasher.update(b",");
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for item in items {
                canonical(item, hasher);
                hasher.update(b",");
            }
            hasher.update(b"]");
        }
        other => {
            // The value's JSON text, written straight into the hash.
            let _ = serde_json::to_writer(&mut *hasher, other);
        }
    }
}

/// Feeds an object field's name, as JSON text, then `:`.
fn feed_name(name: &str, hasher: &mut blake3::Hasher) {
    let _ = serde_json::to_writer(&mut *hasher, name);
    hasher.update(b":");
}

/// The files `path` names (a file, a pattern's matches, a directory's
/// files), each with its size and content hash. A URL cannot be
/// fingerprinted: the key is then not known.
fn file_sigs(path: &str, store: &dyn Store, known: &mut bool) -> Vec<(String, FileSig)> {
    if path.contains("://") {
        *known = false;
        return Vec::new();
    }
    // A directory is read whole: every file below it.
    let pattern = match Path::new(path).is_dir() {
        true => Some(format!("{}/**/*", path.trim_end_matches('/'))),
        false => pipec_compiler::files::is_pattern(path).then(|| path.to_string()),
    };
    let mut found: Vec<String> = match pattern {
        None => vec![path.to_string()],
        Some(pattern) => match pipec_compiler::files::expand(&pattern) {
            Ok(matches) => matches
                .into_iter()
                .map(|f| f.path.to_string_lossy().into_owned())
                .collect(),
            Err(_) => {
                *known = false;
                Vec::new()
            }
        },
    };
    found.sort();
    let mut sigs = Vec::new();
    for file in found {
        match file_sig(Path::new(&file), store) {
            Some(sig) => sigs.push((file, sig)),
            // A file that cannot be read: the task will fail, and say why.
            None => *known = false,
        }
    }
    sigs
}

/// A file's size, modification time and content hash: the hash the store
/// recorded when size and time are unchanged (one `stat`), else read and
/// hashed now, and recorded.
pub fn file_sig(path: &Path, store: &dyn Store) -> Option<FileSig> {
    let meta = std::fs::metadata(path).ok()?;
    let size = meta.len();
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    let shown = path.to_string_lossy();
    if let Some(known) = store.file_sig(&shown)
        && known.size == size
        && known.mtime_ns == mtime_ns
    {
        return Some(known);
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path).ok()?).ok()?;
    let sig = FileSig {
        size,
        mtime_ns,
        hash: hasher.finalize().to_hex()[..32].to_string(),
    };
    store.remember_file(&shown, &sig);
    Some(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(value: Value) -> String {
        let mut hasher = blake3::Hasher::new();
        canonical(&value, &mut hasher);
        hasher.finalize().to_hex().to_string()
    }

    #[test]
    fn field_order_does_not_change_a_key_and_values_do() {
        assert_eq!(
            hash(json!({"a": 1, "b": [1, {"x": 2, "y": 3}]})),
            hash(json!({"b": [1, {"y": 3, "x": 2}], "a": 1}))
        );
        assert_ne!(hash(json!({"a": 1})), hash(json!({"a": 2})));
        assert_ne!(hash(json!({"a": "1"})), hash(json!({"a": 1})));
        assert_ne!(hash(json!([[1], 2])), hash(json!([1, [2]])));
    }

    #[test]
    fn a_preview_is_cut_at_eighty_characters() {
        assert_eq!(preview("\"short\""), "\"short\"");
        let long = "é".repeat(100);
        assert_eq!(preview(&long).chars().count(), 81);
    }
}
