//! Writers and the readers of what they write: a reader of a file a writer
//! node writes must run after it (E0410).

use super::*;

impl<'a> PipelineTables<'a> {
    /// E0410 for a reader of a file that a writer node of the pipeline
    /// writes (the same path, written alike) when neither runs after the
    /// other: nodes that do not depend on each other run in parallel, so the
    /// reader would find no file, or the last run's.
    pub(super) fn check_files_read_before_written(&mut self) {
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
    pub(super) fn runs_after(&self, node: &str, earlier: &str) -> bool {
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

    /// The writer node of the pipeline that writes the path `value` stands
    /// for (the same path, written alike), if any.
    pub(super) fn writer_of(&self, value: &Expr) -> Option<(&'a NodeDecl, &'a NodeInfo)> {
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
}
