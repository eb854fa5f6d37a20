//! A source as pieces, the unit of incremental work.
//!
//! [`layout`] cuts a source into pieces ([`pipec_grammar::parser::pieces`]):
//! each item, and each pipeline's head and members. A piece is interned by
//! its text, so an unchanged piece is the same salsa value after an edit
//! elsewhere, and everything keyed on it (its syntax, its member's shape and
//! check) is reused. Spans inside a piece are relative to its start; the
//! layout keeps each piece's offset, applied only when results are gathered.
//!
//! When a source cannot be cut safely, or a piece does not parse alone, the
//! layout is [`Layout::Whole`] and every consumer reads the whole-file parse,
//! which also reports the syntax errors.

use pipec_grammar::ast::{Ident, Item, Member, Pipeline};
use pipec_grammar::diagnostic::{Diagnostic, FileName};
use pipec_grammar::parser::pieces::{
    self, Outline, OutlineItem, PARALLEL_THRESHOLD, PieceKind, PieceSyntax, PieceTree,
};

use crate::db::{Database, Db, Source};
use crate::queries::parse;

mod interned {
    // The salsa macro generates constructors and getters without docs.
    #![allow(missing_docs)]
    use super::*;

    /// The text of one piece of a source, interned: equal texts of one file are one value.
    #[salsa::interned(debug)]
    pub struct Piece<'db> {
        /// How diagnostics name the file it comes from.
        #[returns(ref)]
        pub file: FileName,
        /// What it holds.
        pub kind: PieceKind,
        /// Its text, from the end of the previous piece.
        #[returns(ref)]
        pub text: Box<str>,
    }
}

pub use interned::Piece;

/// The syntax of a piece, spans relative to its start; `None` when it does not parse alone.
#[salsa::tracked(returns(ref))]
pub fn piece_syntax<'db>(db: &'db dyn Db, piece: Piece<'db>) -> Option<PieceSyntax> {
    pieces::parse_piece(piece.file(db), *piece.kind(db), piece.text(db))
}

/// One piece and where it starts in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, salsa::SalsaValue)]
pub struct Placed<'db> {
    /// Its byte offset in the source.
    pub offset: u32,
    /// The piece.
    pub piece: Piece<'db>,
}

/// One item of a source, as pieces.
#[derive(Debug, Clone, PartialEq, Eq, salsa::SalsaValue)]
pub struct LaidItem<'db> {
    /// The item, or a pipeline's head.
    pub head: Placed<'db>,
    /// A pipeline's runs of members, in order; empty for other items.
    pub members: Vec<Placed<'db>>,
}

/// How a source is read.
#[derive(Debug, Clone, PartialEq, Eq, salsa::SalsaValue)]
pub enum Layout<'db> {
    /// As pieces, each parsed alone.
    Pieces {
        /// The items, in order.
        items: Vec<LaidItem<'db>>,
        /// Whether this database had not read the source before: the time to
        /// parse and check a large source in parallel (after an edit, only
        /// the edited piece needs work).
        first_reading: bool,
    },
    /// As one whole-file parse ([`parse`]).
    Whole,
}

