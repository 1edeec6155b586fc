//! ClickHouse's RowBinary format, both ways: Arrow batches to rows for
//! `INSERT … FORMAT RowBinary`, and rows of a `SELECT` back to Arrow.
//!
//! Row by row, each column little-endian: integers and floats in their
//! width, `String` as a LEB128 length and the bytes, `Date` as u16 days,
//! `DateTime` as u32 seconds, `Nullable(T)` as one byte (1 = NULL) followed
//! by `T` only when not NULL (ClickHouse docs, "Formats: RowBinary"; checked
//! against 18.16 in the tests).

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder, TimestampMillisecondBuilder, TimestampNanosecondBuilder,
    TimestampSecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};

use super::schema::{Kind, StoredField};
use crate::{Error, Result};

/// Append `batch` (columns in the order of `fields`) as RowBinary rows, each
/// led by its row number (`first_row`, `first_row + 1`, …).
pub(crate) fn encode(
    batch: &RecordBatch,
    fields: &[StoredField],
    first_row: u64,
    out: &mut Vec<u8>,
) -> Result<()> {
    let columns: Vec<&ArrayRef> = batch.columns().iter().collect();
    for row in 0..batch.num_rows() {
        out.extend_from_slice(&(first_row + row as u64).to_le_bytes());
        for (f, a) in fields.iter().zip(&columns) {
            let null = a.is_null(row);
            if f.nullable {
                out.push(u8::from(null));
                if null {
                    continue;
                }
            }
            encode_value(f, a.as_ref(), row, null, out)?;
        }
    }
    Ok(())
}

/// One non-NULL cell (a NULL in a non-nullable column writes the default).
fn encode_value(
    f: &StoredField,
    a: &dyn Array,
    row: usize,
    null: bool,
    out: &mut Vec<u8>,
) -> Result<()> {
    let refuse = |value: String, range: &str| Error::NotStorable {
        column: f.name.clone(),
        detail: format!(
            "row {}: {value} is outside ClickHouse 18.16's {range}; keep such data in the local store or convert the column to text",
            row + 1
        ),
    };
    match f.kind {
        Kind::Int64 => {
            out.extend_from_slice(&a.as_primitive::<Int64Type>().value(row).to_le_bytes())
        }
        Kind::Float64 => {
            out.extend_from_slice(&a.as_primitive::<Float64Type>().value(row).to_le_bytes())
        }
        Kind::Boolean => out.push(u8::from(!null && a.as_boolean().value(row))),
        Kind::Utf8 => {
            let s = a.as_string::<i32>().value(row).as_bytes();
            leb128(s.len() as u64, out);
            out.extend_from_slice(s);
        }
        Kind::Date32 => {
            let d = a.as_primitive::<Date32Type>().value(row);
            let d = u16::try_from(d).map_err(|_| {
                refuse(
                    format!("day {d} since 1970"),
                    "Date range 1970-01-01 ..= 2149-06-06",
                )
            })?;
            out.extend_from_slice(&d.to_le_bytes());
        }
        Kind::Timestamp { ticks_per_second } => {
            let t = timestamp_value(a, row);
            if t % ticks_per_second != 0 {
                return Err(refuse(
                    format!("timestamp {t} (1/{ticks_per_second} s)"),
                    "DateTime, which holds whole seconds only",
                ));
            }
            let s = u32::try_from(t / ticks_per_second).map_err(|_| {
                refuse(
                    format!("timestamp {t} (1/{ticks_per_second} s)"),
                    "DateTime range 1970 ..= 2106",
                )
            })?;
            out.extend_from_slice(&s.to_le_bytes());
        }
    }
    Ok(())
}

fn timestamp_value(a: &dyn Array, row: usize) -> i64 {
    use arrow_array::types::{
        TimestampMicrosecondType as Us, TimestampMillisecondType as Ms,
        TimestampNanosecondType as Ns, TimestampSecondType as S,
    };
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => a.as_primitive::<S>().value(row),
        DataType::Timestamp(TimeUnit::Millisecond, _) => a.as_primitive::<Ms>().value(row),
        DataType::Timestamp(TimeUnit::Microsecond, _) => a.as_primitive::<Us>().value(row),
        _ => a.as_primitive::<Ns>().value(row),
    }
}

