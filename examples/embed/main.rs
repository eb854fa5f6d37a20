//! A Rust service embedding pipec (examples/embed/service.rs): commands on
//! stdin, one per line, e.g.
//!
//! ```text
//! cargo run --example embed <<'EOF'
//! run words count.pipe dir="examples/files/in"
//! run release gate.pipe
//! run long slow.pipe
//! cancel long
//! approve release ship
//! wait
//! runs
//! EOF
//! ```
//!
//! Runs are recorded in `.pipec/embed.sqlite`; programs are read from
//! `examples/embed`.

mod service;

use std::io::BufRead;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let say: service::Say = Arc::new(|line| println!("{line}"));
    let store = root.join(".pipec/embed.sqlite");
    let mut service = match service::Service::new(&root.join("examples/embed"), &store, say) {
        Ok(service) => service,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    };
    // Lines are read on a thread of their own and handed to the service.
    let (lines_in, mut lines) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if lines_in.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        service.command(&line).await;
    }
    service.wait_all().await;
}
