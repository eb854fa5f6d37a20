//! Table schemas at check time, and the mistakes they reveal.
//!
//! A table node's schema is known where it can be known before the run: a
//! declared schema (`schema: "id int, amount float"`), the source file when
//! it exists now (a CSV header and the types of its first rows, Parquet
//! metadata, JSON records by line or in an array), each operator's rule (`select` keeps the
//! named columns, `join` puts the right side's columns after the left's, one
//! key column kept, ...) and DataFusion's planner for SQL text (`sql`, a
//! `filter` predicate, `aggregate` values), planned against the upstream
//! schemas without running anything. Unknown columns and type errors are
//! reported with spans into the `.pipe` file, inside SQL strings at the column.
//!
//! Where a schema cannot be known (a file written by the run, a path built at
//! run time, `to_table` items) the table is untyped and nothing is reported
//! about it. A source that calls no table operator costs one text scan.
//!
//! This module holds the queries, the walk over a pipeline
//! (`PipelineTables`: its state, `schema_of`, `operator_schema`) and what
//! the rules share; each family of rules is a module of its own: `readers`
//! and `file_misfits` (reader schemas, paths and file checks), `writers`
//! (reader-after-writer), `joins` (joins, unions, column options), `rows`
//! (`to_table` and `rows`), `calls` (called pipelines' tables), `sql_text`
//! and `engine_errors` (SQL text planned by DataFusion, its errors as
//! diagnostics), `words` (how messages name things); `schema`, `planner`,
//! `items` and `syntax` as before.

mod calls;
mod engine_errors;
mod file_misfits;
pub mod items;
mod joins;
pub mod planner;
mod readers;
mod rows;
pub mod schema;
mod sql_text;
pub(crate) mod syntax;
mod words;
mod writers;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::ScalarValue;
use pipec_grammar::ast::{
    Expr, ExprKind, Item, Literal, Member, NodeDecl, Pipeline, StringLit, StringPart,
};
use pipec_grammar::diagnostic::{
    Diagnostic, FileName, Fix, Location, TextEdit, closest, edit_distance,
};
use pipec_grammar::span::Span;

use crate::analyze::{Callee, DepKind, InputInfo, NodeInfo, PipelineInfo, analyze};
use crate::codes;
use crate::db::{Db, Source};
use crate::layout::item_interface;
use crate::queries::parse;
use crate::scope::{Kind, lookup};
use crate::types::Type;
use pipec_grammar::ast::{Ident, TypeExpr, TypeKind};
use planner::{ImpossibleCast, PlanError, SqlText, plan, quoted_interpolations};
use schema::{
    FileFormat, FileKind, csv_delimiter, declared_schema, file_schema, sniff_format, type_word,
};

use engine_errors::*;
use file_misfits::*;
use rows::*;
use sql_text::*;
use words::*;

/// The diagnostics of the table schemas of every pipeline of a source.
#[salsa::tracked(returns(ref), no_eq)]
pub fn table_diagnostics(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    if !mentions_table_operator(source.bytes(db)) {
        return Vec::new();
    }
    let tree = &parse(db, source).tree;
    let analysis = analyze(db, source);
    let file = source.name(db);
    let base = std::env::current_dir().unwrap_or_default();
    let run_inputs = db.run_inputs();
    let mut out = Vec::new();
    for info in &analysis.pipelines {
        let pipeline = tree.items.iter().find_map(|item| match item {
            Item::Pipeline(p) if p.name.name == info.name => Some(p),
            _ => None,
        });
        if let Some(pipeline) = pipeline {
            let named = Named { db, source };
            let given = run_inputs
                .as_deref()
                .and_then(|inputs| inputs.for_pipeline(file, &info.name));
            let mut tables = PipelineTables::new(&base, named, pipeline, info, given);
            tables.check_all();
            out.append(&mut tables.diagnostics);
        }
    }
    out
}

/// The columns (name, Arrow type) of node `node` of pipeline `pipeline`, when
/// its schema can be known at check time (for editors: completion inside SQL
/// text). Reads the whole-file parse and analysis, and may read file
/// headers and plan SQL text: meant for one request, not for every edit.
pub fn node_columns(
    db: &dyn Db,
    source: Source,
    pipeline: &str,
    node: &str,
) -> Option<Vec<(String, String)>> {
    let schema = node_schema(db, source, pipeline, node)?;
    Some(
        schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().to_string()))
            .collect(),
    )
}

