//! Every name of a source and what it names ("occurrences"), and the one
//! under the cursor. Definition, references, rename and hover are built on
//! this: an occurrence is a span and a [`Target`], and two occurrences name
//! the same thing when their targets are equal.

use std::collections::HashSet;
use std::sync::Arc;

use pipec_compiler::Db;
use pipec_compiler::Source;
use pipec_compiler::ide::{self, PipelineTypes, Placed};
use pipec_compiler::queries::imports;
use pipec_compiler::scope::{self, Found, Kind};
use pipec_grammar::ast::{
    Arg, Call, ClauseKind, Expr, ExprKind, Ident, Item, Member, StringLit, StringPart, TypeExpr,
    TypeKind,
};
use pipec_grammar::span::Span;

/// What a name names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A node of the pipeline `owner`.
    Node {
        /// The pipeline.
        owner: Found,
        /// The node's name.
        name: String,
    },
    /// An input of the pipeline `owner` (also a named argument of a call of it).
    Input {
        /// The pipeline.
        owner: Found,
        /// The input's name.
        name: String,
    },
    /// A secret of the pipeline `owner`.
    Secret {
        /// The pipeline.
        owner: Found,
        /// The secret's name.
        name: String,
    },
    /// An output of the pipeline `owner`.
    Output {
        /// The pipeline.
        owner: Found,
        /// The output's name.
        name: String,
    },
    /// A parameter of the plugin `owner` (also a named argument of a call of it).
    Param {
        /// The plugin.
        owner: Found,
        /// The parameter's name.
        name: String,
    },
    /// A field of the schema `owner`.
    SchemaField {
        /// The schema.
        owner: Found,
        /// The field's name.
        name: String,
    },
    /// A constant, schema, plugin or pipeline.
    Item(Found),
    /// A field read from a node's or an input's value: `n.a.b`.
    Field {
        /// The pipeline.
        owner: Found,
        /// The node or input read (`Node` or `Input`).
        base: Box<Target>,
        /// The fields up to and including the one named.
        path: Vec<String>,
    },
    /// An imported file (an import's path or alias).
    Import(Source),
    /// A pipe (`| name`).
    Pipe(String),
}

/// One name in a source: where it is and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The name's span in the source.
    pub span: Span,
    /// What it names.
    pub target: Target,
    /// Whether this is where it is declared.
    pub declaration: bool,
}

/// The name under the cursor at byte `offset`, if any.
pub fn at(db: &dyn Db, source: Source, text: &str, offset: usize) -> Option<Occurrence> {
    let items = ide::items(db, source);
    let index = items
        .partition_point(|p| (p.value.span().start + p.offset) as usize <= offset)
        .checked_sub(1)?;
    let mut walker = Walker::new(db, source, text);
    let placed = items[index];
    walker.item(index, placed);
    if let Item::Pipeline(_) = placed.value {
        let members = ide::pipeline_members(db, source, index);
        let at = members
            .partition_point(|m| (m.value.span().start + m.offset) as usize <= offset)
            .checked_sub(1);
        if let Some(member) = at.and_then(|i| members.get(i)) {
            walker.enter_pipeline(index);
            walker.member(*member);
        }
    }
    walker.found.into_iter().find(|o| o.span.touches(offset))
}

/// Every name of a source, in order.
pub fn occurrences(db: &dyn Db, source: Source, text: &str) -> Vec<Occurrence> {
    let mut walker = Walker::new(db, source, text);
    for (index, placed) in ide::items(db, source).into_iter().enumerate() {
        walker.item(index, placed);
        if let Item::Pipeline(_) = placed.value {
            walker.enter_pipeline(index);
            for member in ide::pipeline_members(db, source, index) {
                walker.member(member);
            }
        }
    }
    walker.found
}

/// The tables an `sql` text reads (lower case), when it parses; its
/// interpolations stand for parameters, as they are bound at run time.
fn sql_tables(text: &StringLit) -> Option<HashSet<String>> {
    let query = pipec_compiler::sql::query_text(text);
    let tables = pipec_compiler::sql::table_references(&query).ok()?;
    Some(tables.into_iter().map(|t| t.to_ascii_lowercase()).collect())
}

