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

pub mod items;
pub mod planner;
pub mod schema;
pub(crate) mod syntax;

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

    /// E0410 for a reader of a file that a writer node of the pipeline
    /// writes (the same path, written alike) when neither runs after the
    /// other: nodes that do not depend on each other run in parallel, so the
    /// reader would find no file, or the last run's.
    fn check_files_read_before_written(&mut self) {
        let path_of = |decl: &NodeDecl, info: &NodeInfo| -> Option<(String, Span)> {
            let value = Args::of(decl, info).value("path")?;
            Some((self.path_or_written(value)?, value.span))
        };
        fn operator(info: &NodeInfo) -> Option<&str> {
            match &info.callee {
                Some(Callee::Builtin { name }) => Some(name.as_str()),
                _ => None,
            }
        }
        let mut writers: Vec<(&str, String, Span)> = Vec::new();
        let mut readers: Vec<(&NodeDecl, &NodeInfo, String, Span)> = Vec::new();
        for member in &self.pipeline.members {
            let Member::Node(decl) = member else { continue };
            let Some(&(decl, info)) = self.nodes.get(decl.name.name.as_str()) else {
                continue;
            };
            let Some((path, span)) = path_of(decl, info) else {
                continue;
            };
            match operator(info) {
                Some(name) if name.starts_with("write_") => {
                    writers.push((info.name.as_str(), path, span));
                }
                Some("read_csv" | "read_parquet" | "read_json") => {
                    readers.push((decl, info, path, span));
                }
                _ => {}
            }
        }
        for (decl, info, path, span) in readers {
            let Some((writer, _, written_at)) = writers.iter().find(|(writer, written, _)| {
                // A writer that runs after the reader (a file read and
                // written back) is ordered already.
                *written == path
                    && !self.runs_after(&info.name, writer)
                    && !self.runs_after(writer, &info.name)
            }) else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                codes::READ_BEFORE_WRITTEN,
                format!("node `{}` reads the file node `{writer}` writes, but does not run after it", info.name),
                self.file,
                span,
            )
            .with_label("read here")
            .with_secondary(self.file, *written_at, format!("written here by `{writer}`"))
            .with_help(format!(
                "nodes that do not depend on each other run in parallel, so `{}` would find no file, or the one an earlier run left: add `{{ after {writer} }}` to it",
                info.name
            ));
            if decl.clauses_span.is_none() {
                let end = decl.call.span.end;
                diagnostic = diagnostic.with_fix(
                    format!("run it after `{writer}`"),
                    Span::new(end as usize, end as usize),
                    format!(" {{ after {writer} }}"),
                );
            }
            self.diagnostics.push(diagnostic);
        }
    }

    /// Whether node `node` runs after node `earlier`: it depends on it,
    /// directly or through other nodes (by value or `after`; `after any`
    /// waits only for the first of its nodes).
    fn runs_after(&self, node: &str, earlier: &str) -> bool {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![node];
        while let Some(next) = stack.pop() {
            let Some((_, info)) = self.nodes.get(next) else {
                continue;
            };
            for dep in &info.deps {
                if dep.kind == DepKind::AfterAny {
                    continue;
                }
                if dep.node == earlier {
                    return true;
                }
                if seen.insert(dep.node.as_str()) {
                    stack.push(dep.node.as_str());
                }
            }
        }
        false
    }

    /// The fields read from the items of `rows(t)` nodes (`r.amount`, in an
    /// argument, a clause or an output) against the columns of `t`, when
    /// they are known: a misspelt column would be null at run time.
    fn check_row_fields(&mut self) {
        let mut row_tables: HashMap<&str, (String, SchemaRef)> = HashMap::new();
        for node in &self.info.nodes {
            if let Some(table) = self.rows_table(&node.name) {
                row_tables.insert(node.name.as_str(), table);
            }
        }
        if row_tables.is_empty() {
            return;
        }
        let mut exprs: Vec<&Expr> = Vec::new();
        for member in &self.pipeline.members {
            match member {
                Member::Node(decl) => exprs.extend(decl.exprs()),
                Member::Output(output) => exprs.push(&output.value),
                _ => {}
            }
        }
        let mut unknown: Vec<(&str, &Ident)> = Vec::new();
        for expr in exprs {
            expr.for_each_ref(&mut |path| {
                if let [head, field, ..] = path
                    && let Some((_, schema)) = row_tables.get(head.name.as_str())
                    && schema.field_with_name(&field.name).is_err()
                {
                    unknown.push((head.name.as_str(), field));
                }
            });
        }
        for (rows, field) in unknown {
            let Some((table, schema)) = row_tables.get(rows) else {
                continue;
            };
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            let help = format!(
                "the items of `{rows}` are the rows of `{table}`, whose columns are: {}",
                names.join(", ")
            );
            self.diagnostics.push(
                Diagnostic::new(
                    codes::UNKNOWN_COLUMN,
                    format!("the rows of `{table}` have no column `{}`", field.name),
                    self.file,
                    field.span,
                )
                .with_label("no such column")
                .with_suggestion(
                    &field.name,
                    names.iter().copied(),
                    field.span,
                    help.clone(),
                    Some(&help),
                ),
            );
        }
    }

    /// A host plugin's `table<S>` parameters against the known schemas of
    /// the tables given to them (E0404 for a missing column).
    fn check_table_params(&mut self, node: &str, plugin: &str) {
        let named = self.named;
        let Some((decl, info)) = self.nodes.get(node).copied() else {
            return;
        };
        let args = Args::of(decl, info);
        for (param, schema_name) in named.table_params(&decl.call.callee) {
            let Some(value) = args.value(&param) else {
                continue;
            };
            let Some((table, schema)) = self.table_arg(&args, &param) else {
                continue;
            };
            let Some(expected) = named.schema(&schema_name) else {
                continue;
            };
            let have: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            let missing: Vec<&str> = expected
                .columns
                .iter()
                .map(String::as_str)
                .filter(|c| !have.contains(c))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.diagnostics.push(
                Diagnostic::new(
                    codes::TABLE_SCHEMA_MISMATCH,
                    format!(
                        "table `{table}` has no column{} {list} that `{plugin}` expects (`{param}: table<{schema_name}>`)",
                        if missing.len() > 1 { "s" } else { "" }
                    ),
                    self.file,
                    value.span,
                )
                .with_label(format!("lacks {list}"))
                .with_help(format!(
                    "the columns of `{table}` are: {}; select or compute the missing ones first",
                    have.join(", ")
                )),
            );
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

    /// The schema of table output `output` of a called pipeline (with
    /// `None`, of its one table output), worked out in the callee with the
    /// call's arguments as its inputs (`report(orders: "a.csv")` reads
    /// `a.csv`, whatever the input's default). What the callee's own check
    /// reports is not repeated here.
    fn called_pipeline_schema(
        &self,
        decl: &NodeDecl,
        info: &NodeInfo,
        output: Option<&str>,
    ) -> Known {
        if self.depth >= MAX_CALL_DEPTH
            || info.many
            || !matches!(info.callee, Some(Callee::Pipeline { .. }))
        {
            return None;
        }
        let table_outputs = record_tables(&info.item);
        let table_output = match (output, table_outputs.as_slice()) {
            (Some(output), tables) if tables.contains(&output) => output,
            (None, [one]) => *one,
            _ => return None,
        };
        let db = self.named.db;
        let found = crate::analyze::callee_at(db, self.named.source, &decl.call.callee)?;
        let Some(Item::Pipeline(callee)) = parse(db, found.source).tree.items.get(found.index)
        else {
            return None;
        };
        let analysis = analyze(db, found.source);
        let callee_info = analysis.pipelines.iter().find(|p| p.item == found.index)?;
        // The call's arguments: a plain text, or the caller's own input,
        // names a file; anything else is not known here.
        let given: HashMap<String, Option<String>> = Args::of(decl, info)
            .by_param
            .iter()
            .map(|(param, value)| (param.to_string(), self.path_text(value)))
            .collect();
        let output = callee.members.iter().find_map(|member| match member {
            Member::Output(output) if output.name.name == table_output => Some(output),
            _ => None,
        })?;
        let ExprKind::Ref(path) = &output.value.kind else {
            return None;
        };
        let [node] = path.as_slice() else {
            return None;
        };
        let named = Named {
            db,
            source: found.source,
        };
        let mut tables = PipelineTables::new(self.base, named, callee, callee_info, Some(&given));
        tables.depth = self.depth + 1;
        tables.schema_of(&node.name)
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

    /// A `to_table` node's schema: its items' record type, when every field
    /// has a column type or is a field of an `echo` record literal that
    /// reads a column of known rows (`echo({ amount: r.amount })` over
    /// `rows(orders)` is `orders.amount`'s type). Else unknown: the run
    /// infers the types from the values.
    fn items_table_schema(&mut self, args: &Args<'a>) -> Known {
        let items = args.value("items")?;
        if self.echo_of_record(items) {
            return None;
        }
        let columns =
            items::item_columns(items, |name| Some(self.nodes.get(name)?.1.value_type()))?;
        let written = self.echoed_record(items);
        let mut fields = Vec::new();
        for (name, word) in &columns {
            let data_type = match word {
                Some(word) => schema::column_data_type(word)?,
                None => {
                    let value = written?.iter().find(|f| f.name.name == *name)?;
                    self.column_read(&value.value)?
                }
            };
            fields.push(Field::new(name, data_type, true));
        }
        Some(Arc::new(Schema::new(fields)))
    }

    /// W0408 for `to_table(big)` where `big` is an `echo` of a record
    /// literal: its items are `{ value: {...} }`, so the table has one
    /// column, `value`; the fields as columns are `to_table(big.value)`.
    /// Whether it was reported (the table's columns are then not known).
    fn echo_of_record(&mut self, items: &Expr) -> bool {
        let ExprKind::Ref(path) = &items.kind else {
            return false;
        };
        let [node] = path.as_slice() else {
            return false;
        };
        let Some(ExprKind::Record(fields)) = self.echoed(&node.name).map(|v| &v.kind) else {
            return false;
        };
        let name = &node.name;
        let first = fields
            .first()
            .map_or_else(|| "id".to_string(), |f| f.name.name.clone());
        self.diagnostics.push(
            Diagnostic::new(
                codes::TABLE_OF_ECHOED_RECORDS,
                format!("`to_table({name})` makes one column, `value`: `echo` returns each record as `{{ value: ... }}`"),
                self.file,
                items.span,
            )
            .with_label("items of `echo`, each `{ value: {...} }`")
            .with_help(format!(
                "for the record's fields as columns (`{first}`, ...), make the table of `{name}.value`"
            ))
            .with_fix(
                format!("use `{name}.value`"),
                Span::new(items.span.end as usize, items.span.end as usize),
                ".value".to_string(),
            ),
        );
        true
    }

    /// The fields of the record literal `items` (`big.value`) names, when
    /// `big` is an `echo` of one.
    fn echoed_record(&self, items: &Expr) -> Option<&'a [pipec_grammar::ast::RecordField]> {
        let ExprKind::Ref(path) = &items.kind else {
            return None;
        };
        let [node, value, inner @ ..] = path.as_slice() else {
            return None;
        };
        if value.name != "value" {
            return None;
        }
        let mut expr = self.echoed(&node.name)?;
        for field in inner {
            let ExprKind::Record(fields) = &expr.kind else {
                return None;
            };
            expr = &fields.iter().find(|f| f.name.name == field.name)?.value;
        }
        match &expr.kind {
            ExprKind::Record(fields) => Some(fields.as_slice()),
            _ => None,
        }
    }

    /// The argument of node `node` when it is an `echo`.
    fn echoed(&self, node: &str) -> Option<&'a Expr> {
        let (decl, info) = self.nodes.get(node).copied()?;
        if !matches!(&info.callee, Some(Callee::Builtin { name }) if name == "echo") {
            return None;
        }
        Args::of(decl, info).value("value")
    }

    /// The type of the column `value` reads from the items of a `rows(t)`
    /// node (`r.amount`), when `t`'s schema is known.
    fn column_read(&mut self, value: &Expr) -> Option<DataType> {
        let ExprKind::Ref(path) = &value.kind else {
            return None;
        };
        let [rows, column] = path.as_slice() else {
            return None;
        };
        let (_, schema) = self.rows_table(&rows.name)?;
        Some(
            schema
                .field_with_name(&column.name)
                .ok()?
                .data_type()
                .clone(),
        )
    }

    /// When node `node` is `rows(t)` and `t`'s schema is known: `t`'s name
    /// and schema.
    fn rows_table(&mut self, node: &str) -> Option<(String, SchemaRef)> {
        let (decl, info) = self.nodes.get(node).copied()?;
        if !matches!(&info.callee, Some(Callee::Builtin { name }) if name == "rows") {
            return None;
        }
        self.table_arg(&Args::of(decl, info), "table")
    }

    fn read_schema(&mut self, operator: &str, args: &Args<'a>) -> Known {
        if let Some(literal) = args.string("schema") {
            let text = literal.as_plain()?;
            return match declared_schema(&text) {
                Ok(schema) => {
                    if operator == "read_csv" {
                        self.check_declared_against_file(args, literal, &text, &schema);
                    } else {
                        self.check_declared_names_against_file(
                            operator, args, literal, &text, &schema,
                        );
                    }
                    Some(Arc::new(schema))
                }
                Err(message) => {
                    self.diagnostics.push(
                        Diagnostic::new(codes::BAD_TABLE_SCHEMA, message, self.file, literal.span)
                            .with_label("this schema cannot be read")
                            .with_help(
                                "write `name type` pairs separated by commas, e.g. \"id int, amount float, day date\"",
                            ),
                    );
                    None
                }
            };
        }
        let value = args.value("path")?;
        let json = operator == "read_json";
        let Some(path) = self.path_arg(value) else {
            return self.written_schema(value, json);
        };
        if self.depth == 0 && self.file_of_another_format(operator, args, value, &path) {
            return None;
        }
        let kind = match operator {
            "read_csv" => self.csv_kind(args)?,
            "read_parquet" => FileKind::Parquet,
            _ => FileKind::Json,
        };
        let known = file_schema(&path, kind.clone());
        if let Some(inferred) = &known {
            if self.depth == 0 && matches!(kind, FileKind::Csv { .. }) && path.is_file() {
                self.check_csv_delimiter(args, value, &path, &kind, inferred);
                self.check_inferred_against_file(args, value, &path, &kind, inferred);
            }
            return known;
        }
        if let Some(written) = self.written_schema(value, json) {
            return Some(written);
        }
        if self.depth == 0 {
            self.check_near_file(value, &path);
        }
        None
    }

    /// W0407 for a CSV file with a header that reads as one column whose
    /// name holds another separator (`id;region;amount` read at commas).
    /// The fix passes that separator as the reader's `delimiter`.
    fn check_csv_delimiter(
        &mut self,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
        kind: &FileKind,
        inferred: &Schema,
    ) {
        let FileKind::Csv {
            delimiter,
            header: true,
            ..
        } = kind
        else {
            return;
        };
        let [field] = inferred.fields().iter().collect::<Vec<_>>()[..] else {
            return;
        };
        let name = field.name();
        let Some(other) = separator_joining(name, char::from(*delimiter)) else {
            return;
        };
        let written = shown_separator(other);
        let current = shown_separator(char::from(*delimiter));
        let shown = self.shown_path(value, path);
        let name = name.replace('\t', "\\t");
        let diagnostic = Diagnostic::new(
            codes::CSV_OTHER_DELIMITER,
            format!("`{shown}` reads as one column, `{name}`: its fields are separated by `{written}`"),
            self.file,
            value.span,
        )
        .with_label("read as one column")
        .with_help(format!(
            "`read_csv` splits lines at `{current}`; pass the file's separator: `delimiter: \"{written}\"`"
        ));
        let diagnostic = match args.value("delimiter") {
            Some(given) => diagnostic.with_fix(
                format!("read at `{written}`"),
                given.span,
                format!("\"{written}\""),
            ),
            None => diagnostic.with_fix(
                format!("read at `{written}`"),
                Span::new(args.call_end as usize - 1, args.call_end as usize - 1),
                format!(", delimiter: \"{written}\""),
            ),
        };
        self.diagnostics.push(diagnostic);
    }

    /// E0412 for a CSV file read without a schema whose first rows hold a
    /// value that its column's inferred type cannot take (`2026-13-01` in
    /// a column of dates, a number too long for an int): inference goes by
    /// each value's look, and the run would fail on that row. The fix
    /// declares the inferred schema with that column as text.
    fn check_inferred_against_file(
        &mut self,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
        kind: &FileKind,
        inferred: &Schema,
    ) {
        let Some(schema::Misfit::Value {
            line,
            column,
            value: written,
        }) = schema::csv_misfit(path, kind, inferred)
        else {
            return;
        };
        let Some(field) = inferred.fields().get(column) else {
            return;
        };
        let name = field.name();
        let word = type_word(field.data_type()).unwrap_or("its type");
        let shown = self.shown_path(value, path);
        let a_word = with_article(word);
        let diagnostic = Diagnostic::new(
            codes::INFERRED_TYPE_MISFIT,
            format!(
                "`{shown}` line {line}: '{written}' is not {a_word}, and column `{name}` reads as {word}s"
            ),
            self.file,
            value.span,
        )
        .with_label(format!("the run fails at line {line}"))
        .with_help(format!(
            "the file's first rows look like {word}s in `{name}`, so it is read as {a_word} column; declare `{name} string` in a schema to read it as text, or mend line {line}"
        ));
        // The inferred schema, that column as text, as the reader's
        // `schema:` (when every column can be written so).
        let entries: Option<Vec<String>> = inferred
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let plain = f
                    .name()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
                let word = if i == column {
                    Some("string")
                } else {
                    type_word(f.data_type())
                };
                Some(format!("{} {}", plain.then_some(f.name())?, word?))
            })
            .collect();
        // Only called for a reader without a schema.
        let diagnostic = match entries {
            Some(entries) => diagnostic.with_fix(
                format!("declare the schema, `{name}` as text"),
                Span::new(args.call_end as usize - 1, args.call_end as usize - 1),
                format!(", schema: \"{}\"", entries.join(", ")),
            ),
            _ => diagnostic,
        };
        self.diagnostics.push(diagnostic);
    }

    /// E0411 for a reader given a file that exists and holds another
    /// format (`read_parquet("orders.csv")`), which the run could not read,
    /// or would read as garbage; whether it was reported. A CSV reader is
    /// not told about bytes that are not text: they may be compressed.
    fn file_of_another_format(
        &mut self,
        operator: &str,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
    ) -> bool {
        let Some(format) = sniff_format(path) else {
            return false;
        };
        let expected = match operator {
            "read_parquet" => FileFormat::Parquet,
            "read_json" => FileFormat::Json,
            _ => FileFormat::Text,
        };
        let fits = match (expected, format) {
            (expected, found) if expected == found => true,
            // A CSV file may begin with `{` or `[`, or be compressed.
            (FileFormat::Text, FileFormat::Json | FileFormat::Binary) => true,
            _ => false,
        };
        if fits {
            return false;
        }
        let shown = self.shown_path(value, path);
        let what = match operator {
            "read_parquet" => "a Parquet file",
            "read_json" => "JSON records",
            _ => "CSV text",
        };
        let diagnostic = Diagnostic::new(
            codes::FILE_OF_ANOTHER_FORMAT,
            format!("`{shown}` is not {what}: {}", format.described()),
            self.file,
            value.span,
        )
        .with_label(format!("`{operator}` cannot read this file"));
        // The other reader takes the same arguments when only the path and
        // a schema are given.
        let plain = args
            .by_param
            .iter()
            .all(|(param, _)| matches!(*param, "path" | "schema"));
        // A path given as an input: the input may be what is wrong.
        let input = match &value.kind {
            ExprKind::Ref(parts) => parts.get(1).map(|name| name.name.as_str()),
            _ => None,
        };
        let diagnostic = match (format.reader(), input) {
            (Some(reader), Some(input)) => diagnostic.with_help(format!(
                "give `input.{input}` {what}, or read the file with `{reader}`"
            )),
            (Some(reader), None) if plain => diagnostic
                .with_help(format!("read it with `{reader}`"))
                .with_fix(format!("replace with `{reader}`"), args.callee, reader),
            (Some(reader), None) => diagnostic.with_help(format!("read it with `{reader}`")),
            (None, _) => diagnostic
                .with_help("the readers read CSV, Parquet and JSON files; convert this one first"),
        };
        self.diagnostics.push(diagnostic);
        true
    }

    /// The schema of the file at the path `value` when it is not there now
    /// and a writer node of the pipeline writes it (the same path, written
    /// alike): the written table's columns, as the reader will read them
    /// back (a JSON file has no dates: they come back as text).
    fn written_schema(&mut self, value: &Expr, json: bool) -> Known {
        let writer = self.writer_of(value)?;
        // `write_json` takes its table as `value`.
        let args = Args::of(writer.0, writer.1);
        let (_, schema) = self
            .table_arg(&args, "table")
            .or_else(|| self.table_arg(&args, "value"))?;
        if !json {
            return Some(schema);
        }
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|field| match field.data_type() {
                t if t.is_temporal() => field.as_ref().clone().with_data_type(DataType::Utf8),
                _ => field.as_ref().clone(),
            })
            .collect();
        Some(Arc::new(Schema::new(fields)))
    }

    /// A path argument's text when it is known now ([`Self::path_text`]),
    /// else as it is written in the file (two equal interpolations,
    /// `"{input.out}/t.csv"`, stand for one path).
    fn path_or_written(&self, value: &Expr) -> Option<String> {
        // `./out/t.csv` and `out/t.csv` are one path.
        let plain = |text: String| {
            Path::new(&text)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect::<PathBuf>()
                .to_string_lossy()
                .into_owned()
        };
        self.path_text(value).map(plain).or_else(|| {
            self.text
                .get(value.span.start as usize..value.span.end as usize)
                .map(str::to_string)
        })
    }

    /// W0404 for a reader's written path (a string, plain or made of text and
    /// known inputs) that names no file when a file of a near name is beside
    /// it (`orders.cvs`, next to `orders.csv`), and no writer of the pipeline
    /// writes that path. A file that is simply not there yet (made by an
    /// earlier step, or fetched) is not reported: only the near name says
    /// it is a slip.
    fn check_near_file(&mut self, value: &Expr, path: &Path) {
        let ExprKind::String(literal) = &value.kind else {
            return;
        };
        let Some(resolved) = self.path_text(value) else {
            return;
        };
        // Messages and fixes speak of the text as written.
        let written = literal.as_plain().unwrap_or(resolved);
        if path.exists() || schema::is_glob(path) || self.writer_of(value).is_some() {
            return;
        }
        let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            self.check_missing_first_read(value, &written);
            return;
        };
        let siblings: Vec<String> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                entry.file_type().ok()?.is_file().then_some(())?;
                entry.file_name().into_string().ok()
            })
            .collect();
        let Some(near) = closest(name, siblings.iter().map(String::as_str))
            .first()
            .copied()
        else {
            self.check_missing_first_read(value, &written);
            return;
        };
        let corrected = format!("{}{near}", &written[..written.len() - name.len()]);
        // The text between the quotes, when the literal is written plainly.
        let inner = Span {
            start: value.span.start + 1,
            end: value.span.end.saturating_sub(1),
        };
        let plain = self.text.get(inner.start as usize..inner.end as usize) == Some(&written);
        // Put together from inputs: the file name, when the last text ends
        // with it as written.
        let name_alone = match literal.parts.last() {
            Some(StringPart::Text { value: text, span }) if !plain && text.ends_with(name) => {
                let at = Span {
                    start: span.end.saturating_sub(name.len() as u32),
                    end: span.end,
                };
                (self.text.get(at.start as usize..at.end as usize) == Some(name)).then_some(at)
            }
            _ => None,
        };
        let mut diagnostic = Diagnostic::new(
            codes::NEAR_FILE,
            format!("no file `{written}`, but there is `{corrected}`"),
            self.file,
            value.span,
        )
        .with_label("no such file")
        .with_help(format!(
            "did you mean `{corrected}`? (a relative path is read from the directory of the file that names it)"
        ));
        if plain {
            diagnostic =
                diagnostic.with_fix(format!("replace with `{corrected}`"), inner, corrected);
        } else if let Some(at) = name_alone {
            diagnostic =
                diagnostic.with_fix(format!("replace with `{near}`"), at, near.to_string());
        }
        self.diagnostics.push(diagnostic);
    }

    /// W0409 for a reader's path that names no file when the reading node
    /// depends on nothing: it reads before any node of the pipeline runs, so
    /// nothing of the run can make the file first, and the run would fail.
    fn check_missing_first_read(&mut self, value: &Expr, written: &str) {
        let first = self.nodes.values().any(|(decl, info)| {
            info.deps.is_empty()
                && decl
                    .call
                    .args
                    .iter()
                    .any(|arg| arg.value.span == value.span)
        });
        if !first {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                codes::MISSING_FILE,
                format!("no file `{written}`"),
                self.file,
                value.span,
            )
            .with_label("no such file, and this node runs first")
            .with_help(
                "a relative path is read from the directory of the file that names it; \
                 if a step makes the file, add `after STEP` to this node",
            ),
        );
    }

    /// The writer node of the pipeline that writes the path `value` stands
    /// for (the same path, written alike), if any.
    fn writer_of(&self, value: &Expr) -> Option<(&'a NodeDecl, &'a NodeInfo)> {
        let path = self.path_or_written(value)?;
        self.nodes.values().copied().find(|(decl, info)| {
            matches!(&info.callee, Some(Callee::Builtin { name }) if name.starts_with("write_"))
                && Args::of(decl, info)
                    .value("path")
                    .and_then(|written| self.path_or_written(written))
                    .as_deref()
                    == Some(path.as_str())
        })
    }

    /// How `read_csv` reads its file: delimiter, header and null text, when
    /// written as plain values.
    fn csv_kind(&self, args: &Args<'a>) -> Option<FileKind> {
        let delimiter = match args.value("delimiter") {
            None => b',',
            Some(value) => csv_delimiter(&plain_string(value)?)?,
        };
        let header = !matches!(
            args.value("header").map(|e| &e.kind),
            Some(ExprKind::Literal(Literal::Bool(false)))
        );
        let nulls = match args.value("nulls") {
            None => None,
            Some(value) => Some(plain_string(value)?),
        };
        Some(FileKind::Csv {
            delimiter,
            header,
            nulls,
        })
    }

    /// A schema declared for a CSV file that exists now must fit its first
    /// rows (those inference reads): a value of another type or a row of
    /// another width would fail the run.
    fn check_declared_against_file(
        &mut self,
        args: &Args<'a>,
        literal: &StringLit,
        text: &str,
        schema: &Schema,
    ) {
        let Some(path) = args.value("path").and_then(|p| self.path_arg(p)) else {
            return;
        };
        let Some(kind) = self.csv_kind(args) else {
            return;
        };
        let Some(misfit) = schema::csv_misfit(&path, &kind, schema) else {
            return;
        };
        let shown = path.strip_prefix(self.base).unwrap_or(&path).display();
        let entries = schema_entries(text);
        let inside = self.inside_quotes(literal.span, text);
        let diagnostic = match misfit {
            schema::Misfit::Value {
                line,
                column,
                value,
            } => {
                let Some((offset, entry)) = entries.get(column) else {
                    return;
                };
                let span = within(inside, literal.span, *offset, entry.len());
                let inferred = file_schema(&path, kind)
                    .and_then(|s| s.fields().get(column).map(|f| f.data_type().clone()))
                    .and_then(|t| type_word(&t));
                let marker = [
                    "NA", "N/A", "n/a", "null", "NULL", "None", "-", "?", "nan", "NaN",
                ];
                let help = match inferred {
                    _ if marker.contains(&value.as_str()) => format!(
                        "if `{value}` stands for a missing value, add `nulls: \"{value}\"` to the reader"
                    ),
                    Some(word) => format!(
                        "the file's first rows read as `{word}` in this column; declare it so, or mend line {line}"
                    ),
                    None => {
                        format!("declare the column's type as the file has it, or mend line {line}")
                    }
                };
                Diagnostic::new(
                    codes::SCHEMA_FILE_MISFIT,
                    format!("`{shown}` line {line}: '{value}' does not fit the declared `{entry}`"),
                    self.file,
                    span,
                )
                .with_label("declared here")
                .with_help(help)
            }
            schema::Misfit::Fields { line, found, more } => {
                let more = if more { "more than " } else { "" };
                // A header of other columns: the ones not declared, with
                // the types the file's rows read as.
                let header = match &kind {
                    FileKind::Csv { header: true, .. } if line == 1 => {
                        file_schema(&path, kind.clone())
                    }
                    _ => None,
                };
                let help = header.map_or_else(
                    || "declare one column per field of the file, in the file's order".to_string(),
                    |found| header_help(&found, schema),
                );
                Diagnostic::new(
                    codes::SCHEMA_FILE_MISFIT,
                    format!(
                        "`{shown}` line {line} has {more}{found} fields; the declared schema has {} columns",
                        entries.len()
                    ),
                    self.file,
                    literal.span,
                )
                .with_label("declared here")
                .with_help(help)
            }
        };
        self.diagnostics.push(diagnostic);
    }

    /// A schema declared for a Parquet or JSON file that exists now names
    /// columns the file has: these readers match columns by name, so a
    /// declared name the file lacks (`categroy`) would be null in every row.
    fn check_declared_names_against_file(
        &mut self,
        operator: &str,
        args: &Args<'a>,
        literal: &StringLit,
        text: &str,
        schema: &Schema,
    ) {
        let Some(path) = args.value("path").and_then(|p| self.path_arg(p)) else {
            return;
        };
        let json = operator == "read_json";
        let kind = if json {
            FileKind::Json
        } else {
            FileKind::Parquet
        };
        let Some(found) = file_schema(&path, kind) else {
            return;
        };
        let shown = path
            .strip_prefix(self.base)
            .unwrap_or(&path)
            .display()
            .to_string();
        let names: Vec<&str> = found.fields().iter().map(|f| f.name().as_str()).collect();
        let entries = schema_entries(text);
        let inside = self.inside_quotes(literal.span, text);
        if json
            && let Some(misfit) = schema::json_misfit(&path, schema)
            && let Some(column) = schema.index_of(&misfit.field).ok()
            && let Some((offset, entry)) = entries.get(column)
        {
            let span = within(inside, literal.span, *offset, entry.len());
            let declared = schema.field(column).data_type();
            self.diagnostics.push(json_misfit(
                self.file, &shown, &misfit, &found, declared, entry, span,
            ));
        }
        if !json {
            for found in schema::parquet_misfits(&path, &found, schema) {
                let Some((offset, entry)) = entries.get(found.column) else {
                    continue;
                };
                let span = within(inside, literal.span, *offset, entry.len());
                let name = schema.field(found.column).name();
                self.diagnostics.push(declared_type_misfit(
                    self.file, &shown, name, &found, entry, span,
                ));
            }
        }
        for (column, (field, (offset, entry))) in schema.fields().iter().zip(&entries).enumerate() {
            let name = field.name();
            let in_file = found.field_with_name(name).ok();
            // JSON numbers declared as dates or times are decoded as days
            // (or microseconds) from 1970-01-01.
            if json
                && let Some(in_file) = in_file
                && schema::converts_without_meaning(in_file.data_type(), field.data_type())
            {
                let span = within(inside, literal.span, *offset, entry.len());
                let found = schema::ColumnMisfit {
                    column,
                    file_type: in_file.data_type().clone(),
                    misfit: schema::TypeMisfit::Meaning { example: None },
                };
                self.diagnostics.push(declared_type_misfit(
                    self.file, &shown, name, &found, entry, span,
                ));
            }
            // JSON numbers with fractions decoded as an int column are cut
            // (2.5 becomes 2) without a word.
            if json
                && field.data_type().is_integer()
                && let Some(in_file) = in_file
                && in_file.data_type().is_floating()
            {
                let span = within(inside, literal.span, *offset, entry.len());
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::SCHEMA_FILE_MISFIT,
                        format!(
                            "`{shown}` has numbers with fractions in `{name}`, declared `{entry}`"
                        ),
                        self.file,
                        span,
                    )
                    .with_label("declared here: 2.5 would be read as 2")
                    .with_help(format!("declare `{name} float` to keep the fractions")),
                );
            }
            if in_file.is_some() {
                continue;
            }
            // The name as written starts the entry (`categroy string`).
            let exact = inside.filter(|_| entry.starts_with(name.as_str()));
            let span = within(exact, literal.span, *offset, name.len());
            let columns = format!("the columns of `{shown}` are: {}", names.join(", "));
            let otherwise = format!("this reader matches columns by name; {columns}");
            let diagnostic = Diagnostic::new(
                codes::SCHEMA_FILE_MISFIT,
                format!("`{shown}` has no column `{name}`"),
                self.file,
                span,
            )
            .with_label("declared here: null in every row");
            let diagnostic = if exact.is_some() {
                diagnostic.with_suggestion(
                    name,
                    names.iter().copied(),
                    span,
                    otherwise,
                    Some(&columns),
                )
            } else {
                diagnostic.with_help(otherwise)
            };
            self.diagnostics.push(diagnostic);
        }
    }

    /// The span between the quotes of the string literal at `span`, when it
    /// is written as `"text"` byte for byte (no escapes, no interpolation),
    /// so that positions in `text` are positions in the file.
    fn inside_quotes(&self, span: Span, text: &str) -> Option<Span> {
        let written = self.text.get(span.start as usize..span.end as usize)?;
        (written.strip_prefix('"')?.strip_suffix('"')? == text).then(|| Span {
            start: span.start + 1,
            end: span.end - 1,
        })
    }

    /// A join's `how`, when written as plain text, is one of the join kinds.
    fn check_join_how(&mut self, args: &Args<'a>) {
        const KINDS: [&str; 6] = ["inner", "left", "right", "full", "semi", "anti"];
        let Some(value) = args.value("how") else {
            return;
        };
        let Some(how) = plain_string(value) else {
            return;
        };
        if KINDS.contains(&how.as_str()) {
            return;
        }
        let diagnostic = Diagnostic::new(
            codes::BAD_TABLE_OPTION,
            format!("a join's `how` is inner, left, right, full, semi or anti, not `{how}`"),
            self.file,
            value.span,
        )
        .with_label("not a join kind");
        // The fix replaces the text between the quotes.
        let diagnostic = match (self.inside_quotes(value.span, &how), join_kind_named(&how)) {
            // Another tool's name for a kind (`outer`, `left_outer`, `Inner`).
            (Some(inside), Some(kind)) => diagnostic
                .with_help(format!(
                    "did you mean `{kind}`? `{how}` is written `{kind}` here"
                ))
                .with_fix(format!("replace with `{kind}`"), inside, kind),
            (Some(inside), None) => diagnostic.with_suggestion(
                &how,
                KINDS,
                inside,
                "write one of inner, left, right, full, semi, anti",
                None,
            ),
            (None, _) => diagnostic.with_help("write one of inner, left, right, full, semi, anti"),
        };
        self.diagnostics.push(diagnostic);
    }

    /// A join's keys, when written as lists: `on` names at least one column,
    /// and `right_on` as many as `on` (they are matched in order). The run
    /// refuses both the same way.
    fn check_join_keys(&mut self, args: &Args<'a>) {
        let list = |name: &str| match &args.value(name)?.kind {
            ExprKind::List(items) => Some((items.len(), args.value(name)?.span)),
            _ => None,
        };
        let Some((on, on_span)) = list("on") else {
            return;
        };
        let diagnostic = if on == 0 {
            Diagnostic::new(
                codes::BAD_TABLE_OPTION,
                "a join's `on` names no columns",
                self.file,
                on_span,
            )
            .with_label("no key columns")
            .with_help("name the columns the rows are matched on: `on: [\"id\"]`; for every pair of rows, use `sql` with a cross join")
        } else {
            match list("right_on") {
                Some((right, right_span)) if right != on => Diagnostic::new(
                    codes::BAD_TABLE_OPTION,
                    format!(
                        "a join's `on` names {} and `right_on` {right}",
                        plural(on, "column")
                    ),
                    self.file,
                    right_span,
                )
                .with_label(format!("{} here", plural(right, "column")))
                .with_help(
                    "`on` and `right_on` are matched in order, the first with the first: name as many in each",
                ),
                _ => return,
            }
        };
        self.diagnostics.push(diagnostic);
    }

    /// E0408: `sql` text names node `table`, whose value is not a table.
    fn not_a_table(
        &mut self,
        node: &str,
        sql: &SqlText,
        table: &str,
        item: &Type,
        many: bool,
        whole: Span,
    ) {
        let span = sql_word_span(sql, table).unwrap_or(whole);
        let what = if many {
            format!("items of type {item}")
        } else {
            format!("a value of type {item}")
        };
        self.diagnostics.push(
            Diagnostic::new(
                codes::SQL_NOT_A_TABLE,
                format!("node `{node}` reads `{table}` as a table, but `{table}` yields {what}"),
                self.file,
                span,
            )
            .with_label("not a table")
            .with_help(match record_tables(item).as_slice() {
                [first, _, ..] if !many => format!(
                    "`sql` reads a table, or a record of exactly one table (a pipeline's outputs); `{table}` holds {}: give the one to query a node of its own, `node {table}_{first} = filter({table}.{first}, \"true\")`",
                    record_tables(item)
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => format!(
                    "`sql` reads the nodes whose value is a table (a reader, a table operator, `to_table`); to query items, make them a table first: `node {table}_table = to_table({table})`"
                ),
            }),
        );
    }

    /// E0405 for a column named twice in the list `param`, whose columns
    /// are the result's (`select(t, ["id", "id"])`): the engine refuses a
    /// result with two columns of one name. (A `by` may repeat one: the
    /// engine groups by it once.) The fix removes the second.
    fn check_repeated_columns(&mut self, args: &Args<'a>, param: &str) {
        let Some(ExprKind::List(items)) = args.value(param).map(|value| &value.kind) else {
            return;
        };
        let mut named: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Some(name) = plain_string(item) else {
                continue;
            };
            if named.contains(&name) {
                // The item with the comma before it.
                let start = index
                    .checked_sub(1)
                    .and_then(|before| items.get(before))
                    .map_or(item.span.start, |before| before.span.end);
                let span = Span {
                    start,
                    end: item.span.end,
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::BAD_TABLE_OPTION,
                        format!("column `{name}` is named twice in `{param}`"),
                        self.file,
                        item.span,
                    )
                    .with_label("named before in the list")
                    .with_help(format!(
                        "the result has one column of each name: name `{name}` once; for a copy under another name, write it in `sql` (`select {name}, {name} as {name}_2 from ...`)"
                    ))
                    .with_fix(format!("remove the second `{name}`"), span, String::new()),
                );
            } else {
                named.push(name);
            }
        }
    }

    /// E0405 for `select(t, [])`: a table of no columns, one empty
    /// record per row.
    fn check_select_not_empty(&mut self, args: &Args<'a>) {
        let Some(value) = args.value("columns") else {
            return;
        };
        if !matches!(&value.kind, ExprKind::List(items) if items.is_empty()) {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                codes::BAD_TABLE_OPTION,
                "`select` of no columns",
                self.file,
                value.span,
            )
            .with_label("no column named")
            .with_help("name the columns to keep (`select(t, [\"id\", \"amount\"])`); every row would be an empty record"),
        );
    }

    /// A limit is a count of rows: a negative literal is refused.
    fn check_limit(&mut self, args: &Args<'a>) {
        let Some(value) = args.value("n") else {
            return;
        };
        let ExprKind::Literal(Literal::Int(written)) = &value.kind else {
            return;
        };
        if !written.trim_start().starts_with('-') {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                codes::BAD_TABLE_OPTION,
                format!("a limit is a number of rows, 0 or more, not `{written}`"),
                self.file,
                value.span,
            )
            .with_label("negative")
            .with_help("`limit(t, 10)` keeps the first 10 rows; `limit(t, 0)` none"),
        );
    }

    fn join_schema(&mut self, args: &Args<'a>) -> Known {
        let (left_name, left) = self.table_arg(args, "left")?;
        let (right_name, right) = self.table_arg(args, "right")?;
        let right_on = args.value("right_on").is_some();
        let on_left = self.columns(args, "on", &left_name, &left, false);
        let right_key = if right_on { "right_on" } else { "on" };
        let before = self.diagnostics.len();
        let on_right = self.columns(args, right_key, &right_name, &right, false);
        if !right_on && let Some(on) = &on_left {
            self.offer_right_on(args, before, on, &right_name, &right);
        }
        let (on, on_right) = on_left.zip(on_right)?;
        self.check_join_key_types(args, right_key, &left, &on, &right, &on_right);
        let how = args.value("how").and_then(plain_string);
        let mut fields: Vec<Field> = left.fields().iter().map(|f| f.as_ref().clone()).collect();
        if !matches!(how.as_deref(), Some("semi" | "anti")) {
            let left_names: Vec<&str> = left.fields().iter().map(|f| f.name().as_str()).collect();
            let right_names: Vec<&str> = right.fields().iter().map(|f| f.name().as_str()).collect();
            let shared: Vec<&str> = if right_on {
                Vec::new()
            } else {
                on.iter().map(String::as_str).collect()
            };
            let names = join_right_names(&left_names, &right_names, &shared);
            for (field, name) in right.fields().iter().zip(names) {
                if let Some(name) = name {
                    fields.push(field.as_ref().clone().with_name(name));
                }
            }
        }
        Some(Arc::new(Schema::new(fields)))
    }

    /// A join's `on` key the right table names otherwise (`on:
    /// ["customer_id"]` against `customers`, whose key is `id`): the E0401s
    /// pushed since `before` for the right table get a help and a fix that
    /// add `right_on` with the right table's names for the keys, when every
    /// key the right table lacks has one right column it plainly stands for
    /// (`customer_id` ends in `_id`).
    fn offer_right_on(
        &mut self,
        args: &Args<'a>,
        before: usize,
        on: &[String],
        right_name: &str,
        right: &Schema,
    ) {
        let Some(on_value) = args.value("on") else {
            return;
        };
        let mut right_keys = Vec::new();
        for key in on {
            if right.field_with_name(key).is_ok() {
                right_keys.push(key.clone());
                continue;
            }
            let mut stands_for = right.fields().iter().map(|f| f.name()).filter(|column| {
                key.ends_with(&format!("_{column}")) || column.ends_with(&format!("_{key}"))
            });
            match (stands_for.next(), stands_for.next()) {
                (Some(column), None) => right_keys.push(column.clone()),
                _ => return,
            }
        }
        let list = |keys: &[String]| {
            keys.iter()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (on_list, right_list) = (list(on), list(&right_keys));
        let end = on_value.span.end as usize;
        for diagnostic in &mut self.diagnostics[before..] {
            if diagnostic.code != codes::UNKNOWN_COLUMN {
                continue;
            }
            diagnostic.help = Some(format!(
                "`on` names columns both tables have; to match [{on_list}] with `{right_name}`'s [{right_list}], add `right_on: [{right_list}]` (both sides' keys are kept)"
            ));
            diagnostic.fix = Some(Fix {
                message: format!("add `right_on: [{right_list}]`"),
                edits: vec![TextEdit {
                    location: Location {
                        file: self.file.clone(),
                        span: Span::new(end, end),
                    },
                    replacement: format!(", right_on: [{right_list}]"),
                }],
            });
        }
    }

    /// A union's columns, matched by name: the first table's, then those
    /// only the second has. A column of both whose kinds differ (text in one,
    /// numbers in the other) is refused: the engine would make it text, and
    /// the numbers' comparisons and sums downstream would fail or mislead.
    fn union_schema(&mut self, args: &Args<'a>) -> Known {
        let (first_name, first) = self.table_arg(args, "first")?;
        let (second_name, second) = self.table_arg(args, "second")?;
        let span = args.value("second")?.span;
        let mut fields: Vec<Field> = first.fields().iter().map(|f| f.as_ref().clone()).collect();
        let shares_a_column = second
            .fields()
            .iter()
            .any(|f| first.field_with_name(f.name()).is_ok());
        if !shares_a_column && !first.fields().is_empty() && !second.fields().is_empty() {
            let columns = |schema: &Schema| {
                schema
                    .fields()
                    .iter()
                    .map(|f| format!("`{}`", f.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.diagnostics.push(
                Diagnostic::new(
                    codes::UNION_WITHOUT_COMMON_COLUMNS,
                    format!("`{first_name}` and `{second_name}` have no column in common"),
                    self.file,
                    span,
                )
                .with_label(format!("its columns are {}", columns(&second)))
                .with_help(format!(
                    "a union matches columns by name, so each row would be null in the other table's columns; `{first_name}` has {}: rename one side's columns to match in `sql` (`select key as id, ...`), or `join` the tables",
                    columns(&first)
                )),
            );
        }
        if shares_a_column {
            self.check_union_near_names(&first_name, &first, &second_name, &second, span);
        }
        let mut all_known = true;
        for field in second.fields() {
            let Some(index) = fields.iter().position(|f| f.name() == field.name()) else {
                fields.push(field.as_ref().clone());
                continue;
            };
            let (a, b) = (fields[index].data_type().clone(), field.data_type().clone());
            if a == b {
                continue;
            }
            if a.is_numeric() && b.is_numeric() {
                fields[index] = fields[index].clone().with_data_type(DataType::Float64);
                continue;
            }
            if comparable(&a, &b) {
                continue;
            }
            all_known = false;
            self.diagnostics.push(
                Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!(
                        "column `{}` is {} in `{first_name}` but {} in `{second_name}`",
                        field.name(),
                        type_name(&a),
                        type_name(&b)
                    ),
                    self.file,
                    span,
                )
                .with_label(format!("`{}` is {} here", field.name(), type_name(&b)))
                .with_help(
                    "a union matches columns by name and each column has one type; convert one side in `sql` first, or rename the column",
                ),
            );
        }
        all_known.then(|| Arc::new(Schema::new(fields)))
    }

    /// W0406 for a column of a union's second table that the first lacks
    /// while it has one of a near name the second lacks (`amout` and
    /// `amount`): the union would keep both, each null in half the rows.
    fn check_union_near_names(
        &mut self,
        first_name: &str,
        first: &Schema,
        second_name: &str,
        second: &Schema,
        span: Span,
    ) {
        let only_in = |one: &Schema, other: &Schema| -> Vec<String> {
            one.fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|name| other.field_with_name(name).is_err())
                .collect()
        };
        let only_first = only_in(first, second);
        for name in only_in(second, first) {
            let limit = (name.chars().count() / 3).max(1);
            let near = only_first
                .iter()
                .map(|other| {
                    let distance = edit_distance(&name.to_lowercase(), &other.to_lowercase());
                    (distance, other)
                })
                .filter(|(distance, _)| *distance <= limit)
                .min();
            let Some((_, near)) = near else {
                continue;
            };
            self.diagnostics.push(
                Diagnostic::new(
                    codes::UNION_NEAR_COLUMN_NAMES,
                    format!(
                        "column `{name}` of `{second_name}` is not in `{first_name}`, which has `{near}`"
                    ),
                    self.file,
                    span,
                )
                .with_label(format!("has `{name}`, not `{near}`"))
                .with_help(format!(
                    "a union matches columns by name: `{near}` and `{name}` would be two columns, each null in the other table's rows; rename one in `sql` (`select ..., {} as {} from {second_name}`)",
                    sql_identifier(&name, true),
                    sql_identifier(near, true),
                )),
            );
        }
    }

    /// The `{expr}`s of SQL text in `literal`: E0407 for each written inside
    /// SQL quotes, E0409 for a list outside `in (...)`.
    fn check_interpolations(&mut self, literal: &StringLit) {
        self.check_list_parameters(literal);
        for (number, span) in quoted_interpolations(literal) {
            self.diagnostics.push(
                Diagnostic::new(
                    codes::QUOTED_PARAMETER,
                    format!("this interpolation is inside SQL quotes, so the query sees the text `${number}`, not its value"),
                    self.file,
                    span,
                )
                .with_label("inside '...'")
                .with_help(
                    "`{...}` in SQL text is bound as a parameter, a value of its own: remove the quotes around it (a text value is compared as text)",
                ),
            );
        }
    }

    /// The type the run binds `{expr}` in SQL text as, where the check knows
    /// it: an input's declared type (a list's items: it is bound item by
    /// item in `in (...)`), or a literal's. `DataType::Null` otherwise.
    fn parameter_type(&self, expr: &Expr) -> DataType {
        let ty = match &expr.kind {
            ExprKind::Ref(_) => self.declared_input(expr).map(|input| input.ty.clone()),
            ExprKind::String(_) => Some(Type::String),
            ExprKind::Literal(Literal::Int(_)) => Some(Type::Int),
            ExprKind::Literal(Literal::Float(_)) => Some(Type::Float),
            ExprKind::Literal(Literal::Bool(_)) => Some(Type::Bool),
            _ => None,
        };
        ty.map_or(DataType::Null, |ty| sql_type(&ty))
    }

    /// The input `expr` reads when it is `input.x`.
    fn declared_input(&self, expr: &Expr) -> Option<&'a InputInfo> {
        let ExprKind::Ref(path) = &expr.kind else {
            return None;
        };
        let [namespace, input] = path.as_slice() else {
            return None;
        };
        if namespace.name != "input" {
            return None;
        }
        self.info
            .inputs
            .iter()
            .find(|declared| declared.name == input.name)
    }

    /// E0409 for an input of a list type interpolated in SQL text anywhere
    /// but as the whole of an `in (...)`, where the run binds its items; no
    /// SQL value is a list, so the run would fail there.
    fn check_list_parameters(&mut self, literal: &StringLit) {
        for (i, part) in literal.parts.iter().enumerate() {
            let StringPart::Interpolation(expr) = part else {
                continue;
            };
            let Some(input) = self.declared_input(expr) else {
                continue;
            };
            let is_list = matches!(input.ty.non_null(), Type::List(_));
            let before = i
                .checked_sub(1)
                .and_then(|before| text_of(literal.parts.get(before)))
                .unwrap_or_default();
            let after = text_of(literal.parts.get(i + 1)).unwrap_or_default();
            if !is_list || crate::sql::is_in_list(before, after) {
                continue;
            }
            self.diagnostics.push(
                Diagnostic::new(
                    codes::LIST_PARAMETER,
                    format!("`input.{}` is a list, and no SQL value is a list", input.name),
                    self.file,
                    expr.span,
                )
                .with_label("a list here")
                .with_help(format!(
                    "a list is bound as its items only as the whole of an `in (...)`: `city in ({{input.{}}})`; elsewhere give one value (`{{input.{} | first}}`) or text (`{{input.{} | join}}`)",
                    input.name, input.name, input.name
                )),
            );
        }
    }

    /// Join keys matched in order must be comparable: the engine would cast
    /// a text key to a number (or a date) row by row and fail on the first
    /// text that is not one.
    fn check_join_key_types(
        &mut self,
        args: &Args<'a>,
        right_key: &str,
        left: &Schema,
        on: &[String],
        right: &Schema,
        on_right: &[String],
    ) {
        let spans: Vec<Span> = match args.value(right_key).map(|v| &v.kind) {
            Some(ExprKind::List(items)) => items.iter().map(|i| i.span).collect(),
            _ => return,
        };
        for ((left_key, right_key), span) in on.iter().zip(on_right).zip(spans) {
            let (Ok(l), Ok(r)) = (
                left.field_with_name(left_key),
                right.field_with_name(right_key),
            ) else {
                continue;
            };
            if comparable(l.data_type(), r.data_type()) {
                continue;
            }
            let (left_type, right_type) = (type_name(l.data_type()), type_name(r.data_type()));
            self.diagnostics.push(
                Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!(
                        "join key `{left_key}` is {left_type} on the left but `{right_key}` is {right_type} on the right"
                    ),
                    self.file,
                    span,
                )
                .with_label(format!("{right_type}, matched with {left_type} `{left_key}`"))
                .with_help(
                    "the engine would convert each key to one type and fail on the first that does not convert; join keys of one kind, or convert one side in `sql` first",
                ),
            );
        }
    }

    fn aggregate_schema(&mut self, node: &str, args: &Args<'a>) -> Known {
        let (input, schema) = self.table_arg(args, "table")?;
        let by_expr = args.value("by")?;
        // With an unknown `by` column, the values are still checked (grouped
        // by the columns that exist), so that each mistake is reported.
        let by_checked = self.columns(args, "by", &input, &schema, false);
        let by_known = by_checked.is_some();
        let by = by_checked.unwrap_or_else(|| existing_columns(by_expr, &schema));
        let ExprKind::Record(values) = &args.value("values")?.kind else {
            return None;
        };
        let mut fields = fields_named(&schema, &by);
        let group_by = if by.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = by.iter().map(|c| quoted(c)).collect();
            format!(" group by {}", list.join(", "))
        };
        let mut all_known = true;
        // Each value planned alone, so that a failure points at its own text.
        for value in values {
            let ExprKind::String(literal) = &value.value.kind else {
                all_known = false;
                continue;
            };
            self.check_interpolations(literal);
            let name = value.name.name.as_str();
            if by.iter().any(|column| column == name) {
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::BAD_TABLE_OPTION,
                        format!(
                            "node `{node}`: the value `{name}` has the name of a column it groups by"
                        ),
                        self.file,
                        value.name.span,
                    )
                    .with_label("also a `by` column")
                    .with_help(format!(
                        "the result has the `by` columns and the values side by side; give the value another name (`{name}_count`, `rows`)"
                    )),
                );
                all_known = false;
                continue;
            }
            if let Some(error) = crate::sql::expression_error(&crate::sql::query_text(literal)) {
                // The parser's own error: where it stopped.
                if error.starts_with("sql parser error: ") {
                    let sql = SqlText::of_query_text(Some(self.text), literal);
                    let lead = format!("node `{node}`: the value `{name}`");
                    self.diagnostics.push(syntax::syntax_diagnostic(
                        self.file,
                        &sql,
                        literal.span,
                        &lead,
                        &error,
                    ));
                    all_known = false;
                    continue;
                }
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::SQL_SYNTAX,
                        format!("node `{node}`: the value `{name}` is not one SQL expression: {error}"),
                        self.file,
                        literal.span,
                    )
                    .with_label("not an expression")
                    .with_help(
                        "each value is one SQL expression over the group (`sum(amount)`, `count(*)`, `max(day) - min(day)`); its name is the record's key, not `as`",
                    ),
                );
                all_known = false;
                continue;
            }
            let mut sql = SqlText::default();
            sql.push_synthetic("select ", by_expr.span);
            let source = self.text;
            sql.push_typed_literal_in(Some(source), literal, |expr| self.parameter_type(expr));
            sql.push_synthetic(
                &format!(
                    " as {} from {}{group_by}",
                    quoted(&value.name.name),
                    quoted(&input)
                ),
                value.name.span,
            );
            match self.planned(
                node,
                &sql,
                &[(input.as_str(), schema.clone())],
                literal.span,
            ) {
                Some(planned) => fields.extend(planned.fields().iter().map(|f| f.as_ref().clone())),
                None => all_known = false,
            }
        }
        (all_known && by_known).then(|| Arc::new(Schema::new(fields)))
    }

    /// Plans SQL; a failure is reported (at `whole` when the engine gives no
    /// position) and leaves the result unknown.
    fn planned(
        &mut self,
        node: &str,
        sql: &SqlText,
        tables: &[(&str, SchemaRef)],
        whole: Span,
    ) -> Known {
        match plan(sql, tables) {
            Ok(planned) => {
                for (column, to, span) in &planned.converted_text {
                    self.diagnostics.push(text_converted(
                        self.file,
                        node,
                        column,
                        to,
                        span.unwrap_or(whole),
                    ));
                }
                for (span, to) in &planned.converted_parameters {
                    self.diagnostics
                        .push(text_parameter_converted(self.file, node, to, *span));
                }
                for (number, to, span) in &planned.numbers_as_dates {
                    self.diagnostics.push(number_as_date(
                        self.file,
                        node,
                        number,
                        to,
                        span.unwrap_or(whole),
                    ));
                }
                Some(planned.schema)
            }
            Err(errors) => {
                for error in &errors {
                    let diagnostic = self.plan_diagnostic(node, sql, error, tables, whole);
                    self.diagnostics.push(diagnostic);
                }
                None
            }
        }
    }

    /// The help for `None` (or `nil`) written as a column: SQL's missing
    /// value is `null`, tested with `is null`. `k = None` is offered as
    /// `k is null`, `k != None` as `k is not null`, any other as `null`.
    fn python_none(
        &self,
        diagnostic: Diagnostic,
        whole: Span,
        span: Span,
        written: &str,
        columns_help: &str,
    ) -> Diagnostic {
        let before = self
            .text
            .get(whole.start as usize..span.start as usize)
            .unwrap_or("")
            .trim_end();
        let (operator, replacement) = if before.ends_with("!=") || before.ends_with("<>") {
            (2, "is not null")
        } else if before.ends_with("==") {
            (2, "is null")
        } else if before.ends_with('=') && !before.ends_with(">=") && !before.ends_with("<=") {
            (1, "is null")
        } else {
            (0, "null")
        };
        let from = whole.start as usize + before.len() - operator;
        diagnostic
            .with_help(format!(
                "SQL writes a missing value as `null`, and a comparison with it is never true: test it with `is null` or `is not null`, not `{written}`; {columns_help}"
            ))
            .with_fix(
                format!("write `{replacement}`"),
                Span::new(from, span.end as usize),
                replacement,
            )
    }

    /// E0401 for `o.qty` where the query has no table or alias `o`: at the
    /// qualifier, with the table that has the column offered.
    fn unknown_qualifier(
        &self,
        node: &str,
        span: Span,
        qualifier: &str,
        column: &str,
        having: &[String],
    ) -> Diagnostic {
        // The engine's span covers `o.qty`: the qualifier is its start.
        let written = self
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let exact = written.starts_with(&format!("{qualifier}."));
        let span = if exact {
            Span::new(span.start as usize, span.start as usize + qualifier.len())
        } else {
            span
        };
        let diagnostic = Diagnostic::new(
            codes::UNKNOWN_COLUMN,
            format!("no table or alias `{qualifier}` in the query of node `{node}`"),
            self.file,
            span,
        )
        .with_label(format!(
            "`{qualifier}.{column}` names no table of the query"
        ));
        // Of several tables with the column, the one the qualifier starts
        // (`r` for `returns`) is the likely one.
        let starting: Vec<&String> = having.iter().filter(|t| t.starts_with(qualifier)).collect();
        let likely: &[String] = match starting.as_slice() {
            [one] if having.len() > 1 => std::slice::from_ref(*one),
            _ => having,
        };
        match likely {
            [table] => {
                let help = format!(
                    "`{column}` is a column of `{table}`: write `{table}.{column}`, or give the table the alias where it is read (`from {table} {qualifier}`)"
                );
                let diagnostic = diagnostic.with_help(help);
                if exact {
                    diagnostic.with_fix(format!("replace with `{table}`"), span, table.clone())
                } else {
                    diagnostic
                }
            }
            many => diagnostic.with_help(format!(
                "`{column}` is a column of {}: qualify it by one of them, or give a table the alias `{qualifier}` where it is read",
                many.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn plan_diagnostic(
        &self,
        node: &str,
        sql: &SqlText,
        error: &PlanError,
        tables: &[(&str, SchemaRef)],
        whole: Span,
    ) -> Diagnostic {
        let lead = format!("node `{node}`'s SQL");
        if let Some(message) = &error.syntax {
            return syntax::syntax_diagnostic(self.file, sql, whole, &lead, message);
        }
        if let Some(diagnostic) = syntax::writing_diagnostic(self.file, sql, &lead, &error.message)
        {
            return diagnostic;
        }
        let span = error.span.unwrap_or(whole);
        if let Some((qualifier, column, having)) = &error.unknown_qualifier {
            return self.unknown_qualifier(node, span, qualifier, column, having);
        }
        if let Some(cast) = &error.impossible_cast {
            return self.impossible_cast(node, cast, span);
        }
        match &error.unknown_column {
            Some((column, valid)) => {
                let table_names: Vec<&str> = tables.iter().map(|t| t.0).collect();
                // `o.dy`: the column is the last part of what is written.
                let written = self
                    .text
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or("");
                let span = match written.rsplit_once('.') {
                    Some((_, last)) if last == column => Span {
                        start: span.end - last.len() as u32,
                        end: span.end,
                    },
                    _ => span,
                };
                let exact = self.text.get(span.start as usize..span.end as usize) == Some(column);
                let diagnostic = Diagnostic::new(
                    codes::UNKNOWN_COLUMN,
                    format!(
                        "no column `{column}` in {} (node `{node}`)",
                        describe_tables(&table_names)
                    ),
                    self.file,
                    span,
                )
                .with_label("no such column");
                let (columns_help, candidates) = known_columns(tables, valid);
                let triple = self
                    .text
                    .get(whole.start as usize..)
                    .is_some_and(|t| t.starts_with("\"\"\""));
                let written = self
                    .text
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or("");
                // `Age` written for column `Age`: SQL read it as `age`.
                if !exact && candidates.iter().any(|c| c == written) {
                    return diagnostic
                        .with_help(format!(
                            "SQL reads a name without double quotes in lower case, so `{written}` is `{column}`; write the column `{written}` in double quotes"
                        ))
                        .with_fix(
                            format!("quote `{written}`"),
                            span,
                            sql_identifier(written, triple),
                        );
                }
                // `person_id` for `Person ID`: the same words, told apart
                // only by case and separators.
                let words = |name: &str| name.to_lowercase().replace([' ', '-'], "_");
                let same_words = candidates.iter().find(|c| words(c) == words(column));
                let near = closest(column, candidates.iter().map(String::as_str));
                let best = same_words.map(String::as_str).or(near.first().copied());
                // `"east"` or `east` meant as text: SQL writes text in single
                // quotes (double quotes name a column).
                let double_quoted = written == format!("\\\"{column}\\\"")
                    || written == format!("\"{column}\"");
                let compared = {
                    let before = self
                        .text
                        .get(whole.start as usize..span.start as usize)
                        .unwrap_or("")
                        .trim_end()
                        .to_ascii_lowercase();
                    ["=", ">", "<", "like"].iter().any(|op| before.ends_with(op))
                };
                if best.is_none()
                    && written.eq_ignore_ascii_case(column)
                    && matches!(column.as_str(), "none" | "nil")
                {
                    return self.python_none(diagnostic, whole, span, written, &columns_help);
                }
                if best.is_none() && (double_quoted || (exact && compared)) {
                    let text = format!("'{}'", column.replace('\'', "''"));
                    let why = if double_quoted {
                        "double quotes name a column in SQL"
                    } else {
                        "a word without quotes names a column in SQL"
                    };
                    return diagnostic
                        .with_help(format!(
                            "{why}: if `{column}` is text, write it in single quotes ({text}); {columns_help}"
                        ))
                        .with_fix(format!("write the text {text}"), span, text);
                }
                // `order by count` after `select count(*)`: the result's
                // column is named `count(*)`.
                if best.is_none() && crate::sql::is_called(sql.text(), column) {
                    return diagnostic.with_help(format!(
                        "a call's column is named after the whole call (`{column}(...)`), not `{column}`: name it with `as` (`{column}(...) as n`) and use that name; {columns_help}"
                    ));
                }
                if !exact && !double_quoted {
                    return diagnostic.with_help(columns_help);
                }
                match best {
                    Some(best) => diagnostic
                        .with_help(format!("did you mean `{best}`? {columns_help}"))
                        .with_fix(
                            format!("replace with `{best}`"),
                            span,
                            sql_identifier(best, triple),
                        ),
                    None => diagnostic.with_help(columns_help),
                }
            }
            None if error.ungrouped.is_some() => {
                let column = error.ungrouped.as_deref().unwrap_or_default();
                Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!(
                        "node `{node}`: `{column}` is neither grouped by nor inside an aggregate"
                    ),
                    self.file,
                    span,
                )
                .with_label("one value per group is needed here")
                .with_help(format!(
                    "a grouped query has one row per group: wrap the column in an aggregate ({}), or group by it (in `aggregate`, name it in `by`)",
                    aggregates_for(column, tables)
                ))
            }
            None if error.ambiguous.is_some() => {
                let (column, qualified) = error.ambiguous.clone().unwrap_or_default();
                let choices = match qualified.as_slice() {
                    [] => format!("`table.{column}`"),
                    [only] => format!("`{only}`"),
                    [init @ .., last] => format!(
                        "{} or `{last}`",
                        init.iter()
                            .map(|q| format!("`{q}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!(
                        "node `{node}`: more than one table the query reads has a column `{column}`"
                    ),
                    self.file,
                    span,
                )
                .with_label("which table's?")
                .with_help(format!(
                    "name it with its table (or the table's alias): {choices}"
                ))
            }
            None if error.unknown_function.is_some() => {
                let (name, near) = error.unknown_function.clone().unwrap_or_default();
                let diagnostic = Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!("node `{node}`: no function `{name}`"),
                    self.file,
                    span,
                )
                .with_label("unknown function");
                const FUNCTIONS: &str = "SQL text may call DataFusion's functions (https://datafusion.apache.org/user-guide/sql/scalar_functions.html) and aggregates";
                // A fix where the span is the name itself.
                if self.text.get(span.start as usize..span.end as usize) == Some(&name) {
                    diagnostic.with_suggestion(
                        &name,
                        near.iter().map(String::as_str),
                        span,
                        FUNCTIONS,
                        None,
                    )
                } else {
                    match near.first() {
                        Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
                        None => diagnostic.with_help(FUNCTIONS),
                    }
                }
            }
            None => match &error.uncastable {
                Some(literal) if literal.to == "Boolean" => Diagnostic::new(
                    codes::TABLE_QUERY,
                    format!(
                        "node `{node}`: the text '{}' is compared with a bool column",
                        literal.value
                    ),
                    self.file,
                    span,
                )
                .with_label("text, not true or false")
                .with_help(
                    "a bool column is true or false: compare with `true` or `false`, without quotes",
                ),
                Some(literal) => {
                    let to = engine_type_name(&literal.to);
                    let a_to = with_article(&to);
                    Diagnostic::new(
                        codes::TABLE_QUERY,
                        format!("node `{node}`: '{}' is not {a_to} value", literal.value),
                        self.file,
                        span,
                    )
                    .with_label(format!("cannot be {a_to}"))
                    .with_help(format!(
                        "a quoted literal takes the type of the column it meets; write {a_to} here"
                    ))
                }
                None => match planner::non_boolean_type(&error.message) {
                    Some(engine_name) => {
                        let a_found = with_article(&engine_type_name(engine_name));
                        Diagnostic::new(
                            codes::TABLE_QUERY,
                            format!("node `{node}`: the condition is {a_found}, not true or false"),
                            self.file,
                            span,
                        )
                        .with_label(format!("{a_found}, not a boolean"))
                        .with_help(
                            "a condition keeps the rows where it is true: compare the value \
                             (`amount > 0`, `amount is not null`)",
                        )
                    }
                    None => self.unplannable(node, error, span),
                },
            },
        }
    }

    /// E0402 for a conversion the engine does not have (`cast(amount as
    /// date)` with a float `amount`), at `span`.
    fn impossible_cast(&self, node: &str, cast: &ImpossibleCast, span: Span) -> Diagnostic {
        let (from, to) = (type_name(&cast.from), type_name(&cast.to));
        let (a_from, a_to) = (with_article(&from), with_article(&to));
        let what = match &cast.column {
            Some(column) => format!("`{column}` is {a_from}, which"),
            None => format!("{a_from} value"),
        };
        let numeric_to_date =
            cast.from.is_floating() && matches!(cast.to, DataType::Date32 | DataType::Date64);
        Diagnostic::new(
            codes::TABLE_QUERY,
            format!("node `{node}`: {what} cannot be converted to {a_to}"),
            self.file,
            span,
        )
        .with_label(format!("{from}, which has no conversion to {to}"))
        .with_help(if numeric_to_date {
            format!(
                "the engine makes a date from text (`cast('2026-03-25' as date)`) or from a whole number of days since 1970-01-01, not from {a_from}: convert it to an int first if it counts days"
            )
        } else {
            format!(
                "the engine has no conversion from {from} to {to}; the run would fail here: convert through a type that has one, or compute the value another way"
            )
        })
    }

    /// A query DataFusion refuses for a reason other than a column or a literal.
    fn unplannable(&self, node: &str, error: &PlanError, span: Span) -> Diagnostic {
        let message = &error.message;
        Diagnostic::new(
            codes::TABLE_QUERY,
            format!("node `{node}`: {message}"),
            self.file,
            span,
        )
        .with_label("DataFusion cannot plan this")
        .with_help(if message.starts_with("Aggregate functions are not allowed in the WHERE") {
            "a condition is tested row by row, before any grouping: to keep groups by an aggregate, `aggregate` first and filter its result (`filter(totals, \"total > 3\")`), or write HAVING in `sql`".to_string()
        } else if planner::is_bool_met_with_number(message) {
            "a bool column is true or false: compare it with `true` or `false` (`flag = true`), or write it alone as the condition".to_string()
        } else if let Some(found) = &error.key_position {
            format!(
                "{} a position from 1 to {}, or by a column's name",
                found.clause().to_lowercase(),
                found.columns
            )
        } else {
            "the query is planned against the upstream tables' schemas as `check` knows them"
                .to_string()
        })
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

    /// How a message names the file of the path argument `value`: as
    /// written (or as its input gives it), else the resolved `path`.
    fn shown_path(&self, value: &Expr, path: &Path) -> String {
        self.path_text(value)
            .unwrap_or_else(|| path.display().to_string())
    }

    /// A path argument's value when it is known now ([`Self::path_text`]),
    /// relative to the working directory, as the run reads it.
    fn path_arg(&self, value: &Expr) -> Option<PathBuf> {
        Some(self.base.join(self.path_text(value)?))
    }

    /// A path argument's text when it is known now: a plain string, an
    /// input whose path is known (its plain string default, or the value
    /// the run or call gives it), or a string made of text and such inputs
    /// (`"{input.data}/orders.csv"`), put together as the run renders it.
    fn path_text(&self, value: &Expr) -> Option<String> {
        match &value.kind {
            ExprKind::String(literal) => {
                let mut text = String::new();
                for part in &literal.parts {
                    match part {
                        StringPart::Text { value, .. } => text.push_str(value),
                        StringPart::Interpolation(inner) => match &inner.kind {
                            ExprKind::Ref(_) => text.push_str(&self.path_text(inner)?),
                            _ => return None,
                        },
                    }
                }
                // Written text first: it resolves against the file's directory.
                match literal.parts.first() {
                    Some(StringPart::Text { .. }) => Some(crate::paths::resolve_written(
                        crate::paths::file_dir(self.file),
                        &text,
                    )),
                    _ => Some(text),
                }
            }
            ExprKind::Ref(path) => match path.as_slice() {
                [namespace, input] if namespace.name == "input" => {
                    self.input_defaults.get(input.name.as_str()).cloned()
                }
                _ => None,
            },
            _ => None,
        }
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

/// Aggregates that take `column` (of one of `tables`), as examples: `sum`
/// only for a number.
fn aggregates_for(column: &str, tables: &[(&str, SchemaRef)]) -> String {
    let numeric = planner::columns_named(tables, column).any(|f| f.data_type().is_numeric());
    if numeric {
        format!("`max({column})`, `sum({column})`, `count({column})`")
    } else {
        format!("`max({column})`, `min({column})`, `count({column})`")
    }
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

/// The SQL type a value of `ty` is bound as (the runtime's parameters:
/// numbers as Int64 or Float64, text and paths as Utf8); `Null` for a type
/// bound otherwise or not known.
fn sql_type(ty: &Type) -> DataType {
    match ty.non_null() {
        Type::Int => DataType::Int64,
        Type::Float => DataType::Float64,
        Type::String | Type::Path => DataType::Utf8,
        Type::Bool => DataType::Boolean,
        Type::List(item) => sql_type(item),
        _ => DataType::Null,
    }
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

/// The `name type` entries of a declared schema's text, trimmed, with the
/// byte offset of each in the text.
fn schema_entries(text: &str) -> Vec<(usize, &str)> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for piece in text.split(',') {
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let lead = piece.len() - piece.trim_start().len();
            entries.push((offset + lead, trimmed));
        }
        offset += piece.len() + 1;
    }
    entries
}

/// W0401: a text column that a query's types make the engine convert, value
/// by value, to a number or a date.
fn text_converted(
    file: &FileName,
    node: &str,
    column: &str,
    to: &DataType,
    span: Span,
) -> Diagnostic {
    let word = type_name(to);
    let a_word = with_article(&word);
    Diagnostic::new(
        codes::TEXT_CONVERTED,
        format!("node `{node}`: text column `{column}` is converted to {word} here, value by value"),
        file,
        span,
    )
    .with_label(format!("text, met with {a_word}"))
    .with_help(format!(
        "the run fails on the first value that is not {a_word}; to compare as text, meet it with text (`'5'`, not `5`; a `{{value}}` of type string); or write the conversion (`cast({column} as ...)`), or declare the column's type in the reader's `schema`"
    ))
}

/// The help for a declared schema of another width than a CSV file's
/// header (`found`): the header's columns, those not declared (with the
/// types the rows read as) and the declared ones not in it.
fn header_help(found: &Schema, schema: &Schema) -> String {
    let missing: Vec<String> = found
        .fields()
        .iter()
        .filter(|f| schema.field_with_name(f.name()).is_err())
        .map(|f| match type_word(f.data_type()) {
            Some(word) => format!("`{} {word}`", f.name()),
            None => format!("`{}`", f.name()),
        })
        .collect();
    let names: Vec<&str> = found.fields().iter().map(|f| f.name().as_str()).collect();
    let extra: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| found.field_with_name(f.name()).is_err())
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let mut help = format!(
        "the file's header names {}; declare one column per field, in the file's order",
        names.join(", ")
    );
    if !missing.is_empty() {
        help.push_str(&format!(": {} too", missing.join(", ")));
    }
    if !extra.is_empty() {
        help.push_str(&format!(
            "{} {} not in the header",
            if missing.is_empty() { ":" } else { "; and" },
            extra.join(", ") + if extra.len() == 1 { " is" } else { " are" }
        ));
    }
    help
}

/// The `len` bytes at `offset` of a declared schema's text, when the text
/// is written plainly between quotes (`inside`); else the whole literal.
fn within(inside: Option<Span>, literal: Span, offset: usize, len: usize) -> Span {
    inside.map_or(literal, |inside| {
        let start = inside.start as usize + offset;
        Span::new(start, start + len)
    })
}

/// E0406 for a JSON record whose field does not decode as declared: the
/// line (or record of an array file), the field and the decoder's words,
/// with what the file's records read as there (`found`, inferred).
fn json_misfit(
    file: &FileName,
    shown: &str,
    misfit: &schema::JsonMisfit,
    found: &Schema,
    declared: &DataType,
    entry: &str,
    span: Span,
) -> Diagnostic {
    let place = if misfit.in_array {
        format!("record {}", misfit.line)
    } else {
        format!("line {}", misfit.line)
    };
    let inferred = found
        .field_with_name(&misfit.field)
        .ok()
        .map(|f| f.data_type());
    let help = match inferred.and_then(type_word) {
        // Most records agree with the declaration: this one is odd.
        Some(word) if inferred == Some(declared) => format!(
            "the file's other records read as `{word}` in this field, as declared: mend {place}"
        ),
        Some(word) => format!(
            "the file's first records read as `{word}` in this field; declare it so, or mend {place}"
        ),
        None => format!("declare the field's type as the file has it, or mend {place}"),
    };
    Diagnostic::new(
        codes::SCHEMA_FILE_MISFIT,
        format!(
            "`{shown}` {place}, field `{}`: {} (declared `{entry}`)",
            misfit.field, misfit.problem
        ),
        file,
        span,
    )
    .with_label("declared here")
    .with_help(help)
}

/// E0406 for a declared column that the file (Parquet, JSON) holds as
/// another type, which the run cannot convert, or converts without meaning
/// or with loss, or fails on (`found.misfit`).
fn declared_type_misfit(
    file: &FileName,
    shown: &str,
    name: &str,
    found: &schema::ColumnMisfit,
    entry: &str,
    span: Span,
) -> Diagnostic {
    let held = schema::kind_word(&found.file_type);
    let declarable = schema::column_data_type(&held).is_some();
    let declare = if declarable {
        format!("declare `{name} {held}` as the file has it")
    } else {
        format!(
            "a declared schema names only int, float, string, bool, date and timestamp columns: leave `{name}` out of it"
        )
    };
    let (message, label, help) = match &found.misfit {
        schema::TypeMisfit::NoConversion => (
            format!(
                "`{shown}` holds `{name}` as {held}, which cannot be read as declared `{entry}`"
            ),
            "declared here".to_string(),
            if declarable {
                format!("{declare}, and convert it in `sql` where need be")
            } else {
                declare
            },
        ),
        schema::TypeMisfit::Meaning { example } => (
            format!("`{shown}` holds `{name}` as {held}, declared `{entry}`"),
            match example {
                Some((value, read_as)) => {
                    format!("declared here: {value} would be read as {read_as}")
                }
                None => "declared here".to_string(),
            },
            format!(
                "numbers and dates convert into each other as days (or microseconds) from 1970-01-01; {declare}"
            ),
        ),
        schema::TypeMisfit::Fraction {
            row,
            value,
            read_as,
        } => (
            format!("`{shown}` has numbers with fractions in `{name}`, declared `{entry}`"),
            format!("declared here: {value} (row {row}) would be read as {read_as}"),
            format!("declare `{name} float` to keep the fractions"),
        ),
        schema::TypeMisfit::Value { row, value } => (
            format!(
                "`{shown}` row {row}: '{value}' in `{name}` does not fit the declared `{entry}`"
            ),
            "declared here".to_string(),
            format!("the file holds `{name}` as {held}; {declare}, or mend row {row}"),
        ),
    };
    Diagnostic::new(codes::SCHEMA_FILE_MISFIT, message, file, span)
        .with_label(label)
        .with_help(help)
}

/// W0405: a text `{value}` the query meets with a number column (`qty >
/// {input.name}` with a `string` input).
fn text_parameter_converted(file: &FileName, node: &str, to: &DataType, span: Span) -> Diagnostic {
    let word = if to.is_integer() { "int" } else { "float" };
    Diagnostic::new(
        codes::TEXT_PARAMETER_CONVERTED,
        format!("node `{node}`: this text value is met with {} column", with_article(word)),
        file,
        span,
    )
    .with_label(format!("text, converted to {}", with_article(word)))
    .with_help(format!(
        "the run converts the text when it binds it and fails if it is not a number: declare the input `{word}`{}",
        if word == "int" { ", or convert the value (`| int`)" } else { "" }
    ))
}

/// W0403: a number the engine takes as a date or time (`day > 5`).
fn number_as_date(
    file: &FileName,
    node: &str,
    number: &str,
    to: &DataType,
    span: Span,
) -> Diagnostic {
    let taken_as = number
        .parse::<i64>()
        .ok()
        .and_then(|n| ScalarValue::Int64(Some(n)).cast_to(to).ok())
        .filter(|value| !value.is_null())
        .map_or_else(
            || format!("a {}, counted from 1970-01-01", type_name(to)),
            |value| format!("the {} {value}", type_name(to)),
        );
    Diagnostic::new(
        codes::NUMBER_AS_DATE,
        format!("node `{node}`: the number {number} is taken as {taken_as} here"),
        file,
        span,
    )
    .with_label("a number met with a date")
    .with_help(
        "compare a date with a date (`day > date '2026-01-05'`), or write the conversion you mean (`cast(5 as date)`)",
    )
}

/// Whether values of two column types can be compared as join keys without
/// converting text: the same kind (numbers, dates and times, text, bools), or
/// a column of nulls only.
fn comparable(a: &DataType, b: &DataType) -> bool {
    fn kind(t: &DataType) -> u8 {
        match t {
            t if t.is_numeric() => 1,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => 2,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => 3,
            DataType::Boolean => 4,
            DataType::Null => 0,
            _ => 5,
        }
    }
    let (a, b) = (kind(a), kind(b));
    a == b || a == 0 || b == 0 || a == 5 || b == 5
}

/// A column type as messages name it: the declared-schema word, or Arrow's name.
fn type_name(data_type: &DataType) -> String {
    type_word(data_type).map_or_else(|| data_type.to_string(), str::to_string)
}

/// A type the engine names in a message (`Float64`) as a schema says it
/// (`float`).
fn engine_type_name(engine_name: &str) -> String {
    engine_name
        .parse::<DataType>()
        .map_or_else(|_| engine_name.to_string(), |t| type_name(&t))
}

/// `word` after "a" or "an", as its first letter asks.
fn with_article(word: &str) -> String {
    let an = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if an { "an" } else { "a" })
}

/// A SQL identifier, quoted so that any column or node name is taken as written.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn describe_tables(names: &[&str]) -> String {
    match names {
        [one] => format!("table `{one}`"),
        many => format!(
            "tables {}",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What a query could have named instead of an unknown column: a help line
/// listing each table's columns (and the names the query itself made, such
/// as a CTE's columns or a select's aliases, from the engine's `valid`
/// list), and every such name as a candidate for "did you mean".
fn known_columns(tables: &[(&str, SchemaRef)], valid: &[String]) -> (String, Vec<String>) {
    let mut candidates: Vec<String> = tables
        .iter()
        .flat_map(|(_, schema)| schema.fields().iter().map(|f| f.name().clone()))
        .collect();
    // The engine's names are qualified (`a.id`) when a query reads several
    // tables; expressions (`sum(a.score)`) are not names anyone wrote.
    let made: Vec<String> = valid
        .iter()
        .filter(|c| !c.contains('('))
        .map(|c| c.rsplit_once('.').map_or(c.as_str(), |(_, name)| name))
        .filter(|name| !candidates.iter().any(|c| c == name))
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let list = |schema: &SchemaRef| {
        schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut help = match tables {
        [(one, schema)] => format!("the columns of `{one}` are: {}", list(schema)),
        _ => tables
            .iter()
            .enumerate()
            .map(|(i, (name, schema))| match i {
                0 => format!("the columns of `{name}` are: {}", list(schema)),
                _ => format!("of `{name}`: {}", list(schema)),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    if !made.is_empty() {
        help.push_str(&format!("; the query also names: {}", made.join(", ")));
    }
    candidates.extend(made);
    candidates.retain(|name| !is_joined_header(name));
    candidates.sort_unstable();
    candidates.dedup();
    (help, candidates)
}

/// A column named after a whole header of fields separated otherwise than
/// the reader splits (`id;region;amount`, W0407): never the name meant.
fn is_joined_header(name: &str) -> bool {
    separator_joining(name, '\0').is_some()
}

/// The separator other than `read_at` that joins two or more fields in the
/// column name `name` (a header that was not split), if any.
fn separator_joining(name: &str, read_at: char) -> Option<char> {
    [',', ';', '\t', '|']
        .into_iter()
        .find(|&c| c != read_at && name.split(c).filter(|p| !p.trim().is_empty()).count() >= 2)
}

/// A separator as a `.pipe` string writes it (a tab as `\t`).
fn shown_separator(separator: char) -> String {
    match separator {
        '\t' => "\\t".to_string(),
        other => other.to_string(),
    }
}

/// The text of a string's part, when it is text.
fn text_of(part: Option<&StringPart>) -> Option<&str> {
    match part {
        Some(StringPart::Text { value, .. }) => Some(value.as_str()),
        _ => None,
    }
}

/// Whether a node's value may be a table in SQL: a table, a record of one
/// table (a pipeline's outputs), or not known (`any`).
fn may_be_table(item: &Type, many: bool) -> bool {
    !many && (matches!(item.non_null(), Type::Any) || table_type(item).is_some())
}

/// The names of a record's table fields, in order.
fn record_tables(item: &Type) -> Vec<&str> {
    match item.non_null() {
        Type::Record(fields) => fields
            .iter()
            .filter(|(_, t)| matches!(t.non_null(), Type::Table(_)))
            .map(|(name, _)| name.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

/// The table type a node's value stands for: the value's own, or the one
/// table field of a record (a pipeline called as a node, `{ table: table }`).
fn table_type(item: &Type) -> Option<&Type> {
    match item.non_null() {
        table @ Type::Table(_) => Some(table),
        Type::Record(fields) => {
            let mut tables = fields
                .values()
                .filter(|t| matches!(t.non_null(), Type::Table(_)));
            match (tables.next(), tables.next()) {
                (Some(table), None) => Some(table.non_null()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Where a name stands in SQL text, as a whole word (in the file when the
/// text is written byte for byte).
fn sql_word_span(sql: &SqlText, word: &str) -> Option<Span> {
    let at = crate::sql::find_word(sql.text(), word)?;
    sql.file_span(at, at + word.len())
}

/// `n thing` or `n things`.
fn plural(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        n => format!("{n} {thing}s"),
    }
}

/// The join kind another tool's name stands for: SQL's and pandas' words
/// (`outer`, `full outer`, `left_outer`, `left semi`, `leftanti`, `INNER`).
fn join_kind_named(how: &str) -> Option<&'static str> {
    let words = how.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    let words = words.strip_suffix(" join").unwrap_or(&words);
    let words: Vec<&str> = words.split_whitespace().collect();
    Some(match words.as_slice() {
        ["inner"] => "inner",
        ["left"] | ["left", "outer"] => "left",
        ["right"] | ["right", "outer"] => "right",
        ["outer"] | ["full"] | ["full", "outer"] | ["fullouter"] => "full",
        ["semi"] | ["left", "semi"] | ["leftsemi"] => "semi",
        ["anti"] | ["left", "anti"] | ["leftanti"] => "anti",
        _ => return None,
    })
}

/// A column name as SQL text inside a `.pipe` string: as it is when SQL
/// reads it unchanged (lower case letters, digits and `_`), else in double
/// quotes, escaped as `\"` unless the string is a `"""` one.
fn sql_identifier(name: &str, triple: bool) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        return name.to_string();
    }
    let sql = format!("\"{}\"", name.replace('"', "\"\""));
    // Inside a `.pipe` string, `{`, `}` and `\` are escaped, and `"` too
    // unless the string is a `"""` one.
    let mut text = String::with_capacity(sql.len() + 4);
    for c in sql.chars() {
        if matches!(c, '{' | '}' | '\\') || (c == '"' && !triple) {
            text.push('\\');
        }
        text.push(c);
    }
    text
}

/// E0401 for a column named in a plain string literal.
fn unknown_column(
    file: &FileName,
    literal: &StringLit,
    column: &str,
    table: &str,
    schema: &Schema,
) -> Diagnostic {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let list = names.join(", ");
    // The name inside the quotes, when the literal is written without
    // escapes (a sort key's name without its direction: `"dayy desc"`).
    let inner = Span {
        start: literal.span.start + 1,
        end: literal.span.end.saturating_sub(1),
    };
    let value = literal.as_plain().unwrap_or_default();
    let at = (!literal.triple && (inner.end - inner.start) as usize == value.len())
        .then(|| value.find(column))
        .flatten();
    let exact = at.is_some();
    let span = match at {
        Some(at) => Span {
            start: inner.start + at as u32,
            end: inner.start + (at + column.len()) as u32,
        },
        None => literal.span,
    };
    let columns_help = format!("the columns of `{table}` are: {list}");
    // `"qty * price as total"`: an expression where a name is taken.
    // (A name may hold spaces, `Staff ID`, so only operators and an alias tell.)
    let expression = column.contains(['*', '+', '/', '(', ')', ',', '=', '<', '>'])
        || column.to_ascii_lowercase().contains(" as ");
    if expression {
        return Diagnostic::new(
            codes::UNKNOWN_COLUMN,
            format!("table `{table}` has no column `{column}`"),
            file,
            literal.span,
        )
        .with_label("an expression, where a column's name is taken")
        .with_help(format!(
            "this list names columns as they are; compute values in `sql` (`select *, {column} from {table}`); {columns_help}"
        ));
    }
    let diagnostic = Diagnostic::new(
        codes::UNKNOWN_COLUMN,
        format!("table `{table}` has no column `{column}`"),
        file,
        span,
    )
    .with_label("no such column");
    if exact {
        diagnostic.with_suggestion(
            column,
            names.iter().copied().filter(|name| !is_joined_header(name)),
            span,
            columns_help.clone(),
            Some(&columns_help),
        )
    } else {
        diagnostic.with_help(columns_help)
    }
}

#[cfg(test)]
mod tests {
    use super::{join_kind_named, mentions_table_operator, sort_key, sql_identifier};

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