fn leb128(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Append a `String` value.
pub(crate) fn put_string(s: &str, out: &mut Vec<u8>) {
    leb128(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

/// Reads RowBinary values in sequence; running out of bytes is an error
/// (the server sends whole rows).
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

fn truncated() -> Error {
    Error::format("ClickHouse RowBinary", "the response ended inside a row")
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>().ok_or_else(truncated)?;
        self.bytes = rest;
        Ok(*head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        self.take().map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        self.take().map(u64::from_le_bytes)
    }

    pub(crate) fn i64(&mut self) -> Result<i64> {
        self.take().map(i64::from_le_bytes)
    }

    pub(crate) fn f64(&mut self) -> Result<f64> {
        self.take().map(f64::from_le_bytes)
    }

    pub(crate) fn string(&mut self) -> Result<&'a str> {
        let mut len = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            len |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        let len = usize::try_from(len).map_err(|_| truncated())?;
        if len > self.bytes.len() {
            return Err(truncated());
        }
        let (s, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        std::str::from_utf8(s).map_err(|e| {
            Error::format(
                "ClickHouse RowBinary",
                format!("a String is not UTF-8: {e}"),
            )
        })
    }
}

/// One Arrow column being rebuilt.
enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Str(StringBuilder),
    Date(Date32Builder),
    Seconds(TimestampSecondBuilder, i64),
    Millis(TimestampMillisecondBuilder, i64),
    Micros(TimestampMicrosecondBuilder, i64),
    Nanos(TimestampNanosecondBuilder, i64),
}

impl Builder {
    fn new(f: &StoredField, capacity: usize) -> Self {
        match f.kind {
            Kind::Int64 => Builder::Int(Int64Builder::with_capacity(capacity)),
            Kind::Float64 => Builder::Float(Float64Builder::with_capacity(capacity)),
            Kind::Boolean => Builder::Bool(BooleanBuilder::with_capacity(capacity)),
            Kind::Utf8 => Builder::Str(StringBuilder::with_capacity(capacity, capacity * 8)),
            Kind::Date32 => Builder::Date(Date32Builder::with_capacity(capacity)),
            Kind::Timestamp {
                ticks_per_second: t,
            } => match t {
                1 => Builder::Seconds(TimestampSecondBuilder::with_capacity(capacity), t),
                1_000 => Builder::Millis(TimestampMillisecondBuilder::with_capacity(capacity), t),
                1_000_000 => {
                    Builder::Micros(TimestampMicrosecondBuilder::with_capacity(capacity), t)
                }
                _ => Builder::Nanos(TimestampNanosecondBuilder::with_capacity(capacity), t),
            },
        }
    }

    fn push(&mut self, r: &mut Reader<'_>) -> Result<()> {
        match self {
            Builder::Int(b) => b.append_value(r.i64()?),
            Builder::Float(b) => b.append_value(r.f64()?),
            Builder::Bool(b) => b.append_value(r.u8()? != 0),
            Builder::Str(b) => b.append_value(r.string()?),
            Builder::Date(b) => b.append_value(i32::from(r.u16()?)),
            Builder::Seconds(b, t) => b.append_value(i64::from(r.u32()?) * *t),
            Builder::Millis(b, t) => b.append_value(i64::from(r.u32()?) * *t),
            Builder::Micros(b, t) => b.append_value(i64::from(r.u32()?) * *t),
            Builder::Nanos(b, t) => b.append_value(i64::from(r.u32()?) * *t),
        }
        Ok(())
    }

    fn push_null(&mut self) {
        match self {
            Builder::Int(b) => b.append_null(),
            Builder::Float(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Str(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Seconds(b, _) => b.append_null(),
            Builder::Millis(b, _) => b.append_null(),
            Builder::Micros(b, _) => b.append_null(),
            Builder::Nanos(b, _) => b.append_null(),
        }
    }

    fn finish(self, f: &StoredField) -> ArrayRef {
        let tz = f.timezone.as_deref();
        match self {
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Float(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Str(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
            Builder::Seconds(mut b, _) => Arc::new(b.finish().with_timezone_opt(tz)),
            Builder::Millis(mut b, _) => Arc::new(b.finish().with_timezone_opt(tz)),
            Builder::Micros(mut b, _) => Arc::new(b.finish().with_timezone_opt(tz)),
            Builder::Nanos(mut b, _) => Arc::new(b.finish().with_timezone_opt(tz)),
        }
    }
}

/// The Arrow columns of RowBinary `bytes` holding rows of `fields`
/// (at most `capacity` expected).
pub(crate) fn decode(
    bytes: &[u8],
    fields: &[StoredField],
    capacity: usize,
) -> Result<Vec<ArrayRef>> {
    let mut builders: Vec<Builder> = fields.iter().map(|f| Builder::new(f, capacity)).collect();
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        for (f, b) in fields.iter().zip(&mut builders) {
            // A NULL is its flag byte alone, without value bytes.
            if f.nullable && r.u8()? != 0 {
                b.push_null();
            } else {
                b.push(&mut r)?;
            }
        }
    }
    Ok(builders
        .into_iter()
        .zip(fields)
        .map(|(b, f)| b.finish(f))
        .collect())
}
