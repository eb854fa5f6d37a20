//! SQL planned against known schemas with DataFusion's planner (nothing
//! runs), and the way back from a position in the SQL text to the `.pipe`
//! file: a query assembled from string literals keeps, for each stretch of
//! its text, where that stretch was written.

use std::sync::{Arc, LazyLock, OnceLock};

use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::catalog::empty::EmptyTable;
use datafusion::catalog::{CatalogProviderList, MemoryCatalogProviderList};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{Diagnostic, ParamValues, ScalarValue, SchemaError, TableReference};
use datafusion::error::DataFusionError;
use datafusion::execution::SessionStateDefaults;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan};
use datafusion::optimizer::Optimizer;
use datafusion::optimizer::analyzer::type_coercion::TypeCoercionRewriter;
use datafusion::optimizer::simplify_expressions::SimplifyExpressions;
use datafusion::prelude::{SessionConfig, SessionContext};
use pipec_grammar::ast::{Expr as PipeExpr, StringLit, StringPart};
use pipec_grammar::diagnostic::{closest, edit_distance};
use pipec_grammar::span::Span;

/// SQL text and where each stretch of it comes from.
#[derive(Debug, Default)]
pub struct SqlText {
    text: String,
    segments: Vec<Segment>,
    /// The type of each parameter `$1, $2, ...` as the run binds it
    /// (`DataType::Null` where it is not known).
    parameter_types: Vec<DataType>,
    /// Where each parameter's `{expr}` is written in the file.
    parameter_spans: Vec<Span>,
}

/// A stretch of the SQL text and its place in the file.
#[derive(Debug)]
struct Segment {
    start: usize,
    end: usize,
    span: Span,
    /// Whether the stretch is the file's text byte for byte (a literal
    /// without escapes), so that positions inside it map one to one.
    exact: bool,
}

/// The `{expr}`s of SQL text written inside a quoted SQL string
/// (`where region = '{input.region}'`): a parameter there is the text `$1`,
/// not the value. Quotes are counted in the text parts; SQL's doubled quote
/// (`''`) inside a string keeps the count even.
/// Each comes with its parameter's number.
pub fn quoted_interpolations(literal: &StringLit) -> Vec<(usize, Span)> {
    let mut quotes = 0usize;
    let mut params = 0usize;
    let mut inside = Vec::new();
    for part in &literal.parts {
        match part {
            StringPart::Text { value, .. } => quotes += value.matches('\'').count(),
            StringPart::Interpolation(expr) => {
                params += 1;
                if quotes % 2 == 1 {
                    inside.push((params, expr.span));
                }
            }
        }
    }
    inside
}

impl SqlText {
    /// Appends text the checker wrote itself; positions in it map to `span`.
    pub fn push_synthetic(&mut self, text: &str, span: Span) {
        self.push(text, span, false);
    }

    /// Appends a string literal: its text as written, and each `{expr}` as
    /// the next `$n` parameter (as the runtime binds them), of a type not
    /// known.
    pub fn push_literal(&mut self, literal: &StringLit) {
        self.push_typed_literal(literal, |_| DataType::Null);
    }

    /// Appends a string literal as [`SqlText::push_literal`] does, each
    /// parameter of the type `type_of` gives its expression (the type the
    /// run binds its value as; `DataType::Null` when not known).
    pub fn push_typed_literal(
        &mut self,
        literal: &StringLit,
        type_of: impl Fn(&PipeExpr) -> DataType,
    ) {
        self.push_typed_literal_in(None, literal, type_of);
    }

    /// Appends a string literal of the file `source` as
    /// [`SqlText::push_typed_literal`] does; a text part with escapes
    /// (`\"east\"`) is mapped to the file piece by piece, so that positions
    /// between its escapes are exact.
    pub fn push_typed_literal_in(
        &mut self,
        source: Option<&str>,
        literal: &StringLit,
        type_of: impl Fn(&PipeExpr) -> DataType,
    ) {
        self.push_literal_parts(source, literal, |sql, expr| {
            sql.parameter_types.push(type_of(expr));
            sql.parameter_spans.push(expr.span);
            format!("${}", sql.parameter_types.len())
        });
    }

    /// The text of `literal` (of the file `source`) as
    /// [`crate::sql::query_text`] makes it, each `{expr}` as `NULL`, mapped
    /// to the file.
    pub fn of_query_text(source: Option<&str>, literal: &StringLit) -> SqlText {
        let mut sql = SqlText::default();
        sql.push_literal_parts(source, literal, |_, _| "NULL".to_string());
        sql
    }

    /// Appends the parts of `literal`: its text, and for each `{expr}` the
    /// text `placeholder` gives.
    fn push_literal_parts(
        &mut self,
        source: Option<&str>,
        literal: &StringLit,
        mut placeholder: impl FnMut(&mut SqlText, &PipeExpr) -> String,
    ) {
        for part in &literal.parts {
            match part {
                StringPart::Text { value, span } => {
                    let exact = value.len() == (span.end - span.start) as usize;
                    let raw = source.and_then(|s| s.get(span.start as usize..span.end as usize));
                    match raw {
                        Some(raw) if !exact => self.push_escaped(value, raw, *span),
                        _ => self.push(value, *span, exact),
                    }
                }
                StringPart::Interpolation(expr) => {
                    let text = placeholder(self, expr);
                    self.push(&text, expr.span, false);
                }
            }
        }
    }

    /// Typed nulls for the parameters, as the values a plan's placeholders
    /// are bound to, so that type coercion meets the types the run meets.
    fn parameter_values(&self) -> ParamValues {
        let values: Vec<ScalarValue> = self
            .parameter_types
            .iter()
            .map(|ty| ScalarValue::try_from(ty).unwrap_or(ScalarValue::Null))
            .collect();
        ParamValues::from(values)
    }

