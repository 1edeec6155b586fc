//! Clean jobs: a [`CleanPlan`](abstat_core::clean::CleanPlan) checked
//! against the dataset's schema before the job exists, then either
//! previewed (fitted and applied to every batch for the report, nothing
//! stored) or written as a new version by abstat-io's `clean_dataset`.

use abstat_api::{CLEAN_SAMPLE_ROWS, CleanRequest, CleanResult, CleanSample, SampleRows};
use abstat_core::clean::{CleanPlan, Cleaner};
use abstat_io::clean::{CLEAN_BATCH_ROWS, clean_dataset};
use abstat_io::store::DatasetStore;
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::SchemaRef;

use super::{Invalid, RunError};

/// Why a plan does not fit a schema: an unknown column (with the columns
/// there are), else the core's refusal as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// A mistake the caller can name precisely.
    Invalid(Invalid),
    /// Any other refusal, in the core's words (operation, column, allowed values).
    Refused(String),
}

/// The core's refusal of a plan as a [`PlanError`]. Core reports an unknown
/// column as an invalid parameter whose expected values are "one of the
/// columns: …"; that case becomes [`Invalid::UnknownColumn`].
pub fn plan_error(e: abstat_core::Error, schema: &SchemaRef) -> PlanError {
    match e {
        abstat_core::Error::InvalidParameter {
            ref value,
            ref expected,
            ..
        } if expected.contains("of the columns:") && value.starts_with('\'') => {
            PlanError::Invalid(Invalid::UnknownColumn {
                column: value.trim_matches('\'').to_string(),
                available: schema.fields().iter().map(|f| f.name().clone()).collect(),
            })
        }
        other => PlanError::Refused(other.to_string()),
    }
}

/// Check `plan` against `schema` (columns exist, types fit, parameters in
/// range) without reading any rows.
pub fn check_plan(plan: &CleanPlan, schema: &SchemaRef) -> Result<(), PlanError> {
    if plan.ops.is_empty() {
        return Err(PlanError::Invalid(Invalid::parameter(
            "plan.ops",
            "[]",
            "at least one operation, e.g. {\"op\": \"drop_duplicates\"}",
        )));
    }
    Cleaner::new(plan, schema.clone())
        .map(|_| ())
        .map_err(|e| plan_error(e, schema))
}

/// Run the clean job on version `version`.
pub(super) fn run(
    store: &dyn DatasetStore,
    r: &CleanRequest,
    version: u32,
) -> Result<CleanResult, RunError> {
    if r.preview {
        return preview(store, r, version);
    }
    let (v, report) = clean_dataset(store, &r.dataset_id, Some(version), &r.plan)?;
    Ok(CleanResult {
        dataset_id: r.dataset_id.clone(),
        source_version: version,
        version: Some(v.version),
        preview: false,
        report,
        sample: None,
    })
}

/// Fit and apply the plan to every batch for the full report, keeping only
/// the first rows before and after.
fn preview(
    store: &dyn DatasetStore,
    r: &CleanRequest,
    version: u32,
) -> Result<CleanResult, RunError> {
    let read = || store.read(&r.dataset_id, Some(version), None, CLEAN_BATCH_ROWS);
    let (schema, _) = read()?;
    let mut cleaner = Cleaner::new(&r.plan, schema)?;
    cleaner
        .fit(|| read().map(|(_, batches)| batches))
        .map_err(|e| match e {
            // the core's refusal while fitting is about cleaning, not profiling
            abstat_io::Error::Profile(c) => abstat_io::Error::Clean(c),
            other => other,
        })?;
    let (_, batches) = read()?;
    let mut sample = None;
    for batch in batches {
        let batch = batch?;
        if sample.is_none() && batch.num_rows() > 0 {
            // the head and the rest in stream order: state such as ffill carries over
            let n = batch.num_rows().min(CLEAN_SAMPLE_ROWS);
            let head = batch.slice(0, n);
            let after = cleaner.apply(&head)?;
            sample = Some(CleanSample {
                before: rows(&head)?,
                after: rows(&after)?,
            });
            cleaner.apply(&batch.slice(n, batch.num_rows() - n))?;
        } else {
            cleaner.apply(&batch)?;
        }
    }
    Ok(CleanResult {
        dataset_id: r.dataset_id.clone(),
        source_version: version,
        version: None,
        preview: true,
        report: cleaner.report(),
        sample,
    })
}

/// A batch as text rows (Arrow's display format, `None` for nulls).
fn rows(batch: &RecordBatch) -> Result<SampleRows, RunError> {
    let fmt = FormatOptions::default();
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &fmt))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RunError::Client(format!("cannot show the sample rows: {e}")))?;
    let rows = (0..batch.num_rows())
        .map(|i| {
            batch
                .columns()
                .iter()
                .zip(&formatters)
                .map(|(c, f)| c.is_valid(i).then(|| f.value(i).to_string()))
                .collect()
        })
        .collect();
    Ok(SampleRows {
        columns: batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect(),
        rows,
    })
}
