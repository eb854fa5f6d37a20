//! The typed syntax tree. Every node carries its byte span; comments are kept
//! beside the items in [`SourceFile::comments`] and doc comments are attached
//! to the item they document.

use serde::Serialize;

use crate::span::Span;

/// A parsed source file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceFile {
    /// The items, in source order. Items that failed to parse are absent.
    pub items: Vec<Item>,
    /// Every comment of the file, doc comments included, in source order.
    pub comments: Vec<Comment>,
    /// The whole text.
    pub span: Span,
}

/// A `//` or `///` comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The text, starting with the slashes, without the line break.
    pub text: String,
    /// Whether it is a `///` doc comment.
    pub is_doc: bool,
    /// Where it is.
    pub span: Span,
}

/// The doc comment lines in front of an item, without their `///` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Docs {
    /// One entry per `///` line, with the single space after `///` removed.
    pub lines: Vec<String>,
    /// The span of all the lines, when there are any.
    pub span: Option<Span>,
}

impl Docs {
    /// The lines joined with line breaks, or `None` when there are none.
    pub fn text(&self) -> Option<String> {
        (!self.lines.is_empty()).then(|| self.lines.join("\n"))
    }
}

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    /// `import "path.pipe" [as name]`
    Import(Import),
    /// `const NAME = expr`
    Const(ConstDecl),
    /// `schema Name { field: type, ... }`
    Schema(SchemaDecl),
    /// `plugin name(params) -> type`
    Plugin(PluginDecl),
    /// `pipeline name { ... }`
    Pipeline(Pipeline),
}

impl Item {
    /// The item's span, doc comments excluded.
    pub fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Const(i) => i.span,
            Item::Schema(i) => i.span,
            Item::Plugin(i) => i.span,
            Item::Pipeline(i) => i.span,
        }
    }

    /// The item's doc comments.
    pub fn docs(&self) -> &Docs {
        match self {
            Item::Import(i) => &i.docs,
            Item::Const(i) => &i.docs,
            Item::Schema(i) => &i.docs,
            Item::Plugin(i) => &i.docs,
            Item::Pipeline(i) => &i.docs,
        }
    }

    pub(crate) fn docs_mut(&mut self) -> &mut Docs {
        match self {
            Item::Import(i) => &mut i.docs,
            Item::Const(i) => &mut i.docs,
            Item::Schema(i) => &mut i.docs,
            Item::Plugin(i) => &mut i.docs,
            Item::Pipeline(i) => &mut i.docs,
        }
    }
}

/// `import "path.pipe" [as name]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    /// Doc comments.
    pub docs: Docs,
    /// The path string literal.
    pub path: StringLit,
    /// The `as` alias.
    pub alias: Option<Ident>,
    /// The whole item.
    pub span: Span,
}

/// `const NAME = expr`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstDecl {
    /// Doc comments.
    pub docs: Docs,
    /// The constant's name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// `schema Name { field: type, ... }`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaDecl {
    /// Doc comments.
    pub docs: Docs,
    /// The schema's name.
    pub name: Ident,
    /// Its fields.
    pub fields: Vec<FieldType>,
    /// The whole item.
    pub span: Span,
}

/// `name: type` in a schema or a record type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldType {
    /// Field name.
    pub name: Ident,
    /// Field type.
    pub ty: TypeExpr,
    /// `name: type`
    pub span: Span,
}

/// `plugin name(params) -> type`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginDecl {
    /// Doc comments.
    pub docs: Docs,
    /// The plugin's name.
    pub name: Ident,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its output type, when declared.
    pub output: Option<TypeExpr>,
    /// The whole item.
    pub span: Span,
}

/// `name: type [= default]` in a plugin signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Parameter name.
    pub name: Ident,
    /// Parameter type.
    pub ty: TypeExpr,
    /// Default value.
    pub default: Option<Expr>,
    /// The whole parameter.
    pub span: Span,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeKind,
    /// Whether it ends in `?`.
    pub optional: bool,
    /// The whole type.
    pub span: Span,
}

/// The kinds of written types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TypeKind {
    /// `int`, `path`, `table`, `Order`, ...
    Named(Ident),
    /// `list<T>`, `table<Schema>`
    Generic(Ident, Box<TypeExpr>),
    /// `{ field: T, ... }`
    Record(Vec<FieldType>),
}

/// `pipeline name { members }`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    /// Doc comments.
    pub docs: Docs,
    /// The pipeline's name.
    pub name: Ident,
    /// Inputs, secrets, nodes and outputs, in source order.
    pub members: Vec<Member>,
    /// The whole item.
    pub span: Span,
}

/// A member of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Member {
    /// `input NAME: TYPE [= default]`
    Input(InputDecl),
    /// `secret NAME`
    Secret(SecretDecl),
    /// `node NAME = CALLEE(args) [{ clauses }]`
    Node(NodeDecl),
    /// `output NAME = expr`
    Output(OutputDecl),
    /// A member that failed to parse; its name is kept when it could be read,
    /// so that references to it do not also fail.
    Broken(BrokenMember),
}

