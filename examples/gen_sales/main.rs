//! Writes the sales example's data, the same bytes every time:
//! `cargo run --example gen_sales [-- DIR]` (default `examples/sales/data`).
//! `orders.csv` (1,000 orders) and `customers.csv` (50 customers) come from a
//! fixed pseudo-random sequence; `customers.parquet` is made from
//! `customers.csv` by a `.pipe` program run through the embedding API.

use std::path::{Path, PathBuf};

use pipec::embed::{Host, compile_source};
use serde_json::{Map, json};

mod data;

/// The converting program: one CSV read, one Parquet write.
const TO_PARQUET: &str = "pipeline to_parquet {
  input csv: path
  input parquet: path
  node customers = read_csv(input.csv)
  node saved = write_parquet(customers, input.parquet)
  output rows = saved.rows
}
";

fn write(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (orders, customers) = data::csv_texts();
    let customers_csv = dir.join("customers.csv");
    for (path, text) in [
        (dir.join("orders.csv"), orders),
        (customers_csv.clone(), customers),
    ] {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let plan = compile_source("to_parquet.pipe", TO_PARQUET, None).map_err(|e| e.to_string())?;
    let mut inputs = Map::new();
    inputs.insert("csv".into(), json!(customers_csv.to_string_lossy()));
    inputs.insert(
        "parquet".into(),
        json!(dir.join("customers.parquet").to_string_lossy()),
    );
    let result = Host::new().run(&plan, inputs).map_err(|e| e.to_string())?;
    if !result.ok {
        return Err(result.error.unwrap_or_default());
    }
    Ok(())
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("examples/sales/data"), PathBuf::from);
    if let Err(error) = write(&dir) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
    println!("wrote {}", dir.display());
}
