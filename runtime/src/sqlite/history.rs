//! Reading runs back for people: the list of runs (`pipec runs`), one run
//! whole (`pipec show`, `pipec why`, `pipec logs`), and pruning old runs.
//! A run recorded as running whose owner process is gone is `crashed`.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};

use super::SqliteStore;

/// One run, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// The run's id.
    pub id: String,
    /// The pipeline.
    pub pipeline: String,
    /// `running`, `succeeded`, `failed`, `cancelled`, `waiting`, or
    /// `crashed` (recorded as running, its process gone).
    pub state: String,
    /// When it first started, ms since the epoch.
    pub started_ms: i64,
    /// When it last ended, if it did.
    pub finished_ms: Option<i64>,
    /// The `.pipe` file it came from.
    pub file: Option<String>,
    /// Its inputs (secrets never among them).
    pub inputs: Value,
    /// Why it failed.
    pub error: Option<String>,
    /// How many times it was started (1 + resumes).
    pub sessions: i64,
    /// Tasks by what they did: `ran`, `failed`, `reused` (empty when read
    /// by [`SqliteStore::run`]).
    pub tasks: Map<String, Value>,
    /// The process that last ran it (`PID:START`).
    pub owner: Option<String>,
}

/// One node of a run.
#[derive(Debug, Clone, Serialize)]
pub struct NodeRow {
    /// The node.
    pub node: String,
    /// Its last state.
    pub state: String,
    /// Why it failed.
    pub error: Option<String>,
    /// The pool it asked for.
    pub pool: Option<String>,
}

/// One task record of a run.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    /// The node.
    pub node: String,
    /// The task's index in its node.
    pub task: i64,
    /// Which start of the run.
    pub session: i64,
    /// The attempt (0: reused, not run).
    pub attempt: i64,
    /// Whether it succeeded.
    pub ok: bool,
    /// Its error.
    pub error: Option<String>,
    /// How long it took.
    pub millis: i64,
    /// The item it ran for.
    pub label: Option<String>,
    /// The run whose result it reused.
    pub reused_from: Option<String>,
    /// Why it ran.
    pub reason: Option<String>,
}

/// A `wait` of a run.
#[derive(Debug, Clone, Serialize)]
pub struct WaitRow {
    /// Its key.
    pub key: String,
    /// The node that waits.
    pub node: String,
    /// What it asks.
    pub prompt: Option<String>,
    /// `approved`, `rejected`, or none yet.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The note given.
    pub note: Option<String>,
}

const RUN_COLUMNS: &str =
    "id, pipeline, state, started_ms, finished_ms, file, inputs, error, sessions, owner, ok";

fn run_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let state: Option<String> = row.get(2)?;
    let owner: Option<String> = row.get(9)?;
    let finished: Option<i64> = row.get(4)?;
    let state = match state.as_deref() {
        Some("running") | None if finished.is_none() => match owner {
            Some(owner) if crate::owner::is_alive(&owner) => "running".to_string(),
            _ => "crashed".to_string(),
        },
        Some(state) => state.to_string(),
        // Recorded by a pipec that kept no state: whether it succeeded.
        None => match row.get::<_, Option<bool>>(10)? {
            Some(true) => "succeeded".to_string(),
            _ => "failed".to_string(),
        },
    };
    let inputs: String = row.get(6)?;
    Ok(RunRow {
        id: row.get(0)?,
        pipeline: row.get(1)?,
        state,
        started_ms: row.get(3)?,
        finished_ms: finished,
        file: row.get(5)?,
        inputs: serde_json::from_str(&inputs).unwrap_or(Value::Null),
        error: row.get(7)?,
        sessions: row.get(8)?,
        tasks: Map::new(),
        owner: row.get(9)?,
    })
}

