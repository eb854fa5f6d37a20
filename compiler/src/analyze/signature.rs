//! Callees and their signatures; arguments checked against them.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use pipec_grammar::ast::{Ident, Item, Member, NodeDecl, PluginDecl};
use pipec_grammar::diagnostic::Diagnostic;
use pipec_grammar::span::Span;
use serde::Serialize;

use super::{Checker, MemberShape, NodeContext, PipelineScope, pipeline_scope, runs_of};
use crate::codes;
use crate::db::{Db, Source};
use crate::layout::{Layout, item_interface, layout, members};
use crate::queries::parse;
use crate::scope::{self, Found, Kind};
use crate::types::Type;

/// What a node calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Callee {
    /// A built-in operator.
    Builtin {
        /// Its name.
        name: String,
    },
    /// A plugin declared with `plugin`, provided by the host.
    Host {
        /// Its name.
        name: String,
        /// The file that declares it.
        file: String,
    },
    /// A pipeline called as a node.
    Pipeline {
        /// Its name.
        name: String,
        /// The file that defines it.
        file: String,
    },
}

impl Callee {
    /// The callee's name.
    pub fn name(&self) -> &str {
        match self {
            Callee::Builtin { name }
            | Callee::Host { name, .. }
            | Callee::Pipeline { name, .. } => name,
        }
    }
}

/// One parameter of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether an argument must be given.
    pub required: bool,
}

impl Param {
    /// The parameter as signatures show it: `name: T`, or `name: T = ...`
    /// when it has a default.
    pub fn written(&self) -> String {
        if self.required {
            format!("{}: {}", self.name, self.ty)
        } else {
            format!("{}: {} = ...", self.name, self.ty)
        }
    }
}

/// A callee's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// What is called.
    pub callee: Callee,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// The type of one item it produces.
    pub item: Type,
    /// Whether it produces many items (its declared output is `list<T>`).
    pub many: bool,
}

