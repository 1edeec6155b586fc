//! Type casts, with values that do not convert counted (or refused).

use arrow_array::RecordBatch;
use arrow_cast::display::array_value_to_string;
use arrow_cast::{CastOptions, can_cast_types, cast_with_options};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use super::missing::missing;
use super::resolve::At;
use super::{Applied, CastType, OnCastError, Step, arrow_error, retype, shared};
use crate::{Error, Result};

impl CastType {
    /// The Arrow type values are converted to.
    pub fn data_type(self) -> DataType {
        match self {
            CastType::Int => DataType::Int64,
            CastType::Float => DataType::Float64,
            CastType::Bool => DataType::Boolean,
            CastType::String => DataType::Utf8,
            CastType::Date => DataType::Date32,
            CastType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, None),
        }
    }
}

struct Cast {
    cols: Vec<(usize, String)>,
    to: CastType,
    on_error: OnCastError,
    schema: SchemaRef,
}

impl Step for Cast {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let t = self.to.data_type();
        let mut changes = Vec::with_capacity(self.cols.len());
        let (mut cells, mut failures) = (0, 0);
        for (i, name) in &self.cols {
            let a = batch.column(*i);
            // Unconvertible values become null; they are found by comparing
            // the missing values before and after.
            let out = cast_with_options(a, &t, &CastOptions::default())
                .map_err(arrow_error("casting"))?;
            let before = missing(a);
            let failed = &missing(&out) & &!&before;
            let n_failed = failed.count_set_bits() as u64;
            if n_failed > 0 && self.on_error == OnCastError::Fail {
                let row = failed.set_indices().next().unwrap_or(0);
                return Err(Error::CastFailed {
                    what: format!("column '{name}', row {row} of the batch"),
                    value: array_value_to_string(a, row).unwrap_or_default(),
                    to: format!("{:?}", self.to).to_lowercase(),
                });
            }
            failures += n_failed;
            cells += (a.len() - before.count_set_bits()) as u64 - n_failed;
            changes.push((*i, out));
        }
        Applied::columns(batch, &self.schema, changes, cells, failures)
    }
}

pub(super) fn build(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    to: CastType,
    on_error: OnCastError,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let idx = at.columns(schema, "columns", columns)?;
    let t = to.data_type();
    let mut out = schema.as_ref().clone();
    let mut cols = Vec::with_capacity(idx.len());
    for i in idx {
        let f = schema.field(i);
        if !can_cast_types(f.data_type(), &t) {
            return Err(Error::UnsupportedType {
                what: format!("column '{}' in {}", f.name(), at.param("columns")),
                data_type: f.data_type().to_string(),
                expected: format!("a type that converts to {to:?}").to_lowercase(),
            });
        }
        out = retype(&out, i, t.clone());
        cols.push((i, f.name().clone()));
    }
    let schema = shared(out);
    Ok((
        Box::new(Cast {
            cols,
            to,
            on_error,
            schema: schema.clone(),
        }),
        schema,
    ))
}
