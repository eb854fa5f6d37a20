//! Analysis of a source's pipelines: names, signatures, types, dependencies.
//!
//! [`analyze`] is a tracked query per source. For each pipeline it resolves
//! every member, types every expression against the signatures of the
//! callees and pipes, records each node's dependencies, and then checks the
//! graph ([`crate::graph`]).

mod expr;
mod signature;

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

/// What the members of a run declare, with the diagnostics of resolving them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RunShapes {
    shapes: Vec<MemberShape>,
    declares: Arc<Vec<Declares>>,
}

/// What the members of the run in `piece` declare (memoised per run text).
#[salsa::tracked(returns(ref))]
pub(crate) fn run_shapes<'db>(db: &'db dyn Db, source: Source, piece: Piece<'db>) -> RunShapes {
    let mut checker = Checker::new(db, source);
    let shapes: Vec<MemberShape> = members(db, piece)
        .iter()
        .map(|m| checker.shape(m))
        .collect();
    let declares = Arc::new(shapes.iter().map(|s| s.declares.clone()).collect());
    RunShapes { shapes, declares }
}

/// The item type of an `echo` node: `{ value: T }`, where `T` is its value's
/// type as far as it is known before any name is resolved (shapes come
/// first): a record literal's keys, numbers, text, booleans; any reference
/// inside is `any`. So `echo({ id: r.id, amount: r.amount })` has the fields
/// `value.id` and `value.amount`. `None` for any other node, or a value that
/// says nothing more than `any`.
fn echoed(node: &NodeDecl, signature: &signature::Signature) -> Option<Type> {
    if !matches!(&signature.callee, Callee::Builtin { name } if name == "echo") {
        return None;
    }
    let value = node
        .call
        .args
        .iter()
        .find(|a| a.name.as_ref().is_none_or(|n| n.name == "value"))?;
    let ty = literal_type(&value.value);
    if ty == Type::Any {
        return None;
    }
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("value".to_string(), ty);
    Some(Type::record(fields))
}

/// The type of an expression as written, without resolving names: literals
/// and record literals; `any` for the rest.
fn literal_type(expr: &Expr) -> Type {
    use pipec_grammar::ast::{ExprKind, Literal, StringPart};
    match &expr.kind {
        ExprKind::Literal(Literal::Bool(_)) => Type::Bool,
        ExprKind::Literal(Literal::Int(_)) => Type::Int,
        ExprKind::Literal(Literal::Float(_)) => Type::Float,
        ExprKind::Literal(Literal::Duration(_)) => Type::Duration,
        ExprKind::Literal(Literal::Size(_)) => Type::Size,
        // A string that is exactly one `{expr}` has that expression's type.
        ExprKind::String(text)
            if !matches!(text.parts.as_slice(), [StringPart::Interpolation(_)]) =>
        {
            Type::String
        }
        ExprKind::Record(fields) => Type::record(
            fields
                .iter()
                .map(|f| (f.name.name.clone(), literal_type(&f.value)))
                .collect(),
        ),
        ExprKind::Paren(inner) => literal_type(inner),
        _ => Type::Any,
    }
}

/// The runs of pipeline `item` of a source read as pieces.
fn runs_of<'db>(db: &'db dyn Db, source: Source, item: usize) -> &'db [crate::layout::Placed<'db>] {
    match layout(db, source) {
        Layout::Pieces { items, .. } => items.get(item).map_or(&[], |laid| laid.members.as_slice()),
        Layout::Whole => &[],
    }
}

/// What every member of pipeline `item` declares, run by run. Re-run after
/// every edit, but cheap (unchanged runs share their `Arc`) and compared, so
/// that [`pipeline_scope`] is rebuilt only when a declaration changed.
#[salsa::tracked(returns(ref))]
pub(crate) fn pipeline_declarations(
    db: &dyn Db,
    source: Source,
    item: usize,
) -> Vec<Arc<Vec<Declares>>> {
    runs_of(db, source, item)
        .iter()
        .map(|run| run_shapes(db, source, run.piece).declares.clone())
        .collect()
}

/// The names pipeline `item` declares, with their types.
#[salsa::tracked(returns(ref))]
pub(crate) fn pipeline_scope(db: &dyn Db, source: Source, item: usize) -> Arc<PipelineScope> {
    let declarations = pipeline_declarations(db, source, item);
    Arc::new(PipelineScope::from_declares(
        declarations.iter().flat_map(|d| d.iter()),
    ))
}

/// The members of a run, checked; spans relative to the run's piece.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RunCheck {
    members: Vec<MemberCheck>,
    structure: Arc<Vec<MemberStructure>>,
}

