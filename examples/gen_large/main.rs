//! Prints a generated `.pipe` source with N nodes (default 10,000), for benchmarks:
//! `cargo run --release --example gen_large -- 10000 > large.pipe` (the parse
//! benchmark's file: every node has references, pipes, a template or clauses), or
//! `cargo run --release --example gen_large -- 10000 --refs > refs.pipe` (the
//! analysis benchmark's valid file with 30,000 references).

#[path = "../../benches/support/large_source.rs"]
#[allow(dead_code)]
mod large_source;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let nodes = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(10_000usize)
        .max(2);
    if args.iter().any(|arg| arg == "--refs") {
        print!("{}", large_source::referencing_source(nodes, 1));
    } else {
        print!("{}", large_source::large_source(nodes));
    }
}
