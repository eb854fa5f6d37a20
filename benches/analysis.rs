//! Analysis of a 10,000-node pipeline with 30,000 references: a full check
//! from scratch, and a re-check through the salsa database after one node's
//! argument changed. `cargo bench --bench analysis`; figures in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

/// The allocator of the `pipec` binary, so that figures match the command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use pipec::compiler::{Database, check};

#[path = "support/large_source.rs"]
#[allow(dead_code)]
mod large_source;

fn analysis(c: &mut Criterion) {
    let path = Path::new("refs.pipe");
    let source = large_source::referencing_source(10_000, 0);
    let mut group = c.benchmark_group("analysis_10k_nodes_30k_refs");
    group.sample_size(10);

    // The database is dropped outside the timing, as `pipec check` exits
    // without dropping it.
    group.bench_function("full_check", |b| {
        b.iter_with_large_drop(|| {
            let mut db = Database::new();
            let file = db.set_source(path, source.as_bytes().to_vec());
            assert!(check::diagnostics(&db, file).is_empty());
            black_box(db)
        })
    });

    let mut db = Database::new();
    let file = db.set_source(path, source.as_bytes().to_vec());
    assert!(check::diagnostics(&db, file).is_empty());
    // Two versions of the file that differ in one node's argument (and in
    // length, so that everything after it moves), made before timing.
    let versions: Vec<Vec<u8>> = [1u64, 100]
        .iter()
        .map(|&m| large_source::referencing_source(10_000, m).into_bytes())
        .collect();
    let mut turn = 0usize;
    group.bench_function("recheck_after_one_node_edit", |b| {
        b.iter(|| {
            turn += 1;
            let file = db.set_source(path, versions[turn % 2].clone());
            black_box(check::diagnostics(&db, file).len())
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