impl Checker<'_> {
    /// The signature of a `plugin` declaration (its types checked).
    pub(super) fn signature_of_plugin(&mut self, plugin: &PluginDecl) -> (Vec<Param>, Type) {
        let mut params = Vec::new();
        for param in &plugin.params {
            let ty = self.lower(&param.ty);
            if let Some(default) = &param.default {
                self.check_default(
                    default,
                    &ty,
                    &format!("parameter `{}`", param.name.name),
                    "give a default of the declared type",
                );
            }
            params.push(Param {
                name: param.name.name.clone(),
                required: param.default.is_none() && !matches!(ty, Type::Optional(_)),
                ty,
            });
        }
        let output = plugin
            .output
            .as_ref()
            .map_or(Type::record(BTreeMap::new()), |t| self.lower(t));
        (params, output)
    }

    /// The signature of a plugin or pipeline found elsewhere (types only, no diagnostics).
    pub(super) fn signature_at(&mut self, found: Found) -> Option<Signature> {
        let file = found.source.name(self.db).to_string();
        let item = item_interface(self.db, found.source, found.index)
            .as_ref()?
            .clone();
        // Types of another file are lowered as seen from that file; its own analysis reports its mistakes.
        let saved = (self.source, self.diagnostics.len());
        self.source = found.source;
        let signature = match &item {
            Item::Plugin(plugin) => {
                let (params, output) = self.signature_of_plugin(plugin);
                let (item, many) = match output {
                    Type::List(of) => (*of, true),
                    other => (other, false),
                };
                let callee = if found.source == self.db.prelude() {
                    Callee::Builtin {
                        name: plugin.name.name.clone(),
                    }
                } else {
                    Callee::Host {
                        name: plugin.name.name.clone(),
                        file,
                    }
                };
                Some(Signature {
                    callee,
                    params,
                    item,
                    many,
                })
            }
            Item::Pipeline(pipeline) => {
                let mut params = Vec::new();
                for member in &pipeline.members {
                    if let Member::Input(input) = member {
                        let ty = self.lower(&input.ty);
                        params.push(Param {
                            name: input.name.name.clone(),
                            required: input.default.is_none() && !matches!(ty, Type::Optional(_)),
                            ty,
                        });
                    }
                }
                // Every output is there, typed (`any` where it cannot be known).
                let outputs = pipeline_output_types(self.db, found.source, found.index).clone();
                Some(Signature {
                    callee: Callee::Pipeline {
                        name: pipeline.name.name.clone(),
                        file,
                    },
                    params,
                    item: Type::record(outputs),
                    many: false,
                })
            }
            _ => None,
        };
        self.source = saved.0;
        self.diagnostics.truncate(saved.1);
        signature
    }

    /// Resolves a node's callee; reports an unknown one.
    pub(super) fn resolve_callee(&mut self, node: &NodeDecl) -> Option<Signature> {
        let path = &node.call.callee;
        let span = node.call.callee_span;
        match find_callee(self.db, self.source, path) {
            Ok(found) => found_signature(self.db, found.source, found.index).clone(),
            Err(alias) => {
                let written = path
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let candidates = scope::visible_names(self.db, self.source, Kind::Callee);
                let last = path.last().map_or("", |p| p.name.as_str());
                let message = match &alias {
                    Some(alias) => {
                        format!("the file imported as `{alias}` has no plugin or pipeline `{last}`")
                    }
                    None => format!("no operator, plugin or pipeline named `{written}`"),
                };
                // A suggestion replaces the whole callee, so only for an unqualified one.
                let suggestions: &[String] = if path.len() == 1 { &candidates } else { &[] };
                let d = Diagnostic::new(codes::UNKNOWN_CALLEE, message, self.file, span)
                    .with_label("unknown callee")
                    .with_suggestion(
                        last,
                        suggestions.iter().map(String::as_str),
                        span,
                        "declare host operators with `plugin NAME(...) -> TYPE`; `pipec explain E0104` lists the kinds of callee",
                        None,
                    );
                self.report(d);
                None
            }
        }
    }

    /// Checks a node's arguments against its signature, typing every argument;
    /// returns the parameter each argument binds (`None` where it binds none).
    pub(super) fn arguments(
        &mut self,
        node: &NodeDecl,
        signature: Option<&Signature>,
        context: &NodeContext,
    ) -> Vec<Option<String>> {
        let call = &node.call;
        let Some(signature) = signature else {
            for arg in &call.args {
                self.expr(&arg.value, context);
            }
            return vec![None; call.args.len()];
        };
        let mut binds: Vec<Option<String>> = Vec::with_capacity(call.args.len());
        let callee = signature.callee.name().to_string();
        let mut bound: Vec<Option<pipec_grammar::span::Span>> = vec![None; signature.params.len()];
        let mut positional = 0;
        self.in_sql_text = matches!(
            signature.callee,
            Callee::Builtin { ref name } if matches!(name.as_str(), "sql" | "filter" | "aggregate")
        );
        let types: Vec<Type> = call
            .args
            .iter()
            .map(|arg| self.expr(&arg.value, context))
            .collect();
        self.in_sql_text = false;
        let order = positional_order(signature, &call.args, &types);
        for (arg, ty) in call.args.iter().zip(types) {
            binds.push(None);
            let index = match &arg.name {
                None => {
                    let index = order
                        .and_then(|order| order.get(positional).copied())
                        .unwrap_or(positional);
                    positional += 1;
                    if index >= signature.params.len() {
                        self.report(
                            Diagnostic::new(
                                codes::TOO_MANY_ARGUMENTS,
                                format!(
                                    "`{callee}` takes {} argument{}, but more were given",
                                    signature.params.len(),
                                    if signature.params.len() == 1 { "" } else { "s" }
                                ),
                                self.file,
                                arg.span,
                            )
                            .with_label("extra argument")
                            .with_help(format!(
                                "`{callee}` takes ({})",
                                param_list(&signature.params)
                            )),
                        );
                        continue;
                    }
                    index
                }
                Some(name) => match signature.params.iter().position(|p| p.name == name.name) {
                    Some(index) => index,
                    None => {
                        let takes = format!("`{callee}` takes ({})", param_list(&signature.params));
                        let d = Diagnostic::new(
                            codes::UNKNOWN_ARGUMENT,
                            format!("`{callee}` has no parameter `{}`", name.name),
                            self.file,
                            name.span,
                        )
                        .with_label("unknown parameter")
                        .with_suggestion(
                            &name.name,
                            signature.params.iter().map(|p| p.name.as_str()),
                            name.span,
                            takes.clone(),
                            Some(&takes),
                        );
                        self.report(d);
                        continue;
                    }
                },
            };
            if let Some(first) = bound[index] {
                self.report(
                    Diagnostic::new(
                        codes::ARGUMENT_TWICE,
                        format!(
                            "parameter `{}` of `{callee}` is given twice",
                            signature.params[index].name
                        ),
                        self.file,
                        arg.span,
                    )
                    .with_label("given again here")
                    .with_secondary(self.file, first, "first given here")
                    .with_help("remove one of them"),
                );
                continue;
            }
            bound[index] = Some(arg.span);
            let param = &signature.params[index];
            if let Some(last) = binds.last_mut() {
                *last = Some(param.name.clone());
            }
            if !ty.assignable_to(&param.ty) {
                let diagnostic = Diagnostic::new(
                    codes::WRONG_ARGUMENT_TYPE,
                    format!(
                        "argument `{}` of `{callee}` expects {}, found {ty}",
                        param.name, param.ty
                    ),
                    self.file,
                    arg.value.span,
                )
                .with_label(format!("expected {}, found {ty}", param.ty));
                // One value where a list of such values is wanted
                // (`on: "id"`): the list of it.
                let one_of_a_list =
                    matches!(param.ty.non_null(), Type::List(item) if ty.assignable_to(item));
                self.report(if one_of_a_list {
                    let span = arg.value.span;
                    let shown = match &arg.value.kind {
                        pipec_grammar::ast::ExprKind::String(literal) => literal
                            .as_plain()
                            .map(|text| format!("`[{}]`", serde_json::json!(text))),
                        _ => None,
                    };
                    let at = |offset: u32| Span {
                        start: offset,
                        end: offset,
                    };
                    diagnostic
                        .with_help(format!(
                            "`{}` takes a list: write the value in brackets, {}",
                            param.name,
                            shown.unwrap_or_else(|| "a list of one".to_string())
                        ))
                        .with_fix_edits(
                            "make it a list of one",
                            [
                                (at(span.start), "[".to_string()),
                                (at(span.end), "]".to_string()),
                            ],
                        )
                } else {
                    diagnostic.with_help(conversion_hint(&ty, &param.ty))
                });
            } else {
                self.mixed_list(&arg.value, &param.ty, &param.name, &callee);
            }
        }
        let missing: Vec<&str> = signature
            .params
            .iter()
            .zip(&bound)
            .filter(|(p, b)| p.required && b.is_none())
            .map(|(p, _)| p.name.as_str())
            .collect();
        if !missing.is_empty() {
            let names = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                Diagnostic::new(
                    codes::MISSING_ARGUMENT,
                    format!(
                        "`{callee}` needs {names}, which {} not given",
                        if missing.len() == 1 { "is" } else { "are" }
                    ),
                    self.file,
                    call.callee_span,
                )
                .with_label(format!("missing {names}"))
                .with_help(format!(
                    "`{callee}` takes ({})",
                    param_list(&signature.params)
                )),
            );
        }
        binds
    }
}

