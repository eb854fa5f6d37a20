//! pipec embedded, for the TPC-H comparison (bench/tpch.sh): a `.pipe` file
//! compiled and run in a process that is already running, as a Rust host
//! does through `pipec::embed`, timed as the bench times DuckDB, Polars and
//! pandas in its own process (no process start; the files are read anew at
//! every run). One untimed run first, as the peers run after earlier
//! queries have warmed their code.
//!
//! `cargo run --release --example tpch_embedded -- QUERY.pipe DATA_DIR RUNS`
//! prints, for each timed run, its seconds and the answer's row count.

use std::path::Path;
use std::time::Instant;

use pipec::embed::{Host, compile_path};
use serde_json::{Map, Value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(data), Some(runs)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: tpch_embedded QUERY.pipe DATA_DIR RUNS".into());
    };
    let runs: usize = runs.parse()?;
    let mut host = Host::new();
    host.with_store(pipec::runtime::NoRecord)
        .tables_as_batches();
    let mut inputs = Map::new();
    inputs.insert("data".into(), Value::String(data));
    for run in 0..=runs {
        let started = Instant::now();
        let plan = compile_path(Path::new(&file), None)?;
        let result = host.run(&plan, inputs.clone())?;
        let seconds = started.elapsed().as_secs_f64();
        if !result.ok {
            return Err(result
                .error
                .unwrap_or_else(|| "the run failed".into())
                .into());
        }
        let rows: usize = result
            .tables
            .get("answer")
            .map_or(0, |batches| batches.iter().map(|b| b.num_rows()).sum());
        if run > 0 {
            println!("{seconds} {rows}");
        }
    }
    Ok(())
}
