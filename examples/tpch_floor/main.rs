//! The floor of the TPC-H comparison (bench/tpch.sh): one query as plain SQL
//! on DataFusion, with nothing of pipec around it. The same DataFusion, the
//! same allocator and session settings as `pipec run` (defaults, then
//! `DATAFUSION_*` environment variables); the tables the
//! query names are registered from Parquet, the result is collected and
//! written to stdout as a JSON array of row objects (Arrow's JSON writer), as
//! `pipec run` hands its result to its caller.
//!
//! `cargo run --release --example tpch_floor -- DATA_DIR QUERY.sql`
//! prints the rows as JSON on stdout, and on stderr their number and the
//! milliseconds the query took in the process.

use std::io::Write;
use std::time::Instant;

use datafusion::arrow::json::ArrayWriter;

use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TABLES: [&str; 8] = [
    "customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(data), Some(query)) = (args.next(), args.next()) else {
        return Err("usage: tpch_floor DATA_DIR QUERY.sql".into());
    };
    let sql = std::fs::read_to_string(&query)?;
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let batches = runtime.block_on(async {
        // The same settings as `pipec run`: DataFusion's defaults, then any
        // `DATAFUSION_*` environment variables.
        let context = SessionContext::new_with_config(SessionConfig::from_env()?);
        let words: Vec<String> = sql
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .map(str::to_ascii_lowercase)
            .collect();
        for table in TABLES.iter().filter(|t| words.iter().any(|w| w == *t)) {
            context
                .register_parquet(
                    *table,
                    format!("{data}/{table}.parquet"),
                    ParquetReadOptions::default(),
                )
                .await?;
        }
        let batches = context.sql(&sql).await?.collect().await?;
        Ok::<_, datafusion::error::DataFusionError>(batches)
    })?;
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let stdout = std::io::stdout().lock();
    let mut writer = ArrayWriter::new(std::io::BufWriter::with_capacity(1 << 16, stdout));
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    writeln!(writer.get_mut())?;
    writer.get_mut().flush()?;
    eprintln!(
        "{rows} rows in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