impl Checker<'_> {
    /// E0215 for a list literal given for `list<T>` with an element of
    /// another type as written (`["echo", 1]` for `list<string>`): the list
    /// joins to `any`, which would pass. A number or bool for text is
    /// quoted by the fix.
    fn mixed_list(
        &mut self,
        value: &pipec_grammar::ast::Expr,
        want: &Type,
        param: &str,
        callee: &str,
    ) {
        let pipec_grammar::ast::ExprKind::List(elements) = &value.kind else {
            return;
        };
        let Type::List(element) = want.non_null() else {
            return;
        };
        if matches!(element.non_null(), Type::Any | Type::Json) {
            return;
        }
        for item in elements {
            let found = super::literal_type(item);
            if found == Type::Any || found.assignable_to(element) {
                continue;
            }
            // As written (spans inside a piece are not the file's).
            use pipec_grammar::ast::{ExprKind, Literal};
            let written = match &item.kind {
                ExprKind::Literal(Literal::Int(text) | Literal::Float(text)) => text.clone(),
                ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
                ExprKind::Literal(Literal::Null) => "null".to_string(),
                _ => String::new(),
            };
            let element_named = match written.is_empty() {
                true => "an element".to_string(),
                false => format!("`{written}`"),
            };
            let mut diagnostic = Diagnostic::new(
                codes::MIXED_LIST,
                format!(
                    "argument `{param}` of `{callee}` is a {want}, but {element_named} in it is {found}"
                ),
                self.file,
                item.span,
            )
            .with_label(format!("{found}, not {element}"));
            let quotable = matches!(found, Type::Int | Type::Float | Type::Bool)
                && matches!(element.non_null(), Type::String | Type::Path);
            diagnostic = match quotable {
                true => diagnostic
                    .with_help(format!("write it as text: `\"{written}\"`"))
                    .with_fix(
                        format!("write `\"{written}\"`"),
                        item.span,
                        format!("\"{written}\""),
                    ),
                false => diagnostic.with_help(format!(
                    "every element of a {want} is {element}; convert this one (`| string`) or remove it"
                )),
            };
            self.report(diagnostic);
        }
    }
}

