//! Joins, unions and the column options of table operators: join kinds and
//! keys (their kinds, W0406 near names), union columns (W0402), repeated or
//! empty column lists, `limit`, and a value that is not a table.

use super::*;

impl<'a> PipelineTables<'a> {
    /// A join's `how`, when written as plain text, is one of the join kinds.
    pub(super) fn check_join_how(&mut self, args: &Args<'a>) {
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
    pub(super) fn check_join_keys(&mut self, args: &Args<'a>) {
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
    pub(super) fn not_a_table(
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
    pub(super) fn check_repeated_columns(&mut self, args: &Args<'a>, param: &str) {
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
    pub(super) fn check_select_not_empty(&mut self, args: &Args<'a>) {
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
    pub(super) fn check_limit(&mut self, args: &Args<'a>) {
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

    pub(super) fn join_schema(&mut self, args: &Args<'a>) -> Known {
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
    pub(super) fn offer_right_on(
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
    pub(super) fn union_schema(&mut self, args: &Args<'a>) -> Known {
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
    pub(super) fn check_union_near_names(
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

    /// Join keys matched in order must be comparable: the engine would cast
    /// a text key to a number (or a date) row by row and fail on the first
    /// text that is not one.
    pub(super) fn check_join_key_types(
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
}

/// The join kind another tool's name stands for: SQL's and pandas' words
/// (`outer`, `full outer`, `left_outer`, `left semi`, `leftanti`, `INNER`).
pub(super) fn join_kind_named(how: &str) -> Option<&'static str> {
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
