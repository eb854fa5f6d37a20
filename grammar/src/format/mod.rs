//! The canonical formatter: one layout for every `.pipe` file.
//!
//! Layout rules (also in docs/language.md):
//! - two spaces of indentation; lines up to [`WIDTH`] columns;
//! - one blank line between items, except between consecutive imports or
//!   constants, which keep a blank line only where the source had one;
//!   inside blocks a blank line is kept where the source had one (never two);
//! - a call, list, record, schema or plugin signature stays on one line when
//!   it fits, and otherwise puts one element per line with a trailing comma;
//! - a node with one short clause keeps it inline (`{ when x }`), otherwise
//!   the clauses go one per line in a block;
//! - strings keep their text exactly as written (escapes, `"""` bodies);
//! - comments are kept: own-line comments stay above what follows them,
//!   end-of-line comments stay at the end of their line. A statement that has
//!   a comment inside an expression is kept exactly as written.
//!
//! Formatting formatted text changes nothing (the tests check this on every
//! golden case and on generated programs).

mod expr;

use crate::ast::*;
use crate::span::Span;

/// Preferred maximum line width.
pub const WIDTH: usize = 100;

/// Formats a parsed file. `source` must be the text `file` was parsed from,
/// and the parse must have had no errors (a partial tree would lose text).
pub fn format_source(source: &str, file: &SourceFile) -> String {
    let mut printer = Printer::new(source, &file.comments);
    printer.items(&file.items);
    let mut out = printer.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Why formatted text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    /// The formatted text does not parse: a formatter bug.
    #[error(
        "internal formatter error: the formatted text does not parse ({0}); the file was left as it was"
    )]
    Unparsable(String),
    /// The formatted text lost or changed a comment: a formatter bug.
    #[error("internal formatter error: a comment would change; the file was left as it was")]
    CommentsChanged,
}

/// Formats, then proves the result safe: it must parse, and keep every
/// comment in order. A file is only rewritten with text that passed.
pub fn format_checked(source: &str, file: &SourceFile) -> Result<String, FormatError> {
    let formatted = format_source(source, file);
    let name: crate::diagnostic::FileName = "formatted".into();
    let reparsed = crate::parse(&name, &formatted);
    if let Some(error) = reparsed.diagnostics.iter().find(|d| d.is_error()) {
        return Err(FormatError::Unparsable(error.message.clone()));
    }
    let texts = |f: &SourceFile| {
        f.comments
            .iter()
            .map(|c| c.text.trim_end().to_string())
            .collect::<Vec<_>>()
    };
    if texts(file) != texts(&reparsed.tree) {
        return Err(FormatError::CommentsChanged);
    }
    Ok(formatted)
}

