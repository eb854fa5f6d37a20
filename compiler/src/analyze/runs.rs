//! The incremental queries of one pipeline, per run of members: what each
//! run declares (`run_shapes`), the pipeline's names put together
//! (`pipeline_declarations`, `pipeline_scope`), each run checked
//! (`run_check`), and the graph checks over the pipeline's structure
//! (`pipeline_structure`, `pipeline_graph`), whose findings name places by
//! member and dependency (locators).

use super::*;

/// What the members of a run declare, with the diagnostics of resolving them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RunShapes {
    pub(super) shapes: Vec<MemberShape>,
    pub(super) declares: Arc<Vec<Declares>>,
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
pub(super) fn echoed(node: &NodeDecl, signature: &signature::Signature) -> Option<Type> {
    let ty = literal_type(builtin_argument(node, signature, "echo", "value")?);
    if ty == Type::Any {
        return None;
    }
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("value".to_string(), ty);
    Some(Type::record(fields))
}

/// The item type of an `items` node: the element type of its list, when
/// the list is a literal whose elements all have one type as written.
pub(super) fn itemized(node: &NodeDecl, signature: &signature::Signature) -> Option<Type> {
    match literal_type(builtin_argument(node, signature, "items", "list")?) {
        Type::List(element) if *element != Type::Any => Some((*element).clone()),
        _ => None,
    }
}

/// The argument a call of built-in `operator` gives its one parameter
/// `param` (by name, or first by position); `None` for another callee.
fn builtin_argument<'n>(
    node: &'n NodeDecl,
    signature: &signature::Signature,
    operator: &str,
    param: &str,
) -> Option<&'n Expr> {
    if !matches!(&signature.callee, Callee::Builtin { name } if name == operator) {
        return None;
    }
    node.call
        .args
        .iter()
        .find(|a| a.name.as_ref().is_none_or(|n| n.name == param))
        .map(|a| &a.value)
}

/// The type of an expression as written, without resolving names: literals
/// and record literals; `any` for the rest.
pub(super) fn literal_type(expr: &Expr) -> Type {
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
        // A list of elements of one type as written is a list of it.
        ExprKind::List(items) => {
            let mut types = items.iter().map(literal_type);
            match types.next() {
                Some(first) if first != Type::Any && types.all(|t| t == first) => Type::list(first),
                _ => Type::list(Type::Any),
            }
        }
        _ => Type::Any,
    }
}

/// The runs of pipeline `item` of a source read as pieces.
pub(super) fn runs_of<'db>(
    db: &'db dyn Db,
    source: Source,
    item: usize,
) -> &'db [crate::layout::Placed<'db>] {
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
    pub(super) members: Vec<MemberCheck>,
    pub(super) structure: Arc<Vec<MemberStructure>>,
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
    pub(super) node: Option<NodeInfo>,
    pub(super) output: Option<OutputInfo>,
    /// The member did not parse: what it reads is unknown.
    pub(super) broken: bool,
}

pub(super) fn structure_of(check: &MemberCheck) -> MemberStructure {
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
pub(super) fn locator(member: usize, dep: Option<usize>) -> Span {
    Span {
        start: u32::try_from(member).unwrap_or(u32::MAX),
        end: dep.map_or(0, |k| u32::try_from(k + 1).unwrap_or(u32::MAX)),
    }
}

/// Runs the graph checks over members given run by run; places are locators.
pub(super) fn graph_findings<'a>(
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
