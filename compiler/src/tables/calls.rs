//! Tables across a pipeline called as a node: the callee's table outputs
//! worked out with the call's arguments as inputs (a few calls deep), and
//! the tables its table parameters are given.

use super::*;

impl<'a> PipelineTables<'a> {
    /// A host plugin's `table<S>` parameters against the known schemas of
    /// the tables given to them (E0404 for a missing column).
    pub(super) fn check_table_params(&mut self, node: &str, plugin: &str) {
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

    /// The schema of table output `output` of a called pipeline (with
    /// `None`, of its one table output), worked out in the callee with the
    /// call's arguments as its inputs (`report(orders: "a.csv")` reads
    /// `a.csv`, whatever the input's default). What the callee's own check
    /// reports is not repeated here.
    pub(super) fn called_pipeline_schema(
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
}
