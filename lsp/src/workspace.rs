//! The server's state: one compiler database, the open documents (each a
//! source of the database, its text the editor's buffer), and the `.pipe`
//! files of the workspace folders (read from disk, for references and
//! rename across files).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipec_compiler::{Database, Db, Source};
use pipec_grammar::span::{LineIndex, Span};
use tower_lsp::lsp_types::{Location, Position, Range, TextDocumentContentChangeEvent, Url};

use crate::documents::{Document, EditRefused};

/// The most `.pipe` files read from the workspace folders.
const MAX_WORKSPACE_FILES: usize = 10_000;

/// Folders never searched for `.pipe` files.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".git"];

/// The database, the open documents and the workspace's files.
#[derive(Default)]
pub struct Workspace {
    /// The compiler's database.
    pub db: Database,
    documents: HashMap<Url, (Document, Source)>,
    files: Vec<PathBuf>,
}

/// A text and its line index, to turn spans into protocol ranges.
pub struct TextView<'a> {
    /// The text.
    pub text: &'a str,
    lines: std::borrow::Cow<'a, LineIndex>,
}

impl TextView<'_> {
    /// The protocol position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let (line, character) = self.lines.utf16_position(self.text, offset);
        Position { line, character }
    }

    /// The protocol range of a span.
    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start as usize),
            end: self.position(span.end as usize),
        }
    }

    /// The byte offset of a protocol position.
    pub fn offset(&self, position: Position) -> usize {
        self.lines
            .offset_of_utf16(self.text, position.line, position.character)
    }
}

/// The path a document's imports resolve from.
pub fn path_of(uri: &Url) -> PathBuf {
    uri.to_file_path()
        .unwrap_or_else(|_| PathBuf::from(uri.path()))
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers the `.pipe` files under a workspace folder (not read until needed).
    pub fn add_folder(&mut self, folder: &Path) {
        let mut pending = vec![folder.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if !SKIPPED_DIRS.contains(&name.as_ref()) && !name.starts_with('.') {
                        pending.push(path);
                    }
                } else if name.ends_with(".pipe") && self.files.len() < MAX_WORKSPACE_FILES {
                    self.files.push(path);
                }
            }
        }
        self.files.sort();
        self.files.dedup();
    }

    /// Opens a document (or replaces it, as a new `didOpen` does).
    pub fn open(&mut self, uri: Url, text: String, version: i32) -> Source {
        let source = self.db.set_source(&path_of(&uri), text.as_bytes().to_vec());
        self.documents
            .insert(uri, (Document::new(text, version), source));
        source
    }

    /// Applies one `didChange`; the source's bytes become the new text.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<Option<Source>, EditRefused> {
        let Some((document, _)) = self.documents.get_mut(uri) else {
            return Ok(None);
        };
        document.apply(version, changes)?;
        let bytes: Arc<[u8]> = Arc::from(document.text.as_bytes());
        let source = self.db.set_source(&path_of(uri), bytes);
        Ok(Some(source))
    }

    /// Closes a document: its source goes back to what the file on disk holds.
    pub fn close(&mut self, uri: &Url) {
        if self.documents.remove(uri).is_some() {
            let path = path_of(uri);
            if let Ok(bytes) = std::fs::read(&path) {
                self.db.set_source(&path, bytes);
            }
        }
    }

    /// A file changed on disk: read it again unless it is open.
    pub fn file_changed(&mut self, uri: &Url) {
        if !self.documents.contains_key(uri) {
            let path = path_of(uri);
            if let Ok(bytes) = std::fs::read(&path) {
                self.db.set_source(&path, bytes);
            }
            if path.extension().is_some_and(|e| e == "pipe") && !self.files.contains(&path) {
                self.files.push(path);
            }
        }
    }

    /// An open document and its source.
    pub fn document(&self, uri: &Url) -> Option<(&Document, Source)> {
        self.documents.get(uri).map(|(d, s)| (d, *s))
    }

    /// The version of an open document.
    pub fn version(&self, uri: &Url) -> Option<i32> {
        self.documents.get(uri).map(|(d, _)| d.version)
    }

    /// Every open document.
    pub fn open_documents(&self) -> impl Iterator<Item = (&Url, Source)> {
        self.documents.iter().map(|(u, (_, s))| (u, *s))
    }

    /// Every source of the workspace: the open documents and the workspace
    /// folders' files (read now when not read before).
    pub fn sources(&self) -> Vec<Source> {
        let mut sources: Vec<Source> = self.documents.values().map(|(_, s)| *s).collect();
        for path in &self.files {
            if let Ok(source) = self.db.load(path)
                && !sources.contains(&source)
            {
                sources.push(source);
            }
        }
        sources
    }

    /// The text of a source (the buffer when it is open) with its line index.
    pub fn view(&self, source: Source) -> Option<TextView<'_>> {
        if let Some((document, _)) = self.documents.values().find(|(_, s)| *s == source) {
            return Some(TextView {
                text: &document.text,
                lines: std::borrow::Cow::Borrowed(&document.lines),
            });
        }
        let text = std::str::from_utf8(source.bytes(&self.db)).ok()?;
        Some(TextView {
            text,
            lines: std::borrow::Cow::Owned(LineIndex::new(text)),
        })
    }

    /// The URL of a source (`None` for the built-in declarations).
    pub fn uri(&self, source: Source) -> Option<Url> {
        if let Some((uri, _)) = self.documents.iter().find(|(_, (_, s))| *s == source) {
            return Some(uri.clone());
        }
        if source == self.db.prelude() {
            return None;
        }
        let path = source.path(&self.db);
        let path = if path.is_absolute() {
            path.clone()
        } else {
            std::env::current_dir().ok()?.join(path)
        };
        Url::from_file_path(path).ok()
    }

    /// The protocol location of a span in a source.
    pub fn location(&self, source: Source, span: Span) -> Option<Location> {
        let range = self.view(source)?.range(span);
        Some(Location {
            uri: self.uri(source)?,
            range,
        })
    }

    /// The source a diagnostic's file name names (its path as shown).
    pub fn source_named(&self, name: &str) -> Option<Source> {
        self.db.load(Path::new(name)).ok()
    }
}
