//! The process that owns a running run: its pid and start time, so that a
//! run whose owner died (`kill -9`, power loss) is told apart from one that
//! is still running, even when the pid has been reused since.

/// This process, as `PID:START` (START: its start time in clock ticks
/// since boot, from `/proc`; 0 where that cannot be read).
pub fn this_process() -> String {
    let pid = std::process::id();
    format!("{pid}:{}", start_time(pid).unwrap_or(0))
}

/// Whether the process `owner` ([`this_process`] of some process) is alive.
pub fn is_alive(owner: &str) -> bool {
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return false;
    };
    match start_time(pid) {
        Some(now) => start == 0 || now == start,
        // No /proc entry: ask the kernel whether the pid exists at all.
        None => {
            let Ok(pid) = libc::pid_t::try_from(pid) else {
                return false;
            };
            // SAFETY: signal 0 sends nothing; it only checks the pid.
            unsafe { libc::kill(pid, 0) == 0 }
        }
    }
}

/// Field 22 of `/proc/PID/stat`: when the process started.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count from its `)`.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_not() {
        assert!(is_alive(&this_process()));
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let owner = format!("{}:{}", child.id(), start_time(child.id()).unwrap_or(1));
        child.wait().expect("wait");
        assert!(!is_alive(&owner));
        assert!(!is_alive("not an owner"));
    }
}
