//! Turns pest pairs into the typed syntax tree.

use std::cell::RefCell;
use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::Rule;
use crate::ast::*;
use crate::codes;
use crate::diagnostic::{Diagnostic, FileName};
use crate::span::Span;

pub use crate::limits::MAX_EXPR_OPERATORS;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_coalesce, Assoc::Left))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::postfix(Rule::pipe_call))
});

/// Builds tree nodes from pairs whose spans are relative to a chunk that
/// starts at `base` in the file.
pub struct Builder<'a> {
    file: &'a FileName,
    base: usize,
    token_ends: &'a [u32],
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl<'a> Builder<'a> {
    /// A builder for pairs of a chunk starting at byte `base` of `file`.
    /// `token_ends` are the end offsets of the file's tokens, comments excluded.
    pub fn new(file: &'a FileName, base: usize, token_ends: &'a [u32]) -> Self {
        Builder {
            file,
            base,
            token_ends,
            diagnostics: RefCell::new(Vec::new()),
        }
    }

    /// The diagnostics found while building.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    /// The pair's span, its end moved back to the end of its last token: pest
    /// counts the white space and comments before an absent optional part
    /// (`a ~ b?`) into the rule.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let start = self.base + s.start();
        let raw_end = self.base + s.end();
        // Leaked trivia ends in white space, or runs to the end of the input.
        let input = s.get_input().as_bytes();
        if s.end() < input.len() && s.end() > s.start() && !input[s.end() - 1].is_ascii_whitespace()
        {
            return Span::new(start, raw_end);
        }
        let last = self.token_ends.partition_point(|&e| e as usize <= raw_end);
        let end = match last.checked_sub(1).map(|i| self.token_ends[i] as usize) {
            Some(end) if end >= start => end,
            _ => raw_end,
        };
        Span::new(start, end)
    }

    fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    /// Builds the items of a `file` pair.
    pub fn file_items(&self, file: Pair<Rule>) -> Vec<Item> {
        file.into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| self.item(p))
            .collect()
    }

    /// Builds one item pair.
    pub fn item(&self, pair: Pair<Rule>) -> Item {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let docs = Docs::default();
        match rule {
            Rule::import => {
                let path = self.string(inner.next().expect("grammar: import path"));
                let alias = inner.nth(1).map(|p| self.ident(p));
                Item::Import(Import {
                    docs,
                    path,
                    alias,
                    span,
                })
            }
            Rule::const_decl => {
                let name = self.ident(inner.next().expect("grammar: const name"));
                let value = self.expr(inner.next().expect("grammar: const value"));
                Item::Const(ConstDecl {
                    docs,
                    name,
                    value,
                    span,
                })
            }
            Rule::schema_decl => {
                let name = self.ident(inner.next().expect("grammar: schema name"));
                let fields = self.field_types(inner.next().expect("grammar: schema fields"));
                Item::Schema(SchemaDecl {
                    docs,
                    name,
                    fields,
                    span,
                })
            }
            Rule::plugin_decl => {
                let name = self.ident(inner.next().expect("grammar: plugin name"));
                let params = inner
                    .next()
                    .expect("grammar: plugin params")
                    .into_inner()
                    .map(|p| self.param(p))
                    .collect();
                let output = inner.next().map(|p| self.type_expr(p));
                Item::Plugin(PluginDecl {
                    docs,
                    name,
                    params,
                    output,
                    span,
                })
            }
            Rule::pipeline => {
                let name = self.ident(inner.next().expect("grammar: pipeline name"));
                let members = inner.map(|p| self.member(p)).collect();
                Item::Pipeline(Pipeline {
                    docs,
                    name,
                    members,
                    span,
                })
            }
            other => unreachable!("grammar: not an item: {other:?}"),
        }
    }

    fn field_types(&self, pair: Pair<Rule>) -> Vec<FieldType> {
        pair.into_inner()
            .map(|field| {
                let span = self.span(&field);
                let mut inner = field.into_inner();
                let name = self.ident(inner.next().expect("grammar: field name"));
                let ty = self.type_expr(inner.next().expect("grammar: field type"));
                FieldType { name, ty, span }
            })
            .collect()
    }

    fn param(&self, pair: Pair<Rule>) -> Param {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next().expect("grammar: param name"));
        let ty = self.type_expr(inner.next().expect("grammar: param type"));
        let default = inner.next().map(|p| self.expr(p));
        Param {
            name,
            ty,
            default,
            span,
        }
    }

    fn type_expr(&self, pair: Pair<Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let atom = inner.next().expect("grammar: type atom");
        let optional = inner.next().is_some();
        let kind = match atom.as_rule() {
            Rule::named_type => {
                TypeKind::Named(self.ident(atom.into_inner().next().expect("grammar: type name")))
            }
            Rule::generic_type => {
                let mut parts = atom.into_inner();
                let name = self.ident(parts.next().expect("grammar: generic name"));
                let arg = self.type_expr(parts.next().expect("grammar: generic argument"));
                TypeKind::Generic(name, Box::new(arg))
            }
            Rule::record_type => TypeKind::Record(
                self.field_types(atom.into_inner().next().expect("grammar: record fields")),
            ),
            other => unreachable!("grammar: not a type: {other:?}"),
        };
        TypeExpr {
            kind,
            optional,
            span,
        }
    }

    /// Builds one member pair.
    pub fn member(&self, pair: Pair<Rule>) -> Member {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let docs = Docs::default();
        let name = self.ident(inner.next().expect("grammar: member name"));
        match rule {
            Rule::input_decl => {
                let ty = self.type_expr(inner.next().expect("grammar: input type"));
                let default = inner.next().map(|p| self.expr(p));
                Member::Input(InputDecl {
                    docs,
                    name,
                    ty,
                    default,
                    span,
                })
            }
            Rule::secret_decl => Member::Secret(SecretDecl { docs, name, span }),
            Rule::node_decl => {
                let call = self.call(inner.next().expect("grammar: node call"));
                let (clauses, clauses_span) = match inner.next() {
                    Some(block) => {
                        let block_span = self.span(&block);
                        (
                            block.into_inner().map(|c| self.clause(c)).collect(),
                            Some(block_span),
                        )
                    }
                    None => (Vec::new(), None),
                };
                Member::Node(NodeDecl {
                    docs,
                    name,
                    call,
                    clauses,
                    clauses_span,
                    span,
                })
            }
            Rule::output_decl => {
                let value = self.expr(inner.next().expect("grammar: output value"));
                Member::Output(OutputDecl {
                    docs,
                    name,
                    value,
                    span,
                })
            }
            other => unreachable!("grammar: not a member: {other:?}"),
        }
    }

    fn call(&self, pair: Pair<Rule>) -> Call {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let callee_pair = inner.next().expect("grammar: callee");
        let callee_span = self.span(&callee_pair);
        let callee = callee_pair.into_inner().map(|p| self.ident(p)).collect();
        let args = self.args(inner.next().expect("grammar: call args"));
        Call {
            callee,
            args,
            callee_span,
            span,
        }
    }

    fn args(&self, pair: Pair<Rule>) -> Vec<Arg> {
        pair.into_inner()
            .map(|arg| {
                let span = self.span(&arg);
                let mut inner = arg.into_inner();
                let first = inner.next().expect("grammar: argument");
                let (name, value) = if first.as_rule() == Rule::arg_name {
                    let name =
                        self.ident(first.into_inner().next().expect("grammar: argument name"));
                    (
                        Some(name),
                        self.expr(inner.next().expect("grammar: argument value")),
                    )
                } else {
                    (None, self.expr(first))
                };
                Arg { name, value, span }
            })
            .collect()
    }

    fn clause(&self, pair: Pair<Rule>) -> Clause {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let keyword = inner.next().expect("grammar: clause keyword");
        let kind = match rule {
            Rule::each_clause | Rule::all_clause => {
                let source = self.ident(inner.next().expect("grammar: clause source"));
                let filter = inner.nth(1).map(|p| self.expr(p));
                if rule == Rule::each_clause {
                    ClauseKind::Each { source, filter }
                } else {
                    ClauseKind::All { source, filter }
                }
            }
            Rule::group_clause => {
                let sources = self.ident_list(inner.next().expect("grammar: group sources"));
                let key = self.ident(inner.nth(1).expect("grammar: group key"));
                if key.name != "origin" {
                    self.report(
                        Diagnostic::new(
                            codes::UNKNOWN_GROUP_KEY,
                            format!("`group` can only group `by origin`, not by `{}`", key.name),
                            self.file,
                            key.span,
                        )
                        .with_label("unknown grouping key")
                        .with_help("items are grouped by the root item they descend from: write `by origin`")
                        .with_fix("replace with `origin`", key.span, "origin"),
                    );
                }
                ClauseKind::Group { sources, key }
            }
            Rule::when_clause => {
                ClauseKind::When(self.expr(inner.next().expect("grammar: when condition")))
            }
            Rule::after_clause => {
                let target = inner.next().expect("grammar: after target");
                if target.as_rule() == Rule::after_any {
                    let list = target.into_inner().nth(1).expect("grammar: after any list");
                    ClauseKind::After {
                        any: true,
                        nodes: self.ident_list(list),
                    }
                } else {
                    ClauseKind::After {
                        any: false,
                        nodes: self.ident_list(target),
                    }
                }
            }
            Rule::retry_clause => {
                let count = self.expr(inner.next().expect("grammar: retry count"));
                let backoff = inner.nth(1).map(|p| self.expr(p));
                ClauseKind::Retry { count, backoff }
            }
            Rule::timeout_clause => {
                ClauseKind::Timeout(self.expr(inner.next().expect("grammar: timeout")))
            }
            Rule::cache_clause => {
                let setting = inner.next().expect("grammar: cache setting");
                ClauseKind::Cache(setting.as_rule() == Rule::kw_on)
            }
            Rule::on_clause => ClauseKind::On(self.expr(inner.next().expect("grammar: pool"))),
            Rule::resources_clause => {
                let record = inner.next().expect("grammar: resources record");
                ClauseKind::Resources(self.record_fields(record.into_inner()))
            }
            other => unreachable!("grammar: not a clause: {other:?} ({})", keyword.as_str()),
        };
        Clause { kind, span }
    }

    fn ident_list(&self, pair: Pair<Rule>) -> Vec<Ident> {
        pair.into_inner().map(|p| self.ident(p)).collect()
    }

    fn record_fields(&self, pairs: Pairs<Rule>) -> Vec<RecordField> {
        pairs
            .map(|field| {
                let span = self.span(&field);
                let mut inner = field.into_inner();
                let name = self.ident(inner.next().expect("grammar: record key"));
                let value = self.expr(inner.next().expect("grammar: record value"));
                RecordField { name, value, span }
            })
            .collect()
    }

    /// Builds an `expr` pair.
    pub fn expr(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut operators = pair
            .clone()
            .into_inner()
            .filter(|p| !is_operand(p.as_rule()));
        if let Some(over) = operators.nth(MAX_EXPR_OPERATORS) {
            let count = MAX_EXPR_OPERATORS + 1 + operators.count();
            self.report(
                Diagnostic::new(
                    codes::EXPRESSION_TOO_LARGE,
                    format!("this expression has {count} operators and pipes; at most {MAX_EXPR_OPERATORS} are allowed"),
                    self.file,
                    self.span(&over),
                )
                .with_secondary(self.file, Span::new(span.start as usize, span.start as usize + 1), "the expression starts here")
                .with_label("expression too large")
                .with_help("split it into several nodes or constants"),
            );
            return Expr {
                kind: ExprKind::Literal(Literal::Null),
                span,
            };
        }
        PRATT
            .map_primary(|primary| self.operand(primary))
            .map_prefix(|op, rhs| Expr {
                span: self.span(&op).cover(rhs.span),
                kind: ExprKind::Not(Box::new(rhs)),
            })
            .map_postfix(|lhs, op| {
                let op_span = self.span(&op);
                let mut inner = op.into_inner();
                let name = self.ident(inner.next().expect("grammar: pipe name"));
                let args = inner.next().map(|a| self.args(a));
                Expr {
                    span: lhs.span.cover(op_span),
                    kind: ExprKind::Pipe {
                        value: Box::new(lhs),
                        name,
                        args,
                    },
                }
            })
            .map_infix(|lhs, op, rhs| {
                let op_kind = match op.as_rule() {
                    Rule::op_coalesce => BinaryOp::Coalesce,
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_matches => BinaryOp::Matches,
                    other => unreachable!("grammar: not an operator: {other:?}"),
                };
                Expr {
                    span: lhs.span.cover(rhs.span),
                    kind: ExprKind::Binary {
                        op: op_kind,
                        op_span: self.span(&op),
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                }
            })
            .parse(pair.into_inner())
    }

    fn operand(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::kw_true => ExprKind::Literal(Literal::Bool(true)),
            Rule::kw_false => ExprKind::Literal(Literal::Bool(false)),
            Rule::kw_null => ExprKind::Literal(Literal::Null),
            Rule::number => ExprKind::Literal(classify_number(text)),
            Rule::string | Rule::triple_string => ExprKind::String(self.string(pair)),
            Rule::list => ExprKind::List(pair.into_inner().map(|p| self.expr(p)).collect()),
            Rule::record => ExprKind::Record(self.record_fields(pair.into_inner())),
            Rule::paren => ExprKind::Paren(Box::new(
                self.expr(pair.into_inner().next().expect("grammar: paren")),
            )),
            Rule::reference => {
                let mut offset = span.start as usize;
                ExprKind::Ref(
                    text.split('.')
                        .map(|part| {
                            let ident = Ident {
                                name: part.to_string(),
                                span: Span::new(offset, offset + part.len()),
                            };
                            offset += part.len() + 1;
                            ident
                        })
                        .collect(),
                )
            }
            other => unreachable!("grammar: not an operand: {other:?}"),
        };
        Expr { kind, span }
    }

    fn string(&self, pair: Pair<Rule>) -> StringLit {
        let span = self.span(&pair);
        let triple = pair.as_rule() == Rule::triple_string;
        let quote = if triple { 3 } else { 1 };
        let raw = pair.as_str();
        let raw_start = pair.as_span().start();
        let mut parts: Vec<StringPart> = Vec::new();
        // Text runs lie between the quotes and the interpolations.
        let mut text_from = quote;
        for interpolation in pair.into_inner() {
            let at = interpolation.as_span().start() - raw_start;
            self.text_part(raw, text_from, at, span.start as usize, &mut parts);
            text_from = interpolation.as_span().end() - raw_start;
            let expr = self.expr(
                interpolation
                    .into_inner()
                    .next()
                    .expect("grammar: interpolation"),
            );
            parts.push(StringPart::Interpolation(expr));
        }
        self.text_part(
            raw,
            text_from,
            raw.len() - quote,
            span.start as usize,
            &mut parts,
        );
        StringLit {
            parts,
            triple,
            span,
        }
    }

    /// Adds the text `raw[from..to]` (escapes resolved) as a part, if not empty.
    fn text_part(
        &self,
        raw: &str,
        from: usize,
        to: usize,
        base: usize,
        parts: &mut Vec<StringPart>,
    ) {
        if from >= to {
            return;
        }
        let written = &raw[from..to];
        let mut value = String::with_capacity(written.len());
        let mut rest = written;
        while let Some(backslash) = rest.find('\\') {
            value.push_str(&rest[..backslash]);
            let escape_len = escape_length(&rest[backslash..]);
            let escape = &rest[backslash..backslash + escape_len];
            match unescape(escape) {
                Some(c) => value.push(c),
                None => {
                    let at = base + from + (written.len() - rest.len()) + backslash;
                    self.report(
                        Diagnostic::new(
                            codes::INVALID_ESCAPE,
                            format!("`{escape}` is not a valid character code"),
                            self.file,
                            Span::new(at, at + escape_len),
                        )
                        .with_label("invalid escape")
                        .with_help(
                            "`\\u{...}` takes 1 to 6 hex digits naming a Unicode scalar value",
                        ),
                    );
                }
            }
            rest = &rest[backslash + escape_len..];
        }
        value.push_str(rest);
        parts.push(StringPart::Text {
            value,
            span: Span::new(base + from, base + to),
        });
    }
}

