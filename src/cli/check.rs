//! `pipec check`: every mistake that can be known without running, as human
//! reports, JSON or SARIF.

use pipec_grammar::diagnostic::{Diagnostic, FileName, Severity};
use pipec_grammar::render::{self, SarifRule, Sources};

use super::files::{display_name, expand};
use super::{CheckArgs, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Format};

/// Runs `pipec check`.
pub fn run(args: &CheckArgs) -> u8 {
    let paths = match expand(&args.paths) {
        Ok(paths) => paths,
        Err(error) => {
            errln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    if paths.is_empty() {
        errln!("error: no `.pipe` files found in the given directories");
        return EXIT_USAGE;
    }

    // One database for all files: a file imported by several is read and analysed once.
    let mut db = pipec_compiler::Database::new();
    let mut sources = Sources::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut unreadable = false;
    let mut checked = Vec::new();
    for path in &paths {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                errln!("error: cannot read `{}`: {error}", path.display());
                unreadable = true;
                continue;
            }
        };
        let name: FileName = display_name(path).into();
        sources.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        checked.push(db.set_source(path, bytes));
    }
    // A diagnostic found through two files (an import of both) is shown once.
    let mut seen = std::collections::HashSet::new();
    for source in checked {
        // An imported file's mistakes are the importing file's too: the
        // run would refuse them.
        for d in pipec_compiler::check::diagnostics_with_imports(&db, source) {
            if seen.insert(d.clone()) {
                diagnostics.push(d);
            }
        }
    }
    // A fix is shown (and in JSON and SARIF given) only when it fixes.
    let diagnostics = pipec_compiler::fixes::verified(&db, diagnostics);
    // Diagnostics may point into files that were not named (imports).
    super::files::load_sources(&mut sources, &diagnostics);

    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        Format::Human => {
            out!(
                "{}",
                render::human(&diagnostics, &sources, args.color.enabled())
            );
            outln!("{}", summary(paths.len(), errors, warnings));
        }
        Format::Json => outln!("{}", pretty(&render::json(&diagnostics, &sources))),
        Format::Sarif => {
            let rules: Vec<SarifRule> = pipec_compiler::explanations()
                .iter()
                .map(|e| SarifRule {
                    id: e.code.as_str(),
                    title: e.title,
                    text: e.text,
                })
                .collect();
            let log = render::sarif(&diagnostics, &sources, &rules, env!("CARGO_PKG_VERSION"));
            outln!("{}", pretty(&log));
        }
    }

    // The process ends next: freeing every memo one by one would only cost time.
    std::mem::forget(db);
    if unreadable {
        EXIT_USAGE
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing line of human output.
fn summary(files: usize, errors: usize, warnings: usize) -> String {
    let checked = format!("checked {}", plural(files, "file"));
    match (errors, warnings) {
        (0, 0) => format!("{checked}: no problems"),
        (e, 0) => format!("{checked}: {}", plural(e, "error")),
        (0, w) => format!("{checked}: {}", plural(w, "warning")),
        (e, w) => format!(
            "{checked}: {}, {}",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}
