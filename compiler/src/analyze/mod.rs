//! Analysis of a source's pipelines: names, signatures, types, dependencies.
//!
//! [`analyze`] is a tracked query per source. For each pipeline it resolves
//! every member, types every expression against the signatures of the
//! callees and pipes, records each node's dependencies, and then checks the
//! graph ([`crate::graph`]).

mod expr;
mod signature;

use std::collections::{HashMap, HashSet};

use pipec_grammar::ast::{ClauseKind, Expr, Item, Member, NodeDecl, Pipeline};
use pipec_grammar::diagnostic::{Diagnostic, FileName};
use pipec_grammar::span::Span;
use serde::Serialize;

use crate::codes;
use crate::db::{Db, Source};
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
    /// Its dependencies, in source order.
    pub deps: Vec<Dep>,
    /// The parameter each argument binds, in argument order.
    pub binds: Vec<Option<String>>,
    /// Its member index in the pipeline.
    pub member: usize,
    /// Where its name is.
    pub span: Span,
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
// Not compared with the previous result: per-file results change with
// every edit (spans move), so comparing them only costs time.
#[salsa::tracked(returns(ref), no_eq)]
pub fn analyze(db: &dyn Db, source: Source) -> Analysis {
    let tree = &parse(db, source).tree;
    let mut analysis = Analysis::default();
    let mut checker = Checker::new(db, source);
    for (index, item) in tree.items.iter().enumerate() {
        match item {
            Item::Pipeline(pipeline) => {
                let info = checker.pipeline(pipeline, index);
                crate::graph::check(&info, checker.file, &mut checker.diagnostics);
                analysis.pipelines.push(info);
            }
            Item::Const(c) => {
                checker.pipeline_scope = None;
                checker.expr(&c.value, &NodeContext::default());
            }
            Item::Schema(schema) => {
                for field in &schema.fields {
                    checker.lower(&field.ty);
                }
            }
            Item::Plugin(plugin) => {
                checker.signature_of_plugin(plugin);
            }
            Item::Import(_) => {}
        }
    }
    let mut diagnostics = checker.diagnostics;
    recursion(&analysis.pipelines, source.name(db), &mut diagnostics);
    analysis.diagnostics = diagnostics;
    analysis
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
pub(crate) struct PipelineScope {
    inputs: HashMap<String, Type>,
    secrets: HashSet<String>,
    nodes: HashMap<String, (Type, bool)>,
    used_inputs: HashSet<String>,
}

/// Walks one source, collecting diagnostics and dependencies.
pub(crate) struct Checker<'db> {
    db: &'db dyn Db,
    source: Source,
    file: &'db FileName,
    diagnostics: Vec<Diagnostic>,
    pipeline_scope: Option<PipelineScope>,
    /// Dependencies found while typing the current member.
    deps: Vec<Dep>,
    /// Constants being typed (guards against `const A = B`, `const B = A`).
    const_stack: Vec<String>,
}

