//! A Rust host embedding pipec: it registers its own plugin (`word_count`)
//! and runs `examples/embed/count.pipe`.
//! `cargo run --example embed` from the repository root.

mod host;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    match host::run_example(root) {
        Ok((outputs, nodes)) => {
            println!("nodes finished: {}", nodes.join(", "));
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::Value::Object(outputs))
                    .unwrap_or_default()
            );
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}