/// Walks syntax, collecting occurrences.
struct Walker<'a> {
    db: &'a dyn Db,
    source: Source,
    text: &'a str,
    /// The pipeline being walked and what it declares.
    pipeline: Option<(Found, Arc<PipelineTypes>)>,
    /// The offset of the syntax being walked.
    offset: u32,
    found: Vec<Occurrence>,
}

impl<'a> Walker<'a> {
    fn new(db: &'a dyn Db, source: Source, text: &'a str) -> Self {
        Walker {
            db,
            source,
            text,
            pipeline: None,
            offset: 0,
            found: Vec::new(),
        }
    }

    fn push(&mut self, ident: &Ident, target: Target, declaration: bool) {
        self.found.push(Occurrence {
            span: ident.span.shifted(self.offset),
            target,
            declaration,
        });
    }

    fn here(&self, index: usize) -> Found {
        Found {
            source: self.source,
            index,
        }
    }

    fn enter_pipeline(&mut self, index: usize) {
        let types = ide::pipeline_types(self.db, self.source, index).clone();
        self.pipeline = Some((self.here(index), types));
    }

    fn item(&mut self, index: usize, placed: Placed<'_, Item>) {
        self.offset = placed.offset;
        self.pipeline = None;
        let me = self.here(index);
        match placed.value {
            Item::Import(import) => {
                let span = import.path.span.shifted(placed.offset);
                let target = imports(self.db, self.source)
                    .iter()
                    .find(|i| i.span == span)
                    .and_then(|i| i.target.clone().ok());
                if let Some(target) = target {
                    self.found.push(Occurrence {
                        span,
                        target: Target::Import(target),
                        declaration: false,
                    });
                    if let Some(alias) = &import.alias {
                        self.push(alias, Target::Import(target), true);
                    }
                }
            }
            Item::Const(c) => {
                self.push(&c.name, Target::Item(me), true);
                self.expr(&c.value, None);
            }
            Item::Schema(s) => {
                self.push(&s.name, Target::Item(me), true);
                for field in &s.fields {
                    let target = Target::SchemaField {
                        owner: me,
                        name: field.name.name.clone(),
                    };
                    self.push(&field.name, target, true);
                    self.ty(&field.ty);
                }
            }
            Item::Plugin(p) => {
                self.push(&p.name, Target::Item(me), true);
                for param in &p.params {
                    let target = Target::Param {
                        owner: me,
                        name: param.name.name.clone(),
                    };
                    self.push(&param.name, target, true);
                    self.ty(&param.ty);
                    if let Some(default) = &param.default {
                        self.expr(default, None);
                    }
                }
                if let Some(output) = &p.output {
                    self.ty(output);
                }
            }
            Item::Pipeline(p) => self.push(&p.name, Target::Item(me), true),
        }
    }

    fn member(&mut self, placed: Placed<'_, Member>) {
        self.offset = placed.offset;
        let Some(owner) = self.pipeline.as_ref().map(|(owner, _)| *owner) else {
            return;
        };
        match placed.value {
            Member::Input(input) => {
                let target = Target::Input {
                    owner,
                    name: input.name.name.clone(),
                };
                self.push(&input.name, target, true);
                self.ty(&input.ty);
                if let Some(default) = &input.default {
                    self.expr(default, None);
                }
            }
            Member::Secret(secret) => {
                let target = Target::Secret {
                    owner,
                    name: secret.name.name.clone(),
                };
                self.push(&secret.name, target, true);
            }
            Member::Node(node) => {
                let target = Target::Node {
                    owner,
                    name: node.name.name.clone(),
                };
                self.push(&node.name, target, true);
                self.call(&node.call);
                for clause in &node.clauses {
                    self.clause(&clause.kind, owner);
                }
            }
            Member::Output(output) => {
                let target = Target::Output {
                    owner,
                    name: output.name.name.clone(),
                };
                self.push(&output.name, target, true);
                self.expr(&output.value, None);
            }
            Member::Broken(broken) => {
                if let Some(name) = &broken.name {
                    let target = match broken.keyword.as_deref() {
                        Some("input") => Target::Input {
                            owner,
                            name: name.name.clone(),
                        },
                        Some("secret") => Target::Secret {
                            owner,
                            name: name.name.clone(),
                        },
                        Some("output") => Target::Output {
                            owner,
                            name: name.name.clone(),
                        },
                        _ => Target::Node {
                            owner,
                            name: name.name.clone(),
                        },
                    };
                    self.push(name, target, true);
                }
            }
        }
    }

