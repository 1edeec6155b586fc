//! Row-level operations: dropping rows with missing values, and dropping
//! duplicate rows with exact comparison.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

type HashSet<T> = std::collections::HashSet<T, FixedState>;
type HashMap<K, V> = std::collections::HashMap<K, V, FixedState>;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, SchemaRef};

use super::missing::missing;
use super::resolve::At;
use super::{Applied, MissingHow, Step, arrow_error, keep_rows};
use crate::Result;

struct DropMissing {
    cols: Vec<usize>,
    how: MissingHow,
}

impl Step for DropMissing {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let n = batch.num_rows();
        let mut any = BooleanBuffer::new_unset(n);
        let mut all = BooleanBuffer::new_set(n);
        for &c in &self.cols {
            let m = missing(batch.column(c));
            any = &any | &m;
            all = &all & &m;
        }
        let drop = match self.how {
            MissingHow::Any => any,
            MissingHow::All => all,
        };
        keep_rows(batch, !&drop)
    }
}

pub(super) fn drop_missing(
    at: At<'_>,
    schema: &SchemaRef,
    columns: Option<&[String]>,
    how: MissingHow,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let cols = at.columns_or_all(schema, "columns", columns)?;
    Ok((Box::new(DropMissing { cols, how }), schema.clone()))
}

/// A column's values in a form that encodes to bytes row by row.
enum Keys {
    Int(ArrayRef),
    Float(ArrayRef),
    Bool(ArrayRef),
    Text(ArrayRef),
}

fn keys(a: &ArrayRef) -> Result<Keys> {
    let cast = |t: &DataType| {
        arrow_cast::cast(a.as_ref(), t)
            .map_err(arrow_error("encoding rows for duplicate detection"))
    };
    Ok(match a.data_type() {
        DataType::Boolean => Keys::Bool(a.clone()),
        t if t.is_floating() => Keys::Float(cast(&DataType::Float64)?),
        t if t.is_integer() || t.is_temporal() => Keys::Int(cast(&DataType::Int64)?),
        _ => Keys::Text(cast(&DataType::Utf8)?),
    })
}

