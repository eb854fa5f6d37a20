//! The `exec` operator: a program run without a shell.
//!
//! The child starts in a process group of its own (std's
//! `CommandExt::process_group`), so that a timeout, a cancelled run or the
//! end of the task kills it *and everything it started* (`sh -c "sleep 60
//! &"` leaves nothing behind): the group is killed (`killpg`) when the
//! attempt must stop, and once the child has exited, for what it left
//! running. Standard input is written
//! on a thread of its own while standard output and error are read on two
//! others, so a child that writes before it has read all its input cannot
//! deadlock with pipec; the deadline covers the whole attempt, writing the
//! input included. With a log prefix (a run that keeps logs), the whole
//! stdout and stderr are also kept in files, each up to [`LOG_CAP`] bytes.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::plugins::{Args, TaskContext, arg};
use crate::text::text;

/// The most bytes of one stream kept in a task's log file.
pub const LOG_CAP: usize = 16 << 20;

/// How many lines of a failed child's output its error shows.
const TAIL_LINES: usize = 10;

/// How often a waiting attempt looks at the run's cancellation.
const CANCEL_CHECK: Duration = Duration::from_millis(20);

/// Runs `argv` (without a shell) with `stdin`, `env` and `cwd`; kills its
/// process group at the deadline or when the run is cancelled.
pub fn exec(args: &Args, context: &TaskContext<'_>) -> Result<Value, String> {
    let argv: Vec<String> = match arg(args, "argv")? {
        Value::Array(items) => items.iter().map(text).collect(),
        other => {
            return Err(format!(
                "`argv` must be a list of strings, not {}",
                crate::eval::kind(other)
            ));
        }
    };
    let Some((program, rest)) = argv.split_first() else {
        return Err("`argv` is empty".into());
    };
    let mut command = Command::new(program);
    command
        .args(rest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The leader of a group of its own: what it starts is in it too.
        .process_group(0);
    if let Some(Value::Object(env)) = args.get("env") {
        for (k, v) in env {
            command.env(k, text(v));
        }
    }
    if let Some(cwd) = args.get("cwd").filter(|v| !v.is_null()) {
        command.current_dir(text(cwd));
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let group = child.id();
    let stdin_text = args
        .get("stdin")
        .filter(|v| !v.is_null())
        .map(text)
        .unwrap_or_default();
    let writer = child.stdin.take().map(|mut pipe| {
        std::thread::spawn(move || {
            // A child that exits without reading its input closes the pipe:
            // not an error of the task.
            let _ = pipe.write_all(stdin_text.as_bytes());
        })
    });
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    // The child is waited for on a thread of its own; once it has exited,
    // what it left running in its group is killed, so that nothing lives on
    // and the pipes close.
    let (exited, status) = mpsc::channel();
    std::thread::spawn(move || {
        let status = child.wait();
        kill_group(group);
        let _ = exited.send(status);
    });
    let status = match wait(&status, context) {
        Ok(status) => status.map_err(|e| format!("waiting for `{program}`: {e}"))?,
        Err(reason) => {
            kill_group(group);
            // Reaped, so that no zombie is left; the pipes close with the group.
            let _ = status.recv();
            join(writer);
            let (out, err) = (collect(stdout), collect(stderr));
            keep_logs(context.log_prefix.as_deref(), &out, &err);
            return Err(format!(
                "`{program}` was killed: {reason}{}",
                tail_of(&err, &out)
            ));
        }
    };
    join(writer);
    let (out, err) = (collect(stdout), collect(stderr));
    keep_logs(context.log_prefix.as_deref(), &out, &err);
    let code = status.code().unwrap_or(-1);
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(format!("`{program}` {how}{}", tail_of(&err, &out)));
    }
    Ok(json!({
        "stdout": String::from_utf8_lossy(&out),
        "stderr": String::from_utf8_lossy(&err),
        "exit_code": code,
    }))
}

/// Waits for the child's exit status, or says why the attempt must stop.
fn wait(
    exited: &mpsc::Receiver<std::io::Result<ExitStatus>>,
    context: &TaskContext<'_>,
) -> Result<std::io::Result<ExitStatus>, &'static str> {
    loop {
        if let Some(reason) = context.should_stop() {
            return Err(reason);
        }
        let step = context.deadline.map_or(CANCEL_CHECK, |deadline| {
            deadline
                .saturating_duration_since(Instant::now())
                .min(CANCEL_CHECK)
        });
        match exited.recv_timeout(step) {
            Ok(status) => return Ok(status),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Ok(Err(std::io::Error::other("the child's waiter stopped")));
            }
        }
    }
}

/// Kills every process of the group `leader` leads (a group that has
/// already ended is left alone).
fn kill_group(leader: u32) {
    if let Ok(group) = libc::pid_t::try_from(leader) {
        // SAFETY: killpg takes plain integers and has no memory effects;
        // `group` is the id of a group this process made for its child.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
}

/// Reads a pipe to its end on a thread of its own.
fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn collect(reader: Option<JoinHandle<Vec<u8>>>) -> Vec<u8> {
    reader
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default()
}

fn join(writer: Option<JoinHandle<()>>) {
    if let Some(writer) = writer {
        let _ = writer.join();
    }
}

/// The last lines of stderr (of stdout when stderr is empty), as a suffix
/// of an error message: `": ..."`, or nothing when both are empty.
fn tail_of(stderr: &[u8], stdout: &[u8]) -> String {
    let chosen = if stderr.iter().all(u8::is_ascii_whitespace) {
        stdout
    } else {
        stderr
    };
    let text = String::from_utf8_lossy(chosen);
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!(": {tail}")
    }
}

/// Writes the attempt's whole stdout and stderr beside the run record
/// (`PREFIX.stdout`, `PREFIX.stderr`), each cut at [`LOG_CAP`] bytes with a
/// line saying so. A log that cannot be written is not the task's failure.
fn keep_logs(prefix: Option<&Path>, stdout: &[u8], stderr: &[u8]) {
    let Some(prefix) = prefix else { return };
    if let Some(dir) = prefix.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    for (stream, bytes) in [("stdout", stdout), ("stderr", stderr)] {
        let path = PathBuf::from(format!("{}.{stream}", prefix.display()));
        let mut kept = bytes[..bytes.len().min(LOG_CAP)].to_vec();
        if bytes.len() > LOG_CAP {
            kept.extend_from_slice(
                format!("\n[pipec: {} more bytes not kept]\n", bytes.len() - LOG_CAP).as_bytes(),
            );
        }
        let _ = std::fs::write(path, kept);
    }
}

#[cfg(test)]
mod tests {
    use super::tail_of;

    #[test]
    fn the_tail_is_the_last_lines_of_stderr_or_else_stdout() {
        let many: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let tail = tail_of(many.as_bytes(), b"");
        assert!(tail.starts_with(": line 21\n"), "{tail}");
        assert!(tail.ends_with("line 30"), "{tail}");
        assert_eq!(tail_of(b"  \n", b"only stdout\n"), ": only stdout");
        assert_eq!(tail_of(b"", b""), "");
    }
}
