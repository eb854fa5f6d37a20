//! Typing pipes (`value | name(args)`): the pipe's declaration from the
//! standard library, what it accepts and gives, its arguments.

use pipec_grammar::ast::{Arg, Expr, Ident};
use pipec_grammar::diagnostic::Diagnostic;
use pipec_stdlib::pipes::{Sig, pipe_decl};

use super::{Checker, NodeContext};
use crate::codes;
use crate::types::Type;

impl Checker<'_> {
    /// The type of `input | name(args)`.
    pub(super) fn pipe(
        &mut self,
        input: Type,
        value: &Expr,
        name: &Ident,
        args: Option<&[Arg]>,
        whole: &Expr,
        context: &NodeContext,
    ) -> Type {
        let arg_types: Vec<Type> = args
            .unwrap_or(&[])
            .iter()
            .map(|a| self.expr(&a.value, context))
            .collect();
        let Some(decl) = pipe_decl(&name.name) else {
            let names: Vec<String> = pipec_stdlib::pipes::PIPES
                .iter()
                .map(|p| p.name.to_string())
                .collect();
            self.unknown(
                codes::UNKNOWN_PIPE,
                name,
                &names,
                "pipe",
                "the pipes are listed in docs/language.md",
            );
            return Type::Any;
        };
        if !accepts(decl.input, &input) {
            self.report(
                Diagnostic::new(
                    codes::PIPE_INPUT,
                    format!(
                        "`{}` takes {}, but is given {input}",
                        decl.name,
                        describe(decl.input)
                    ),
                    self.file,
                    value.span,
                )
                .with_label(format!("this is {input}"))
                .with_secondary(
                    self.file,
                    name.span,
                    format!("`{}` takes {}", decl.name, describe(decl.input)),
                )
                .with_help(pipe_hint(decl.input, &input)),
            );
        }
        let required = decl.params.iter().filter(|p| p.2).count();
        let (min, max) = match decl.variadic {
            Some((_, _, most)) => (required.max(1), decl.params.len() + most),
            None => (required, decl.params.len()),
        };
        let given = arg_types.len();
        if given < min || given > max {
            let mut list: Vec<String> = decl
                .params
                .iter()
                .map(|(n, s, r)| {
                    if *r {
                        format!("{n}: {}", describe(*s))
                    } else {
                        format!("{n}: {} = ...", describe(*s))
                    }
                })
                .collect();
            if let Some((name, sig, _)) = decl.variadic {
                list.push(format!("{name}: {}...", describe(sig)));
            }
            self.report(
                Diagnostic::new(
                    codes::PIPE_ARGUMENTS,
                    format!(
                        "`{}` takes {} argument{}, but {given} {} given",
                        decl.name,
                        arg_count(min, max),
                        if max == 1 { "" } else { "s" },
                        if given == 1 { "was" } else { "were" }
                    ),
                    self.file,
                    whole.span,
                )
                .with_label("wrong number of arguments")
                .with_help(format!("`{}({})`", decl.name, list.join(", "))),
            );
        } else {
            let mut positions =
                decl.params
                    .iter()
                    .map(|(n, s, _)| (*n, *s))
                    .chain(std::iter::repeat(
                        decl.variadic.map_or(("", Sig::Any), |(n, s, _)| (n, s)),
                    ));
            for (ty, arg) in arg_types.iter().zip(args.unwrap_or(&[])) {
                // A named argument binds its parameter, whatever its place.
                let (param, sig) = match &arg.name {
                    None => positions.next().unwrap_or(("", Sig::Any)),
                    Some(named) => match decl.params.iter().find(|(n, ..)| *n == named.name) {
                        Some((n, s, _)) => (*n, *s),
                        None => {
                            let names: Vec<String> =
                                decl.params.iter().map(|(n, ..)| n.to_string()).collect();
                            self.report(
                                Diagnostic::new(
                                    codes::PIPE_ARGUMENTS,
                                    format!("`{}` has no parameter `{}`", decl.name, named.name),
                                    self.file,
                                    named.span,
                                )
                                .with_label("no such parameter")
                                .with_help(if names.is_empty() {
                                    format!("`{}` takes no named arguments", decl.name)
                                } else {
                                    format!("its parameters are {}", names.join(", "))
                                }),
                            );
                            continue;
                        }
                    },
                };
                if !accepts(sig, ty) {
                    self.report(
                        Diagnostic::new(
                            codes::PIPE_ARGUMENTS,
                            format!(
                                "argument `{param}` of `{}` takes {}, found {ty}",
                                decl.name,
                                describe(sig)
                            ),
                            self.file,
                            arg.value.span,
                        )
                        .with_label(format!("expected {}", describe(sig)))
                        .with_help(pipe_hint(sig, ty)),
                    );
                }
            }
        }
        output(decl.output, &input)
    }
}

