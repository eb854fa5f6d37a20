//! Events of a run, for progress displays, `--events` JSON lines and hosts.

use serde::Serialize;

/// Something that happened in a run. Secrets never appear in events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began.
    RunStarted {
        /// Run id.
        run: String,
        /// Pipeline name.
        pipeline: String,
        /// Milliseconds since the Unix epoch.
        at_ms: u128,
    },
    /// A node's tasks were formed and started.
    NodeStarted {
        /// Node name.
        node: String,
        /// How many tasks it has.
        tasks: usize,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A node reached a final state.
    NodeFinished {
        /// Node name.
        node: String,
        /// Its state.
        state: &'static str,
        /// Milliseconds since the node started (0 when it never ran).
        millis: u128,
        /// Items it produced.
        items: usize,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A task attempt began.
    TaskStarted {
        /// Node name.
        node: String,
        /// Task index.
        task: usize,
        /// Attempt number (1 first).
        attempt: u32,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A task attempt failed and will be tried again.
    TaskRetrying {
        /// Node name.
        node: String,
        /// Task index.
        task: usize,
        /// The attempt that failed.
        attempt: u32,
        /// Why.
        error: String,
        /// Wait before the next attempt, in milliseconds.
        backoff_ms: u64,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A task finished successfully.
    TaskFinished {
        /// Node name.
        node: String,
        /// Task index.
        task: usize,
        /// Attempts it took.
        attempts: u32,
        /// Milliseconds of the last attempt.
        millis: u128,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A task failed for good.
    TaskFailed {
        /// Node name.
        node: String,
        /// Task index.
        task: usize,
        /// Attempts it took.
        attempts: u32,
        /// Why.
        error: String,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A task was not run: its value was taken from an earlier start of
    /// this run (`resumed`) or from another run (`cached`).
    TaskReused {
        /// Node name.
        node: String,
        /// Task index.
        task: usize,
        /// `resumed` or `cached`.
        how: &'static str,
        /// The run whose value it took.
        from: String,
        /// Milliseconds since the run began.
        at_ms: u128,
    },
    /// A `wait` has no decision: the node waits, and the run stops once
    /// everything that does not depend on it is done.
    Waiting {
        /// Node name.
        node: String,
        /// The wait's key.
        key: String,
        /// What it asks, if it says.
        prompt: Option<String>,
    },
    /// The run ended.
    RunFinished {
        /// Whether it succeeded.
        ok: bool,
        /// Milliseconds the run took.
        millis: u128,
    },
}

/// Receives events; called from worker threads.
pub trait EventSink: Send + Sync {
    /// One event.
    fn event(&self, event: &Event);

    /// Whether events are wanted at all; when not, the executor does not build them.
    fn enabled(&self) -> bool {
        true
    }
}

/// Discards events.
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&self, _event: &Event) {}

    fn enabled(&self) -> bool {
        false
    }
}

impl<F: Fn(&Event) + Send + Sync> EventSink for F {
    fn event(&self, event: &Event) {
        self(event)
    }
}
