//! A/B sufficient statistics of a stored dataset, per variant: the numbers
//! [`abstat_core::ab`] analyses (`n, Σy, Σy², Σx, Σx², Σxy`), computed
//! where the data lives.
//!
//! [`DatasetStore::variant_moments`](crate::DatasetStore::variant_moments)
//! reads the three columns and reduces them with abstat-core's one-pass
//! [`JointMoments::by_variant`]; a database backend overrides it with one
//! `GROUP BY variant` query, so a big experiment never leaves the database.
//! Both follow the rules below, so they give the same counts and (up to the
//! rounding of floating-point summation) the same sums; ClickHouse's are
//! compensated (`sumKahanIf`), so they do not change with its thread count.
//!
//! - Rows whose variant is null are not counted at all.
//! - A row whose metric or covariate is null or NaN is counted in
//!   [`VariantMoments::rows`] but left out of the moments (abstat-core's
//!   [`NanPolicy::Omit`]).
//! - The variant label is the value as text: strings as they are, integers
//!   in decimal, booleans as `true` / `false`.
//! - Integer and boolean metrics count as numbers (`true` = 1).

use std::collections::BTreeMap;

use abstat_core::NanPolicy;
use abstat_core::ab::JointMoments;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which columns hold the experiment: the variant, the metric and an
/// optional pre-period covariate (CUPED) or ratio denominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MomentsQuery {
    /// The variant (assignment) column: text, integer or boolean.
    pub variant: String,
    /// The metric column (y): integer, float or boolean.
    pub metric: String,
    /// The covariate or denominator column (x), if any. Without one the
    /// x-sums of the result are 0.
    pub covariate: Option<String>,
}

impl MomentsQuery {
    /// A query for `metric` by `variant`, without covariate.
    pub fn new(variant: impl Into<String>, metric: impl Into<String>) -> Self {
        MomentsQuery {
            variant: variant.into(),
            metric: metric.into(),
            covariate: None,
        }
    }

    /// The same query with a covariate (or ratio denominator) column.
    pub fn with_covariate(mut self, covariate: impl Into<String>) -> Self {
        self.covariate = Some(covariate.into());
        self
    }

    /// The columns to read: variant, metric, then the covariate if any.
    pub fn columns(&self) -> Vec<&str> {
        let mut cols = vec![self.variant.as_str(), self.metric.as_str()];
        cols.extend(self.covariate.as_deref());
        cols
    }

    /// Check that the columns exist in `schema` with usable types.
    pub(crate) fn check(&self, id: &str, schema: &Schema) -> Result<()> {
        let find = |column: &str| {
            schema
                .field_with_name(column)
                .map(|f| f.data_type().clone())
                .map_err(|_| {
                    crate::store::no_such_column(
                        id,
                        column,
                        schema.fields().iter().map(|f| f.name().as_str()),
                    )
                })
        };
        let variant = find(&self.variant)?;
        if !matches!(
            variant,
            DataType::Utf8 | DataType::Int64 | DataType::Boolean
        ) {
            return Err(Error::InvalidOption {
                name: "variant",
                value: format!("{} ({variant})", self.variant),
                expected: "a text, integer or boolean column".into(),
            });
        }
        let numeric = |name: &'static str, column: &str| -> Result<()> {
            let t = find(column)?;
            if matches!(t, DataType::Float64 | DataType::Int64 | DataType::Boolean) {
                Ok(())
            } else {
                Err(Error::InvalidOption {
                    name,
                    value: format!("{column} ({t})"),
                    expected: "a numeric column (integer, float or boolean)".into(),
                })
            }
        };
        numeric("metric", &self.metric)?;
        if let Some(c) = &self.covariate {
            numeric("covariate", c)?;
        }
        Ok(())
    }
}

/// One variant's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantMoments {
    /// The variant label (the value as text).
    pub variant: String,
    /// Rows assigned to the variant, including those with a missing metric
    /// or covariate (the units for a sample-ratio check).
    pub rows: u64,
    /// Sums over the rows with both values present.
    pub moments: JointMoments,
}

/// Running per-variant sums over batches (the local reduction).
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    by_label: BTreeMap<String, (u64, JointMoments)>,
}

impl Accumulator {
    /// Fold one batch holding the query's columns (found by name).
    pub(crate) fn add(&mut self, query: &MomentsQuery, batch: &RecordBatch) -> Result<()> {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .map(|c| c.as_ref())
                .ok_or_else(|| {
                    Error::format(
                        "stored dataset",
                        format!("the read returned no column '{name}'"),
                    )
                })
        };
        let labels = labels(column(&query.variant)?);
        let y = numbers(column(&query.metric)?);
        let x = match &query.covariate {
            Some(c) => numbers(column(c)?),
            None => vec![0.0; batch.num_rows()],
        };
        // Per-batch variant indices for abstat-core's grouped pass.
        let mut index: BTreeMap<&str, u32> = BTreeMap::new();
        let (mut g, mut ys, mut xs) = (Vec::new(), Vec::new(), Vec::new());
        for (i, label) in labels.iter().enumerate() {
            let Some(label) = label else { continue };
            let next = index.len() as u32;
            g.push(*index.entry(label.as_str()).or_insert(next));
            ys.push(y[i]);
            xs.push(x[i]);
        }
        if index.is_empty() {
            return Ok(());
        }
        let moments = JointMoments::by_variant(&ys, &xs, &g, index.len(), NanPolicy::Omit)?;
        let mut rows = vec![0u64; index.len()];
        g.iter().for_each(|&k| rows[k as usize] += 1);
        for (label, k) in index {
            let slot = self.by_label.entry(label.to_string()).or_default();
            slot.0 += rows[k as usize];
            slot.1.combine(&moments[k as usize]);
        }
        Ok(())
    }

    /// The statistics, ordered by label.
    pub(crate) fn finish(self) -> Vec<VariantMoments> {
        self.by_label
            .into_iter()
            .map(|(variant, (rows, moments))| VariantMoments {
                variant,
                rows,
                moments,
            })
            .collect()
    }
}

/// Each row's variant label (None for null).
fn labels(a: &dyn Array) -> Vec<Option<String>> {
    let text = |i: usize| -> String {
        match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().value(i).to_string(),
            DataType::Int64 => a.as_primitive::<Int64Type>().value(i).to_string(),
            DataType::Boolean => a.as_boolean().value(i).to_string(),
            t => unreachable!("variant type {t} passed MomentsQuery::check"),
        }
    };
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| text(i)))
        .collect()
}

/// Each row's value as f64, NaN for null.
fn numbers(a: &dyn Array) -> Vec<f64> {
    let value = |i: usize| -> f64 {
        match a.data_type() {
            DataType::Float64 => a.as_primitive::<Float64Type>().value(i),
            DataType::Int64 => a.as_primitive::<Int64Type>().value(i) as f64,
            DataType::Boolean => f64::from(u8::from(a.as_boolean().value(i))),
            t => unreachable!("metric type {t} passed MomentsQuery::check"),
        }
    };
    (0..a.len())
        .map(|i| if a.is_valid(i) { value(i) } else { f64::NAN })
        .collect()
}