impl Member {
    /// The member's span, doc comments excluded.
    pub fn span(&self) -> Span {
        match self {
            Member::Input(m) => m.span,
            Member::Secret(m) => m.span,
            Member::Node(m) => m.span,
            Member::Output(m) => m.span,
            Member::Broken(m) => m.span,
        }
    }

    /// The member's name, when it has one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            Member::Input(m) => Some(&m.name),
            Member::Secret(m) => Some(&m.name),
            Member::Node(m) => Some(&m.name),
            Member::Output(m) => Some(&m.name),
            Member::Broken(m) => m.name.as_ref(),
        }
    }

    /// The member's doc comments (a broken member has none).
    pub fn docs(&self) -> Option<&Docs> {
        match self {
            Member::Input(m) => Some(&m.docs),
            Member::Secret(m) => Some(&m.docs),
            Member::Node(m) => Some(&m.docs),
            Member::Output(m) => Some(&m.docs),
            Member::Broken(_) => None,
        }
    }

    pub(crate) fn docs_mut(&mut self) -> Option<&mut Docs> {
        match self {
            Member::Input(m) => Some(&mut m.docs),
            Member::Secret(m) => Some(&mut m.docs),
            Member::Node(m) => Some(&mut m.docs),
            Member::Output(m) => Some(&mut m.docs),
            Member::Broken(_) => None,
        }
    }
}

/// `input NAME: TYPE [= default]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputDecl {
    /// Doc comments.
    pub docs: Docs,
    /// Input name.
    pub name: Ident,
    /// Input type.
    pub ty: TypeExpr,
    /// Default value.
    pub default: Option<Expr>,
    /// The whole member.
    pub span: Span,
}

/// `secret NAME`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretDecl {
    /// Doc comments.
    pub docs: Docs,
    /// Secret name.
    pub name: Ident,
    /// The whole member.
    pub span: Span,
}

/// `node NAME = CALLEE(args) [{ clauses }]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeDecl {
    /// Doc comments.
    pub docs: Docs,
    /// Node name.
    pub name: Ident,
    /// The call.
    pub call: Call,
    /// The clauses in `{ ... }`, in source order.
    pub clauses: Vec<Clause>,
    /// The span of the `{ ... }` clause block, when there is one.
    pub clauses_span: Option<Span>,
    /// The whole member.
    pub span: Span,
}

impl NodeDecl {
    /// The node's expressions: its arguments, then those of its clauses
    /// (`where` filters, `when`, `retry`, `timeout`, `on`, `resources`).
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut exprs: Vec<&Expr> = self.call.args.iter().map(|a| &a.value).collect();
        for clause in &self.clauses {
            match &clause.kind {
                ClauseKind::Each { filter, .. } | ClauseKind::All { filter, .. } => {
                    exprs.extend(filter.iter());
                }
                ClauseKind::When(expr) | ClauseKind::Timeout(expr) | ClauseKind::On(expr) => {
                    exprs.push(expr);
                }
                ClauseKind::Retry { count, backoff } => {
                    exprs.push(count);
                    exprs.extend(backoff.iter());
                }
                ClauseKind::Resources(fields) => exprs.extend(fields.iter().map(|f| &f.value)),
                ClauseKind::Group { .. } | ClauseKind::After { .. } | ClauseKind::Cache(_) => {}
            }
        }
        exprs
    }
}

/// `output NAME = expr`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputDecl {
    /// Doc comments.
    pub docs: Docs,
    /// Output name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole member.
    pub span: Span,
}

/// A member that did not parse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokenMember {
    /// The keyword it started with (`node`, `input`, ...), when it started with one.
    pub keyword: Option<String>,
    /// Its name, when the text after the keyword was a word (a keyword
    /// included: `input timeout: ...` is broken, but still names `timeout`).
    pub name: Option<Ident>,
    /// The member's text span.
    pub span: Span,
}

/// `CALLEE(args)`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// The callee path: `read_csv`, `clean.normalize`.
    pub callee: Vec<Ident>,
    /// Arguments.
    pub args: Vec<Arg>,
    /// The span of the callee path.
    pub callee_span: Span,
    /// The whole call.
    pub span: Span,
}

/// A positional (`expr`) or named (`name: expr`) argument.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    /// The name of a named argument.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole argument.
    pub span: Span,
}

/// A node clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clause {
    /// What the clause says.
    pub kind: ClauseKind,
    /// The whole clause.
    pub span: Span,
}

