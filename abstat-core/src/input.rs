//! Getting numbers out of Arrow arrays and slices, and applying a
//! [`NanPolicy`].
//!
//! Every method in the crate computes on `&[f64]`. A `Float64Array` without
//! nulls is borrowed as-is (no copy); other numeric and boolean arrays are
//! converted once, with nulls becoming NaN so that one policy covers both.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::DataType;

use crate::{Error, NanPolicy, Result};

/// The values of a numeric or boolean Arrow array as `f64`, nulls as NaN.
///
/// Borrows when the array is `Float64` without nulls; copies otherwise.
/// `what` names the input in error messages (e.g. `"column 'revenue'"`).
pub fn from_arrow<'a>(array: &'a dyn Array, what: &str) -> Result<Cow<'a, [f64]>> {
    fn convert<T: ArrowPrimitiveType>(
        a: &PrimitiveArray<T>,
        f: impl Fn(T::Native) -> f64,
    ) -> Vec<f64> {
        if a.null_count() == 0 {
            a.values().iter().map(|&v| f(v)).collect()
        } else {
            a.iter().map(|v| v.map_or(f64::NAN, &f)).collect()
        }
    }
    Ok(match array.data_type() {
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            if a.null_count() == 0 {
                Cow::Borrowed(a.values().as_ref())
            } else {
                Cow::Owned(convert(a, |v| v))
            }
        }
        DataType::Float32 => Cow::Owned(convert(array.as_primitive::<Float32Type>(), f64::from)),
        DataType::Int8 => Cow::Owned(convert(array.as_primitive::<Int8Type>(), f64::from)),
        DataType::Int16 => Cow::Owned(convert(array.as_primitive::<Int16Type>(), f64::from)),
        DataType::Int32 => Cow::Owned(convert(array.as_primitive::<Int32Type>(), f64::from)),
        // i64/u64 beyond 2^53 lose precision, as they do in numpy's float64.
        DataType::Int64 => Cow::Owned(convert(array.as_primitive::<Int64Type>(), |v| v as f64)),
        DataType::UInt8 => Cow::Owned(convert(array.as_primitive::<UInt8Type>(), f64::from)),
        DataType::UInt16 => Cow::Owned(convert(array.as_primitive::<UInt16Type>(), f64::from)),
        DataType::UInt32 => Cow::Owned(convert(array.as_primitive::<UInt32Type>(), f64::from)),
        DataType::UInt64 => Cow::Owned(convert(array.as_primitive::<UInt64Type>(), |v| v as f64)),
        DataType::Boolean => Cow::Owned(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 }))
                .collect(),
        ),
        other => {
            return Err(Error::UnsupportedType {
                what: what.to_string(),
                data_type: other.to_string(),
                expected: "a numeric or boolean column".to_string(),
            });
        }
    })
}

/// A sample after its [`NanPolicy`] was applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Cleaned<'a> {
    /// Values free of NaN, ready to compute on.
    Ready(Cow<'a, [f64]>),
    /// The input had NaN under [`NanPolicy::Propagate`]: the result is NaN.
    Propagate,
}

/// Whether `x` holds a NaN: blocks of 256 values are checked without an
/// early exit inside (so the check vectorises), stopping at the first block
/// with one.
pub(crate) fn has_nan(x: &[f64]) -> bool {
    x.chunks(256)
        .any(|block| block.iter().fold(false, |nan, v| nan | v.is_nan()))
}

/// Apply `policy` to one sample. Borrows when nothing has to be dropped.
pub fn clean<'a>(x: &'a [f64], policy: NanPolicy, what: &str) -> Result<Cleaned<'a>> {
    if !has_nan(x) {
        return Ok(Cleaned::Ready(Cow::Borrowed(x)));
    }
    match policy {
        NanPolicy::Propagate => Ok(Cleaned::Propagate),
        NanPolicy::Raise => Err(Error::MissingValues {
            what: what.to_string(),
        }),
        NanPolicy::Omit => Ok(Cleaned::Ready(Cow::Owned(
            x.iter().copied().filter(|v| !v.is_nan()).collect(),
        ))),
    }
}

