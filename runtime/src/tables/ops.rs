//! Each table operator: its arguments read, its DataFrame built.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, RecordBatchOptions, new_null_array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{Column, JoinType};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::functions::expr_fn::nullif;
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::prelude::{
    CsvReadOptions, DataFrame, Expr, JsonReadOptions, ParquetReadOptions, SessionContext, cast,
    ident, lit,
};
use serde_json::{Value, json};

use super::convert::{batch_of, rows_of};
use super::dynamic_filter::ApplyDynamicFilters;
use super::failure::{Source, describe};
use super::sql_params::{SqlParams, bind, sql_text};
use super::{Tables, handle};
use crate::plugins::Args;
use pipec_compiler::tables::planner::context_of_its_own;
use pipec_compiler::tables::schema::{
    FileFormat, FileKind, column_data_type, csv_delimiter,
    declared_schema as parse_declared_schema, file_schema, json_is_array, null_pattern,
    sniff_format,
};
use pipec_compiler::tables::{join_right_names, sort_key};

/// The reserved argument under which the executor hands `sql` the tables it
/// reads: upstream node name → table handle.
pub const SQL_TABLES_ARG: &str = "$tables";

/// The reserved argument under which the executor hands `aggregate` the
/// values of the parameters (`$1`, ...) its values' text holds.
pub const SQL_PARAMS_ARG: &str = "$params";

/// The reserved argument under which the executor hands `to_table` the
/// columns its items' record type gives (`[[name, type word or null], ...]`).
pub const ITEM_COLUMNS_ARG: &str = "$columns";

impl Tables {
    /// Runs table operator `name` for `node`; `readers` is how many nodes
    /// and outputs read its result (two or more: the result is computed once
    /// and kept).
    pub fn run(
        &self,
        node: &str,
        name: &str,
        args: &Args,
        readers: usize,
    ) -> Result<Value, String> {
        // The files this table's plan reads through its inputs.
        let mut sources = Vec::new();
        for value in args.values() {
            self.sources_in(value, &mut sources);
        }
        self.runtime
            .block_on(self.compute(node, name, args, readers, sources))
    }