/// The kinds of node clauses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ClauseKind {
    /// `each SRC [where COND]`: one task per item.
    Each {
        /// The node whose items are iterated.
        source: Ident,
        /// The filter.
        filter: Option<Expr>,
    },
    /// `all SRC [where COND]`: one task with all (filtered) items.
    All {
        /// The node whose items are gathered.
        source: Ident,
        /// The filter.
        filter: Option<Expr>,
    },
    /// `group A, B by KEY`: one task per origin group.
    Group {
        /// The grouped nodes.
        sources: Vec<Ident>,
        /// The grouping key (only `origin` is defined).
        key: Ident,
    },
    /// `when COND`
    When(Expr),
    /// `after N, M` or `after any(N, M)`
    After {
        /// Whether it is `after any(...)`.
        any: bool,
        /// The nodes waited for.
        nodes: Vec<Ident>,
    },
    /// `retry N [backoff DUR]`
    Retry {
        /// Number of further attempts.
        count: Expr,
        /// Initial backoff.
        backoff: Option<Expr>,
    },
    /// `timeout DUR`
    Timeout(Expr),
    /// `cache on` / `cache off`
    Cache(bool),
    /// `on "POOL"`
    On(Expr),
    /// `resources { cpus: N, memory: SIZE }`
    Resources(Vec<RecordField>),
}

impl ClauseKind {
    /// The keyword that starts the clause.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Each { .. } => "each",
            ClauseKind::All { .. } => "all",
            ClauseKind::Group { .. } => "group",
            ClauseKind::When(_) => "when",
            ClauseKind::After { .. } => "after",
            ClauseKind::Retry { .. } => "retry",
            ClauseKind::Timeout(_) => "timeout",
            ClauseKind::Cache(_) => "cache",
            ClauseKind::On(_) => "on",
            ClauseKind::Resources(_) => "resources",
        }
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

impl Expr {
    /// Calls `found` with the path of every reference in the expression,
    /// those inside lists, records, pipes and their arguments, operators and
    /// string interpolations included, in source order.
    pub fn for_each_ref<'e>(&'e self, found: &mut impl FnMut(&'e [Ident])) {
        match &self.kind {
            ExprKind::Literal(_) => {}
            ExprKind::String(literal) => {
                for part in &literal.parts {
                    if let StringPart::Interpolation(expr) = part {
                        expr.for_each_ref(found);
                    }
                }
            }
            ExprKind::Ref(path) => found(path),
            ExprKind::List(items) => items.iter().for_each(|e| e.for_each_ref(found)),
            ExprKind::Record(fields) => fields.iter().for_each(|f| f.value.for_each_ref(found)),
            ExprKind::Pipe { value, args, .. } => {
                value.for_each_ref(found);
                for arg in args.iter().flatten() {
                    arg.value.for_each_ref(found);
                }
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.for_each_ref(found);
                rhs.for_each_ref(found);
            }
            ExprKind::Not(inner) | ExprKind::Paren(inner) => inner.for_each_ref(found),
        }
    }
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// `true`, `false`, `null`, numbers, durations, sizes.
    Literal(Literal),
    /// A string, possibly with interpolations.
    String(StringLit),
    /// `a.b.c`
    Ref(Vec<Ident>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ key: value }`
    Record(Vec<RecordField>),
    /// `value | name(args)`
    Pipe {
        /// The piped value.
        value: Box<Expr>,
        /// The pipe's name.
        name: Ident,
        /// Its arguments (`None` without parentheses).
        args: Option<Vec<Arg>>,
    },
    /// `lhs op rhs`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Where the operator is.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `not expr`
    Not(Box<Expr>),
    /// `( expr )`
    Paren(Box<Expr>),
}

/// Binary operators, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BinaryOp {
    /// `??`
    Coalesce,
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `matches`
    Matches,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Coalesce => "??",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Matches => "matches",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Coalesce => 1,
            BinaryOp::Or => 2,
            BinaryOp::And => 3,
            _ => 5,
        }
    }
}

/// A literal other than a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    /// `true` / `false`
    Bool(bool),
    /// `null`
    Null,
    /// An integer, as written.
    Int(String),
    /// A float, as written.
    Float(String),
    /// A duration, as written (`30s`).
    Duration(String),
    /// A size, as written (`512MiB`).
    Size(String),
}

/// A string literal: its parts and how it was quoted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StringLit {
    /// Text and interpolations, in order.
    pub parts: Vec<StringPart>,
    /// Whether it was written with `"""`.
    pub triple: bool,
    /// The whole literal, quotes included.
    pub span: Span,
}

impl StringLit {
    /// The string's value when it has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StringPart::Text { value, .. } => out.push_str(value),
                StringPart::Interpolation(_) => return None,
            }
        }
        Some(out)
    }

    /// Whether the string is exactly one `{expr}` (it then keeps the expression's type).
    pub fn single_interpolation(&self) -> Option<&Expr> {
        match self.parts.as_slice() {
            [StringPart::Interpolation(expr)] => Some(expr),
            _ => None,
        }
    }
}

/// A piece of a string literal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StringPart {
    /// Literal text with escapes resolved.
    Text {
        /// The text, escapes resolved.
        value: String,
        /// Where it is, as written.
        span: Span,
    },
    /// `{expr}`
    Interpolation(Expr),
}

/// `name: expr` in a record literal or `resources` clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordField {
    /// The key.
    pub name: Ident,
    /// The value.
    pub value: Expr,
    /// The whole field.
    pub span: Span,
}