/// The schema of node `node` of pipeline `pipeline`, when it can be known at
/// check time (as [`node_columns`], with the Arrow types themselves).
pub fn node_schema(db: &dyn Db, source: Source, pipeline: &str, node: &str) -> Known {
    let tree = &parse(db, source).tree;
    let analysis = analyze(db, source);
    let info = analysis.pipelines.iter().find(|p| p.name == pipeline)?;
    let syntax = tree.items.iter().find_map(|item| match item {
        Item::Pipeline(p) if p.name.name == pipeline => Some(p),
        _ => None,
    })?;
    let base = std::env::current_dir().unwrap_or_default();
    let named = Named { db, source };
    let mut tables = PipelineTables::new(&base, named, syntax, info, None);
    tables.schema_of(node)
}

/// Whether the text calls a table operator anywhere (a cheap first look):
/// one pass over the `(`s, each checked for an operator's name before it.
fn mentions_table_operator(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    text.match_indices('(').any(|(at, _)| {
        let before = text[..at].trim_end().as_bytes();
        let start = before
            .iter()
            .rposition(|&c| !is_word(c))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        !word.is_empty()
            && pipec_stdlib::TABLE_OPERATORS
                .iter()
                .any(|op| op.as_bytes() == word)
    })
}

/// A known schema, or unknown (`None`).
type Known = Option<SchemaRef>;

/// The schemas of one pipeline's table nodes, worked out on demand.
struct PipelineTables<'a> {
    file: &'a FileName,
    text: &'a str,
    pipeline: &'a Pipeline,
    base: &'a Path,
    info: &'a PipelineInfo,
    /// Node name → its declaration and analysis.
    nodes: HashMap<&'a str, (&'a NodeDecl, &'a NodeInfo)>,
    /// Input name → the path it stands for at check time: its default, when
    /// it is a plain string, or the value a run is given.
    input_defaults: HashMap<&'a str, String>,
    /// Node name → its schema, once worked out (`None` while in progress).
    schemas: HashMap<String, Option<Known>>,
    diagnostics: Vec<Diagnostic>,
    /// Where `schema` items and plugin declarations are looked up.
    named: Named<'a>,
    /// How many pipeline calls deep this pipeline is worked out (0: checked
    /// for itself; more: for a call's output schema).
    depth: usize,
}

/// How deep output schemas are followed through pipelines that call
/// pipelines (a recursive call is an error of its own, E0305).
const MAX_CALL_DEPTH: usize = 4;

/// The database and source through which named schemas and plugins resolve.
#[derive(Clone, Copy)]
struct Named<'a> {
    db: &'a dyn Db,
    source: Source,
}

/// A `schema` item as a table schema: its column names, and its Arrow schema
/// when every field has a column type (int, float, string, path, bool).
struct NamedSchema {
    columns: Vec<String>,
    arrow: Known,
}

