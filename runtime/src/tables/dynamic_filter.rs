//! Applies the dynamic filters a Parquet scan is given to its rows.
//!
//! DataFusion pushes the filters a hash join builds from its build side (its
//! keys' range, or the keys themselves) and a top-k's threshold into the
//! Parquet scans below them. With Parquet filter pushdown off (the default,
//! which is faster on most queries), a scan only prunes row groups with them;
//! when every row group spans every key (TPC-H's lineitem by part or order),
//! every row still flows up to the filter's maker, through whatever lies in
//! between. Where that is costly (an aggregate, a sort, a window or another
//! join: TPC-H q17 aggregates all of lineitem by part before the join that
//! keeps 0.1 % of it), [`ApplyDynamicFilters`] puts an
//! [`AdaptiveFilterExec`] over the scan. It applies the scan's dynamic
//! filters one after the other, the one that has kept the fewest rows first,
//! and pauses a filter while it keeps nearly every row, trying it again every
//! few batches (a top-k's threshold tightens as it runs). A filter whose
//! rows reach its maker past cheap nodes only is applied while one past
//! costly work is (it spares that one rows), and otherwise left to its maker,
//! which looks each row up anyway. None is applied while those past costly
//! work drop few of the rows the others keep (the others' makers drop the
//! rest anyway): the filters would only look rows up twice. A dynamic filter
//! keeps every row its maker can use, so dropping rows early never changes a
//! result, and skipping the filter never does either. A filter that looks
//! rows up in a hash table (a large build side) pauses unless it drops
//! nearly every row: it costs about what it spares.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::ScalarValue;
use datafusion::common::cast::as_boolean_array;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::datasource::physical_plan::{FileSource, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Operator;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{
    BinaryExpr, CaseExpr, DynamicFilterPhysicalExpr, InListExpr, Literal,
};
use datafusion::physical_expr::utils::{reassign_expr_columns, split_conjunction};
use datafusion::physical_expr_common::physical_expr::{
    snapshot_generation, snapshot_physical_expr,
};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::joins::HashTableLookupExpr;
use datafusion::physical_plan::metrics::{
    BaselineMetrics, Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet,
};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures::Stream;

/// A batch that keeps more than this share of its rows makes the filter
/// pause.
const KEEPS_NEARLY_ALL: f64 = 0.9;

/// A filter that looks each row up in its maker's hash table (a build side
/// too large for a key set) costs about as much per row as the costly work
/// it spares, so a batch that keeps more than this share of its rows makes
/// it pause. TPC-H q8: the customer join's filter on orders kept 20 % of
/// them for 25-55 ms of CPU, sparing the order-key join's build the rest;
/// paused, q8 took 0.96 and 0.95 of the time (21 and 9 interleaved rounds),
/// as with pipec's rule off. q20's filter keeps 1 % of its rows and q18's
/// nearly none: they are still applied.
const LOOKUP_KEEPS_AT_MOST: f64 = 0.1;

/// How many batches pass unfiltered after one that kept nearly all its rows.
const PAUSE_BATCHES: u32 = 15;

/// The filters are applied while those past costly work spare it at least
/// this share of the rows the other filters keep (the others' makers drop
/// the rest anyway). TPC-H q8: lineitem's part filter keeps 0.7 %, its
/// order filter would spare the joins above 0.7 % more: applying both
/// looked every row up twice (once here, once in the part join), 7 % slower.
const WORTH_SPARING: f64 = 0.1;

/// The physical optimizer rule that puts an [`AdaptiveFilterExec`] over the
/// Parquet scans whose dynamic filters pass costly work on their way up to
/// the node that made them, when Parquet filter pushdown (which would apply
/// them in the reader) is off.
///
/// Costly work is an aggregate, a sort, a window or another join (see
/// `is_costly`): a filter whose rows only pass projections, filters and
/// repartitions to its hash join is left to the join, which looks each row
/// up once anyway (applying it early would look it up twice).
#[derive(Debug, Default)]
pub struct ApplyDynamicFilters;

impl PhysicalOptimizerRule for ApplyDynamicFilters {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if config.execution.parquet.pushdown_filters {
            return Ok(plan);
        }
        rewrite(plan, &HashMap::new())
    }

    fn name(&self) -> &str {
        "apply_dynamic_filters"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// Dynamic filters made above a node, by expression id: whether rows pass
/// costly work between the node and the filter's maker.
type OpenFilters = HashMap<u64, bool>;

/// `node` with adaptive filters put over its scans (or over a static filter
/// right above a scan, which drops rows more cheaply).
fn rewrite(node: Arc<dyn ExecutionPlan>, open: &OpenFilters) -> Result<Arc<dyn ExecutionPlan>> {
    let mut below = open.clone();
    if is_costly(&node) {
        below.values_mut().for_each(|costly| *costly = true);
    }
    for made in node.dynamic_expressions_produced() {
        if let Some(id) = made.expression_id() {
            below.insert(id, false);
        }
    }
    let scan_below = match node.children().as_slice() {
        [child] if node.downcast_ref::<FilterExec>().is_some() => costly_filters(child, &below),
        _ => Vec::new(),
    };
    if let Some(filters) = on_columns(&scan_below, &node.schema()) {
        return Ok(Arc::new(AdaptiveFilterExec::new(node, filters)));
    }
    if let Some(filters) = on_columns(&costly_filters(&node, open), &node.schema()) {
        return Ok(Arc::new(AdaptiveFilterExec::new(node, filters)));
    }
    let children = node
        .children()
        .into_iter()
        .map(|child| rewrite(Arc::clone(child), &below))
        .collect::<Result<Vec<_>>>()?;
    if children.is_empty() {
        return Ok(node);
    }
    replace_children_if_necessary(node, children)
}

/// Whether a node does more work per row than a filter of hash lookups:
/// grouping, sorting, windows, and joins (a join's output is made row by row;
/// a selective join under the filter's maker is better met with its own
/// filter first, which [`AdaptiveFilterExec`] does). Projections, filters
/// and repartitions cost about as much as the filter, or less; rows that
/// pass only those to the filter's maker are left to it.
fn is_costly(node: &Arc<dyn ExecutionPlan>) -> bool {
    matches!(
        node.name(),
        "AggregateExec"
            | "SortExec"
            | "BoundedWindowAggExec"
            | "WindowAggExec"
            | "HashJoinExec"
            | "SortMergeJoinExec"
            | "NestedLoopJoinExec"
            | "CrossJoinExec"
            | "SymmetricHashJoinExec"
    )
}

/// The dynamic filters of a Parquet scan (on the file's columns), if the
/// rows of one of them pass costly work before its maker; none otherwise,
/// and for any other node.
fn costly_filters(node: &Arc<dyn ExecutionPlan>, open: &OpenFilters) -> Vec<ScanFilter> {
    let Some(scan) = node.downcast_ref::<DataSourceExec>() else {
        return Vec::new();
    };
    let Some(predicate) = scan
        .downcast_to_file_source::<ParquetSource>()
        .and_then(|(_, parquet)| parquet.filter())
    else {
        return Vec::new();
    };
    let dynamic: Vec<ScanFilter> = split_conjunction(&predicate)
        .into_iter()
        .filter(|expr| expr.downcast_ref::<DynamicFilterPhysicalExpr>().is_some())
        .map(|expr| ScanFilter {
            expression: Arc::clone(expr),
            past_costly_work: expr
                .expression_id()
                .is_some_and(|id| open.get(&id) == Some(&true)),
        })
        .collect();
    if dynamic.iter().any(|filter| filter.past_costly_work) {
        dynamic
    } else {
        Vec::new()
    }
}

/// A scan's dynamic filter, as [`AdaptiveFilterExec`] applies it.
#[derive(Debug, Clone)]
pub struct ScanFilter {
    /// The filter, on the columns of the node it is applied over.
    pub expression: Arc<dyn PhysicalExpr>,
    /// Whether the scan's rows pass costly work before they reach the
    /// filter's maker. A filter that does not is applied only while one that
    /// does is (it makes that one's work smaller); when those are paused,
    /// it is left to its maker, which looks each row up anyway.
    pub past_costly_work: bool,
}

/// `filters` on the columns of `schema` (a scan's predicate names the
/// file's columns; a node reads its own, which may be fewer, in another
/// order); `None` if there are none or one names a column `schema` lacks.
fn on_columns(filters: &[ScanFilter], schema: &SchemaRef) -> Option<Vec<ScanFilter>> {
    if filters.is_empty() {
        return None;
    }
    filters
        .iter()
        .map(|filter| {
            Ok(ScanFilter {
                expression: reassign_expr_columns(Arc::clone(&filter.expression), schema)?,
                past_costly_work: filter.past_costly_work,
            })
        })
        .collect::<Result<Vec<_>>>()
        .ok()
}

/// Filters its input's batches with dynamic filters, the most selective
/// first, each while it drops rows; see the module documentation.
#[derive(Debug)]
pub struct AdaptiveFilterExec {
    input: Arc<dyn ExecutionPlan>,
    filters: Vec<ScanFilter>,
    /// Rows out, time spent and rows dropped, for `EXPLAIN ANALYZE`.
    metrics: ExecutionPlanMetricsSet,
}

impl AdaptiveFilterExec {
    /// Filters `input` by each of `filters` (on `input`'s columns).
    pub fn new(input: Arc<dyn ExecutionPlan>, filters: Vec<ScanFilter>) -> Self {
        AdaptiveFilterExec {
            input,
            filters,
            metrics: ExecutionPlanMetricsSet::new(),
        }
    }
}

impl DisplayAs for AdaptiveFilterExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "AdaptiveFilterExec: ")?;
        for (n, filter) in self.filters.iter().enumerate() {
            let then = if n > 0 { ", " } else { "" };
            write!(f, "{then}{}", filter.expression)?;
        }
        Ok(())
    }
}

