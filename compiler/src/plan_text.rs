//! A plan expression written back as `.pipe` source (`input.name | upper`),
//! so that a message about a value names it as the user wrote it — never by
//! an internal name such as a SQL parameter's `$1`.

use std::fmt::{self, Display, Formatter, Write};

use crate::plan::{PlanExpr, TemplatePart};

impl Display for PlanExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PlanExpr::Null => f.write_str("null"),
            PlanExpr::Bool(value) => write!(f, "{value}"),
            PlanExpr::Int(value) => write!(f, "{value}"),
            PlanExpr::Float(value) => write!(f, "{value:?}"),
            PlanExpr::String(text) => quoted(f, &[TemplatePart::Text(text.clone())]),
            PlanExpr::DurationMs(ms) => write!(f, "{ms}ms"),
            PlanExpr::SizeBytes(bytes) => write!(f, "{bytes}B"),
            PlanExpr::Template(parts) => quoted(f, parts),
            PlanExpr::Ref(path) => f.write_str(&path.join(".")),
            PlanExpr::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            PlanExpr::Record(fields) => {
                f.write_char('{')?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, " {name}: {value}")?;
                }
                f.write_str(if fields.is_empty() { "}" } else { " }" })
            }
            PlanExpr::Pipe { value, name, args } => {
                operand(f, value)?;
                write!(f, " | {name}")?;
                if !args.is_empty() {
                    f.write_char('(')?;
                    for (i, arg) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{arg}")?;
                    }
                    f.write_char(')')?;
                }
                Ok(())
            }
            PlanExpr::Binary { op, lhs, rhs } => {
                operand(f, lhs)?;
                write!(f, " {op} ")?;
                operand(f, rhs)
            }
            PlanExpr::Not(inner) => {
                f.write_str("not ")?;
                operand(f, inner)
            }
        }
    }
}

/// An operand of a pipe or an operator: in parentheses when it is itself
/// one, so the text reads as the expression it is.
fn operand(f: &mut Formatter<'_>, expr: &PlanExpr) -> fmt::Result {
    match expr {
        PlanExpr::Binary { .. } | PlanExpr::Pipe { .. } | PlanExpr::Not(_) => {
            write!(f, "({expr})")
        }
        _ => write!(f, "{expr}"),
    }
}

/// A string with its `{expr}`s, escaped as the language reads it.
fn quoted(f: &mut Formatter<'_>, parts: &[TemplatePart]) -> fmt::Result {
    f.write_char('"')?;
    for part in parts {
        match part {
            TemplatePart::Text(text) => {
                for c in text.chars() {
                    match c {
                        '"' | '\\' | '{' | '}' => {
                            f.write_char('\\')?;
                            f.write_char(c)?;
                        }
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        _ => f.write_char(c)?,
                    }
                }
            }
            TemplatePart::Value(expr) => write!(f, "{{{expr}}}")?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use crate::plan::lower_expr;

    /// Each expression, lowered and written back, reads as written.
    #[test]
    fn expressions_read_back_as_written() {
        for written in [
            "input.name",
            "input.name | upper",
            "input.items | join(\", \")",
            "(a == 1) and (b != 2)",
            "not (a and b)",
            "\"archive-{input.day}.json\"",
            "[1, 2.5, null, true]",
            "{ a: 1, b: \"x\" }",
            "input.v ?? \"none\"",
        ] {
            let file: pipec_grammar::diagnostic::FileName = "t.pipe".into();
            let parsed = pipec_grammar::parse_expr(&file, written).expect(written);
            assert_eq!(lower_expr(&parsed).to_string(), written);
        }
    }
}