    /// Runs operator `name`: a table kept under a handle, or a value.
    /// Engine errors met while computing (a cached, written or listed table)
    /// name the files the plan reads and their readers.
    async fn compute(
        &self,
        node: &str,
        name: &str,
        args: &Args,
        readers: usize,
        mut sources: Vec<Source>,
    ) -> Result<Value, String> {
        let frame = match name {
            "read_csv" => self.read_csv(args).await?,
            "read_parquet" => {
                let read = source_paths(args)?;
                let path = read.shown.clone();
                let schema = declared_schema(args)?;
                // One file is read whatever its name ends with (`data.pq`),
                // a pattern's files as matched; a directory's files are
                // those ending `.parquet`.
                let extension = if read.pattern {
                    String::new()
                } else if Path::new(&path).is_file() {
                    extension_of(&path)
                } else {
                    ".parquet".to_string()
                };
                let mut options = ParquetReadOptions::default().file_extension(&extension);
                if let Some(schema) = &schema {
                    options = options.schema(schema);
                }
                self.context()
                    .read_parquet(read.engine, options)
                    .await
                    .map_err(|e| parquet_read_error(&path, e))?
            }
            "read_json" => {
                let read = source_paths(args)?;
                let path = read.shown.clone();
                let mut schema = declared_schema(args)?;
                let extension = read.extension();
                // One array of records (as `write_json` writes a table), or
                // one record per line.
                let is_array = std::fs::File::open(&read.engine[0])
                    .ok()
                    .and_then(|file| json_is_array(&mut std::io::BufReader::new(file)))
                    .unwrap_or(false);
                if is_array && schema.is_none() {
                    // DataFusion infers an array's schema line by line, which
                    // fails on records written over several lines; the
                    // checker's inference reads the records whole.
                    schema = file_schema(Path::new(&path), FileKind::Json)
                        .map(|schema| schema.as_ref().clone());
                }
                let mut options = JsonReadOptions::default()
                    .file_extension(&extension)
                    .newline_delimited(!is_array);
                if let Some(schema) = &schema {
                    options = options.schema(schema);
                }
                self.context()
                    .read_json(read.engine, options)
                    .await
                    .map_err(|e| read_error(&path, e))?
            }
            "sql" => self.sql(args).await?,
            "filter" => {
                let frame = self.table(args, "table")?;
                let (text, params) = sql_text(args, "predicate")?;
                let predicate = frame
                    .parse_sql_expr(&text)
                    .map_err(|e| params.name(df(e)))?;
                let filtered = frame.filter(predicate).map_err(|e| params.name(df(e)))?;
                bind(filtered, params)?
            }
            "select" => {
                let frame = self.table(args, "table")?;
                let columns = strings(args, "columns")?;
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                frame.select_columns(&columns).map_err(df)?
            }
            "join" => {
                let left = self.table(args, "left")?;
                let right = self.table(args, "right")?;
                let on = strings(args, "on")?;
                let how = match args.get("how").and_then(Value::as_str).unwrap_or("inner") {
                    "inner" => JoinType::Inner,
                    "left" => JoinType::Left,
                    "right" => JoinType::Right,
                    "full" => JoinType::Full,
                    "semi" => JoinType::LeftSemi,
                    "anti" => JoinType::LeftAnti,
                    other => {
                        return Err(format!(
                            "join `how` is `{other}`; expected inner, left, right, full, semi or anti"
                        ));
                    }
                };
                let right_on = match args.get("right_on") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(strings(args, "right_on")?),
                };
                join_tables(left, right, how, &on, right_on.as_deref())?
            }
            "union" => {
                let first = self.table(args, "first")?;
                let second = self.table(args, "second")?;
                first.union_by_name(second).map_err(df)?
            }
            "aggregate" => {
                let frame = self.table(args, "table")?;
                let by = group_columns(args)?;
                let Some(Value::Object(values)) = args.get("values") else {
                    return Err(
                        "aggregate `values` must be a record of name: \"sql aggregate\", e.g. { revenue: \"sum(amount)\" }"
                            .into(),
                    );
                };
                let params = match args.get(SQL_PARAMS_ARG) {
                    Some(Value::Object(bound)) => SqlParams::of(bound),
                    _ => SqlParams::default(),
                };
                let mut aggregates = Vec::new();
                for (name, text) in values {
                    let text = text.as_str().ok_or_else(|| {
                        format!("aggregate `{name}` must be SQL text, e.g. \"sum(amount)\"")
                    })?;
                    let expr = frame
                        .parse_sql_expr(text)
                        .map_err(|e| params.name(format!("aggregate `{name}`: {}", df(e))))?;
                    aggregates.push(expr.alias(name));
                }
                let grouped = frame
                    .aggregate(by, aggregates)
                    .map_err(|e| params.name(df(e)))?;
                bind(grouped, params)?
            }
            "group_size" => {
                let frame = self.table(args, "table")?;
                let by = group_columns(args)?;
                let count = frame.parse_sql_expr("count(*)").map_err(df)?;
                frame.aggregate(by, vec![count.alias("size")]).map_err(df)?
            }
            "sort" => {
                let frame = self.table(args, "table")?;
                let descending = args.get("descending").and_then(Value::as_bool) == Some(true);
                let by = strings(args, "by")?
                    .iter()
                    .map(|key| {
                        let (column, descending) = sort_key(key, descending);
                        ident(column).sort(!descending, descending)
                    })
                    .collect();
                frame.sort(by).map_err(df)?
            }
            "limit" => {
                let frame = self.table(args, "table")?;
                let n = args
                    .get("n")
                    .and_then(Value::as_u64)
                    .ok_or("limit `n` must be a non-negative int")?;
                frame.limit(0, Some(n as usize)).map_err(df)?
            }
            "distinct" => self.table(args, "table")?.distinct().map_err(df)?,
            "write_csv" | "write_parquet" => return self.write(name, args, &sources).await,
            "rows" => {
                let batches = self
                    .table(args, "table")?
                    .collect()
                    .await
                    .map_err(|e| describe(&df(e), &sources))?;
                return Ok(Value::Array(rows_of(&batches)?));
            }
            "to_table" => {
                let items = match args.get("items") {
                    Some(Value::Array(items)) => items.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => vec![other.clone()],
                };
                let batch = with_columns(batch_of(&items)?, &item_columns(args))?;
                self.context().read_batch(batch).map_err(df)?
            }
            other => return Err(format!("`{other}` is not a table operator")),
        };
        if name.starts_with("read_")
            && let Some(path) = args.get("path").and_then(Value::as_str)
        {
            let delimiter = if name == "read_csv" {
                csv_delimiter(args.get("delimiter").and_then(Value::as_str).unwrap_or(","))
            } else {
                None
            };
            sources.push(Source {
                node: node.to_string(),
                path: path.to_string(),
                columns: frame
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect(),
                delimiter,
            });
        }
        let frame = if readers >= 2 {
            frame
                .cache()
                .await
                .map_err(|e| describe(&df(e), &sources))?
        } else {
            frame
        };
        Ok(self.keep(frame, node, Arc::new(sources)))
    }

    /// The run's session: its settings and memory pool; its plans apply the
    /// dynamic filters of Parquet scans to their rows
    /// ([`super::dynamic_filter`]), unless `PIPEC_DYNAMIC_FILTERS=off`.
    pub(super) fn session(&self) -> &SessionState {
        self.session.get_or_init(|| {
            let mut state = SessionStateBuilder::new()
                .with_config(self.config.clone())
                .with_runtime_env(self.env.clone())
                .with_default_features();
            if self.applies_dynamic_filters {
                state = state.with_physical_optimizer_rule(Arc::new(ApplyDynamicFilters));
            }
            state.build()
        })
    }

    /// A context for an operator that registers no tables (reads).
    pub(super) fn context(&self) -> SessionContext {
        SessionContext::new_with_state(self.session().clone())
    }

    /// The table argument `name`.
    fn table(&self, args: &Args, name: &str) -> Result<DataFrame, String> {
        let value = args
            .get(name)
            .ok_or_else(|| format!("argument `{name}` is missing"))?;
        self.frame(value)
            .ok_or_else(|| format!("argument `{name}` is not a table (found {value})"))
    }

    async fn read_csv(&self, args: &Args) -> Result<DataFrame, String> {
        let read = source_paths(args)?;
        let path = read.shown.clone();
        let schema = declared_schema(args)?;
        let delimiter = args.get("delimiter").and_then(Value::as_str).unwrap_or(",");
        let delimiter = csv_delimiter(delimiter).ok_or_else(|| {
            format!("read_csv `delimiter` must be one character, found `{delimiter}`")
        })?;
        let header = args.get("header").and_then(Value::as_bool).unwrap_or(true);
        let extension = read.extension();
        let options = CsvReadOptions::new()
            .has_header(header)
            .delimiter(delimiter)
            .file_extension(&extension);
        let Some(nulls) = args.get("nulls").and_then(Value::as_str) else {
            let options = match &schema {
                Some(schema) => options.schema(schema),
                None => options,
            };
            return self.csv_file(&read, options).await;
        };
        // DataFusion 55 applies `null_regex` when it infers a schema but not
        // when it reads rows (apache/datafusion#25213), so a column of numbers
        // with `NA` in it would fail to parse. Instead: the target schema is
        // the declared one or the one inferred with the null text, the file is
        // read as text, and each column is cast with the null text as NULL.
        let kind = FileKind::Csv {
            delimiter,
            header,
            nulls: Some(nulls.to_string()),
        };
        let target = match schema {
            Some(schema) => Some(Arc::new(schema)),
            None => file_schema(Path::new(&path), kind),
        };
        let Some(target) = target else {
            // Not one readable file (a directory, say): the engine's own
            // handling, which is right for inference.
            let options = options.null_regex(Some(null_pattern(nulls)));
            return self.csv_file(&read, options).await;
        };
        let as_text = Schema::new(
            target
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), DataType::Utf8, true))
                .collect::<Vec<_>>(),
        );
        let frame = self.csv_file(&read, options.schema(&as_text)).await?;
        let columns: Vec<Expr> = target
            .fields()
            .iter()
            .map(|field| {
                let text = ident(field.name());
                let missing = nullif(nullif(text, lit(nulls)), lit(""));
                let value = if field.data_type() == &DataType::Utf8 {
                    missing
                } else {
                    cast(missing, field.data_type().clone())
                };
                value.alias(field.name())
            })
            .collect();
        frame.select(columns).map_err(|e| read_error(&path, e))
    }

    /// Reads CSV at `read` with `options`; errors name the path as given.
    async fn csv_file(
        &self,
        read: &ReadPaths,
        options: CsvReadOptions<'_>,
    ) -> Result<DataFrame, String> {
        self.context()
            .read_csv(read.engine.clone(), options)
            .await
            .map_err(|e| read_error(&read.shown, e))
    }

    async fn sql(&self, args: &Args) -> Result<DataFrame, String> {
        let (text, params) = sql_text(args, "query")?;
        // The query's tables are registered in a catalog of the context's own.
        let context = context_of_its_own(self.session().clone());
        if let Some(Value::Object(tables)) = args.get(SQL_TABLES_ARG) {
            for (name, value) in tables {
                if let Some(frame) = self.frame(the_table(value)) {
                    context
                        .register_table(name.as_str(), frame.into_view())
                        .map_err(df)?;
                }
            }
        }
        let frame = context.sql(&text).await.map_err(|e| params.name(df(e)))?;
        bind(frame, params)
    }

    async fn write(&self, name: &str, args: &Args, sources: &[Source]) -> Result<Value, String> {
        let frame = self.table(args, "table")?;
        let path = path_text(args, "path")?;
        if let Some(parent) = Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        let options = DataFrameWriteOptions::new().with_single_file_output(true);
        let written = if name == "write_csv" {
            frame.write_csv(&path, options, None).await
        } else {
            frame.write_parquet(&path, options, None).await
        }
        .map_err(|e| format!("cannot write `{path}`: {}", describe(&df(e), sources)))?;
        let rows: u64 = rows_of(&written)?
            .iter()
            .filter_map(|r| r.get("count").and_then(Value::as_u64))
            .sum();
        Ok(json!({ "path": path, "rows": rows }))
    }
}

