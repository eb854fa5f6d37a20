//! Prints a generated `.pipe` source with N nodes (default 10,000), for benchmarks:
//! `cargo run --release --example gen_large -- 10000 > large.pipe`.

#[path = "../../benches/support/large_source.rs"]
#[allow(dead_code)]
mod large_source;

fn main() {
    let nodes = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000usize)
        .max(2);
    print!("{}", large_source::large_source(nodes));
}
