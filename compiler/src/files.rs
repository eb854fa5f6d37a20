//! File patterns: the one glob dialect of pipec, used by `list_files`, the
//! table readers (`read_csv("parts/*.csv")`) and `check` alike.
//!
//! `*` matches within one path component, `**` any number of components,
//! `?` one character, `[abc]`/`[a-z]`/`[!a]` one character of a class, and
//! `{a,b}` either alternative (globset's syntax, with `/` never matched by
//! `*` or `?`). Matching walks the directories with walkdir, following
//! symbolic links to files and to directories (a link back to a directory
//! being walked is skipped, not followed forever); the files found are
//! sorted by path.

use std::path::{Path, PathBuf};

/// The characters that make text a pattern rather than a plain path.
const META: [char; 4] = ['*', '?', '[', '{'];

/// Whether `text` is a file pattern (has `*`, `?`, `[` or `{`).
pub fn is_pattern(text: &str) -> bool {
    text.contains(META)
}

/// A compiled file pattern, matched against paths relative to a directory.
#[derive(Debug, Clone)]
pub struct Pattern {
    matcher: globset::GlobMatcher,
}

impl Pattern {
    /// Compiles `pattern`; the error says what is wrong with it in words.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid file pattern `{pattern}`: {}", e.kind()))?;
        Ok(Pattern {
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `relative` (a path below the directory walked) matches.
    pub fn matches(&self, relative: &Path) -> bool {
        self.matcher.is_match(relative)
    }
}

/// A file found under a directory: its path and size (of the file a link
/// points to, for a link).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// The directory joined with the file's relative path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// The files under `dir` whose path relative to `dir` matches `pattern`,
/// sorted. An unreadable `dir` is an error; an unreadable entry below it is
/// skipped.
pub fn find(dir: &Path, pattern: &Pattern) -> Result<Vec<Found>, String> {
    std::fs::read_dir(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(dir) else {
            continue;
        };
        if pattern.matches(relative) {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            found.push(Found {
                path: entry.path().to_path_buf(),
                size,
            });
        }
    }
    found.sort();
    Ok(found)
}

/// Splits a path pattern (`data/2026-*/part-?.csv`) into the directory
/// before its first component with a pattern character (`data`, or `.`)
/// and the pattern after it (`2026-*/part-?.csv`).
pub fn split_pattern(text: &str) -> (PathBuf, String) {
    let mut base = PathBuf::new();
    let mut rest: Vec<&str> = Vec::new();
    for part in text.split('/') {
        if rest.is_empty() && !is_pattern(part) {
            base.push(if part.is_empty() { "/" } else { part });
        } else {
            rest.push(part);
        }
    }
    if base.as_os_str().is_empty() {
        base.push(".");
    }
    (base, rest.join("/"))
}

/// The files a path pattern names (`data/*.csv`), sorted: an invalid
/// pattern or an unreadable directory before it is an error.
pub fn expand(text: &str) -> Result<Vec<Found>, String> {
    let (base, rest) = split_pattern(text);
    let pattern = Pattern::new(&rest)?;
    let mut found = find(&base, &pattern)?;
    // Shown as written: `./x` only when the pattern said `./`.
    if !text.starts_with("./") {
        for file in &mut found {
            if let Ok(stripped) = file.path.strip_prefix(".") {
                file.path = stripped.to_path_buf();
            }
        }
    }
    Ok(found)
}

/// Whether `text` is a valid pattern, in words when not (for `check`).
pub fn check(text: &str) -> Result<(), String> {
    Pattern::new(&split_pattern(text).1).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("dir");
        for file in ["a.csv", "b.csv", "c.txt", "sub/d.csv", "sub/deeper/e.csv"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "x").expect("write");
        }
        dir
    }

    fn names(dir: &Path, pattern: &str) -> Vec<String> {
        let pattern = Pattern::new(pattern).expect("pattern");
        find(dir, &pattern)
            .expect("find")
            .into_iter()
            .map(|f| {
                f.path
                    .strip_prefix(dir)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn the_dialect_has_stars_classes_and_alternatives() {
        let dir = tree();
        let dir = dir.path();
        assert_eq!(names(dir, "*.csv"), ["a.csv", "b.csv"]);
        assert_eq!(
            names(dir, "**/*.csv"),
            ["a.csv", "b.csv", "sub/d.csv", "sub/deeper/e.csv"]
        );
        assert_eq!(names(dir, "?.csv"), ["a.csv", "b.csv"]);
        assert_eq!(names(dir, "[!a].csv"), ["b.csv"]);
        assert_eq!(names(dir, "{a,c}.*"), ["a.csv", "c.txt"]);
        assert_eq!(names(dir, "sub/*.csv"), ["sub/d.csv"]);
    }

    #[test]
    fn a_path_pattern_splits_at_its_first_pattern_component() {
        assert_eq!(
            split_pattern("data/2026-*/part.csv"),
            (PathBuf::from("data"), "2026-*/part.csv".to_string())
        );
        assert_eq!(
            split_pattern("*.csv"),
            (PathBuf::from("."), "*.csv".to_string())
        );
        assert_eq!(
            split_pattern("/tmp/{a,b}.csv"),
            (PathBuf::from("/tmp"), "{a,b}.csv".to_string())
        );
    }

    #[test]
    fn an_invalid_pattern_is_an_error_in_words() {
        let error = check("data/[a.csv").expect_err("unclosed class");
        assert!(
            error.contains("data") || error.contains("[a.csv"),
            "{error}"
        );
        assert!(check("data/{a,b}.csv").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn links_to_files_and_directories_are_followed_without_looping() {
        let dir = tree();
        let root = dir.path();
        std::os::unix::fs::symlink(root.join("a.csv"), root.join("link.csv")).expect("link");
        std::os::unix::fs::symlink(root.join("sub"), root.join("linked")).expect("link");
        std::os::unix::fs::symlink(root, root.join("sub/loop")).expect("link");
        let found = find(root, &Pattern::new("**/*.csv").expect("pattern")).expect("find");
        let link = found
            .iter()
            .find(|f| f.path.ends_with("link.csv"))
            .expect("the link to a file is listed");
        assert_eq!(link.size, 1, "the size of the file it points to");
        assert!(found.iter().any(|f| f.path.ends_with("linked/d.csv")));
    }
}
