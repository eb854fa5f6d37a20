//! The salsa database: sources are inputs; everything computed from them is a
//! tracked query, recomputed only when what it read has changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pipec_grammar::diagnostic::FileName;
use pipec_grammar::parser::pieces::Outline;
use salsa::Setter;

pub use input::Source;

mod input {
    // The salsa macro generates constructors and setters without docs.
    #![allow(missing_docs)]
    use super::*;

    /// One source file: its path (imports resolve against it), the name shown
    /// in diagnostics, and its bytes.
    #[salsa::input(debug)]
    pub struct Source {
        /// Where it is; imports resolve relative to its directory.
        #[returns(ref)]
        pub path: PathBuf,
        /// How diagnostics name it.
        #[returns(ref)]
        pub name: FileName,
        /// Its contents.
        #[returns(ref)]
        pub bytes: Arc<[u8]>,
    }
}

/// What the queries need from the database beyond salsa itself.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The source at `path` (as written, relative to the working directory),
    /// reading it from disk the first time. An error says why it cannot be read.
    fn load(&self, path: &Path) -> Result<Source, String>;

    /// The built-in declarations.
    fn prelude(&self) -> Source;

    /// Whether sources are always read whole instead of as pieces
    /// ([`crate::layout`]); both give the same results, pieces faster after edits.
    fn reads_whole_files(&self) -> bool {
        false
    }

    /// The outline last made of a source and the bytes it was made from; a
    /// cache that only saves time ([`crate::layout`] derives the next outline
    /// from it when an edit stays inside one run of members).
    fn previous_outline(&self, _source: Source) -> Option<(Arc<[u8]>, Arc<Outline>)> {
        None
    }

    /// Another handle on the same database, for warming memos on other
    /// threads (`None`: do everything on this one).
    fn fork(&self) -> Option<Database> {
        None
    }

    /// Remembers the outline made of a source's bytes.
    fn remember_outline(&self, _source: Source, _bytes: Arc<[u8]>, _outline: Arc<Outline>) {}

    /// The input values a run will be given, when the database compiles for
    /// one (`pipec run --input`): check-time table schemas then read the
    /// files the run will read, not those of the inputs' defaults. Not
    /// tracked by salsa: set it before the first query and never change it.
    fn run_inputs(&self) -> Option<Arc<RunInputs>> {
        None
    }
}

/// The input values a run of one pipeline will be given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunInputs {
    /// The file of the pipeline, as diagnostics name it.
    pub file: FileName,
    /// The pipeline, or `None` for the file's only one.
    pub pipeline: Option<String>,
    /// Input name → its text value (a path), or `None` for a value of
    /// another kind (whose file, if any, is unknown at check time).
    pub values: HashMap<String, Option<String>>,
}

impl RunInputs {
    /// The values `inputs` (as a run takes them) given to `pipeline` (or the
    /// only one) of the source that diagnostics name `file`.
    pub fn new(
        file: FileName,
        pipeline: Option<&str>,
        inputs: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        RunInputs {
            file,
            pipeline: pipeline.map(str::to_string),
            values: inputs
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().map(str::to_string)))
                .collect(),
        }
    }

    /// The values given to pipeline `pipeline` of `file`, if it is the one
    /// that runs.
    pub fn for_pipeline(
        &self,
        file: &FileName,
        pipeline: &str,
    ) -> Option<&HashMap<String, Option<String>>> {
        let named = self.pipeline.as_deref().is_none_or(|name| name == pipeline);
        (self.file == *file && named).then_some(&self.values)
    }
}

/// The outlines last made, by source.
type OutlineCache = HashMap<Source, (Arc<[u8]>, Arc<Outline>)>;

/// The database of the compiler: every source it has seen, and the memoised queries.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    files: Arc<Mutex<HashMap<PathBuf, Source>>>,
    prelude: Arc<Mutex<Option<Source>>>,
    whole_files: bool,
    outlines: Arc<Mutex<OutlineCache>>,
    run_inputs: Option<Arc<RunInputs>>,
}

#[salsa::db]
impl salsa::Database for Database {}

/// The key a path is remembered under: canonical when the file exists, so that
/// `a/../b.pipe` and `b.pipe` are one source.
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

/// Removes `.` and `a/..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The display name of a path: as given, with `/` separators.
fn display(path: &Path) -> FileName {
    path.to_string_lossy().replace('\\', "/").into()
}

impl Database {
    /// A new, empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new, empty database that reads every source whole, never as pieces
    /// (to compare the two readings; results must be the same).
    pub fn reading_whole_files() -> Self {
        Database {
            whole_files: true,
            ..Self::default()
        }
    }

    /// Compiles for a run given `inputs` (see [`Db::run_inputs`]); call it
    /// before the first query.
    pub fn set_run_inputs(&mut self, inputs: RunInputs) {
        self.run_inputs = Some(Arc::new(inputs));
    }

    /// Adds or replaces a source from memory (an editor buffer, a test, a host
    /// program); `path` is where its imports resolve from.
    pub fn set_source(&mut self, path: &Path, bytes: impl Into<Arc<[u8]>>) -> Source {
        let bytes = bytes.into();
        let existing = self
            .files
            .lock()
            .map(|files| files.get(&key(path)).copied())
            .unwrap_or(None);
        match existing {
            Some(source) => {
                if **source.bytes(self) != *bytes {
                    source.set_bytes(self).to(bytes);
                }
                source
            }
            None => {
                let source = Source::new(self, path.to_path_buf(), display(path), bytes);
                if let Ok(mut files) = self.files.lock() {
                    files.insert(key(path), source);
                }
                source
            }
        }
    }
}

#[salsa::db]
impl Db for Database {
    fn load(&self, path: &Path) -> Result<Source, String> {
        let k = key(path);
        if let Some(source) = self
            .files
            .lock()
            .ok()
            .and_then(|files| files.get(&k).copied())
        {
            return Ok(source);
        }
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let source = Source::new(self, path.to_path_buf(), display(path), Arc::from(bytes));
        if let Ok(mut files) = self.files.lock() {
            files.insert(k, source);
        }
        Ok(source)
    }

    fn reads_whole_files(&self) -> bool {
        self.whole_files
    }

    fn run_inputs(&self) -> Option<Arc<RunInputs>> {
        self.run_inputs.clone()
    }

    fn fork(&self) -> Option<Database> {
        Some(self.clone())
    }

    fn previous_outline(&self, source: Source) -> Option<(Arc<[u8]>, Arc<Outline>)> {
        self.outlines.lock().ok()?.get(&source).cloned()
    }

    fn remember_outline(&self, source: Source, bytes: Arc<[u8]>, outline: Arc<Outline>) {
        if let Ok(mut outlines) = self.outlines.lock() {
            outlines.insert(source, (bytes, outline));
        }
    }

    fn prelude(&self) -> Source {
        let mut slot = self.prelude.lock().unwrap_or_else(|e| e.into_inner());
        *slot.get_or_insert_with(|| {
            Source::new(
                self,
                PathBuf::from(pipec_stdlib::PRELUDE_NAME),
                pipec_stdlib::PRELUDE_NAME.into(),
                Arc::from(pipec_stdlib::PRELUDE.as_bytes()),
            )
        })
    }
}
