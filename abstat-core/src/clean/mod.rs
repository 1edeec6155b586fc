//! Cleaning operations on Arrow `RecordBatch`es, described by a
//! serialisable [`CleanPlan`] and applied streaming by a [`Cleaner`].
//!
//! Operations (see [`CleanOp`]): drop rows with missing values, fill missing
//! values (mean, median, mode, constant, forward fill), drop duplicate rows,
//! outliers (IQR rule, z-score; drop or cap), percentile capping
//! (winsorizing), type casts, text trimming and normalisation, rename, drop
//! columns, and row filters (`column cmp value`). Semantics follow pandas
//! 2.3 (`dropna`, `fillna`, `ffill`, `drop_duplicates`, `quantile` + `clip`,
//! `astype` / `to_numeric(errors="coerce")`, `str.*`, `query`); the fixture
//! tests compare with pandas on the same data.
//!
//! ## Streaming
//! Applying holds one batch of rows at a time (plus bounded state).
//! Operations that need whole-column statistics (mean / median / mode fill,
//! IQR, z-score, winsorizing, duplicates) are *fitted* first:
//! [`Cleaner::fit`] passes over the data once for every such operation (a
//! few times for exact quantiles, see [`quantile`]), each time through the
//! operations before it, accumulating mergeable state. The batches as the
//! fitted operations see them are kept in memory between passes up to a
//! budget ([`Cleaner::with_fit_cache`], 512 MiB by default), so each
//! operation runs once; beyond it the data is read again for every pass. [`Cleaner::apply`]
//! then transforms batch by batch and records the [`CleanReport`]. State
//! sizes: means and variances are exact sums (a few partials, so the result
//! does not depend on the batch size); quantiles 65 536 counters plus at most
//! [`quantile::COLLECT_LIMIT`] values; mode counts one entry per distinct
//! value; duplicates one 64-bit hash per distinct row, plus the encoded rows
//! of hashes seen more than once, so that rows are compared exactly and a
//! hash collision never drops a distinct row.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch};
//! use arrow_schema::{DataType, Field, Schema};
//! use abstat_core::clean::{CleanOp, CleanPlan, FillMethod, clean_batches};
//!
//! let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
//! let batch = RecordBatch::try_new(
//!     schema.clone(),
//!     vec![Arc::new(Float64Array::from(vec![Some(1.0), None, Some(3.0)]))],
//! )?;
//! let plan = CleanPlan {
//!     ops: vec![CleanOp::FillMissing {
//!         columns: vec!["x".into()],
//!         method: FillMethod::Mean,
//!         value: None,
//!     }],
//! };
//! let (out, report) = clean_batches(&plan, schema, &[batch])?;
//! assert_eq!(report.ops[0].cells_changed, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cast;
mod columns;
mod exact_sum;
mod fill;
mod filter;
mod missing;
mod outliers;
mod plan;
pub mod quantile;
mod report;
mod resolve;
mod rows;
mod text;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};

use crate::{Error, Result};
pub use plan::{
    CastType, CleanOp, CleanPlan, Cmp, FillMethod, FilterValue, MissingHow, OnCastError,
    OutlierAction, Scalar, TextCase,
};
pub use report::{CleanReport, OpReport};
use resolve::At;

/// The field metadata key of a column's original label (abstat-io's
/// `LABEL_KEY`); a rename drops it so the new name is what exports show.
pub const LABEL_KEY: &str = "abstat.label";

/// One batch after an operation, with what it changed.
pub(crate) struct Applied {
    pub batch: RecordBatch,
    pub cells_changed: u64,
    pub failures: u64,
}

impl Applied {
    /// `batch` with some columns replaced, `cells` of them changed.
    fn columns(
        batch: &RecordBatch,
        schema: &SchemaRef,
        changes: Vec<(usize, ArrayRef)>,
        cells: u64,
        failures: u64,
    ) -> Result<Self> {
        Ok(Applied {
            batch: replace_columns(batch, schema, changes)?,
            cells_changed: cells,
            failures,
        })
    }

    fn rows(batch: RecordBatch) -> Self {
        Applied {
            batch,
            cells_changed: 0,
            failures: 0,
        }
    }
}

