//! Tables and files, end to end: writers and readers, errors that name the
//! file, line, column and node, a sort beyond the memory limit, table
//! inputs from the command line, DataFusion settings. The examples are in
//! tests/tables_examples.rs.

use std::process::Command;

use pipec::embed::{Host, compile_source};
use pipec::runtime::{MemoryStore, NoEvents, Registry, RunOptions, StartingTables, TableOptions};
use serde_json::{Map, Value, json};

#[path = "support/tables.rs"]
#[allow(dead_code)]
mod support;

use support::*;

#[test]
fn writers_return_path_and_rows_and_read_back() {
    let temp = temp_dir("write");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node csv = write_csv(people, "{input.dir}/out/people.csv")
  node parquet = write_parquet(people, "{input.dir}/out/people.parquet")
  node again = read_parquet(parquet.path)
  node n = sql("select count(*) as n from again")
  output csv = csv
  output n = n
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(outputs["csv"]["rows"], json!(5));
    assert_eq!(outputs["n"], json!([{"n": 5}]));
    let written = std::fs::read_to_string(dir.join("out/people.csv")).expect("csv written");
    assert!(written.starts_with("name,age,city\n"), "{written}");
}

#[test]
fn a_table_written_as_json_reads_back_and_check_knows_its_columns() {
    let temp = temp_dir("json-array");
    let dir = temp.path();
    write_data(dir);
    // write_json writes one array of records; read_json reads that as well
    // as one record per line.
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node written = write_json(people, "{input.dir}/people.json")
  node again = read_json(written.path)
  node n = sql("select count(*) as n, max(age) as oldest from again")
  output n = n
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(outputs["n"], json!([{"n": 5, "oldest": 45}]));
    let text = std::fs::read_to_string(dir.join("people.json")).expect("written");
    assert!(
        text.trim_start().starts_with(
            "[\n  {\n    \"name\": \"ada\",\n    \"age\": 36,\n    \"city\": \"london\"\n  },"
        ),
        "the rows are in the table's column order: {text}"
    );
    std::fs::write(
        dir.join("lines.json"),
        "{\"name\": \"ada\", \"age\": 36}\n{\"name\": \"alan\", \"age\": 41}\n",
    )
    .expect("lines");
    let lines = run(
        r#"pipeline p {
  input dir: path
  node t = read_json("{input.dir}/lines.json")
  node n = sql("select sum(age) as total from t")
  output n = n
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(lines["n"], json!([{"total": 77}]));
    // At check time the array file's columns are known.
    let file = dir.join("check.pipe");
    std::fs::write(
        &file,
        format!(
            "pipeline p {{\n  node t = read_json(\"{}/people.json\")\n  node s = select(t, [\"nmae\"])\n  output s = s\n}}\n",
            dir.display()
        ),
    )
    .expect("pipe file");
    let out = pipec(&["check", &file.to_string_lossy()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("E0401") && report.contains("the columns of `t` are: name, age, city"),
        "{report}"
    );
}

#[test]
fn a_missing_file_fails_the_node_naming_the_file() {
    // With a declared schema too, where DataFusion alone reads a missing
    // file as an empty table.
    let readers = [
        ("read_csv", ""),
        ("read_csv", ", schema: \"name string, age int\""),
        ("read_parquet", ", schema: \"name string, age int\""),
        ("read_json", ", schema: \"name string, age int\""),
    ];
    for (index, (reader, schema)) in readers.iter().enumerate() {
        let temp = temp_dir(&format!("missing_{index}"));
        let dir = temp.path();
        let error = run(
            &format!(
                r#"pipeline p {{
  input dir: path
  node people = {reader}("{{input.dir}}/nope.data"{schema})
  output rows = people
}}"#
            ),
            dir,
        )
        .expect_err("fails");
        assert!(
            error.contains("people")
                && error.contains("nope.data")
                && error.contains("no such file"),
            "{reader}{schema}: {error}"
        );
    }
}