impl ExecutionPlan for AdaptiveFilterExec {
    fn name(&self) -> &'static str {
        "AdaptiveFilterExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        // Rows are only dropped: partitioning, order and equivalences hold.
        self.input.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        for filter in &self.filters {
            if f(&filter.expression)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match children.pop() {
            Some(input) if children.is_empty() => Ok(Arc::new(AdaptiveFilterExec::new(
                input,
                self.filters.clone(),
            ))),
            _ => datafusion::common::internal_err!("AdaptiveFilterExec takes one input"),
        }
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        Ok(Box::pin(AdaptiveFilterStream {
            input: self.input.execute(partition, context)?,
            baseline: BaselineMetrics::new(&self.metrics, partition),
            dropped: MetricBuilder::new(&self.metrics).counter("rows_dropped", partition),
            filters: self
                .filters
                .iter()
                .map(|f| FilterRecord::new(Arc::clone(&f.expression), f.past_costly_work))
                .collect(),
            unfiltered: 0,
        }))
    }
}

/// The keys of a partitioned hash join's dynamic filter as one set, where
/// DataFusion gives them as `CASE hash(key) % n WHEN 0 THEN key IN (set 0)
/// ... ELSE false END` (each set with its partition's key range): a key
/// belongs to one partition, so it is in the union exactly when it is in its
/// own partition's set. One set lookup per row replaces hashing the key,
/// copying each partition's rows out and looking them up in its set (TPC-H
/// q17, in-process median: 0.235 s before, 0.163 s after). Any other filter
/// is returned as it is.
fn merge_partition_key_sets(
    filter: Arc<dyn PhysicalExpr>,
    schema: &Schema,
) -> Arc<dyn PhysicalExpr> {
    merged_key_sets(&filter, schema).unwrap_or(filter)
}

