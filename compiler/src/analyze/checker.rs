//! The `Checker`: one member at a time, its names resolved, its clauses,
//! arguments and expressions typed, its dependencies recorded.

use super::*;

/// Walks one source, collecting diagnostics and dependencies.
pub(crate) struct Checker<'db> {
    pub(super) db: &'db dyn Db,
    pub(super) source: Source,
    pub(super) file: &'db FileName,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) pipeline_scope: Option<Arc<PipelineScope>>,
    /// Inputs read by the member being checked.
    pub(super) used_inputs: HashSet<String>,
    /// Dependencies found while typing the current member.
    pub(super) deps: Vec<Dep>,
    /// Constants being typed (guards against `const A = B`, `const B = A`).
    pub(super) const_stack: Vec<String>,
    /// Typing the arguments of an operator whose templates are SQL text
    /// (`sql`, `filter`, `aggregate`): a list there is bound as `in (...)`
    /// parameters, not spliced into text.
    pub(super) in_sql_text: bool,
    /// Typing an interpolation written right after a `$` (`"${HOME}"`).
    pub(super) after_dollar: bool,
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
            in_sql_text: false,
            after_dollar: false,
        }
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Checks an item other than a pipeline.
    pub(super) fn other_item(&mut self, item: &Item) {
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
    pub(super) fn lower(&mut self, ty: &pipec_grammar::ast::TypeExpr) -> Type {
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
    pub(super) fn shape(&mut self, member: &Member) -> MemberShape {
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
                        echoed(node, sig)
                            .or_else(|| itemized(node, sig))
                            .unwrap_or_else(|| sig.item.clone()),
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
    pub(super) fn check_member(
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
                    path_params: signature.as_ref().map_or_else(Vec::new, |s| {
                        s.params
                            .iter()
                            .filter(|p| p.ty.takes_path())
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

    pub(super) fn node_shape(&self, name: &str) -> (Type, bool) {
        self.pipeline_scope
            .as_ref()
            .and_then(|s| s.nodes.get(name).cloned())
            .unwrap_or((Type::Any, false))
    }

    /// Checks a node's clauses and arguments; returns its dependencies and
    /// the parameter each argument binds.
    pub(super) fn node(
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
                    self.each_over_one_list(source);
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
        {
            self.file_patterns(name, node, &binds);
        }
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

    /// E0413 for a file pattern that cannot be read: a table reader's
    /// `path` or `list_files`' `glob`, written as a plain string with `*`,
    /// `?`, `[` or `{` (the one dialect of [`crate::files`]).
    fn file_patterns(&mut self, operator: &str, node: &NodeDecl, binds: &[Option<String>]) {
        let param = match operator {
            "read_csv" | "read_parquet" | "read_json" => "path",
            "list_files" => "glob",
            _ => return,
        };
        for (arg, bound) in node.call.args.iter().zip(binds) {
            if bound.as_deref() != Some(param) {
                continue;
            }
            let pipec_grammar::ast::ExprKind::String(literal) = &arg.value.kind else {
                continue;
            };
            let Some(text) = literal.as_plain() else {
                continue;
            };
            let checked = match param {
                "glob" => crate::files::Pattern::new(&text).map(|_| ()),
                _ if crate::files::is_pattern(&text) => crate::files::check(&text),
                _ => Ok(()),
            };
            if let Err(message) = checked {
                self.report(
                    Diagnostic::new(codes::BAD_FILE_PATTERN, message, self.file, arg.value.span)
                        .with_label("this pattern cannot be matched")
                        .with_help(
                            "patterns take `*`, `**`, `?`, `[a-z]` and `{a,b}`; write `\\[` for a literal `[`",
                        ),
                );
            }
        }
    }

    /// W0104 for `each X` where X is one value that holds a list (a list, or
    /// `echo`'s `{ value: list }`): one task, for the whole list. The help
    /// says how to have a task per element (`items`).
    pub(super) fn each_over_one_list(&mut self, source: &pipec_grammar::ast::Ident) {
        let (ty, many) = self.node_shape(&source.name);
        if many {
            return;
        }
        let name = &source.name;
        let list = match ty.non_null() {
            Type::List(_) => name.clone(),
            Type::Record(fields) if fields.len() == 1 => match fields.iter().next() {
                Some((field, Type::List(_))) => format!("{name}.{field}"),
                _ => return,
            },
            _ => return,
        };
        let items = list.replace('.', "_") + "_items";
        self.report(
            Diagnostic::new(
                codes::EACH_OVER_ONE_LIST,
                format!("`each {name}` has one task: `{name}` is one value, and `{list}` is a list in it"),
                self.file,
                source.span,
            )
            .with_label("one item, holding a list")
            .with_help(format!(
                "for a task per element, make the list a node of items: `node {items} = items({list})` and write `each {items}`"
            )),
        );
    }

    /// Reports a clause (`each`, `all`, `group`) over a node whose value is
    /// one table: it has one item, the table, not one per row (E0213).
    pub(super) fn items_of_one_table(&mut self, source: &pipec_grammar::ast::Ident, clause: &str) {
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
    pub(super) fn clause_node(&mut self, name: &pipec_grammar::ast::Ident, kind: DepKind) -> bool {
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

    pub(super) fn expect_bool(&mut self, ty: &Type, expr: &Expr, what: &str) {
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

    pub(super) fn expect_duration(&mut self, expr: &Expr, context: &NodeContext, what: &str) {
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

    pub(super) fn expect_type(&mut self, ty: &Type, want: &Type, expr: &Expr, what: &str) {
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