impl SqliteStore {
    pub(super) fn query<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        let inner = self.connection();
        f(&inner.connection).map_err(|e| e.to_string())
    }

    /// Runs, newest first: of `pipeline` and in `state` when given, at most `limit`.
    pub fn runs(
        &self,
        pipeline: Option<&str>,
        state: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RunRow>, String> {
        let rows = self.query(|c| {
            c.prepare(&format!(
                "select {RUN_COLUMNS} from runs where (?1 is null or pipeline = ?1)
                 and id not like '%/%' order by started_ms desc, id desc"
            ))?
            .query_map(params![pipeline], run_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        let mut rows: Vec<RunRow> = rows
            .into_iter()
            .filter(|r| state.is_none_or(|s| r.state == s))
            .take(limit)
            .collect();
        for row in &mut rows {
            row.tasks = self.task_counts(&row.id)?;
        }
        Ok(rows)
    }

    /// One run, with its task counts.
    pub fn run_counted(&self, id: &str) -> Result<Option<RunRow>, String> {
        let mut row = self.run(id)?;
        if let Some(row) = &mut row {
            row.tasks = self.task_counts(id)?;
        }
        Ok(row)
    }

    /// One run, without its task counts (`tasks` is empty: see
    /// [`SqliteStore::run_counted`]).
    pub fn run(&self, id: &str) -> Result<Option<RunRow>, String> {
        let row = self.query(|c| {
            c.query_row(
                &format!("select {RUN_COLUMNS} from runs where id = ?1"),
                [id],
                run_row,
            )
            .optional()
        })?;
        Ok(row)
    }

    /// The newest run of `file` that did not succeed and can go on
    /// (failed, cancelled, crashed or waiting).
    pub fn latest_unfinished(&self, file: &str) -> Result<Option<RunRow>, String> {
        let rows = self.query(|c| {
            c.prepare(&format!(
                "select {RUN_COLUMNS} from runs where file = ?1 and id not like '%/%'
                 order by started_ms desc, id desc"
            ))?
            .query_map([file], run_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(rows.into_iter().find(|r| {
            matches!(
                r.state.as_str(),
                "failed" | "cancelled" | "crashed" | "waiting"
            )
        }))
    }

    /// The latest record of each task, counted: `ran` (completed by running),
    /// `reused` (taken from another run's cache), `failed`. A task resumed from an
    /// earlier start of its run keeps that start's record.
    fn task_counts(&self, id: &str) -> Result<Map<String, Value>, String> {
        let mut counts = Map::new();
        for (name, count) in self.query(|c| {
            c.prepare(
                // SQLite takes the bare columns of a `max()` aggregate from
                // the row holding the maximum: the latest record of each
                // task, read in one pass over the key's index.
                "select case when reused_from is not null then 'reused'
                             when ok then 'ran' else 'failed' end, count(*)
                 from (select reused_from, ok, max(session * 4294967296 + attempt)
                       from tasks where run_id = ?1 group by node, task)
                 group by 1 order by 1",
            )?
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()
        })? {
            counts.insert(name, Value::from(count));
        }
        Ok(counts)
    }

    /// The nodes of a run, in the order they were first recorded.
    pub fn nodes(&self, id: &str) -> Result<Vec<NodeRow>, String> {
        self.query(|c| {
            c.prepare(
                "select node, state, error, pool from nodes where run_id = ?1 order by rowid",
            )?
            .query_map([id], |r| {
                Ok(NodeRow {
                    node: r.get(0)?,
                    state: r.get(1)?,
                    error: r.get(2)?,
                    pool: r.get(3)?,
                })
            })?
            .collect()
        })
    }

    /// Every task record of a run (of one node when given), in order.
    pub fn tasks(&self, id: &str, node: Option<&str>) -> Result<Vec<TaskRow>, String> {
        self.query(|c| {
            c.prepare(
                "select node, task, session, attempt, ok, error, millis, label, reused_from, reason
                 from tasks where run_id = ?1 and (?2 is null or node = ?2)
                 order by session, node, task, attempt",
            )?
            .query_map(params![id, node], |r| {
                Ok(TaskRow {
                    node: r.get(0)?,
                    task: r.get(1)?,
                    session: r.get(2)?,
                    attempt: r.get(3)?,
                    ok: r.get(4)?,
                    error: r.get(5)?,
                    millis: r.get(6)?,
                    label: r.get(7)?,
                    reused_from: r.get(8)?,
                    reason: r.get(9)?,
                })
            })?
            .collect()
        })
    }

    /// The waits of a run.
    pub fn waits(&self, id: &str) -> Result<Vec<WaitRow>, String> {
        self.query(|c| {
            c.prepare(
                "select key, node, prompt, decision, decided_by, note from waits
                 where run_id = ?1 order by key",
            )?
            .query_map([id], |r| {
                Ok(WaitRow {
                    key: r.get(0)?,
                    node: r.get(1)?,
                    prompt: r.get(2)?,
                    decision: r.get(3)?,
                    decided_by: r.get(4)?,
                    note: r.get(5)?,
                })
            })?
            .collect()
        })
    }

    /// Takes the run `id` for the process `owner`, if its owner is still
    /// `expected` (what the caller read): of two processes that read the
    /// same dead owner, one claims the run and the other is refused.
    pub fn claim(&self, id: &str, expected: Option<&str>, owner: &str) -> Result<bool, String> {
        self.commit();
        self.query(|c| {
            c.execute(
                "update runs set owner = ?3 where id = ?1 and owner is ?2",
                params![id, expected, owner],
            )
            .map(|changed| changed == 1)
        })
    }

    /// The outputs of a run.
    pub fn outputs(&self, id: &str) -> Result<Map<String, Value>, String> {
        let rows = self.query(|c| {
            c.prepare("select name, value from outputs where run_id = ?1 order by rowid")?
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(rows
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(&v).unwrap_or(Value::String(v))))
            .collect())
    }

    /// Removes every run but the newest `keep` (a run still running is
    /// kept), with their tasks, nodes, outputs, waits, value files and task
    /// logs (`logs/RUN_ID` beside the store); returns the ids removed.
    pub fn prune(&self, keep: usize) -> Result<Vec<String>, String> {
        let old: Vec<String> = self
            .runs(None, None, usize::MAX)?
            .into_iter()
            .skip(keep)
            .filter(|r| r.state != "running")
            .map(|r| r.id)
            .collect();
        for id in &old {
            let nested = format!("{id}/%");
            self.query(|c| {
                for table in ["tasks", "nodes", "outputs", "waits"] {
                    c.execute(
                        &format!("delete from {table} where run_id = ?1 or run_id like ?2"),
                        params![id, nested],
                    )?;
                }
                c.execute(
                    "delete from runs where id = ?1 or id like ?2",
                    params![id, nested],
                )?;
                Ok(())
            })?;
            let _ = std::fs::remove_dir_all(self.values_dir.join(super::safe_name(id)));
            // The task logs `pipec run` keeps beside the store (`logs/RUN_ID`).
            if let Some(root) = self.values_dir.parent() {
                let _ = std::fs::remove_dir_all(root.join("logs").join(id));
            }
        }
        Ok(old)
    }
}
