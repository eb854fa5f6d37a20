//! Every diagnostic of a source: syntax, imports, names, types and graph.

use std::collections::HashSet;

use pipec_grammar::diagnostic::{Diagnostic, sort_diagnostics};

use crate::analyze::analysis_diagnostics;
use crate::codes;
use crate::db::{Db, Source};
use crate::layout::{Layout, layout, piece_diagnostics};
use crate::queries::{imports, parse};
use crate::scope::module_diagnostics;

/// The diagnostics of `source` and of every file it imports, directly or
/// through other imports, each file once: what `run` and `plan` refuse in
/// an imported file, `check` of the importing file reports too.
pub fn diagnostics_with_imports(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    let mut seen = vec![source];
    let mut pending = vec![source];
    let mut out = Vec::new();
    while let Some(next) = pending.pop() {
        out.extend(diagnostics(db, next).iter().cloned());
        for import in imports(db, next) {
            if let Ok(target) = &import.target
                && !seen.contains(target)
            {
                seen.push(*target);
                pending.push(*target);
            }
        }
    }
    out
}

/// All diagnostics of one source, sorted by position.
#[salsa::tracked(returns(ref))]
pub fn diagnostics(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    let mut out = match layout(db, source) {
        Layout::Pieces { items, .. } => piece_diagnostics(db, source, items),
        Layout::Whole => parse(db, source).diagnostics.clone(),
    };
    let file = source.name(db);
    for import in imports(db, source) {
        match &import.target {
            Err(reason) => out.push(
                Diagnostic::new(
                    codes::UNREADABLE_IMPORT,
                    format!("cannot read `{}`: {reason}", import.written),
                    file,
                    import.span,
                )
                .with_label("imported here")
                .with_help("import paths are relative to the importing file"),
            ),
            Ok(target) => {
                if let Some(cycle) = import_cycle(db, source, *target) {
                    out.push(
                        Diagnostic::new(
                            codes::IMPORT_CYCLE,
                            format!("import cycle: {cycle}"),
                            file,
                            import.span,
                        )
                        .with_label("this import leads back here")
                        .with_help("move what both files need into a third file that both import"),
                    );
                }
            }
        }
    }
    out.extend(module_diagnostics(db, source));
    // A file that does not parse is still analysed: recovery kept its other items.
    out.extend(analysis_diagnostics(db, source).iter().cloned());
    out.extend(crate::tables::table_diagnostics(db, source).iter().cloned());
    out.extend(secret_flow_diagnostics(db, source));
    sort_diagnostics(&mut out);
    out.dedup();
    out
}

/// W0105 for every pipeline of `source` ([`crate::secret_flow`]).
fn secret_flow_diagnostics(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    let analysis = crate::analyze::analyze(db, source);
    // Most files declare no secret: no whole-file parse for them (a file
    // read as pieces is never parsed whole otherwise).
    if analysis
        .pipelines
        .iter()
        .all(|info| info.secrets.is_empty())
    {
        return Vec::new();
    }
    let tree = &parse(db, source).tree;
    let file = source.name(db);
    let mut out = Vec::new();
    for info in &analysis.pipelines {
        let pipeline = tree.items.iter().find_map(|item| match item {
            pipec_grammar::ast::Item::Pipeline(p) if p.name.name == info.name => Some(p),
            _ => None,
        });
        if let Some(pipeline) = pipeline {
            out.extend(crate::secret_flow::secret_flows(file, pipeline, info));
        }
    }
    out
}

/// `a.pipe -> b.pipe -> a.pipe` when following `target`'s imports leads back to `start`.
fn import_cycle(db: &dyn Db, start: Source, target: Source) -> Option<String> {
    let mut path = vec![start, target];
    let mut seen = HashSet::new();
    if walk(db, start, target, &mut path, &mut seen) {
        Some(
            path.iter()
                .map(|s| s.name(db).to_string())
                .collect::<Vec<_>>()
                .join(" -> "),
        )
    } else {
        None
    }
}

fn walk(
    db: &dyn Db,
    start: Source,
    at: Source,
    path: &mut Vec<Source>,
    seen: &mut HashSet<Source>,
) -> bool {
    if at == start {
        return true;
    }
    if !seen.insert(at) || path.len() > 64 {
        return false;
    }
    for import in imports(db, at) {
        if let Ok(next) = import.target {
            path.push(next);
            if walk(db, start, next, path, seen) {
                return true;
            }
            path.pop();
        }
    }
    false
}
