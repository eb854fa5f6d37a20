//! SQL text (`sql`, `filter`, `aggregate`) planned by DataFusion at check
//! time: `{expr}` parameters and their types (W0405, E0407, E0409), the
//! aggregate's schema, and the engine's errors turned into diagnostics at
//! the place in the file they are about.

use super::*;

impl<'a> PipelineTables<'a> {
    /// The `{expr}`s of SQL text in `literal`: E0407 for each written inside
    /// SQL quotes, E0409 for a list outside `in (...)`.
    pub(super) fn check_interpolations(&mut self, literal: &StringLit) {
        self.check_list_parameters(literal);
        for (_, span) in quoted_interpolations(literal) {
            self.diagnostics.push(
                Diagnostic::new(
                    codes::QUOTED_PARAMETER,
                    "this interpolation is inside SQL quotes, so the query sees fixed text, not its value",
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
    pub(super) fn parameter_type(&self, expr: &Expr) -> DataType {
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
    pub(super) fn declared_input(&self, expr: &Expr) -> Option<&'a InputInfo> {
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
    pub(super) fn check_list_parameters(&mut self, literal: &StringLit) {
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

    pub(super) fn aggregate_schema(&mut self, node: &str, args: &Args<'a>) -> Known {
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
    pub(super) fn planned(
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
}

/// Aggregates that take `column` (of one of `tables`), as examples: `sum`
/// only for a number.
pub(super) fn aggregates_for(column: &str, tables: &[(&str, SchemaRef)]) -> String {
    let numeric = planner::columns_named(tables, column).any(|f| f.data_type().is_numeric());
    if numeric {
        format!("`max({column})`, `sum({column})`, `count({column})`")
    } else {
        format!("`max({column})`, `min({column})`, `count({column})`")
    }
}

/// The SQL type a value of `ty` is bound as (the runtime's parameters:
/// numbers as Int64 or Float64, text and paths as Utf8); `Null` for a type
/// bound otherwise or not known.
pub(super) fn sql_type(ty: &Type) -> DataType {
    match ty.non_null() {
        Type::Int => DataType::Int64,
        Type::Float => DataType::Float64,
        Type::String | Type::Path => DataType::Utf8,
        Type::Bool => DataType::Boolean,
        Type::List(item) => sql_type(item),
        _ => DataType::Null,
    }
}

/// W0401: a text column that a query's types make the engine convert, value
/// by value, to a number or a date.
pub(super) fn text_converted(
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

/// W0405: a text `{value}` the query meets with a number column (`qty >
/// {input.name}` with a `string` input).
pub(super) fn text_parameter_converted(
    file: &FileName,
    node: &str,
    to: &DataType,
    span: Span,
) -> Diagnostic {
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
pub(super) fn number_as_date(
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
