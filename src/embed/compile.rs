//! Compiling for a host: a program from text or a file, its warnings as
//! data, and typed failures ([`CompileFailure`]).

use std::path::{Path, PathBuf};

use pipec_compiler::compile::{CompileError, compile};
use pipec_compiler::plan::Plan;
use pipec_compiler::{Database, RunInputs};
use pipec_grammar::diagnostic::{Diagnostic, Severity};
use pipec_grammar::render::{Sources, human};
use serde_json::{Map, Value};

/// A compiled program: the plan of one pipeline, and the warnings the
/// checker found. It dereferences to its [`Plan`], so `&program` is what
/// [`super::Host::run`] and [`super::Host::start`] take.
#[derive(Debug, Clone)]
pub struct Program {
    /// The plan a host runs.
    pub plan: Plan,
    /// Warnings (the program compiled in spite of them).
    pub warnings: Vec<Problem>,
}

/// The format of a saved [`Program`]: a program saved by one pipec loads
/// only into a pipec of the same version and format.
const PLAN_FORMAT: u32 = 1;

/// Why a saved program could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Saved by another version of pipec (plans change between versions:
    /// compile the source again).
    #[error(
        "the program was saved by pipec {saved} (plan format {format}); this is pipec {this} (plan format {PLAN_FORMAT}): compile its source again"
    )]
    OtherVersion {
        /// The version that saved it.
        saved: String,
        /// Its plan format.
        format: u32,
        /// This version.
        this: String,
    },
    /// Not a saved program.
    #[error("not a saved pipec program: {0}")]
    Malformed(String),
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    pipec: String,
    format: u32,
    plan: Plan,
    warnings: Vec<Problem>,
}

impl Program {
    /// The program as JSON text, to load again ([`Program::load`]) in this
    /// or another process: compile once, run many times.
    pub fn save(&self) -> String {
        serde_json::to_string(&Saved {
            pipec: env!("CARGO_PKG_VERSION").to_string(),
            format: PLAN_FORMAT,
            plan: self.plan.clone(),
            warnings: self.warnings.clone(),
        })
        .unwrap_or_default()
    }

    /// A program saved by [`Program::save`]; refused when saved by another
    /// version of pipec.
    pub fn load(text: &str) -> Result<Program, LoadError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| LoadError::Malformed(e.to_string()))?;
        let saved = value.get("pipec").and_then(Value::as_str).unwrap_or("?");
        let format = value.get("format").and_then(Value::as_u64).unwrap_or(0) as u32;
        if saved != env!("CARGO_PKG_VERSION") || format != PLAN_FORMAT {
            return Err(LoadError::OtherVersion {
                saved: saved.to_string(),
                format,
                this: env!("CARGO_PKG_VERSION").to_string(),
            });
        }
        let saved: Saved =
            serde_json::from_value(value).map_err(|e| LoadError::Malformed(e.to_string()))?;
        Ok(Program {
            plan: saved.plan,
            warnings: saved.warnings,
        })
    }
}

impl std::ops::Deref for Program {
    type Target = Plan;

    fn deref(&self) -> &Plan {
        &self.plan
    }
}

/// One diagnostic, as data: what `pipec check --format json` gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The stable code (`E0104`, `W0105`), explained by `pipec explain CODE`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The file it is in.
    pub file: String,
    /// Where it starts: line and column, from 1 (0 when not known).
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
    /// What is wrong, naming the thing.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A fix that provably fixes it, in words ("replace `ech` with `echo`").
    pub fix: Option<String>,
}

/// What kind of failure stopped the compilation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// The file could not be read.
    Unreadable {
        /// The file.
        path: PathBuf,
    },
    /// The file has several pipelines and none was named: choose one.
    SeveralPipelines {
        /// Their names.
        names: Vec<String>,
    },
    /// The file has no pipeline, or none of the name asked for.
    NoSuchPipeline {
        /// The name asked for, when one was.
        name: Option<String>,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// The program has errors: see [`CompileFailure::problems`].
    Diagnostics,
}

/// Why a program did not compile.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{rendered}")]
pub struct CompileFailure {
    /// What kind of failure it is.
    pub kind: FailureKind,
    /// Every diagnostic, as data (errors and warnings; empty unless
    /// [`FailureKind::Diagnostics`]).
    pub problems: Vec<Problem>,
    /// The same diagnostics as the checker's own type (spans, labels, edits).
    pub diagnostics: Vec<Diagnostic>,
    /// The failure drawn for people, as `pipec check` draws it.
    pub rendered: String,
}

