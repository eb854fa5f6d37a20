//! The store file's tables and their migrations. `pragma user_version`
//! holds the schema's version: a file of an older version is upgraded in
//! place (its rows kept), a file of a newer pipec is refused, never
//! silently dropped.

use rusqlite::Connection;

/// The version this pipec writes.
pub const VERSION: i64 = 2;

/// Every table of version 2.
const TABLES: &str = "
create table if not exists runs (
  id text primary key, pipeline text not null, inputs text not null,
  started_ms integer not null, finished_ms integer, ok integer,
  state text, error text, file text, source_hash text, plan_hash text,
  owner text, sessions integer not null default 1
);
create table if not exists nodes (
  run_id text not null, node text not null, state text not null, updated_ms integer not null,
  pool text, error text,
  primary key (run_id, node)
);
create table if not exists tasks (
  run_id text not null, node text not null, task integer not null,
  session integer not null, attempt integer not null,
  ok integer not null, error text, millis integer not null,
  label text, key text, parts text, value text, value_file text,
  reused_from text, reason text, finished_ms integer,
  primary key (run_id, node, task, session, attempt)
);
create index if not exists tasks_by_key on tasks (key) where ok = 1;
create table if not exists outputs (
  run_id text not null, name text not null, value text not null,
  primary key (run_id, name)
);
create table if not exists files (
  path text primary key, size integer not null, mtime_ns integer not null, hash text not null
);
create table if not exists waits (
  run_id text not null, key text not null, node text not null, prompt text,
  reached_ms integer, decision text, decided_by text, note text, decided_ms integer,
  primary key (run_id, key)
);
";

/// Brings the file's tables to [`VERSION`].
pub fn migrate(connection: &Connection) -> Result<(), String> {
    let version: i64 = connection
        .query_row("pragma user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    // Up to date: opening writes nothing (and waits for no writer).
    if version == VERSION {
        return Ok(());
    }
    if version > VERSION {
        return Err(format!(
            "it was written by a newer pipec (store version {version}; this pipec knows up to {VERSION})"
        ));
    }
    let has_runs = connection
        .prepare("select 1 from sqlite_master where type = 'table' and name = 'runs'")
        .and_then(|mut s| s.exists([]))
        .map_err(|e| e.to_string())?;
    let run = |sql: &str| connection.execute_batch(sql).map_err(|e| e.to_string());
    if version < 2 && has_runs {
        // Version 1 (no version written): runs and nodes gain columns;
        // tasks gain a session in their key, so the table is rebuilt.
        for (table, column) in [
            ("runs", "state text"),
            ("runs", "error text"),
            ("runs", "file text"),
            ("runs", "source_hash text"),
            ("runs", "plan_hash text"),
            ("runs", "owner text"),
            ("runs", "sessions integer not null default 1"),
            ("nodes", "pool text"),
            ("nodes", "error text"),
        ] {
            add_column(connection, table, column)?;
        }
        let has_tasks = connection
            .prepare("select 1 from sqlite_master where type = 'table' and name = 'tasks'")
            .and_then(|mut s| s.exists([]))
            .map_err(|e| e.to_string())?;
        if has_tasks {
            run("begin;
                 alter table tasks rename to tasks_v1;")?;
            run(TABLES)?;
            run(
                "insert into tasks (run_id, node, task, session, attempt, ok, error, millis)
                   select run_id, node, task, 1, attempt, ok, error, millis from tasks_v1;
                 drop table tasks_v1;
                 commit;",
            )?;
        }
    }
    run(TABLES)?;
    run(&format!("pragma user_version = {VERSION}"))
}

/// Adds `column` (`name type`) to `table` unless it is there (a table the
/// file lacks is made whole afterwards).
fn add_column(connection: &Connection, table: &str, column: &str) -> Result<(), String> {
    let name = column.split_whitespace().next().unwrap_or(column);
    let has_table = connection
        .prepare("select 1 from sqlite_master where type = 'table' and name = ?1")
        .and_then(|mut s| s.exists([table]))
        .map_err(|e| e.to_string())?;
    if !has_table {
        return Ok(());
    }
    let has = connection
        .prepare(&format!(
            "select 1 from pragma_table_info('{table}') where name = ?1"
        ))
        .and_then(|mut s| s.exists([name]))
        .map_err(|e| e.to_string())?;
    if !has {
        connection
            .execute_batch(&format!("alter table {table} add column {column}"))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
