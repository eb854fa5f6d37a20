//! Go to definition, find references and rename, on [`crate::locate`]'s occurrences.

use std::collections::HashMap;

use pipec_compiler::ide::{self, Placed};
use pipec_compiler::scope::{self, Found, Kind};
use pipec_compiler::{Db, Source};
use pipec_grammar::ast::{
    FieldType, Item, Member, Param, PluginDecl, SchemaDecl, TypeExpr, TypeKind,
};
use pipec_grammar::span::Span;
use tower_lsp::lsp_types::{TextEdit, Url, WorkspaceEdit};

use crate::locate::{Occurrence, Target, occurrences};
use crate::workspace::Workspace;

/// Where a target is declared: its source and the span of its name.
pub fn declaration(db: &dyn Db, target: &Target) -> Option<(Source, Span)> {
    match target {
        Target::Node { owner, name }
        | Target::Input { owner, name }
        | Target::Secret { owner, name }
        | Target::Output { owner, name } => {
            let member = member_declaring(db, *owner, target, name)?;
            let ident = member.value.name()?;
            Some((owner.source, ident.span.shifted(member.offset)))
        }
        Target::Param { owner, name } => {
            let (_, param, offset) = plugin_param(db, *owner, name)?;
            Some((owner.source, param.name.span.shifted(offset)))
        }
        Target::SchemaField { owner, name } => {
            let (_, field, offset) = schema_field(db, *owner, name)?;
            Some((owner.source, field.name.span.shifted(offset)))
        }
        Target::Item(found) => {
            let placed = ide::item_at(db, found.source, found.index)?;
            let name = match placed.value {
                Item::Const(c) => &c.name,
                Item::Schema(s) => &s.name,
                Item::Plugin(p) => &p.name,
                Item::Pipeline(p) => &p.name,
                Item::Import(_) => return None,
            };
            Some((found.source, name.span.shifted(placed.offset)))
        }
        Target::Import(source) => Some((*source, Span::new(0, 0))),
        Target::Field { owner, base, path } => field_declaration(db, *owner, base, path),
        Target::Pipe(_) => None,
    }
}

/// The member of pipeline `owner` that declares `target` (a node, input, secret or output).
pub fn member_declaring<'db>(
    db: &'db dyn Db,
    owner: Found,
    target: &Target,
    name: &str,
) -> Option<Placed<'db, Member>> {
    ide::pipeline_members(db, owner.source, owner.index)
        .into_iter()
        .find(|m| {
            let kind_matches = matches!(
                (target, m.value),
                (Target::Node { .. }, Member::Node(_))
                    | (Target::Input { .. }, Member::Input(_))
                    | (Target::Secret { .. }, Member::Secret(_))
                    | (Target::Output { .. }, Member::Output(_))
                    | (_, Member::Broken(_))
            );
            kind_matches && m.value.name().is_some_and(|n| n.name == name)
        })
}

/// Where the field `path` of an input's or a node's value is declared: in the
/// schema or record type of the input, or of the output of the plugin the node calls.
fn field_declaration(
    db: &dyn Db,
    owner: Found,
    base: &Target,
    path: &[String],
) -> Option<(Source, Span)> {
    let (mut source, mut ty, mut offset) = match base {
        Target::Input { name, .. } => {
            let member = member_declaring(db, owner, base, name)?;
            let Member::Input(input) = member.value else {
                return None;
            };
            (owner.source, &input.ty, member.offset)
        }
        Target::Node { name, .. } => {
            let member = member_declaring(db, owner, base, name)?;
            let Member::Node(node) = member.value else {
                return None;
            };
            let callee = ide::find_callee(db, owner.source, &node.call.callee)?;
            let placed = ide::item_at(db, callee.source, callee.index)?;
            let Item::Plugin(plugin) = placed.value else {
                return None;
            };
            (callee.source, plugin.output.as_ref()?, placed.offset)
        }
        _ => return None,
    };
    let mut found = None;
    for name in path {
        let (field, at, field_offset) = field_of(db, source, ty, offset, name)?;
        found = Some((at, field.name.span.shifted(field_offset)));
        source = at;
        ty = &field.ty;
        offset = field_offset;
    }
    found
}

/// Parameter `name` of the plugin at `plugin`: the plugin, the parameter, and
/// the offset to add to their spans.
pub fn plugin_param<'db>(
    db: &'db dyn Db,
    plugin: Found,
    name: &str,
) -> Option<(&'db PluginDecl, &'db Param, u32)> {
    let placed = ide::item_at(db, plugin.source, plugin.index)?;
    let Item::Plugin(decl) = placed.value else {
        return None;
    };
    let param = decl.params.iter().find(|p| p.name.name == name)?;
    Some((decl, param, placed.offset))
}

