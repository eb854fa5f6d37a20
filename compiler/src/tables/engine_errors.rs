//! DataFusion's planning errors on SQL text turned into diagnostics at the
//! place in the file they are about: unknown columns (with the columns
//! there are and near names), unknown qualifiers, Python's `None`,
//! impossible casts, and what the engine refuses.

use super::*;

impl<'a> PipelineTables<'a> {
    /// The help for `None` (or `nil`) written as a column: SQL's missing
    /// value is `null`, tested with `is null`. `k = None` is offered as
    /// `k is null`, `k != None` as `k is not null`, any other as `null`.
    pub(super) fn python_none(
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
    pub(super) fn unknown_qualifier(
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

    pub(super) fn plan_diagnostic(
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
    pub(super) fn impossible_cast(
        &self,
        node: &str,
        cast: &ImpossibleCast,
        span: Span,
    ) -> Diagnostic {
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
    pub(super) fn unplannable(&self, node: &str, error: &PlanError, span: Span) -> Diagnostic {
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
}

/// Where a name stands in SQL text, as a whole word (in the file when the
/// text is written byte for byte).
pub(super) fn sql_word_span(sql: &SqlText, word: &str) -> Option<Span> {
    let at = crate::sql::find_word(sql.text(), word)?;
    sql.file_span(at, at + word.len())
}

/// A column name as SQL text inside a `.pipe` string: as it is when SQL
/// reads it unchanged (lower case letters, digits and `_`), else in double
/// quotes, escaped as `\"` unless the string is a `"""` one.
pub(super) fn sql_identifier(name: &str, triple: bool) -> String {
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
pub(super) fn unknown_column(
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
