//! Writes that wait for the connection: a worker that finished a task, or
//! the executor changing a node's state, only queues the write (no wait
//! for the connection, no contention among workers); whoever takes the
//! connection next writes the queue first, in order, so every read and
//! every commit sees it. Node states queued twice before they are written
//! are written once (the later state).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::params;
use serde_json::Value;

use super::{INLINE_VALUE_BYTES, Inner, now_ms, safe_name};
use crate::store::{NodeState, TaskRecord};

/// Writes not yet made.
#[derive(Default)]
pub(super) struct Queue {
    /// Finished tasks: run, record, when it finished.
    tasks: Vec<(String, TaskRecord, i64)>,
    /// Node states: run, node, state, when; in the order first queued.
    nodes: Vec<(String, String, NodeState, i64)>,
    /// Where each queued node state is in `nodes`.
    node_at: HashMap<(String, String), usize>,
}

impl Queue {
    /// Queues a finished task's record.
    pub(super) fn task(&mut self, run_id: &str, record: TaskRecord) {
        self.tasks.push((run_id.to_string(), record, now_ms()));
    }

    /// Queues a node's state (replacing one queued for it before).
    pub(super) fn node(&mut self, run_id: &str, node: &str, state: NodeState) {
        let key = (run_id.to_string(), node.to_string());
        match self.node_at.get(&key) {
            Some(&at) => {
                self.nodes[at].2 = state;
                self.nodes[at].3 = now_ms();
            }
            None => {
                self.node_at.insert(key, self.nodes.len());
                self.nodes
                    .push((run_id.to_string(), node.to_string(), state, now_ms()));
            }
        }
    }

    /// Whether nothing is queued.
    pub(super) fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.nodes.is_empty()
    }

    /// Writes everything queued into the open transaction.
    pub(super) fn write(self, inner: &mut Inner, values_dir: &Path) -> rusqlite::Result<()> {
        {
            let mut upsert = inner.connection.prepare_cached(
                "insert into nodes (run_id, node, state, updated_ms) values (?1, ?2, ?3, ?4)
                 on conflict (run_id, node) do update set state = excluded.state,
                   updated_ms = excluded.updated_ms",
            )?;
            for (run_id, node, state, at) in &self.nodes {
                upsert.execute(params![run_id, node, state.as_str(), at])?;
            }
        }
        for (run_id, record, finished_ms) in self.tasks {
            write_task(inner, &run_id, record, finished_ms, values_dir)?;
        }
        Ok(())
    }
}

/// Writes a finished task's record (its value in a file beside the
/// store when too large for a row), in the open transaction.
fn write_task(
    inner: &mut Inner,
    run_id: &str,
    record: TaskRecord,
    finished_ms: i64,
    values_dir: &Path,
) -> rusqlite::Result<()> {
    let session = match record.session {
        0 => inner.sessions.get(run_id).copied().unwrap_or(1),
        given => given,
    };
    let mut inline = record.value.as_ref().map(Value::to_string);
    let mut file = None;
    if inline
        .as_ref()
        .is_some_and(|text| text.len() > INLINE_VALUE_BYTES)
    {
        let name = value_file_name(run_id, &record, session);
        let path = values_dir.join(&name);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, inline.as_deref().unwrap_or("")));
        // A value that cannot be kept is not kept: the task runs again.
        inline = None;
        if written.is_ok() {
            file = Some(name);
        }
    }
    inner
        .connection
        .prepare_cached(
            "insert into tasks (run_id, node, task, session, attempt, ok, error, millis,
               label, key, parts, value, value_file, reused_from, reason, finished_ms)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             on conflict (run_id, node, task, session, attempt) do update set ok = excluded.ok,
               error = excluded.error, millis = excluded.millis, value = excluded.value,
               value_file = excluded.value_file, finished_ms = excluded.finished_ms",
        )?
        .execute(params![
            run_id,
            record.node,
            record.task as i64,
            session,
            record.attempt,
            record.ok,
            record.error,
            record.millis as i64,
            record.label,
            record.key,
            record.parts.as_ref().map(Value::to_string),
            inline,
            file,
            record.reused_from,
            record.reason,
            finished_ms
        ])?;
    Ok(())
}

/// File name of a large value: the run, node and task, in characters any
/// file system takes.
fn value_file_name(run_id: &str, record: &TaskRecord, session: u32) -> String {
    format!(
        "{}/{}.{}.{}.json",
        safe_name(run_id),
        safe_name(&record.node),
        record.task,
        session
    )
}
