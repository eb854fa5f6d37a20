//! Formatting of calls and expressions.

use super::{Printer, WIDTH};
use crate::ast::*;
use crate::span::Span;

/// Width of the first line of `text` (a `"""` string may hold line breaks).
fn first_line_width(text: &str) -> usize {
    text.split('\n').next().map_or(0, |l| l.chars().count())
}

impl Printer<'_> {
    fn fits(&self, text: &str) -> bool {
        self.column() + first_line_width(text) <= WIDTH
    }

    /// Prints a call: on one line when it fits and has no comments inside,
    /// otherwise one argument per line.
    pub(crate) fn call(&mut self, call: &Call, indent: usize) {
        let callee = call
            .callee
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        self.out.push_str(&callee);
        let parens = Span::new(call.callee_span.end as usize, call.span.end as usize);
        let commented = !self
            .pending(parens.start as usize, parens.end as usize)
            .is_empty();
        let flat = format!("({})", self.flat_args(&call.args));
        if !commented && (self.fits(&flat) || call.args.is_empty()) {
            self.out.push_str(&flat);
            return;
        }
        self.broken_args(&call.args, parens, indent);
    }

    fn broken_args(&mut self, args: &[Arg], region: Span, indent: usize) {
        self.delimited(
            ("(", ")"),
            args,
            Span::new(
                region.start as usize,
                (region.end as usize).saturating_sub(1),
            ),
            indent,
            |p, arg, indent| {
                if let Some(name) = &arg.name {
                    p.out.push_str(&name.name);
                    p.out.push_str(": ");
                }
                p.expr(&arg.value, indent);
                p.out.push(',');
            },
            |arg| arg.span,
        );
    }

    /// Prints an expression, breaking a list or record that does not fit.
    pub(crate) fn expr(&mut self, expr: &Expr, indent: usize) {
        let flat = self.flat_expr(expr);
        if self.fits(&flat) {
            self.out.push_str(&flat);
            return;
        }
        match &expr.kind {
            ExprKind::List(items) if !items.is_empty() => {
                self.out.push('[');
                for item in items {
                    self.newline(indent + 2);
                    self.expr(item, indent + 2);
                    self.out.push(',');
                }
                self.newline(indent);
                self.out.push(']');
            }
            ExprKind::Record(fields) if !fields.is_empty() => {
                self.out.push('{');
                for field in fields {
                    self.newline(indent + 2);
                    self.out.push_str(&field.name.name);
                    self.out.push_str(": ");
                    self.expr(&field.value, indent + 2);
                    self.out.push(',');
                }
                self.newline(indent);
                self.out.push('}');
            }
            _ => self.out.push_str(&flat),
        }
    }

    pub(crate) fn string(&mut self, string: &StringLit) {
        let text = self.string_text(string);
        self.out.push_str(&text);
    }

    /// A string as written; interpolations in `"` strings get canonical spacing.
    fn string_text(&self, string: &StringLit) -> String {
        if string.triple {
            return self.src[string.span.range()].to_string();
        }
        let mut text = String::from("\"");
        for part in &string.parts {
            match part {
                StringPart::Text { span, .. } => text.push_str(&self.src[span.range()]),
                StringPart::Interpolation(expr) => {
                    text.push('{');
                    text.push_str(&self.flat_expr(expr));
                    text.push('}');
                }
            }
        }
        text.push('"');
        text
    }

    fn flat_args(&self, args: &[Arg]) -> String {
        args.iter()
            .map(|arg| match &arg.name {
                Some(name) => format!("{}: {}", name.name, self.flat_expr(&arg.value)),
                None => self.flat_expr(&arg.value),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn flat_record(&self, fields: &[RecordField]) -> String {
        if fields.is_empty() {
            return "{}".into();
        }
        let fields: Vec<String> = fields
            .iter()
            .map(|f| format!("{}: {}", f.name.name, self.flat_expr(&f.value)))
            .collect();
        format!("{{ {} }}", fields.join(", "))
    }

    /// An expression on one line (a `"""` string keeps its line breaks).
    pub(crate) fn flat_expr(&self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Literal(_) => self.src[expr.span.range()].to_string(),
            ExprKind::String(s) => self.string_text(s),
            ExprKind::Ref(parts) => parts
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            ExprKind::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.flat_expr(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Record(fields) => self.flat_record(fields),
            ExprKind::Pipe { value, name, args } => {
                let mut text = format!("{} | {}", self.flat_expr(value), name.name);
                if let Some(args) = args {
                    text.push('(');
                    text.push_str(&self.flat_args(args));
                    text.push(')');
                }
                text
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                format!(
                    "{} {} {}",
                    self.flat_expr(lhs),
                    op.as_str(),
                    self.flat_expr(rhs)
                )
            }
            ExprKind::Not(inner) => format!("not {}", self.flat_expr(inner)),
            ExprKind::Paren(inner) => format!("({})", self.flat_expr(inner)),
        }
    }
}