/// A built operation: optionally fitted over passes, then applied.
pub(crate) trait Step: Send {
    /// Whether another pass over the data is needed before applying.
    fn needs_pass(&self) -> bool {
        false
    }
    /// Take one batch of a fitting pass.
    fn observe(&mut self, _batch: &RecordBatch) -> Result<()> {
        Ok(())
    }
    /// Finish a fitting pass.
    fn end_pass(&mut self) -> Result<()> {
        Ok(())
    }
    /// Forget state carried from batch to batch while applying (forward
    /// fill's last value, rows already seen).
    fn reset(&mut self) {}
    /// Transform one batch.
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied>;
    /// What was fitted, in words.
    fn details(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Build the step of `op` for input `schema`; returns it and its output schema.
fn build(op: &CleanOp, at: At<'_>, schema: &SchemaRef) -> Result<(Box<dyn Step>, SchemaRef)> {
    match op {
        CleanOp::DropMissing { columns, how } => {
            rows::drop_missing(at, schema, columns.as_deref(), *how)
        }
        CleanOp::DropDuplicates { columns } => {
            rows::drop_duplicates(at, schema, columns.as_deref())
        }
        CleanOp::FillMissing {
            columns,
            method,
            value,
        } => fill::build(at, schema, columns, *method, value.as_ref()),
        CleanOp::OutliersIqr { columns, k, action } => {
            outliers::iqr(at, schema, columns, *k, *action)
        }
        CleanOp::OutliersZscore {
            columns,
            threshold,
            ddof,
            action,
        } => outliers::zscore(at, schema, columns, *threshold, *ddof, *action),
        CleanOp::Winsorize {
            columns,
            lower,
            upper,
        } => outliers::winsorize(at, schema, columns, *lower, *upper),
        CleanOp::Cast {
            columns,
            to,
            on_error,
        } => cast::build(at, schema, columns, *to, *on_error),
        CleanOp::NormalizeText {
            columns,
            trim,
            collapse_spaces,
            case,
            nfc,
        } => text::build(
            at,
            schema,
            columns.as_deref(),
            text::Normalize {
                trim: *trim,
                collapse_spaces: *collapse_spaces,
                case: *case,
                nfc: *nfc,
            },
        ),
        CleanOp::Rename { columns } => columns::rename(at, schema, columns),
        CleanOp::DropColumns { columns } => columns::drop(at, schema, columns),
        CleanOp::Filter { column, cmp, value } => {
            filter::build(at, schema, column, *cmp, value.as_ref())
        }
    }
}

struct Stage {
    step: Box<dyn Step>,
    report: OpReport,
}

/// A plan checked against a schema, ready to be fitted and applied.
///
/// 1. [`Cleaner::new`] validates the plan (columns exist, types fit,
///    parameters in range) and works out the output schema.
/// 2. [`Cleaner::fit`] reads the data as many times as the statistics need
///    (none when [`Cleaner::needs_fit`] is false).
/// 3. [`Cleaner::apply`] cleans one batch at a time;
///    [`Cleaner::report`] says what happened.
pub struct Cleaner {
    stages: Vec<Stage>,
    output: SchemaRef,
    fitted: bool,
    rows_in: u64,
    rows_out: u64,
    fit_cache_bytes: usize,
}

/// The default of [`Cleaner::with_fit_cache`]: 512 MiB.
pub const FIT_CACHE_BYTES: usize = 512 << 20;

/// The bytes of `batch`'s rows (its slice of shared buffers).
fn batch_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| {
            c.to_data()
                .get_slice_memory_size()
                .unwrap_or_else(|_| c.get_array_memory_size())
        })
        .sum()
}

impl std::fmt::Debug for Cleaner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cleaner")
            .field(
                "ops",
                &self.stages.iter().map(|s| &s.report.op).collect::<Vec<_>>(),
            )
            .field("output", &self.output)
            .field("fitted", &self.fitted)
            .finish()
    }
}

impl Cleaner {
    /// Check `plan` against the input `schema`.
    pub fn new(plan: &CleanPlan, schema: SchemaRef) -> Result<Self> {
        let mut stages = Vec::with_capacity(plan.ops.len());
        let mut current = schema;
        for (index, op) in plan.ops.iter().enumerate() {
            let at = At {
                index,
                op: op.name(),
            };
            let (step, out) = build(op, at, &current)?;
            stages.push(Stage {
                step,
                report: OpReport {
                    op: op.name().to_string(),
                    ..OpReport::default()
                },
            });
            current = out;
        }
        let fitted = !stages.iter().any(|s| s.step.needs_pass());
        Ok(Cleaner {
            stages,
            output: current,
            fitted,
            rows_in: 0,
            rows_out: 0,
            fit_cache_bytes: FIT_CACHE_BYTES,
        })
    }

    /// Keep up to `bytes` of intermediate batches in memory between the
    /// fitting passes ([`FIT_CACHE_BYTES`] by default; 0 turns it off).
    ///
    /// Within the budget, [`Cleaner::fit`] reads `source` once: the first
    /// pass keeps the batches as they reach the first fitted operation,
    /// later passes read them from memory, and each operation is applied to
    /// them once, when the next fitted operation needs its output. Beyond
    /// the budget every pass reads `source` again and re-applies the
    /// operations before the one being fitted, in constant memory.
    pub fn with_fit_cache(mut self, bytes: usize) -> Self {
        self.fit_cache_bytes = bytes;
        self
    }

    /// The schema of the cleaned batches.
    pub fn output_schema(&self) -> SchemaRef {
        self.output.clone()
    }

    /// Whether [`Cleaner::fit`] must read the data before [`Cleaner::apply`].
    pub fn needs_fit(&self) -> bool {
        !self.fitted
    }

