//! The table operators (`read_csv`, `sql`, `join`, ...) on DataFusion.
//!
//! A table travels between nodes as a handle (`{"$table": N}`) to a lazy
//! DataFusion `DataFrame`: each operator extends its input's logical plan, so
//! consecutive table nodes form one plan that DataFusion optimises and runs as
//! a whole (fusion). A table is materialised only where it must be:
//! - written (`write_csv`, `write_parquet`) or turned into rows (`rows`, an
//!   output, or a value handed to a non-table operator);
//! - read by two or more nodes: it is computed once and kept in memory
//!   (`DataFrame::cache`), so the consumers do not each recompute it.
//!
//! DataFusion is async; the engine owns a tokio runtime and each operator
//! blocks its rayon task on it. The engine is built on the first table
//! operator of a run, so runs without tables never start it, unless the
//! caller started it beforehand ([`StartingTables`]).

mod batches;
mod convert;
mod dynamic_filter;
mod failure;
mod ops;
mod sql_params;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::{DataFrame, SessionConfig};
use serde_json::{Map, Value, json};

use failure::Source;

pub use convert::{JsonRows, batch_of, rows_of};
/// Arrow's record batch: the form of a table output handed back as batches
/// ([`crate::TableOutputs::Batches`]).
pub use datafusion::arrow::record_batch::RecordBatch;
pub use ops::{ITEM_COLUMNS_ARG, SQL_PARAMS_ARG, SQL_TABLES_ARG};

/// A table engine being started on a thread of its own, so that its threads
/// and its session (which registers every DataFusion function, about a
/// millisecond) are ready by the time the caller has compiled the plan it
/// runs with [`crate::executor::run_with_tables`]. The caller's check can
/// plan its queries on that session too ([`StartingTables::session_source`]),
/// instead of building a second one.
pub struct StartingTables {
    options: TableOptions,
    /// None when no thread could be started: the run starts the engine.
    thread: Option<std::thread::JoinHandle<Result<Tables, String>>>,
    /// The engine's session once built (`Some(None)`: there will be none).
    session: Arc<SessionSlot>,
}

/// A session handed from the thread that builds it to those that wait for it.
#[derive(Default)]
struct SessionSlot {
    state: Mutex<Option<Option<SessionState>>>,
    ready: std::sync::Condvar,
}

impl SessionSlot {
    /// Hands `state` (or the news that there is none) to every waiter,
    /// unless the slot was filled before (the first filling stands).
    fn fill(&self, state: Option<SessionState>) {
        let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(state);
            self.ready.notify_all();
        }
    }

    /// The session, once there is one; `None` if there will be none.
    fn wait(&self) -> Option<SessionState> {
        let guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let guard = self
            .ready
            .wait_while(guard, |state| state.is_none())
            .unwrap_or_else(|e| e.into_inner());
        guard.clone().flatten()
    }
}

/// Tells a slot's waiters that there is no session, when dropped before
/// the slot was filled (a start that panicked).
struct FillOnDrop(Arc<SessionSlot>);

impl Drop for FillOnDrop {
    fn drop(&mut self) {
        self.0.fill(None);
    }
}

impl StartingTables {
    /// Starts an engine with `options`.
    pub fn start(options: TableOptions) -> Self {
        let session = Arc::new(SessionSlot::default());
        let thread = {
            let options = options.clone();
            let session = session.clone();
            std::thread::Builder::new()
                .name("pipec-tables-start".into())
                .spawn(move || {
                    // Waiters hear of it even if the start panics.
                    let filled = FillOnDrop(session);
                    let tables = Tables::new(&options);
                    filled
                        .0
                        .fill(tables.as_ref().ok().map(|t| t.session().clone()));
                    tables
                })
                .ok()
        };
        if thread.is_none() {
            session.fill(None);
        }
        StartingTables {
            options,
            thread,
            session,
        }
    }

    /// A function that returns a copy of the engine's session, waiting for
    /// it to be built (`None` if the engine could not start): DataFusion's
    /// functions and this run's settings, for planning queries against
    /// the tables' schemas before the run.
    pub fn session_source(&self) -> impl Fn() -> Option<SessionState> + Send + Sync + 'static {
        let session = self.session.clone();
        move || session.wait()
    }

    /// The engine, once started; `None` if it could not be started here.
    fn finish(self) -> Option<Result<Tables, String>> {
        self.thread?.join().ok()
    }
}