#[test]
fn a_malformed_row_met_late_names_the_file_line_column_node_and_value() {
    let temp = temp_dir("malformed_late");
    let dir = temp.path();
    std::fs::write(dir.join("amounts.csv"), "id,amount\n1,2.5\n2,abc\n").expect("write");
    // The read is lazy: the bad row is met when the sum is computed for the output.
    let error = run(
        r#"pipeline p {
  input dir: path
  node amounts = read_csv("{input.dir}/amounts.csv", schema: "id int, amount float")
  node total = sql("select sum(amount) as total from amounts")
  output total = total
}"#,
        dir,
    )
    .expect_err("fails");
    // The file's own line (the engine counts records from its part of the
    // file), the column by name and the node that reads the file.
    assert!(
        error.contains("amounts.csv` line 3, column `amount` (read by node `amounts`)")
            && error.contains("'abc' is not a valid Float64"),
        "{error}"
    );
}

#[test]
fn an_output_whose_table_fails_while_computed_is_left_out_and_the_others_kept() {
    let temp = temp_dir("output_fails_late");
    let dir = temp.path();
    std::fs::write(dir.join("amounts.csv"), "id,amount\n1,2.5\n2,abc\n").expect("write");
    let result = run_on(
        &Host::new(),
        r#"pipeline p {
  input dir: path
  node amounts = read_csv("{input.dir}/amounts.csv", schema: "id int, amount float")
  node total = sql("select sum(amount) as total from amounts")
  output total = total
  output greeting = "done"
}"#,
        dir,
    )
    .expect("runs");
    assert!(!result.ok);
    let error = result.error.unwrap_or_default();
    assert!(error.starts_with("output `total`"), "{error}");
    // Not a null that a query could have returned: not there at all.
    assert!(
        !result.outputs.contains_key("total"),
        "{:?}",
        result.outputs
    );
    assert_eq!(result.outputs["greeting"], json!("done"));
    assert_eq!(result.failed_outputs.len(), 1);
    assert_eq!(result.failed_outputs[0].0, "total");
}

#[test]
fn pipec_run_names_every_output_left_out_and_why() {
    // With --keep-going the first failure is a node's; the outputs whose
    // tables then fail while computed are named too, not silently absent.
    let temp = temp_dir("outputs_named");
    let dir = temp.path();
    std::fs::write(dir.join("amounts.csv"), "id,amount\n1,2.5\n2,abc\n").expect("write");
    let file = dir.join("p.pipe");
    std::fs::write(
        &file,
        format!(
            r#"pipeline p {{
  node amounts = read_csv("{dir}/amounts.csv")
  node missing = read_csv("{dir}/missing.csv")
  node total = sql("select sum(cast(amount as double)) as total from amounts")
  node first = sql("select cast(amount as int) as n from amounts")
  output total = total
  output first = first
  output missing = missing
}}"#,
            dir = dir.display()
        ),
    )
    .expect("write");
    let output = pipec(&[
        "run",
        "-q",
        "--no-store",
        "--keep-going",
        &file.to_string_lossy(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("(failed: missing)"),
        "the failed node: {stderr}"
    );
    for name in ["total", "first"] {
        assert!(
            stderr.contains(&format!("error: output `{name}`: ")),
            "output `{name}` named: {stderr}"
        );
    }
    assert!(stderr.contains("'abc'"), "{stderr}");
}

#[test]
fn a_column_the_file_lacks_at_run_time_is_named_with_the_columns_there_are() {
    // The path is computed, so check cannot know the columns; the run can.
    let temp = temp_dir("column");
    let dir = temp.path();
    write_data(dir);
    let error = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node bad = filter(people, "salary > 10")
  output rows = bad
}"#,
        dir,
    )
    .expect_err("fails");
    assert!(
        error.contains("node `bad`")
            && error.contains("no column `salary`; the columns are: name, age, city"),
        "{error}"
    );
    let error = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node counted = aggregate(people, by: ["town"], values: { n: "count(*)" })
  output counts = counted
}"#,
        dir,
    )
    .expect_err("fails");
    assert!(
        error.contains("node `counted`")
            && error.contains("no column `town`; the columns are: name, age, city"),
        "{error}"
    );
}