/// Joins `left` and `right` on `on`: columns of the same name on both sides
/// (kept once; for a right or full join from whichever side has the key), or
/// with `right_on`, the left's `on` matched in order to the right's columns
/// (both kept). Right columns whose names the result already has are renamed
/// by the checker's rule (`join_right_names`: `NAME_right`).
fn join_tables(
    left: DataFrame,
    right: DataFrame,
    how: JoinType,
    on: &[String],
    right_on: Option<&[String]>,
) -> Result<DataFrame, String> {
    if on.is_empty() {
        return Err("join `on` names no columns".into());
    }
    if let Some(right_on) = right_on
        && right_on.len() != on.len()
    {
        return Err(format!(
            "join `on` names {} columns and `right_on` {}; they are matched in order",
            on.len(),
            right_on.len()
        ));
    }
    let left_names = column_names(&left);
    let right_names = column_names(&right);
    let shared: Vec<&str> = match right_on {
        None => on.iter().map(String::as_str).collect(),
        Some(_) => Vec::new(),
    };
    let names = join_right_names(
        &left_names.iter().map(String::as_str).collect::<Vec<_>>(),
        &right_names.iter().map(String::as_str).collect::<Vec<_>>(),
        &shared,
    );
    // The right side under names that cannot clash: its result names, and a
    // temporary name for each shared key (dropped after the join).
    let temporary = |key: &str| format!("{key}__right");
    let renamed: Vec<String> = right_names
        .iter()
        .zip(&names)
        .map(|(column, name)| name.clone().unwrap_or_else(|| temporary(column)))
        .collect();
    let right = right
        .select(
            right_names
                .iter()
                .zip(&renamed)
                .map(|(column, name)| ident(column).alias(name))
                .collect::<Vec<_>>(),
        )
        .map_err(df)?;
    let right_keys: Vec<String> = match right_on {
        None => on.iter().map(|key| temporary(key)).collect(),
        Some(keys) => keys
            .iter()
            .map(|key| {
                right_names
                    .iter()
                    .position(|c| c == key)
                    .map_or_else(|| key.clone(), |i| renamed[i].clone())
            })
            .collect(),
    };
    let joined = join_on_names(left, right, how, on, &right_keys)?;
    if right_on.is_some() || matches!(how, JoinType::LeftSemi | JoinType::LeftAnti) {
        return Ok(joined);
    }
    let keep: Vec<Expr> = joined
        .schema()
        .columns()
        .into_iter()
        .filter(|c| !right_keys.contains(&c.name))
        .map(|c| {
            // A right or full join keeps the key from whichever side has it.
            match on.iter().position(|o| *o == c.name) {
                Some(i) if matches!(how, JoinType::Right | JoinType::Full) => {
                    datafusion::functions::expr_fn::coalesce(vec![
                        Expr::Column(c.clone()),
                        ident(right_keys[i].as_str()),
                    ])
                    .alias(c.name.clone())
                }
                _ => Expr::Column(c),
            }
        })
        .collect();
    joined.select(keep).map_err(df)
}