/// The check of the run in `piece` within pipeline `item` (memoised per run
/// text and pipeline scope).
#[salsa::tracked(returns(ref))]
pub(crate) fn run_check<'db>(
    db: &'db dyn Db,
    source: Source,
    item: usize,
    piece: Piece<'db>,
) -> RunCheck {
    let scope = pipeline_scope(db, source, item).clone();
    let shapes = run_shapes(db, source, piece);
    let mut checker = Checker::new(db, source);
    let members: Vec<MemberCheck> = members(db, piece)
        .iter()
        .zip(&shapes.shapes)
        .map(|(member, shape)| checker.check_member(member, shape, &scope))
        .collect();
    let structure = Arc::new(members.iter().map(structure_of).collect());
    RunCheck { members, structure }
}

/// What the graph checks read of a member: its node or output without positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberStructure {
    node: Option<NodeInfo>,
    output: Option<OutputInfo>,
    /// The member did not parse: what it reads is unknown.
    broken: bool,
}

fn structure_of(check: &MemberCheck) -> MemberStructure {
    let strip = |deps: &[Dep]| -> Vec<Dep> {
        deps.iter()
            .map(|d| Dep {
                node: d.node.clone(),
                kind: d.kind,
                span: Span::default(),
            })
            .collect()
    };
    MemberStructure {
        node: check.node.as_ref().map(|n| NodeInfo {
            deps: strip(&n.deps),
            span: Span::default(),
            ..n.clone()
        }),
        output: check.output.as_ref().map(|o| OutputInfo {
            deps: strip(&o.deps),
            ..o.clone()
        }),
        broken: check.broken,
    }
}

/// The graph of pipeline `item`, without positions. Re-run after every edit,
/// but cheap and compared, so that [`pipeline_graph`] reruns only when the
/// graph changed.
#[salsa::tracked(returns(ref))]
pub(crate) fn pipeline_structure(
    db: &dyn Db,
    source: Source,
    item: usize,
) -> Vec<Arc<Vec<MemberStructure>>> {
    runs_of(db, source, item)
        .iter()
        .map(|run| run_check(db, source, item, run.piece).structure.clone())
        .collect()
}

/// The graph diagnostics of pipeline `item`, their places as locators (see [`locator`]).
#[salsa::tracked(returns(ref))]
pub(crate) fn pipeline_graph(db: &dyn Db, source: Source, item: usize) -> Vec<Diagnostic> {
    let structure = pipeline_structure(db, source, item);
    graph_findings(source.name(db), structure.iter().map(|run| run.as_slice()))
}

/// A place in a pipeline named by member, not by position, so that graph
/// findings survive edits that only move text: `start` is the member's index
/// in the pipeline, `end` is 0 for its name or `k + 1` for its `k`th dependency.
fn locator(member: usize, dep: Option<usize>) -> Span {
    Span {
        start: u32::try_from(member).unwrap_or(u32::MAX),
        end: dep.map_or(0, |k| u32::try_from(k + 1).unwrap_or(u32::MAX)),
    }
}

/// Runs the graph checks over members given run by run; places are locators.
fn graph_findings<'a>(
    file: &FileName,
    runs: impl IntoIterator<Item = &'a [MemberStructure]>,
) -> Vec<Diagnostic> {
    let mut info = PipelineInfo {
        name: String::new(),
        item: 0,
        inputs: Vec::new(),
        secrets: Vec::new(),
        nodes: Vec::new(),
        outputs: Vec::new(),
    };
    let mut any_broken = false;
    for (index, member) in runs.into_iter().flatten().enumerate() {
        any_broken |= member.broken;
        let locate = |deps: &[Dep]| -> Vec<Dep> {
            deps.iter()
                .enumerate()
                .map(|(k, d)| Dep {
                    node: d.node.clone(),
                    kind: d.kind,
                    span: locator(index, Some(k)),
                })
                .collect()
        };
        if let Some(node) = &member.node {
            info.nodes.push(NodeInfo {
                deps: locate(&node.deps),
                span: locator(index, None),
                member: index,
                ..node.clone()
            });
        }
        if let Some(output) = &member.output {
            info.outputs.push(OutputInfo {
                deps: locate(&output.deps),
                member: index,
                ..output.clone()
            });
        }
    }
    let mut diagnostics = Vec::new();
    crate::graph::check(&info, file, &mut diagnostics);
    if any_broken {
        // A member that did not parse may read any node.
        diagnostics.retain(|d| d.code != codes::UNUSED_NODE);
    }
    diagnostics
}