pub(super) fn arg_count(required: usize, total: usize) -> String {
    if required == total {
        required.to_string()
    } else {
        format!("{required} to {total}")
    }
}

/// Whether a pipe's input or parameter accepts a type (lenient on optional values).
pub(super) fn accepts(sig: Sig, ty: &Type) -> bool {
    let ty = ty.non_null();
    if matches!(ty, Type::Any | Type::Json | Type::Null) {
        return true;
    }
    match sig {
        Sig::Any
        | Sig::Input
        | Sig::InputNonNull
        | Sig::Element
        | Sig::Flattened
        | Sig::Compacted => true,
        Sig::String | Sig::OptionalString => matches!(ty, Type::String | Type::Path),
        Sig::Text => matches!(ty, Type::String | Type::Path),
        Sig::Path => matches!(ty, Type::String | Type::Path),
        Sig::Int => matches!(ty, Type::Int),
        Sig::Bool => matches!(ty, Type::Bool),
        Sig::Json => true,
        Sig::List => matches!(ty, Type::List(_)),
    }
}

pub(super) fn output(sig: Sig, input: &Type) -> Type {
    match sig {
        Sig::Any | Sig::Json => Type::Any,
        Sig::String | Sig::Text => Type::String,
        Sig::Path => Type::Path,
        Sig::Int => Type::Int,
        Sig::Bool => Type::Bool,
        Sig::List => Type::list(Type::Any),
        Sig::Input => input.clone(),
        Sig::InputNonNull => input.non_null().clone(),
        Sig::Element => match input.non_null() {
            Type::List(of) => Type::optional((**of).clone()),
            other => other.clone(),
        },
        Sig::Flattened => match input.non_null() {
            Type::List(of) => match &**of {
                Type::List(inner) => Type::list((**inner).clone()),
                _ => Type::list(Type::Any),
            },
            other => other.clone(),
        },
        Sig::Compacted => match input.non_null() {
            Type::List(of) => Type::list(of.non_null().clone()),
            other => other.clone(),
        },
        Sig::OptionalString => Type::optional(Type::String),
    }
}

pub(super) fn describe(sig: Sig) -> &'static str {
    match sig {
        Sig::Any | Sig::Input | Sig::InputNonNull | Sig::Element | Sig::Json => "any value",
        Sig::String | Sig::OptionalString => "a string",
        Sig::Text => "text (a string or a path)",
        Sig::Path => "a path",
        Sig::Int => "an int",
        Sig::Bool => "a bool",
        Sig::List | Sig::Flattened | Sig::Compacted => "a list",
    }
}

pub(super) fn pipe_hint(sig: Sig, found: &Type) -> String {
    match (sig, found.non_null()) {
        (Sig::Text | Sig::String, Type::List(_)) => {
            "this is a list: take one element with `| first`, or join them with `| join(\", \")`"
                .into()
        }
        (Sig::Text | Sig::String, _) => "convert it to text first with `| string`".into(),
        (Sig::List, _) => "this is a single value, not a list".into(),
        (Sig::Int, _) => "convert it with `| int`".into(),
        _ => format!("give {}", describe(sig)),
    }
}