fn param_list(params: &[Param]) -> String {
    params
        .iter()
        .map(Param::written)
        .collect::<Vec<_>>()
        .join(", ")
}

fn conversion_hint(found: &Type, want: &Type) -> String {
    match (found.non_null(), want.non_null()) {
        (_, Type::Int) => "convert with `| int`, or pass a whole number".into(),
        (_, Type::String) => "convert with `| string`, or pass text".into(),
        (Type::Optional(_), _) | (_, _) if matches!(found, Type::Optional(_)) => {
            "the value may be null: give a fallback with `| default(...)` or `??`".into()
        }
        (Type::List(_), t) if !matches!(t, Type::List(_)) => {
            "this is a list (a node with many items): take one with `| first`, or use `each` to run once per item".into()
        }
        _ => format!("pass a value of type {want}"),
    }
}

/// The signature of the plugin or pipeline that is item `index` of `source`
/// (memoised: every node calling it reads the same one).
#[salsa::tracked(returns(ref))]
pub(super) fn found_signature(db: &dyn Db, source: Source, index: usize) -> Option<Signature> {
    Checker::new(db, source).signature_at(Found { source, index })
}

/// Where the callee written as `path` is, as seen from `source`; the error
/// names the import alias when the alias exists but lacks the name.
pub(super) fn find_callee(
    db: &dyn Db,
    source: Source,
    path: &[Ident],
) -> Result<Found, Option<String>> {
    match path {
        [name] => scope::lookup(db, source, Kind::Callee, &name.name).ok_or(None),
        [alias, name] => {
            match scope::lookup_qualified(db, source, &alias.name, Kind::Callee, &name.name) {
                Some(Some(found)) => Ok(found),
                Some(None) => Err(Some(alias.name.clone())),
                None => Err(None),
            }
        }
        _ => Err(None),
    }
}

/// Every member of pipeline `index` of `source`, whichever way the source was read.
fn pipeline_members(db: &dyn Db, source: Source, index: usize) -> Vec<&Member> {
    match layout(db, source) {
        Layout::Pieces { .. } => runs_of(db, source, index)
            .iter()
            .flat_map(|run| members(db, run.piece))
            .collect(),
        Layout::Whole => match parse(db, source).tree.items.get(index) {
            Some(Item::Pipeline(pipeline)) => pipeline.members.iter().collect(),
            _ => Vec::new(),
        },
    }
}