/// What a member declares, known before any member is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Declares {
    /// `input NAME: TYPE`
    Input { name: String, ty: Type },
    /// `secret NAME`
    Secret { name: String },
    /// `node NAME = callee(...)`: what one of its items is, and whether it makes many.
    Node {
        name: String,
        signature: Option<Signature>,
        item: Type,
        many: bool,
    },
    /// `output NAME = ...`
    Output,
    /// A member that did not parse; its name resolves to anything.
    #[default]
    Broken,
    /// A broken member with a keyword and a name.
    BrokenNamed {
        keyword: Option<String>,
        name: String,
    },
}

/// A member's declaration, with the diagnostics found while resolving it
/// (an unknown callee, an unknown type), spans relative to the member's piece.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MemberShape {
    declares: Declares,
    diagnostics: Vec<Diagnostic>,
}

/// Which names a member's name must not clash with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Namespace {
    Input,
    Secret,
    Node,
    Output,
}

/// A member, checked: what it contributes to its pipeline, and its diagnostics,
/// spans relative to the member's piece (member indices are set when gathered).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MemberCheck {
    name: Option<(Namespace, Ident)>,
    input: Option<InputInfo>,
    secret: Option<String>,
    node: Option<NodeInfo>,
    output: Option<OutputInfo>,
    used_inputs: Vec<String>,
    /// The member did not parse (its name, if any, is known; nothing else).
    broken: bool,
    diagnostics: Vec<Diagnostic>,
}

/// Gathers a pipeline's checked members (run by run, each run with its
/// piece's offset) into its [`PipelineInfo`] with absolute spans, and adds
/// what only the whole pipeline shows: names defined twice, inputs never
/// read, and the graph findings (whose locators become positions here).
fn gather(
    file: &FileName,
    pipeline: &Ident,
    item: usize,
    runs: &[(u32, &[MemberCheck])],
    graph: &[Diagnostic],
    detail: Detail,
    diagnostics: &mut Vec<Diagnostic>,
) -> PipelineInfo {
    let full = detail == Detail::Full;
    let members: Vec<(u32, &MemberCheck)> = runs
        .iter()
        .flat_map(|&(offset, checks)| checks.iter().map(move |c| (offset, c)))
        .collect();
    let mut info = PipelineInfo {
        name: pipeline.name.clone(),
        item,
        inputs: Vec::new(),
        secrets: Vec::new(),
        nodes: Vec::new(),
        outputs: Vec::new(),
    };
    let mut seen: HashMap<(Namespace, &str), Span> = HashMap::with_capacity(members.len());
    let mut used: HashSet<&str> = HashSet::new();
    let shift_deps = |deps: &[Dep], offset: u32| -> Vec<Dep> {
        deps.iter()
            .map(|d| Dep {
                node: d.node.clone(),
                kind: d.kind,
                span: d.span.shifted(offset),
            })
            .collect()
    };
    for (index, &(offset, check)) in members.iter().enumerate() {
        for d in &check.diagnostics {
            let mut d = d.clone();
            d.shift(file, offset);
            diagnostics.push(d);
        }
        used.extend(check.used_inputs.iter().map(String::as_str));
        if let Some((namespace, name)) = &check.name {
            let span = name.span.shifted(offset);
            if let Some(first) = seen.get(&(*namespace, name.name.as_str())) {
                diagnostics.push(
                    Diagnostic::new(
                        codes::DUPLICATE_NAME,
                        format!(
                            "`{}` is defined twice in pipeline `{}`",
                            name.name, pipeline.name
                        ),
                        file,
                        span,
                    )
                    .with_label("defined again here")
                    .with_secondary(file, *first, "first defined here")
                    .with_help(
                        "two inputs, secrets, nodes or outputs of one pipeline cannot share a name",
                    ),
                );
            } else {
                seen.insert((*namespace, &name.name), span);
            }
        }
        if let Some(input) = &check.input
            && full
        {
            info.inputs.push(InputInfo {
                member: index,
                ..input.clone()
            });
        }
        if let Some(secret) = &check.secret
            && full
        {
            info.secrets.push(secret.clone());
        }
        if let Some(node) = &check.node
            && (full || matches!(node.callee, Some(Callee::Pipeline { .. })))
        {
            info.nodes.push(NodeInfo {
                name: node.name.clone(),
                callee: node.callee.clone(),
                item: node.item.clone(),
                many: node.many,
                returns_list: node.returns_list,
                optional_params: node.optional_params.clone(),
                deps: shift_deps(&node.deps, offset),
                binds: node.binds.clone(),
                member: index,
                span: node.span.shifted(offset),
            });
        }
        if let Some(output) = &check.output
            && full
        {
            info.outputs.push(OutputInfo {
                name: output.name.clone(),
                ty: output.ty.clone(),
                deps: shift_deps(&output.deps, offset),
                member: index,
            });
        }
    }
    // Inputs nothing reads (unknown when a member did not parse: it may read any).
    let reads_known = !members.iter().any(|(_, check)| check.broken);
    for &(offset, check) in &members {
        if reads_known
            && let (Some(input), Some((_, name))) = (&check.input, &check.name)
            && !used.contains(input.name.as_str())
        {
            diagnostics.push(
                Diagnostic::new(
                    codes::UNUSED_INPUT,
                    format!("input `{}` is never read", input.name),
                    file,
                    name.span.shifted(offset),
                )
                .with_label("declared here, read nowhere")
                .with_help(format!("read it as `input.{}`, or remove it", input.name)),
            );
        }
    }
    // Graph findings: locators to positions.
    let place = |span: Span| -> Span {
        let Some(&(offset, check)) = members.get(span.start as usize) else {
            return Span::default();
        };
        let relative = match (span.end.checked_sub(1), &check.node) {
            (None, Some(node)) => node.span,
            (Some(k), Some(node)) => node.deps.get(k as usize).map_or(node.span, |d| d.span),
            _ => Span::default(),
        };
        relative.shifted(offset)
    };
    for finding in graph {
        let mut d = finding.clone();
        d.primary.location.span = place(d.primary.location.span);
        for label in &mut d.secondary {
            label.location.span = place(label.location.span);
        }
        diagnostics.push(d);
    }
    info
}