/// The union of the key sets of a partitioned join's filter; `None` for
/// any other shape.
fn merged_key_sets(
    filter: &Arc<dyn PhysicalExpr>,
    schema: &Schema,
) -> Option<Arc<dyn PhysicalExpr>> {
    let case = filter.downcast_ref::<CaseExpr>()?;
    let routing = case.expr()?.downcast_ref::<BinaryExpr>()?;
    let ends_false = case
        .else_expr()?
        .downcast_ref::<Literal>()
        .is_some_and(|l| l.value() == &ScalarValue::Boolean(Some(false)));
    if *routing.op() != Operator::Modulo || !ends_false {
        return None;
    }
    let mut key: Option<&Arc<dyn PhysicalExpr>> = None;
    let mut values = Vec::new();
    let mut seen = HashSet::new();
    for (_, then) in case.when_then_expr() {
        let set = split_conjunction(then)
            .into_iter()
            .find_map(|part| part.downcast_ref::<InListExpr>())?;
        if set.negated() || key.is_some_and(|key| key != set.expr()) {
            return None;
        }
        key = Some(set.expr());
        // A build side's keys repeat (q17: 6,088 rows, 204 parts): the set
        // is built from each value once.
        for value in set.list() {
            let repeated = value
                .downcast_ref::<Literal>()
                .is_some_and(|literal| !seen.insert(literal.value().clone()));
            if !repeated {
                values.push(Arc::clone(value));
            }
        }
    }
    let merged = InListExpr::try_new(Arc::clone(key?), values, false, schema).ok()?;
    Some(Arc::new(merged))
}