    /// Appends `value`, written in the file as `raw` at `span` with
    /// escapes: the stretches between escapes map exactly, each escape to
    /// its own span. If the pieces do not make `value` (an escape read
    /// otherwise), the whole is appended as one inexact stretch.
    fn push_escaped(&mut self, value: &str, raw: &str, span: Span) {
        let (text_len, segments_len) = (self.text.len(), self.segments.len());
        let at = |offset: usize| span.start + offset as u32;
        let mut run = 0;
        let mut rest = raw.char_indices();
        while let Some((i, c)) = rest.next() {
            if c != '\\' {
                continue;
            }
            if run < i {
                self.push(
                    &raw[run..i],
                    Span::new(at(run) as usize, at(i) as usize),
                    true,
                );
            }
            // The escape: `\u{...}` up to its brace, else one character.
            let end = match rest.next() {
                Some((j, 'u')) => raw[j..].find('}').map(|close| j + close + 1),
                Some((j, e)) => Some(j + e.len_utf8()),
                None => None,
            };
            let Some((end, decoded)) =
                end.and_then(|end| Some((end, pipec_grammar::parser::unescape(&raw[i..end])?)))
            else {
                break;
            };
            // Step past the rest of a `\u{...}`.
            while rest.clone().next().is_some_and(|(k, _)| k < end) {
                rest.next();
            }
            self.push(
                decoded.encode_utf8(&mut [0; 4]),
                Span::new(at(i) as usize, at(end) as usize),
                false,
            );
            run = end;
        }
        if run < raw.len() {
            self.push(
                &raw[run..],
                Span::new(at(run) as usize, at(raw.len()) as usize),
                true,
            );
        }
        if self.text.get(text_len..) != Some(value) {
            self.text.truncate(text_len);
            self.segments.truncate(segments_len);
            self.push(value, span, false);
        }
    }

    fn push(&mut self, text: &str, span: Span, exact: bool) {
        let start = self.text.len();
        self.text.push_str(text);
        self.segments.push(Segment {
            start,
            end: self.text.len(),
            span,
            exact,
        });
    }

    /// The SQL text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file span of bytes `start..end` of the SQL text.
    pub fn file_span(&self, start: usize, end: usize) -> Option<Span> {
        let containing = |offset: usize| {
            self.segments
                .iter()
                .find(|s| s.start <= offset && offset < s.end.max(s.start + 1))
        };
        let first = containing(start)?;
        if !first.exact && end <= first.end {
            return Some(first.span);
        }
        let from = if first.exact {
            first.span.start + (start - first.start) as u32
        } else {
            first.span.start
        };
        // The end: in the segment of the last byte, which may be a later
        // one (a column written between escapes, `\"east\"`).
        let last_byte = end.max(start + 1) - 1;
        let to = match containing(last_byte) {
            Some(last) if last.exact => last.span.start + (last_byte + 1 - last.start) as u32,
            Some(last) => last.span.end,
            None => first.span.end,
        };
        let limit = if first.exact && end <= first.end {
            first.span.end
        } else {
            u32::MAX
        };
        Some(Span {
            start: from,
            end: to.max(from + 1).min(limit),
        })
    }

    /// The file span of a span of the engine (lines and columns of the
    /// SQL text).
    pub(crate) fn file_span_of(&self, at: datafusion::common::Span) -> Option<Span> {
        let start = self.offset_of(at.start.line, at.start.column)?;
        let end = self.offset_of(at.end.line, at.end.column).unwrap_or(start);
        self.file_span(start, end.max(start))
    }

    /// The byte range of a 1-based line and column (characters) of the text.
    pub(crate) fn offset_of(&self, line: u64, column: u64) -> Option<usize> {
        if line == 0 || column == 0 {
            return None;
        }
        let mut offset = 0;
        for (n, text) in self.text.split_inclusive('\n').enumerate() {
            if n as u64 + 1 == line {
                let within = text
                    .char_indices()
                    .nth(column as usize - 1)
                    .map_or(text.len(), |(i, _)| i);
                return Some(offset + within);
            }
            offset += text.len();
        }
        None
    }
}

/// Why a query cannot be planned.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    /// The engine's message.
    pub message: String,
    /// Where in the file, when the engine said where in the query.
    pub span: Option<Span>,
    /// A column that does not exist, with the columns that do (qualified
    /// by their table's name or alias when the query reads several).
    pub unknown_column: Option<(String, Vec<String>)>,
    /// A quoted literal that cannot take the type it is compared with.
    pub uncastable: Option<Box<Uncastable>>,
    /// A column a grouped query names outside an aggregate and outside its
    /// GROUP BY (`select day, score ... group by day`).
    pub ungrouped: Option<String>,
    /// A column named without its table that several of the query's
    /// tables have (`dept_id` of a join), with its qualified names
    /// (`e.dept_id`, `d.dept_id`).
    pub ambiguous: Option<(String, Vec<String>)>,
    /// A function the engine does not have (`lenght(name)`), with the
    /// near ones it has (`length`), nearest first.
    pub unknown_function: Option<(String, Vec<String>)>,
    /// A column qualified by a name that is no table or alias of the query
    /// (`o.qty` where `orders` has no alias `o`): the qualifier, the column,
    /// and the names (tables or aliases) of the query's tables that have it.
    pub unknown_qualifier: Option<(String, String, Vec<String>)>,
    /// An `ORDER BY` or `GROUP BY` key written as a position beyond the
    /// result's columns (`order by 9`).
    pub key_position: Option<KeyPosition>,
    /// The parser's message, when the text does not parse.
    pub syntax: Option<String>,
    /// A conversion the engine does not have (`cast(amount as date)` with
    /// a float `amount`).
    pub impossible_cast: Option<ImpossibleCast>,
}

/// A conversion the engine does not have: planning accepts
/// `cast(amount as date)` with a float `amount`, and the run fails on it
/// ("Unsupported CAST from Float64 to Date32").
#[derive(Debug, Clone, PartialEq)]
pub struct ImpossibleCast {
    /// The converted column's name, when a column is converted.
    pub column: Option<String>,
    /// The converted value's type.
    pub from: DataType,
    /// The type it is converted to.
    pub to: DataType,
}

/// An `ORDER BY 9` or `GROUP BY 9` beyond the result's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPosition {
    /// Whether the key is a `GROUP BY` one (else `ORDER BY`).
    pub group: bool,
    /// The position as written.
    pub position: String,
    /// How many columns the result has.
    pub columns: String,
}

