//! The tables an `sql` text names: upstream nodes, or the pipeline's
//! `table` inputs by name (E0303 for a name that is neither).

use super::*;

impl Checker<'_> {
    /// The pipeline's input of type `table` that SQL text names `name`
    /// (SQL reads an unquoted name in lower case, so in any case), if any.
    pub(super) fn table_input(&self, name: &str) -> Option<String> {
        self.table_inputs()
            .into_iter()
            .find(|input| input.eq_ignore_ascii_case(name))
    }

    /// The pipeline's inputs of type `table`, in name order.
    pub(super) fn table_inputs(&self) -> Vec<String> {
        let mut inputs: Vec<String> = self
            .pipeline_scope
            .as_ref()
            .map(|scope| {
                scope
                    .inputs
                    .iter()
                    .filter(|(_, ty)| matches!(ty.non_null(), Type::Table(_)))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        inputs.sort();
        inputs
    }

    /// Records the nodes an `sql(...)` text reads as tables; reports unknown
    /// tables and SQL that does not parse. Interpolations are bound as
    /// parameters at run time, so they are read here as `NULL`.
    pub(super) fn sql_tables(&mut self, text: &pipec_grammar::ast::StringLit) {
        let query = crate::sql::query_text(text);
        let quote = if text.triple { 3 } else { 1 };
        let body_start = text.span.start as usize + quote;
        match crate::sql::table_references(&query) {
            Err(message) => {
                // A node named like an SQL keyword (`order`, `table`): the
                // text parses once its name is quoted.
                let keyword = self.pipeline_scope.as_ref().and_then(|scope| {
                    let mut names: Vec<&String> = scope.nodes.keys().collect();
                    names.sort();
                    names.into_iter().find(|name| {
                        crate::sql::find_word(&query, name).is_some()
                            && crate::sql::table_references(&crate::sql::quote_word(&query, name))
                                .is_ok()
                    })
                });
                let source = std::str::from_utf8(self.source.bytes(self.db)).ok();
                let sql = crate::tables::planner::SqlText::of_query_text(source, text);
                let diagnostic = crate::tables::syntax::syntax_diagnostic(
                    self.file, &sql, text.span, "this SQL", &message,
                );
                self.report(match keyword {
                    Some(name) => Diagnostic {
                        fix: None,
                        ..diagnostic
                    }
                    .with_help(format!(
                        "`{name}` is an SQL keyword: write the node's name in double quotes in the SQL text (`\\\"{name}\\\"`), or give the node another name"
                    )),
                    None => diagnostic,
                })
            }
            Ok(tables) => {
                let nodes: Vec<String> = self
                    .pipeline_scope
                    .as_ref()
                    .map(|s| s.nodes.keys().cloned().collect())
                    .unwrap_or_default();
                let table_inputs = self.table_inputs();
                for table in tables {
                    // `from {input.table}`: a value is bound, never spliced.
                    if table.eq_ignore_ascii_case("NULL")
                        && let Some(interpolation) = text.parts.iter().find_map(|part| match part {
                            pipec_grammar::ast::StringPart::Interpolation(expr) => Some(expr),
                            _ => None,
                        })
                        && !text.parts.iter().any(|part| {
                            matches!(part,
                            pipec_grammar::ast::StringPart::Text { value, .. }
                                if crate::sql::find_word(value, "null").is_some())
                        })
                    {
                        self.report(
                            Diagnostic::new(
                                codes::UNKNOWN_TABLE,
                                "a `{value}` in SQL text cannot name a table",
                                self.file,
                                interpolation.span,
                            )
                            .with_label("bound as a value, not spliced into the text")
                            .with_help(
                                "each `{expr}` is bound as a parameter, a value; the tables of `sql(...)` are upstream nodes written by name in the text (`from orders`); to read one of several tables, choose between nodes with `when`, or pass the table to a called pipeline",
                            ),
                        );
                        continue;
                    }
                    // Where the name stands in the literal (exact when no escape precedes it).
                    let span = crate::sql::find_word(&query, &table).map_or(text.span, |at| {
                        Span::new(body_start + at, body_start + at + table.len())
                    });
                    if let Some(node) = nodes.iter().find(|n| n.eq_ignore_ascii_case(&table)) {
                        self.deps.push(Dep {
                            node: node.clone(),
                            kind: DepKind::Sql,
                            span,
                        });
                        continue;
                    }
                    // A table input of the pipeline, read by its name.
                    if let Some(input) = self.table_input(&table) {
                        self.used_inputs.insert(input);
                        continue;
                    }
                    let d = Diagnostic::new(
                        codes::UNKNOWN_TABLE,
                        format!("SQL reads table `{table}`, but no node has that name"),
                        self.file,
                        span,
                    )
                    .with_label("not a node of this pipeline")
                    .with_suggestion(
                        &table,
                        nodes
                            .iter()
                            .map(String::as_str)
                            .chain(table_inputs.iter().map(String::as_str)),
                        span,
                        "in `sql(...)`, tables are the upstream nodes and the pipeline's table inputs, by name",
                        None,
                    );
                    self.report(d);
                }
            }
        }
    }
}
