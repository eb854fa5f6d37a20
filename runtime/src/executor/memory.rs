//! What a run remembers: the tasks an earlier start of the same run
//! completed (a resumed run reuses them), the tasks of the latest earlier
//! run (to say why a task ran again), and the cache of every run (`cache on`,
//! `--cache`). Each task is decided here before it runs: reuse a recorded
//! value, or run and say why.
//!
//! Rules (docs/language.md, "Runs"):
//! - a resumed run reuses every task of its earlier starts that completed
//!   with the same key and whose value was kept;
//! - across runs, a task is reused only when its node says `cache on`, or
//!   the run was asked for `--cache` and the operator is pure (not `exec`,
//!   `wait`, a host plugin or a called pipeline);
//! - a task that makes a table is never reused (tables live in the run's
//!   memory and are computed again, lazily; what reads them keys on how
//!   they were made);
//! - a task that writes files (`write_*`) is reused only when each file it
//!   wrote is still there with the hash recorded.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pipec_compiler::analyze::Callee;
use pipec_compiler::plan::{Plan, PlanNode};
use serde_json::{Value, json};

use super::keys::{Keyed, Lineage, file_sig, operator_identity, task_key};
use crate::durable::{PriorTask, RunIdentity, item_of};
use crate::plugins::Args;
use crate::store::Store;

/// How a task's value was had without running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// From an earlier start of this run.
    Resumed,
    /// From the cache (another run).
    Cached,
}

/// What to do with a task.
pub enum Decision {
    /// Take this value, recorded by the run `from`.
    Reuse {
        value: Value,
        from: String,
        how: Reuse,
        keyed: Keyed,
    },
    /// Run it; `keyed` when the store remembers, with why it runs.
    Run {
        keyed: Option<Keyed>,
        reason: Option<String>,
    },
}

/// A run's memory of earlier tasks.
pub struct Memory {
    enabled: bool,
    resuming: bool,
    cache_all: bool,
    /// Completed tasks of earlier starts of this run, by key.
    resumed: HashMap<String, Arc<PriorTask>>,
    /// The latest records by (node, item): of this run when resuming, else
    /// of the latest earlier run of the same pipeline and file.
    earlier: HashMap<(String, String), Arc<PriorTask>>,
    /// The keys of the tables the run has made.
    pub lineage: Lineage,
    secrets: Vec<String>,
    /// The hash of each called pipeline's plan, by subplan key.
    subplans: HashMap<String, String>,
    /// The waits reached without a decision: (node, key, prompt).
    waits: Mutex<Vec<(String, String, Option<String>)>>,
}

impl Memory {
    /// Nothing remembered: every task runs, no key is computed.
    pub fn none() -> Memory {
        Memory {
            enabled: false,
            resuming: false,
            cache_all: false,
            resumed: HashMap::new(),
            earlier: HashMap::new(),
            lineage: Lineage::default(),
            secrets: Vec::new(),
            subplans: HashMap::new(),
            waits: Mutex::default(),
        }
    }

    /// What `store` remembers for run `run_id` of `plan`.
    pub fn load(
        plan: &Plan,
        store: &dyn Store,
        run_id: &str,
        identity: &RunIdentity,
        cache_all: bool,
        secrets: Vec<String>,
    ) -> Memory {
        if !store.remembers() {
            return Memory::none();
        }
        let prior: Vec<Arc<PriorTask>> = store
            .prior_tasks(run_id)
            .into_iter()
            .map(Arc::new)
            .collect();
        let resuming = !prior.is_empty();
        let earlier_tasks = match resuming {
            true => prior.clone(),
            false => store
                .earlier_tasks(run_id, identity)
                .into_iter()
                .map(Arc::new)
                .collect(),
        };
        let resumed = prior
            .into_iter()
            .filter(|t| t.ok && t.value.is_some())
            .filter_map(|t| Some((t.key.clone()?, t)))
            .collect();
        let earlier = earlier_tasks
            .into_iter()
            .map(|t| ((t.node.clone(), t.item()), t))
            .collect();
        let subplans = plan
            .subplans
            .iter()
            .map(|(key, sub)| (key.clone(), plan_hash(sub)))
            .collect();
        Memory {
            enabled: true,
            resuming,
            cache_all,
            resumed,
            earlier,
            lineage: Lineage::default(),
            secrets,
            subplans,
            waits: Mutex::default(),
        }
    }

    /// The secret texts of the run (hidden in what it keeps).
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Remembers a wait reached without a decision.
    pub fn waited(&self, node: &str, key: &str, prompt: Option<&str>) {
        if let Ok(mut waits) = self.waits.lock() {
            waits.push((
                node.to_string(),
                key.to_string(),
                prompt.map(str::to_string),
            ));
        }
    }

    /// The waits reached without a decision, in node order.
    pub fn waits(&self) -> Vec<(String, String, Option<String>)> {
        let mut waits = self.waits.lock().map(|w| w.clone()).unwrap_or_default();
        waits.sort();
        waits
    }

