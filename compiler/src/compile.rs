//! From a source to a plan: pick a pipeline, refuse a program with errors, lower.

use pipec_grammar::ast::Item;
use pipec_grammar::diagnostic::{Diagnostic, closest};

use crate::analyze::{PipelineInfo, analyze};
use crate::check::diagnostics;
use crate::db::{Db, Source};
use crate::plan::{Plan, PlanExpr, lower, lower_expr, pipeline_item};
use crate::queries::parse;

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompileError {
    /// The program has errors (every diagnostic is included, warnings too).
    #[error("the program has errors")]
    Diagnostics(Vec<Diagnostic>),
    /// The file has no pipeline.
    #[error("`{0}` has no pipeline")]
    NoPipeline(String),
    /// The file has several pipelines and none was named.
    #[error("`{file}` has several pipelines ({}); choose one", names.join(", "))]
    Ambiguous {
        /// The file.
        file: String,
        /// Its pipelines.
        names: Vec<String>,
    },
    /// The named pipeline does not exist.
    #[error("`{file}` has no pipeline `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownPipeline {
        /// The file.
        file: String,
        /// The name asked for.
        name: String,
        /// The closest existing name.
        suggestion: Option<String>,
    },
}

/// What compiling one pipeline yields.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The plan.
    pub plan: Plan,
    /// The analysis it was lowered from.
    pub info: PipelineInfo,
    /// The pipeline's doc comment.
    pub docs: Option<String>,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

/// The constants a source's expressions may read (see [`Plan::constants`]).
fn constants(db: &dyn Db, source: Source) -> Vec<(String, PlanExpr)> {
    let consts_of = |s: Source| -> Vec<(String, PlanExpr)> {
        parse(db, s)
            .tree
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Const(c) => Some((c.name.name.clone(), lower_expr(&c.value))),
                _ => None,
            })
            .collect()
    };
    let mut out = Vec::new();
    for import in crate::queries::imports(db, source) {
        let Ok(target) = import.target else { continue };
        match &import.alias {
            None => out.extend(consts_of(target)),
            Some(alias) => out.push((alias.clone(), PlanExpr::Record(consts_of(target)))),
        }
    }
    out.extend(consts_of(source));
    out
}

/// Compiles the pipeline `name` of `source` (or its only pipeline).
pub fn compile(db: &dyn Db, source: Source, name: Option<&str>) -> Result<Compiled, CompileError> {
    let all = diagnostics(db, source);
    if all.iter().any(Diagnostic::is_error) {
        return Err(CompileError::Diagnostics(all.clone()));
    }
    let file = source.name(db).to_string();
    let analysis = analyze(db, source);
    let names: Vec<String> = analysis.pipelines.iter().map(|p| p.name.clone()).collect();
    let info = match name {
        Some(name) => analysis
            .pipelines
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| CompileError::UnknownPipeline {
                file: file.clone(),
                name: name.to_string(),
                suggestion: closest(name, names.iter().map(String::as_str))
                    .first()
                    .map(|s| s.to_string()),
            })?,
        None => match analysis.pipelines.as_slice() {
            [] => return Err(CompileError::NoPipeline(file)),
            [only] => only,
            _ => return Err(CompileError::Ambiguous { file, names }),
        },
    };
    let items = &parse(db, source).tree.items;
    let pipeline =
        pipeline_item(items, info).ok_or_else(|| CompileError::NoPipeline(file.clone()))?;
    let docs = match items.get(info.item) {
        Some(Item::Pipeline(p)) => p.docs.text(),
        _ => None,
    };
    let mut plan = lower(info, pipeline, &file);
    plan.constants = constants(db, source);
    // A `to_table` whose items' type leaves a column's type open: the type
    // check time knows (a column of known rows), so that a table of no items
    // has it too.
    for node in &mut plan.nodes {
        if node.item_columns.iter().all(|(_, word)| word.is_some()) {
            continue;
        }
        let Some(schema) = crate::tables::node_schema(db, source, &info.name, &node.name) else {
            continue;
        };
        for (name, word) in &mut node.item_columns {
            if word.is_none()
                && let Ok(field) = schema.field_with_name(name)
            {
                *word = crate::tables::schema::type_word(field.data_type()).map(str::to_string);
            }
        }
    }
    // Pipelines called as nodes: compiled with their own file (E0305 and
    // import cycles rule out recursion, and a program with errors never gets here).
    for node in &info.nodes {
        if let Some(crate::analyze::Callee::Pipeline {
            name,
            file: callee_file,
        }) = &node.callee
        {
            let key = crate::plan::subplan_key(callee_file, name);
            if plan.subplans.contains_key(&key) {
                continue;
            }
            let callee_source = if callee_file == &file {
                Ok(source)
            } else {
                db.load(std::path::Path::new(callee_file))
            };
            if let Ok(callee_source) = callee_source {
                let compiled = compile(db, callee_source, Some(name))?;
                plan.subplans.insert(key, compiled.plan);
            }
        }
    }
    Ok(Compiled {
        plan,
        info: info.clone(),
        docs,
        warnings: all.clone(),
    })
}
