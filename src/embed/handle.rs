//! A run started by a host: its id, its events, cancellation, decisions on
//! its waits, and its result — from threads or from async code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};

use pipec_runtime::durable::Decision;
use pipec_runtime::{Event, EventSink, RunError, RunResult, Store};

/// The outcome of a run, filled once by the thread that runs it.
#[derive(Default)]
pub(super) struct Outcome {
    result: Mutex<Option<Result<RunResult, RunError>>>,
    finished: Condvar,
    notify: tokio::sync::Notify,
    /// The run is recorded in the store (its first event was sent).
    started: AtomicBool,
}

impl Outcome {
    /// The run ended with `result`.
    pub(super) fn finish(&self, result: Result<RunResult, RunError>) {
        *self.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        self.finished.notify_all();
        self.notify.notify_waiters();
    }

    /// The run is recorded (told by its first event).
    fn mark_started(&self) {
        // Every event passes here: a read, and a write only the first time.
        if !self.started.load(Ordering::Relaxed) && !self.started.swap(true, Ordering::SeqCst) {
            // Under the lock, so a waiter between its check and its wait
            // is not missed.
            let _held = self.result.lock().unwrap_or_else(|e| e.into_inner());
            self.finished.notify_all();
        }
    }

    /// Waits until the run is recorded in the store, or has ended; the
    /// error of a run refused before it was recorded (its inputs, a secret
    /// without a value).
    pub(super) fn wait_started(&self) -> Result<(), RunError> {
        let mut result = self.result.lock().unwrap_or_else(|e| e.into_inner());
        while !self.started.load(Ordering::SeqCst) && result.is_none() {
            result = self
                .finished
                .wait(result)
                .unwrap_or_else(|e| e.into_inner());
        }
        match result.as_ref() {
            Some(Err(error)) if !self.started.load(Ordering::SeqCst) => Err(error.clone()),
            _ => Ok(()),
        }
    }

    fn get(&self) -> Option<Result<RunResult, RunError>> {
        self.result
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Sends a run's events to the host's sink and to its handle.
pub(super) struct RunEvents {
    pub(super) outcome: Arc<Outcome>,
    pub(super) host: Arc<dyn EventSink>,
    pub(super) handle: Mutex<Option<Sender<Event>>>,
}

impl EventSink for RunEvents {
    fn event(&self, event: &Event) {
        self.outcome.mark_started();
        if self.host.enabled() {
            self.host.event(event);
        }
        let mut handle = self.handle.lock().unwrap_or_else(|e| e.into_inner());
        // A handle whose events were dropped is sent no more.
        if let Some(sender) = handle.as_ref()
            && sender.send(event.clone()).is_err()
        {
            *handle = None;
        }
    }
}

/// A run a [`super::Host`] started: it runs on a thread of its own while
/// the host goes on. Dropping the handle does not stop the run (call
/// [`RunHandle::cancel`] for that); the run's record is in the host's store.
pub struct RunHandle {
    pub(super) id: String,
    pub(super) warnings: Vec<String>,
    pub(super) cancel: Arc<AtomicBool>,
    pub(super) events: Mutex<Option<Receiver<Event>>>,
    pub(super) outcome: Arc<Outcome>,
    pub(super) store: Arc<dyn Store>,
}

impl RunHandle {
    /// The run's id, as the store and the events name it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the host was warned of when the run started: plugins it
    /// registered that no node of the program calls (a misspelt
    /// registration, or a plugin for another program).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The run's events, in order, from its first (`RunStarted`) to its
    /// last; the iterator ends when the run has ended. Given once (later
    /// calls return `None`); events are kept until they are read.
    pub fn events(&self) -> Option<Receiver<Event>> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Asks the run to stop: running tasks are told to stop (`exec`
    /// children are killed with their process groups), nodes not yet
    /// started are cancelled, and the run ends as cancelled
    /// ([`RunResult::cancelled`]); it can be continued later with
    /// [`super::Host::resume`] when the store remembers.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Whether the run has ended.
    pub fn is_finished(&self) -> bool {
        self.outcome
            .result
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Approves the `wait` keyed `key`: a run that has not reached it yet
    /// passes it; a run that stopped there (state `waiting`) goes on when
    /// resumed ([`super::Host::resume`]). Recorded in the host's store,
    /// with who approved and a note.
    pub fn approve(&self, key: &str, by: &str, note: Option<&str>) -> Result<(), String> {
        self.decide(key, true, by, note)
    }

    /// Rejects the `wait` keyed `key`: its node fails with the note.
    pub fn reject(&self, key: &str, by: &str, note: Option<&str>) -> Result<(), String> {
        self.decide(key, false, by, note)
    }

    fn decide(
        &self,
        key: &str,
        approved: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), String> {
        self.store
            .decide(&self.id, &Decision::new(key, approved, by, note))
    }

    /// Waits for the run to end and gives its result (again on every
    /// call: a handle may be shared, one thread waiting while another
    /// cancels). Blocks the calling thread (also inside a tokio runtime,
    /// where [`RunHandle::wait_async`] does not block).
    pub fn wait(&self) -> Result<RunResult, RunError> {
        let mut result = self
            .outcome
            .result
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(result) = result.as_ref() {
                return result.clone();
            }
            result = self
                .outcome
                .finished
                .wait(result)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits for the run to end without blocking the async runtime it is
    /// awaited on.
    pub async fn wait_async(&self) -> Result<RunResult, RunError> {
        loop {
            let notified = self.outcome.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a finish in between wakes it.
            notified.as_mut().enable();
            if let Some(result) = self.outcome.get() {
                return result;
            }
            notified.await;
        }
    }
}
