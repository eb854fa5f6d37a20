//! Hover: what a name is, its type, its signature and its doc comments, as Markdown.

use pipec_compiler::analyze::Signature;
use pipec_compiler::ide::{self};
use pipec_compiler::scope::Found;
use pipec_compiler::types::Type;
use pipec_compiler::{Db, Source};
use pipec_grammar::ast::{Item, Member};
use pipec_grammar::span::Span;

use crate::locate::Target;
use crate::navigate::{member_declaring, plugin_param, schema_field};
use crate::workspace::Workspace;

/// Adds the doc comments of the pipeline member `target` names.
fn member_docs(db: &dyn Db, owner: Found, target: &Target, name: &str, out: &mut Markdown) {
    if let Some(docs) = member_declaring(db, owner, target, name).and_then(|m| m.value.docs()) {
        out.docs(docs.text());
    }
}

/// The Markdown shown for a target.
pub fn describe(workspace: &Workspace, target: &Target) -> Option<String> {
    let db = &workspace.db;
    let mut out = Markdown::default();
    match target {
        Target::Node { owner, name } => {
            let types = ide::pipeline_types(db, owner.source, owner.index);
            let typed = types
                .nodes
                .get(name)
                .map(|(item, many)| value_type(item, *many));
            out.code(&format!(
                "node {name}: {}",
                typed.as_deref().unwrap_or("any")
            ));
            if let Some(member) = member_declaring(db, *owner, target, name)
                && let Member::Node(node) = member.value
            {
                if let Some(found) = ide::find_callee(db, owner.source, &node.call.callee) {
                    if let Some(signature) = ide::signature(db, found) {
                        out.text(&format!("calls `{}`", signature_line(signature)));
                    }
                    out.docs(item_docs(db, found));
                }
                out.docs(node.docs.text());
            }
        }
        Target::Input { owner, name } => {
            let types = ide::pipeline_types(db, owner.source, owner.index);
            let ty = types.inputs.get(name).map_or("any".into(), Type::to_string);
            let pipeline = item_name(db, *owner).unwrap_or_default();
            out.code(&format!("input {name}: {ty}"));
            out.text(&format!("input of pipeline `{pipeline}`"));
            member_docs(db, *owner, target, name, &mut out);
        }
        Target::Secret { owner, name } => {
            out.code(&format!("secret {name}: string"));
            out.text("read from the environment when the pipeline runs; never stored");
            member_docs(db, *owner, target, name, &mut out);
        }
        Target::Output { owner, name } => {
            out.code(&format!("output {name}"));
            member_docs(db, *owner, target, name, &mut out);
        }
        Target::Param { owner, name } => {
            let (plugin, param, offset) = plugin_param(db, *owner, name)?;
            out.code(&slice(workspace, owner.source, param.span.shifted(offset))?);
            out.text(&format!("parameter of `{}`", plugin.name.name));
        }
        Target::SchemaField { owner, name } => {
            let (schema, field, offset) = schema_field(db, *owner, name)?;
            out.code(&slice(workspace, owner.source, field.span.shifted(offset))?);
            out.text(&format!("field of schema `{}`", schema.name.name));
        }
        Target::Item(found) => {
            let placed = ide::item_at(db, found.source, found.index)?;
            let header = match placed.value {
                Item::Pipeline(p) => match ide::signature(db, *found) {
                    Some(signature) => format!("pipeline {}", signature_line(signature)),
                    None => format!("pipeline {}", p.name.name),
                },
                item => slice(workspace, found.source, item.span().shifted(placed.offset))?,
            };
            out.code(&header);
            if found.source == db.prelude() {
                out.text("built-in");
            }
            out.docs(placed.value.docs().text());
        }
        Target::Field { owner, base, path } => {
            let types = ide::pipeline_types(db, owner.source, owner.index);
            let mut ty = match base.as_ref() {
                Target::Node { name, .. } => types.nodes.get(name).map(|(t, _)| t.clone()),
                Target::Input { name, .. } => types.inputs.get(name).cloned(),
                _ => None,
            }?;
            for field in path {
                ty = ty.field(field).unwrap_or(Type::Any);
            }
            let name = path.last()?;
            out.code(&format!("{name}: {ty}"));
        }
        Target::Import(source) => {
            out.code(&format!("import \"{}\"", source.name(db)));
        }
        Target::Pipe(name) => {
            let pipe = pipec_stdlib::pipes::pipe_decl(name)?;
            out.code(&pipe.usage());
            out.text(pipe.doc);
        }
    }
    Some(out.0)
}

/// `T` for one item, `list<T>` for a node with many.
pub fn value_type(item: &Type, many: bool) -> String {
    if many {
        format!("list<{item}>")
    } else {
        item.to_string()
    }
}

/// `name(a: T, b: U = ...) -> O`
pub fn signature_line(signature: &Signature) -> String {
    let params: Vec<String> = signature.params.iter().map(|p| p.written()).collect();
    format!(
        "{}({}) -> {}",
        signature.callee.name(),
        params.join(", "),
        value_type(&signature.item, signature.many)
    )
}

fn item_name(db: &dyn Db, found: Found) -> Option<String> {
    let placed = ide::item_at(db, found.source, found.index)?;
    match placed.value {
        Item::Pipeline(p) => Some(p.name.name.clone()),
        Item::Plugin(p) => Some(p.name.name.clone()),
        _ => None,
    }
}

fn item_docs(db: &dyn Db, found: Found) -> Option<String> {
    ide::item_at(db, found.source, found.index)?
        .value
        .docs()
        .text()
}

/// The text of a span of a source.
fn slice(workspace: &Workspace, source: Source, span: Span) -> Option<String> {
    let view = workspace.view(source)?;
    view.text.get(span.range()).map(str::to_string)
}

/// Markdown under construction.
#[derive(Default)]
struct Markdown(String);

impl Markdown {
    fn separate(&mut self) {
        if !self.0.is_empty() {
            self.0.push_str("\n\n");
        }
    }

    fn code(&mut self, code: &str) {
        self.separate();
        self.0.push_str("```pipe\n");
        self.0.push_str(code);
        self.0.push_str("\n```");
    }

    fn text(&mut self, text: &str) {
        self.separate();
        self.0.push_str(text);
    }

    fn docs(&mut self, docs: Option<String>) {
        if let Some(docs) = docs {
            self.separate();
            self.0.push_str("---\n");
            self.0.push_str(&docs);
        }
    }
}
