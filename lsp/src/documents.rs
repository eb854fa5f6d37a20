//! One open document: its text, its version and its line index; edits from
//! the client applied in order.

use pipec_grammar::span::LineIndex;
use tower_lsp::lsp_types::{Position, TextDocumentContentChangeEvent};

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its text.
    pub text: String,
    /// The client's version of it.
    pub version: i32,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

/// Why an edit was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefused {
    /// The edit is for a version not newer than the document's.
    Stale {
        /// The document's version.
        have: i32,
        /// The edit's version.
        got: i32,
    },
}

impl Document {
    /// A document opened with `text` at `version`.
    pub fn new(text: String, version: i32) -> Self {
        let lines = LineIndex::new(&text);
        Document {
            text,
            version,
            lines,
        }
    }

    /// The byte offset of a protocol position (clamped to the text).
    pub fn offset(&self, position: Position) -> usize {
        self.lines
            .offset_of_utf16(&self.text, position.line, position.character)
    }

    /// The protocol position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let (line, character) = self.lines.utf16_position(&self.text, offset);
        Position { line, character }
    }

    /// Applies the changes of one `didChange` (in their order) and takes its
    /// version. Changes for a version not newer than the document's are
    /// refused: applying them would corrupt the text.
    pub fn apply(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<(), EditRefused> {
        if version <= self.version {
            return Err(EditRefused::Stale {
                have: self.version,
                got: version,
            });
        }
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = self.offset(range.start);
                    let end = self.offset(range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::Range;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position::new(l0, c0),
                end: Position::new(l1, c1),
            }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn edits_apply_in_order_and_positions_count_utf16() {
        let mut doc = Document::new("héllo\nwörld\n".into(), 1);
        doc.apply(2, vec![change(1, 1, 1, 2, "o"), change(0, 0, 0, 1, "H")])
            .unwrap();
        assert_eq!(doc.text, "Héllo\nworld\n");
        assert_eq!(
            doc.position(doc.text.find("world").unwrap()),
            Position::new(1, 0)
        );
        // An emoji is two UTF-16 units.
        let mut doc = Document::new("a😀b".into(), 1);
        doc.apply(2, vec![change(0, 3, 0, 4, "c")]).unwrap();
        assert_eq!(doc.text, "a😀c");
    }

    #[test]
    fn a_stale_edit_is_refused_and_changes_nothing() {
        let mut doc = Document::new("abc".into(), 5);
        let refused = doc.apply(5, vec![change(0, 0, 0, 1, "x")]);
        assert_eq!(refused, Err(EditRefused::Stale { have: 5, got: 5 }));
        assert_eq!(doc.text, "abc");
    }
}