/// One dynamic filter of a stream and what it has done.
struct FilterRecord {
    filter: Arc<dyn PhysicalExpr>,
    /// Whether rows pass costly work before its maker ([`ScanFilter`]).
    past_costly_work: bool,
    /// The filter's expression as it stands, made cheaper to evaluate
    /// ([`merge_partition_key_sets`]), and the generation it was taken at.
    current: Option<(u64, Arc<dyn PhysicalExpr>)>,
    /// Whether that expression looks rows up in a hash table.
    looks_up: bool,
    /// Rows it was given and rows it kept, halved now and then so that
    /// recent batches count most.
    seen: u64,
    kept: u64,
    /// The share of rows it kept of the last batch it was applied to (a
    /// half before it has been), which follows a filter that tightens as
    /// its maker runs (a top-k's threshold) sooner than [`Self::keeps`].
    last_kept: f64,
    /// Batches left to pass without it.
    paused_for: u32,
}

impl FilterRecord {
    fn new(filter: Arc<dyn PhysicalExpr>, past_costly_work: bool) -> Self {
        FilterRecord {
            filter,
            past_costly_work,
            current: None,
            looks_up: false,
            seen: 0,
            kept: 0,
            last_kept: 0.5,
            paused_for: 0,
        }
    }

    /// The share of rows it keeps (a half before it has seen any).
    fn keeps(&self) -> f64 {
        if self.seen == 0 {
            0.5
        } else {
            self.kept as f64 / self.seen as f64
        }
    }

    /// The filter's expression as it stands now, taken anew when its maker
    /// has changed it.
    fn expression(&mut self, schema: &Schema) -> Result<Arc<dyn PhysicalExpr>> {
        let generation = snapshot_generation(&self.filter);
        if let Some((taken_at, expression)) = &self.current
            && *taken_at == generation
        {
            return Ok(Arc::clone(expression));
        }
        let expression =
            merge_partition_key_sets(snapshot_physical_expr(Arc::clone(&self.filter))?, schema);
        self.looks_up =
            expression.exists(|node| Ok(node.downcast_ref::<HashTableLookupExpr>().is_some()))?;
        self.current = Some((generation, Arc::clone(&expression)));
        Ok(expression)
    }

    /// `batch` without the rows the filter drops.
    fn apply(&mut self, batch: RecordBatch) -> Result<RecordBatch> {
        let rows = batch.num_rows();
        let keep = self
            .expression(&batch.schema())?
            .evaluate(&batch)?
            .into_array(rows)?;
        let kept = filter_record_batch(&batch, as_boolean_array(&keep)?)?;
        let keeps_at_most = if self.looks_up {
            LOOKUP_KEEPS_AT_MOST
        } else {
            KEEPS_NEARLY_ALL
        };
        if kept.num_rows() as f64 > rows as f64 * keeps_at_most {
            self.paused_for = PAUSE_BATCHES;
        }
        if self.seen > 1 << 20 {
            self.seen /= 2;
            self.kept /= 2;
        }
        self.seen += rows as u64;
        self.kept += kept.num_rows() as u64;
        if rows > 0 {
            self.last_kept = kept.num_rows() as f64 / rows as f64;
        }
        Ok(kept)
    }
}

