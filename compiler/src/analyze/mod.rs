//! Analysis of a source's pipelines: names, signatures, types, dependencies.
//!
//! [`analyze`] is a tracked query per source. For each pipeline it resolves
//! every member, types every expression against the signatures of the
//! callees and pipes, records each node's dependencies, and then checks the
//! graph ([`crate::graph`]).

mod checker;
mod expr;
mod lookups;
mod members;
mod pipe_types;
mod runs;
mod signature;
mod sql_tables;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pipec_grammar::ast::{ClauseKind, Expr, Ident, Item, Member, NodeDecl};
use pipec_grammar::diagnostic::{Diagnostic, FileName};
use pipec_grammar::parser::pieces::PieceKind;
use pipec_grammar::span::Span;
use serde::Serialize;

use crate::codes;
use crate::db::{Db, Source};
use crate::layout::{Layout, Piece, head_item, item_interface, layout, members, on_forks};
use crate::queries::parse;
use crate::scope::{self, Kind};
use crate::types::{Type, lower_type};

pub use signature::{Callee, Param, Signature};

use checker::*;
pub(crate) use lookups::*;
use members::*;
pub(crate) use runs::*;

/// How a node depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepKind {
    /// Reads its value in an argument, guard or filter.
    Data,
    /// `each SRC`: one task per item of SRC.
    Each,
    /// `all SRC`: one task with all items of SRC.
    All,
    /// `group SRC, ...`: one task per origin group.
    Group,
    /// `after SRC`: ordering only.
    After,
    /// `after any(SRC, ...)`: ordering only, the first to finish.
    AfterAny,
    /// Named as a table in `sql(...)` text.
    Sql,
}

/// One dependency of a node (or output) on a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Dep {
    /// The node depended on.
    pub node: String,
    /// How.
    pub kind: DepKind,
    /// Where the reference is.
    #[serde(skip)]
    pub span: Span,
}

/// An input of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputInfo {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Its doc comment.
    pub docs: Option<String>,
    /// Its member index in the pipeline.
    pub member: usize,
}

/// A node of a pipeline, analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Its name.
    pub name: String,
    /// What it calls, when that resolved.
    pub callee: Option<Callee>,
    /// The type of one item it produces.
    pub item: Type,
    /// Whether it produces many items (a list-returning operator, or `each`).
    pub many: bool,
    /// Whether its operator returns a list: each task's list is then one
    /// item per element (a second level of fan-out under `each`).
    pub returns_list: bool,
    /// Its parameters of an optional type (`T?`): a skipped node read in
    /// their arguments makes them null rather than skipping this node.
    pub optional_params: Vec<String>,
    /// Its parameters of type `path` (or `path?`): text written in the file
    /// for them resolves against the file's directory ([`crate::paths`]).
    pub path_params: Vec<String>,
    /// Its dependencies, in source order.
    pub deps: Vec<Dep>,
    /// The parameter each argument binds, in argument order.
    pub binds: Vec<Option<String>>,
    /// Its member index in the pipeline.
    pub member: usize,
    /// Where its name is.
    pub span: Span,
}

impl NodeInfo {
    /// The type of a reference to the node outside `each` and `group`: its
    /// item, or the list of its items when it has many.
    pub fn value_type(&self) -> Type {
        match self.many {
            true => Type::list(self.item.clone()),
            false => self.item.clone(),
        }
    }
}

/// An output of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputInfo {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// The nodes it reads.
    pub deps: Vec<Dep>,
    /// Its member index in the pipeline.
    pub member: usize,
}

/// One pipeline, analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineInfo {
    /// Its name.
    pub name: String,
    /// Its item index in the file.
    pub item: usize,
    /// Inputs in source order.
    pub inputs: Vec<InputInfo>,
    /// Secret names in source order.
    pub secrets: Vec<String>,
    /// Nodes in source order.
    pub nodes: Vec<NodeInfo>,
    /// Outputs in source order.
    pub outputs: Vec<OutputInfo>,
}

impl PipelineInfo {
    /// The node of that name.
    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

/// The analysis of one source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// Its pipelines.
    pub pipelines: Vec<PipelineInfo>,
    /// Every diagnostic of the analysis (syntax diagnostics are the parse's).
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyses every pipeline and constant of a source.
///
/// A source read as pieces ([`crate::layout`]) is analysed run by run (a run
/// is a few members) through memoised queries: [`run_shapes`] (what each
/// member declares), [`pipeline_scope`] (the names of a pipeline, compared so
/// that an edit that declares nothing new changes nothing), [`run_check`],
/// and [`pipeline_graph`] (the graph checks, redone only when a name, a
/// callee or a dependency changed). After an edit, only the edited run is
/// parsed and checked again; the rest is gathering. A source read whole goes
/// through the same steps, directly.
// Not compared with the previous result: per-file results change with
// every edit (spans move), so comparing them only costs time.
#[salsa::tracked(returns(ref), no_eq)]
pub fn analyze(db: &dyn Db, source: Source) -> Analysis {
    analyze_with(db, source, Detail::Full)
}

/// The diagnostics of [`analyze`], without building what only lowering needs
/// (each pipeline keeps only its nodes that call pipelines), so that a
/// re-check after an edit allocates little.
#[salsa::tracked(returns(ref), no_eq)]
pub fn analysis_diagnostics(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    analyze_with(db, source, Detail::Diagnostics).diagnostics
}

/// How much of each pipeline [`gather`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Everything.
    Full,
    /// Diagnostics, and the nodes that call pipelines (for the recursion check).
    Diagnostics,
}