/// Length of the escape at the start of `text` (the grammar has checked its form).
fn escape_length(text: &str) -> usize {
    if text.starts_with("\\u{") {
        text.find('}').map_or(text.len(), |close| close + 1)
    } else {
        text.chars().take(2).map(char::len_utf8).sum()
    }
}

/// Tells an integer, float, duration or size apart by its spelling.
fn classify_number(text: &str) -> Literal {
    let unit_start = text
        .char_indices()
        .skip(1)
        .find(|&(i, c)| c.is_ascii_alphabetic() && !is_exponent(text, i))
        .map(|(i, _)| i);
    match unit_start.map(|i| &text[i..]) {
        Some("ms" | "s" | "m" | "h" | "d") => Literal::Duration(text.to_string()),
        Some(_) => Literal::Size(text.to_string()),
        None if text.contains(['.', 'e', 'E']) => Literal::Float(text.to_string()),
        None => Literal::Int(text.to_string()),
    }
}

/// Whether the `e`/`E` at `i` starts an exponent (`1e5`, `2.5E-3`).
fn is_exponent(text: &str, i: usize) -> bool {
    let bytes = text.as_bytes();
    matches!(bytes[i], b'e' | b'E')
        && bytes.get(i + 1).is_some_and(|&b| {
            b.is_ascii_digit()
                || ((b == b'+' || b == b'-') && bytes.get(i + 2).is_some_and(u8::is_ascii_digit))
        })
}

