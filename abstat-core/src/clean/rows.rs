//! Row-level operations: dropping rows with missing values, and dropping
//! duplicate rows with exact comparison.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};

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

fn hash(bytes: &[u8]) -> u64 {
    // SipHash with fixed keys: the same within a run, which is all the
    // duplicate search needs.
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// Encode every row of `cols` and call `f(row, bytes, hash)`.
fn for_each_row(
    batch: &RecordBatch,
    cols: &[usize],
    mut f: impl FnMut(usize, &[u8], u64),
) -> Result<()> {
    let ks = cols
        .iter()
        .map(|&c| keys(batch.column(c)))
        .collect::<Result<Vec<_>>>()?;
    let mut buf = Vec::with_capacity(64);
    for i in 0..batch.num_rows() {
        buf.clear();
        for k in &ks {
            encode(k, i, &mut buf);
        }
        f(i, &buf, hash(&buf));
    }
    Ok(())
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
        let (seen, repeated) = (&mut self.seen, &mut self.repeated);
        for_each_row(batch, &self.cols, |_, _, h| {
            if !seen.insert(h) {
                repeated.insert(h);
            }
        })
    }

    fn end_pass(&mut self) -> Result<()> {
        self.passes += 1;
        self.seen = HashSet::new();
        Ok(())
    }

    fn reset(&mut self) {
        self.kept.clear();
    }

    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let mut keep = vec![true; batch.num_rows()];
        let (repeated, kept) = (&self.repeated, &mut self.kept);
        for_each_row(batch, &self.cols, |i, bytes, h| {
            if repeated.contains(&h) {
                let rows = kept.entry(h).or_default();
                if rows.iter().any(|r| r == bytes) {
                    keep[i] = false;
                } else {
                    rows.push(bytes.to_vec());
                }
            }
        })?;
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
            seen: HashSet::new(),
            repeated: HashSet::new(),
            kept: HashMap::new(),
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