fn analyze_with(db: &dyn Db, source: Source, detail: Detail) -> Analysis {
    let mut analysis = Analysis::default();
    let mut checker = Checker::new(db, source);
    let file = checker.file;
    match layout(db, source) {
        Layout::Pieces {
            items,
            first_reading,
        } => {
            for (index, laid) in items.iter().enumerate() {
                let Some(item) = head_item(db, laid) else {
                    continue;
                };
                let Item::Pipeline(head) = item else {
                    let before = checker.diagnostics.len();
                    checker.other_item(item);
                    for d in &mut checker.diagnostics[before..] {
                        d.shift(file, laid.head.offset);
                    }
                    continue;
                };
                if *first_reading && laid.members.len() >= PARALLEL_RUNS {
                    warm_pipeline(db, source, index, &laid.members);
                }
                let runs: Vec<(u32, &[MemberCheck])> = laid
                    .members
                    .iter()
                    .map(|m| {
                        let run = run_check(db, source, index, m.piece);
                        (m.offset, run.members.as_slice())
                    })
                    .collect();
                let name = Ident {
                    name: head.name.name.clone(),
                    span: head.name.span.shifted(laid.head.offset),
                };
                let graph = pipeline_graph(db, source, index);
                let info = gather(
                    file,
                    &name,
                    index,
                    &runs,
                    graph,
                    detail,
                    &mut checker.diagnostics,
                );
                analysis.pipelines.push(info);
            }
        }
        Layout::Whole => {
            let tree = &parse(db, source).tree;
            for (index, item) in tree.items.iter().enumerate() {
                let Item::Pipeline(pipeline) = item else {
                    checker.other_item(item);
                    continue;
                };
                let shapes: Vec<MemberShape> =
                    pipeline.members.iter().map(|m| checker.shape(m)).collect();
                let scope = Arc::new(PipelineScope::from_declares(
                    shapes.iter().map(|s| &s.declares),
                ));
                let checks: Vec<MemberCheck> = pipeline
                    .members
                    .iter()
                    .zip(&shapes)
                    .map(|(member, shape)| checker.check_member(member, shape, &scope))
                    .collect();
                let structure: Vec<MemberStructure> = checks.iter().map(structure_of).collect();
                let graph = graph_findings(file, [structure.as_slice()]);
                let runs = [(0, checks.as_slice())];
                let info = gather(
                    file,
                    &pipeline.name,
                    index,
                    &runs,
                    &graph,
                    detail,
                    &mut checker.diagnostics,
                );
                analysis.pipelines.push(info);
            }
        }
    }
    let mut diagnostics = checker.diagnostics;
    recursion(&analysis.pipelines, source.name(db), &mut diagnostics);
    analysis.diagnostics = diagnostics;
    analysis
}

/// Pipelines with at least this many runs have them shaped and checked in parallel first.
const PARALLEL_RUNS: usize = 16;

/// Computes the shapes and then the checks of a pipeline's runs on rayon's
/// pool, each worker on its own handle of the database, so that the memos
/// [`analyze`] then reads are there.
fn warm_pipeline(db: &dyn Db, source: Source, item: usize, runs: &[crate::layout::Placed<'_>]) {
    let runs: Vec<(PieceKind, Box<str>)> = runs
        .iter()
        .map(|run| (PieceKind::Members, run.piece.text(db).clone()))
        .collect();
    let file = source.name(db);
    on_forks(db, file, &runs, 4, |db, run| {
        run_shapes(db, source, run);
    });
    pipeline_scope(db, source, item);
    on_forks(db, file, &runs, 4, |db, run| {
        run_check(db, source, item, run);
    });
}

/// Reports pipelines of this file that call themselves, directly or through
/// others of this file (other files cannot call back without an import cycle).
fn recursion(pipelines: &[PipelineInfo], file: &FileName, diagnostics: &mut Vec<Diagnostic>) {
    let calls = |p: &PipelineInfo| -> Vec<(String, Span)> {
        p.nodes
            .iter()
            .filter_map(|n| match &n.callee {
                Some(Callee::Pipeline { name, file: f }) if f.as_str() == file.as_ref() => {
                    Some((name.clone(), n.span))
                }
                _ => None,
            })
            .collect()
    };
    for pipeline in pipelines {
        // Breadth-first over calls, remembering the path back to `pipeline`.
        let mut queue: Vec<(String, Vec<String>, Span)> = calls(pipeline)
            .into_iter()
            .map(|(c, span)| (c.clone(), vec![pipeline.name.clone(), c], span))
            .collect();
        let mut seen = HashSet::new();
        while let Some((current, path, span)) = queue.pop() {
            if current == pipeline.name {
                diagnostics.push(
                    Diagnostic::new(
                        codes::RECURSIVE_PIPELINE,
                        format!(
                            "pipeline `{}` calls itself: {}",
                            pipeline.name,
                            path.join(" -> ")
                        ),
                        file,
                        span,
                    )
                    .with_label("this call leads back to the pipeline")
                    .with_help("pipelines cannot recurse; use `each` to repeat work per item"),
                );
                break;
            }
            if !seen.insert(current.clone()) {
                continue;
            }
            if let Some(next) = pipelines.iter().find(|p| p.name == current) {
                for (callee, _) in calls(next) {
                    let mut longer = path.clone();
                    longer.push(callee.clone());
                    queue.push((callee, longer, span));
                }
            }
        }
    }
}
