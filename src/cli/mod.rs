//! The command-line interface: argument parsing and the subcommands.
//!
//! Exit codes: 0 success, 1 the input has errors (or warnings under
//! `--deny-warnings`, or files `fmt --check` would change, or the run
//! failed), 2 usage or I/O problems, 75 a run stopped at a `wait` without a
//! decision, 130/143 a run stopped by SIGINT/SIGTERM.

/// Writes to standard output; a closed pipe (`pipec explain | head`) ends
/// the process quietly, any other failure (`> /dev/full`) with an error
/// and exit 2 — never a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(format_args!($($arg)*))
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes to standard error, ignoring a failure (there is nowhere left to
/// report it).
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cli::output::write_stderr(format_args!($($arg)*))
    };
}

/// [`err!`] with a newline.
macro_rules! errln {
    () => { err!("\n") };
    ($($arg:tt)*) => {
        $crate::cli::output::write_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod check;
mod eval;
mod explain;
mod files;
mod fmt;
pub(crate) mod output;
mod pipeline;
mod printed;
mod run;
mod runs;
mod signals;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

/// The toolchain of the `.pipe` workflow language.
#[derive(Debug, Parser)]
#[command(name = "pipec", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files for mistakes without running anything.
    Check(CheckArgs),
    /// Run a pipeline locally.
    Run(Box<RunArgs>),
    /// Format files in the canonical layout.
    Fmt(FmtArgs),
    /// Print the execution plan of a pipeline as JSON.
    Plan(PipelineArgs),
    /// Draw the graph of a pipeline.
    Graph(GraphArgs),
    /// Print the JSON Schema (2020-12) of a pipeline's inputs.
    Schema(PipelineArgs),
    /// Evaluate one expression (or template) against a JSON context.
    Eval(EvalArgs),
    /// Explain a diagnostic code, or list every code.
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Serve the language server protocol on standard input and output (for editors).
    Lsp(LspArgs),
    /// Continue a run that failed, was cancelled, crashed or waits.
    Resume(Box<runs::ResumeArgs>),
    /// Approve a run's `wait`.
    Approve(runs::DecideArgs),
    /// Reject a run's `wait` (its node fails with the note).
    Reject(runs::DecideArgs),
    /// List recorded runs (or prune old ones).
    Runs(runs::RunsArgs),
    /// Show one recorded run: nodes, tasks, errors, outputs, waits.
    Show(runs::ShowArgs),
    /// Say why each task of a node ran, or how it was reused.
    Why(runs::WhyArgs),
    /// Print the stdout and stderr an `exec` node's tasks wrote.
    Logs(runs::LogsArgs),
}

/// Arguments of `pipec lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for clients that pass it (vscode-languageclient does); stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Arguments of `pipec check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (searched for `*.pipe`).
    #[arg(required = true, value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// When to color human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Output formats of `pipec check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Reports drawn for people.
    Human,
    /// A JSON array, one object per diagnostic.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// When to use color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Arguments of `pipec fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (searched for `*.pipe`); `-` formats standard input to standard output.
    #[arg(required = true, value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; print a diff and exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// Arguments naming one pipeline of one file.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    /// The `.pipe` file.
    pub file: PathBuf,
    /// Which pipeline (needed when the file has several).
    #[arg(long)]
    pub pipeline: Option<String>,
}

