//! Where a run's record goes: every state change passes through a [`Store`].
//!
//! The trait is shaped for a durable store (SQLite next): one run record,
//! node and task records keyed by name and attempt, outputs by name; each
//! call records a transition and may be repeated without harm (idempotent).

use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::durable::{Decision, FileSig, PriorTask, RunIdentity};

/// The state of a node in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// Waiting for its dependencies.
    Pending,
    /// Its tasks are running.
    Running,
    /// All its tasks completed.
    Completed,
    /// A task failed after its retries.
    Failed,
    /// `when` was false, or a dependency it needs was skipped (cascades).
    Skipped,
    /// Its filters left it nothing to do (does not cascade).
    Filtered,
    /// The run stopped before it could finish.
    Cancelled,
    /// A `wait` has no decision yet: the run stops once everything that
    /// does not depend on it is done, and continues when resumed.
    Waiting,
}

impl NodeState {
    /// Whether the node will not change state again.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            NodeState::Pending | NodeState::Running | NodeState::Waiting
        )
    }

    /// The state's name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Pending => "pending",
            NodeState::Running => "running",
            NodeState::Completed => "completed",
            NodeState::Failed => "failed",
            NodeState::Skipped => "skipped",
            NodeState::Filtered => "filtered",
            NodeState::Cancelled => "cancelled",
            NodeState::Waiting => "waiting",
        }
    }
}

/// A record of one task attempt, or of a task reused from an earlier
/// start of the run or an earlier run (`reused_from`, attempt 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskRecord {
    /// The node.
    pub node: String,
    /// The task's index within the node.
    pub task: usize,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether it succeeded.
    pub ok: bool,
    /// The error, when it failed.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub millis: u64,
    /// Which start of the run it belongs to (1 for the first; each resume
    /// is one more).
    pub session: u32,
    /// The item it ran for, as messages name it (`batch_041.json`).
    pub label: Option<String>,
    /// Its content key, when the store remembers tasks.
    pub key: Option<String>,
    /// What the key is made of, in words.
    pub parts: Option<Value>,
    /// Its output value, kept for a later resume or cache hit (not when it
    /// holds a table or a secret).
    pub value: Option<Value>,
    /// The run whose completed task was reused instead of running it.
    pub reused_from: Option<String>,
    /// Why it ran although an earlier task of the same node and item
    /// exists (or that none does).
    pub reason: Option<String>,
}

/// The record of a run.
pub trait Store: Send + Sync {
    /// A run began.
    fn run_started(&self, run_id: &str, pipeline: &str, inputs: &Value);
    /// A node reached a state (idempotent: the same transition twice is one).
    fn node_state(&self, run_id: &str, node: &str, state: NodeState);
    /// Several nodes reached the same state at once (a run's start, its
    /// cancellation); a store may record them in one write.
    fn nodes_state(&self, run_id: &str, nodes: &[&str], state: NodeState) {
        for node in nodes {
            self.node_state(run_id, node, state);
        }
    }
    /// A node that names a pool (`on "POOL"`) started; a local run serves
    /// every pool, and the record says which one the node asked for.
    fn node_pool(&self, _run_id: &str, _node: &str, _pool: &str) {}
    /// Why a node failed: its first failed task's error, or why its tasks
    /// could not be formed (a `where` that cannot be evaluated).
    fn node_failed(&self, _run_id: &str, _node: &str, _reason: &str) {}
    /// A task attempt finished.
    fn task_finished(&self, run_id: &str, record: TaskRecord);
    /// An output's value.
    fn output(&self, run_id: &str, name: &str, value: &Value);
    /// Whether [`Store::output`] keeps what it is given: when not, a run
    /// need not build an output's value for the store alone (a table
    /// output's JSON rows, when the caller takes the table as batches).
    fn keeps_outputs(&self) -> bool {
        true
    }
    /// Why the run failed: its first failure, naming the node or output
    /// (told before [`Store::run_finished`]; an error found late, while an
    /// output's table was computed, is one).
    fn run_failed(&self, _run_id: &str, _reason: &str) {}
    /// The run ended.
    fn run_finished(&self, run_id: &str, ok: bool);
    /// The run was cancelled from outside (a signal, a host) before it
    /// ended; by default recorded as a run that did not succeed.
    fn run_cancelled(&self, run_id: &str) {
        self.run_finished(run_id, false);
    }

    // The durable side: a store that keeps tasks' keys and values lets a
    // run resume and reuse them. Every method is safe to repeat.

