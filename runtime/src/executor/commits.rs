//! When the executor commits the store. A finished task's record is
//! queued by the store at once; the executor commits before it forms the
//! tasks of a node that became ready and before it waits for running
//! tasks — but only when something worth keeping is uncommitted: a task
//! that is not quick (not `echo`, `items` or a lazy table operator, which
//! cost nothing to run again and touch nothing outside the run), or
//! records older than [`AT_MOST`]. So a crash never loses work that costs
//! time or did something, while a chain of quick nodes pays one commit per
//! batch, not one per node.

use std::time::{Duration, Instant};

use pipec_compiler::analyze::Callee;
use pipec_compiler::plan::PlanNode;

use crate::store::Store;

/// The longest quick records stay uncommitted.
pub(super) const AT_MOST: Duration = Duration::from_millis(100);

/// What is uncommitted, as far as the executor knows.
pub(super) struct Commits {
    /// A task that is not quick finished since the last commit.
    costly: bool,
    /// When the store was last committed.
    last: Instant,
}

impl Commits {
    /// Nothing uncommitted yet.
    pub(super) fn new() -> Commits {
        Commits {
            costly: false,
            last: Instant::now(),
        }
    }

    /// A task of `node` finished (its record is queued).
    pub(super) fn finished(&mut self, node: &PlanNode) {
        if !is_quick(node) {
            self.costly = true;
        }
    }

    /// Commits now.
    pub(super) fn commit(&mut self, store: &dyn Store) {
        store.flush();
        self.costly = false;
        self.last = Instant::now();
    }

    /// Commits if a task that is not quick finished since the last commit,
    /// or the last commit is older than [`AT_MOST`].
    pub(super) fn commit_if_due(&mut self, store: &dyn Store) {
        if self.costly || self.last.elapsed() >= AT_MOST {
            self.commit(store);
        }
    }
}

/// Whether a node's tasks return at once and touch nothing outside the
/// run: `echo`, `items`, and table operators other than writers (a table
/// is planned lazily; it runs when something reads its rows).
pub(super) fn is_quick(node: &PlanNode) -> bool {
    match &node.plugin {
        Callee::Builtin { name } => {
            matches!(name.as_str(), "echo" | "items")
                || (pipec_stdlib::TABLE_OPERATORS.contains(&name.as_str())
                    && !name.starts_with("write_"))
        }
        _ => false,
    }
}