/// The problems of `diagnostics`, with lines and columns from `sources`.
fn problems(diagnostics: &[Diagnostic], sources: &Sources) -> Vec<Problem> {
    diagnostics
        .iter()
        .map(|d| {
            let location = &d.primary.location;
            let (line, column) = sources
                .range(&location.file, location.span)
                .map_or((0, 0), |(start, _)| {
                    (start.line as usize, start.column as usize)
                });
            Problem {
                code: d.code.as_str().to_string(),
                severity: d.severity,
                file: location.file.to_string(),
                line,
                column,
                message: d.message.clone(),
                help: d.help.clone(),
                fix: d.fix.as_ref().map(|f| f.message.clone()),
            }
        })
        .collect()
}

/// The sources diagnostics point into: the program's text, and each
/// other file (an import) read from disk.
fn sources_of(name: &str, text: &str, diagnostics: &[Diagnostic]) -> Sources {
    let mut sources = Sources::new();
    sources.insert(name.into(), text.to_string());
    for d in diagnostics {
        let file = &d.primary.location.file;
        if sources.text(file).is_none()
            && let Ok(other) = std::fs::read_to_string(file.as_ref())
        {
            sources.insert(file.clone(), other);
        }
    }
    sources
}

fn failure(error: CompileError, name: &str, text: &str) -> CompileFailure {
    let rendered = error.to_string();
    let plain = |kind| CompileFailure {
        kind,
        problems: Vec::new(),
        diagnostics: Vec::new(),
        rendered: rendered.clone(),
    };
    match error {
        CompileError::Diagnostics(diagnostics) => {
            let sources = sources_of(name, text, &diagnostics);
            CompileFailure {
                kind: FailureKind::Diagnostics,
                problems: problems(&diagnostics, &sources),
                rendered: human(&diagnostics, &sources, false),
                diagnostics,
            }
        }
        CompileError::Ambiguous { names, .. } => plain(FailureKind::SeveralPipelines { names }),
        CompileError::NoPipeline(_) => plain(FailureKind::NoSuchPipeline {
            name: None,
            suggestion: None,
        }),
        CompileError::UnknownPipeline {
            name, suggestion, ..
        } => plain(FailureKind::NoSuchPipeline {
            name: Some(name),
            suggestion,
        }),
    }
}

/// Compiles a program given as text; `name` is where its imports resolve from
/// and how diagnostics name it; `pipeline` picks one when it has several.
pub fn compile_source(
    name: &str,
    text: &str,
    pipeline: Option<&str>,
) -> Result<Program, CompileFailure> {
    compile_text(name, text, pipeline, None)
}

/// Compiles a program from a file.
pub fn compile_path(path: &Path, pipeline: Option<&str>) -> Result<Program, CompileFailure> {
    let text = read(path)?;
    compile_source(&path.to_string_lossy(), &text, pipeline)
}

/// Compiles a program from a file for a run given `inputs`: the checks of
/// table schemas read the files those inputs name (`data: "other.csv"`),
/// not those of the inputs' defaults, as `pipec run --input` does.
pub fn compile_path_for_run(
    path: &Path,
    pipeline: Option<&str>,
    inputs: &Map<String, Value>,
) -> Result<Program, CompileFailure> {
    let text = read(path)?;
    compile_text(&path.to_string_lossy(), &text, pipeline, Some(inputs))
}

fn read(path: &Path) -> Result<String, CompileFailure> {
    std::fs::read_to_string(path).map_err(|e| CompileFailure {
        kind: FailureKind::Unreadable {
            path: path.to_path_buf(),
        },
        problems: Vec::new(),
        diagnostics: Vec::new(),
        rendered: format!("cannot read `{}`: {e}", path.display()),
    })
}

fn compile_text(
    name: &str,
    text: &str,
    pipeline: Option<&str>,
    inputs: Option<&Map<String, Value>>,
) -> Result<Program, CompileFailure> {
    let mut db = Database::new();
    let source = db.set_source(Path::new(name), text.as_bytes().to_vec());
    if let Some(inputs) = inputs {
        db.set_run_inputs(RunInputs::new(source.name(&db).clone(), pipeline, inputs));
    }
    let compiled = compile(&db, source, pipeline).map_err(|e| failure(e, name, text))?;
    let sources = sources_of(name, text, &compiled.warnings);
    Ok(Program {
        plan: compiled.plan,
        warnings: problems(&compiled.warnings, &sources),
    })
}