    /// Whether the store keeps tasks' keys and values: a run computes keys
    /// only for such a store.
    fn remembers(&self) -> bool {
        false
    }
    /// Makes every write so far durable. The executor calls it before it
    /// forms the tasks of a node that became ready and before it waits for
    /// running tasks: a store may gather writes until then (one commit for
    /// many small tasks) without a dependent ever seeing an unrecorded task.
    fn flush(&self) {}
    /// What identifies the run (told right after [`Store::run_started`]).
    fn run_identity(&self, _run_id: &str, _identity: &RunIdentity) {}
    /// The latest record of each task of this run (earlier starts of it)
    /// that ran, or took its value from another run: a task reused from an
    /// earlier start is recorded without its value, which the record it
    /// reused holds.
    fn prior_tasks(&self, _run_id: &str) -> Vec<PriorTask> {
        Vec::new()
    }
    /// The latest record of each task of the latest other run of the same
    /// pipeline and file: what a task that runs again is compared with.
    fn earlier_tasks(&self, _run_id: &str, _identity: &RunIdentity) -> Vec<PriorTask> {
        Vec::new()
    }
    /// A completed task of any run with this key whose value was kept.
    fn cached_task(&self, _key: &str) -> Option<PriorTask> {
        None
    }
    /// The fingerprint recorded for a file.
    fn file_sig(&self, _path: &str) -> Option<FileSig> {
        None
    }
    /// Records a file's fingerprint.
    fn remember_file(&self, _path: &str, _sig: &FileSig) {}
    /// A `wait` without a decision was reached.
    fn wait_reached(&self, _run_id: &str, _node: &str, _key: &str, _prompt: Option<&str>) {}
    /// The decisions taken on the run's waits.
    fn decisions(&self, _run_id: &str) -> Vec<Decision> {
        Vec::new()
    }
    /// Records a decision on a run's `wait` (approved or rejected, by
    /// whom, with a note); a store that keeps no decisions says so.
    fn decide(&self, _run_id: &str, _decision: &Decision) -> Result<(), String> {
        Err("this store keeps no decisions: approve up front instead".into())
    }
    /// The run stopped at a `wait` (it is resumed once decided).
    fn run_waiting(&self, run_id: &str) {
        self.run_finished(run_id, false);
    }
}

/// `text` with each of `secrets` replaced by `***` (an empty one is no
/// secret to hide): as written, and as JSON writes it inside a string, so
/// that a secret holding `"`, `\\` or a newline (a PEM key, a JSON
/// credential) is hidden in JSON text too.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "***");
        // Only a secret with characters JSON escapes has another form.
        if secret
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control())
        {
            let quoted = Value::String(secret.clone()).to_string();
            out = out.replace(&quoted[1..quoted.len() - 1], "***");
        }
    }
    out
}

/// A store that records through another with each secret value replaced
/// by `***` in what it records: task errors (an `exec`'s stderr, an item
/// named in a message) and outputs, so that no secret reaches the record.
pub struct Redacting<'a> {
    inner: &'a dyn Store,
    secrets: Vec<String>,
}

impl<'a> Redacting<'a> {
    /// Records through `inner`, redacting `secrets`.
    pub fn new(inner: &'a dyn Store, secrets: impl IntoIterator<Item = String>) -> Self {
        Redacting {
            inner,
            secrets: secrets.into_iter().collect(),
        }
    }

    fn text(&self, text: &str) -> String {
        redact(text, &self.secrets)
    }

    fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.text(text)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (self.text(k), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl Store for Redacting<'_> {
    fn run_started(&self, run_id: &str, pipeline: &str, inputs: &Value) {
        self.inner
            .run_started(run_id, pipeline, &self.value(inputs));
    }
    fn node_state(&self, run_id: &str, node: &str, state: NodeState) {
        self.inner.node_state(run_id, node, state);
    }
    fn nodes_state(&self, run_id: &str, nodes: &[&str], state: NodeState) {
        self.inner.nodes_state(run_id, nodes, state);
    }
    fn node_pool(&self, run_id: &str, node: &str, pool: &str) {
        self.inner.node_pool(run_id, node, pool);
    }
    fn node_failed(&self, run_id: &str, node: &str, reason: &str) {
        self.inner.node_failed(run_id, node, &self.text(reason));
    }
    fn task_finished(&self, run_id: &str, mut record: TaskRecord) {
        record.error = record.error.map(|e| self.text(&e));
        record.label = record.label.map(|l| self.text(&l));
        record.parts = record.parts.map(|p| self.value(&p));
        record.reason = record.reason.map(|r| self.text(&r));
        // A value that holds a secret is not kept: a later run would reuse
        // it with `***` in the secret's place.
        if let Some(value) = &record.value
            && self.value(value) != *value
        {
            record.value = None;
        }
        self.inner.task_finished(run_id, record);
    }
    fn remembers(&self) -> bool {
        self.inner.remembers()
    }
    fn flush(&self) {
        self.inner.flush();
    }
    fn run_identity(&self, run_id: &str, identity: &RunIdentity) {
        self.inner.run_identity(run_id, identity);
    }
    fn prior_tasks(&self, run_id: &str) -> Vec<PriorTask> {
        self.inner.prior_tasks(run_id)
    }
    fn earlier_tasks(&self, run_id: &str, identity: &RunIdentity) -> Vec<PriorTask> {
        self.inner.earlier_tasks(run_id, identity)
    }
    fn cached_task(&self, key: &str) -> Option<PriorTask> {
        self.inner.cached_task(key)
    }
    fn file_sig(&self, path: &str) -> Option<FileSig> {
        self.inner.file_sig(path)
    }
    fn remember_file(&self, path: &str, sig: &FileSig) {
        self.inner.remember_file(path, sig);
    }
    fn wait_reached(&self, run_id: &str, node: &str, key: &str, prompt: Option<&str>) {
        let prompt = prompt.map(|p| self.text(p));
        self.inner
            .wait_reached(run_id, node, key, prompt.as_deref());
    }
    fn decisions(&self, run_id: &str) -> Vec<Decision> {
        self.inner.decisions(run_id)
    }
    fn decide(&self, run_id: &str, decision: &Decision) -> Result<(), String> {
        self.inner.decide(run_id, decision)
    }
    fn run_waiting(&self, run_id: &str) {
        self.inner.run_waiting(run_id);
    }
    fn run_failed(&self, run_id: &str, reason: &str) {
        self.inner.run_failed(run_id, &self.text(reason));
    }
    fn output(&self, run_id: &str, name: &str, value: &Value) {
        self.inner.output(run_id, name, &self.value(value));
    }
    fn keeps_outputs(&self) -> bool {
        self.inner.keeps_outputs()
    }
    fn run_finished(&self, run_id: &str, ok: bool) {
        self.inner.run_finished(run_id, ok);
    }
    fn run_cancelled(&self, run_id: &str) {
        self.inner.run_cancelled(run_id);
    }
}

/// Everything a [`MemoryStore`] has recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MemoryRecord {
    /// The last state of each node, in order of first mention.
    pub nodes: Vec<(String, NodeState)>,
    /// Every task attempt.
    pub tasks: Vec<TaskRecord>,
    /// Outputs.
    pub outputs: Vec<(String, Value)>,
    /// Whether the run succeeded (once it finished).
    pub ok: Option<bool>,
}

/// A store in memory, for tests, embedding, and runs that need no record.
/// Records are indexed by key, so recording stays constant-time per call.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Indexed>,
}

#[derive(Debug, Default)]
struct Indexed {
    record: MemoryRecord,
    node_index: rustc_hash::FxHashMap<String, usize>,
    /// The node looked up last: a node's records mostly come in a row
    /// (running, its tasks, finished), so most lookups stop here.
    last_node: Option<usize>,
    /// (node's index in `record.nodes`, task, attempt) of every task recorded.
    task_keys: rustc_hash::FxHashSet<(usize, usize, u32)>,
    output_index: rustc_hash::FxHashMap<String, usize>,
    /// Decisions on waits, by run: kept so that a host can approve a wait
    /// while its run goes on, or before resuming it.
    decisions: rustc_hash::FxHashMap<String, Vec<Decision>>,
}

impl Indexed {
    /// The node's index in `record.nodes`, adding it (pending) when new.
    fn index_of(&mut self, node: &str) -> usize {
        if let Some(i) = self.last_node
            && self.record.nodes[i].0 == node
        {
            return i;
        }
        if let Some(&i) = self.node_index.get(node) {
            self.last_node = Some(i);
            return i;
        }
        let i = self.record.nodes.len();
        self.last_node = Some(i);
        self.node_index.insert(node.to_string(), i);
        self.record
            .nodes
            .push((node.to_string(), NodeState::Pending));
        i
    }

    fn set_state(&mut self, node: &str, state: NodeState) {
        let i = self.index_of(node);
        self.record.nodes[i].1 = state;
    }
}