/// `left` joined with `right` where each of `left_keys` equals the right
/// key at its place. The keys are exact column names: `DataFrame::join`
/// would read them as SQL identifiers and lowercase `City` to `city`.
fn join_on_names(
    left: DataFrame,
    right: DataFrame,
    how: JoinType,
    left_keys: &[String],
    right_keys: &[String],
) -> Result<DataFrame, String> {
    let (state, left_plan) = left.into_parts();
    let (_, right_plan) = right.into_parts();
    let plan = LogicalPlanBuilder::from(left_plan)
        .join(
            right_plan,
            how,
            (
                left_keys.iter().map(Column::from_name).collect::<Vec<_>>(),
                right_keys.iter().map(Column::from_name).collect::<Vec<_>>(),
            ),
            None,
        )
        .and_then(LogicalPlanBuilder::build)
        .map_err(df)?;
    Ok(DataFrame::new(state, plan))
}

/// The columns the plan gives a `to_table` node's items (name and type; a
/// type the items' declaration does not say is `Null`).
fn item_columns(args: &Args) -> Vec<Field> {
    let Some(Value::Array(columns)) = args.get(ITEM_COLUMNS_ARG) else {
        return Vec::new();
    };
    columns
        .iter()
        .filter_map(|column| {
            let name = column.get(0)?.as_str()?;
            let data_type = column
                .get(1)
                .and_then(Value::as_str)
                .and_then(column_data_type)
                .unwrap_or(DataType::Null);
            Some(Field::new(name, data_type, true))
        })
        .collect()
}