/// The `each`/`group` context of the node whose expressions are being typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeContext {
    /// `each SRC`
    pub each: Option<String>,
    /// `group A, B`
    pub group: Vec<String>,
}

/// The names of the pipeline being checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PipelineScope {
    inputs: HashMap<String, Type>,
    secrets: HashSet<String>,
    nodes: HashMap<String, (Type, bool)>,
}

impl PipelineScope {
    /// The names the members declare; the first of a name defined twice wins.
    fn from_declares<'a>(declares: impl Iterator<Item = &'a Declares> + Clone) -> PipelineScope {
        let mut scope = PipelineScope::default();
        for declared in declares.clone() {
            match declared {
                Declares::Input { name, ty } => {
                    scope
                        .inputs
                        .entry(name.clone())
                        .or_insert_with(|| ty.clone());
                }
                Declares::Secret { name } => {
                    scope.secrets.insert(name.clone());
                }
                Declares::Node {
                    name, item, many, ..
                } => {
                    scope
                        .nodes
                        .entry(name.clone())
                        .or_insert_with(|| (item.clone(), *many));
                }
                _ => {}
            }
        }
        // A broken member's name still resolves, to anything, in its namespace:
        // its own syntax error is enough.
        for declared in declares {
            if let Declares::BrokenNamed { keyword, name } = declared {
                match keyword.as_deref() {
                    Some("input") => {
                        scope.inputs.entry(name.clone()).or_insert(Type::Any);
                    }
                    Some("secret") => {
                        scope.secrets.insert(name.clone());
                    }
                    Some("output") => {}
                    _ => {
                        scope
                            .nodes
                            .entry(name.clone())
                            .or_insert((Type::Any, false));
                    }
                }
            }
        }
        scope
    }
}

/// Walks one source, collecting diagnostics and dependencies.
pub(crate) struct Checker<'db> {
    db: &'db dyn Db,
    source: Source,
    file: &'db FileName,
    diagnostics: Vec<Diagnostic>,
    pipeline_scope: Option<Arc<PipelineScope>>,
    /// Inputs read by the member being checked.
    used_inputs: HashSet<String>,
    /// Dependencies found while typing the current member.
    deps: Vec<Dep>,
    /// Constants being typed (guards against `const A = B`, `const B = A`).
    const_stack: Vec<String>,
}

