//! What a durable store gives back to the engine: a run's identity, the
//! tasks of an earlier start of the same run (to resume without redoing
//! them), of an earlier run (to say why a task ran again) and of any run
//! (the cache), files' fingerprints, and the decisions on waits.
//!
//! These are the read side of the [`crate::Store`] protocol; a store that
//! keeps nothing returns nothing, and a run then simply runs everything.

use serde::Serialize;
use serde_json::Value;

/// What identifies a run: its pipeline, the file it came from, the hashes
/// of the source and of the plan, and who runs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunIdentity {
    /// The pipeline's name.
    pub pipeline: String,
    /// The `.pipe` file, as an absolute path when known (resume reads it).
    pub file: Option<String>,
    /// Hex hash of the file's bytes.
    pub source_hash: Option<String>,
    /// Hex hash of the plan (what runs, without formatting or comments).
    pub plan_hash: String,
    /// The process that runs it ([`crate::owner::Owner::text`]).
    pub owner: Option<String>,
}

/// A file's size, modification time and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSig {
    /// Bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Hex hash of the content.
    pub hash: String,
}

/// A task recorded by an earlier start of this run, or by an earlier run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorTask {
    /// The run that recorded it.
    pub run_id: String,
    /// The node.
    pub node: String,
    /// The task's index within its node.
    pub task: usize,
    /// The item it ran for, as messages name it.
    pub label: Option<String>,
    /// Whether it completed.
    pub ok: bool,
    /// Its error, when it failed.
    pub error: Option<String>,
    /// Its content key.
    pub key: Option<String>,
    /// What the key was made of ([`crate::why`]), as JSON text: read only
    /// when a task runs again and says why ([`PriorTask::parts`]).
    pub parts_json: Option<String>,
    /// Its output value, when kept (not a table, holds no secret).
    pub value: Option<Value>,
}

impl PriorTask {
    /// The item, as tasks of two runs are matched: its label, else its index.
    pub fn item(&self) -> String {
        item_of(self.label.as_deref(), self.task)
    }

    /// What the key was made of, parsed.
    pub fn parts(&self) -> Option<Value> {
        serde_json::from_str(self.parts_json.as_deref()?).ok()
    }
}

/// A task's item as tasks of two runs are matched: its label (the file or
/// value it ran for), else its index within the node.
pub fn item_of(label: Option<&str>, task: usize) -> String {
    label.map_or_else(|| format!("#{task}"), str::to_string)
}

/// A decision on a `wait`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The wait's key.
    pub key: String,
    /// Approved, or rejected.
    pub approved: bool,
    /// Who decided (the user's name, as the system gives it).
    pub by: String,
    /// The note given with the decision.
    pub note: Option<String>,
}

impl Decision {
    /// A rejection's note as the failed `wait` gives it: the note (or that
    /// none was given) and who rejected it.
    pub fn rejection_note(&self) -> String {
        format!(
            "{} (by {})",
            self.note.as_deref().unwrap_or("no note given"),
            self.by
        )
    }

    /// A decision on the wait keyed `key`.
    pub fn new(key: &str, approved: bool, by: &str, note: Option<&str>) -> Decision {
        Decision {
            key: key.to_string(),
            approved,
            by: by.to_string(),
            note: note.map(str::to_string),
        }
    }
}