impl<'db> Checker<'db> {
    fn new(db: &'db dyn Db, source: Source) -> Self {
        Checker {
            db,
            source,
            file: source.name(db),
            diagnostics: Vec::new(),
            pipeline_scope: None,
            deps: Vec::new(),
            const_stack: Vec::new(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
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

    fn pipeline(&mut self, pipeline: &Pipeline, item: usize) -> PipelineInfo {
        let file = self.file;
        let mut info = PipelineInfo {
            name: pipeline.name.name.clone(),
            item,
            inputs: Vec::new(),
            secrets: Vec::new(),
            nodes: Vec::new(),
            outputs: Vec::new(),
        };
        let mut scope = PipelineScope {
            inputs: HashMap::new(),
            secrets: HashSet::new(),
            nodes: HashMap::new(),
            used_inputs: HashSet::new(),
        };

        // Names first (duplicates), so that members may refer to later ones.
        // Inputs (`input.x`), secrets (`secret.x`), nodes (`x`) and outputs
        // (the run's result) are separate namespaces.
        let mut seen: HashMap<(u8, &str), Span> = HashMap::new();
        for member in &pipeline.members {
            let Some(name) = member.name() else { continue };
            let kind = match member {
                Member::Input(_) => 0,
                Member::Secret(_) => 1,
                Member::Output(_) => 3,
                Member::Node(_) | Member::Broken(_) => 2,
            };
            if let Some(first) = seen.get(&(kind, name.name.as_str())) {
                self.report(
                    Diagnostic::new(
                        codes::DUPLICATE_NAME,
                        format!(
                            "`{}` is defined twice in pipeline `{}`",
                            name.name, pipeline.name.name
                        ),
                        file,
                        name.span,
                    )
                    .with_label("defined again here")
                    .with_secondary(file, *first, "first defined here")
                    .with_help(
                        "two inputs, secrets, nodes or outputs of one pipeline cannot share a name",
                    ),
                );
            } else {
                seen.insert((kind, &name.name), name.span);
            }
        }

        // Inputs and secrets.
        for (index, member) in pipeline.members.iter().enumerate() {
            match member {
                Member::Input(input) => {
                    let ty = self.lower(&input.ty);
                    if let Some(default) = &input.default {
                        let found = self.expr(default, &NodeContext::default());
                        if !found.assignable_to(&ty) {
                            self.report(
                                Diagnostic::new(
                                    codes::DEFAULT_TYPE,
                                    format!("the default of input `{}` is {found}, but its type is {ty}", input.name.name),
                                    file,
                                    default.span,
                                )
                                .with_label(format!("expected {ty}"))
                                .with_help("give a default of the declared type, or change the type"),
                            );
                        }
                    }
                    scope
                        .inputs
                        .entry(input.name.name.clone())
                        .or_insert_with(|| ty.clone());
                    info.inputs.push(InputInfo {
                        name: input.name.name.clone(),
                        ty,
                        docs: input.docs.text(),
                        member: index,
                    });
                }
                Member::Secret(secret) => {
                    scope.secrets.insert(secret.name.name.clone());
                    info.secrets.push(secret.name.name.clone());
                }
                _ => {}
            }
        }

        // Node signatures: what each node produces, before any node is typed.
        let mut signatures: Vec<(usize, &NodeDecl, Option<Signature>)> = Vec::new();
        for (index, member) in pipeline.members.iter().enumerate() {
            if let Member::Node(node) = member {
                let signature = self.resolve_callee(node);
                let each = node
                    .clauses
                    .iter()
                    .any(|c| matches!(c.kind, ClauseKind::Each { .. } | ClauseKind::Group { .. }));
                let (item, many) = match &signature {
                    Some(sig) => (sig.item.clone(), sig.many || each),
                    None => (Type::Any, each),
                };
                scope
                    .nodes
                    .entry(node.name.name.clone())
                    .or_insert((item, many));
                signatures.push((index, node, signature));
            }
        }
        // A broken member's name still resolves, to anything, in its namespace:
        // its own syntax error is enough.
        for member in &pipeline.members {
            if let Member::Broken(broken) = member
                && let Some(name) = &broken.name
            {
                match broken.keyword.as_deref() {
                    Some("input") => {
                        scope.inputs.entry(name.name.clone()).or_insert(Type::Any);
                    }
                    Some("secret") => {
                        scope.secrets.insert(name.name.clone());
                    }
                    Some("output") => {}
                    _ => {
                        scope
                            .nodes
                            .entry(name.name.clone())
                            .or_insert((Type::Any, false));
                    }
                }
            }
        }
        self.pipeline_scope = Some(scope);

        for (index, node, signature) in signatures {
            let (deps, binds) = self.node(node, signature.as_ref());
            let (item, many) = self.node_shape(&node.name.name);
            info.nodes.push(NodeInfo {
                name: node.name.name.clone(),
                callee: signature.map(|s| s.callee),
                item,
                many,
                deps,
                binds,
                member: index,
                span: node.name.span,
            });
        }

        for (index, member) in pipeline.members.iter().enumerate() {
            if let Member::Output(output) = member {
                self.deps.clear();
                let ty = self.expr(&output.value, &NodeContext::default());
                info.outputs.push(OutputInfo {
                    name: output.name.name.clone(),
                    ty,
                    deps: std::mem::take(&mut self.deps),
                    member: index,
                });
            }
        }

        // Inputs nothing reads.
        let used = self
            .pipeline_scope
            .take()
            .map(|s| s.used_inputs)
            .unwrap_or_default();
        for member in &pipeline.members {
            if let Member::Input(input) = member
                && !used.contains(&input.name.name)
            {
                self.report(
                    Diagnostic::new(
                        codes::UNUSED_INPUT,
                        format!("input `{}` is never read", input.name.name),
                        file,
                        input.name.span,
                    )
                    .with_label("declared here, read nowhere")
                    .with_help(format!(
                        "read it as `input.{}`, or remove it",
                        input.name.name
                    )),
                );
            }
        }
        info
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
                    context.each = Some(source.name.clone());
                }
                ClauseKind::All { source, .. } => {
                    self.clause_node(source, DepKind::All);
                }
                ClauseKind::Group { sources, .. } => {
                    for source in sources {
                        if self.clause_node(source, DepKind::Group) {
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
    /// Records the nodes an `sql(...)` text reads as tables; reports unknown
    /// tables and SQL that does not parse. Interpolations are bound as
    /// parameters at run time, so they are read here as `NULL`.
    fn sql_tables(&mut self, text: &pipec_grammar::ast::StringLit) {
        let mut query = String::new();
        for part in &text.parts {
            match part {
                pipec_grammar::ast::StringPart::Text { value, .. } => query.push_str(value),
                pipec_grammar::ast::StringPart::Interpolation(_) => query.push_str("NULL"),
            }
        }
        let quote = if text.triple { 3 } else { 1 };
        let body_start = text.span.start as usize + quote;
        match crate::sql::table_references(&query) {
            Err(message) => self.report(
                Diagnostic::new(
                    codes::SQL_SYNTAX,
                    format!("this SQL does not parse: {message}"),
                    self.file,
                    text.span,
                )
                .with_label("invalid SQL")
                .with_help("the text is parsed with the SQL parser DataFusion uses"),
            ),
            Ok(tables) => {
                let nodes: Vec<String> = self
                    .pipeline_scope
                    .as_ref()
                    .map(|s| s.nodes.keys().cloned().collect())
                    .unwrap_or_default();
                for table in tables {
                    // Where the name stands in the literal (exact when no escape precedes it).
                    let span = find_word(&query, &table).map_or(text.span, |at| {
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
                    let d = Diagnostic::new(
                        codes::UNKNOWN_TABLE,
                        format!("SQL reads table `{table}`, but no node has that name"),
                        self.file,
                        span,
                    )
                    .with_label("not a node of this pipeline")
                    .with_suggestion(
                        &table,
                        nodes.iter().map(String::as_str),
                        span,
                        "in `sql(...)`, tables are the upstream nodes, by name",
                        None,
                    );
                    self.report(d);
                }
            }
        }
    }
}

/// The byte offset of `word` in `text` as a whole word, ignoring case.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&word) {
        let at = from + found;
        let end = at + word.len();
        let boundary =
            |i: Option<&u8>| i.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if boundary(at.checked_sub(1).and_then(|i| bytes.get(i))) && boundary(bytes.get(end)) {
            return Some(at);
        }
        from = end;
    }
    None
}

/// The record type of a schema visible from `source`.
pub(crate) fn schema_type(db: &dyn Db, source: Source, name: &str) -> Option<Type> {
    let found = scope::lookup(db, source, Kind::Schema, name)?;
    let Item::Schema(schema) = parse(db, found.source).tree.items.get(found.index)? else {
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
    Some(Type::Record(fields))
}