#[test]
fn a_run_checks_sql_against_the_file_it_is_given_not_the_inputs_default() {
    let temp = temp_dir("run-input-schema");
    let dir = temp.path();
    std::fs::write(dir.join("default.csv"), "id,name\n1,ann\n").expect("default.csv");
    std::fs::write(dir.join("given.csv"), "id,city\n1,oslo\n2,rome\n").expect("given.csv");
    let file = dir.join("cities.pipe");
    std::fs::write(
        &file,
        format!(
            r#"pipeline cities {{
  input data: path = "{}"
  node people = read_csv(input.data)
  node named = sql("select city from people order by city")
  output named = named
}}"#,
            dir.join("default.csv").display()
        ),
    )
    .expect("pipe");
    let file = file.to_string_lossy();
    // `check` knows only the default file, which has no `city`.
    let checked = pipec(&["check", &file]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("no column `city`"));
    // A run given another file checks the query against that one, and runs.
    let given = format!("data={}", dir.join("given.csv").display());
    let ran = pipec(&["run", "-q", "--no-store", &file, "--input", &given]);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let outputs: Value = serde_json::from_slice(&ran.stdout).expect("JSON outputs");
    assert_eq!(
        outputs["named"],
        json!([{ "city": "oslo" }, { "city": "rome" }])
    );
    // Without it, the run reads the default and is refused as `check` is.
    let refused = pipec(&["run", "-q", "--no-store", &file]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no column `city`"));
}

#[test]
fn a_sort_beyond_the_memory_limit_spills_and_completes() {
    let temp = temp_dir("spill");
    let dir = temp.path();
    let file = dir.join("spill.pipe");
    // 400,000 rows of ~50 bytes (about 20 MB) sorted in full under a 2 MB
    // limit; `explain analyze` of the same sort shows that it spilled.
    std::fs::write(
        &file,
        r#"pipeline spill {
  input out: path
  node numbers = sql("select value as n, repeat('x', 40) as pad from generate_series(1, 400000)")
  node sorted = sort(numbers, ["n"], descending: true)
  node saved = write_csv(sorted, input.out)
  node analysed = sql("explain analyze select value as n, repeat('x', 40) as pad from generate_series(1, 400000) order by n desc")
  output saved = saved
  output analysed = analysed
}"#,
    )
    .expect("pipe");
    let sorted = dir.join("sorted.csv");
    let output = pipec(&[
        "run",
        "-q",
        "--no-store",
        "--memory-limit",
        "2MB",
        "--spill-dir",
        &dir.to_string_lossy(),
        &file.to_string_lossy(),
        "--input",
        &format!("out={}", sorted.display()),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let outputs: Value = serde_json::from_slice(&output.stdout).expect("JSON outputs");
    assert_eq!(outputs["saved"]["rows"], json!(400000));
    let written = std::fs::read_to_string(&sorted).expect("sorted.csv");
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("n,pad"));
    assert!(lines.next().is_some_and(|l| l.starts_with("400000,")));
    let plan = outputs["analysed"].to_string();
    let spills: u64 = plan
        .split("spill_count=")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u64>().ok()
        })
        .sum();
    assert!(spills > 0, "the sort did not spill: {plan}");
}

#[test]
fn a_table_input_takes_a_file_or_rows_from_the_command_line() {
    let temp = temp_dir("table-input");
    let dir = temp.path();
    write_data(dir);
    let file = dir.join("count.pipe");
    std::fs::write(
        &file,
        r#"pipeline count {
  input people: table
  node by_city = aggregate(input.people, by: ["city"], values: { n: "count(*)" })
  node top = sort(by_city, ["n desc", "city"])
  node first = limit(top, 1)
  output first = first
}
"#,
    )
    .expect("pipeline file");
    let file = file.to_string_lossy();
    let run_with = |value: &str| {
        let input = format!("people={value}");
        let out = pipec(&["run", "-q", "--no-store", &file, "--input", &input]);
        let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code(),
            stdout,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let csv = dir.join("people.csv");
    let (code, stdout, stderr) = run_with(&csv.to_string_lossy());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout["first"], json!([{"city": "london", "n": 3}]));
    let (code, stdout, stderr) =
        run_with(r#"[{"city": "oslo"}, {"city": "rome"}, {"city": "rome"}]"#);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout["first"], json!([{"city": "rome", "n": 2}]));
    let (code, _, stderr) = run_with("people.xlsx");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("input `people` is a table: give a .csv, .parquet or .json file"),
        "{stderr}"
    );
    let (code, _, stderr) = run_with(&dir.join("nope.csv").to_string_lossy());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("nope.csv") && stderr.contains("no such file"),
        "{stderr}"
    );
}