    fn node_target(&self, name: &str) -> Option<Target> {
        let (owner, types) = self.pipeline.as_ref()?;
        types.nodes.contains_key(name).then(|| Target::Node {
            owner: *owner,
            name: name.to_string(),
        })
    }

    fn clause(&mut self, clause: &ClauseKind, owner: Found) {
        let node = |walker: &mut Self, ident: &Ident| {
            let target = Target::Node {
                owner,
                name: ident.name.clone(),
            };
            walker.push(ident, target, false);
        };
        match clause {
            ClauseKind::Each { source, filter } | ClauseKind::All { source, filter } => {
                node(self, source);
                if let Some(filter) = filter {
                    self.expr(filter, None);
                }
            }
            ClauseKind::Group { sources, .. } => sources.iter().for_each(|s| node(self, s)),
            ClauseKind::After { nodes, .. } => nodes.iter().for_each(|n| node(self, n)),
            ClauseKind::When(e) | ClauseKind::Timeout(e) | ClauseKind::On(e) => self.expr(e, None),
            ClauseKind::Retry { count, backoff } => {
                self.expr(count, None);
                if let Some(backoff) = backoff {
                    self.expr(backoff, None);
                }
            }
            ClauseKind::Resources(fields) => fields.iter().for_each(|f| self.expr(&f.value, None)),
            ClauseKind::Cache(_) => {}
        }
    }

    fn call(&mut self, call: &Call) {
        let found = ide::find_callee(self.db, self.source, &call.callee);
        match call.callee.as_slice() {
            [name] => {
                if let Some(found) = found {
                    self.push(name, Target::Item(found), false);
                }
            }
            [alias, name] => {
                if let Some(target) = self.alias(&alias.name) {
                    self.push(alias, Target::Import(target), false);
                }
                if let Some(found) = found {
                    self.push(name, Target::Item(found), false);
                }
            }
            _ => {}
        }
        // `sql` text names the pipeline's nodes as tables.
        let reads_tables = matches!(call.callee.last().map(|i| i.name.as_str()), Some("sql"));
        for arg in &call.args {
            if let (Some(name), Some(found)) = (&arg.name, found)
                && let Some(target) = self.param_target(found, &name.name)
            {
                self.push(name, target, false);
            }
            self.expr(&arg.value, reads_tables.then_some(()));
        }
    }

    /// What argument `name` of a call of `callee` names: the pipeline's input or the plugin's parameter.
    fn param_target(&self, callee: Found, name: &str) -> Option<Target> {
        let placed = ide::item_at(self.db, callee.source, callee.index)?;
        let name = name.to_string();
        match placed.value {
            Item::Pipeline(_) => Some(Target::Input {
                owner: callee,
                name,
            }),
            Item::Plugin(_) => Some(Target::Param {
                owner: callee,
                name,
            }),
            _ => None,
        }
    }

    fn alias(&self, alias: &str) -> Option<Source> {
        imports(self.db, self.source)
            .iter()
            .find(|i| i.alias.as_deref() == Some(alias))
            .and_then(|i| i.target.clone().ok())
    }