impl<'db> Checker<'db> {
    pub(crate) fn new(db: &'db dyn Db, source: Source) -> Self {
        Checker {
            db,
            source,
            file: source.name(db),
            diagnostics: Vec::new(),
            pipeline_scope: None,
            used_inputs: HashSet::new(),
            deps: Vec::new(),
            const_stack: Vec::new(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Checks an item other than a pipeline.
    fn other_item(&mut self, item: &Item) {
        match item {
            Item::Const(c) => {
                self.pipeline_scope = None;
                self.expr(&c.value, &NodeContext::default());
            }
            Item::Schema(schema) => {
                for field in &schema.fields {
                    self.lower(&field.ty);
                }
            }
            Item::Plugin(plugin) => {
                self.signature_of_plugin(plugin);
            }
            Item::Import(_) | Item::Pipeline(_) => {}
        }
    }
    /// Lowers a written type, reporting unknown names.
    fn lower(&mut self, ty: &pipec_grammar::ast::TypeExpr) -> Type {
        let db = self.db;
        let source = self.source;
        let schema = |name: &str| schema_type(db, source, name);
        match lower_type(ty, &schema) {
            Ok(t) => t,
            Err((error, span)) => {
                let (name, message) = match error {
                    crate::types::TypeError::Unknown(name) => {
                        let message = format!("unknown type `{name}`");
                        (name, message)
                    }
                    crate::types::TypeError::BadGeneric(name) => {
                        let message = format!(
                            "`{name}` is not a type: generics are `list<T>` and `table<Schema>`"
                        );
                        (name, message)
                    }
                };
                let mut candidates: Vec<String> = crate::types::TYPE_NAMES
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                candidates.extend(scope::visible_names(self.db, self.source, Kind::Schema));
                let d = Diagnostic::new(codes::UNKNOWN_TYPE, message, self.file, span)
                    .with_label("not a type").with_suggestion(
                    &name,
                    candidates.iter().map(String::as_str),
                    span,
                    "types are bool, int, float, string, path, duration, size, json, list<T>, table, and schema names",
                    None,
                );
                self.report(d);
                Type::Any
            }
        }
    }

    /// What a member declares; diagnostics found on the way go with it.
    fn shape(&mut self, member: &Member) -> MemberShape {
        let before = self.diagnostics.len();
        let declares = match member {
            Member::Input(input) => Declares::Input {
                name: input.name.name.clone(),
                ty: self.lower(&input.ty),
            },
            Member::Secret(secret) => Declares::Secret {
                name: secret.name.name.clone(),
            },
            Member::Node(node) => {
                let signature = self.resolve_callee(node);
                let each = node
                    .clauses
                    .iter()
                    .any(|c| matches!(c.kind, ClauseKind::Each { .. } | ClauseKind::Group { .. }));
                let (item, many) = match &signature {
                    Some(sig) => (
                        echoed(node, sig).unwrap_or_else(|| sig.item.clone()),
                        sig.many || each,
                    ),
                    None => (Type::Any, each),
                };
                Declares::Node {
                    name: node.name.name.clone(),
                    signature,
                    item,
                    many,
                }
            }
            Member::Output(_) => Declares::Output,
            Member::Broken(broken) => match &broken.name {
                Some(name) => Declares::BrokenNamed {
                    keyword: broken.keyword.clone(),
                    name: name.name.clone(),
                },
                None => Declares::Broken,
            },
        };
        MemberShape {
            declares,
            diagnostics: self.diagnostics.split_off(before),
        }
    }

    /// Types a default (of an input or a plugin parameter, `what`) against
    /// its declared type; a mismatch is reported with `help`.
    pub(super) fn check_default(&mut self, default: &Expr, ty: &Type, what: &str, help: &str) {
        let found = self.expr(default, &NodeContext::default());
        if !found.assignable_to(ty) {
            self.report(
                Diagnostic::new(
                    codes::DEFAULT_TYPE,
                    format!("the default of {what} is {found}, but its type is {ty}"),
                    self.file,
                    default.span,
                )
                .with_label(format!("expected {ty}"))
                .with_help(help),
            );
        }
    }

    /// Checks one member against its pipeline's names.
    fn check_member(
        &mut self,
        member: &Member,
        shape: &MemberShape,
        scope: &Arc<PipelineScope>,
    ) -> MemberCheck {
        let saved = std::mem::replace(&mut self.diagnostics, shape.diagnostics.clone());
        self.used_inputs.clear();
        self.deps.clear();
        let mut check = MemberCheck::default();
        match member {
            Member::Input(input) => {
                let ty = match &shape.declares {
                    Declares::Input { ty, .. } => ty.clone(),
                    _ => Type::Any,
                };
                // A default is typed outside the pipeline's names.
                self.pipeline_scope = None;
                if let Some(default) = &input.default {
                    self.check_default(
                        default,
                        &ty,
                        &format!("input `{}`", input.name.name),
                        "give a default of the declared type, or change the type",
                    );
                }
                check.name = Some((Namespace::Input, input.name.clone()));
                check.input = Some(InputInfo {
                    name: input.name.name.clone(),
                    ty,
                    docs: input.docs.text(),
                    member: 0,
                });
            }
            Member::Secret(secret) => {
                check.name = Some((Namespace::Secret, secret.name.clone()));
                check.secret = Some(secret.name.name.clone());
            }
            Member::Node(node) => {
                self.pipeline_scope = Some(scope.clone());
                let signature = match &shape.declares {
                    Declares::Node { signature, .. } => signature.clone(),
                    _ => None,
                };
                let (deps, binds) = self.node(node, signature.as_ref());
                let (item, many) = self.node_shape(&node.name.name);
                check.name = Some((Namespace::Node, node.name.clone()));
                check.node = Some(NodeInfo {
                    name: node.name.name.clone(),
                    returns_list: signature.as_ref().is_some_and(|s| s.many),
                    optional_params: signature.as_ref().map_or_else(Vec::new, |s| {
                        s.params
                            .iter()
                            .filter(|p| matches!(p.ty, Type::Optional(_)))
                            .map(|p| p.name.clone())
                            .collect()
                    }),
                    callee: signature.map(|s| s.callee),
                    item,
                    many,
                    deps,
                    binds,
                    member: 0,
                    span: node.name.span,
                });
            }
            Member::Output(output) => {
                self.pipeline_scope = Some(scope.clone());
                let ty = self.expr(&output.value, &NodeContext::default());
                check.name = Some((Namespace::Output, output.name.clone()));
                check.output = Some(OutputInfo {
                    name: output.name.name.clone(),
                    ty,
                    deps: std::mem::take(&mut self.deps),
                    member: 0,
                });
            }
            Member::Broken(broken) => {
                // A broken `output x = ...` names an output, which may share
                // its name with the node it outputs.
                let namespace = match broken.keyword.as_deref() {
                    Some("output") => Namespace::Output,
                    Some("input") => Namespace::Input,
                    Some("secret") => Namespace::Secret,
                    _ => Namespace::Node,
                };
                check.name = broken.name.clone().map(|name| (namespace, name));
                check.broken = true;
            }
        }
        self.pipeline_scope = None;
        let mut used: Vec<String> = self.used_inputs.drain().collect();
        used.sort();
        check.used_inputs = used;
        check.diagnostics = std::mem::replace(&mut self.diagnostics, saved);
        check
    }

    fn node_shape(&self, name: &str) -> (Type, bool) {
        self.pipeline_scope
            .as_ref()
            .and_then(|s| s.nodes.get(name).cloned())
            .unwrap_or((Type::Any, false))
    }

    /// Checks a node's clauses and arguments; returns its dependencies and
    /// the parameter each argument binds.
    fn node(
        &mut self,
        node: &NodeDecl,
        signature: Option<&Signature>,
    ) -> (Vec<Dep>, Vec<Option<String>>) {
        self.deps.clear();
        let mut context = NodeContext::default();
        for clause in &node.clauses {
            match &clause.kind {
                ClauseKind::Each { source, .. } if self.clause_node(source, DepKind::Each) => {
                    self.items_of_one_table(source, "each");
                    context.each = Some(source.name.clone());
                }
                ClauseKind::All { source, .. } if self.clause_node(source, DepKind::All) => {
                    self.items_of_one_table(source, "all");
                }
                ClauseKind::Group { sources, .. } => {
                    for source in sources {
                        if self.clause_node(source, DepKind::Group) {
                            self.items_of_one_table(source, "group");
                            context.group.push(source.name.clone());
                        }
                    }
                }
                ClauseKind::After { any, nodes } => {
                    let kind = if *any {
                        DepKind::AfterAny
                    } else {
                        DepKind::After
                    };
                    for n in nodes {
                        self.clause_node(n, kind);
                    }
                }
                _ => {}
            }
        }
        for clause in &node.clauses {
            match &clause.kind {
                ClauseKind::Each { source, filter } | ClauseKind::All { source, filter } => {
                    if let Some(filter) = filter {
                        let filter_context = NodeContext {
                            each: Some(source.name.clone()),
                            group: Vec::new(),
                        };
                        let ty = self.expr(filter, &filter_context);
                        self.expect_bool(&ty, filter, "`where`");
                    }
                }
                ClauseKind::When(cond) => {
                    let ty = self.expr(cond, &context);
                    self.expect_bool(&ty, cond, "`when`");
                }
                ClauseKind::Retry { count, backoff } => {
                    let ty = self.expr(count, &context);
                    if !ty.assignable_to(&Type::Int) {
                        self.report(
                            Diagnostic::new(
                                codes::RETRY_NOT_INT,
                                format!("`retry` needs a whole number, found {ty}"),
                                self.file,
                                count.span,
                            )
                            .with_label("not a whole number")
                            .with_help("write the number of further attempts, e.g. `retry 3`"),
                        );
                    }
                    if let Some(backoff) = backoff {
                        self.expect_duration(backoff, &context, "`backoff`");
                    }
                }
                ClauseKind::Timeout(duration) => {
                    self.expect_duration(duration, &context, "`timeout`")
                }
                ClauseKind::On(pool) => {
                    let ty = self.expr(pool, &context);
                    self.expect_type(&ty, &Type::String, pool, "`on` takes a pool name");
                }
                ClauseKind::Cache(true) => self.report(
                    Diagnostic::new(
                        codes::NO_EFFECT_YET,
                        "`cache on` has no effect yet: runs do not keep results to reuse",
                        self.file,
                        clause.span,
                    )
                    .with_label("kept in the plan, but every run computes the node anew")
                    .with_help("remove the clause; caching comes with durable runs"),
                ),
                ClauseKind::Resources(fields) => {
                    for field in fields {
                        let ty = self.expr(&field.value, &context);
                        let want = match field.name.name.as_str() {
                            "cpus" => Type::Float,
                            "memory" => Type::Size,
                            "gpus" => Type::Int,
                            _ => Type::Any,
                        };
                        self.expect_type(
                            &ty,
                            &want,
                            &field.value,
                            &format!("`{}`", field.name.name),
                        );
                    }
                }
                _ => {}
            }
        }
        let binds = self.arguments(node, signature, &context);
        if let Some(Signature {
            callee: Callee::Builtin { name },
            ..
        }) = signature
            && name == "sql"
            && let Some(query) = node.call.args.first()
            && let pipec_grammar::ast::ExprKind::String(text) = &query.value.kind
        {
            self.sql_tables(text);
        }
        (std::mem::take(&mut self.deps), binds)
    }

    /// Reports a clause (`each`, `all`, `group`) over a node whose value is
    /// one table: it has one item, the table, not one per row (E0213).
    fn items_of_one_table(&mut self, source: &pipec_grammar::ast::Ident, clause: &str) {
        let (ty, many) = self.node_shape(&source.name);
        if many || !matches!(ty.non_null(), Type::Table(_)) {
            return;
        }
        let name = &source.name;
        self.report(
            Diagnostic::new(
                codes::ITEMS_OF_A_TABLE,
                format!("`{clause} {name}` has one item: `{name}` is a table, not a list of its rows"),
                self.file,
                source.span,
            )
            .with_label("one table")
            .with_help(format!(
                "for one item per row, add `node {name}_rows = rows({name})` and write `{clause} {name}_rows`"
            )),
        );
    }

    /// Records a clause's reference to a node; false (and a diagnostic) when there is none.
    fn clause_node(&mut self, name: &pipec_grammar::ast::Ident, kind: DepKind) -> bool {
        let known = self
            .pipeline_scope
            .as_ref()
            .is_some_and(|s| s.nodes.contains_key(&name.name));
        if known {
            self.deps.push(Dep {
                node: name.name.clone(),
                kind,
                span: name.span,
            });
            return true;
        }
        let candidates: Vec<String> = self
            .pipeline_scope
            .as_ref()
            .map(|s| s.nodes.keys().cloned().collect())
            .unwrap_or_default();
        let d = Diagnostic::new(
            codes::UNKNOWN_NODE,
            format!("no node named `{}` in this pipeline", name.name),
            self.file,
            name.span,
        )
        .with_label("unknown node")
        .with_suggestion(
            &name.name,
            candidates.iter().map(String::as_str),
            name.span,
            "clauses name nodes of the same pipeline",
            None,
        );
        self.report(d);
        false
    }

    fn expect_bool(&mut self, ty: &Type, expr: &Expr, what: &str) {
        if !ty.assignable_to(&Type::Bool) {
            self.report(
                Diagnostic::new(
                    codes::CONDITION_NOT_BOOL,
                    format!("{what} needs a bool, found {ty}"),
                    self.file,
                    expr.span,
                )
                .with_label(format!("this is {ty}"))
                .with_help("compare it to make a bool, e.g. `== \"x\"`, `!= null` or `> 0`"),
            );
        }
    }

    fn expect_duration(&mut self, expr: &Expr, context: &NodeContext, what: &str) {
        let ty = self.expr(expr, context);
        if !ty.assignable_to(&Type::Duration) {
            let hint = match &expr.kind {
                pipec_grammar::ast::ExprKind::Literal(pipec_grammar::ast::Literal::Int(n)) => {
                    format!("add a unit: `{n}s`, `{n}m` or `{n}ms`")
                }
                _ => "write a duration such as `30s`, `5m` or `250ms`".to_string(),
            };
            let mut d = Diagnostic::new(
                codes::DURATION_EXPECTED,
                format!("{what} needs a duration, found {ty}"),
                self.file,
                expr.span,
            )
            .with_label("not a duration")
            .with_help(hint);
            if let pipec_grammar::ast::ExprKind::Literal(pipec_grammar::ast::Literal::Int(n)) =
                &expr.kind
            {
                d = d.with_fix("read it as seconds", expr.span, format!("{n}s"));
            }
            self.report(d);
        }
    }

    fn expect_type(&mut self, ty: &Type, want: &Type, expr: &Expr, what: &str) {
        if !ty.assignable_to(want) {
            self.report(
                Diagnostic::new(
                    codes::WRONG_ARGUMENT_TYPE,
                    format!("{what} expects {want}, found {ty}"),
                    self.file,
                    expr.span,
                )
                .with_label(format!("expected {want}"))
                .with_help(format!("give a value of type {want}")),
            );
        }
    }
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

impl Checker<'_> {
    /// The pipeline's input of type `table` that SQL text names `name`
    /// (SQL reads an unquoted name in lower case, so in any case), if any.
    fn table_input(&self, name: &str) -> Option<String> {
        self.table_inputs()
            .into_iter()
            .find(|input| input.eq_ignore_ascii_case(name))
    }

    /// The pipeline's inputs of type `table`, in name order.
    fn table_inputs(&self) -> Vec<String> {
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
    fn sql_tables(&mut self, text: &pipec_grammar::ast::StringLit) {
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

/// A schema visible from `source`, written as the column list a table
/// reader's `schema:` takes (`"id int, amount float"`); `None` when there is
/// no such schema or a field has no column type (a list, a record).
pub(crate) fn schema_columns_text(db: &dyn Db, source: Source, name: &str) -> Option<String> {
    let found = scope::lookup(db, source, Kind::Schema, name)?;
    let Item::Schema(schema) = item_interface(db, found.source, found.index).as_ref()? else {
        return None;
    };
    let columns = schema
        .fields
        .iter()
        .map(|field| {
            let ty = crate::tables::column_word(&field.ty)?;
            Some(format!("{} {ty}", field.name.name))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(columns.join(", "))
}

/// The record type of a schema visible from `source`.
pub(crate) fn schema_type(db: &dyn Db, source: Source, name: &str) -> Option<Type> {
    let found = scope::lookup(db, source, Kind::Schema, name)?;
    let Item::Schema(schema) = item_interface(db, found.source, found.index).as_ref()? else {
        return None;
    };
    let mut fields = std::collections::BTreeMap::new();
    for field in &schema.fields {
        let inner = |n: &str| {
            if n == name {
                None
            } else {
                schema_type(db, found.source, n)
            }
        };
        fields.insert(
            field.name.name.clone(),
            lower_type(&field.ty, &inner).unwrap_or(Type::Any),
        );
    }
    Some(Type::record(fields))
}

/// The names pipeline `item` of a source read as pieces declares, with their types.
pub(crate) fn scope_types(db: &dyn Db, source: Source, item: usize) -> crate::ide::PipelineTypes {
    let scope = pipeline_scope(db, source, item);
    let mut secrets: Vec<String> = scope.secrets.iter().cloned().collect();
    secrets.sort();
    crate::ide::PipelineTypes {
        inputs: scope
            .inputs
            .iter()
            .map(|(name, ty)| (name.clone(), ty.clone()))
            .collect(),
        secrets,
        nodes: scope
            .nodes
            .iter()
            .map(|(name, typed)| (name.clone(), typed.clone()))
            .collect(),
    }
}

/// Where the callee written as `path` is defined, as seen from `source`.
pub(crate) fn callee_at(db: &dyn Db, source: Source, path: &[Ident]) -> Option<scope::Found> {
    signature::find_callee(db, source, path).ok()
}

/// The signature of the plugin or pipeline at `found` (memoised).
pub(crate) fn signature_of(db: &dyn Db, found: scope::Found) -> Option<&Signature> {
    signature::found_signature(db, found.source, found.index).as_ref()
}
