//! The real binary, run from a directory of the test's: shared by the
//! tests that try pipec as a user would (paths, resources, secrets).

use std::path::Path;
use std::process::{Command, Output};

/// A `pipec` command in `cwd`, without colours.
pub fn pipec_command(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pipec"));
    command.current_dir(cwd).env("NO_COLOR", "1");
    command
}

/// `pipec ARGS` run in `cwd`.
pub fn pipec(cwd: &Path, args: &[&str]) -> Output {
    pipec_command(cwd).args(args).output().expect("pipec runs")
}
