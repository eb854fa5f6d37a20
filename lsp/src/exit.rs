//! Notices the `exit` notification, so that the server stops when the
//! client says so rather than when standard input closes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::sync::oneshot::Sender;
use tower::Service;
use tower_lsp::jsonrpc::Request;

/// A service that passes every message to `inner` and signals once it has
/// passed on `exit`.
pub(crate) struct ExitWatch<S> {
    inner: S,
    exited: Option<Sender<()>>,
    /// Set when the client has sent `shutdown`.
    shut_down: Arc<AtomicBool>,
}

impl<S> ExitWatch<S> {
    pub(crate) fn new(inner: S, exited: Sender<()>, shut_down: Arc<AtomicBool>) -> Self {
        ExitWatch {
            inner,
            exited: Some(exited),
            shut_down,
        }
    }
}

impl<S: Service<Request>> Service<Request> for ExitWatch<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let is_exit = request.method() == "exit";
        if request.method() == "shutdown" {
            self.shut_down.store(true, Ordering::SeqCst);
        }
        let future = self.inner.call(request);
        if is_exit && let Some(exited) = self.exited.take() {
            let _ = exited.send(());
        }
        future
    }
}
