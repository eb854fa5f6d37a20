//! Typing expressions: references, fields, pipes, operators, templates.

use std::collections::BTreeMap;

use pipec_grammar::ast::{BinaryOp, Expr, ExprKind, Ident, Item, Literal, StringPart};
use pipec_grammar::diagnostic::Diagnostic;

use super::{Checker, Dep, DepKind, NodeContext};
use crate::codes;
use crate::layout::item_interface;
use crate::scope::{self, Kind};
use crate::types::Type;

/// The members of `run`.
const RUN_MEMBERS: &[&str] = &["id", "pipeline", "started"];

impl Checker<'_> {
    /// The type of an expression; reports mistakes and records node dependencies.
    pub(crate) fn expr(&mut self, expr: &Expr, context: &NodeContext) -> Type {
        match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Bool(_) => Type::Bool,
                Literal::Null => Type::Null,
                Literal::Int(written) => {
                    if written.replace('_', "").parse::<i64>().is_err() {
                        self.number_out_of_range(expr, "a 64-bit integer");
                    }
                    Type::Int
                }
                Literal::Float(written) => {
                    if !written
                        .replace('_', "")
                        .parse::<f64>()
                        .is_ok_and(f64::is_finite)
                    {
                        self.number_out_of_range(expr, "a 64-bit float");
                    }
                    Type::Float
                }
                Literal::Duration(_) => Type::Duration,
                Literal::Size(_) => Type::Size,
            },
            ExprKind::String(string) => {
                let mut parts = Vec::new();
                let template = string.single_interpolation().is_none();
                let mut after_dollar = false;
                for part in &string.parts {
                    if let StringPart::Text { value, .. } = part {
                        after_dollar = value.ends_with('$');
                    }
                    if let StringPart::Interpolation(inner) = part {
                        // `"${HOME}"`: shell syntax, named so when unknown.
                        self.after_dollar = after_dollar && matches!(inner.kind, ExprKind::Ref(_));
                        let ty = self.expr(inner, context);
                        self.after_dollar = false;
                        after_dollar = false;
                        if template && !self.in_sql_text {
                            self.list_in_text(inner, &ty);
                        }
                        parts.push(ty);
                    }
                }
                match (string.single_interpolation(), parts.as_slice()) {
                    (Some(_), [only]) => only.clone(),
                    _ => Type::String,
                }
            }
            ExprKind::Ref(parts) => self.reference(parts, context),
            ExprKind::List(items) => {
                let types: Vec<Type> = items.iter().map(|i| self.expr(i, context)).collect();
                Type::list(join_types(&types))
            }
            ExprKind::Record(fields) => {
                let mut out = BTreeMap::new();
                for field in fields {
                    let ty = self.expr(&field.value, context);
                    out.insert(field.name.name.clone(), ty);
                }
                Type::record(out)
            }
            ExprKind::Pipe { value, name, args } => {
                let input = self.expr(value, context);
                self.pipe(input, value, name, args.as_deref(), expr, context)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let left = self.expr(lhs, context);
                let right = self.expr(rhs, context);
                self.binary(*op, &left, &right, expr)
            }
            ExprKind::Not(inner) => {
                let ty = self.expr(inner, context);
                if !ty.assignable_to(&Type::Bool) {
                    self.bad_operands(expr, format!("`not` takes a bool, found {ty}"));
                }
                Type::Bool
            }
            ExprKind::Paren(inner) => self.expr(inner, context),
        }
    }

    fn bad_operands(&mut self, expr: &Expr, message: String) {
        self.report(
            Diagnostic::new(codes::BAD_OPERANDS, message, self.file, expr.span)
                .with_label("operands do not fit the operator")
                .with_help("`pipec explain E0207` lists what each operator takes"),
        );
    }

    fn binary(&mut self, op: BinaryOp, left: &Type, right: &Type, expr: &Expr) -> Type {
        match op {
            BinaryOp::Coalesce => {
                let either_null = matches!(left, Type::Null) || matches!(right, Type::Null);
                if !either_null
                    && !right.assignable_to(left.non_null())
                    && !left.non_null().assignable_to(right)
                {
                    self.bad_operands(
                        expr,
                        format!(
                            "`??` chooses between {left} and {right}, which do not fit together"
                        ),
                    );
                    return Type::Any;
                }
                match left {
                    Type::Any | Type::Null => right.clone(),
                    other => other.non_null().clone(),
                }
            }
            BinaryOp::And | BinaryOp::Or => {
                if !left.assignable_to(&Type::Bool) || !right.assignable_to(&Type::Bool) {
                    self.bad_operands(
                        expr,
                        format!(
                            "`{}` takes two bools, found {left} and {right}",
                            op.as_str()
                        ),
                    );
                }
                Type::Bool
            }
            BinaryOp::Eq | BinaryOp::Ne => Type::Bool,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (l, r) = (left.non_null(), right.non_null());
                let fits = matches!(l, Type::Any | Type::Json)
                    || matches!(r, Type::Any | Type::Json)
                    || (l.is_numeric() && r.is_numeric())
                    || l == r
                        && matches!(l, Type::Duration | Type::Size | Type::String | Type::Path);
                if !fits {
                    self.bad_operands(
                        expr,
                        format!("`{}` cannot compare {left} with {right}", op.as_str()),
                    );
                }
                Type::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                if !matches!(
                    right.non_null(),
                    Type::List(_)
                        | Type::String
                        | Type::Path
                        | Type::Any
                        | Type::Json
                        | Type::Record(_)
                ) {
                    self.bad_operands(
                        expr,
                        format!(
                            "`{}` needs a list or a string on its right, found {right}",
                            op.as_str()
                        ),
                    );
                }
                Type::Bool
            }
            BinaryOp::Matches => {
                if !left.assignable_to(&Type::String) || !right.assignable_to(&Type::String) {
                    self.bad_operands(
                        expr,
                        format!("`matches` takes text and a pattern, found {left} and {right}"),
                    );
                }
                Type::Bool
            }
        }
    }

    /// The type of `a.b.c`.
    fn reference(&mut self, parts: &[Ident], context: &NodeContext) -> Type {
        let head = &parts[0];
        let rest = &parts[1..];
        match head.name.as_str() {
            "input" => {
                let Some(member) = rest.first() else {
                    return self.namespace_without_member(head, "input.NAME");
                };
                let found = self
                    .pipeline_scope
                    .as_ref()
                    .and_then(|s| s.inputs.get(&member.name).cloned());
                if found.is_some() {
                    self.used_inputs.insert(member.name.clone());
                }
                match found {
                    Some(ty) => self.fields(ty, &rest[1..], &parts[..2]),
                    None => {
                        let names: Vec<String> = self
                            .pipeline_scope
                            .as_ref()
                            .map(|s| s.inputs.keys().cloned().collect())
                            .unwrap_or_default();
                        self.unknown(
                            codes::UNKNOWN_INPUT,
                            member,
                            &names,
                            "input",
                            "declare it with `input NAME: TYPE`",
                        );
                        Type::Any
                    }
                }
            }
            "secret" => {
                let Some(member) = rest.first() else {
                    return self.namespace_without_member(head, "secret.NAME");
                };
                let known = self
                    .pipeline_scope
                    .as_ref()
                    .is_some_and(|s| s.secrets.contains(&member.name));
                if !known {
                    let names: Vec<String> = self
                        .pipeline_scope
                        .as_ref()
                        .map(|s| s.secrets.iter().cloned().collect())
                        .unwrap_or_default();
                    self.unknown(
                        codes::UNKNOWN_SECRET,
                        member,
                        &names,
                        "secret",
                        "declare it with `secret NAME`",
                    );
                }
                Type::String
            }
            "config" => Type::Any,
            "run" => {
                let Some(member) = rest.first() else {
                    return self.namespace_without_member(head, "run.id");
                };
                if !RUN_MEMBERS.contains(&member.name.as_str()) {
                    let names: Vec<String> = RUN_MEMBERS.iter().map(|s| s.to_string()).collect();
                    self.unknown(
                        codes::UNKNOWN_MEMBER,
                        member,
                        &names,
                        "member of `run`",
                        "`run` has `id`, `pipeline` and `started`",
                    );
                }
                Type::String
            }
            name => {
                if let Some((item, many)) = self
                    .pipeline_scope
                    .as_ref()
                    .and_then(|s| s.nodes.get(name).cloned())
                {
                    self.deps.push(Dep {
                        node: name.to_string(),
                        kind: DepKind::Data,
                        span: head.span,
                    });
                    let view = if context.each.as_deref() == Some(name) {
                        item
                    } else if context.group.iter().any(|g| g == name) || many {
                        Type::list(item)
                    } else {
                        item
                    };
                    return self.fields(view, rest, &parts[..1]);
                }
                if let Some(ty) = self.constant(name) {
                    return self.fields(ty, rest, &parts[..1]);
                }
                // `alias.CONST` through an import alias.
                if let Some(member) = rest.first()
                    && let Some(found) = scope::lookup_qualified(
                        self.db,
                        self.source,
                        name,
                        Kind::Const,
                        &member.name,
                    )
                {
                    return match found {
                        Some(found) => {
                            let ty = self.constant_at(found, &member.name);
                            self.fields(ty, &rest[1..], &parts[..2])
                        }
                        None => {
                            self.unknown(
                                codes::UNKNOWN_MEMBER,
                                member,
                                &[],
                                &format!("constant of `{name}`"),
                                "an import alias reaches the constants of its file",
                            );
                            Type::Any
                        }
                    };
                }
                if rest.is_empty()
                    && let Some(columns) = super::schema_columns_text(self.db, self.source, name)
                {
                    // A schema where a value stands: most likely a table
                    // reader's `schema:`, which takes the columns as text.
                    let d = Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!("`{name}` is a schema, not a value"),
                        self.file,
                        head.span,
                    )
                    .with_label("a schema name cannot be used as a value")
                    .with_help(format!(
                        "a table reader takes its columns as text: `schema: \"{columns}\"`; a schema types an input or a parameter (`table<{name}>`)"
                    ))
                    .with_fix(
                        format!("write the columns of `{name}` as text"),
                        head.span,
                        format!("\"{columns}\""),
                    );
                    self.report(d);
                    return Type::Any;
                }
                let mut names: Vec<String> = self
                    .pipeline_scope
                    .as_ref()
                    .map(|s| s.nodes.keys().cloned().collect())
                    .unwrap_or_default();
                names.extend(scope::visible_names(self.db, self.source, Kind::Const));
                names.extend(["input", "secret", "config", "run"].map(String::from));
                // `"${HOME}"`: shell syntax, read as an interpolation.
                let start = head.span.start as usize;
                if self.after_dollar && start >= 1 {
                    let d = Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!(
                            "unknown name `{0}`: `${{{0}}}` is read as an interpolation of `{0}`",
                            head.name
                        ),
                        self.file,
                        head.span,
                    )
                    .with_label("no such name")
                    .with_help(pipec_grammar::parser::BRACE_IN_STRING_HELP)
                    .with_fix(
                        "escape the `{` (the text keeps `${...}` for the shell)",
                        pipec_grammar::span::Span::at(start - 1),
                        "\\",
                    );
                    self.report(d);
                    return Type::Any;
                }
                self.unknown(codes::UNKNOWN_NAME, head, &names, "name", "a reference names a node, a constant, or `input.`, `secret.`, `config.`, `run.`");
                Type::Any
            }
        }
    }

    /// E0216 for a list interpolated into text (`"archive-{names}.json"`):
    /// the text would hold the list's JSON (`archive-["a","b"].json`).
    fn list_in_text(&mut self, inner: &Expr, ty: &Type) {
        if !matches!(ty.non_null(), Type::List(_)) {
            return;
        }
        // Named as written (spans inside a piece are not the file's).
        let written = match &inner.kind {
            ExprKind::Ref(path) => path
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            _ => "value".to_string(),
        };
        self.report(
            Diagnostic::new(
                codes::LIST_IN_TEXT,
                format!("`{written}` is a list ({ty}); put into text it would be written as JSON (`[\"a\",\"b\"]`)"),
                self.file,
                inner.span,
            )
            .with_label("a list in text")
            .with_help(format!(
                "pick one element (`{written} | first`), join them (`{written} | join(\",\")`), or have a task per element with `each`"
            )),
        );
    }

    fn namespace_without_member(&mut self, head: &Ident, example: &str) -> Type {
        self.report(
            Diagnostic::new(
                codes::UNKNOWN_MEMBER,
                format!("`{}` needs a member, as in `{example}`", head.name),
                self.file,
                head.span,
            )
            .with_label("namespace without a member")
            .with_help(format!("write `{example}`")),
        );
        Type::Any
    }

    /// Reports an unknown name with "did you mean".
    pub(super) fn unknown(
        &mut self,
        code: pipec_grammar::diagnostic::Code,
        name: &Ident,
        candidates: &[String],
        what: &str,
        help: &str,
    ) {
        let d = Diagnostic::new(
            code,
            format!("unknown {what} `{}`", name.name),
            self.file,
            name.span,
        )
        .with_label(format!("no such {what}"))
        .with_suggestion(
            &name.name,
            candidates.iter().map(String::as_str),
            name.span,
            help,
            None,
        );
        self.report(d);
    }

    /// Follows `.field` accesses; on a list of records, a field maps over the items.
    fn fields(&mut self, mut ty: Type, fields: &[Ident], written: &[Ident]) -> Type {
        let mut path: Vec<&str> = written.iter().map(|i| i.name.as_str()).collect();
        for field in fields {
            let (inner, is_list) = match ty.non_null() {
                Type::List(of) => ((**of).clone(), true),
                other => (other.clone(), false),
            };
            let next = match inner.field(&field.name) {
                Some(t) => t,
                None => {
                    let names: Vec<String> = match &inner {
                        Type::Record(fields) => fields.keys().cloned().collect(),
                        _ => Vec::new(),
                    };
                    let whose = path.join(".");
                    let help = if let Type::Table(_) = inner {
                        format!(
                            "`{whose}` is a table: its columns are read by table operators \
                             (`select`, `filter`, `sql`), or row by row from `rows({whose})`"
                        )
                    } else if names.is_empty() {
                        format!("`{whose}` is {inner}, which has no fields")
                    } else {
                        format!(
                            "`{whose}` has {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    let d = Diagnostic::new(
                        codes::UNKNOWN_FIELD,
                        format!("`{whose}` has no field `{}`", field.name),
                        self.file,
                        field.span,
                    )
                    .with_label("no such field")
                    .with_suggestion(
                        &field.name,
                        names.iter().map(String::as_str),
                        field.span,
                        help.clone(),
                        Some(&help),
                    );
                    self.report(d);
                    return Type::Any;
                }
            };
            ty = if is_list { Type::list(next) } else { next };
            path.push(&field.name);
        }
        ty
    }

    /// The type of a constant visible from this source.
    fn constant(&mut self, name: &str) -> Option<Type> {
        let found = scope::lookup(self.db, self.source, Kind::Const, name)?;
        Some(self.constant_at(found, name))
    }

    fn constant_at(&mut self, found: scope::Found, name: &str) -> Type {
        if self.const_stack.iter().any(|n| n == name) || self.const_stack.len() > 32 {
            return Type::Any;
        }
        let Some(Item::Const(c)) = item_interface(self.db, found.source, found.index) else {
            return Type::Any;
        };
        let value = c.value.clone();
        self.const_stack.push(name.to_string());
        let saved = (
            self.source,
            self.diagnostics.len(),
            std::mem::take(&mut self.deps),
            self.pipeline_scope.take(),
        );
        self.source = found.source;
        let ty = self.expr(&value, &NodeContext::default());
        self.source = saved.0;
        self.diagnostics.truncate(saved.1);
        self.deps = saved.2;
        self.pipeline_scope = saved.3;
        self.const_stack.pop();
        ty
    }
}

impl Checker<'_> {
    /// E0214 for a number literal that `kind` cannot hold.
    fn number_out_of_range(&mut self, literal: &Expr, kind: &str) {
        self.report(
            Diagnostic::new(
                codes::NUMBER_OUT_OF_RANGE,
                format!("this number does not fit in {kind}"),
                self.file,
                literal.span,
            )
            .with_label("out of range")
            .with_help(
                "write a smaller number, or text (in quotes) for an identifier that only looks like a number",
            ),
        );
    }
}

/// The common type of list elements: their shared type, else `any`.
fn join_types(types: &[Type]) -> Type {
    let mut known = types.iter().filter(|t| !matches!(t, Type::Null));
    let Some(first) = known.next() else {
        return if types.is_empty() {
            Type::Any
        } else {
            Type::Null
        };
    };
    let mut joined = first.clone();
    for t in known {
        if t.assignable_to(&joined) {
            continue;
        }
        if joined.assignable_to(t) {
            joined = t.clone();
        } else {
            return Type::Any;
        }
    }
    if types.iter().any(|t| matches!(t, Type::Null)) {
        Type::optional(joined)
    } else {
        joined
    }
}