fn is_operand(rule: Rule) -> bool {
    !matches!(
        rule,
        Rule::op_not
            | Rule::op_coalesce
            | Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_not_in
            | Rule::op_in
            | Rule::op_matches
            | Rule::pipe_call
    )
}

/// The character an escape sequence stands for (`\n`, `\u{1F600}`, ...).
pub fn unescape(escape: &str) -> Option<char> {
    let body = escape.strip_prefix('\\')?;
    Some(match body {
        "n" => '\n',
        "t" => '\t',
        "r" => '\r',
        "\"" => '"',
        "\\" => '\\',
        "{" => '{',
        "}" => '}',
        _ => {
            let hex = body.strip_prefix("u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn numbers_are_classified_by_spelling() {
        use super::classify_number;
        use crate::ast::Literal;
        assert_eq!(classify_number("42"), Literal::Int("42".into()));
        assert_eq!(classify_number("-1_000"), Literal::Int("-1_000".into()));
        assert_eq!(classify_number("2.5"), Literal::Float("2.5".into()));
        assert_eq!(classify_number("1e5"), Literal::Float("1e5".into()));
        assert_eq!(classify_number("1.5E-3"), Literal::Float("1.5E-3".into()));
        assert_eq!(classify_number("250ms"), Literal::Duration("250ms".into()));
        assert_eq!(classify_number("1d"), Literal::Duration("1d".into()));
        assert_eq!(classify_number("4GiB"), Literal::Size("4GiB".into()));
        assert_eq!(classify_number("512B"), Literal::Size("512B".into()));
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape("\\n"), Some('\n'));
        assert_eq!(unescape("\\u{41}"), Some('A'));
        assert_eq!(unescape("\\u{D800}"), None);
    }
}
