//! Growing one typed Arrow column from cell texts, with a cheap undo of the
//! last row (so a rejected row leaves no trace).

use std::sync::Arc;

use arrow_array::ArrowPrimitiveType;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{ArrayRef, BooleanArray, PrimitiveArray, StringArray};
use arrow_buffer::{BooleanBufferBuilder, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit};

use crate::cell::{self, NullSpellings, field_text};
use crate::options::ColumnType;
use crate::recycle::{self, Pooled, Pools};

/// The Arrow type a column type is stored as.
pub fn arrow_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::Integer => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, None),
        ColumnType::String => DataType::Utf8,
    }
}

/// The type's name in messages ("an integer").
pub(crate) fn type_words(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Integer => "an integer",
        ColumnType::Float => "a number",
        ColumnType::Boolean => "true or false",
        ColumnType::Date => "a date (YYYY-MM-DD or DD.MM.YYYY)",
        ColumnType::Datetime => "a date and time (YYYY-MM-DD HH:MM:SS)",
        ColumnType::String => "text",
    }
}

enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Date(Vec<i32>),
    Datetime(Vec<i64>),
    Str { offsets: Vec<i32>, data: Vec<u8> },
}

/// One column being filled.
pub(crate) struct ColumnBuffer {
    pub(crate) kind: ColumnType,
    values: Values,
    valid: Validity,
    /// Where the value vectors come from and go back to (see
    /// [`crate::recycle`]); `None` for plain allocation.
    pools: Option<Arc<Pools>>,
}

/// Which values of a column are valid, with nothing stored per value
/// while all of them are (the usual case: a flag pushed per cell was a
/// store and a capacity check for every cell of every column).
#[derive(Default)]
struct Validity {
    /// A flag per value once a null came; empty before.
    flags: Vec<bool>,
    /// Values appended.
    len: usize,
    /// Whether a null came (`flags` is then kept).
    any_null: bool,
}

impl Validity {
    #[inline(always)]
    fn push(&mut self, valid: bool) {
        if valid {
            if self.any_null {
                self.flags.push(true);
            }
            self.len += 1;
        } else {
            self.push_null();
        }
    }

    fn push_null(&mut self) {
        if !self.any_null {
            self.any_null = true;
            self.flags.clear();
            self.flags.resize(self.len, true);
        }
        self.flags.push(false);
        self.len += 1;
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        self.flags.truncate(len);
    }

    /// The null buffer (none when every value is valid), leaving no values.
    fn take(&mut self) -> Option<NullBuffer> {
        let nulls =
            (self.any_null && self.flags.contains(&false)).then(|| arrow_buffer_nulls(&self.flags));
        self.flags.clear();
        self.len = 0;
        self.any_null = false;
        nulls
    }
}

impl ColumnBuffer {
    pub(crate) fn new(kind: ColumnType, capacity: usize) -> Self {
        Self::new_in(kind, capacity, None)
    }

    /// A column whose value vectors come from `pools` and go back there
    /// once the arrays made of them are dropped (or with the buffer).
    pub(crate) fn pooled(kind: ColumnType, capacity: usize, pools: &Arc<Pools>) -> Self {
        Self::new_in(kind, capacity, Some(pools.clone()))
    }

    fn new_in(kind: ColumnType, capacity: usize, pools: Option<Arc<Pools>>) -> Self {
        ColumnBuffer {
            kind,
            values: Self::values_in(kind, capacity, &pools),
            valid: Validity::default(),
            pools,
        }
    }

    /// Empty value vectors for `capacity` values of `kind`.
    fn values_in(kind: ColumnType, capacity: usize, pools: &Option<Arc<Pools>>) -> Values {
        fn take<T: Pooled>(pools: &Option<Arc<Pools>>, capacity: usize) -> Vec<T> {
            match pools {
                Some(p) => T::pool(p).take(capacity),
                None => Vec::with_capacity(capacity),
            }
        }
        match kind {
            ColumnType::Integer => Values::Int(take(pools, capacity)),
            ColumnType::Float => Values::Float(take(pools, capacity)),
            ColumnType::Boolean => Values::Bool(Vec::with_capacity(capacity)),
            ColumnType::Date => Values::Date(take(pools, capacity)),
            ColumnType::Datetime => Values::Datetime(take(pools, capacity)),
            ColumnType::String => Values::Str {
                offsets: {
                    let mut o = take(pools, capacity + 1);
                    o.push(0);
                    o
                },
                // a guess of eight bytes a text: growing by doubling copied
                // the chunk's text over and over
                data: take(pools, capacity.saturating_mul(8)),
            },
        }
    }