/// Append row `i` of `k` to `out`: a tag byte, then the value. Missing
/// values (null, NaN) share one encoding, as in pandas' `duplicated`.
fn encode(k: &Keys, i: usize, out: &mut Vec<u8>) {
    let a = match k {
        Keys::Int(a) | Keys::Float(a) | Keys::Bool(a) | Keys::Text(a) => a,
    };
    if a.is_null(i) {
        out.push(0);
        return;
    }
    match k {
        Keys::Int(a) => {
            out.push(1);
            out.extend_from_slice(&a.as_primitive::<Int64Type>().value(i).to_le_bytes());
        }
        Keys::Float(a) => {
            let v = a.as_primitive::<Float64Type>().value(i);
            if v.is_nan() {
                out.push(0);
            } else {
                out.push(2);
                out.extend_from_slice(&(v + 0.0).to_bits().to_le_bytes());
            }
        }
        Keys::Bool(a) => out.extend_from_slice(&[3, a.as_boolean().value(i) as u8]),
        Keys::Text(a) => {
            let s = a.as_string::<i32>().value(i);
            out.push(4);
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// A value's hash; nulls and NaN share [`MISSING`], as they share an
/// encoding.
const MISSING: u64 = 0x9E37_79B9_7F4A_7C15;

/// Every row's hash over the columns `ks`, one column at a time: each
/// value's foldhash, folded into its row's. Equal rows (by [`encode`])
/// hash equally; unequal rows rarely do, and are told apart by comparing
/// their encodings.
fn row_hashes(ks: &[Keys], n: usize) -> Vec<u64> {
    let st = FixedState::with_seed(0x5EED_CAFE);
    let mut rows = vec![0u64; n];
    for k in ks {
        match k {
            Keys::Int(a) => {
                let p = a.as_primitive::<Int64Type>();
                fold_into(&mut rows, &st, |i| {
                    if p.is_null(i) {
                        MISSING
                    } else {
                        st.hash_one(p.value(i))
                    }
                });
            }
            Keys::Float(a) => {
                let p = a.as_primitive::<Float64Type>();
                fold_into(&mut rows, &st, |i| {
                    let v = p.value(i);
                    if p.is_null(i) || v.is_nan() {
                        MISSING
                    } else {
                        st.hash_one((v + 0.0).to_bits())
                    }
                });
            }
            Keys::Bool(a) => {
                let b = a.as_boolean();
                fold_into(&mut rows, &st, |i| {
                    if b.is_null(i) {
                        MISSING
                    } else {
                        st.hash_one(b.value(i))
                    }
                });
            }
            Keys::Text(a) => {
                let t = a.as_string::<i32>();
                fold_into(&mut rows, &st, |i| {
                    if t.is_null(i) {
                        MISSING
                    } else {
                        st.hash_one(t.value(i).as_bytes())
                    }
                });
            }
        }
    }
    rows
}

#[inline]
fn fold_into(rows: &mut [u64], st: &FixedState, value_hash: impl Fn(usize) -> u64) {
    for (i, h) in rows.iter_mut().enumerate() {
        *h = st.hash_one((*h, value_hash(i)));
    }
}

fn keys_of(batch: &RecordBatch, cols: &[usize]) -> Result<Vec<Keys>> {
    cols.iter().map(|&c| keys(batch.column(c))).collect()
}

/// Keep the first of equal rows. Fitting records which row hashes occur
/// more than once; applying keeps the encoded rows of only those hashes, so
/// rows are compared exactly and memory grows with the repeated rows, not
/// with the data.
struct DropDuplicates {
    cols: Vec<usize>,
    passes: u8,
    seen: HashSet<u64>,
    repeated: HashSet<u64>,
    kept: HashMap<u64, Vec<Vec<u8>>>,
}

impl Step for DropDuplicates {
    fn needs_pass(&self) -> bool {
        self.passes == 0
    }

    fn observe(&mut self, batch: &RecordBatch) -> Result<()> {
        let ks = keys_of(batch, &self.cols)?;
        for h in row_hashes(&ks, batch.num_rows()) {
            if !self.seen.insert(h) {
                self.repeated.insert(h);
            }
        }
        Ok(())
    }

    fn end_pass(&mut self) -> Result<()> {
        self.passes += 1;
        self.seen = HashSet::default();
        Ok(())
    }

    fn reset(&mut self) {
        self.kept.clear();
    }

    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let mut keep = vec![true; batch.num_rows()];
        let ks = keys_of(batch, &self.cols)?;
        let mut bytes = Vec::with_capacity(64);
        for (i, h) in row_hashes(&ks, batch.num_rows()).into_iter().enumerate() {
            if !self.repeated.contains(&h) {
                continue;
            }
            bytes.clear();
            for k in &ks {
                encode(k, i, &mut bytes);
            }
            let rows = self.kept.entry(h).or_default();
            if rows.contains(&bytes) {
                keep[i] = false;
            } else {
                rows.push(bytes.clone());
            }
        }
        keep_rows(batch, BooleanBuffer::from(keep))
    }
}

pub(super) fn drop_duplicates(
    at: At<'_>,
    schema: &SchemaRef,
    columns: Option<&[String]>,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let cols = at.columns_or_all(schema, "columns", columns)?;
    Ok((
        Box::new(DropDuplicates {
            cols,
            passes: 0,
            seen: HashSet::default(),
            repeated: HashSet::default(),
            kept: HashMap::default(),
        }),
        schema.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn encodings_tell_types_and_missing_apart() {
        let f: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(f64::NAN),
            None,
            Some(-0.0),
            Some(0.0),
        ]));
        let k = keys(&f).unwrap();
        let enc = |i| {
            let mut v = Vec::new();
            encode(&k, i, &mut v);
            v
        };
        assert_eq!(enc(0), enc(1), "NaN and null are both missing");
        assert_eq!(enc(2), enc(3), "-0.0 equals 0.0");
        let s: ArrayRef = Arc::new(StringArray::from(vec!["ab", "a"]));
        let k = keys(&s).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode(&k, 0, &mut a);
        encode(&k, 1, &mut b);
        assert_ne!(a, b);
    }
}
