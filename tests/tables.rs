//! Table operators on DataFusion, end to end: each operator on small data
//! written by the test, SQL parameters bound (never spliced), joins,
//! aggregates, unions and a table read by several nodes. Files, failures,
//! the CLI and the examples are in tests/tables_files.rs.

use pipec::embed::{Host, compile_source};
use serde_json::{Map, Value, json};

#[path = "support/tables.rs"]
#[allow(dead_code)]
mod support;

use support::*;

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
        error.contains("`{input.cities | compact}` is a list of 1")
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
fn a_list_met_at_run_time_in_sql_is_named_as_written_not_by_its_parameter_number() {
    let temp = temp_dir("sql-list-at-run-time");
    let dir = temp.path();
    write_data(dir);
    // `json` is not known to be a list at check time: the run refuses it,
    // naming the `{expr}` as written — never `$1`.
    let error = run(
        r#"pipeline p {
  input dir: path
  input ages: json = [30, 41]
  node people = read_csv("{input.dir}/people.csv")
  node some = sql("select name from people where age = {input.ages}")
  output some = some
}"#,
        dir,
    )
    .expect_err("a list is no SQL value");
    assert!(error.contains("`{input.ages}`"), "{error}");
    assert!(!error.contains('$'), "{error}");
}