/// The batches of one partition, filtered while the filters drop rows.
struct AdaptiveFilterStream {
    input: SendableRecordBatchStream,
    baseline: BaselineMetrics,
    dropped: Count,
    /// In the order they are applied: the one that keeps the fewest first.
    filters: Vec<FilterRecord>,
    /// Batches passed unfiltered because the filters were not worth it.
    unfiltered: u32,
}

impl AdaptiveFilterStream {
    /// The share of rows the filters past costly work (those not paused)
    /// would spare it: the rows they drop among those the other filters
    /// keep, as the last batch each was applied to tells.
    fn spared_share(&self) -> f64 {
        let (mut others_keep, mut costly_keep) = (1.0, 1.0);
        for record in &self.filters {
            if !record.past_costly_work {
                others_keep *= record.last_kept;
            } else if record.paused_for == 0 {
                costly_keep *= record.last_kept;
            }
        }
        others_keep * (1.0 - costly_keep)
    }

    fn filter(&mut self, mut batch: RecordBatch) -> Result<RecordBatch> {
        let _timer = self.baseline.elapsed_compute().timer();
        let rows = batch.num_rows();
        self.filters.sort_by(|a, b| a.keeps().total_cmp(&b.keeps()));
        // With every filter past costly work paused, or sparing it little
        // beyond what the others drop, the others are left to their makers
        // (TPC-H q9: the part join's own filter on lineitem). Every few
        // batches they are applied anyway, so that their records stay true.
        let worth_it = self.spared_share() >= WORTH_SPARING || self.unfiltered >= PAUSE_BATCHES;
        if worth_it {
            self.unfiltered = 0;
        } else {
            self.unfiltered += 1;
        }
        for record in &mut self.filters {
            if worth_it && batch.num_rows() == 0 {
                break;
            }
            if record.paused_for > 0 {
                record.paused_for -= 1;
            } else if worth_it {
                batch = record.apply(batch)?;
            }
        }
        self.dropped.add(rows - batch.num_rows());
        Ok(batch)
    }
}

impl Stream for AdaptiveFilterStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let poll = match self.input.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(batch))) => match self.filter(batch) {
                    // An emptied batch is not passed on.
                    Ok(kept) if kept.num_rows() == 0 => continue,
                    other => Poll::Ready(Some(other)),
                },
                other => other,
            };
            return self.baseline.record_poll(poll);
        }
    }
}

impl RecordBatchStream for AdaptiveFilterStream {
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::Int64Array;
    use datafusion::execution::SessionStateBuilder;
    use datafusion::physical_plan::collect;
    use datafusion::physical_plan::display::DisplayableExecutionPlan;
    use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

    use super::*;

