//! Tables made of items and items made of tables: `to_table` of a node's
//! items (its columns from the items' record type, W0408 for `echo`
//! records), `rows(t)` and the fields its rows have, and which values may
//! be tables.

use super::*;

impl<'a> PipelineTables<'a> {
    /// The fields read from the items of `rows(t)` nodes (`r.amount`, in an
    /// argument, a clause or an output) against the columns of `t`, when
    /// they are known: a misspelt column would be null at run time.
    pub(super) fn check_row_fields(&mut self) {
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

    /// A `to_table` node's schema: its items' record type, when every field
    /// has a column type or is a field of an `echo` record literal that
    /// reads a column of known rows (`echo({ amount: r.amount })` over
    /// `rows(orders)` is `orders.amount`'s type). Else unknown: the run
    /// infers the types from the values.
    pub(super) fn items_table_schema(&mut self, args: &Args<'a>) -> Known {
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
    pub(super) fn echo_of_record(&mut self, items: &Expr) -> bool {
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
    pub(super) fn echoed_record(
        &self,
        items: &Expr,
    ) -> Option<&'a [pipec_grammar::ast::RecordField]> {
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
    pub(super) fn echoed(&self, node: &str) -> Option<&'a Expr> {
        let (decl, info) = self.nodes.get(node).copied()?;
        if !matches!(&info.callee, Some(Callee::Builtin { name }) if name == "echo") {
            return None;
        }
        Args::of(decl, info).value("value")
    }

    /// The type of the column `value` reads from the items of a `rows(t)`
    /// node (`r.amount`), when `t`'s schema is known.
    pub(super) fn column_read(&mut self, value: &Expr) -> Option<DataType> {
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
    pub(super) fn rows_table(&mut self, node: &str) -> Option<(String, SchemaRef)> {
        let (decl, info) = self.nodes.get(node).copied()?;
        if !matches!(&info.callee, Some(Callee::Builtin { name }) if name == "rows") {
            return None;
        }
        self.table_arg(&Args::of(decl, info), "table")
    }
}

/// Whether a node's value may be a table in SQL: a table, a record of one
/// table (a pipeline's outputs), or not known (`any`).
pub(super) fn may_be_table(item: &Type, many: bool) -> bool {
    !many && (matches!(item.non_null(), Type::Any) || table_type(item).is_some())
}

/// The names of a record's table fields, in order.
pub(super) fn record_tables(item: &Type) -> Vec<&str> {
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
pub(super) fn table_type(item: &Type) -> Option<&Type> {
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