    /// Reuse a recorded value for this task, or run it and say why.
    pub fn decide(
        &self,
        node: &PlanNode,
        task: usize,
        label: Option<&str>,
        args: &Args,
        store: &dyn Store,
    ) -> Decision {
        if !self.enabled {
            return Decision::Run {
                keyed: None,
                reason: None,
            };
        }
        let operator = operator_identity(node, |file, name| {
            let key = pipec_compiler::plan::subplan_key(file, name);
            self.subplans.get(&key).cloned().unwrap_or_default()
        });
        let mut keyed = task_key(node, &operator, args, &self.lineage, store, &self.secrets);
        let name = operator_name(node);
        if keyed.known
            && !makes_a_table(name)
            && let Some(prior) = self.resumed.get(&keyed.key)
            && let Some(value) = reusable(prior, name, store)
        {
            return Decision::Reuse {
                value,
                from: prior.run_id.clone(),
                how: Reuse::Resumed,
                keyed,
            };
        }
        // Not resumed: the parts are recorded, with each argument's preview.
        keyed.describe(args, &self.secrets);
        if !keyed.known {
            return Decision::Run {
                keyed: Some(keyed),
                reason: Some(
                    "what it reads cannot be fingerprinted (a URL, a missing file, or a table made outside this run)"
                        .into(),
                ),
            };
        }
        if makes_a_table(name) {
            return Decision::Run {
                keyed: Some(keyed),
                reason: None,
            };
        }
        let cacheable = node.policy.cache || (self.cache_all && is_pure(node));
        if cacheable
            && let Some(prior) = store.cached_task(&keyed.key)
            && let Some(value) = reusable(&prior, name, store)
        {
            return Decision::Reuse {
                value,
                from: prior.run_id,
                how: Reuse::Cached,
                keyed,
            };
        }
        let reason = self.why(node, task, label, &keyed, cacheable);
        Decision::Run {
            keyed: Some(keyed),
            reason: Some(reason),
        }
    }

    /// Why a task runs, compared with the earlier task of its node and item.
    fn why(
        &self,
        node: &PlanNode,
        task: usize,
        label: Option<&str>,
        keyed: &Keyed,
        cacheable: bool,
    ) -> String {
        let item = item_of(label, task);
        let Some(earlier) = self.earlier.get(&(node.name.clone(), item)) else {
            return match self.resuming {
                true => "it had not finished when the run stopped".into(),
                false => "no earlier task for this item".into(),
            };
        };
        if !earlier.ok {
            let error = earlier.error.as_deref().unwrap_or("");
            let first_line = error.lines().next().unwrap_or("");
            return format!("the earlier task failed: {first_line}");
        }
        if earlier.key.as_deref() == Some(keyed.key.as_str()) {
            return match (self.resuming, cacheable) {
                (true, _) => {
                    "its earlier result was not kept (it held a secret or was too large to keep)"
                        .into()
                }
                (false, true) => {
                    "its earlier result was not kept, or a file it wrote has changed".into()
                }
                (false, false) => format!(
                    "unchanged, but `{}` is reused across runs only with `cache on`{}",
                    operator_name(node),
                    if is_pure(node) { " or `--cache`" } else { "" }
                ),
            };
        }
        let reasons = match earlier.parts() {
            Some(parts) => crate::why::reasons(&parts, &keyed.parts),
            None => Vec::new(),
        };
        match reasons.is_empty() {
            true => "its arguments changed".into(),
            false => reasons.join("; "),
        }
    }

    /// The parts of a completed task's key, with the files it wrote when
    /// it writes files (so that reusing it later can check them).
    pub fn completed_parts(
        &self,
        node: &PlanNode,
        keyed: &Keyed,
        value: &Value,
        store: &dyn Store,
    ) -> Value {
        let mut parts = keyed.parts.clone();
        if operator_name(node).starts_with("write_")
            && let Some(path) = value.get("path").and_then(Value::as_str)
            && let Some(sig) = file_sig(Path::new(path), store)
            && let Value::Object(fields) = &mut parts
        {
            fields.insert(
                "wrote".into(),
                json!({ path: { "bytes": sig.size, "hash": sig.hash } }),
            );
        }
        parts
    }
}

/// The value of a recorded task, if it can be reused: kept, and every file
/// it wrote still as it wrote it.
fn reusable(prior: &PriorTask, operator: &str, store: &dyn Store) -> Option<Value> {
    let value = prior.value.clone()?;
    // Only a writer's parts hold `wrote` (so only they are parsed).
    let wrote = match operator.starts_with("write_") {
        true => prior.parts(),
        false => None,
    };
    if let Some(Value::Object(wrote)) = wrote.as_ref().and_then(|p| p.get("wrote")) {
        for (path, sig) in wrote {
            let now = file_sig(Path::new(path), store)?;
            if sig.get("hash").and_then(Value::as_str) != Some(now.hash.as_str()) {
                return None;
            }
        }
    }
    Some(value)
}

/// The operator's name (a built-in's, a plugin's, a pipeline's).
fn operator_name(node: &PlanNode) -> &str {
    node.plugin.name()
}

/// Operators whose value is a table (kept in the run's memory only).
fn makes_a_table(name: &str) -> bool {
    pipec_stdlib::TABLE_OPERATORS.contains(&name) && !name.starts_with("write_")
}

/// Whether a node's operator gives the same value for the same key:
/// built-ins other than `exec` and `wait`.
fn is_pure(node: &PlanNode) -> bool {
    matches!(&node.plugin, Callee::Builtin { name } if name != "exec" && name != "wait")
}

/// A hash of what a plan runs (not how its file was written).
pub fn plan_hash(plan: &Plan) -> String {
    let text = serde_json::to_string(plan).unwrap_or_default();
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}