impl Named<'_> {
    /// The `schema NAME { ... }` visible from the source.
    fn schema(&self, name: &str) -> Option<NamedSchema> {
        let found = lookup(self.db, self.source, Kind::Schema, name)?;
        let Some(Item::Schema(decl)) = item_interface(self.db, found.source, found.index) else {
            return None;
        };
        let columns: Vec<String> = decl.fields.iter().map(|f| f.name.name.clone()).collect();
        let fields: Option<Vec<Field>> = decl
            .fields
            .iter()
            .map(|f| Some(Field::new(&f.name.name, column_type(&f.ty)?, true)))
            .collect();
        Some(NamedSchema {
            columns,
            arrow: fields.map(|fields| Arc::new(Schema::new(fields))),
        })
    }

    /// The `table<S>` parameters of what `callee` names (a host plugin's
    /// parameters, or a pipeline's inputs): parameter name → `S`.
    fn table_params(&self, callee: &[Ident]) -> Vec<(String, String)> {
        let Some(found) = crate::analyze::callee_at(self.db, self.source, callee) else {
            return Vec::new();
        };
        match item_interface(self.db, found.source, found.index) {
            Some(Item::Plugin(decl)) => decl
                .params
                .iter()
                .filter_map(|p| Some((p.name.name.clone(), table_schema_name(&p.ty)?)))
                .collect(),
            Some(Item::Pipeline(pipeline)) => pipeline
                .members
                .iter()
                .filter_map(|m| match m {
                    Member::Input(i) => Some((i.name.name.clone(), table_schema_name(&i.ty)?)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The column type of a schema field's written type, if it has one.
fn column_type(ty: &TypeExpr) -> Option<DataType> {
    schema::column_data_type(column_word(ty)?)
}

/// A schema field's written type as a column type word of a declared
/// schema (`int`, `float`, `string`, `bool`; a path is a string), if the
/// field is a column (not a list or a record).
pub(crate) fn column_word(ty: &TypeExpr) -> Option<&'static str> {
    let TypeKind::Named(name) = &ty.kind else {
        return None;
    };
    Some(match name.name.as_str() {
        "int" => "int",
        "float" => "float",
        "string" | "path" => "string",
        "bool" => "bool",
        _ => return None,
    })
}

/// `S` of a written `table<S>`.
fn table_schema_name(ty: &TypeExpr) -> Option<String> {
    let TypeKind::Generic(generic, inner) = &ty.kind else {
        return None;
    };
    let TypeKind::Named(schema) = &inner.kind else {
        return None;
    };
    (generic.name == "table").then(|| schema.name.clone())
}

impl<'a> PipelineTables<'a> {
    /// The tables of `pipeline` (analysed as `info`) of `named`'s source,
    /// its paths relative to `base`, its inputs' paths as `given` when a run
    /// or a call gives them.
    fn new(
        base: &'a Path,
        named: Named<'a>,
        pipeline: &'a Pipeline,
        info: &'a PipelineInfo,
        given: Option<&HashMap<String, Option<String>>>,
    ) -> Self {
        let mut nodes = HashMap::new();
        for node in &info.nodes {
            if let Some(Member::Node(decl)) = pipeline.members.get(node.member)
                && decl.name.name == node.name
            {
                nodes.insert(node.name.as_str(), (decl, node));
            }
        }
        let input_defaults = pipeline
            .members
            .iter()
            .filter_map(|m| match m {
                Member::Input(input) => {
                    let name = input.name.name.as_str();
                    // A value the run is given wins; one that is not text
                    // names no file known here.
                    // A default written in the file resolves against its
                    // directory; a value given to the run is used as given.
                    let path = match given.and_then(|values| values.get(name)) {
                        Some(value) => value.clone()?,
                        None => crate::paths::resolve_written(
                            crate::paths::file_dir(named.source.name(named.db)),
                            &plain_string(input.default.as_ref()?)?,
                        ),
                    };
                    Some((name, path))
                }
                _ => None,
            })
            .collect();
        PipelineTables {
            file: named.source.name(named.db),
            text: std::str::from_utf8(named.source.bytes(named.db)).unwrap_or(""),
            pipeline,
            base,
            info,
            nodes,
            input_defaults,
            schemas: HashMap::new(),
            diagnostics: Vec::new(),
            named,
            depth: 0,
        }
    }

    /// Works out every node's schema, reporting what is wrong on the way.
    fn check_all(&mut self) {
        for node in &self.info.nodes {
            self.schema_of(&node.name);
        }
        for node in &self.info.nodes {
            if let Some(Callee::Host { name, .. } | Callee::Pipeline { name, .. }) = &node.callee {
                self.check_table_params(&node.name, name);
            }
        }
        self.check_row_fields();
        if self.depth == 0 {
            self.check_files_read_before_written();
        }
    }

    /// The schema of node `name` (worked out once; unknown in a cycle).
    fn schema_of(&mut self, name: &str) -> Known {
        if let Some(done) = self.schemas.get(name) {
            return done.clone().flatten();
        }
        self.schemas.insert(name.to_string(), None);
        let known = match self.nodes.get(name).copied() {
            Some((decl, info)) => match &info.callee {
                Some(Callee::Builtin { name: operator })
                    if pipec_stdlib::TABLE_OPERATORS.contains(&operator.as_str()) =>
                {
                    let args = Args::of(decl, info);
                    self.operator_schema(name, operator, &args)
                }
                // Any other callee declared to return `table<S>` (or a
                // record of one such table: a pipeline's outputs).
                _ => match (table_type(&info.item), info.many) {
                    (Some(Type::Table(Some(schema))), false) => {
                        self.named.schema(schema).and_then(|s| s.arrow)
                    }
                    // A pipeline's outputs, worked out in the callee.
                    (Some(_), false) => self.called_pipeline_schema(decl, info, None),
                    _ => None,
                },
            },
            None => None,
        };
        self.schemas.insert(name.to_string(), Some(known.clone()));
        known
    }

    /// The schema a table operator produces, checking its column arguments.
    fn operator_schema(&mut self, node: &str, operator: &str, args: &Args<'a>) -> Known {
        match operator {
            "read_csv" | "read_parquet" | "read_json" => self.read_schema(operator, args),
            "sql" => {
                let literal = args.string("query")?;
                self.check_interpolations(literal);
                let mut sql = SqlText::default();
                let source = self.text;
                sql.push_typed_literal_in(Some(source), literal, |expr| self.parameter_type(expr));
                let names = crate::sql::table_references(sql.text()).ok()?;
                let mut tables: Vec<(&str, SchemaRef)> = Vec::new();
                let mut all_tables = true;
                for table in &names {
                    let Some((_, info)) = self.nodes.get(table.as_str()).copied() else {
                        // A table input read by name, when its columns are
                        // known; else not a node: reported by the graph check.
                        tables.push((table.as_str(), self.input_table_schema(table)?));
                        continue;
                    };
                    if !may_be_table(&info.item, info.many) {
                        self.not_a_table(node, &sql, table, &info.item, info.many, literal.span);
                        all_tables = false;
                    }
                }
                if !all_tables {
                    return None;
                }
                for table in &names {
                    if self.nodes.contains_key(table.as_str()) {
                        tables.push((table.as_str(), self.schema_of(table)?));
                    }
                }
                self.planned(node, &sql, &tables, literal.span)
            }
            "filter" => {
                let predicate = args.string("predicate");
                if let Some(literal) = predicate {
                    self.check_interpolations(literal);
                }
                let (input, schema) = self.table_arg(args, "table")?;
                let literal = predicate?;
                let mut sql = SqlText::default();
                sql.push_synthetic(
                    &format!("select * from {} where ", quoted(&input)),
                    literal.span,
                );
                let source = self.text;
                sql.push_typed_literal_in(Some(source), literal, |expr| self.parameter_type(expr));
                self.planned(
                    node,
                    &sql,
                    &[(input.as_str(), schema.clone())],
                    literal.span,
                )?;
                Some(schema)
            }
            "select" => {
                self.check_select_not_empty(args);
                self.check_repeated_columns(args, "columns");
                let (input, schema) = self.table_arg(args, "table")?;
                let columns = self.columns(args, "columns", &input, &schema, false)?;
                Some(Arc::new(Schema::new(fields_named(&schema, &columns))))
            }
            "sort" => {
                let (input, schema) = self.table_arg(args, "table")?;
                self.columns(args, "by", &input, &schema, true);
                Some(schema)
            }
            "limit" => {
                self.check_limit(args);
                Some(self.table_arg(args, "table")?.1)
            }
            "distinct" => Some(self.table_arg(args, "table")?.1),
            "join" => {
                self.check_join_how(args);
                self.check_join_keys(args);
                self.join_schema(args)
            }
            "union" => self.union_schema(args),
            "group_size" => {
                let (input, schema) = self.table_arg(args, "table")?;
                let by = self.columns(args, "by", &input, &schema, false)?;
                let mut fields = fields_named(&schema, &by);
                fields.push(Field::new("size", DataType::Int64, false));
                Some(Arc::new(Schema::new(fields)))
            }
            "aggregate" => self.aggregate_schema(node, args),
            "to_table" => self.items_table_schema(args),
            "write_csv" | "write_parquet" => {
                self.table_arg(args, "table");
                None
            }
            _ => None,
        }
    }

    /// The table argument `name`: the upstream node it names (or the
    /// pipeline's `input.x` of type `table<Schema>`) and its schema.
    fn table_arg(&mut self, args: &Args<'a>, name: &str) -> Option<(String, SchemaRef)> {
        let ExprKind::Ref(path) = &args.value(name)?.kind else {
            return None;
        };
        match path.as_slice() {
            [node] => {
                let schema = self.schema_of(&node.name)?;
                Some((node.name.clone(), schema))
            }
            // One table of a called pipeline's outputs (`report.totals`).
            [node, output] if self.nodes.contains_key(node.name.as_str()) => {
                let (decl, info) = self.nodes.get(node.name.as_str()).copied()?;
                let schema = self.called_pipeline_schema(decl, info, Some(&output.name))?;
                Some((format!("{}.{}", node.name, output.name), schema))
            }
            [head, input] if head.name == "input" => {
                let declared = self.info.inputs.iter().find(|i| i.name == input.name)?;
                let Type::Table(Some(schema)) = declared.ty.non_null() else {
                    return None;
                };
                let schema = self.named.schema(schema)?.arrow?;
                Some((format!("input.{}", input.name), schema))
            }
            _ => None,
        }
    }

    /// The columns of the pipeline's input `name` of type
    /// `table<Schema>`, as SQL text reads it by name (in any case).
    fn input_table_schema(&self, name: &str) -> Option<SchemaRef> {
        let declared = self
            .info
            .inputs
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))?;
        let Type::Table(Some(schema)) = declared.ty.non_null() else {
            return None;
        };
        self.named.schema(schema)?.arrow
    }

    /// The column names of a list argument, each checked against `schema`;
    /// `None` when the list is not plain strings or a column is unknown.
    fn columns(
        &mut self,
        args: &Args<'a>,
        name: &str,
        table: &str,
        schema: &Schema,
        sort_keys: bool,
    ) -> Option<Vec<String>> {
        let value = args.value(name)?;
        let items: Vec<&Expr> = match &value.kind {
            ExprKind::List(items) => items.iter().collect(),
            ExprKind::String(_) => vec![value],
            _ => return None,
        };
        let mut names = Vec::new();
        let mut all_known = true;
        for item in items {
            let ExprKind::String(literal) = &item.kind else {
                return None;
            };
            let column = literal.as_plain()?;
            let column = if sort_keys {
                sort_key(&column, false).0.to_string()
            } else {
                column
            };
            if schema.field_with_name(&column).is_err() {
                all_known = false;
                // `"amount descending"`: a known column and a word that is
                // not a direction.
                let direction = column
                    .split_once(char::is_whitespace)
                    .filter(|(name, _)| sort_keys && schema.field_with_name(name).is_ok());
                let diagnostic = match direction {
                    Some((name, word)) => Diagnostic::new(
                        codes::BAD_TABLE_OPTION,
                        format!("sort key `{column}`: `{}` is not a direction", word.trim()),
                        self.file,
                        literal.span,
                    )
                    .with_label("a column, then `desc` or `asc`")
                    .with_help(format!("write `\"{name} desc\"` or `\"{name} asc\"`")),
                    None => unknown_column(self.file, literal, &column, table, schema),
                };
                self.diagnostics.push(diagnostic);
            }
            names.push(column);
        }
        all_known.then_some(names)
    }
}

/// The names a join gives the right table's columns, in order (`None`: not
/// kept). Key columns of the same name on both sides (`on` without
/// `right_on`, given here as `shared_keys`) are kept once, from the left; a
/// right column whose name the result already has is renamed `NAME_right`
/// (`NAME_right_2`, ... if that is taken too). The checker and the runtime
/// both name columns by this rule.
pub fn join_right_names(
    left: &[&str],
    right: &[&str],
    shared_keys: &[&str],
) -> Vec<Option<String>> {
    let mut taken: Vec<String> = left.iter().map(|c| c.to_string()).collect();
    right
        .iter()
        .map(|column| {
            if shared_keys.contains(column) {
                return None;
            }
            // The name itself, then NAME_right, NAME_right_2, ...: the first free.
            let name = (0..)
                .map(|k| match k {
                    0 => column.to_string(),
                    1 => format!("{column}_right"),
                    k => format!("{column}_right_{k}"),
                })
                .find(|name| !taken.contains(name))
                .unwrap_or_default();
            taken.push(name.clone());
            Some(name)
        })
        .collect()
}

/// A `sort` key: `"amount desc"` is column `amount`, descending; a key
/// without a direction takes `descending_by_default`.
pub fn sort_key(key: &str, descending_by_default: bool) -> (&str, bool) {
    let key = key.trim();
    let lower = key.to_ascii_lowercase();
    if lower.ends_with(" desc") {
        (key[..key.len() - 5].trim_end(), true)
    } else if lower.ends_with(" asc") {
        (key[..key.len() - 4].trim_end(), false)
    } else {
        (key, descending_by_default)
    }
}

/// The fields of `schema` named by `columns`, in that order.
fn fields_named(schema: &Schema, columns: &[String]) -> Vec<Field> {
    columns
        .iter()
        .filter_map(|c| schema.field_with_name(c).ok().cloned())
        .collect()
}

/// The plain strings of a list (or one string) that name columns of `schema`.
fn existing_columns(value: &Expr, schema: &Schema) -> Vec<String> {
    let items = match &value.kind {
        ExprKind::List(items) => items.iter().collect(),
        _ => vec![value],
    };
    items
        .into_iter()
        .filter_map(plain_string)
        .filter(|column| schema.field_with_name(column).is_ok())
        .collect()
}

/// A node's arguments by parameter name.
struct Args<'a> {
    by_param: Vec<(&'a str, &'a Expr)>,
    /// Where the operator is named (`read_csv` of `read_csv(...)`).
    callee: Span,
    /// Where the call ends, after its `)`.
    call_end: u32,
}

impl<'a> Args<'a> {
    fn of(decl: &'a NodeDecl, info: &'a NodeInfo) -> Self {
        let by_param = decl
            .call
            .args
            .iter()
            .zip(&info.binds)
            .filter_map(|(arg, param)| Some((param.as_deref()?, &arg.value)))
            .collect();
        Args {
            by_param,
            callee: decl.call.callee_span,
            call_end: decl.call.span.end,
        }
    }

    fn value(&self, param: &str) -> Option<&'a Expr> {
        self.by_param
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, e)| *e)
    }

    fn string(&self, param: &str) -> Option<&'a StringLit> {
        match &self.value(param)?.kind {
            ExprKind::String(literal) => Some(literal),
            _ => None,
        }
    }
}