/// Two paired samples after `policy` was applied: with `Omit`, a pair is
/// dropped when either side is NaN (scipy's behaviour for paired tests).
#[derive(Debug, Clone, PartialEq)]
pub enum CleanedPair<'a> {
    /// Paired values free of NaN, equal lengths.
    Ready(Cow<'a, [f64]>, Cow<'a, [f64]>),
    /// A NaN under [`NanPolicy::Propagate`]: the result is NaN.
    Propagate,
}

/// Apply `policy` to two paired samples of equal length.
pub fn clean_pair<'a>(
    x: &'a [f64],
    y: &'a [f64],
    policy: NanPolicy,
    what: (&str, &str),
) -> Result<CleanedPair<'a>> {
    if x.len() != y.len() {
        return Err(Error::LengthMismatch {
            left: what.0.to_string(),
            left_len: x.len(),
            right: what.1.to_string(),
            right_len: y.len(),
        });
    }
    let nan = has_nan(x) || has_nan(y);
    if !nan {
        return Ok(CleanedPair::Ready(Cow::Borrowed(x), Cow::Borrowed(y)));
    }
    match policy {
        NanPolicy::Propagate => Ok(CleanedPair::Propagate),
        NanPolicy::Raise => Err(Error::MissingValues {
            what: if x.iter().any(|v| v.is_nan()) {
                what.0
            } else {
                what.1
            }
            .to_string(),
        }),
        NanPolicy::Omit => {
            let (a, b): (Vec<f64>, Vec<f64>) = x
                .iter()
                .zip(y)
                .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                .map(|(&a, &b)| (a, b))
                .unzip();
            Ok(CleanedPair::Ready(Cow::Owned(a), Cow::Owned(b)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{BooleanArray, Float64Array, Int32Array, StringArray};

    #[test]
    fn float64_without_nulls_is_borrowed() {
        let a = Float64Array::from(vec![1.0, 2.0, 3.0]);
        let v = from_arrow(&a, "a").unwrap();
        assert!(matches!(v, Cow::Borrowed(_)));
        assert_eq!(&*v, &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn nulls_become_nan_and_integers_convert() {
        let a = Int32Array::from(vec![Some(1), None, Some(3)]);
        let v = from_arrow(&a, "a").unwrap();
        assert_eq!(v[0], 1.0);
        assert!(v[1].is_nan());
        let b = BooleanArray::from(vec![true, false]);
        assert_eq!(&*from_arrow(&b, "b").unwrap(), &[1.0, 0.0]);
    }

    #[test]
    fn strings_are_refused_with_the_column_named() {
        let s = StringArray::from(vec!["x"]);
        let err = from_arrow(&s, "column 'city'").unwrap_err();
        assert!(err.to_string().contains("column 'city'"), "{err}");
    }

    #[test]
    fn nan_policies() {
        let x = [1.0, f64::NAN, 3.0];
        assert_eq!(
            clean(&x, NanPolicy::Propagate, "x").unwrap(),
            Cleaned::Propagate
        );
        assert!(matches!(
            clean(&x, NanPolicy::Raise, "x"),
            Err(Error::MissingValues { .. })
        ));
        match clean(&x, NanPolicy::Omit, "x").unwrap() {
            Cleaned::Ready(v) => assert_eq!(&*v, &[1.0, 3.0]),
            Cleaned::Propagate => panic!("omit must not propagate"),
        }
        let y = [1.0, 2.0, f64::NAN];
        match clean_pair(&x, &y, NanPolicy::Omit, ("x", "y")).unwrap() {
            CleanedPair::Ready(a, b) => {
                assert_eq!(&*a, &[1.0]);
                assert_eq!(&*b, &[1.0]);
            }
            CleanedPair::Propagate => panic!("omit must not propagate"),
        }
    }
}