/// A run's table engine: started by the first table operator that needs
/// it, or handed in already starting.
pub(crate) struct Engine {
    tables: OnceLock<Result<Tables, String>>,
    starting: Mutex<Option<StartingTables>>,
}

impl Engine {
    /// An engine not started yet, or `starting`.
    pub(crate) fn new(starting: Option<StartingTables>) -> Self {
        Engine {
            tables: OnceLock::new(),
            starting: Mutex::new(starting),
        }
    }

    /// The engine, started with `options` if it is not running yet (an
    /// engine started beforehand with other options is not used).
    pub(crate) fn get(&self, options: &TableOptions) -> Result<&Tables, String> {
        self.tables
            .get_or_init(|| {
                let starting = self
                    .starting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                starting
                    .filter(|starting| starting.options == *options)
                    .and_then(StartingTables::finish)
                    .unwrap_or_else(|| Tables::new(options))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The engine if a table operator has started it (and so may have made
    /// tables).
    pub(crate) fn running(&self) -> Option<&Tables> {
        self.tables.get()?.as_ref().ok()
    }
}

/// The engine's tokio runtime. Dropped, it stops its threads without
/// waiting for each to end (`shutdown_background`): every operator has
/// awaited its work by then, and joining them held the end of every run,
/// and so the printing of `pipec run`'s outputs (about 0.1 ms of the 0.4-0.55
/// ms between a query's last batch and the printing, TPC-H q16 and q22).
struct EngineRuntime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for EngineRuntime {
    type Target = tokio::runtime::Runtime;

    fn deref(&self) -> &Self::Target {
        self.0
            .as_ref()
            .expect("the runtime is taken only when the engine is dropped")
    }
}

impl Drop for EngineRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The key of a table handle in a JSON value.
pub const HANDLE_KEY: &str = "$table";

/// How the table engine runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// A memory limit in bytes for DataFusion's operators; sorts, aggregates
    /// and joins beyond it spill to a temporary directory.
    pub memory_limit: Option<usize>,
    /// Where spills go (default: the system's temporary directory).
    pub spill_dir: Option<PathBuf>,
    /// Partitions per plan, and the engine's threads (default: a thread per
    /// core and as many partitions, at least [`MIN_TARGET_PARTITIONS`]).
    pub partitions: Option<usize>,
}

/// The table engine of one run: a tokio runtime, DataFusion's session
/// settings and the tables produced so far.
pub struct Tables {
    runtime: EngineRuntime,
    config: SessionConfig,
    env: Arc<RuntimeEnv>,
    /// The run's session (its settings, memory pool and DataFusion's
    /// functions), built the first time an operator needs it: building one
    /// registers every built-in function, so each operator works on a copy.
    session: OnceLock<SessionState>,
    frames: Mutex<Vec<Kept>>,
    /// Whether plans apply Parquet scans' dynamic filters to their rows
    /// ([`dynamic_filter`]); `PIPEC_DYNAMIC_FILTERS=off` turns it off.
    applies_dynamic_filters: bool,
}

/// A table of the run, the node that made it and the files its plan reads
/// (named in engine errors that surface when the table is finally computed,
/// far from its reader).
struct Kept {
    frame: DataFrame,
    node: String,
    sources: Arc<Vec<Source>>,
}

/// A grouping's first step (the partial aggregate each partition makes
/// before rows are shuffled to the final one) is skipped when, after its
/// first 100,000 rows, it has more groups than this share of its rows.
/// DataFusion's default, 0.8, keeps a partial aggregate that only halves its
/// rows: TPC-H q18 (6 M lineitem rows to 1.5 M orders) then hashes every row
/// twice. With 0.2, q18 takes about 5 % less time and CPU, the other queries
/// the same within noise (docs/performance.md). The environment variable
/// below overrides it.
const SKIP_PARTIAL_AGGREGATION_RATIO: f64 = 0.2;

/// The `DATAFUSION_*` variable that sets the ratio above.
const SKIP_PARTIAL_AGGREGATION_VARIABLE: &str =
    "DATAFUSION_EXECUTION_SKIP_PARTIAL_AGGREGATION_PROBE_RATIO_THRESHOLD";

/// The fewest partitions a plan is split into when the caller does not say
/// (DataFusion's default is one per core). On 2 cores, 2 partitions left a
/// core idle for part of every query (TPC-H q22: 1.07 CPUs busy of 2, q10
/// 1.35) where 4 kept both busier (1.34, 1.68) for the same CPU time: q22
/// ran 19 % faster, q10 17 %, and 17 of the 22 TPC-H queries were faster
/// (docs/performance.md). 8 was slower again (q21 1.30 times as long). With
/// 4 cores or more, DataFusion's default stands.
const MIN_TARGET_PARTITIONS: usize = 4;

/// The `DATAFUSION_*` variable that sets the partitions, which wins.
const TARGET_PARTITIONS_VARIABLE: &str = "DATAFUSION_EXECUTION_TARGET_PARTITIONS";

impl Tables {
    /// Starts an engine.
    pub fn new(options: &TableOptions) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.partitions.unwrap_or_else(cores).max(1))
            .thread_name("pipec-tables")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the table engine: {e}"))?;
        let mut env = RuntimeEnvBuilder::new();
        if let Some(limit) = options.memory_limit {
            env = env.with_memory_pool(Arc::new(FairSpillPool::new(limit)));
            let mode = match &options.spill_dir {
                Some(dir) => DiskManagerMode::Directories(vec![dir.clone()]),
                None => DiskManagerMode::OsTmpDirectory,
            };
            env = env.with_disk_manager_builder(DiskManagerBuilder::default().with_mode(mode));
        }
        let env = env
            .build_arc()
            .map_err(|e| format!("cannot start the table engine: {e}"))?;
        // DataFusion's defaults, then any `DATAFUSION_*` environment variables
        // (e.g. DATAFUSION_EXECUTION_BATCH_SIZE=16384).
        let mut config = SessionConfig::from_env()
            .map_err(|e| format!("a DATAFUSION_* environment variable is wrong: {e}"))?
            .with_information_schema(false);
        if std::env::var_os(SKIP_PARTIAL_AGGREGATION_VARIABLE).is_none() {
            config
                .options_mut()
                .execution
                .skip_partial_aggregation_probe_ratio_threshold = SKIP_PARTIAL_AGGREGATION_RATIO;
        }
        match options.partitions {
            Some(partitions) => config = config.with_target_partitions(partitions.max(1)),
            None if std::env::var_os(TARGET_PARTITIONS_VARIABLE).is_none() => {
                config = config.with_target_partitions(cores().max(MIN_TARGET_PARTITIONS));
            }
            None => {}
        }
        if let Some(limit) = options.memory_limit {
            // A sort reserves this much up front for merging its spills
            // (10 MB by default): under a small limit it must shrink, or
            // the sort fails instead of spilling.
            let execution = &mut config.options_mut().execution;
            execution.sort_spill_reservation_bytes =
                execution.sort_spill_reservation_bytes.min(limit / 8);
        }
        Ok(Tables {
            runtime: EngineRuntime(Some(runtime)),
            config,
            env,
            session: OnceLock::new(),
            frames: Mutex::new(Vec::new()),
            applies_dynamic_filters: std::env::var("PIPEC_DYNAMIC_FILTERS")
                .map_or(true, |value| value != "off"),
        })
    }

    /// Keeps the table `node` made, which reads `sources`, and returns its handle.
    fn keep(&self, frame: DataFrame, node: &str, sources: Arc<Vec<Source>>) -> Value {
        let mut frames = self.frames.lock().unwrap_or_else(|e| e.into_inner());
        frames.push(Kept {
            frame,
            node: node.to_string(),
            sources,
        });
        json!({ HANDLE_KEY: frames.len() - 1 })
    }

    /// The table a handle refers to.
    fn frame(&self, value: &Value) -> Option<DataFrame> {
        let id = handle(value)?;
        let frames = self.frames.lock().unwrap_or_else(|e| e.into_inner());
        frames.get(id).map(|kept| kept.frame.clone())
    }

    /// The files read by the tables of every handle in `value`, in order, once each.
    fn sources_in(&self, value: &Value, into: &mut Vec<Source>) {
        match value {
            Value::Object(map) => match handle_of_map(map) {
                Some(id) => {
                    let frames = self.frames.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(kept) = frames.get(id) {
                        for source in kept.sources.iter() {
                            if !into.contains(source) {
                                into.push(source.clone());
                            }
                        }
                    }
                }
                None => map.values().for_each(|v| self.sources_in(v, into)),
            },
            Value::Array(items) => items.iter().for_each(|v| self.sources_in(v, into)),
            _ => {}
        }
    }

    /// The node that made the table of a handle.
    fn maker(&self, value: &Value) -> Option<String> {
        let id = handle(value)?;
        let frames = self.frames.lock().unwrap_or_else(|e| e.into_inner());
        frames.get(id).map(|kept| kept.node.clone())
    }

    /// The Arrow batches of the table a handle refers to, computed now; an
    /// engine error names the node that made the table and the files it reads.
    pub fn collect(&self, table: &Value) -> Result<Vec<RecordBatch>, String> {
        let frame = self
            .frame(table)
            .ok_or("a table handle refers to no table of this run")?;
        self.runtime.block_on(frame.collect()).map_err(|e| {
            let mut sources = Vec::new();
            self.sources_in(table, &mut sources);
            let described = failure::describe(&e.strip_backtrace(), &sources);
            match self.maker(table) {
                Some(node) if !described.contains(&format!("node `{node}`")) => {
                    format!("node `{node}`: {described}")
                }
                _ => described,
            }
        })
    }

    /// `value` with every table handle in it replaced by the table's rows.
    pub fn export(&self, value: Value) -> Result<Value, String> {
        match value {
            Value::Object(map) if handle_of_map(&map).is_some() => {
                let batches = self.collect(&Value::Object(map))?;
                Ok(Value::Array(rows_of(&batches)?))
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    out.insert(k, self.export(v)?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => Ok(Value::Array(
                items
                    .into_iter()
                    .map(|v| self.export(v))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(other),
        }
    }
}

/// The table id in a handle value.
pub fn handle(value: &Value) -> Option<usize> {
    value.as_object().and_then(handle_of_map)
}

fn handle_of_map(map: &Map<String, Value>) -> Option<usize> {
    if map.len() != 1 {
        return None;
    }
    map.get(HANDLE_KEY)?.as_u64().map(|n| n as usize)
}

/// Whether a value holds a table handle anywhere.
pub fn holds_table(value: &Value) -> bool {
    match value {
        Value::Object(map) => handle_of_map(map).is_some() || map.values().any(holds_table),
        Value::Array(items) => items.iter().any(holds_table),
        _ => false,
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_has_at_least_four_partitions_unless_told_otherwise() {
        // The environment variable, when a developer has set it, wins.
        if std::env::var_os(TARGET_PARTITIONS_VARIABLE).is_some() {
            return;
        }
        let tables = Tables::new(&TableOptions::default()).expect("an engine");
        let partitions = tables.config.options().execution.target_partitions;
        assert_eq!(partitions, cores().max(MIN_TARGET_PARTITIONS));
        // The caller's number is taken as it is.
        let told = TableOptions {
            partitions: Some(1),
            ..TableOptions::default()
        };
        let tables = Tables::new(&told).expect("an engine");
        assert_eq!(tables.config.options().execution.target_partitions, 1);
    }

    #[test]
    fn a_grouping_skips_its_partial_aggregate_sooner_than_datafusions_default() {
        // The environment variable, when a developer has set it, wins.
        if std::env::var_os(SKIP_PARTIAL_AGGREGATION_VARIABLE).is_some() {
            return;
        }
        let tables = Tables::new(&TableOptions::default()).expect("an engine");
        let execution = &tables.config.options().execution;
        assert_eq!(
            execution.skip_partial_aggregation_probe_ratio_threshold,
            SKIP_PARTIAL_AGGREGATION_RATIO
        );
        let datafusion = SessionConfig::new();
        assert!(
            datafusion
                .options()
                .execution
                .skip_partial_aggregation_probe_ratio_threshold
                > SKIP_PARTIAL_AGGREGATION_RATIO
        );
    }

    #[test]
    fn a_starting_engine_hands_its_session_to_a_waiting_check() {
        let starting = StartingTables::start(TableOptions::default());
        let source = starting.session_source();
        let session = source().expect("the engine's session");
        // The run's settings (unless a developer's variable sets this one).
        assert!(
            std::env::var_os(SKIP_PARTIAL_AGGREGATION_VARIABLE).is_some()
                || session
                    .config()
                    .options()
                    .execution
                    .skip_partial_aggregation_probe_ratio_threshold
                    == SKIP_PARTIAL_AGGREGATION_RATIO
        );
        // Asked again, after the engine is running: the same session.
        assert!(source().is_some());
        assert!(starting.finish().is_some_and(|tables| tables.is_ok()));
    }

    #[test]
    fn a_start_that_never_fills_its_slot_wakes_the_waiters_with_none() {
        let slot = Arc::new(SessionSlot::default());
        let waiter = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.wait().is_none())
        };
        drop(FillOnDrop(slot));
        assert!(waiter.join().expect("the waiter returns"));
    }
}
