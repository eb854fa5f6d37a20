//! The record and events of a pipeline called as a node: its nodes and
//! tasks go to the calling run's store and event sink under the calling
//! node's name (`caller/node`), so that they can be followed and inspected
//! like the caller's own. Its run's start, end and outputs are the calling
//! node's task, already recorded by the caller.

use serde_json::Value;

use crate::events::{Event, EventSink};
use crate::store::{NodeState, Store, TaskRecord};

/// The calling run's store, for a nested run.
pub(super) struct NestedStore<'a> {
    pub(super) inner: &'a dyn Store,
    /// `caller/`.
    pub(super) prefix: &'a str,
}

/// The calling run's id: the nested run's id is `CALLER_RUN/pipeline`.
fn calling_run(run_id: &str) -> &str {
    run_id.rsplit_once('/').map_or(run_id, |(caller, _)| caller)
}

impl Store for NestedStore<'_> {
    fn run_started(&self, _run_id: &str, _pipeline: &str, _inputs: &Value) {}
    fn flush(&self) {
        self.inner.flush();
    }

    fn node_state(&self, run_id: &str, node: &str, state: NodeState) {
        self.inner.node_state(
            calling_run(run_id),
            &format!("{}{node}", self.prefix),
            state,
        );
    }

    fn nodes_state(&self, run_id: &str, nodes: &[&str], state: NodeState) {
        let named: Vec<String> = nodes
            .iter()
            .map(|node| format!("{}{node}", self.prefix))
            .collect();
        let named: Vec<&str> = named.iter().map(String::as_str).collect();
        self.inner.nodes_state(calling_run(run_id), &named, state);
    }

    fn node_pool(&self, run_id: &str, node: &str, pool: &str) {
        self.inner
            .node_pool(calling_run(run_id), &format!("{}{node}", self.prefix), pool);
    }

    fn node_failed(&self, run_id: &str, node: &str, reason: &str) {
        self.inner.node_failed(
            calling_run(run_id),
            &format!("{}{node}", self.prefix),
            reason,
        );
    }

    fn task_finished(&self, run_id: &str, record: TaskRecord) {
        let node = format!("{}{}", self.prefix, record.node);
        self.inner
            .task_finished(calling_run(run_id), TaskRecord { node, ..record });
    }

    fn output(&self, _run_id: &str, _name: &str, _value: &Value) {}

    fn keeps_outputs(&self) -> bool {
        false
    }

    fn run_finished(&self, _run_id: &str, _ok: bool) {}

    fn run_cancelled(&self, _run_id: &str) {}
}

/// The calling run's event sink, for a nested run.
pub(super) struct NestedEvents<'a> {
    pub(super) inner: &'a dyn EventSink,
    /// `caller/`.
    pub(super) prefix: &'a str,
}

impl EventSink for NestedEvents<'_> {
    fn event(&self, event: &Event) {
        let mut event = event.clone();
        match &mut event {
            Event::RunStarted { .. } | Event::RunFinished { .. } => return,
            Event::NodeStarted { node, .. }
            | Event::NodeFinished { node, .. }
            | Event::TaskStarted { node, .. }
            | Event::TaskRetrying { node, .. }
            | Event::TaskFinished { node, .. }
            | Event::TaskFailed { node, .. }
            | Event::TaskReused { node, .. }
            | Event::Waiting { node, .. } => node.insert_str(0, self.prefix),
        }
        self.inner.event(&event);
    }

    fn enabled(&self) -> bool {
        self.inner.enabled()
    }
}
