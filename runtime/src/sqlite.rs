//! A durable [`Store`] in SQLite: one file holds every run's record.
//!
//! Every write is an upsert keyed by run, node, task and attempt, so repeating
//! a transition changes nothing. Task records are buffered and written in one
//! transaction when their node settles (and at the end of the run), so a
//! large fan-out does not pay a commit per task.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::store::{NodeState, Store, TaskRecord};

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the run store `{path}`: {source}")]
pub struct StoreError {
    /// The file.
    pub path: String,
    /// SQLite's reason.
    pub source: rusqlite::Error,
}

/// A run store in a SQLite file.
pub struct SqliteStore {
    inner: Mutex<Inner>,
}

struct Inner {
    connection: Connection,
    /// The first write error, kept so a run is never stopped by its record.
    error: Option<String>,
}

const SCHEMA: &str = "
create table if not exists runs (
  id text primary key, pipeline text not null, inputs text not null,
  started_ms integer not null, finished_ms integer, ok integer
);
create table if not exists nodes (
  run_id text not null, node text not null, state text not null, updated_ms integer not null,
  primary key (run_id, node)
);
create table if not exists tasks (
  run_id text not null, node text not null, task integer not null, attempt integer not null,
  ok integer not null, error text, millis integer not null,
  primary key (run_id, node, task, attempt)
);
create table if not exists outputs (
  run_id text not null, name text not null, value text not null,
  primary key (run_id, name)
);
";

/// Records a node's state, idempotently.
const NODE_UPSERT: &str =
    "insert into nodes (run_id, node, state, updated_ms) values (?1, ?2, ?3, ?4)
 on conflict (run_id, node) do update set state = excluded.state, updated_ms = excluded.updated_ms";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`, and its parent directory.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let error = |source| StoreError {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let connection = Connection::open(path).map_err(error)?;
        connection
            .execute_batch("pragma journal_mode = wal; pragma synchronous = normal;")
            .map_err(error)?;
        connection.execute_batch(SCHEMA).map_err(error)?;
        for (table, column) in [
            ("runs", "state"),
            ("runs", "error"),
            ("nodes", "pool"),
            ("nodes", "error"),
        ] {
            add_column(&connection, table, column).map_err(error)?;
        }
        Ok(SqliteStore {
            inner: Mutex::new(Inner {
                connection,
                error: None,
            }),
        })
    }

    /// The first error met while recording, if any (recording never stops a run).
    pub fn error(&self) -> Option<String> {
        self.inner.lock().ok().and_then(|i| i.error.clone())
    }

    /// Records the run's end: whether it succeeded and its state
    /// (`succeeded`, `failed`, `cancelled`).
    fn end_run(&self, run_id: &str, ok: bool, state: &str) {
        self.with(|i| {
            i.connection.execute(
                "update runs set finished_ms = ?2, ok = ?3, state = ?4 where id = ?1",
                params![run_id, now_ms(), ok, state],
            )?;
            Ok(())
        });
    }

    fn with(&self, f: impl FnOnce(&mut Inner) -> rusqlite::Result<()>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = f(&mut inner) {
            inner.error.get_or_insert(e.to_string());
        }
    }
}

/// A store made before a column was added gains it as a nullable text
/// column (its rows keep what they had): `runs.state` (`succeeded`,
/// `failed`, `cancelled`), `runs.error` and `nodes.error` (why they
/// failed), `nodes.pool` (the pool a node asked for).
fn add_column(connection: &Connection, table: &str, column: &str) -> rusqlite::Result<()> {
    let has = connection
        .prepare(&format!(
            "select 1 from pragma_table_info('{table}') where name = ?1"
        ))?
        .exists([column])?;
    if !has {
        connection.execute_batch(&format!("alter table {table} add column {column} text"))?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn run_started(&self, run_id: &str, pipeline: &str, inputs: &Value) {
        self.with(|i| {
            i.connection.execute(
                "insert into runs (id, pipeline, inputs, started_ms) values (?1, ?2, ?3, ?4) on conflict (id) do nothing",
                params![run_id, pipeline, inputs.to_string(), now_ms()],
            )?;
            Ok(())
        });
    }

    fn node_state(&self, run_id: &str, node: &str, state: NodeState) {
        self.with(|i| {
            i.connection.prepare_cached(NODE_UPSERT)?.execute(params![
                run_id,
                node,
                state.as_str(),
                now_ms()
            ])?;
            Ok(())
        });
    }

    fn nodes_state(&self, run_id: &str, nodes: &[&str], state: NodeState) {
        self.with(|i| {
            let tx = i.connection.transaction()?;
            {
                let mut upsert = tx.prepare_cached(NODE_UPSERT)?;
                let now = now_ms();
                for node in nodes {
                    upsert.execute(params![run_id, node, state.as_str(), now])?;
                }
            }
            tx.commit()
        });
    }

    fn node_pool(&self, run_id: &str, node: &str, pool: &str) {
        self.with(|i| {
            i.connection.execute(
                "update nodes set pool = ?3 where run_id = ?1 and node = ?2",
                params![run_id, node, pool],
            )?;
            Ok(())
        });
    }

    fn node_failed(&self, run_id: &str, node: &str, reason: &str) {
        self.with(|i| {
            i.connection.execute(
                "update nodes set error = ?3 where run_id = ?1 and node = ?2",
                params![run_id, node, reason],
            )?;
            Ok(())
        });
    }

    fn run_failed(&self, run_id: &str, reason: &str) {
        self.with(|i| {
            i.connection.execute(
                "update runs set error = ?2 where id = ?1",
                params![run_id, reason],
            )?;
            Ok(())
        });
    }

    fn task_finished(&self, run_id: &str, record: TaskRecord) {
        // Written as the task finishes (not when its node settles), so that
        // what a crash leaves behind names every finished task.
        self.with(|i| {
            i.connection
                .prepare_cached(
                    "insert into tasks (run_id, node, task, attempt, ok, error, millis) values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     on conflict (run_id, node, task, attempt) do update set ok = excluded.ok, error = excluded.error, millis = excluded.millis",
                )?
                .execute(params![
                    run_id,
                    record.node,
                    record.task as i64,
                    record.attempt,
                    record.ok,
                    record.error,
                    record.millis as i64
                ])?;
            Ok(())
        });
    }

    fn output(&self, run_id: &str, name: &str, value: &Value) {
        self.with(|i| {
            i.connection.execute(
                "insert into outputs (run_id, name, value) values (?1, ?2, ?3)
                 on conflict (run_id, name) do update set value = excluded.value",
                params![run_id, name, value.to_string()],
            )?;
            Ok(())
        });
    }

    fn run_finished(&self, run_id: &str, ok: bool) {
        self.end_run(run_id, ok, if ok { "succeeded" } else { "failed" });
    }

    fn run_cancelled(&self, run_id: &str) {
        self.end_run(run_id, false, "cancelled");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                error: None,
                millis: 3,
            },
        );
        // Another connection sees the task while its node still runs.
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
                error: None,
                millis: 3,
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
