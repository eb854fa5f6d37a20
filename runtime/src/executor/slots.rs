//! What runs at once on this machine: the run's CPU slots (`--jobs`) and its
//! memory budget (`--memory`, default the machine's). A unit of work (a
//! chunk of plain tasks, or one task of a node with `resources` or of a
//! process-running operator) takes its CPUs and memory before it is started
//! and gives them back when it ends. The scheduler admits units in order; a
//! unit that does not fit waits for earlier ones to end (it is never
//! overtaken, so a large task is not starved by small ones).

use std::collections::BTreeMap;

use pipec_compiler::plan::{Plan, PlanExpr};
use serde_json::{Map, Value};

use crate::eval::{Limits, evaluate};

/// CPUs are counted in thousandths, so that `cpus: 0.5` is exact.
const MILLI: f64 = 1000.0;

/// What one unit of work needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Demand {
    /// CPUs, in thousandths.
    pub milli_cpus: u64,
    /// Memory, in bytes.
    pub memory: u64,
}

impl Demand {
    /// One CPU and no memory: a task that says nothing of what it needs.
    pub const ONE_CPU: Demand = Demand {
        milli_cpus: 1000,
        memory: 0,
    };
}

/// The run's capacity and what is taken of it.
#[derive(Debug)]
pub(crate) struct Slots {
    milli_cpus: u64,
    memory: u64,
    taken: Demand,
}

impl Slots {
    /// `jobs` CPUs and `memory` bytes.
    pub fn new(jobs: usize, memory: u64) -> Slots {
        Slots {
            milli_cpus: jobs as u64 * 1000,
            memory,
            taken: Demand::default(),
        }
    }

    /// Takes `demand` when it fits in what is free (or when nothing is
    /// taken: a unit alone always runs; larger ones were refused before the
    /// run started).
    pub fn try_take(&mut self, demand: Demand) -> bool {
        let idle = self.taken == Demand::default();
        let fits = self.taken.milli_cpus + demand.milli_cpus <= self.milli_cpus
            && self.taken.memory.saturating_add(demand.memory) <= self.memory;
        if fits || idle {
            self.taken.milli_cpus += demand.milli_cpus;
            self.taken.memory = self.taken.memory.saturating_add(demand.memory);
        }
        fits || idle
    }

    /// Gives `demand` back.
    pub fn give(&mut self, demand: Demand) {
        self.taken.milli_cpus = self.taken.milli_cpus.saturating_sub(demand.milli_cpus);
        self.taken.memory = self.taken.memory.saturating_sub(demand.memory);
    }
}

/// What a run has, against which nodes' demands are checked before it
/// starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Capacity {
    /// CPU slots (`--jobs`).
    pub jobs: usize,
    /// The memory budget in bytes.
    pub memory: u64,
    /// Whether the budget was given (`--memory`) rather than the machine's.
    pub memory_given: bool,
}

impl Capacity {
    /// No limit: nothing is refused.
    pub fn unlimited() -> Capacity {
        Capacity {
            jobs: usize::MAX / 1000,
            memory: u64::MAX,
            memory_given: false,
        }
    }
}

/// The memory of this machine, in bytes (`MemTotal` of `/proc/meminfo`), or
/// no limit where it cannot be read.
pub(crate) fn machine_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            kib.checked_mul(1024)
        })
        .unwrap_or(u64::MAX)
}

/// What each node's tasks need, by node position: `resources { cpus, memory }`
/// evaluated with the run's inputs and constants (`None`: the node says
/// nothing). A node asking for more than the run has is an error naming
/// it, given before anything runs.
pub(crate) fn demands(
    plan: &Plan,
    base: &Map<String, Value>,
    limits: &Limits,
    capacity: &Capacity,
) -> Result<Vec<Option<Demand>>, String> {
    let Capacity {
        jobs,
        memory,
        memory_given,
    } = *capacity;
    plan.nodes
        .iter()
        .map(|node| {
            if node.policy.resources.is_empty() {
                return Ok(None);
            }
            let demand = demand_of(&node.policy.resources, base, limits)
                .map_err(|e| format!("node `{}`: resources: {e}", node.name))?;
            if demand.milli_cpus > jobs as u64 * 1000 {
                return Err(format!(
                    "node `{}` asks for {} CPUs, but the run has {jobs} (--jobs {jobs}); \
                     give the run more with --jobs, or ask for fewer",
                    node.name,
                    demand.milli_cpus as f64 / MILLI
                ));
            }
            if demand.memory > memory {
                let budget = match memory_given {
                    true => "the run's memory budget (--memory)",
                    false => "this machine's memory",
                };
                return Err(format!(
                    "node `{}` asks for {} of memory, more than {budget}, {}",
                    node.name,
                    bytes(demand.memory),
                    bytes(memory)
                ));
            }
            Ok(Some(demand))
        })
        .collect()
}

/// One node's `resources` record as a demand.
fn demand_of(
    resources: &BTreeMap<String, PlanExpr>,
    base: &Map<String, Value>,
    limits: &Limits,
) -> Result<Demand, String> {
    let mut demand = Demand::ONE_CPU;
    if let Some(expr) = resources.get("cpus") {
        let value = evaluate(expr, base, limits).map_err(|e| e.to_string())?;
        let cpus = value
            .as_f64()
            .filter(|c| c.is_finite() && *c >= 0.0)
            .ok_or_else(|| format!("`cpus` must be a number of CPUs, found {value}"))?;
        demand.milli_cpus = (cpus * MILLI).ceil() as u64;
    }
    if let Some(expr) = resources.get("memory") {
        let value = evaluate(expr, base, limits).map_err(|e| e.to_string())?;
        demand.memory = value
            .as_u64()
            .ok_or_else(|| format!("`memory` must be a size, found {value}"))?;
    }
    Ok(demand)
}

/// A size in words (`1.5 GiB`).
fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{n} bytes"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_wait_until_what_they_need_is_free() {
        let mut slots = Slots::new(2, 1000);
        let one = Demand::ONE_CPU;
        assert!(slots.try_take(one));
        assert!(slots.try_take(one));
        assert!(!slots.try_take(one), "two CPUs are taken");
        slots.give(one);
        assert!(slots.try_take(Demand {
            milli_cpus: 500,
            memory: 600
        }));
        assert!(
            !slots.try_take(Demand {
                milli_cpus: 500,
                memory: 600
            }),
            "the memory budget is spent"
        );
    }

    #[test]
    fn a_unit_alone_always_runs() {
        let mut slots = Slots::new(1, 10);
        assert!(slots.try_take(Demand {
            milli_cpus: 4000,
            memory: 100
        }));
    }

    #[test]
    fn sizes_read_in_words() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
