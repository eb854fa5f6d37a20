//! Document symbols: items, and each pipeline's inputs, secrets, nodes and outputs.

use pipec_compiler::ide;
use pipec_compiler::{Db, Source};
use pipec_grammar::ast::{Item, Member};
use tower_lsp::lsp_types::{DocumentSymbol, SymbolKind};

use crate::workspace::TextView;

/// The outline of a source.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
pub fn document_symbols(db: &dyn Db, source: Source, view: &TextView<'_>) -> Vec<DocumentSymbol> {
    let symbol = |name: &str,
                  detail: Option<String>,
                  kind: SymbolKind,
                  range,
                  selection,
                  children: Option<Vec<DocumentSymbol>>| DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    };
    let mut out = Vec::new();
    for (index, placed) in ide::items(db, source).into_iter().enumerate() {
        let offset = placed.offset;
        let span = |s: pipec_grammar::span::Span| view.range(s.shifted(offset));
        match placed.value {
            Item::Import(import) => {
                let name = import.path.as_plain().unwrap_or_default();
                out.push(symbol(
                    &name,
                    import.alias.as_ref().map(|a| format!("as {}", a.name)),
                    SymbolKind::MODULE,
                    span(import.span),
                    span(import.path.span),
                    None,
                ));
            }
            Item::Const(c) => out.push(symbol(
                &c.name.name,
                None,
                SymbolKind::CONSTANT,
                span(c.span),
                span(c.name.span),
                None,
            )),
            Item::Schema(s) => {
                let fields = s
                    .fields
                    .iter()
                    .map(|f| {
                        symbol(
                            &f.name.name,
                            None,
                            SymbolKind::FIELD,
                            span(f.span),
                            span(f.name.span),
                            None,
                        )
                    })
                    .collect();
                out.push(symbol(
                    &s.name.name,
                    None,
                    SymbolKind::STRUCT,
                    span(s.span),
                    span(s.name.span),
                    Some(fields),
                ));
            }
            Item::Plugin(p) => out.push(symbol(
                &p.name.name,
                Some("plugin".into()),
                SymbolKind::FUNCTION,
                span(p.span),
                span(p.name.span),
                None,
            )),
            Item::Pipeline(p) => {
                let members = ide::pipeline_members(db, source, index);
                let mut end = p.span.shifted(offset);
                let children: Vec<DocumentSymbol> = members
                    .iter()
                    .filter_map(|m| {
                        let name = m.value.name()?;
                        let whole = m.value.span().shifted(m.offset);
                        end = end.cover(whole);
                        let (kind, detail) = match m.value {
                            Member::Input(_) => (SymbolKind::PROPERTY, "input"),
                            Member::Secret(_) => (SymbolKind::KEY, "secret"),
                            Member::Node(_) => (SymbolKind::VARIABLE, "node"),
                            Member::Output(_) => (SymbolKind::EVENT, "output"),
                            Member::Broken(_) => (SymbolKind::NULL, "broken"),
                        };
                        Some(symbol(
                            &name.name,
                            Some(detail.into()),
                            kind,
                            view.range(whole),
                            view.range(name.span.shifted(m.offset)),
                            None,
                        ))
                    })
                    .collect();
                out.push(symbol(
                    &p.name.name,
                    Some("pipeline".into()),
                    SymbolKind::CLASS,
                    view.range(end),
                    span(p.name.span),
                    Some(children),
                ));
            }
        }
    }
    out
}
