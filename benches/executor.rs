//! Executor overhead: a fan-out of 100,000 no-op tasks and a chain of 10,000
//! nodes, in-memory store, no events. `cargo bench --bench executor`;
//! per-task figures in docs/performance.md.

use std::hint::black_box;

/// The allocator of the `pipec` binary, so that figures match the command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use pipec::embed::{Host, compile_source};
use pipec::runtime::{Args, TaskContext};
use serde_json::{Map, Value, json};

fn executor(c: &mut Criterion) {
    let mut group = c.benchmark_group("executor");
    group.sample_size(10);

    let fan_out = compile_source(
        "fan.pipe",
        "plugin items(n: int) -> list<json>\nplugin noop(item: json) -> json\npipeline fan {\n  node xs = items(100000)\n  node each_x = noop(xs) { each xs }\n}\n",
        None,
    )
    .expect("fan-out compiles");
    let mut host = Host::new();
    host.register("items", |args: &Args, _: &TaskContext<'_>| {
        let n = args["n"].as_u64().unwrap_or(0);
        Ok(Value::Array((0..n).map(|i| json!(i)).collect()))
    })
    .register("noop", |_: &Args, _: &TaskContext<'_>| Ok(Value::Null));
    group.bench_function("fan_out_100k_noop_tasks", |b| {
        b.iter(|| {
            let result = host.run(&fan_out, Map::new()).expect("runs");
            assert!(result.ok);
            black_box(result)
        })
    });

    let mut chain =
        String::from("plugin noop(item: json) -> json\npipeline chain {\n  node n0 = noop(0)\n");
    for i in 1..10_000 {
        chain.push_str(&format!("  node n{i} = noop(n{})\n", i - 1));
    }
    chain.push_str("}\n");
    let chain = compile_source("chain.pipe", &chain, None).expect("chain compiles");
    group.bench_function("chain_10k_nodes", |b| {
        b.iter(|| {
            let result = host.run(&chain, Map::new()).expect("runs");
            assert!(result.ok);
            black_box(result)
        })
    });
    group.finish();
}

criterion_group!(benches, executor);
criterion_main!(benches);
