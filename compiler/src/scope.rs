//! The items a source defines and sees: its own, those of its imports, and
//! the built-in declarations.

use std::collections::HashMap;

use pipec_grammar::ast::{Item, PluginDecl};
use pipec_grammar::diagnostic::Diagnostic;

use crate::codes;
use crate::db::{Db, Source};
use crate::queries::{imports, parse};

/// The top-level names of one source, each mapped to its item's index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// `const` items.
    pub consts: HashMap<String, usize>,
    /// `schema` items.
    pub schemas: HashMap<String, usize>,
    /// `plugin` items.
    pub plugins: HashMap<String, usize>,
    /// `pipeline` items.
    pub pipelines: HashMap<String, usize>,
    /// Names defined twice.
    pub diagnostics: Vec<Diagnostic>,
}

/// The names a source defines.
#[salsa::tracked(returns(ref))]
pub fn module(db: &dyn Db, source: Source) -> Module {
    let parse = parse(db, source);
    let file = source.name(db);
    let mut module = Module::default();
    let mut seen: HashMap<String, pipec_grammar::span::Span> = HashMap::new();
    for (index, item) in parse.tree.items.iter().enumerate() {
        let (name, table) = match item {
            Item::Const(c) => (&c.name, &mut module.consts),
            Item::Schema(s) => (&s.name, &mut module.schemas),
            Item::Plugin(p) => (&p.name, &mut module.plugins),
            Item::Pipeline(p) => (&p.name, &mut module.pipelines),
            Item::Import(_) => continue,
        };
        if let Some(first) = seen.get(&name.name) {
            module.diagnostics.push(
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
        seen.insert(name.name.clone(), name.span);
        table.insert(name.name.clone(), index);
    }
    module
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

fn table(module: &Module, kind: Kind) -> Vec<&HashMap<String, usize>> {
    match kind {
        Kind::Const => vec![&module.consts],
        Kind::Schema => vec![&module.schemas],
        Kind::Callee => vec![&module.plugins, &module.pipelines],
    }
}

/// Looks a name up as seen from `source`: its own items, then the items of
/// its imports without an alias, then the built-in declarations.
pub fn lookup(db: &dyn Db, source: Source, kind: Kind, name: &str) -> Option<Found> {
    let own = module(db, source);
    if let Some(&index) = table(own, kind).iter().find_map(|t| t.get(name)) {
        return Some(Found { source, index });
    }
    for import in imports(db, source) {
        if import.alias.is_some() {
            continue;
        }
        let Ok(target) = import.target.clone() else {
            continue;
        };
        if let Some(&index) = table(module(db, target), kind)
            .iter()
            .find_map(|t| t.get(name))
        {
            return Some(Found {
                source: target,
                index,
            });
        }
    }
    let prelude = db.prelude();
    table(module(db, prelude), kind)
        .iter()
        .find_map(|t| t.get(name))
        .map(|&index| Found {
            source: prelude,
            index,
        })
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
    let Ok(target) = import.target.clone() else {
        return Some(None);
    };
    Some(
        table(module(db, target), kind)
            .iter()
            .find_map(|t| t.get(name))
            .map(|&index| Found {
                source: target,
                index,
            }),
    )
}

/// Every name of `kind` visible from `source`, for "did you mean".
pub fn visible_names(db: &dyn Db, source: Source, kind: Kind) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |module: &Module| {
        for t in table(module, kind) {
            names.extend(t.keys().cloned());
        }
    };
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
    match parse(db, found.source).tree.items.get(found.index)? {
        Item::Plugin(plugin) => Some(plugin),
        _ => None,
    }
}
