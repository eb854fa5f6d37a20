//! Standard output and error of the CLI, written without panicking.
//!
//! Rust's `println!` panics when standard output cannot be written: a pipe
//! closed by its reader (`pipec explain | head`) or a full disk
//! (`> /dev/full`). Every subcommand writes through [`write_stdout`]
//! instead (the `out!`/`outln!` macros): a closed pipe ends the process
//! quietly with exit 0, as `cat` into `head` does, and any other failure
//! says so and exits 2. Standard error ([`write_stderr`], `err!`/`errln!`)
//! ignores failures: there is nowhere left to report them.

use std::io::{ErrorKind, Write};

use super::EXIT_USAGE;

/// Writes `text` to standard output, or ends the process when it cannot.
pub fn write_stdout(text: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(text) {
        drop(stdout);
        failed(&error);
    }
}

/// Writes `text` to standard error, ignoring a failure.
pub fn write_stderr(text: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(text);
}

/// Flushes standard output (ending the process when that fails) and error.
pub fn flush() {
    if let Err(error) = std::io::stdout().flush() {
        failed(&error);
    }
    let _ = std::io::stderr().flush();
}

/// Ends the process after standard output failed: quietly for a closed
/// pipe, with an error and exit 2 otherwise.
pub fn failed(error: &std::io::Error) -> ! {
    if error.kind() != ErrorKind::BrokenPipe {
        write_stderr(format_args!(
            "error: cannot write to standard output: {error}\n"
        ));
        std::process::exit(i32::from(EXIT_USAGE));
    }
    std::process::exit(0)
}