/// The pieces of a source, or [`Layout::Whole`].
// Not compared with the previous result: offsets move with every edit.
#[salsa::tracked(returns(ref), no_eq)]
pub fn layout<'db>(db: &'db dyn Db, source: Source) -> Layout<'db> {
    if db.reads_whole_files() {
        return Layout::Whole;
    }
    let Ok(text) = std::str::from_utf8(source.bytes(db)) else {
        return Layout::Whole;
    };
    let previous = db.previous_outline(source);
    let first_reading = previous.is_none();
    let derived = previous.and_then(|(old_bytes, old)| {
        let old_text = std::str::from_utf8(&old_bytes).ok()?;
        pieces::outline_after_edit(old_text, &old, text)
    });
    let Some(outline) = derived.or_else(|| pieces::outline(text)) else {
        return Layout::Whole;
    };
    let outline = std::sync::Arc::new(outline);
    db.remember_outline(source, source.bytes(db).clone(), outline.clone());
    let file = source.name(db);
    if first_reading && text.len() >= PARALLEL_THRESHOLD {
        warm(db, file, text, &outline);
    }
    let place = |kind: PieceKind, range: std::ops::Range<usize>| -> Option<Placed<'db>> {
        let piece = Piece::new(db, file.clone(), kind, Box::from(&text[range.clone()]));
        piece_syntax(db, piece).as_ref()?;
        Some(Placed {
            offset: u32::try_from(range.start).ok()?,
            piece,
        })
    };
    let mut items = Vec::with_capacity(outline.items.len());
    for item in &outline.items {
        let laid = match item {
            OutlineItem::Whole(range) => {
                place(PieceKind::Item, range.clone()).map(|head| LaidItem {
                    head,
                    members: Vec::new(),
                })
            }
            OutlineItem::Pipeline { head, members, .. } => {
                let mut placed = Vec::with_capacity(members.len());
                for range in members {
                    match place(PieceKind::Members, range.clone()) {
                        Some(p) => placed.push(p),
                        None => return Layout::Whole,
                    }
                }
                place(PieceKind::PipelineHead, head.clone()).map(|head| LaidItem {
                    head,
                    members: placed,
                })
            }
        };
        match laid {
            Some(laid) => items.push(laid),
            None => return Layout::Whole,
        }
    }
    Layout::Pieces {
        items,
        first_reading,
    }
}

/// Parses the pieces of an outline on rayon's pool, each worker on its own
/// handle of the database, so that the memos `layout` then reads are there.
fn warm(db: &dyn Db, file: &FileName, text: &str, outline: &Outline) {
    let mut pieces: Vec<(PieceKind, Box<str>)> = Vec::new();
    let mut add =
        |kind, range: &std::ops::Range<usize>| pieces.push((kind, Box::from(&text[range.clone()])));
    for item in &outline.items {
        match item {
            OutlineItem::Whole(range) => add(PieceKind::Item, range),
            OutlineItem::Pipeline { head, members, .. } => {
                add(PieceKind::PipelineHead, head);
                for run in members {
                    add(PieceKind::Members, run);
                }
            }
        }
    }
    on_forks(db, file, &pieces, 8, |db, piece| {
        piece_syntax(db, piece);
    });
}

/// Calls `work` for every piece on rayon's pool, `chunk` pieces at a time,
/// each worker on its own handle of the database ([`Db::fork`]) where the
/// piece is interned again (same text, same piece). Does nothing when the
/// database cannot be forked, when the caller is itself one of rayon's
/// workers, or when there is one chunk: the caller's own queries then do the
/// work. (The caller's thread is inside a query of the caller's database, so
/// no work may run on it: rayon runs an iterator that does not split, and one
/// half of every split made on a worker, on the calling thread.)
pub(crate) fn on_forks(
    db: &dyn Db,
    file: &FileName,
    pieces: &[(PieceKind, Box<str>)],
    chunk: usize,
    work: impl for<'a> Fn(&'a Database, Piece<'a>) + Sync + Send,
) {
    use rayon::prelude::*;
    if pieces.len() <= chunk || rayon::current_thread_index().is_some() {
        return;
    }
    let Some(fork) = db.fork() else { return };
    // From outside the pool, `scope` runs its body on a worker.
    rayon::scope(|_| {
        pieces.par_chunks(chunk).for_each_with(fork, |db, chunk| {
            for (kind, text) in chunk {
                work(db, Piece::new(&*db, file.clone(), *kind, text.clone()));
            }
        });
    });
}

/// The tree of a placed piece (it parsed when the layout was made).
pub fn tree<'db>(db: &'db dyn Db, placed: Placed<'db>) -> Option<&'db PieceTree> {
    piece_syntax(db, placed.piece).as_ref().map(|s| &s.tree)
}