    fn ty(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeKind::Named(name) => {
                if let Some(found) = scope::lookup(self.db, self.source, Kind::Schema, &name.name) {
                    self.push(name, Target::Item(found), false);
                }
            }
            TypeKind::Generic(_, inner) => self.ty(inner),
            TypeKind::Record(fields) => fields.iter().for_each(|f| self.ty(&f.ty)),
        }
    }

    /// Walks an expression; `tables` when its strings are SQL text.
    fn expr(&mut self, expr: &Expr, tables: Option<()>) {
        match &expr.kind {
            ExprKind::Literal(_) => {}
            ExprKind::String(s) => {
                let tables = tables.map(|()| sql_tables(s));
                for part in &s.parts {
                    match part {
                        StringPart::Interpolation(inner) => self.expr(inner, None),
                        StringPart::Text { span, .. } => {
                            if let Some(tables) = &tables {
                                self.sql_words(*span, tables.as_ref());
                            }
                        }
                    }
                }
            }
            ExprKind::Ref(path) => self.reference(path),
            ExprKind::List(items) => items.iter().for_each(|e| self.expr(e, tables)),
            ExprKind::Record(fields) => fields.iter().for_each(|f| self.expr(&f.value, tables)),
            ExprKind::Pipe { value, name, args } => {
                self.expr(value, tables);
                self.push(name, Target::Pipe(name.name.clone()), false);
                for Arg { value, .. } in args.iter().flatten() {
                    self.expr(value, None);
                }
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, tables);
                self.expr(rhs, tables);
            }
            ExprKind::Not(inner) | ExprKind::Paren(inner) => self.expr(inner, tables),
        }
    }

    /// The words of SQL text that name nodes of the pipeline (and, when the
    /// text parses, that the query reads as tables).
    fn sql_words(&mut self, span: Span, tables: Option<&HashSet<String>>) {
        let span = span.shifted(self.offset);
        let Some(text) = self.text.get(span.range()) else {
            return;
        };
        let bytes = text.as_bytes();
        // Where a table name may stand: right after FROM or JOIN, or after a
        // comma of a FROM list. Other words (columns, aliases) are skipped,
        // even when they are spelt like a node.
        let mut in_from_list = false;
        let mut after_table_keyword = false;
        let mut after_comma = false;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_alphabetic() || c == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                let lower = word.to_ascii_lowercase();
                let in_table_place = after_table_keyword || (after_comma && in_from_list);
                let read = tables.is_none_or(|t| t.contains(&lower));
                if in_table_place
                    && read
                    && let Some(target) = self.node_target(word)
                {
                    self.found.push(Occurrence {
                        span: Span::new(span.start as usize + start, span.start as usize + i),
                        target,
                        declaration: false,
                    });
                }
                after_table_keyword = matches!(lower.as_str(), "from" | "join");
                after_comma = false;
                if matches!(
                    lower.as_str(),
                    "select"
                        | "from"
                        | "join"
                        | "where"
                        | "group"
                        | "order"
                        | "having"
                        | "on"
                        | "limit"
                        | "union"
                        | "with"
                        | "using"
                ) {
                    in_from_list = matches!(lower.as_str(), "from" | "join");
                }
            } else {
                if c == b',' {
                    after_comma = true;
                } else if !c.is_ascii_whitespace() {
                    after_comma = false;
                    after_table_keyword = false;
                }
                i += 1;
            }
        }
    }

    fn reference(&mut self, path: &[Ident]) {
        let Some((head, rest)) = path.split_first() else {
            return;
        };
        let owner = self.pipeline.as_ref().map(|(owner, _)| *owner);
        let base = match (head.name.as_str(), owner, rest.first()) {
            ("input", Some(owner), Some(name)) => {
                let target = Target::Input {
                    owner,
                    name: name.name.clone(),
                };
                self.push(name, target.clone(), false);
                Some((target, &rest[1..]))
            }
            ("secret", Some(owner), Some(name)) => {
                let target = Target::Secret {
                    owner,
                    name: name.name.clone(),
                };
                self.push(name, target, false);
                None
            }
            _ => match self.node_target(&head.name) {
                Some(target) => {
                    self.push(head, target.clone(), false);
                    Some((target, rest))
                }
                None => {
                    self.constant(path);
                    None
                }
            },
        };
        if let (Some((base, fields)), Some(owner)) = (base, owner) {
            let mut walked = Vec::new();
            for field in fields {
                walked.push(field.name.clone());
                let target = Target::Field {
                    owner,
                    base: Box::new(base.clone()),
                    path: walked.clone(),
                };
                self.push(field, target, false);
            }
        }
    }

    /// A reference to a constant: `NAME` or `alias.NAME`.
    fn constant(&mut self, path: &[Ident]) {
        match path {
            [name, ..]
                if scope::lookup(self.db, self.source, Kind::Const, &name.name).is_some() =>
            {
                if let Some(found) = scope::lookup(self.db, self.source, Kind::Const, &name.name) {
                    self.push(name, Target::Item(found), false);
                }
            }
            [alias, name, ..] => {
                if let Some(target) = self.alias(&alias.name) {
                    self.push(alias, Target::Import(target), false);
                }
                let found = scope::lookup_qualified(
                    self.db,
                    self.source,
                    &alias.name,
                    Kind::Const,
                    &name.name,
                );
                if let Some(Some(found)) = found {
                    self.push(name, Target::Item(found), false);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;
    use tower_lsp::lsp_types::Url;

    const TEXT: &str = "pipeline p {\n  input limit: int = 3\n  node rows = read_csv(\"x.csv\")\n  node top = sql(\"select * from rows limit {input.limit}\") { after rows }\n  output best = top\n}\n";

    fn names_of(workspace: &Workspace, source: Source, node: &str) -> Vec<(u32, bool)> {
        occurrences(&workspace.db, source, TEXT)
            .into_iter()
            .filter(|o| matches!(&o.target, Target::Node { name, .. } if name == node))
            .map(|o| (o.span.start, o.declaration))
            .collect()
    }

    #[test]
    fn a_node_is_named_by_its_declaration_references_clauses_and_sql_text() {
        let mut workspace = Workspace::new();
        let uri = Url::parse("file:///nowhere/locate.pipe").unwrap();
        let source = workspace.open(uri, TEXT.to_string(), 1);
        let rows: Vec<u32> = TEXT.match_indices("rows").map(|(i, _)| i as u32).collect();
        let found = names_of(&workspace, source, "rows");
        assert_eq!(
            found,
            vec![(rows[0], true), (rows[1], false), (rows[2], false)]
        );
        // The name under the cursor: the table in the SQL text.
        let at_sql = at(&workspace.db, source, TEXT, rows[1] as usize + 2).unwrap();
        assert!(matches!(at_sql.target, Target::Node { ref name, .. } if name == "rows"));
        // `input.limit` inside an interpolation of the SQL text is the input.
        let limit = TEXT.find("input.limit").unwrap() + 7;
        let at_input = at(&workspace.db, source, TEXT, limit).unwrap();
        assert!(matches!(at_input.target, Target::Input { ref name, .. } if name == "limit"));
        // A column that has a node's name is no reference to the node.
        let text = "pipeline p {\n  node total = read_csv(\"x.csv\")\n  node t = sql(\"select total from total\")\n}\n";
        let mut other = Workspace::new();
        let uri = Url::parse("file:///nowhere/columns.pipe").unwrap();
        let columns = other.open(uri, text.to_string(), 1);
        let named: Vec<usize> = occurrences(&other.db, columns, text)
            .into_iter()
            .filter(|o| matches!(&o.target, Target::Node { name, .. } if name == "total"))
            .map(|o| o.span.start as usize)
            .collect();
        assert_eq!(
            named,
            vec![text.find("total").unwrap(), text.rfind("total").unwrap()]
        );
        // A word of SQL text that is no node names nothing.
        let select = TEXT.find("select").unwrap();
        assert_eq!(at(&workspace.db, source, TEXT, select + 1), None);
    }
}
