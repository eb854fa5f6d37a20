//! Where a path written in a `.pipe` file points: relative text resolves
//! against the directory of the file that holds it (as imports do), so a
//! program runs the same from any working directory. `check` (its table
//! schemas) and the plan apply this one rule.
//!
//! Only text written in the file is resolved: a string literal in a `path`
//! position, a template that *starts* with written text (`"out/{name}.json"`),
//! and a `path` input's default. A template that starts with a value
//! (`"{input.dir}/x.json"`) is that value's path, which was resolved where it
//! was written; values given on the command line are relative to the working
//! directory; paths produced by operators (`list_files`) are used as they are.

use std::path::Path;

/// The directory of the file shown as `file` (its name as the compiler
/// shows it), or `""` for a file in the working directory or a program
/// given as text.
pub fn file_dir(file: &str) -> &str {
    match file.rfind('/') {
        Some(0) => "/",
        Some(at) => &file[..at],
        None => "",
    }
}

/// `written` resolved against `dir` (see the module doc): unchanged when it
/// is absolute, a URL (`s3://...`), starts with `~`, or `dir` is empty;
/// else `dir/written` without `.` and `a/..` components (`"."` for the directory
/// itself).
pub fn resolve_written(dir: &str, written: &str) -> String {
    if dir.is_empty() || !is_relative_text(written) {
        return written.to_string();
    }
    // `.` and `a/..` removed as imports' paths are ([`crate::db::normalize`]).
    let joined = crate::db::normalize(&Path::new(dir).join(written));
    let mut text = joined.to_string_lossy().replace('\\', "/");
    // A written trailing `/` (a directory) is kept.
    if written.ends_with('/') && !text.ends_with('/') {
        text.push('/');
    }
    if text.is_empty() {
        text.push('.');
    }
    text
}

/// Whether written text is a relative file path (not absolute, not a URL,
/// not a home-relative `~` path, not empty).
fn is_relative_text(written: &str) -> bool {
    !written.is_empty()
        && !written.starts_with('/')
        && !written.starts_with('~')
        && !written.contains("://")
        && !Path::new(written).is_absolute()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_text_joins_the_files_directory() {
        assert_eq!(file_dir("examples/sales/sales.pipe"), "examples/sales");
        assert_eq!(file_dir("sales.pipe"), "");
        assert_eq!(file_dir("/sales.pipe"), "/");
        let dir = "examples/sales";
        assert_eq!(
            resolve_written(dir, "data/o.csv"),
            "examples/sales/data/o.csv"
        );
        assert_eq!(
            resolve_written(dir, "./data/o.csv"),
            "examples/sales/data/o.csv"
        );
        assert_eq!(resolve_written(dir, "../x.csv"), "examples/x.csv");
        assert_eq!(resolve_written("a", "../../x.csv"), "../x.csv");
        assert_eq!(resolve_written(dir, "."), "examples/sales");
        assert_eq!(resolve_written(dir, "out/"), "examples/sales/out/");
        assert_eq!(resolve_written("", "./x"), "./x");
    }

    #[test]
    fn absolute_paths_and_urls_are_kept() {
        let dir = "examples/sales";
        assert_eq!(resolve_written(dir, "/tmp/x.csv"), "/tmp/x.csv");
        assert_eq!(resolve_written(dir, "s3://b/x.csv"), "s3://b/x.csv");
        assert_eq!(resolve_written(dir, "~/x.csv"), "~/x.csv");
        assert_eq!(resolve_written(dir, ""), "");
    }
}