/// `batch` with each of `columns` it lacks added after its own, all null:
/// items that never hold a field (or no items at all) still make a table
/// with the columns their type declares.
fn with_columns(batch: RecordBatch, columns: &[Field]) -> Result<RecordBatch, String> {
    let schema = batch.schema();
    let missing: Vec<&Field> = columns
        .iter()
        .filter(|c| schema.field_with_name(c.name()).is_err())
        .collect();
    if missing.is_empty() {
        return Ok(batch);
    }
    let rows = batch.num_rows();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut arrays = batch.columns().to_vec();
    for field in missing {
        arrays.push(new_null_array(field.data_type(), rows));
        fields.push(field.clone());
    }
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|e| e.to_string())
}

/// A table's column names, in order.
fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The table a node's value stands for in SQL: the value itself, or the
/// one table of a record (the outputs of a pipeline called as a node, such
/// as `{ table: <table> }`).
fn the_table(value: &Value) -> &Value {
    match value {
        Value::Object(fields) if handle(value).is_none() => {
            let mut tables = fields.values().filter(|v| handle(v).is_some());
            match (tables.next(), tables.next()) {
                (Some(table), None) => table,
                _ => value,
            }
        }
        _ => value,
    }
}

/// What a reader reads: its path as given (for messages), the paths handed
/// to the engine, and whether the path was a file pattern.
struct ReadPaths {
    shown: String,
    engine: Vec<String>,
    pattern: bool,
}

impl ReadPaths {
    /// The file extension the engine lists by: none for a pattern's files
    /// (already matched), else the path's own.
    fn extension(&self) -> String {
        match self.pattern {
            true => String::new(),
            false => extension_of(&self.shown),
        }
    }
}

