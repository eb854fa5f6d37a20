//! The plan executor of the `.pipe` language.
//!
//! The executor ([`executor`]) runs a plan's tasks on a rayon pool, records
//! every state change through a [`Store`] and reports [`Event`]s; the
//! expression evaluator ([`eval`]) with every built-in pipe ([`pipes`]) binds
//! arguments; [`plugins`] holds the built-in records-and-files operators and
//! the host's plugins; [`tables`] runs the table operators on DataFusion.
//! The runtime never parses text: it evaluates the compiler's `PlanExpr`.
#![warn(missing_docs)]

pub mod durable;
pub mod eval;
pub mod events;
pub mod exec;
pub mod executor;
pub mod inputs;
pub mod owner;
pub mod pipes;
pub mod plugins;
pub mod secrets;
pub mod sqlite;
pub mod store;
pub mod tables;
pub mod text;
pub mod why;

pub use eval::{EvalError, Limits, Scope, evaluate};
pub use events::{Event, EventSink, NoEvents};
pub use executor::{
    NodeSummary, RunError, RunOptions, RunResult, TableOutputs, plan_hash, run, run_with_tables,
};
pub use plugins::{Args, Plugin, Registry, TaskContext};
pub use secrets::secret_texts;
pub use sqlite::SqliteStore;
pub use store::{MemoryStore, NoRecord, NodeState, Store};
pub use tables::{StartingTables, TableOptions};