impl KeyPosition {
    /// The clause, as SQL writes it.
    pub fn clause(&self) -> &'static str {
        if self.group { "GROUP BY" } else { "ORDER BY" }
    }

    /// Read from the engine's message: "Order by column out of bounds,
    /// specified: 9, max: 6" or "Cannot find column with position 3 in
    /// SELECT clause. Valid columns: 1 to 2".
    fn of(message: &str) -> Option<Self> {
        let first_word = |text: &str| text.split([',', ' ', '.']).next().map(str::to_string);
        if let Some((_, rest)) = message.split_once("Order by column out of bounds, specified: ") {
            let (_, max) = rest.split_once(", max: ")?;
            return Some(KeyPosition {
                group: false,
                position: first_word(rest)?,
                columns: first_word(max)?,
            });
        }
        let (_, rest) = message.split_once("Cannot find column with position ")?;
        let (_, max) = rest.split_once("Valid columns: 1 to ")?;
        Some(KeyPosition {
            group: true,
            position: first_word(rest)?,
            columns: first_word(max)?,
        })
    }
}

/// A quoted literal that cannot be converted to the type of the column it
/// meets (`amount > 'abc'`): constant folding fails before any row is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncastable {
    /// The literal's text.
    pub value: String,
    /// The type it had to take, as the engine names it (`Float64`).
    pub to: String,
    /// Where the literal is written, when it can be found in the query.
    pub span: Option<Span>,
}

/// A query that plans: its result's schema, and the text columns that
/// DataFusion's type coercion converts to numbers or dates (`code > 5` with
/// a text `code`), value by value at run time, where the query does not
/// convert them itself.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The result's columns.
    pub schema: SchemaRef,
    /// Text columns converted implicitly: the column and the type it is
    /// converted to, with where the column is named in the file.
    pub converted_text: Vec<(String, DataType, Option<Span>)>,
    /// Number literals converted to a date or time (`day > 5`): the number
    /// as written, the type, and where it is in the file.
    pub numbers_as_dates: Vec<(String, DataType, Option<Span>)>,
    /// Text parameters that meet a number column (`qty >
    /// {input.name}` with a `string` input): where the `{expr}` is written
    /// and the type the run converts its value to.
    pub converted_parameters: Vec<(Span, DataType)>,
}

/// Where the host that runs the pipeline gets its session from, when it
/// has one ([`plan_on_sessions_from`]).
type SessionSource = Box<dyn Fn() -> Option<SessionState> + Send + Sync>;

/// The host's session source, if it gave one before the first plan.
static HOST_SESSION: OnceLock<SessionSource> = OnceLock::new();

/// The session every check plans on, with spans collected: the host's
/// ([`plan_on_sessions_from`]), else DataFusion's defaults. Building one
/// registers every built-in function (about a millisecond); a plan starts
/// from a copy with a catalog of its own.
static PLANNING_SESSION: LazyLock<SessionState> = LazyLock::new(|| {
    let mut state = HOST_SESSION
        .get()
        .and_then(|source| source())
        .unwrap_or_else(|| {
            SessionStateBuilder::new()
                .with_config(SessionConfig::new())
                .with_default_features()
                .build()
        });
    state.config_mut().options_mut().sql_parser.collect_spans = true;
    state
});

/// Plans this process's checks on a copy of the session `source` returns
/// (called once, at the first plan; `None` falls back to DataFusion's
/// defaults): `pipec run` hands the session of the table engine it is
/// starting, so that DataFusion's functions are registered once per run,
/// not once for the check and once for the run, and the check plans with
/// the run's settings. Returns false, and changes nothing, when a source
/// was given before.
pub fn plan_on_sessions_from(
    source: impl Fn() -> Option<SessionState> + Send + Sync + 'static,
) -> bool {
    HOST_SESSION.set(Box::new(source)).is_ok()
}

/// A context on `state` whose tables are its own: a copy of a session shares
/// the original's catalog, so the tables one query registers would be seen
/// by every other query on a copy of the same session. The new catalog is
/// the one DataFusion makes for a new session.
pub fn context_of_its_own(state: SessionState) -> SessionContext {
    let catalog = SessionStateDefaults::default_catalog(
        state.config(),
        state.table_factories(),
        state.runtime_env(),
    );
    let catalogs = MemoryCatalogProviderList::new();
    catalogs.register_catalog(
        state.config().options().catalog.default_catalog.clone(),
        Arc::new(catalog),
    );
    let context = SessionContext::new_with_state(state);
    context.register_catalog_list(Arc::new(catalogs) as Arc<dyn CatalogProviderList>);
    context
}