pub(crate) struct Printer<'a> {
    pub(crate) src: &'a str,
    comments: &'a [Comment],
    used: Vec<bool>,
    pub(crate) out: String,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str, comments: &'a [Comment]) -> Self {
        Printer {
            src,
            comments,
            used: vec![false; comments.len()],
            out: String::new(),
        }
    }

    /// The column the next character would land in.
    pub(crate) fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |n| n + 1);
        self.out[line_start..].chars().count()
    }

    fn newline(&mut self, indent: usize) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// Whether the source has a blank line (only white space between two
    /// line breaks) in `from..to`.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let between = self.src.get(from..to).unwrap_or("");
        let lines: Vec<&str> = between.split('\n').collect();
        lines.len() > 2
            && lines[1..lines.len() - 1]
                .iter()
                .any(|l| l.trim().is_empty())
    }

    /// Comments starting in `from..to` not yet printed, by index.
    fn pending(&self, from: usize, to: usize) -> Vec<usize> {
        let first = self
            .comments
            .partition_point(|c| (c.span.start as usize) < from);
        (first..self.comments.len())
            .take_while(|&i| (self.comments[i].span.start as usize) < to)
            .filter(|&i| !self.used[i])
            .collect()
    }

    /// The end-of-line comment right after `end` (after an optional comma), if any.
    fn trailing_comment(&self, end: usize) -> Option<usize> {
        let i = self
            .comments
            .partition_point(|c| (c.span.start as usize) < end);
        let comment = self.comments.get(i)?;
        let between = self.src.get(end..comment.span.start as usize)?;
        let between = between.trim_start_matches([' ', '\t']);
        let between = between.strip_prefix(',').unwrap_or(between);
        (between.trim_matches([' ', '\t']).is_empty() && !self.used[i]).then_some(i)
    }

    fn emit_comment(&mut self, i: usize) {
        self.used[i] = true;
        let text = self.comments[i].text.trim_end();
        self.out.push_str(text);
    }

    /// Prints a block of elements, one per line at `indent`, with their
    /// comments. `region` bounds the comments that belong to the block.
    fn block<T>(
        &mut self,
        elements: &[T],
        region: Span,
        indent: usize,
        blank_rule: impl Fn(Option<&T>, &T) -> bool,
        mut element: impl FnMut(&mut Self, &T, usize),
        span_of: impl Fn(&T) -> Span,
    ) {
        let mut last_end = region.start as usize;
        let mut previous: Option<&T> = None;
        for item in elements {
            let span = span_of(item);
            let start = span.start as usize;
            let mut first_line = true;
            for c in self.pending(last_end, start) {
                let c_start = self.comments[c].span.start as usize;
                let allow_blank = previous.is_some() || !first_line;
                let wanted = self.blank_between(last_end, c_start)
                    || (first_line && blank_rule(previous, item));
                if !self.out.is_empty() && allow_blank && wanted {
                    self.newline(0);
                }
                first_line = false;
                if !self.out.is_empty() {
                    self.newline(indent);
                }
                self.emit_comment(c);
                last_end = self.comments[c].span.end as usize;
            }
            if !self.out.is_empty() {
                let allow_blank = previous.is_some() || !first_line;
                let wanted = self.blank_between(last_end, start)
                    || (first_line && blank_rule(previous, item));
                if allow_blank && wanted {
                    self.newline(0);
                }
                self.newline(indent);
            }
            element(self, item, indent);
            last_end = span.end as usize;
            if let Some(c) = self.trailing_comment(last_end) {
                self.out.push_str("  ");
                self.emit_comment(c);
                last_end = self.comments[c].span.end as usize;
            }
            previous = Some(item);
        }
        // Comments after the last element, before the block closes.
        for c in self.pending(last_end, region.end as usize) {
            let c_start = self.comments[c].span.start as usize;
            if !self.out.is_empty() && self.blank_between(last_end, c_start) {
                self.newline(0);
            }
            if !self.out.is_empty() {
                self.newline(indent);
            }
            self.emit_comment(c);
            last_end = self.comments[c].span.end as usize;
        }
    }

    /// Prints `open`, the elements one per line one level deeper (with their
    /// comments), then `close` on its own line at `indent`.
    pub(crate) fn delimited<T>(
        &mut self,
        (open, close): (&str, &str),
        elements: &[T],
        region: Span,
        indent: usize,
        element: impl FnMut(&mut Self, &T, usize),
        span_of: impl Fn(&T) -> Span,
    ) {
        self.out.push_str(open);
        self.block(elements, region, indent + 2, |_, _| false, element, span_of);
        self.newline(indent);
        self.out.push_str(close);
    }

    /// Runs `print` for a statement; if it left a comment inside `span`
    /// unprinted, prints the statement exactly as written instead.
    fn statement(&mut self, span: Span, print: impl FnOnce(&mut Self)) {
        let out_len = self.out.len();
        let used = self.used.clone();
        print(self);
        let inside = self.pending(span.start as usize, span.end as usize);
        if !inside.is_empty() {
            self.out.truncate(out_len);
            self.used = used;
            for c in self.pending(span.start as usize, span.end as usize) {
                self.used[c] = true;
            }
            let verbatim = &self.src[span.range()];
            self.out.push_str(verbatim);
        }
    }

    fn items(&mut self, items: &[Item]) {
        let region = Span::new(0, self.src.len());
        self.block(
            items,
            region,
            0,
            |previous, item| {
                !matches!(
                    (previous, item),
                    (None, _)
                        | (Some(Item::Import(_)), Item::Import(_))
                        | (Some(Item::Const(_)), Item::Const(_))
                )
            },
            |p, item, indent| p.item(item, indent),
            Item::span,
        );
    }

    fn item(&mut self, item: &Item, indent: usize) {
        self.statement(item.span(), |p| match item {
            Item::Import(import) => {
                p.out.push_str("import ");
                p.string(&import.path);
                if let Some(alias) = &import.alias {
                    p.out.push_str(" as ");
                    p.out.push_str(&alias.name);
                }
            }
            Item::Const(c) => {
                p.out.push_str("const ");
                p.out.push_str(&c.name.name);
                p.out.push_str(" = ");
                p.expr(&c.value, indent);
            }
            Item::Schema(schema) => {
                p.out.push_str("schema ");
                p.out.push_str(&schema.name.name);
                p.out.push(' ');
                let region = Span::new(schema.name.span.end as usize, schema.span.end as usize);
                p.field_types(&schema.fields, region, indent);
            }
            Item::Plugin(plugin) => p.plugin(plugin, indent),
            Item::Pipeline(pipeline) => p.pipeline(pipeline, indent),
        });
    }

    fn field_types(&mut self, fields: &[FieldType], region: Span, indent: usize) {
        if fields.is_empty()
            && self
                .pending(region.start as usize, region.end as usize)
                .is_empty()
        {
            self.out.push_str("{}");
            return;
        }
        let flat = format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.name.name, self.type_text(&f.ty)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let commented = !self
            .pending(region.start as usize, region.end as usize)
            .is_empty();
        if !commented && self.column() + flat.len() <= WIDTH {
            self.out.push_str(&flat);
            return;
        }
        self.delimited(
            ("{", "}"),
            fields,
            Span::new(
                region.start as usize,
                (region.end as usize).saturating_sub(1),
            ),
            indent,
            |p, f, _| {
                let text = format!("{}: {},", f.name.name, p.type_text(&f.ty));
                p.out.push_str(&text);
            },
            |f| f.span,
        );
    }

    pub(crate) fn type_text(&self, ty: &TypeExpr) -> String {
        let mut text = match &ty.kind {
            TypeKind::Named(name) => name.name.clone(),
            TypeKind::Generic(name, arg) => format!("{}<{}>", name.name, self.type_text(arg)),
            TypeKind::Record(fields) if fields.is_empty() => "{}".to_string(),
            TypeKind::Record(fields) => format!(
                "{{ {} }}",
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name.name, self.type_text(&f.ty)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if ty.optional {
            text.push('?');
        }
        text
    }

    fn plugin(&mut self, plugin: &PluginDecl, indent: usize) {
        self.out.push_str("plugin ");
        self.out.push_str(&plugin.name.name);
        let output = plugin
            .output
            .as_ref()
            .map(|t| format!(" -> {}", self.type_text(t)))
            .unwrap_or_default();
        let params: Vec<String> = plugin.params.iter().map(|p| self.param_text(p)).collect();
        let flat = format!("({}){output}", params.join(", "));
        let commented = !self
            .pending(plugin.name.span.end as usize, plugin.span.end as usize)
            .is_empty();
        if !commented && self.column() + flat.len() <= WIDTH {
            self.out.push_str(&flat);
            return;
        }
        let close = plugin
            .output
            .as_ref()
            .map_or(plugin.span.end as usize, |t| t.span.start as usize);
        self.delimited(
            ("(", ")"),
            &plugin.params,
            Span::new(plugin.name.span.end as usize, close),
            indent,
            |p, param, _| {
                let text = format!("{},", p.param_text(param));
                p.out.push_str(&text);
            },
            |param| param.span,
        );
        self.out.push_str(&output);
    }

    fn param_text(&self, param: &Param) -> String {
        let mut text = format!("{}: {}", param.name.name, self.type_text(&param.ty));
        if let Some(default) = &param.default {
            text.push_str(" = ");
            text.push_str(&self.flat_expr(default));
        }
        text
    }

    fn pipeline(&mut self, pipeline: &Pipeline, indent: usize) {
        self.out.push_str("pipeline ");
        self.out.push_str(&pipeline.name.name);
        let body = Span::new(pipeline.name.span.end as usize, pipeline.span.end as usize);
        if pipeline.members.is_empty()
            && self
                .pending(body.start as usize, body.end as usize)
                .is_empty()
        {
            self.out.push_str(" {}");
            return;
        }
        self.delimited(
            (" {", "}"),
            &pipeline.members,
            body,
            indent,
            |p, member, indent| p.member(member, indent),
            Member::span,
        );
    }

    fn member(&mut self, member: &Member, indent: usize) {
        self.statement(member.span(), |p| match member {
            Member::Input(input) => {
                p.out.push_str("input ");
                p.out.push_str(&input.name.name);
                p.out.push_str(": ");
                let ty = p.type_text(&input.ty);
                p.out.push_str(&ty);
                if let Some(default) = &input.default {
                    p.out.push_str(" = ");
                    p.expr(default, indent);
                }
            }
            Member::Secret(secret) => {
                p.out.push_str("secret ");
                p.out.push_str(&secret.name.name);
            }
            Member::Node(node) => p.node(node, indent),
            Member::Output(output) => {
                p.out.push_str("output ");
                p.out.push_str(&output.name.name);
                p.out.push_str(" = ");
                p.expr(&output.value, indent);
            }
            Member::Broken(broken) => {
                let text = &p.src[broken.span.range()];
                p.out.push_str(text);
            }
        });
    }

    fn node(&mut self, node: &NodeDecl, indent: usize) {
        self.out.push_str("node ");
        self.out.push_str(&node.name.name);
        self.out.push_str(" = ");
        let call_start = self.out.len();
        self.call(&node.call, indent);
        let call_broken = self.out[call_start..].contains('\n');
        let Some(block) = node.clauses_span else {
            return;
        };
        let commented = !self
            .pending(block.start as usize, block.end as usize)
            .is_empty();
        if node.clauses.is_empty() && !commented {
            return;
        }
        if let [clause] = node.clauses.as_slice()
            && !commented
            && !call_broken
        {
            let text = self.clause_text(clause);
            if !text.contains('\n') && self.column() + text.len() + 5 <= WIDTH {
                self.out.push_str(" { ");
                self.out.push_str(&text);
                self.out.push_str(" }");
                return;
            }
        }
        self.delimited(
            (" {", "}"),
            &node.clauses,
            block,
            indent,
            |p, clause, _| {
                let text = p.clause_text(clause);
                p.out.push_str(&text);
            },
            |c| c.span,
        );
    }

    fn clause_text(&self, clause: &Clause) -> String {
        let names = |list: &[Ident]| {
            list.iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &clause.kind {
            ClauseKind::Each { source, filter } | ClauseKind::All { source, filter } => {
                let mut text = format!("{} {}", clause.kind.keyword(), source.name);
                if let Some(filter) = filter {
                    text.push_str(" where ");
                    text.push_str(&self.flat_expr(filter));
                }
                text
            }
            ClauseKind::Group { sources, key } => {
                format!("group {} by {}", names(sources), key.name)
            }
            ClauseKind::When(cond) => format!("when {}", self.flat_expr(cond)),
            ClauseKind::After { any: true, nodes } => format!("after any({})", names(nodes)),
            ClauseKind::After { any: false, nodes } => format!("after {}", names(nodes)),
            ClauseKind::Retry { count, backoff } => {
                let mut text = format!("retry {}", self.flat_expr(count));
                if let Some(backoff) = backoff {
                    text.push_str(" backoff ");
                    text.push_str(&self.flat_expr(backoff));
                }
                text
            }
            ClauseKind::Timeout(d) => format!("timeout {}", self.flat_expr(d)),
            ClauseKind::Cache(on) => format!("cache {}", if *on { "on" } else { "off" }),
            ClauseKind::On(pool) => format!("on {}", self.flat_expr(pool)),
            ClauseKind::Resources(fields) => format!("resources {}", self.flat_record(fields)),
        }
    }
}

#[cfg(test)]
mod tests;
