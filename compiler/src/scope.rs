//! The items a source defines and sees: its own, those of its imports, and
//! the built-in declarations.

use std::collections::HashMap;

use pipec_grammar::ast::{Item, PluginDecl};
use pipec_grammar::diagnostic::Diagnostic;

use crate::codes;
use crate::db::{Db, Source};
use crate::layout::{ItemKind, item_interface, item_names};
use crate::queries::imports;

/// The top-level names of one source, each mapped to its item's index.
/// Positions are left out, so that an edit that only moves items does not
/// change it; [`module_diagnostics`] reports names defined twice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// `const` items.
    pub consts: HashMap<String, usize>,
    /// `schema` items.
    pub schemas: HashMap<String, usize>,
    /// `plugin` and `pipeline` items (one namespace: both are callees).
    pub callees: HashMap<String, usize>,
}

/// The names a source defines (the first of a name defined twice).
#[salsa::tracked(returns(ref))]
pub fn module(db: &dyn Db, source: Source) -> Module {
    let mut module = Module::default();
    let mut seen = std::collections::HashSet::new();
    for (index, named) in item_names(db, source).into_iter().enumerate() {
        let Some((kind, name)) = named else { continue };
        if !seen.insert(name.name.clone()) {
            continue;
        }
        let table = match kind {
            ItemKind::Const => &mut module.consts,
            ItemKind::Schema => &mut module.schemas,
            ItemKind::Plugin | ItemKind::Pipeline => &mut module.callees,
        };
        table.insert(name.name, index);
    }
    module
}

/// Top-level names defined twice in a source.
pub fn module_diagnostics(db: &dyn Db, source: Source) -> Vec<Diagnostic> {
    let file = source.name(db);
    let mut out = Vec::new();
    let mut seen: HashMap<String, pipec_grammar::span::Span> = HashMap::new();
    for (_, name) in item_names(db, source).into_iter().flatten() {
        if let Some(first) = seen.get(&name.name) {
            out.push(
                Diagnostic::new(
                    codes::DUPLICATE_NAME,
                    format!("`{}` is defined twice in this file", name.name),
                    file,
                    name.span,
                )
                .with_label("defined again here")
                .with_secondary(file, *first, "first defined here")
                .with_help("rename one of them"),
            );
            continue;
        }
        seen.insert(name.name, name.span);
    }
    out
}

/// Where a name was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The source that defines it.
    pub source: Source,
    /// The index of its item there.
    pub index: usize,
}

/// What kind of item to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A constant.
    Const,
    /// A schema.
    Schema,
    /// A plugin or a pipeline (a callee).
    Callee,
}

/// The table of a module that holds names of `kind`.
fn table(module: &Module, kind: Kind) -> &HashMap<String, usize> {
    match kind {
        Kind::Const => &module.consts,
        Kind::Schema => &module.schemas,
        Kind::Callee => &module.callees,
    }
}

/// Item `name` of `kind` defined in `source` itself.
fn defined_in(db: &dyn Db, source: Source, kind: Kind, name: &str) -> Option<Found> {
    table(module(db, source), kind)
        .get(name)
        .map(|&index| Found { source, index })
}

/// Looks a name up as seen from `source`: its own items, then the items of
/// its imports without an alias, then the built-in declarations.
pub fn lookup(db: &dyn Db, source: Source, kind: Kind, name: &str) -> Option<Found> {
    defined_in(db, source, kind, name)
        .or_else(|| {
            imports(db, source)
                .iter()
                .filter(|import| import.alias.is_none())
                .filter_map(|import| import.target.clone().ok())
                .find_map(|target| defined_in(db, target, kind, name))
        })
        .or_else(|| defined_in(db, db.prelude(), kind, name))
}

/// Looks up `alias.name` through an import alias of `source`.
pub fn lookup_qualified(
    db: &dyn Db,
    source: Source,
    alias: &str,
    kind: Kind,
    name: &str,
) -> Option<Option<Found>> {
    let import = imports(db, source)
        .iter()
        .find(|i| i.alias.as_deref() == Some(alias))?;
    Some(
        import
            .target
            .clone()
            .ok()
            .and_then(|target| defined_in(db, target, kind, name)),
    )
}

/// Every name of `kind` visible from `source`, for "did you mean".
pub fn visible_names(db: &dyn Db, source: Source, kind: Kind) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |module: &Module| names.extend(table(module, kind).keys().cloned());
    add(module(db, source));
    for import in imports(db, source) {
        if let (None, Ok(target)) = (&import.alias, &import.target) {
            add(module(db, *target));
        }
    }
    add(module(db, db.prelude()));
    names.sort();
    names.dedup();
    names
}

/// The plugin declaration at a found place, if it is one.
pub fn plugin_at(db: &dyn Db, found: Found) -> Option<&PluginDecl> {
    match item_interface(db, found.source, found.index).as_ref()? {
        Item::Plugin(plugin) => Some(plugin),
        _ => None,
    }
}