/// Plans `sql` against `tables` (name → schema). A query the engine refuses
/// gives each error it found (it collects several when they are in
/// different expressions: `select lenght(a), summ(b)`).
pub fn plan(sql: &SqlText, tables: &[(&str, SchemaRef)]) -> Result<Planned, Vec<PlanError>> {
    let context = context_of_its_own(PLANNING_SESSION.clone());
    for (name, schema) in tables {
        // `input.t` (a pipeline's table input) is one name, not schema `input`.
        let reference = if name.contains('.') {
            TableReference::bare(*name)
        } else {
            TableReference::from(*name)
        };
        let registered =
            context.register_table(reference, Arc::new(EmptyTable::new(schema.clone())));
        if let Err(error) = registered {
            return Err(plan_errors(sql, &error));
        }
    }
    let state = context.state();
    // Planning resolves names and functions; the analyzer then coerces types
    // (`amount + day` with a date is refused here, as it would be at run
    // time); simplifying folds constants, so a literal that cannot take its
    // column's type (`amount > 'abc'`) is refused too.
    // Where a type error is, when the engine does not say: the columns of
    // the smallest expression that fails the same way on its own.
    let mut located = None;
    let mut impossible = None;
    let mut converted_parameters = Vec::new();
    let planned =
        futures::executor::block_on(state.create_logical_plan(sql.text())).and_then(|written| {
            converted_parameters = text_parameters_typed_otherwise(&written, sql);
            let written = if sql.parameter_types.is_empty() {
                written
            } else {
                written.with_param_values(sql.parameter_values())?
            };
            let written_casts = text_casts(&written, tables);
            let written_dates = number_date_casts(&written);
            let plan = state
                .analyzer()
                .execute_and_check(written.clone(), state.config_options(), |_, _| {})
                .inspect_err(|error| located = failing_expression(&written, error))?;
            // The run would refuse it when it builds its physical plan.
            if let Some((cast, at)) = impossible_cast(&plan) {
                let message = format!("Unsupported CAST from {} to {}", cast.from, cast.to);
                impossible = Some((cast, at));
                return Err(DataFusionError::NotImplemented(message));
            }
            let converted = added_casts(&written_casts, text_casts(&plan, tables));
            let dated = added_casts(&written_dates, number_date_casts(&plan));
            let schema = Arc::new(plan.schema().as_arrow().clone());
            Optimizer::with_rules(vec![Arc::new(SimplifyExpressions::new())]).optimize(
                plan,
                &state,
                |_, _| {},
            )?;
            Ok((schema, converted, dated))
        });
    let (schema, converted, dated) = planned.map_err(|error| {
        let mut errors = plan_errors(sql, &error);
        if let Some((cast, at)) = impossible.take() {
            for error in errors.iter_mut() {
                error.span = at.and_then(|at| sql.file_span_of(at));
                error.impossible_cast = Some(cast.clone());
            }
            return errors;
        }
        if let [only] = errors.as_mut_slice()
            && only.span.is_none()
        {
            let failing = located.take();
            only.span = failing
                .as_ref()
                .and_then(|f| f.columns)
                .and_then(|at| sql.file_span_of(at));
            // `vip = 'yes'` with a bool `vip`: the text is what cannot be a bool.
            if let Some(text) = failing.and_then(|f| f.text_met_with_bool) {
                let quoted = format!("'{}'", text.replace('\'', "''"));
                let span = sql
                    .text()
                    .find(&quoted)
                    .and_then(|start| sql.file_span(start, start + quoted.len()));
                only.span = span.or(only.span);
                only.uncastable = Some(Box::new(Uncastable {
                    value: text,
                    to: "Boolean".to_string(),
                    span,
                }));
            }
        }
        for error in errors.iter_mut() {
            if let Some((column, span)) = missing_column_of_table(sql, &error.message, tables) {
                // The diagnostic offers every column of `tables` itself.
                error.unknown_column = Some((column, Vec::new()));
                error.span = span;
            }
        }
        for error in errors.iter_mut().filter(|e| e.span.is_none()) {
            error.span = unmatched_call(sql, &error.message, tables)
                .or_else(|| non_boolean_condition(sql, &error.message));
        }
        offer_functions(&mut errors, &state);
        errors
    })?;
    // Where a cast's expression is in the file: the engine's own span of a
    // column (the `name` of `where name > 5`, not an earlier `select name`),
    // else the first place the text is written as a word.
    let placed = |casts: Vec<Cast>| {
        casts
            .into_iter()
            .map(|cast| {
                let span = cast.at.and_then(|at| sql.file_span_of(at)).or_else(|| {
                    let start = crate::sql::find_word(sql.text(), &cast.written)?;
                    sql.file_span(start, start + cast.written.len())
                });
                (cast.written, cast.to, span)
            })
            .collect()
    };
    Ok(Planned {
        schema,
        converted_text: placed(converted),
        numbers_as_dates: placed(dated),
        converted_parameters,
    })
}

/// The text parameters of `sql` that the query meets with a number (the
/// planner types a `$n` compared with a column as that column), each once,
/// with where its `{expr}` is written: the run converts the text and fails
/// when it is not a number. (Text met with a date is how a date is given:
/// inputs have no date type.)
fn text_parameters_typed_otherwise(written: &LogicalPlan, sql: &SqlText) -> Vec<(Span, DataType)> {
    let mut found: Vec<(Span, DataType)> = Vec::new();
    for_each_expr(written, |expr| {
        if let Expr::Placeholder(placeholder) = expr
            && let Some(field) = &placeholder.field
            && field.data_type().is_numeric()
            && let Some(index) = placeholder
                .id
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
            && matches!(
                sql.parameter_types.get(index),
                Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
            )
            && let Some(span) = sql.parameter_spans.get(index)
            && !found.iter().any(|(at, _)| at == span)
        {
            found.push((*span, field.data_type().clone()));
        }
    });
    found
}

/// A cast in a plan: the expression cast as written (a column's name, a
/// number), the type it is cast to, and where the engine saw it in the
/// query text when it knows (it keeps the spans of columns, not literals).
#[derive(Debug, Clone, PartialEq)]
struct Cast {
    written: String,
    to: DataType,
    at: Option<datafusion::common::Span>,
}

/// The casts the engine's type coercion added: those of `analysed` that
/// `written` (the query before coercion) does not have, in the order of the
/// text, once for each expression and type (at its first place).
fn added_casts(written: &[Cast], mut analysed: Vec<Cast>) -> Vec<Cast> {
    for cast in written {
        if let Some(i) = analysed.iter().position(|c| c == cast) {
            analysed.remove(i);
        }
    }
    let position = |cast: &Cast| cast.at.map(|at| (at.start.line, at.start.column));
    // Known places first, then the earliest.
    let place = |cast: &Cast| (position(cast).is_none(), position(cast));
    analysed.sort_by(|a, b| {
        (a.written.cmp(&b.written))
            .then_with(|| a.to.cmp(&b.to))
            .then_with(|| place(a).cmp(&place(b)))
    });
    analysed.dedup_by(|later, first| later.written == first.written && later.to == first.to);
    analysed
}

/// The casts of a number literal to a date or time in `plan` (`day > 5`
/// compares with 1970-01-06), subqueries included.
fn number_date_casts(plan: &LogicalPlan) -> Vec<Cast> {
    let mut casts = Vec::new();
    for_each_cast(plan, |inner, to| {
        if let Expr::Literal(value, _) = inner
            && value.data_type().is_numeric()
            && !value.is_null()
            && to.is_temporal()
        {
            casts.push(Cast {
                written: value.to_string(),
                to: to.clone(),
                at: None,
            });
        }
    });
    casts
}

/// The columns called `name` in `tables`, in their order (a name several
/// joined tables have is there once per table).
pub(super) fn columns_named<'t>(
    tables: &'t [(&str, SchemaRef)],
    name: &'t str,
) -> impl Iterator<Item = &'t Field> {
    tables
        .iter()
        .filter_map(move |(_, schema)| schema.field_with_name(name).ok())
}