    pub(crate) fn push_null(&mut self) {
        self.valid.push_null();
        match &mut self.values {
            Values::Int(v) | Values::Datetime(v) => v.push(0),
            Values::Float(v) => v.push(0.0),
            Values::Bool(v) => v.push(false),
            Values::Date(v) => v.push(0),
            Values::Str { offsets, data } => offsets.push(data.len() as i32),
        }
    }

    /// Append a non-null cell text (trimmed unless the column is text);
    /// `false` if it does not parse as the column's type (nothing is
    /// appended then).
    pub(crate) fn push_text(&mut self, raw: &str, decimal: char) -> bool {
        let s = raw.trim();
        let ok = match &mut self.values {
            Values::Int(v) => cell::parse_int(s, decimal).map(|x| v.push(x)).is_some(),
            Values::Float(v) => cell::parse_float(s, decimal).map(|x| v.push(x)).is_some(),
            Values::Bool(v) => cell::parse_bool(s).map(|x| v.push(x)).is_some(),
            Values::Date(v) => cell::parse_date(s).map(|x| v.push(x)).is_some(),
            Values::Datetime(v) => cell::parse_datetime(s).map(|x| v.push(x)).is_some(),
            Values::Str { offsets, data } => {
                data.extend_from_slice(raw.as_bytes());
                offsets.push(data.len() as i32);
                true
            }
        };
        if ok {
            self.valid.push(true);
        }
        ok
    }

    /// Append a cell known to be non-null and untouched by trimming, when
    /// its bytes alone decide the value: text, or a plain number (see
    /// [`cell::plain_number`]) in a number column. `false`, with nothing
    /// appended, leaves the cell to [`ColumnBuffer::push_text`].
    pub(crate) fn push_plain(&mut self, raw: &[u8], decimal: char) -> bool {
        let ok = match &mut self.values {
            Values::Str { offsets, data } => {
                data.extend_from_slice(raw);
                offsets.push(data.len() as i32);
                true
            }
            Values::Int(v) => cell::plain_int(raw, decimal).map(|x| v.push(x)).is_some(),
            Values::Float(v) => cell::plain_float(raw, decimal).map(|x| v.push(x)).is_some(),
            _ => false,
        };
        if ok {
            self.valid.push(true);
        }
        ok
    }

    /// Append one cell (field bytes, not quoted) as [`ColumnBuffer::push_plain`],
    /// a null or [`ColumnBuffer::push_text`] would; `false`, with nothing
    /// appended, when it does not parse. The number columns try the plain
    /// shortcut first, inline: this runs for every cell of a plain chunk.
    #[inline(always)]
    pub(crate) fn push_cell(&mut self, b: &[u8], nulls: &NullSpellings, decimal: char) -> bool {
        match &mut self.values {
            Values::Int(v) => push_number(
                v,
                &mut self.valid,
                b,
                nulls,
                0,
                |b| cell::plain_int(b, decimal),
                |s| cell::parse_int(s.trim(), decimal),
            ),
            Values::Float(v) => push_number(
                v,
                &mut self.valid,
                b,
                nulls,
                0.0,
                |b| cell::plain_float(b, decimal),
                |s| cell::parse_float(s.trim(), decimal),
            ),
            Values::Str { offsets, data } => {
                let valid = nulls.surely_not(b) || !nulls.contains(field_text(b));
                if valid {
                    data.extend_from_slice(b);
                }
                offsets.push(data.len() as i32);
                self.valid.push(valid);
                true
            }
            _ => {
                if nulls.surely_not(b) && self.push_plain(b, decimal) {
                    return true;
                }
                let s = field_text(b);
                if nulls.contains(s) {
                    self.push_null();
                    true
                } else {
                    self.push_text(s, decimal)
                }
            }
        }
    }

    /// Append typed values (spreadsheets); the caller converts to the
    /// column's kind.
    pub(crate) fn push_int(&mut self, x: i64) {
        match &mut self.values {
            Values::Int(v) | Values::Datetime(v) => v.push(x),
            Values::Float(v) => v.push(x as f64),
            _ => unreachable!("push_int on a non-integer column"),
        }
        self.valid.push(true);
    }

    pub(crate) fn push_float(&mut self, x: f64) {
        match &mut self.values {
            Values::Float(v) => v.push(x),
            Values::Int(v) => v.push(x as i64),
            _ => unreachable!("push_float on a non-number column"),
        }
        self.valid.push(true);
    }

    pub(crate) fn push_bool(&mut self, x: bool) {
        match &mut self.values {
            Values::Bool(v) => v.push(x),
            _ => unreachable!("push_bool on a non-boolean column"),
        }
        self.valid.push(true);
    }