/// Field `name` of the schema at `schema`: the schema, the field, and the
/// offset to add to their spans.
pub fn schema_field<'db>(
    db: &'db dyn Db,
    schema: Found,
    name: &str,
) -> Option<(&'db SchemaDecl, &'db FieldType, u32)> {
    let placed = ide::item_at(db, schema.source, schema.index)?;
    let Item::Schema(decl) = placed.value else {
        return None;
    };
    let field = decl.fields.iter().find(|f| f.name.name == name)?;
    Some((decl, field, placed.offset))
}

/// Field `name` of a written type (a record, a schema, or a list or table of
/// one), with the source and offset of its declaration.
fn field_of<'db>(
    db: &'db dyn Db,
    source: Source,
    ty: &'db TypeExpr,
    offset: u32,
    name: &str,
) -> Option<(&'db FieldType, Source, u32)> {
    match &ty.kind {
        TypeKind::Record(fields) => fields
            .iter()
            .find(|f| f.name.name == name)
            .map(|f| (f, source, offset)),
        TypeKind::Generic(_, inner) => field_of(db, source, inner, offset, name),
        TypeKind::Named(schema) => {
            let found = scope::lookup(db, source, Kind::Schema, &schema.name)?;
            let (_, field, offset) = schema_field(db, found, name)?;
            Some((field, found.source, offset))
        }
    }
}

/// The sources where a target can be named: its own, and every source of
/// the workspace for what other files can use (items, inputs of pipelines,
/// parameters, schema fields).
fn sources_naming(workspace: &Workspace, here: Source, target: &Target) -> Vec<Source> {
    let own = match target {
        Target::Node { owner, .. }
        | Target::Secret { owner, .. }
        | Target::Output { owner, .. }
        | Target::Field { owner, .. } => owner.source,
        Target::Pipe(_) => here,
        Target::Input { .. }
        | Target::Param { .. }
        | Target::SchemaField { .. }
        | Target::Item(_)
        | Target::Import(_) => {
            let mut all = workspace.sources();
            if !all.contains(&here) {
                all.push(here);
            }
            return all;
        }
    };
    vec![own]
}

/// Every place that names `target`, declaration included when asked.
pub fn references(
    workspace: &Workspace,
    here: Source,
    target: &Target,
    include_declaration: bool,
) -> Vec<(Source, Span)> {
    let db = &workspace.db;
    let mut out = Vec::new();
    for source in sources_naming(workspace, here, target) {
        let Some(view) = workspace.view(source) else {
            continue;
        };
        for occurrence in occurrences(db, source, view.text) {
            if occurrence.target == *target && (include_declaration || !occurrence.declaration) {
                out.push((source, occurrence.span));
            }
        }
    }
    if include_declaration
        && let Some(declared) = declaration(db, target)
        && !out.contains(&declared)
        && declared.0 != db.prelude()
    {
        out.push(declared);
    }
    out
}

/// Why a rename is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameRefused {
    /// The name under the cursor cannot be renamed (a pipe, an import, a field of a value).
    NotRenamable,
    /// It is declared by the built-in declarations.
    BuiltIn,
    /// The new name is not a name.
    BadName(String),
}

impl std::fmt::Display for RenameRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameRefused::NotRenamable => write!(
                f,
                "only nodes, inputs, secrets, outputs, parameters, schema fields and items can be renamed"
            ),
            RenameRefused::BuiltIn => write!(f, "built-in declarations cannot be renamed"),
            RenameRefused::BadName(name) => write!(
                f,
                "`{name}` is not a valid name: use letters, digits and `_`, not starting with a digit, and not a keyword"
            ),
        }
    }
}

/// Whether an occurrence can be renamed.
pub fn renamable(db: &dyn Db, occurrence: &Occurrence) -> Result<(), RenameRefused> {
    if matches!(
        occurrence.target,
        Target::Import(_) | Target::Pipe(_) | Target::Field { .. }
    ) {
        return Err(RenameRefused::NotRenamable);
    }
    match declaration(db, &occurrence.target) {
        Some((source, _)) if source == db.prelude() => Err(RenameRefused::BuiltIn),
        _ => Ok(()),
    }
}

/// Whether `name` can name something: a word that is not a keyword.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !pipec_grammar::lexer::lex(name)
            .first()
            .is_some_and(|l| l.token.is_ok_and(|t| t.is_keyword()))
}

/// The edits that rename `occurrence`'s target to `new_name` everywhere.
pub fn rename(
    workspace: &Workspace,
    here: Source,
    occurrence: &Occurrence,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameRefused> {
    renamable(&workspace.db, occurrence)?;
    if !valid_name(new_name) {
        return Err(RenameRefused::BadName(new_name.to_string()));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (source, span) in references(workspace, here, &occurrence.target, true) {
        if let Some(location) = workspace.location(source, span) {
            changes.entry(location.uri).or_default().push(TextEdit {
                range: location.range,
                new_text: new_name.to_string(),
            });
        }
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
