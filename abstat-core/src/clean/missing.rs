//! Missing values as pandas sees them: null, and NaN in float columns.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float16Type, Float32Type, Float64Type};
use arrow_array::{Array, BooleanArray};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;

/// `true` where `a` is null or NaN.
pub(crate) fn missing(a: &dyn Array) -> BooleanBuffer {
    let nan: Option<BooleanBuffer> = match a.data_type() {
        DataType::Float64 => Some(
            a.as_primitive::<Float64Type>()
                .values()
                .iter()
                .map(|v| v.is_nan())
                .collect(),
        ),
        DataType::Float32 => Some(
            a.as_primitive::<Float32Type>()
                .values()
                .iter()
                .map(|v| v.is_nan())
                .collect(),
        ),
        DataType::Float16 => Some(
            a.as_primitive::<Float16Type>()
                .values()
                .iter()
                .map(|v| v.is_nan())
                .collect(),
        ),
        _ => None,
    };
    let null = match a.logical_nulls() {
        Some(n) => !n.inner(),
        None => BooleanBuffer::new_unset(a.len()),
    };
    match nan {
        Some(nan) => &null | &nan,
        None => null,
    }
}

/// Number of missing values.
pub(crate) fn count_missing(a: &dyn Array) -> u64 {
    missing(a).count_set_bits() as u64
}

/// A mask without nulls from a buffer.
pub(crate) fn mask(b: BooleanBuffer) -> BooleanArray {
    BooleanArray::new(b, None)
}