/// The pipelines that the nodes of pipeline `index` of `source` call, found
/// by name alone (no signatures, so that following calls cannot loop).
#[salsa::tracked(returns(ref))]
fn pipeline_callees(db: &dyn Db, source: Source, index: usize) -> Vec<(Source, usize)> {
    let mut callees = Vec::new();
    for member in pipeline_members(db, source, index) {
        let Member::Node(node) = member else { continue };
        let Ok(found) = find_callee(db, source, &node.call.callee) else {
            continue;
        };
        let is_pipeline = matches!(
            item_interface(db, found.source, found.index),
            Some(Item::Pipeline(_))
        );
        if is_pipeline && !callees.contains(&(found.source, found.index)) {
            callees.push((found.source, found.index));
        }
    }
    callees
}

/// Whether pipeline `index` of `source` reaches itself through its calls
/// (an error reported elsewhere; its outputs are then typed `any`).
fn calls_itself(db: &dyn Db, source: Source, index: usize) -> bool {
    let start = (source, index);
    let mut seen = HashSet::new();
    let mut stack = pipeline_callees(db, source, index).clone();
    while let Some(next) = stack.pop() {
        if next == start {
            return true;
        }
        if seen.insert(next) {
            stack.extend(pipeline_callees(db, next.0, next.1).iter().copied());
        }
    }
    false
}

/// The names pipeline `index` declares, whichever way the source was read.
fn scope_of(db: &dyn Db, source: Source, index: usize) -> Arc<PipelineScope> {
    match layout(db, source) {
        Layout::Pieces { .. } => pipeline_scope(db, source, index).clone(),
        Layout::Whole => {
            let mut checker = Checker::new(db, source);
            let shapes: Vec<MemberShape> = pipeline_members(db, source, index)
                .into_iter()
                .map(|m| checker.shape(m))
                .collect();
            Arc::new(PipelineScope::from_declares(
                shapes.iter().map(|s| &s.declares),
            ))
        }
    }
}

/// The type of each output of pipeline `index` of `source`, typed against
/// the pipeline's own names (`any` for a pipeline that calls itself).
/// Compared, so that an edit inside the pipeline that leaves its output
/// types alone re-checks none of its callers.
#[salsa::tracked(returns(ref))]
fn pipeline_output_types(db: &dyn Db, source: Source, index: usize) -> BTreeMap<String, Type> {
    let Some(Item::Pipeline(interface)) = item_interface(db, source, index) else {
        return BTreeMap::new();
    };
    let recursive = calls_itself(db, source, index);
    let mut checker = Checker::new(db, source);
    if !recursive {
        checker.pipeline_scope = Some(scope_of(db, source, index));
    }
    let mut types = BTreeMap::new();
    for member in &interface.members {
        let Member::Output(output) = member else {
            continue;
        };
        let ty = if recursive {
            Type::Any
        } else {
            checker.expr(&output.value, &NodeContext::default())
        };
        types.entry(output.name.name.clone()).or_insert(ty);
    }
    types
}

/// The parameters the positional arguments bind, where they differ from the
/// declared order: `write_json` also takes a table first, as the other table
/// writers do, so `write_json(t, "out.json")` is `write_json(path:
/// "out.json", value: t)`. `None` (the declared order) for every other call.
fn positional_order(
    signature: &Signature,
    args: &[pipec_grammar::ast::Arg],
    types: &[Type],
) -> Option<[usize; 2]> {
    if !matches!(&signature.callee, Callee::Builtin { name } if name == "write_json") {
        return None;
    }
    let (_, first) = args.iter().zip(types).find(|(arg, _)| arg.name.is_none())?;
    if !matches!(first, Type::Table(_)) {
        return None;
    }
    let position = |name: &str| signature.params.iter().position(|p| p.name == name);
    Some([position("value")?, position("path")?])
}