    /// Compute the statistics the plan needs. `source` must yield the same
    /// batches every time it is called (a file or stored version read
    /// again); it is called once per pass. Returns the number of passes.
    pub fn fit<I, E>(&mut self, mut source: impl FnMut() -> Result<I, E>) -> Result<usize, E>
    where
        I: IntoIterator<Item = Result<RecordBatch, E>>,
        E: From<Error>,
    {
        let mut passes = 0;
        // The input of stage `cached.0`, while it fits in the budget.
        let mut cached: Option<(usize, Vec<RecordBatch>)> = None;
        for i in 0..self.stages.len() {
            while self.stages[i].step.needs_pass() {
                let (before, rest) = self.stages.split_at_mut(i);
                let step = &mut rest[0].step;
                if let Some((level, batches)) = &mut cached {
                    // Bring the cache forward through the stages fitted
                    // since, each applied once, in stream order.
                    let newly = &mut before[*level..];
                    if !newly.is_empty() {
                        newly.iter_mut().for_each(|s| s.step.reset());
                        for b in batches.iter_mut() {
                            for s in newly.iter_mut() {
                                *b = s.step.apply(b)?.batch;
                            }
                        }
                        batches.retain(|b| b.num_rows() > 0);
                        *level = i;
                    }
                    batches.iter().try_for_each(|b| step.observe(b))?;
                } else {
                    before.iter_mut().for_each(|s| s.step.reset());
                    let mut keep = Some((Vec::new(), 0usize));
                    for batch in source()? {
                        let mut b = batch?;
                        for s in before.iter_mut() {
                            b = s.step.apply(&b)?.batch;
                        }
                        step.observe(&b)?;
                        if let Some((kept, bytes)) = &mut keep {
                            *bytes += batch_bytes(&b);
                            if *bytes > self.fit_cache_bytes {
                                keep = None;
                            } else {
                                kept.push(b);
                            }
                        }
                    }
                    cached = keep.map(|(kept, _)| (i, kept));
                }
                step.end_pass()?;
                passes += 1;
            }
        }
        self.stages.iter_mut().for_each(|s| s.step.reset());
        self.fitted = true;
        for s in &mut self.stages {
            s.report.details = s.step.details();
        }
        Ok(passes)
    }

    /// Clean one batch (in stream order) and add it to the report.
    pub fn apply(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        if !self.fitted {
            return Err(Error::Degenerate(
                "the plan needs statistics of the whole data: call fit before apply".into(),
            ));
        }
        self.rows_in += batch.num_rows() as u64;
        let mut b = batch.clone();
        for s in &mut self.stages {
            s.report.rows_before += b.num_rows() as u64;
            let a = s.step.apply(&b)?;
            s.report.rows_after += a.batch.num_rows() as u64;
            s.report.cells_changed += a.cells_changed;
            s.report.failures += a.failures;
            b = a.batch;
        }
        self.rows_out += b.num_rows() as u64;
        Ok(b)
    }

    /// What the batches applied so far went through.
    pub fn report(&self) -> CleanReport {
        CleanReport {
            rows_in: self.rows_in,
            rows_out: self.rows_out,
            ops: self.stages.iter().map(|s| s.report.clone()).collect(),
        }
    }
}

/// Clean batches held in memory: fit, then apply. Empty output batches are
/// dropped.
pub fn clean_batches(
    plan: &CleanPlan,
    schema: SchemaRef,
    batches: &[RecordBatch],
) -> Result<(Vec<RecordBatch>, CleanReport)> {
    let mut c = Cleaner::new(plan, schema)?;
    c.fit(|| Ok::<_, Error>(batches.iter().cloned().map(Ok)))?;
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        let r = c.apply(b)?;
        if r.num_rows() > 0 {
            out.push(r);
        }
    }
    Ok((out, c.report()))
}

/// An Arrow failure inside a cleaning step, with what was being done.
pub(crate) fn arrow_error(context: &str) -> impl Fn(ArrowError) -> Error + '_ {
    move |e| Error::Degenerate(format!("{context}: {e}"))
}

/// `batch` with some columns replaced, under `schema`.
pub(crate) fn replace_columns(
    batch: &RecordBatch,
    schema: &SchemaRef,
    changes: Vec<(usize, ArrayRef)>,
) -> Result<RecordBatch> {
    let mut cols = batch.columns().to_vec();
    for (i, a) in changes {
        cols[i] = a;
    }
    RecordBatch::try_new(schema.clone(), cols).map_err(arrow_error("rebuilding a batch"))
}

/// `schema` with column `i` retyped (nullable, metadata kept).
pub(crate) fn retype(schema: &Schema, i: usize, t: arrow_schema::DataType) -> Schema {
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let f = &fields[i];
    fields[i] = Field::new(f.name(), t, true).with_metadata(f.metadata().clone());
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

/// Keep the rows where `keep` is true.
pub(crate) fn keep_rows(batch: &RecordBatch, keep: arrow_buffer::BooleanBuffer) -> Result<Applied> {
    if keep.count_set_bits() == batch.num_rows() {
        return Ok(Applied::rows(batch.clone()));
    }
    let b = arrow_select::filter::filter_record_batch(batch, &missing::mask(keep))
        .map_err(arrow_error("filtering rows"))?;
    Ok(Applied::rows(b))
}

pub(crate) fn shared(schema: Schema) -> SchemaRef {
    Arc::new(schema)
}