/// The item a laid item's head holds (a pipeline head is a pipeline without members).
pub fn head_item<'db>(db: &'db dyn Db, laid: &LaidItem<'db>) -> Option<&'db Item> {
    match tree(db, laid.head)? {
        PieceTree::Item(item) => Some(item),
        PieceTree::Members(_) => None,
    }
}

/// The members a piece holds (none when it holds an item).
pub fn members<'db>(db: &'db dyn Db, piece: Piece<'db>) -> &'db [Member] {
    match piece_syntax(db, piece).as_ref().map(|s| &s.tree) {
        Some(PieceTree::Members(members)) => members,
        _ => &[],
    }
}

/// The syntax warnings of every piece, made absolute (syntax errors make the layout whole).
pub fn piece_diagnostics(db: &dyn Db, source: Source, items: &[LaidItem<'_>]) -> Vec<Diagnostic> {
    let file = source.name(db);
    let mut out = Vec::new();
    let mut add = |placed: Placed<'_>| {
        if let Some(syntax) = piece_syntax(db, placed.piece) {
            for d in &syntax.diagnostics {
                let mut d = d.clone();
                d.shift(file, placed.offset);
                out.push(d);
            }
        }
    };
    for item in items {
        add(item.head);
        for &m in &item.members {
            add(m);
        }
    }
    out
}

/// The name of each top-level item with its absolute span (imports have none).
pub fn item_names(db: &dyn Db, source: Source) -> Vec<Option<(ItemKind, Ident)>> {
    let name_of = |item: &Item, offset: u32| -> Option<(ItemKind, Ident)> {
        let (kind, name) = match item {
            Item::Const(c) => (ItemKind::Const, &c.name),
            Item::Schema(s) => (ItemKind::Schema, &s.name),
            Item::Plugin(p) => (ItemKind::Plugin, &p.name),
            Item::Pipeline(p) => (ItemKind::Pipeline, &p.name),
            Item::Import(_) => return None,
        };
        Some((
            kind,
            Ident {
                name: name.name.clone(),
                span: name.span.shifted(offset),
            },
        ))
    };
    match layout(db, source) {
        Layout::Pieces { items, .. } => items
            .iter()
            .map(|laid| name_of(head_item(db, laid)?, laid.head.offset))
            .collect(),
        Layout::Whole => parse(db, source)
            .tree
            .items
            .iter()
            .map(|item| name_of(item, 0))
            .collect(),
    }
}

/// What kind of named item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// `const`
    Const,
    /// `schema`
    Schema,
    /// `plugin`
    Plugin,
    /// `pipeline`
    Pipeline,
}

/// Item `index` of a source as another item needs it: whole for constants,
/// schemas, plugins and imports; a pipeline with only its inputs and outputs
/// (its interface). Spans are for nothing but identity: in a source read as
/// pieces they are relative to each piece.
#[salsa::tracked(returns(ref))]
pub fn item_interface(db: &dyn Db, source: Source, index: usize) -> Option<Item> {
    let interface = |members: &mut dyn Iterator<Item = &Member>| -> Vec<Member> {
        members
            .filter(|m| matches!(m, Member::Input(_) | Member::Output(_)))
            .cloned()
            .collect()
    };
    match layout(db, source) {
        Layout::Pieces { items, .. } => {
            let laid = items.get(index)?;
            match head_item(db, laid)? {
                Item::Pipeline(head) => {
                    let mut members = laid.members.iter().flat_map(|&m| members(db, m.piece));
                    Some(Item::Pipeline(Pipeline {
                        members: interface(&mut members),
                        ..head.clone()
                    }))
                }
                other => Some(other.clone()),
            }
        }
        Layout::Whole => match parse(db, source).tree.items.get(index)? {
            Item::Pipeline(pipeline) => Some(Item::Pipeline(Pipeline {
                members: interface(&mut pipeline.members.iter()),
                docs: pipeline.docs.clone(),
                name: pipeline.name.clone(),
                span: pipeline.span,
            })),
            other => Some(other.clone()),
        },
    }
}