fn plain_string(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::String(literal) => literal.as_plain(),
        _ => None,
    }
}

/// The text of a string's part, when it is text.
fn text_of(part: Option<&StringPart>) -> Option<&str> {
    match part {
        Some(StringPart::Text { value, .. }) => Some(value.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::joins::join_kind_named;
    use super::{mentions_table_operator, sort_key, sql_identifier};

    #[test]
    fn a_table_operator_is_seen_only_where_it_is_called() {
        assert!(mentions_table_operator(b"node a = sql (\"select 1\")"));
        assert!(mentions_table_operator(
            b"node a = echo(1)\nnode b = read_csv(x)"
        ));
        assert!(!mentions_table_operator(
            b"node a = my_sql(1) // sql is not called"
        ));
        assert!(!mentions_table_operator(b"node a = echo(\"sql\")"));
        assert!(!mentions_table_operator(b"(sql"));
    }

    #[test]
    fn other_tools_names_of_join_kinds_are_known() {
        assert_eq!(join_kind_named("outer"), Some("full"));
        assert_eq!(join_kind_named("FULL OUTER JOIN"), Some("full"));
        assert_eq!(join_kind_named("left_outer"), Some("left"));
        assert_eq!(join_kind_named("leftanti"), Some("anti"));
        assert_eq!(join_kind_named("Inner"), Some("inner"));
        assert_eq!(join_kind_named("lefft"), None);
        assert_eq!(join_kind_named("cross"), None);
    }

    #[test]
    fn a_column_is_quoted_in_sql_text_unless_sql_reads_it_unchanged() {
        assert_eq!(sql_identifier("amount_2", false), "amount_2");
        assert_eq!(sql_identifier("Age", false), "\\\"Age\\\"");
        assert_eq!(sql_identifier("Age", true), "\"Age\"");
        assert_eq!(sql_identifier("Person ID", true), "\"Person ID\"");
        assert_eq!(sql_identifier("a{b", true), "\"a\\{b\"");
        assert_eq!(sql_identifier("2nd", true), "\"2nd\"");
    }

    #[test]
    fn sort_keys_read_their_direction() {
        assert_eq!(sort_key("amount desc", false), ("amount", true));
        assert_eq!(sort_key("amount  DESC", false), ("amount", true));
        assert_eq!(sort_key("amount asc", true), ("amount", false));
        assert_eq!(sort_key("amount", true), ("amount", true));
        assert_eq!(sort_key("description", false), ("description", false));
    }
}