#[test]
fn sql_over_a_record_that_is_not_one_table_is_refused_before_the_run() {
    let temp = temp_dir("not_a_table");
    let dir = temp.path();
    let file = dir.join("p.pipe");
    std::fs::write(
        &file,
        r#"pipeline split {
  input table: table
  node low = filter(input.table, "amount < 10")
  node high = filter(input.table, "amount >= 10")
  output low = low
  output high = high
}

pipeline p {
  node raw = read_csv("examples/etl/data/raw.csv")
  node parts = split(table: raw)
  node counted = sql("select count(*) as n from parts")
  output n = counted
}
"#,
    )
    .expect("pipeline file");
    let file = file.to_string_lossy();
    let output = pipec(&["run", "-q", "--no-store", &file, "--pipeline", "p"]);
    // `run` reports a check's diagnostics on standard error.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("E0408")
            && stderr.contains("`parts` holds `high`, `low`")
            && stderr.contains("filter(parts.high, \"true\")"),
        "{stderr}"
    );
}

#[test]
fn a_failed_read_skips_the_sql_that_names_it_and_names_file_and_line() {
    let temp = temp_dir("malformed");
    let dir = temp.path();
    std::fs::write(dir.join("bad.csv"), "a,b\n1,2\n3,4,5\n").expect("csv");
    let file = dir.join("bad.pipe");
    std::fs::write(
        &file,
        r#"pipeline bad {
  input dir: path
  node t = read_csv("{input.dir}/bad.csv")
  node s = sql("select sum(a) as total from t")
  output s = s
}"#,
    )
    .expect("pipe");
    let output = pipec(&[
        "run",
        "--no-store",
        "--keep-going",
        &file.to_string_lossy(),
        "--input",
        &format!("dir={}", dir.display()),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("node `t`") && stderr.contains("bad.csv") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(failed: t)"),
        "s is skipped, not failed: {stderr}"
    );
}

#[test]
fn datafusion_settings_come_from_the_environment_and_a_bad_one_is_named() {
    let temp = temp_dir("env-settings");
    let dir = temp.path();
    let run_with = |value: &str| {
        Command::new(env!("CARGO_BIN_EXE_pipec"))
            .args([
                "run",
                "-q",
                "--no-store",
                "examples/sales/sales.pipe",
                "--input",
            ])
            .arg(format!("out={}", dir.display()))
            .env("DATAFUSION_EXECUTION_BATCH_SIZE", value)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run pipec")
    };
    let tuned = run_with("16384");
    assert_eq!(
        tuned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&tuned.stderr)
    );
    let wrong = run_with("many");
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DATAFUSION_"), "{stderr}");
}

#[test]
fn a_join_renames_right_columns_the_left_already_has() {
    let temp = data_with(
        "join_clash",
        "visits.csv",
        "name,city\nada,paris\ngrace,london\n",
    );
    let dir = temp.path();
    // `select` proves that check knows the renamed columns too.
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node visits = read_csv("{input.dir}/visits.csv")
  node shared = join(people, visits, on: ["name"])
  node both = join(people, visits, on: ["name"], right_on: ["name"])
  node shared_cols = select(shared, ["name", "city", "city_right"])
  node both_cols = select(both, ["name", "name_right", "city_right"])
  node shared_sorted = sort(shared_cols, by: ["name", "city_right"])
  node both_sorted = sort(both_cols, by: ["name", "city_right"])
  output shared = shared_sorted
  output both = both_sorted
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["shared"],
        json!([
            {"name": "ada", "city": "london", "city_right": "paris"},
            {"name": "ada", "city": "london", "city_right": "paris"},
            {"name": "grace", "city": "new york", "city_right": "london"},
        ])
    );
    assert_eq!(
        outputs["both"],
        json!([
            {"name": "ada", "name_right": "ada", "city_right": "paris"},
            {"name": "ada", "name_right": "ada", "city_right": "paris"},
            {"name": "grace", "name_right": "grace", "city_right": "london"},
        ])
    );
}

