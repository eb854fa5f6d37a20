//! `pipec fmt`: rewrite files in the canonical layout, or check that they are.

use std::io::Read;
use std::path::{Path, PathBuf};

use pipec_grammar::diagnostic::FileName;
use pipec_grammar::format::format_checked;
use pipec_grammar::render::{self, Sources};

use super::files::{display_name, expand};
use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, FmtArgs};

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Runs `pipec fmt`.
pub fn run(args: &FmtArgs) -> u8 {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        if args.paths.len() > 1 {
            errln!("error: `-` (standard input) cannot be combined with other paths");
            return EXIT_USAGE;
        }
        let mut text = String::new();
        if let Err(error) = std::io::stdin().read_to_string(&mut text) {
            errln!("error: cannot read standard input: {error}");
            return EXIT_USAGE;
        }
        return match format_text("<stdin>".into(), &text) {
            Some(formatted) if args.check && formatted != text => {
                out!("{}", diff("<stdin>", &text, &formatted));
                EXIT_FAILURE
            }
            Some(_) if args.check => EXIT_OK,
            Some(formatted) => {
                out!("{formatted}");
                EXIT_OK
            }
            None => EXIT_FAILURE,
        };
    }

    let paths = match expand(&args.paths) {
        Ok(paths) => paths,
        Err(error) => {
            errln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    let mut io_failed = false;
    let mut failed = false;
    let mut changed = 0;
    for path in &paths {
        match format_file(path, args.check) {
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::Failed) => failed = true,
            Err(error) => {
                errln!("error: {error}");
                io_failed = true;
            }
        }
    }
    if args.check && changed > 0 {
        errln!(
            "{changed} of {} file{} would be reformatted; run `pipec fmt` on {}",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" },
            if changed == 1 { "it" } else { "them" }
        );
    }
    if io_failed {
        EXIT_USAGE
    } else if failed || (args.check && changed > 0) {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// Formats one text; prints its errors and returns `None` when it cannot be formatted.
fn format_text(name: FileName, text: &str) -> Option<String> {
    let parsed = pipec_grammar::parse(&name, text);
    if parsed.has_errors() {
        let mut sources = Sources::new();
        sources.insert(name.clone(), text.to_string());
        let errors: Vec<_> = parsed
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        err!("{}", render::human(&errors, &sources, false));
        errln!("error: `{name}` has syntax errors and was not formatted");
        return None;
    }
    match format_checked(text, &parsed.tree) {
        Ok(formatted) => Some(formatted),
        Err(error) => {
            errln!("error: `{name}` was not formatted: {error}");
            None
        }
    }
}

fn format_file(path: &Path, check: bool) -> Result<Outcome, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let name = display_name(path);
    let Ok(text) = String::from_utf8(bytes) else {
        errln!("error: `{name}` is not valid UTF-8 and was not formatted");
        return Ok(Outcome::Failed);
    };
    let Some(formatted) = format_text(name.as_str().into(), &text) else {
        return Ok(Outcome::Failed);
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if check {
        out!("{}", diff(&name, &text, &formatted));
    } else {
        write_atomically(path, &formatted)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        errln!("formatted {name}");
    }
    Ok(Outcome::Changed)
}

/// Writes through a temporary file and a rename, so a failure never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temp = PathBuf::from(path);
    temp.set_extension("pipe.fmt-tmp");
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// A unified diff of the formatting. The line diff is given a deadline: a
/// long line broken into thousands (a list of 40,000 elements) would
/// otherwise make it quadratic; past the deadline the diff is still right,
/// only less minimal.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::configure()
        .deadline(std::time::Instant::now() + std::time::Duration::from_millis(200))
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}
