//! SIGINT and SIGTERM during `pipec run`: the first cancels the run (running
//! tasks are told to stop, `exec` children are killed with their process
//! groups, nodes not yet started are cancelled, the record says
//! `cancelled`), and pipec exits 130 or 143 once it has said what was
//! cancelled; a second signal ends the process at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use pipec_runtime::{NodeState, NodeSummary};
use signal_hook::consts::{SIGINT, SIGTERM};

/// Watches for SIGINT and SIGTERM on a thread of its own; the first sets
/// `cancel`. Returns the signal received (0 while none was).
pub fn cancel_on_signals(cancel: Arc<AtomicBool>) -> Arc<AtomicI32> {
    let received = Arc::new(AtomicI32::new(0));
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return received;
    };
    let seen = Arc::clone(&received);
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if seen.swap(signal, Ordering::SeqCst) != 0 {
                errln!("\n{}: stopping at once", name(signal));
                std::process::exit(i32::from(exit_code(signal)));
            }
            cancel.store(true, Ordering::SeqCst);
            errln!(
                "\n{}: cancelling the run (send it again to stop at once)",
                name(signal)
            );
        }
    });
    received
}

/// The exit code after `signal`: 128 + its number (130 for SIGINT, 143 for
/// SIGTERM), as shells report a process the signal ended.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// Says what the signal cancelled and what had finished.
pub fn report_cancelled(signal: i32, nodes: &[NodeSummary]) {
    let named = |state: NodeState| -> String {
        let names: Vec<&str> = nodes
            .iter()
            .filter(|n| n.state == state)
            .map(|n| n.name.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    errln!(
        "error: the run was cancelled by {} (cancelled: {}; completed: {})",
        name(signal),
        named(NodeState::Cancelled),
        named(NodeState::Completed),
    );
}