/// The paths a reader reads. A pattern (`parts/*.csv`, `{a,b}.csv`) is
/// expanded by pipec's one file-pattern dialect ([`pipec_compiler::files`])
/// and must match a file; a local path without one must exist: DataFusion
/// reads a missing file with a declared schema as an empty table, which
/// would hide the mistake.
fn source_paths(args: &Args) -> Result<ReadPaths, String> {
    let path = path_text(args, "path")?;
    let url = path.contains("://");
    if !url && pipec_compiler::files::is_pattern(&path) {
        let found = pipec_compiler::files::expand(&path)
            .map_err(|e| format!("cannot read `{path}`: {e}"))?;
        if found.is_empty() {
            return Err(format!("cannot read `{path}`: no file matches the pattern"));
        }
        return Ok(ReadPaths {
            engine: found
                .into_iter()
                .map(|f| f.path.to_string_lossy().into_owned())
                .collect(),
            shown: path,
            pattern: true,
        });
    }
    if !url && !Path::new(&path).exists() {
        return Err(format!("cannot read `{path}`: no such file"));
    }
    Ok(ReadPaths {
        engine: vec![path.clone()],
        shown: path,
        pattern: false,
    })
}

fn path_text(args: &Args, name: &str) -> Result<String, String> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("argument `{name}` must be a path"))
}

fn strings(args: &Args, name: &str) -> Result<Vec<String>, String> {
    match args.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("`{name}` must be a list of column names (found {i})"))
            })
            .collect(),
        Some(Value::String(one)) => Ok(vec![one.clone()]),
        _ => Err(format!("`{name}` must be a list of column names")),
    }
}

/// The `by` columns, each by its exact name (`ident`, not `col`: `col`
/// reads its text as SQL and lowercases `City` to `city`).
fn group_columns(args: &Args) -> Result<Vec<Expr>, String> {
    Ok(strings(args, "by")?.iter().map(ident).collect())
}

fn declared_schema(args: &Args) -> Result<Option<Schema>, String> {
    match args.get("schema") {
        Some(Value::String(text)) => parse_declared_schema(text).map(Some),
        _ => Ok(None),
    }
}

/// The file's extension with its dot (DataFusion only lists files ending so).
fn extension_of(path: &str) -> String {
    Path::new(path)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default()
}

/// [`read_error`] for a Parquet reader: a file that holds another format
/// says so, with the reader of its format.
fn parquet_read_error(path: &str, error: datafusion::error::DataFusionError) -> String {
    match sniff_format(Path::new(path)) {
        Some(format) if format != FileFormat::Parquet => {
            let reader = format
                .reader()
                .map(|reader| format!(": read it with `{reader}`"))
                .unwrap_or_default();
            format!(
                "cannot read `{path}`: it is not a Parquet file; {}{reader}",
                format.described()
            )
        }
        _ => read_error(path, error),
    }
}

fn read_error(path: &str, error: datafusion::error::DataFusionError) -> String {
    if !Path::new(path).exists() {
        return format!("cannot read `{path}`: no such file");
    }
    format!("cannot read `{path}`: {}", df(error))
}

/// DataFusion's message without its error-kind prefix noise; an unknown
/// column (a file read at run time without the column that `check` could
/// not see) is named with the columns there are.
pub(super) fn df(error: datafusion::error::DataFusionError) -> String {
    use datafusion::common::SchemaError;
    use datafusion::error::DataFusionError;
    if let DataFusionError::SchemaError(schema_error, _) = error.find_root()
        && let SchemaError::FieldNotFound {
            field,
            valid_fields,
        } = schema_error.as_ref()
    {
        // A table of one file has no name of its own (`?table?`).
        let columns: Vec<String> = valid_fields
            .iter()
            .map(|c| match &c.relation {
                Some(relation) if relation.table() != "?table?" => c.flat_name(),
                _ => c.name.clone(),
            })
            .collect();
        return format!(
            "no column `{}`; the columns are: {}",
            field.name,
            columns.join(", ")
        );
    }
    error.strip_backtrace()
}
