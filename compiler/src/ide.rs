//! What an editor asks of the analysis: the items and members of a source
//! with their absolute offsets, the types a pipeline declares, and callees
//! with their signatures. Read from the same memos as [`crate::check`], so
//! that after an edit only the edited piece is parsed again.

use std::collections::BTreeMap;
use std::sync::Arc;

use pipec_grammar::ast::{Ident, Item, Member};

use crate::analyze::{self, Signature};
use crate::db::{Db, Source};
use crate::layout::{Layout, head_item, layout, members};
use crate::queries::parse;
use crate::scope::Found;
use crate::types::Type;

/// A syntax node of a source and the offset its spans are relative to.
#[derive(Debug)]
pub struct Placed<'db, T> {
    /// Add this to every span inside `value` to get a position in the source.
    pub offset: u32,
    /// The syntax.
    pub value: &'db T,
}

impl<T> Clone for Placed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Placed<'_, T> {}

/// The items of a source in order; a pipeline read as pieces comes without
/// its members ([`pipeline_members`] has them).
pub fn items(db: &dyn Db, source: Source) -> Vec<Placed<'_, Item>> {
    match layout(db, source) {
        Layout::Pieces { items, .. } => items
            .iter()
            .filter_map(|laid| {
                Some(Placed {
                    offset: laid.head.offset,
                    value: head_item(db, laid)?,
                })
            })
            .collect(),
        Layout::Whole => parse(db, source)
            .tree
            .items
            .iter()
            .map(|value| Placed { offset: 0, value })
            .collect(),
    }
}

/// The members of item `index` (a pipeline) of a source, in order.
pub fn pipeline_members(db: &dyn Db, source: Source, index: usize) -> Vec<Placed<'_, Member>> {
    match layout(db, source) {
        Layout::Pieces { items, .. } => items.get(index).map_or_else(Vec::new, |laid| {
            laid.members
                .iter()
                .flat_map(|run| {
                    members(db, run.piece).iter().map(move |value| Placed {
                        offset: run.offset,
                        value,
                    })
                })
                .collect()
        }),
        Layout::Whole => match parse(db, source).tree.items.get(index) {
            Some(Item::Pipeline(pipeline)) => pipeline
                .members
                .iter()
                .map(|value| Placed { offset: 0, value })
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// The names a pipeline declares and their types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineTypes {
    /// Input name → type.
    pub inputs: BTreeMap<String, Type>,
    /// Secret names.
    pub secrets: Vec<String>,
    /// Node name → (type of one item, whether it produces many items).
    pub nodes: BTreeMap<String, (Type, bool)>,
}

/// The names pipeline `index` of a source declares, with their types
/// (memoised: after an edit that declares nothing new, the same value).
#[salsa::tracked(returns(ref))]
pub fn pipeline_types(db: &dyn Db, source: Source, index: usize) -> Arc<PipelineTypes> {
    Arc::new(pipeline_types_now(db, source, index))
}

fn pipeline_types_now(db: &dyn Db, source: Source, index: usize) -> PipelineTypes {
    match layout(db, source) {
        Layout::Pieces { .. } => analyze::scope_types(db, source, index),
        Layout::Whole => analyze::analyze(db, source)
            .pipelines
            .iter()
            .find(|p| p.item == index)
            .map(|p| PipelineTypes {
                inputs: p
                    .inputs
                    .iter()
                    .map(|i| (i.name.clone(), i.ty.clone()))
                    .collect(),
                secrets: p.secrets.clone(),
                nodes: p
                    .nodes
                    .iter()
                    .map(|n| (n.name.clone(), (n.item.clone(), n.many)))
                    .collect(),
            })
            .unwrap_or_default(),
    }
}

/// Where the callee written as `path` (`name` or `alias.name`) is defined, as
/// seen from `source`.
pub fn find_callee(db: &dyn Db, source: Source, path: &[Ident]) -> Option<Found> {
    analyze::callee_at(db, source, path)
}

/// The signature of the plugin or pipeline defined at `found`.
pub fn signature(db: &dyn Db, found: Found) -> Option<&Signature> {
    analyze::signature_of(db, found)
}

/// Item `index` of `source` as others see it (a pipeline with its inputs and
/// outputs only), with the offset of its spans when it comes from a source
/// read as pieces.
pub fn item_at(db: &dyn Db, source: Source, index: usize) -> Option<Placed<'_, Item>> {
    items(db, source).into_iter().nth(index)
}