/// Arguments of `pipec run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The file and pipeline.
    #[command(flatten)]
    pub target: PipelineArgs,
    /// An input value, NAME=VALUE (VALUE is JSON when it reads as JSON, else text).
    #[arg(long, value_name = "NAME=VALUE")]
    pub input: Vec<String>,
    /// A JSON file of input values.
    #[arg(long, value_name = "FILE")]
    pub inputs: Option<PathBuf>,
    /// A secret, NAME=VALUE or NAME=@FILE (also PIPE_SECRET_<NAME> in the environment).
    #[arg(long, value_name = "NAME=VALUE")]
    pub secret: Vec<String>,
    /// CPU slots and worker threads (default: the number of cores); a task
    /// takes its node's `resources { cpus }` of them while it runs.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The memory budget tasks' `resources { memory }` take from (e.g. 8GiB;
    /// default: this machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory: Option<usize>,
    /// After a failure, let independent branches finish.
    #[arg(long)]
    pub keep_going: bool,
    /// Write events as JSON lines to FILE (`-`: standard error).
    #[arg(long, value_name = "FILE|-")]
    pub events: Option<String>,
    /// Approve the `wait` key KEY for this run.
    #[arg(long, value_name = "KEY")]
    pub approve: Vec<String>,
    /// No progress lines or summary table (outputs only).
    #[arg(long, short)]
    pub quiet: bool,
    /// Record the run in this SQLite file.
    #[arg(long, value_name = "FILE", default_value = ".pipec/runs.sqlite")]
    pub store: PathBuf,
    /// Keep no durable record of the run.
    #[arg(long)]
    pub no_store: bool,
    /// Memory for table operators (e.g. 512MB, 2GiB); sorts, aggregates and
    /// joins beyond it spill to disk.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<usize>,
    /// Where table operators spill (default: the system's temporary directory).
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,
    /// Reuse completed tasks of pure operators from any earlier run with the
    /// same key (a node's `cache on` does this for its own tasks).
    #[arg(long)]
    pub cache: bool,
    /// The run to continue (set by `pipec resume`).
    #[arg(skip)]
    pub resume: Option<runs::Resumed>,
}

/// A compile error as the CLI says it: the library's words, and the flag
/// that picks a pipeline where one must be chosen.
fn compile_failure_text(error: &pipec_compiler::compile::CompileError) -> String {
    match error {
        pipec_compiler::compile::CompileError::Ambiguous { .. } => {
            format!("{error} with --pipeline")
        }
        other => other.to_string(),
    }
}

/// A size such as `512MB`, `2GiB`, `64k` or `1000000` (bytes); units are
/// powers of 1024.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 512MB, 2GiB)"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit `{other}` (B, KB, MB, GB, TB)")),
    };
    Ok((number * scale) as usize)
}

/// Arguments of `pipec graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The file and pipeline.
    #[command(flatten)]
    pub target: PipelineArgs,
    /// Drawing format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub format: GraphFormat,
}

/// Formats of `pipec graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A drawing for a terminal.
    Text,
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Arguments of `pipec eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The expression, e.g. `input.name | upper` (with --template: text with `{expr}` parts).
    pub expression: String,
    /// A JSON file whose top-level keys are the namespaces (`input`, node names, `run`, ...).
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
    /// Read the argument as a template: text with `{expr}` interpolations.
    #[arg(long)]
    pub template: bool,
}

/// Arguments of `pipec explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A code such as `E0004`; without one, every code is listed.
    pub code: Option<String>,
}

/// Arguments of `pipec completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: usage or I/O problem.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the run stopped at a `wait` without a decision (sysexits'
/// "temporary failure": approve, then resume).
pub const EXIT_WAITING: u8 = 75;

/// Parses the arguments, runs the subcommand and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout, usage errors to stderr; a
            // closed pipe there is no reason to panic.
            let _ = error.print();
            output::flush();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Plan(args) => pipeline::run(&args, pipeline::Show::Plan),
        Command::Graph(args) => pipeline::run(&args.target, pipeline::Show::Graph(args.format)),
        Command::Schema(args) => pipeline::run(&args, pipeline::Show::Schema),
        Command::Eval(args) => eval::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Lsp(_) => match pipec_lsp::serve_stdio() {
            Ok(true) => EXIT_OK,
            // `exit` without `shutdown` first: the protocol's exit code 1.
            Ok(false) => EXIT_FAILURE,
            Err(error) => {
                errln!("error: the language server stopped: {error}");
                EXIT_USAGE
            }
        },
        Command::Resume(args) => runs::resume(&args),
        Command::Approve(args) => runs::decide(&args, true),
        Command::Reject(args) => runs::decide(&args, false),
        Command::Runs(args) => runs::list(&args),
        Command::Show(args) => runs::show(&args),
        Command::Why(args) => runs::why(&args),
        Command::Logs(args) => runs::logs(&args),
        Command::Completions(args) => {
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "pipec", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            EXIT_OK
        }
    };
    output::flush();
    ExitCode::from(code)
}