    /// A session with the rule, small batches (so that a filter sees many)
    /// and Parquet filter pushdown as given, reading `big` (k = n % 1000,
    /// v = n for n below 20,000: every row group holds every key) and
    /// `small` (k below 1,000, tag 'x' for k below 5).
    /// Its files are in a directory of its own, named for `test` and
    /// removed when the returned guard is dropped.
    fn session(
        test: &str,
        pushdown: bool,
    ) -> (tokio::runtime::Runtime, SessionContext, tempfile::TempDir) {
        let dir = tempfile::Builder::new()
            .prefix(&format!("pipec-dynamic-filter-{test}-{pushdown}-"))
            .tempdir()
            .expect("a temporary directory");
        let mut config = SessionConfig::new()
            .with_target_partitions(2)
            .with_batch_size(512);
        config.options_mut().execution.parquet.pushdown_filters = pushdown;
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .with_physical_optimizer_rule(Arc::new(ApplyDynamicFilters))
            .build();
        let context = SessionContext::new_with_state(state);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async {
            for (name, query) in [
                ("big", "select value % 1000 as k, value as v from range(20000)"),
                (
                    "small",
                    "select value as k, case when value < 5 then 'x' else 'y' end as tag from range(1000)",
                ),
            ] {
                let path = dir.path().join(format!("{name}.parquet"));
                context
                    .sql(query)
                    .await
                    .expect("the data's query")
                    .write_parquet(path.to_str().expect("a UTF-8 path"), Default::default(), None)
                    .await
                    .expect("the data written");
                context
                    .register_parquet(name, path.to_str().expect("a UTF-8 path"), ParquetReadOptions::default())
                    .await
                    .expect("the table registered");
            }
        });
        (runtime, context, dir)
    }

    /// The physical plan of `query`, drawn with its metrics after the run,
    /// and its one integer answer.
    fn run(
        runtime: &tokio::runtime::Runtime,
        context: &SessionContext,
        query: &str,
    ) -> (String, i64) {
        runtime.block_on(async {
            let frame = context.sql(query).await.expect("the query plans");
            let plan = frame.create_physical_plan().await.expect("a physical plan");
            let batches = collect(Arc::clone(&plan), context.task_ctx())
                .await
                .expect("the query runs");
            let answer = batches[0]
                .column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("an integer answer")
                .value(0);
            let drawn = DisplayableExecutionPlan::with_metrics(plan.as_ref())
                .indent(false)
                .to_string();
            (drawn, answer)
        })
    }

    /// Keys 0..5 appear 20 times each in `big`, with v = k + 1000 i.
    fn expected_sum() -> i64 {
        (0..5i64)
            .flat_map(|k| (0..20).map(move |i| k + 1000 * i))
            .sum()
    }

    #[test]
    fn a_filter_that_would_pass_an_aggregate_is_applied_with_the_same_answer() {
        let query = "select sum(a.s) from small join (select k, sum(v) as s from big group by k) a \
                     on small.k = a.k where small.tag = 'x'";
        let (runtime, context, _dir) = session("aggregate", false);
        let (plan, answer) = run(&runtime, &context, query);
        assert!(plan.contains("AdaptiveFilterExec"), "{plan}");
        assert_eq!(answer, expected_sum());
        // Its metrics count the rows it dropped: all but keys 0..5's 100.
        let line = plan
            .lines()
            .find(|line| line.contains("AdaptiveFilterExec"))
            .unwrap_or_default();
        assert!(line.contains("rows_dropped=19.90 K"), "{line}");
        assert!(line.contains("output_rows=100"), "{line}");
        // With pushdown on, the reader applies the filter; the rule stays out.
        let (runtime, context, _pushdown_dir) = session("aggregate", true);
        let (plan, answer) = run(&runtime, &context, query);
        assert!(!plan.contains("AdaptiveFilterExec"), "{plan}");
        assert_eq!(answer, expected_sum());
    }

    #[test]
    fn a_hash_lookup_filter_pauses_unless_it_drops_nearly_every_row() {
        // Joins test their build side's keys by hash lookups, not key sets.
        let lookups = "set datafusion.optimizer.hash_join_inlist_pushdown_max_distinct_values = 0";
        let (runtime, context, _dir) = session("lookup", false);
        runtime.block_on(async {
            context.sql(lookups).await.expect("the setting");
        });
        let dropped = |plan: &str| {
            let line = plan
                .lines()
                .find(|line| line.contains("AdaptiveFilterExec"))
                .unwrap_or_default();
            let count = line
                .split("rows_dropped=")
                .nth(1)
                .and_then(|rest| rest.split([',', ']']).next())
                .unwrap_or_default()
                .to_string();
            (line.contains("hash_lookup"), count)
        };
        // Keys 0..5 of 1,000: it keeps 0.5 % of `big` and drops the rest.
        let (plan, answer) = run(
            &runtime,
            &context,
            "select sum(a.s) from small join (select k, sum(v) as s from big group by k) a \
             on small.k = a.k where small.tag = 'x'",
        );
        assert_eq!(answer, expected_sum());
        assert_eq!(dropped(&plan), (true, "19.90 K".to_string()), "{plan}");
        // Keys 0..200: it keeps a fifth, so it is tried now and then only.
        let (plan, answer) = run(
            &runtime,
            &context,
            "select count(*) from small join (select k, sum(v) as s from big group by k) a \
             on small.k = a.k where small.k < 200",
        );
        assert_eq!(answer, 200);
        let (looks_up, count) = dropped(&plan);
        assert!(looks_up, "{plan}");
        // 40 batches of 512 rows: applied to the first and every 16th.
        let count: f64 = match count.strip_suffix(" K") {
            Some(thousands) => thousands.parse::<f64>().unwrap_or(f64::MAX) * 1000.0,
            None => count.parse().unwrap_or(f64::MAX),
        };
        assert!(count < 4_000.0, "dropped {count} of 20,000 rows: {plan}");
    }

    #[test]
    fn a_filter_whose_rows_go_straight_to_its_join_is_left_to_the_join() {
        let (runtime, context, _dir) = session("join", false);
        let (plan, answer) = run(
            &runtime,
            &context,
            "select count(*) from big join small on big.k = small.k where small.tag = 'x'",
        );
        assert!(!plan.contains("AdaptiveFilterExec"), "{plan}");
        assert_eq!(answer, 100);
    }

    #[test]
    fn a_partitioned_joins_key_sets_are_merged_into_one_with_the_same_rows() {
        use datafusion::arrow::datatypes::{DataType, Field};
        use datafusion::physical_expr::expressions::{col, in_list, lit};

        let schema = Arc::new(Schema::new(vec![Field::new("k", DataType::Int64, false)]));
        let key = col("k", &schema).expect("the column");
        // Partition = k % 2, as a hash join routes its keys; each partition's
        // set holds its own build keys (4 twice, as a build side repeats).
        let routing: Arc<dyn PhysicalExpr> = Arc::new(BinaryExpr::new(
            Arc::clone(&key),
            Operator::Modulo,
            lit(2i64),
        ));
        let set = |values: &[i64]| {
            let list = values.iter().map(|&v| lit(v)).collect();
            in_list(Arc::clone(&key), list, &false, &schema).expect("an IN list")
        };
        let at_least = |low: i64| -> Arc<dyn PhysicalExpr> {
            Arc::new(BinaryExpr::new(Arc::clone(&key), Operator::GtEq, lit(low)))
        };
        let then = |low: i64, values: &[i64]| -> Arc<dyn PhysicalExpr> {
            Arc::new(BinaryExpr::new(at_least(low), Operator::And, set(values)))
        };
        let build = |otherwise: bool| -> Arc<dyn PhysicalExpr> {
            Arc::new(
                CaseExpr::try_new(
                    Some(Arc::clone(&routing)),
                    vec![
                        (lit(0i64), then(4, &[4, 4, 8])),
                        (lit(1i64), then(3, &[3, 7])),
                    ],
                    Some(lit(otherwise)),
                )
                .expect("a CASE"),
            )
        };
        let filter = build(false);
        let merged = merge_partition_key_sets(Arc::clone(&filter), &schema);
        let merged_set = merged.downcast_ref::<InListExpr>().expect("one IN list");
        assert_eq!(merged_set.list().len(), 4, "{merged}");
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from_iter_values(0..20))],
        )
        .expect("a batch");
        let keeps = |expr: &Arc<dyn PhysicalExpr>| {
            let kept = expr
                .evaluate(&batch)
                .and_then(|value| value.into_array(batch.num_rows()))
                .expect("the filter evaluates");
            as_boolean_array(&kept)
                .expect("booleans")
                .iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(keeps(&merged), keeps(&filter));
        assert_eq!(
            keeps(&merged).iter().filter(|k| **k == Some(true)).count(),
            4
        );
        // A CASE whose other partitions may hold anything (ELSE true: a
        // partition's build was canceled) is left as it is.
        let open = build(true);
        let left = merge_partition_key_sets(Arc::clone(&open), &schema);
        assert!(Arc::ptr_eq(&left, &open));
    }

    /// One batch of a column `k` holding 0 to 99, and the filter `k < 10`.
    fn hundred_keys_and_below_ten() -> (RecordBatch, Arc<dyn PhysicalExpr>) {
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        use datafusion::physical_expr::expressions::{col, lit};

        let schema = Arc::new(Schema::new(vec![Field::new("k", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from_iter_values(0..100))],
        )
        .expect("a batch");
        let below_ten = Arc::new(BinaryExpr::new(
            col("k", &schema).expect("the column"),
            Operator::Lt,
            lit(10i64),
        ));
        (batch, below_ten)
    }

    /// A stream with `filters` in that order, to be handed batches like
    /// `batch` one by one (its input is empty).
    fn filtering(batch: &RecordBatch, filters: Vec<FilterRecord>) -> AdaptiveFilterStream {
        use datafusion::physical_plan::stream::RecordBatchStreamAdapter;

        let metrics = ExecutionPlanMetricsSet::new();
        AdaptiveFilterStream {
            input: Box::pin(RecordBatchStreamAdapter::new(
                batch.schema(),
                futures::stream::empty(),
            )),
            baseline: BaselineMetrics::new(&metrics, 0),
            dropped: MetricBuilder::new(&metrics).counter("rows_dropped", 0),
            filters,
            unfiltered: 0,
        }
    }

    #[test]
    fn a_filter_that_keeps_every_row_is_paused_and_one_that_drops_rows_is_not() {
        use datafusion::physical_expr::expressions::lit;

        let (batch, below_ten) = hundred_keys_and_below_ten();
        let mut keeps_all = FilterRecord::new(lit(true), true);
        assert_eq!(
            keeps_all.apply(batch.clone()).expect("filtered").num_rows(),
            100
        );
        assert_eq!(keeps_all.paused_for, PAUSE_BATCHES);
        let mut drops = FilterRecord::new(below_ten, true);
        assert_eq!(drops.apply(batch).expect("filtered").num_rows(), 10);
        assert_eq!(drops.paused_for, 0);
        assert!(drops.keeps() < keeps_all.keeps());
    }

    #[test]
    fn a_filter_left_to_its_maker_is_applied_only_while_one_past_costly_work_is() {
        use datafusion::physical_expr::expressions::lit;

        let (batch, below_ten) = hundred_keys_and_below_ten();
        // Past costly work but keeping every row, and the maker's own
        // filter next, dropping nine rows in ten.
        let mut stream = filtering(
            &batch,
            vec![
                FilterRecord::new(lit(true), true),
                FilterRecord::new(below_ten, false),
            ],
        );
        let kept = |stream: &mut AdaptiveFilterStream| {
            stream.filter(batch.clone()).expect("filtered").num_rows()
        };
        // Both are tried; the first keeps every row and is paused.
        assert_eq!(kept(&mut stream), 10);
        // While it is paused the other is left to its maker.
        for _ in 0..PAUSE_BATCHES {
            assert_eq!(kept(&mut stream), 100);
        }
        // Tried again, both apply.
        assert_eq!(kept(&mut stream), 10);
    }

    #[test]
    fn filters_that_spare_costly_work_few_rows_beyond_the_makers_own_are_left_to_the_makers() {
        use datafusion::physical_expr::expressions::{col, lit};

        let (batch, below_ten) = hundred_keys_and_below_ten();
        let schema = batch.schema();
        let even = Arc::new(BinaryExpr::new(
            Arc::new(BinaryExpr::new(
                col("k", &schema).expect("the column"),
                Operator::Modulo,
                lit(2i64),
            )),
            Operator::Eq,
            lit(0i64),
        ));
        // Past costly work, dropping half of the rows; the maker's own
        // filter keeps one row in ten: the first spares costly work
        // only 5 % of the rows.
        let mut stream = filtering(
            &batch,
            vec![
                FilterRecord::new(even, true),
                FilterRecord::new(below_ten, false),
            ],
        );
        let kept = |stream: &mut AdaptiveFilterStream| {
            stream.filter(batch.clone()).expect("filtered").num_rows()
        };
        assert_eq!(kept(&mut stream), 5);
        for _ in 0..PAUSE_BATCHES {
            assert_eq!(kept(&mut stream), 100);
        }
        // Applied again now and then, to see whether that still holds.
        assert_eq!(kept(&mut stream), 5);
        assert_eq!(kept(&mut stream), 100);
    }
}
