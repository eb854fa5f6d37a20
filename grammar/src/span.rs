//! Byte spans and the translation of byte offsets to lines and columns.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` in one source text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The same span `by` bytes later (a piece's relative span made absolute).
    pub fn shifted(self, by: u32) -> Span {
        Span {
            start: self.start.saturating_add(by),
            end: self.end.saturating_add(by),
        }
    }

    /// A span from byte offsets. Offsets past `u32::MAX` saturate (sources are capped far below).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// An empty span at `offset`.
    pub fn at(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    /// The span as a `usize` range, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span moved right by `offset` bytes.
    pub fn shift(self, offset: usize) -> Span {
        Span::new(self.start as usize + offset, self.end as usize + offset)
    }

    /// Whether `offset` lies inside the span (the end included, so a cursor
    /// just after a name still counts as on it).
    pub fn touches(self, offset: usize) -> bool {
        self.start as usize <= offset && offset <= self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column. Columns count Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Translates byte offsets of one text to lines and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        LineIndex { line_starts }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where the 0-based `line` starts (the text's end past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(usize::MAX, |&s| s as usize)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and character column of `offset` in `text`.
    /// An offset inside a multi-byte character counts as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let column = text.get(start..).map_or(0, |rest| {
            rest.char_indices()
                .take_while(|&(i, _)| start + i < offset)
                .count()
        });
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// The 0-based line and UTF-16 column of `offset` (the language server protocol's positions).
    pub fn utf16_position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let column: usize = text.get(start..).map_or(0, |rest| {
            rest.char_indices()
                .take_while(|&(i, _)| start + i < offset)
                .map(|(_, c)| c.len_utf16())
                .sum()
        });
        (line as u32, column as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column, clamped to the line.
    pub fn offset_of_utf16(&self, text: &str, line: u32, column: u32) -> usize {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return text.len();
        };
        let start = start as usize;
        let mut units = 0u32;
        for (i, c) in text[start..].char_indices() {
            if units >= column || c == '\n' {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncé d\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'd' is after a two-byte character: byte 7, column 4.
        assert_eq!(index.line_col(text, 7), LineCol { line: 2, column: 4 });
        assert_eq!(index.line_col(text, 99), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn utf16_round_trip() {
        let text = "x𝄞y\nz";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(index.utf16_position(text, y), (0, 3));
        assert_eq!(index.offset_of_utf16(text, 0, 3), y);
        assert_eq!(index.offset_of_utf16(text, 1, 0), text.find('z').unwrap());
    }
}
