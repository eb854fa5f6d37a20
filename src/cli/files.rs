//! Expanding the paths given on the command line into `.pipe` files.

use std::path::{Path, PathBuf};

/// Why a path could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// The path does not exist or cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The `.pipe` files named by `paths`: files as given, directories searched
/// recursively (sorted; hidden directories and `target/` skipped).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PathError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| PathError::Unreadable {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PathError> {
    let unreadable = |source| PathError::Unreadable {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if entry.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&entry, out)?;
            }
        } else if entry.extension().is_some_and(|e| e == "pipe") {
            out.push(entry);
        }
    }
    Ok(())
}

/// The name a path is shown under in diagnostics: as given, with `/` separators.
pub fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Adds to `sources` the text of every file `diagnostics` point into that it
/// lacks (imports, files named only in labels), read from disk.
pub fn load_sources(
    sources: &mut pipec_grammar::render::Sources,
    diagnostics: &[pipec_grammar::diagnostic::Diagnostic],
) {
    for d in diagnostics {
        for file in std::iter::once(d.file()).chain(d.secondary.iter().map(|l| &l.location.file)) {
            if sources.text(file).is_none() {
                let text = std::fs::read(file.as_ref())
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                sources.insert(file.clone(), text);
            }
        }
    }
}