    pub(crate) fn push_date(&mut self, days: i32) {
        match &mut self.values {
            Values::Date(v) => v.push(days),
            Values::Datetime(v) => v.push(i64::from(days) * 86_400_000_000),
            _ => unreachable!("push_date on a non-date column"),
        }
        self.valid.push(true);
    }

    /// Bytes of text held (0 for other types); a batch ends early before
    /// this reaches Arrow's 32-bit offset limit.
    pub(crate) fn text_bytes(&self) -> usize {
        match &self.values {
            Values::Str { data, .. } => data.len(),
            _ => 0,
        }
    }

    /// Remove values past `len` (undo a partly appended row).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.valid.truncate(len);
        match &mut self.values {
            Values::Int(v) | Values::Datetime(v) => v.truncate(len),
            Values::Float(v) => v.truncate(len),
            Values::Bool(v) => v.truncate(len),
            Values::Date(v) => v.truncate(len),
            Values::Str { offsets, data } => {
                offsets.truncate(len + 1);
                data.truncate(*offsets.last().unwrap_or(&0) as usize);
            }
        }
    }

    /// The Arrow array, leaving the buffer empty for the next batch.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        let capacity = self.valid.len;
        let nulls = self.valid.take();
        // Pooled columns are parsed chunks, each finished once: nothing
        // is taken from the pools for a next batch that never comes.
        let fresh = match self.pools {
            Some(_) => Self::values_in(self.kind, 0, &None),
            None => Self::values_in(self.kind, capacity, &None),
        };
        let values = std::mem::replace(&mut self.values, fresh);
        let pools = self.pools.as_ref();
        fn scalars<T: Pooled>(v: Vec<T>, pools: Option<&Arc<Pools>>) -> ScalarBuffer<T> {
            match pools {
                Some(p) => {
                    let len = v.len();
                    ScalarBuffer::new(recycle::buffer(v, p), 0, len)
                }
                None => v.into(),
            }
        }
        fn prim<T>(
            v: Vec<T::Native>,
            nulls: Option<NullBuffer>,
            pools: Option<&Arc<Pools>>,
        ) -> ArrayRef
        where
            T: ArrowPrimitiveType,
            T::Native: Pooled,
        {
            Arc::new(PrimitiveArray::<T>::new(scalars(v, pools), nulls))
        }
        match values {
            Values::Int(v) => prim::<Int64Type>(v, nulls, pools),
            Values::Float(v) => prim::<Float64Type>(v, nulls, pools),
            Values::Date(v) => prim::<Date32Type>(v, nulls, pools),
            Values::Datetime(v) => prim::<TimestampMicrosecondType>(v, nulls, pools),
            Values::Bool(v) => Arc::new(BooleanArray::new(v.into(), nulls)),
            Values::Str { offsets, data } => {
                let data = match pools {
                    Some(p) => recycle::buffer(data, p),
                    None => data.into(),
                };
                Arc::new(StringArray::new(
                    OffsetBuffer::new(scalars(offsets, pools)),
                    data,
                    nulls,
                ))
            }
        }
    }
}

impl Drop for ColumnBuffer {
    /// Unused value vectors go back to their pools.
    fn drop(&mut self) {
        let Some(p) = &self.pools else {
            return;
        };
        match std::mem::replace(&mut self.values, Values::Bool(Vec::new())) {
            Values::Int(v) | Values::Datetime(v) => p.i64.give(v),
            Values::Float(v) => p.f64.give(v),
            Values::Date(v) => p.i32.give(v),
            Values::Str { offsets, data } => {
                p.i32.give(offsets);
                p.u8.give(data);
            }
            Values::Bool(_) => {}
        }
    }
}

/// [`ColumnBuffer::push_cell`] for a number column: `plain` tried first
/// on a cell that cannot be null, `general` on one that is not null.
#[inline(always)]
fn push_number<T: Copy>(
    values: &mut Vec<T>,
    valid: &mut Validity,
    b: &[u8],
    nulls: &NullSpellings,
    null: T,
    plain: impl Fn(&[u8]) -> Option<T>,
    general: impl Fn(&str) -> Option<T>,
) -> bool {
    if nulls.surely_not(b)
        && let Some(x) = plain(b)
    {
        values.push(x);
        valid.push(true);
        return true;
    }
    let s = field_text(b);
    if nulls.contains(s) {
        values.push(null);
        valid.push(false);
    } else if let Some(x) = general(s) {
        values.push(x);
        valid.push(true);
    } else {
        return false;
    }
    true
}

fn arrow_buffer_nulls(valid: &[bool]) -> NullBuffer {
    let mut b = BooleanBufferBuilder::new(valid.len());
    b.append_slice(valid);
    NullBuffer::new(b.finish())
}