impl MemoryStore {
    /// A copy of what was recorded.
    pub fn snapshot(&self) -> MemoryRecord {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record
            .clone()
    }

    fn with(&self, f: impl FnOnce(&mut Indexed)) {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl Store for MemoryStore {
    fn run_started(&self, _run_id: &str, _pipeline: &str, _inputs: &Value) {}

    fn decide(&self, run_id: &str, decision: &Decision) -> Result<(), String> {
        self.with(|s| {
            let decisions = s.decisions.entry(run_id.to_string()).or_default();
            decisions.retain(|d| d.key != decision.key);
            decisions.push(decision.clone());
        });
        Ok(())
    }

    fn decisions(&self, run_id: &str) -> Vec<Decision> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.decisions.get(run_id).cloned().unwrap_or_default()
    }

    fn node_state(&self, _run_id: &str, node: &str, state: NodeState) {
        self.with(|s| s.set_state(node, state));
    }

    fn nodes_state(&self, _run_id: &str, nodes: &[&str], state: NodeState) {
        self.with(|s| {
            s.node_index.reserve(nodes.len());
            for node in nodes {
                s.set_state(node, state);
            }
        });
    }

    fn task_finished(&self, _run_id: &str, record: TaskRecord) {
        self.with(|s| {
            let node = s.index_of(&record.node);
            if s.task_keys.insert((node, record.task, record.attempt)) {
                s.record.tasks.push(record);
            }
        });
    }

    fn output(&self, _run_id: &str, name: &str, value: &Value) {
        self.with(|s| match s.output_index.get(name) {
            Some(&i) => s.record.outputs[i].1 = value.clone(),
            None => {
                s.output_index
                    .insert(name.to_string(), s.record.outputs.len());
                s.record.outputs.push((name.to_string(), value.clone()));
            }
        });
    }

    fn run_finished(&self, _run_id: &str, ok: bool) {
        self.with(|s| s.record.ok = Some(ok));
    }
}

/// A store that keeps nothing: for runs that want no record (`pipec run
/// --no-store`), where even a copy of the outputs in memory would be waste.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRecord;

impl Store for NoRecord {
    fn run_started(&self, _run_id: &str, _pipeline: &str, _inputs: &Value) {}

    fn node_state(&self, _run_id: &str, _node: &str, _state: NodeState) {}

    fn task_finished(&self, _run_id: &str, _record: TaskRecord) {}

    fn output(&self, _run_id: &str, _name: &str, _value: &Value) {}

    fn keeps_outputs(&self) -> bool {
        false
    }

    fn run_finished(&self, _run_id: &str, _ok: bool) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(node: &str, task: usize, attempt: u32) -> TaskRecord {
        TaskRecord {
            node: node.into(),
            task,
            attempt,
            ok: true,
            ..TaskRecord::default()
        }
    }

    #[test]
    fn a_secret_with_quotes_or_newlines_is_hidden_in_json_text_too() {
        let secret = "-----BEGIN KEY-----\nab\"c\\d\n-----END KEY-----".to_string();
        let json = serde_json::json!({ "out": format!("key: {secret}") }).to_string();
        let hidden = redact(&json, std::slice::from_ref(&secret));
        assert!(!hidden.contains("BEGIN KEY"), "{hidden}");
        assert!(hidden.contains("***"), "{hidden}");
        assert_eq!(redact("plain token", &["token".to_string()]), "plain ***");
    }

    #[test]
    fn memory_records_are_keyed_by_node_and_idempotent() {
        let store = MemoryStore::default();
        store.nodes_state("r", &["a", "b"], NodeState::Pending);
        store.node_state("r", "a", NodeState::Running);
        store.task_finished("r", task("a", 0, 1));
        store.task_finished("r", task("b", 0, 1));
        // The same attempt again (of `a`, after `b` was looked up last) is one record.
        store.task_finished("r", task("a", 0, 1));
        store.task_finished("r", task("a", 0, 2));
        store.node_state("r", "a", NodeState::Completed);
        store.nodes_state("r", &["b", "c"], NodeState::Cancelled);
        let record = store.snapshot();
        assert_eq!(
            record.nodes,
            [
                ("a".to_string(), NodeState::Completed),
                ("b".to_string(), NodeState::Cancelled),
                ("c".to_string(), NodeState::Cancelled),
            ]
        );
        let tasks: Vec<(&str, u32)> = record
            .tasks
            .iter()
            .map(|t| (t.node.as_str(), t.attempt))
            .collect();
        assert_eq!(tasks, [("a", 1), ("b", 1), ("a", 2)]);
    }
}