/// The casts of a text column (of one of `tables`) to a number or a date in
/// `plan`, subqueries included, once per cast.
fn text_casts(plan: &LogicalPlan, tables: &[(&str, SchemaRef)]) -> Vec<Cast> {
    let is_text = |name: &str| {
        columns_named(tables, name).any(|f| {
            matches!(
                f.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        })
    };
    let mut casts = Vec::new();
    for_each_cast(plan, |inner, to| {
        if let Expr::Column(column) = inner
            && (to.is_numeric() || to.is_temporal())
            && is_text(&column.name)
        {
            casts.push(Cast {
                written: column.name.clone(),
                to: to.clone(),
                at: column.spans().first(),
            });
        }
    });
    casts
}

/// The first conversion in `plan` that the engine does not have (arrow's
/// `can_cast_types`, which the run's physical planning asks), with where
/// its column is written in the query when a column is converted.
fn impossible_cast(
    plan: &LogicalPlan,
) -> Option<(ImpossibleCast, Option<datafusion::common::Span>)> {
    let mut found = None;
    let _ = plan.apply_with_subqueries(|node| {
        let schema = merge_schema(&node.inputs());
        node.apply_expressions(|expr| {
            expr.apply(|sub| {
                let (inner, to) = match sub {
                    Expr::Cast(cast) => (cast.expr.as_ref(), cast.field.data_type()),
                    Expr::TryCast(cast) => (cast.expr.as_ref(), cast.field.data_type()),
                    _ => return Ok(TreeNodeRecursion::Continue),
                };
                match inner.get_type(&schema) {
                    Ok(from) if from != *to && !can_cast_types(&from, to) => {
                        let (column, at) = match inner {
                            Expr::Column(column) => {
                                (Some(column.name.clone()), column.spans().first())
                            }
                            _ => (None, None),
                        };
                        let cast = ImpossibleCast {
                            column,
                            from,
                            to: to.clone(),
                        };
                        found = Some((cast, at));
                        Ok(TreeNodeRecursion::Stop)
                    }
                    _ => Ok(TreeNodeRecursion::Continue),
                }
            })
        })
    });
    found
}

/// Calls `visit` with the expression and target type of every cast
/// (`CAST` and `TRY_CAST`) in `plan`, subqueries included.
fn for_each_cast(plan: &LogicalPlan, mut visit: impl FnMut(&Expr, &DataType)) {
    for_each_expr(plan, |expr| match expr {
        Expr::Cast(cast) => visit(cast.expr.as_ref(), cast.field.data_type()),
        Expr::TryCast(cast) => visit(cast.expr.as_ref(), cast.field.data_type()),
        _ => {}
    });
}

/// Calls `visit` with every expression of `plan` and each of their parts,
/// subqueries included.
fn for_each_expr(plan: &LogicalPlan, mut visit: impl FnMut(&Expr)) {
    let _ = plan.apply_with_subqueries(|node| {
        node.apply_expressions(|expr| {
            expr.apply(|sub| {
                visit(sub);
                Ok(TreeNodeRecursion::Continue)
            })
        })?;
        Ok(TreeNodeRecursion::Continue)
    });
}

/// Where in the query a type error of the analyzer is: the columns of the
/// smallest expression of `written` (the plan before type coercion) that
/// fails coercion on its own with the same message, from the first column's
/// start to the last one's end. `None` when no expression does, or it names
/// no column.
fn failing_expression(written: &LogicalPlan, error: &DataFusionError) -> Option<Failing> {
    let message = error.find_root().strip_backtrace();
    let mut found = None;
    let mut found_schema = None;
    let _ = written.apply_with_subqueries(|node| {
        let schema = merge_schema(&node.inputs());
        for expr in node.expressions() {
            let mut inner = Vec::new();
            let _ = expr.apply(|sub| {
                inner.push(sub);
                Ok(TreeNodeRecursion::Continue)
            });
            // Children come after their parent: from the end, the first
            // that fails has no part that fails.
            let failing = inner.into_iter().rev().find(|sub| {
                (*sub)
                    .clone()
                    .rewrite(&mut TypeCoercionRewriter::new(&schema))
                    .is_err_and(|e| e.find_root().strip_backtrace() == message)
            });
            if let Some(sub) = failing {
                found = Some(sub.clone());
                found_schema = Some(schema);
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    let found = found?;
    let spans: Vec<_> = found
        .column_refs()
        .into_iter()
        .filter_map(|column| column.spans().first())
        .collect();
    let text_met_with_bool = match (&found, &found_schema) {
        (Expr::BinaryExpr(binary), Some(schema)) => {
            let is_bool = |e: &Expr| e.get_type(schema).is_ok_and(|t| t == DataType::Boolean);
            let text = |e: &Expr| match e {
                Expr::Literal(
                    ScalarValue::Utf8(Some(text))
                    | ScalarValue::Utf8View(Some(text))
                    | ScalarValue::LargeUtf8(Some(text)),
                    _,
                ) => Some(text.clone()),
                _ => None,
            };
            match (binary.left.as_ref(), binary.right.as_ref()) {
                (column, literal) | (literal, column)
                    if is_bool(column) && text(literal).is_some() =>
                {
                    text(literal)
                }
                _ => None,
            }
        }
        _ => None,
    };
    Some(Failing {
        columns: datafusion::common::Span::union_iter(spans),
        text_met_with_bool,
    })
}

/// The smallest expression of a query that fails type coercion.
struct Failing {
    /// The span of its columns in the SQL text.
    columns: Option<datafusion::common::Span>,
    /// A quoted text compared with a bool column (`vip = 'yes'`).
    text_met_with_bool: Option<String>,
}

/// Where the call is that "no function matches `sum(Utf8)`" (the message
/// as [`tidy`] words it) is about: the call of that function whose column
/// arguments have the types the message names, or the only call of it.
fn unmatched_call(sql: &SqlText, message: &str, tables: &[(&str, SchemaRef)]) -> Option<Span> {
    let call = message
        .strip_prefix("no function matches `")?
        .split('`')
        .next()?;
    let (name, types) = call.split_once('(')?;
    let type_of = |column: &str| {
        columns_named(tables, column)
            .next()
            .map(|field| field.data_type().to_string())
    };
    let calls = crate::sql::function_calls(sql.text(), name);
    let matching = calls.iter().find(|call| {
        call.column_arguments
            .iter()
            .flatten()
            .all(|column| type_of(column).is_some_and(|ty| types.contains(&ty)))
    });
    let call = match calls.as_slice() {
        [only] => only,
        _ => matching?,
    };
    let at = datafusion::common::Span::try_from_sqlparser_span(call.span)?;
    sql.file_span_of(at)
}

/// Where the key is that `found` is about: the first key of its clause
/// written as that number.
fn key_position_span(sql: &SqlText, found: &KeyPosition) -> Option<Span> {
    let at = *crate::sql::key_positions(sql.text(), found.group, &found.position).first()?;
    sql.file_span_of(datafusion::common::Span::try_from_sqlparser_span(at)?)
}

/// The column a "Cannot access field" error is about: `dept.dept_idd`
/// where table `dept` has no column `dept_idd` but a column `dept`, which
/// the engine then reads as a record whose field `dept_idd` it looks for.
/// The column's name and where it is written.
fn missing_column_of_table(
    sql: &SqlText,
    message: &str,
    tables: &[(&str, SchemaRef)],
) -> Option<(String, Option<Span>)> {
    if !message.starts_with("Cannot access field") {
        return None;
    }
    let missing = crate::sql::qualified_columns(sql.text())
        .into_iter()
        .find(|written| {
            tables.iter().any(|(name, schema)| {
                name.eq_ignore_ascii_case(&written.table)
                    && schema.field_with_name(&written.table).is_ok()
                    && schema.field_with_name(&written.column).is_err()
            })
        })?;
    let span = datafusion::common::Span::try_from_sqlparser_span(missing.span)
        .and_then(|at| sql.file_span_of(at));
    Some((missing.column, span))
}

/// Where the condition is that "Cannot create filter with non-boolean
/// predicate" is about (`where amount`): the query's one `WHERE`.
fn non_boolean_condition(sql: &SqlText, message: &str) -> Option<Span> {
    non_boolean_type(message)?;
    let condition = crate::sql::only_where_condition(sql.text())?;
    sql.file_span_of(datafusion::common::Span::try_from_sqlparser_span(
        condition,
    )?)
}

/// The type of a condition that is not a boolean, as the engine names it
/// (`Float64`), from its "Cannot create filter with non-boolean predicate
/// '...' returning Float64".
pub(super) fn non_boolean_type(message: &str) -> Option<&str> {
    if !message.starts_with("Cannot create filter with non-boolean predicate") {
        return None;
    }
    Some(message.rsplit_once(" returning ")?.1.trim())
}

/// Whether the engine's message is a comparison of a bool with a number
/// (`flag = 1`: "... comparison operation Boolean = Int64").
pub(super) fn is_bool_met_with_number(message: &str) -> bool {
    let Some((_, operation)) = message.rsplit_once("comparison operation ") else {
        return false;
    };
    let sides: Vec<&str> = operation.split_whitespace().collect();
    let number = |side: &str| {
        side.starts_with("Int")
            || side.starts_with("UInt")
            || side.starts_with("Float")
            || side.starts_with("Decimal")
    };
    match sides.as_slice() {
        [left, _, right] => {
            (*left == "Boolean" && number(right)) || (*right == "Boolean" && number(left))
        }
        _ => false,
    }
}

/// Each error of `error` (one, or the several of a collection).
fn plan_errors(sql: &SqlText, error: &DataFusionError) -> Vec<PlanError> {
    error.iter().map(|one| plan_error(sql, one)).collect()
}

/// A function the engine does not have, from its diagnostic ("Invalid
/// function 'lenght'"); the near ones are found by [`offer_functions`].
fn unknown_function(diagnostic: Option<&Diagnostic>) -> Option<(String, Vec<String>)> {
    let name = diagnostic?
        .message
        .strip_prefix("Invalid function '")?
        .strip_suffix('\'')?;
    Some((name.to_string(), Vec::new()))
}

/// Fills in the functions near each unknown one, from the session's
/// scalar, aggregate and window functions in name order: the engine's own
/// offer ("Possible function ...") is its first nearest in hash order, which
/// changes from process to process. A name of one or two letters is only
/// offered names one edit away.
fn offer_functions(errors: &mut [PlanError], state: &SessionState) {
    if errors.iter().all(|error| error.unknown_function.is_none()) {
        return;
    }
    let mut names: Vec<&str> = state
        .scalar_functions()
        .keys()
        .chain(state.aggregate_functions().keys())
        .chain(state.window_functions().keys())
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    for (name, near) in errors
        .iter_mut()
        .filter_map(|e| e.unknown_function.as_mut())
    {
        let short = name.chars().count() < 3;
        *near = closest(name, names.iter().copied())
            .into_iter()
            .filter(|offer| !short || edit_distance(name, offer) <= 1)
            .map(str::to_string)
            .collect();
    }
}

fn plan_error(sql: &SqlText, error: &DataFusionError) -> PlanError {
    let diagnostic = error.diagnostic();
    let span = diagnostic
        .and_then(|d| d.span)
        .and_then(|s| sql.file_span_of(s));
    let uncastable = uncastable_literal(sql, error);
    let key_position = KeyPosition::of(&error.find_root().to_string());
    let span = span
        .or_else(|| uncastable.as_ref().and_then(|u| u.span))
        .or_else(|| key_position_span(sql, key_position.as_ref()?));
    let ungrouped = ungrouped_column(error);
    let unknown_qualifier = unknown_qualifier(error);
    let unknown_column = match error.find_root() {
        _ if unknown_qualifier.is_some() => None,
        DataFusionError::SchemaError(schema_error, _) => match schema_error.as_ref() {
            SchemaError::FieldNotFound {
                field,
                valid_fields,
            } => {
                // Qualified names when the query reads several tables.
                let several = valid_fields
                    .iter()
                    .filter_map(|c| c.relation.as_ref())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
                    > 1;
                Some((
                    field.name.clone(),
                    valid_fields
                        .iter()
                        .map(|c| {
                            if several {
                                c.flat_name()
                            } else {
                                c.name.clone()
                            }
                        })
                        .collect(),
                ))
            }
            _ => None,
        },
        _ => None,
    };
    // The engine gives no position for some columns (`group by idd`): the
    // name's first whole-word use in the text is where it is written.
    let span = span.or_else(|| {
        let column = match (&unknown_column, &ungrouped) {
            (Some((column, _)), _) | (None, Some(column)) => column,
            (None, None) => return None,
        };
        let at = crate::sql::find_word(sql.text(), column)?;
        sql.file_span(at, at + column.len())
    });
    let message = match (&unknown_column, diagnostic) {
        _ if let Some(found) = &key_position => format!(
            "{} {} names the result's column at that position, and it has {} columns",
            found.clause(),
            found.position,
            found.columns
        ),
        // The engine's short message ("expressions have incompatible
        // types") needs its detail: which ones (`Utf8 + Int64`).
        (None, Some(d)) => {
            let detail = tidy(&error.find_root().strip_backtrace());
            if detail.is_empty() || detail.starts_with(&d.message) {
                d.message.clone()
            } else {
                format!("{}: {detail}", d.message)
            }
        }
        _ => tidy(&error.find_root().strip_backtrace()),
    };
    let ambiguous = match error.find_root() {
        DataFusionError::SchemaError(schema_error, _) => match schema_error.as_ref() {
            SchemaError::AmbiguousReference { field } if field.relation.is_none() => {
                let qualified = diagnostic
                    .map(|d| {
                        d.notes
                            .iter()
                            .filter_map(|n| n.message.strip_prefix("possible column "))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                Some((field.name.clone(), qualified))
            }
            _ => None,
        },
        _ => None,
    };
    let syntax = match error.find_root() {
        DataFusionError::SQL(parser_error, _) => Some(parser_error.to_string()),
        _ => None,
    };
    PlanError {
        message,
        span,
        syntax,
        ambiguous,
        unknown_column,
        uncastable,
        ungrouped,
        unknown_function: unknown_function(diagnostic),
        unknown_qualifier,
        key_position,
        impossible_cast: None,
    }
}

/// `o.qty` where the query has no table or alias `o` but has a column
/// `qty`: the qualifier, the column and the tables (as the query names
/// them) that have it.
fn unknown_qualifier(error: &DataFusionError) -> Option<(String, String, Vec<String>)> {
    let DataFusionError::SchemaError(schema_error, _) = error.find_root() else {
        return None;
    };
    let SchemaError::FieldNotFound {
        field,
        valid_fields,
    } = schema_error.as_ref()
    else {
        return None;
    };
    let qualifier = field.relation.as_ref()?.table().to_string();
    let known = valid_fields
        .iter()
        .any(|c| c.relation.as_ref().is_some_and(|r| r.table() == qualifier));
    let having: Vec<String> = valid_fields
        .iter()
        .filter(|c| c.name == field.name)
        .filter_map(|c| Some(c.relation.as_ref()?.table().to_string()))
        .collect();
    (!known && !having.is_empty()).then(|| (qualifier, field.name.clone(), having))
}

/// The column of "'t.score' must appear in GROUP BY clause ...", without
/// its table.
fn ungrouped_column(error: &DataFusionError) -> Option<String> {
    let message = &error.diagnostic()?.message;
    let (before, _) = message.split_once("' must appear in GROUP BY")?;
    let quoted = &before[before.rfind('\'')? + 1..];
    let column = quoted.rsplit_once('.').map_or(quoted, |(_, name)| name);
    Some(column.to_string())
}

/// A literal that could not take its column's type, and where it is
/// written: the engine names the value (`Cannot cast string 'abc' to value
/// of Float64 type`), not its place.
fn uncastable_literal(sql: &SqlText, error: &DataFusionError) -> Option<Box<Uncastable>> {
    const CANNOT_CAST: &str = "Cannot cast string '";
    let message = error.find_root().to_string();
    let rest = &message[message.find(CANNOT_CAST)? + CANNOT_CAST.len()..];
    let (value, rest) = rest.split_once("' to ")?;
    let to = rest
        .trim_start_matches("value of ")
        .trim_end_matches(" type")
        .to_string();
    let quoted = format!("'{}'", value.replace('\'', "''"));
    let span = sql
        .text()
        .find(&quoted)
        .and_then(|start| sql.file_span(start, start + quoted.len()));
    Some(Box::new(Uncastable {
        value: value.to_string(),
        to,
        span,
    }))
}

/// The engine's message without its category prefixes and internal detail:
/// for a call that matches no signature, the call and the candidates.
fn tidy(message: &str) -> String {
    const NO_MATCH: &str = "No function matches the given name and argument types ";
    if let Some(at) = message.find(NO_MATCH) {
        let rest = &message[at + NO_MATCH.len()..];
        let call = rest.split('.').next().unwrap_or(rest).trim_matches('\'');
        let candidates: Vec<&str> = message
            .lines()
            .skip_while(|l| !l.contains("Candidate functions:"))
            .skip(1)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        return if candidates.is_empty() {
            format!("no function matches `{call}`")
        } else {
            format!(
                "no function matches `{call}`; it takes {}",
                candidates.join(", ")
            )
        };
    }
    let mut text = message.lines().next().unwrap_or(message).trim();
    for prefix in [
        "Error during planning: ",
        "Schema error: ",
        "Internal error: ",
        "Execution error: ",
        "Arrow error: ",
        "Cast error: ",
    ] {
        while let Some(rest) = text.strip_prefix(prefix) {
            text = rest;
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{Field, Schema};
    use pipec_grammar::ast::ExprKind;

    use super::*;

    fn literal(source: &str) -> StringLit {
        let file: pipec_grammar::diagnostic::FileName = "t.pipe".into();
        let expr = pipec_grammar::parser::parse_expr(&file, source).expect("parses");
        match expr.kind {
            ExprKind::String(literal) => literal,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn people() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("age", DataType::Int64, true),
        ]))
    }

    #[test]
    fn text_between_escapes_maps_to_the_file_exactly() {
        let source = r#""city = \"Oslo\" and n > {x} \u{41}b""#;
        let mut sql = SqlText::default();
        sql.push_typed_literal_in(Some(source), &literal(source), |_| DataType::Null);
        assert_eq!(sql.text(), "city = \"Oslo\" and n > $1 Ab");
        let shown = |start: usize, end: usize| {
            let span = sql.file_span(start, end).expect("mapped");
            &source[span.start as usize..span.end as usize]
        };
        let at = |piece: &str| sql.text().find(piece).expect("in the text");
        // A quoted name spans its escapes; a word between them is exact.
        assert_eq!(shown(at("\"Oslo"), at("\"Oslo") + 6), r#"\"Oslo\""#);
        assert_eq!(shown(at("Oslo"), at("Oslo") + 4), "Oslo");
        assert_eq!(shown(at("n >"), at("n >") + 1), "n");
        assert_eq!(shown(at("b"), at("b") + 1), "b");
        // Without the file's text, a part with escapes is one stretch.
        let mut whole = SqlText::default();
        whole.push_literal(&literal(source));
        let span = whole.file_span(at("Oslo"), at("Oslo") + 4).expect("mapped");
        assert_eq!(span.start, 1);
    }

    #[test]
    fn contexts_on_one_session_see_only_their_own_tables() {
        let first = context_of_its_own(PLANNING_SESSION.clone());
        let second = context_of_its_own(PLANNING_SESSION.clone());
        first
            .register_table("people", Arc::new(EmptyTable::new(people())))
            .expect("registered");
        assert!(first.table_exist("people").expect("looked up"));
        assert!(!second.table_exist("people").expect("looked up"));
        assert!(
            !context_of_its_own(PLANNING_SESSION.clone())
                .table_exist("people")
                .expect("looked up")
        );
    }

    #[test]
    fn a_query_is_planned_against_the_schemas_it_names() {
        let mut sql = SqlText::default();
        sql.push_literal(&literal(
            r#""select name, age + 1 as next from people where age > {input.min}""#,
        ));
        assert_eq!(
            sql.text(),
            "select name, age + 1 as next from people where age > $1"
        );
        let schema = plan(&sql, &[("people", people())]).expect("plans").schema;
        let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(columns, ["name", "next"]);
    }

    #[test]
    fn an_unknown_column_points_at_itself_inside_the_string() {
        let source = r#""select nme from people""#;
        let mut sql = SqlText::default();
        sql.push_literal(&literal(source));
        let errors = plan(&sql, &[("people", people())]).expect_err("no column nme");
        let [error] = errors.as_slice() else {
            panic!("one error: {errors:?}")
        };
        let (column, valid) = error.unknown_column.clone().expect("unknown column");
        assert_eq!(column, "nme");
        assert!(valid.contains(&"name".to_string()));
        let span = error.span.expect("span");
        assert_eq!(
            &source[span.start as usize..span.end as usize],
            "nme",
            "{error:?}"
        );
    }

    #[test]
    fn messages_lose_their_prefixes_and_keep_the_candidates() {
        assert_eq!(
            tidy("Error during planning: Schema error: bad thing\nmore"),
            "bad thing"
        );
        let message = "Error during planning: Internal error: Function 'sum' failed. \
            No function matches the given name and argument types 'sum(Date32)'. You might need to add explicit type casts.\n\tCandidate functions:\n\tsum(Int64)\n\tsum(Float64)";
        assert_eq!(
            tidy(message),
            "no function matches `sum(Date32)`; it takes sum(Int64), sum(Float64)"
        );
    }

    #[test]
    fn a_literal_that_cannot_take_its_columns_type_is_refused_at_itself() {
        let source = r#""select name from people where age > 'old'""#;
        let mut sql = SqlText::default();
        sql.push_literal(&literal(source));
        let errors = plan(&sql, &[("people", people())]).expect_err("'old' is no int");
        let [error] = errors.as_slice() else {
            panic!("one error: {errors:?}")
        };
        let uncastable = error.uncastable.clone().expect("uncastable literal");
        assert_eq!(
            (uncastable.value.as_str(), uncastable.to.as_str()),
            ("old", "Int64")
        );
        let span = error.span.expect("span");
        assert_eq!(&source[span.start as usize..span.end as usize], "'old'");
    }

    #[test]
    fn text_converted_to_a_number_by_coercion_is_named_but_a_written_cast_is_not() {
        let source = r#""select name from people where name > 5 and cast(name as int) > 1""#;
        let mut sql = SqlText::default();
        sql.push_literal(&literal(source));
        let planned = plan(&sql, &[("people", people())]).expect("plans");
        assert_eq!(planned.converted_text.len(), 1, "{planned:?}");
        let (column, to, span) = planned.converted_text[0].clone();
        assert_eq!((column.as_str(), to), ("name", DataType::Int64));
        let span = span.expect("span");
        assert_eq!(&source[span.start as usize..span.end as usize], "name");
        let mut sql = SqlText::default();
        sql.push_literal(&literal(
            r#""select name from people where cast(name as int) > 1""#,
        ));
        let planned = plan(&sql, &[("people", people())]).expect("plans");
        assert!(planned.converted_text.is_empty(), "{planned:?}");
    }

    #[test]
    fn a_type_error_is_reported_with_the_engines_message() {
        let mut sql = SqlText::default();
        sql.push_literal(&literal(r#""select name from people where age""#));
        let errors = plan(&sql, &[("people", people())]).expect_err("not boolean");
        let [error] = errors.as_slice() else {
            panic!("one error: {errors:?}")
        };
        assert!(error.unknown_column.is_none());
        assert!(!error.message.is_empty());
    }

    #[test]
    fn each_unknown_function_is_reported_with_the_near_ones_in_a_fixed_order() {
        let mut sql = SqlText::default();
        sql.push_literal(&literal(r#""select lenght(name), summ(age) from people""#));
        let errors = plan(&sql, &[("people", people())]).expect_err("no such functions");
        let functions: Vec<_> = errors.iter().map(|e| e.unknown_function.clone()).collect();
        assert_eq!(
            functions,
            [
                Some(("lenght".to_string(), vec!["length".to_string()])),
                Some(("summ".to_string(), vec!["sum".to_string()])),
            ]
        );
        assert!(errors.iter().all(|e| e.span.is_some()), "{errors:?}");
    }
}
