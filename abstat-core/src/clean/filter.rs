//! Row filters `column cmp value`, with pandas' `query` semantics for
//! missing values: they satisfy only `!=`, `not_in` and `is_null`.

use arrow_array::{ArrayRef, RecordBatch, Scalar as ArrowScalar};
use arrow_buffer::BooleanBuffer;
use arrow_ord::cmp;
use arrow_schema::{DataType, SchemaRef};

use super::fill::scalar_array;
use super::missing::missing;
use super::resolve::{At, is_numeric, is_text};
use super::{Applied, Cmp, FilterValue, Scalar, Step, arrow_error, keep_rows};
use crate::{Error, Result};

struct Filter {
    col: usize,
    cmp: Cmp,
    /// Columns are compared as this type (numbers as Float64, text as Utf8).
    as_type: DataType,
    literals: Vec<ArrayRef>,
}

impl Step for Filter {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let a = batch.column(self.col);
        let a = if a.data_type() == &self.as_type {
            a.clone()
        } else {
            arrow_cast::cast(a, &self.as_type).map_err(arrow_error("comparing"))?
        };
        let miss = missing(&a);
        let test =
            |f: fn(
                &dyn arrow_array::Datum,
                &dyn arrow_array::Datum,
            )
                -> std::result::Result<arrow_array::BooleanArray, arrow_schema::ArrowError>,
             lit: &ArrayRef|
             -> Result<BooleanBuffer> {
                Ok(f(&a, &ArrowScalar::new(lit.clone()))
                    .map_err(arrow_error("comparing"))?
                    .values()
                    .clone())
            };
        let any_equal = || -> Result<BooleanBuffer> {
            let mut hit = BooleanBuffer::new_unset(a.len());
            for l in &self.literals {
                hit = &hit | &test(cmp::eq, l)?;
            }
            Ok(hit)
        };
        let present = !&miss;
        let keep = match self.cmp {
            Cmp::IsNull => miss,
            Cmp::NotNull => present,
            Cmp::Eq => &test(cmp::eq, &self.literals[0])? & &present,
            Cmp::Lt => &test(cmp::lt, &self.literals[0])? & &present,
            Cmp::Le => &test(cmp::lt_eq, &self.literals[0])? & &present,
            Cmp::Gt => &test(cmp::gt, &self.literals[0])? & &present,
            Cmp::Ge => &test(cmp::gt_eq, &self.literals[0])? & &present,
            Cmp::In => &any_equal()? & &present,
            Cmp::Ne => &test(cmp::neq, &self.literals[0])? | &miss,
            Cmp::NotIn => &!&any_equal()? | &miss,
        };
        keep_rows(batch, keep)
    }
}

pub(super) fn build(
    at: At<'_>,
    schema: &SchemaRef,
    column: &str,
    cmp: Cmp,
    value: Option<&FilterValue>,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let col = at.column(schema, "column", column)?;
    let t = schema.field(col).data_type();
    let (as_type, kind) = if is_numeric(t) {
        (DataType::Float64, "a number")
    } else if is_text(t) {
        (DataType::Utf8, "text")
    } else if *t == DataType::Boolean {
        (DataType::Boolean, "true or false")
    } else if t.is_temporal() {
        (
            t.clone(),
            "a date or datetime as ISO text, e.g. \"2024-05-31\"",
        )
    } else {
        return Err(Error::UnsupportedType {
            what: format!("column '{column}' in {}", at.param("column")),
            data_type: t.to_string(),
            expected: "a number, text, boolean, date or datetime column".into(),
        });
    };
    let values: Vec<&Scalar> = match (cmp, value) {
        (Cmp::IsNull | Cmp::NotNull, None) => Vec::new(),
        (Cmp::IsNull | Cmp::NotNull, Some(_)) => {
            return Err(at.invalid("value", "a value", "no value with is_null / not_null"));
        }
        (Cmp::In | Cmp::NotIn, Some(FilterValue::Many(v))) if !v.is_empty() => v.iter().collect(),
        (Cmp::In | Cmp::NotIn, _) => {
            return Err(at.invalid("value", "not a list", format!("a non-empty list of {kind}")));
        }
        (_, Some(FilterValue::One(v))) => vec![v],
        (_, _) => return Err(at.invalid("value", "missing or a list", kind)),
    };
    let mut literals = Vec::with_capacity(values.len());
    for v in values {
        let fits = match v {
            Scalar::Int(_) | Scalar::Float(_) => as_type == DataType::Float64,
            Scalar::Bool(_) => as_type == DataType::Boolean,
            Scalar::Text(_) => as_type == DataType::Utf8 || t.is_temporal(),
        };
        let lit = if fits {
            scalar_array(v, &as_type).ok()
        } else {
            None
        };
        literals.push(lit.ok_or_else(|| {
            at.invalid(
                "value",
                v,
                format!("{kind} to compare with column '{column}' ({t})"),
            )
        })?);
    }
    Ok((
        Box::new(Filter {
            col,
            cmp,
            as_type,
            literals,
        }),
        schema.clone(),
    ))
}
