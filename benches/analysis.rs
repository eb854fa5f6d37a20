//! Analysis of a 10,000-node pipeline with 30,000 references: a full check
//! from scratch, and a re-check through the salsa database after one node's
//! argument changed. `cargo bench --bench analysis`; figures in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

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

    group.bench_function("full_check", |b| {
        b.iter(|| {
            let mut db = Database::new();
            let file = db.set_source(path, source.as_bytes().to_vec());
            assert!(check::diagnostics(&db, file).is_empty());
            black_box(db)
        })
    });

    let mut db = Database::new();
    let file = db.set_source(path, source.as_bytes().to_vec());
    assert!(check::diagnostics(&db, file).is_empty());
    let mut marker = 0u64;
    group.bench_function("recheck_after_one_node_edit", |b| {
        b.iter(|| {
            marker += 1;
            let edited = large_source::referencing_source(10_000, marker);
            let file = db.set_source(path, edited.into_bytes());
            black_box(check::diagnostics(&db, file).len())
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
