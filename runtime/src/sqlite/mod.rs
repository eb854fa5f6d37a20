//! A durable [`Store`] in SQLite: one file holds every run's record, and
//! is read back to resume a run, reuse a cached task, say why a task ran
//! again, and list and show runs ([`history`]).
//!
//! Every write is an upsert keyed by run, node, task, session and attempt,
//! so repeating a transition changes nothing. Task records and node states
//! are queued ([`queue`]) and written by whoever takes the connection next;
//! writes go into one open transaction that [`Store::flush`] commits (the
//! executor decides when: `executor/commits.rs`), so a fan-out of many
//! small tasks pays one commit per batch, not one per task. The start and
//! end of a run and decisions are committed at once. The file is in WAL
//! mode with a 64 MiB page cache (the key index is written in random
//! order); its schema is versioned ([`schema`]).

pub mod history;
mod queue;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::durable::{Decision, FileSig, PriorTask, RunIdentity};
use crate::store::{NodeState, Store, TaskRecord};
use queue::Queue;

/// A value longer than this is kept in a file beside the store, not in its row.
const INLINE_VALUE_BYTES: usize = 256 * 1024;

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the run store `{path}`: {reason}")]
pub struct StoreError {
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A run store in a SQLite file.
pub struct SqliteStore {
    inner: Mutex<Inner>,
    /// Task records and node states not yet written ([`queue`]).
    pending: Mutex<Queue>,
    /// Where values too large for a row go: `values/` beside the file.
    values_dir: PathBuf,
}

struct Inner {
    connection: Connection,
    /// The first write error, kept so a run is never stopped by its record.
    error: Option<String>,
    /// The current start (session) of each run begun through this store.
    sessions: HashMap<String, u32>,
    /// Whether writes since the last flush are in an open transaction.
    in_transaction: bool,
}

impl Inner {
    /// Begins a transaction unless one is open.
    fn begin(&mut self) -> rusqlite::Result<()> {
        if !self.in_transaction {
            self.connection.execute_batch("begin")?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Commits the open transaction, if any.
    fn commit(&mut self) -> rusqlite::Result<()> {
        if self.in_transaction {
            self.in_transaction = false;
            self.connection.execute_batch("commit")?;
        }
        Ok(())
    }
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`, and its parent
    /// directory; an older store file is upgraded.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let error = |reason: String| StoreError {
            path: path.display().to_string(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let connection = Connection::open(path).map_err(|e| error(e.to_string()))?;
        connection
            .execute_batch(
                "pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000; pragma cache_size = -65536;",
            )
            .map_err(|e| error(e.to_string()))?;
        schema::migrate(&connection).map_err(error)?;
        Ok(SqliteStore {
            inner: Mutex::new(Inner {
                connection,
                error: None,
                sessions: HashMap::new(),
                in_transaction: false,
            }),
            pending: Mutex::new(Queue::default()),
            values_dir: path
                .parent()
                .unwrap_or_else(|| Path::new(""))
                .join("values"),
        })
    }

    /// The first error met while recording, if any (recording never stops a run).
    pub fn error(&self) -> Option<String> {
        self.inner.lock().ok().and_then(|i| i.error.clone())
    }

    /// Records the run's end: whether it succeeded and its state
    /// (`succeeded`, `failed`, `cancelled`, `waiting`).
    fn end_run(&self, run_id: &str, ok: bool, state: &str) {
        self.with_now(|i| {
            i.connection.execute(
                "update runs set finished_ms = ?2, ok = ?3, state = ?4 where id = ?1",
                params![run_id, now_ms(), ok, state],
            )?;
            Ok(())
        });
    }

    /// The connection, with the queued task records written first.
    fn connection(&self) -> MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.write_queued(&mut inner);
        inner
    }

    /// Writes what is queued, in the order it was queued.
    fn write_queued(&self, inner: &mut Inner) {
        let queued = std::mem::take(&mut *self.queue());
        if queued.is_empty() {
            return;
        }
        if let Err(e) = inner
            .begin()
            .and_then(|()| queued.write(inner, &self.values_dir))
        {
            inner.error.get_or_insert(e.to_string());
        }
    }

    /// The queue of writes.
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A write, in the open transaction (begun if none is).
    fn with(&self, f: impl FnOnce(&mut Inner) -> rusqlite::Result<()>) {
        let mut inner = self.connection();
        let result = inner.begin().and_then(|()| f(&mut inner));
        if let Err(e) = result {
            inner.error.get_or_insert(e.to_string());
        }
    }

    /// A write committed at once, with what was pending.
    fn with_now(&self, f: impl FnOnce(&mut Inner) -> rusqlite::Result<()>) {
        self.with(f);
        self.commit();
    }

    fn commit(&self) {
        let mut inner = self.connection();
        if let Err(e) = inner.commit() {
            inner.error.get_or_insert(e.to_string());
        }
    }

    /// A query's result, or `default` when it fails (a read never stops a run).
    fn read<T>(&self, default: T, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> T {
        self.query(f).unwrap_or(default)
    }

    /// One statement, in the open transaction.
    fn execute(&self, sql: &str, params: impl rusqlite::Params) {
        self.with(|i| {
            i.connection
                .prepare_cached(sql)?
                .execute(params)
                .map(|_| ())
        });
    }

    /// The value of a task row: in the row, or in the file it names.
    fn value_of(&self, inline: Option<String>, file: Option<String>) -> Option<Value> {
        let text = match (inline, file) {
            (Some(text), _) => text,
            (None, Some(file)) => std::fs::read_to_string(self.values_dir.join(file)).ok()?,
            (None, None) => return None,
        };
        serde_json::from_str(&text).ok()
    }

    /// Records a decision on a run's `wait`: approved or rejected, by whom,
    /// with a note. The run must exist; the wait need not have been reached.
    pub fn record_decision(
        &self,
        run_id: &str,
        key: &str,
        approved: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), String> {
        self.commit();
        let inner = self.connection();
        let exists = inner
            .connection
            .prepare("select 1 from runs where id = ?1")
            .and_then(|mut s| s.exists([run_id]))
            .map_err(|e| e.to_string())?;
        if !exists {
            return Err(format!("no run `{run_id}` in this store"));
        }
        inner
            .connection
            .execute(
                "insert into waits (run_id, key, node, decision, decided_by, note, decided_ms)
                 values (?1, ?2, '', ?3, ?4, ?5, ?6)
                 on conflict (run_id, key) do update set decision = excluded.decision,
                   decided_by = excluded.decided_by, note = excluded.note, decided_ms = excluded.decided_ms",
                params![
                    run_id,
                    key,
                    if approved { "approved" } else { "rejected" },
                    by,
                    note,
                    now_ms()
                ],
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

impl Drop for SqliteStore {
    /// Commits what is pending: a store dropped mid-run keeps what it was told.
    fn drop(&mut self) {
        self.commit();
    }
}

/// `text` in characters any file system takes.
fn safe_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn prior_task(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(PriorTask, Option<String>, Option<String>)> {
    Ok((
        PriorTask {
            run_id: row.get(0)?,
            node: row.get(1)?,
            task: row.get::<_, i64>(2)? as usize,
            label: row.get(3)?,
            ok: row.get(4)?,
            error: row.get(5)?,
            parts_json: row.get(6)?,
            key: row.get(7)?,
            value: None,
        },
        row.get(8)?,
        row.get(9)?,
    ))
}

/// The columns [`prior_task`] reads, in its order.
const PRIOR_COLUMNS: &str = "run_id, node, task, label, ok, error, parts, key, value, value_file";

impl Store for SqliteStore {
    fn run_started(&self, run_id: &str, pipeline: &str, inputs: &Value) {
        self.with_now(|i| {
            // A run started again (resumed) is one more session of it.
            i.connection.execute(
                "insert into runs (id, pipeline, inputs, started_ms, state) values (?1, ?2, ?3, ?4, 'running')
                 on conflict (id) do update set sessions = sessions + 1, state = 'running',
                   finished_ms = null, ok = null, error = null, inputs = excluded.inputs",
                params![run_id, pipeline, inputs.to_string(), now_ms()],
            )?;
            let session: i64 = i.connection.query_row(
                "select sessions from runs where id = ?1",
                [run_id],
                |r| r.get(0),
            )?;
            i.sessions.insert(run_id.to_string(), session as u32);
            Ok(())
        });
    }

    fn run_identity(&self, run_id: &str, identity: &RunIdentity) {
        self.with_now(|i| {
            i.connection.execute(
                "update runs set file = ?2, source_hash = ?3, plan_hash = ?4, owner = ?5 where id = ?1",
                params![
                    run_id,
                    identity.file,
                    identity.source_hash,
                    identity.plan_hash,
                    identity.owner
                ],
            )?;
            Ok(())
        });
    }

    fn node_state(&self, run_id: &str, node: &str, state: NodeState) {
        self.queue().node(run_id, node, state);
    }

    fn nodes_state(&self, run_id: &str, nodes: &[&str], state: NodeState) {
        let mut queue = self.queue();
        for node in nodes {
            queue.node(run_id, node, state);
        }
    }

    fn node_pool(&self, run_id: &str, node: &str, pool: &str) {
        self.execute(
            "update nodes set pool = ?3 where run_id = ?1 and node = ?2",
            params![run_id, node, pool],
        );
    }

    fn node_failed(&self, run_id: &str, node: &str, reason: &str) {
        self.execute(
            "update nodes set error = ?3 where run_id = ?1 and node = ?2",
            params![run_id, node, reason],
        );
    }

    fn run_failed(&self, run_id: &str, reason: &str) {
        self.execute(
            "update runs set error = ?2 where id = ?1",
            params![run_id, reason],
        );
    }

    fn task_finished(&self, run_id: &str, record: TaskRecord) {
        // Queued, written by whoever takes the connection next (at the
        // latest the executor's next commit, before a costly dependent).
        self.queue().task(run_id, record);
    }

    fn output(&self, run_id: &str, name: &str, value: &Value) {
        self.execute(
            "insert into outputs (run_id, name, value) values (?1, ?2, ?3)
                 on conflict (run_id, name) do update set value = excluded.value",
            params![run_id, name, value.to_string()],
        );
    }

    fn run_finished(&self, run_id: &str, ok: bool) {
        self.end_run(run_id, ok, if ok { "succeeded" } else { "failed" });
    }

    fn run_cancelled(&self, run_id: &str) {
        self.end_run(run_id, false, "cancelled");
    }

    fn run_waiting(&self, run_id: &str) {
        self.end_run(run_id, false, "waiting");
    }

    fn remembers(&self) -> bool {
        true
    }

    fn flush(&self) {
        self.commit();
    }

    fn prior_tasks(&self, run_id: &str) -> Vec<PriorTask> {
        // Ordered so that the last row of each task is its latest record.
        let rows = self.read(Vec::new(), |c| {
            c.prepare(&format!(
                "select {PRIOR_COLUMNS} from tasks where run_id = ?1 and reused_from is not ?1
                 order by node, task, session, attempt"
            ))?
            .query_map([run_id], prior_task)?
            .collect()
        });
        let mut latest: Vec<PriorTask> = Vec::new();
        for (task, inline, file) in rows {
            let task = PriorTask {
                value: if task.ok {
                    self.value_of(inline, file)
                } else {
                    None
                },
                ..task
            };
            match latest.last_mut() {
                Some(last) if last.node == task.node && last.task == task.task => *last = task,
                _ => latest.push(task),
            }
        }
        latest
    }

    fn earlier_tasks(&self, run_id: &str, identity: &RunIdentity) -> Vec<PriorTask> {
        let earlier: Option<String> = self.read(None, |c| {
            c.query_row(
                "select id from runs where pipeline = ?1 and file is ?2 and id != ?3
                 order by started_ms desc limit 1",
                params![identity.pipeline, identity.file, run_id],
                |r| r.get(0),
            )
            .optional()
        });
        earlier.map_or_else(Vec::new, |id| self.prior_tasks(&id))
    }

    fn cached_task(&self, key: &str) -> Option<PriorTask> {
        let row = self.read(None, |c| {
            c.prepare_cached(&format!(
                "select {PRIOR_COLUMNS} from tasks where key = ?1 and ok = 1
                   and (value is not null or value_file is not null)
                 order by finished_ms desc limit 1"
            ))?
            .query_row([key], prior_task)
            .optional()
        })?;
        let (task, inline, file) = row;
        let value = self.value_of(inline, file)?;
        Some(PriorTask {
            value: Some(value),
            ..task
        })
    }

    fn file_sig(&self, path: &str) -> Option<FileSig> {
        self.read(None, |c| {
            c.prepare_cached("select size, mtime_ns, hash from files where path = ?1")?
                .query_row([path], |r| {
                    Ok(FileSig {
                        size: r.get::<_, i64>(0)? as u64,
                        mtime_ns: r.get(1)?,
                        hash: r.get(2)?,
                    })
                })
                .optional()
        })
    }

    fn remember_file(&self, path: &str, sig: &FileSig) {
        self.with(|i| {
            i.connection
                .prepare_cached(
                    "insert into files (path, size, mtime_ns, hash) values (?1, ?2, ?3, ?4)
                     on conflict (path) do update set size = excluded.size,
                       mtime_ns = excluded.mtime_ns, hash = excluded.hash",
                )?
                .execute(params![path, sig.size as i64, sig.mtime_ns, sig.hash])?;
            Ok(())
        });
    }

    fn wait_reached(&self, run_id: &str, node: &str, key: &str, prompt: Option<&str>) {
        self.with_now(|i| {
            i.connection.execute(
                "insert into waits (run_id, key, node, prompt, reached_ms) values (?1, ?2, ?3, ?4, ?5)
                 on conflict (run_id, key) do update set node = excluded.node,
                   prompt = excluded.prompt, reached_ms = excluded.reached_ms",
                params![run_id, key, node, prompt, now_ms()],
            )?;
            Ok(())
        });
    }

    fn decide(&self, run_id: &str, decision: &Decision) -> Result<(), String> {
        self.record_decision(
            run_id,
            &decision.key,
            decision.approved,
            &decision.by,
            decision.note.as_deref(),
        )
    }

    fn decisions(&self, run_id: &str) -> Vec<Decision> {
        self.read(Vec::new(), |c| {
            c.prepare(
                "select key, decision, decided_by, note from waits
                 where run_id = ?1 and decision is not null order by key",
            )?
            .query_map([run_id], |r| {
                Ok(Decision {
                    key: r.get(0)?,
                    approved: r.get::<_, String>(1)? == "approved",
                    by: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    note: r.get(3)?,
                })
            })?
            .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of_two_claims_on_the_same_owner_one_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("runs.sqlite")).expect("opens");
        store.run_started("r1", "p", &serde_json::json!({}));
        let identity = RunIdentity {
            owner: Some("1:1".into()),
            ..RunIdentity::default()
        };
        store.run_identity("r1", &identity);
        assert_eq!(store.claim("r1", Some("1:1"), "2:2"), Ok(true));
        assert_eq!(store.claim("r1", Some("1:1"), "3:3"), Ok(false));
    }

    #[test]
    fn a_version_one_store_is_upgraded_with_its_rows_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("runs.sqlite");
        Connection::open(&path)
            .expect("creates")
            .execute_batch(
                "create table runs (id text primary key, pipeline text not null, inputs text not null, started_ms integer not null, finished_ms integer, ok integer);
                 create table nodes (run_id text not null, node text not null, state text not null, updated_ms integer not null, primary key (run_id, node));
                 create table tasks (run_id text not null, node text not null, task integer not null, attempt integer not null, ok integer not null, error text, millis integer not null, primary key (run_id, node, task, attempt));
                 insert into runs values ('old', 'p', '{}', 1, 2, 1);
                 insert into tasks values ('old', 'a', 0, 1, 1, null, 5);",
            )
            .expect("version 1");
        let store = SqliteStore::open(&path).expect("upgrades");
        let tasks = store.tasks("old", None).expect("tasks");
        assert_eq!(tasks.len(), 1);
        assert_eq!(
            (tasks[0].session, tasks[0].attempt, tasks[0].millis),
            (1, 1, 5)
        );
        assert_eq!(
            store.run("old").expect("reads").map(|r| r.state),
            Some("succeeded".to_string())
        );
        drop(store);
        Connection::open(&path)
            .expect("opens")
            .execute_batch("pragma user_version = 99")
            .expect("newer");
        let refused = SqliteStore::open(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(refused.contains("newer pipec"), "{refused}");
    }

    #[test]
    fn a_task_is_recorded_when_it_finishes_and_a_cancelled_run_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("runs.sqlite");
        // A store file made before runs had a state gains the column.
        Connection::open(&path)
            .expect("creates")
            .execute_batch(
                "create table runs (id text primary key, pipeline text not null, inputs text not null, started_ms integer not null, finished_ms integer, ok integer);",
            )
            .expect("old schema");
        let store = SqliteStore::open(&path).expect("opens");
        store.run_started("r1", "p", &serde_json::json!({}));
        store.node_state("r1", "a", NodeState::Running);
        store.task_finished(
            "r1",
            TaskRecord {
                node: "a".into(),
                task: 0,
                attempt: 1,
                ok: true,
                millis: 3,
                ..TaskRecord::default()
            },
        );
        // Another connection sees the task, once flushed (as the executor
        // does before it forms a dependent or waits), while its node runs.
        store.flush();
        let reader = Connection::open(&path).expect("reopens");
        let tasks: i64 = reader
            .query_row("select count(*) from tasks", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tasks, 1);
        store.run_cancelled("r1");
        let state: String = reader
            .query_row("select state from runs where id = 'r1'", [], |r| r.get(0))
            .expect("state");
        assert_eq!(state, "cancelled");
        assert_eq!(store.error(), None);
    }

    #[test]
    fn records_are_durable_and_idempotent() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("runs.sqlite");
        {
            let store = SqliteStore::open(&path).expect("opens");
            store.run_started("r1", "p", &serde_json::json!({ "n": 1 }));
            store.node_state("r1", "a", NodeState::Running);
            let record = TaskRecord {
                node: "a".into(),
                task: 0,
                attempt: 1,
                ok: true,
                millis: 3,
                ..TaskRecord::default()
            };
            store.task_finished("r1", record.clone());
            store.task_finished("r1", record);
            store.node_state("r1", "a", NodeState::Completed);
            store.node_state("r1", "a", NodeState::Completed);
            store.output("r1", "out", &serde_json::json!([1, 2]));
            store.run_finished("r1", true);
            assert_eq!(store.error(), None);
        }
        let connection = Connection::open(&path).expect("reopens");
        let count = |sql: &str| {
            connection
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .expect("query")
        };
        assert_eq!(count("select count(*) from tasks"), 1);
        assert_eq!(
            count("select count(*) from nodes where state = 'completed'"),
            1
        );
        assert_eq!(count("select ok from runs where id = 'r1'"), 1);
        let value: String = connection
            .query_row("select value from outputs", [], |r| r.get(0))
            .expect("output");
        assert_eq!(value, "[1,2]");
    }

    #[test]
    fn several_nodes_recorded_at_once_upsert_like_one_at_a_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("runs.sqlite");
        let store = SqliteStore::open(&path).expect("opens");
        store.nodes_state("r1", &["a", "b", "c"], NodeState::Pending);
        store.node_state("r1", "b", NodeState::Completed);
        store.nodes_state("r1", &["a", "c"], NodeState::Cancelled);
        store.flush();
        assert_eq!(store.error(), None);
        let connection = Connection::open(&path).expect("reopens");
        let states: Vec<(String, String)> = connection
            .prepare("select node, state from nodes order by node")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let states: Vec<(&str, &str)> = states
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            states,
            [("a", "cancelled"), ("b", "completed"), ("c", "cancelled")]
        );
        drop(store);
    }
}