#[test]
fn write_json_takes_a_table_first_like_the_other_writers() {
    let temp = temp_dir("write_json_table");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node london = filter(people, "city = 'london'")
  node table_first = write_json(london, "{input.dir}/london.json")
  node path_first = write_json("{input.dir}/london2.json", london)
  output table_first = table_first
  output path_first = path_first
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(outputs["table_first"]["rows"], json!(3));
    assert_eq!(outputs["path_first"]["rows"], json!(3));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("london.json")).expect("written"))
            .expect("JSON");
    assert_eq!(written.as_array().map(Vec::len), Some(3));
    assert_eq!(written[0]["city"], json!("london"));
}

#[test]
fn a_run_on_an_engine_started_beforehand_computes_the_same_tables() {
    let temp = temp_dir("started");
    let dir = temp.path();
    write_data(dir);
    let source = r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node older = sql("select distinct name from people where age > 40 order by name")
  output older = older
}"#;
    let plan = compile_source("tables.pipe", source, None).expect("compiles");
    let mut options = RunOptions::default();
    options
        .inputs
        .insert("dir".into(), json!(dir.to_string_lossy()));
    // Started with the run's options it is used; with others, the run
    // starts its own.
    let one_partition = TableOptions {
        partitions: Some(1),
        ..TableOptions::default()
    };
    for started_with in [options.tables.clone(), one_partition] {
        let result = pipec::runtime::run_with_tables(
            &plan,
            &Registry::new(),
            &options,
            &MemoryStore::default(),
            &NoEvents,
            StartingTables::start(started_with.clone()),
        )
        .expect("runs");
        assert!(result.ok, "{:?}", result.error);
        assert_eq!(
            result.outputs["older"],
            json!([{ "name": "alan" }, { "name": "grace" }]),
            "started with {started_with:?}"
        );
    }
}

#[test]
fn a_parquet_file_of_any_name_is_read_and_a_file_of_another_format_is_named() {
    let temp = temp_dir("parquet_names");
    let dir = temp.path();
    write_data(dir);
    // Written as Parquet under a name that does not end `.parquet`.
    let written = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node saved = write_parquet(people, "{input.dir}/people.pq")
  output saved = saved
}"#,
        dir,
    )
    .expect("writes");
    assert_eq!(written["saved"]["rows"], json!(5));
    let read = run(
        r#"pipeline p {
  input dir: path
  node people = read_parquet("{input.dir}/people.pq")
  node n = sql("select count(*) as n from people")
  output n = n
}"#,
        dir,
    )
    .expect("reads a .pq file");
    assert_eq!(read["n"], json!([{"n": 5}]));
    // CSV text given to `read_parquet` (the path is known only at run
    // time, so the check cannot see it): the error says what it holds.
    let error = run(
        r#"pipeline p {
  input dir: path
  node people = read_parquet("{input.dir}/people.csv")
  node n = sql("select count(*) as n from people")
  output n = n
}"#,
        dir,
    )
    .expect_err("CSV is no Parquet");
    assert!(
        error.contains("is not a Parquet file; it holds text such as CSV: read it with `read_csv`"),
        "{error}"
    );
}

#[test]
fn sql_reads_a_table_input_by_its_name() {
    let temp = temp_dir("table_input_in_sql");
    let dir = temp.path();
    write_data(dir);
    let plan = compile_source(
        "tables.pipe",
        r#"pipeline p {
  input people: table
  input min_age: int = 40
  node old = sql("select name from people where age >= {input.min_age} order by name")
  output old = old
}"#,
        None,
    )
    .expect("an input read by name in SQL is no unknown table");
    let mut inputs = Map::new();
    inputs.insert(
        "people".into(),
        json!(dir.join("people.csv").to_string_lossy()),
    );
    let result = Host::new().run(&plan, inputs).expect("runs");
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(
        result.outputs["old"],
        json!([{"name": "alan"}, {"name": "grace"}])
    );
}
