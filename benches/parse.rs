//! Front-end throughput on a 10,000-node source (about 1 MB):
//! `cargo bench --bench parse`. Figures go to docs/performance.md.

/// The allocator of the `pipec` binary, so that figures match the command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "support/large_source.rs"]
#[allow(dead_code)]
mod large_source;

fn front_end(c: &mut Criterion) {
    let source = large_source::large_source(10_000);
    let file: pipec::FileName = "large.pipe".into();
    let mut group = c.benchmark_group("front_end_10k_nodes");
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.sample_size(20);
    group.bench_function("lex", |b| {
        b.iter(|| pipec::grammar::lexer::lex(black_box(&source)))
    });
    group.bench_function("parse", |b| {
        b.iter(|| pipec::grammar::parse(&file, black_box(&source)))
    });
    group.bench_function("check", |b| {
        b.iter(|| pipec::compiler::check_source(&file, black_box(source.as_bytes())))
    });
    let parsed = pipec::grammar::parse(&file, &source);
    assert!(
        parsed.diagnostics.is_empty(),
        "the benchmark source must be valid"
    );
    group.bench_function("format", |b| {
        b.iter(|| pipec::grammar::format::format_source(black_box(&source), &parsed.tree))
    });
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
