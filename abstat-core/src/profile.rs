//! Column profiles of a dataset, computed on a stream of Arrow batches.
//!
//! A [`Profiler`] takes batches one at a time ([`Profiler::update`]) and two
//! profilers of the same schema combine ([`Profiler::merge`]), so a profile
//! can be computed over chunks in parallel or over a file larger than
//! memory. [`Profiler::finish`] gives a serialisable [`DatasetProfile`].
//!
//! Per column: the Arrow type, non-null count, nulls (NaN counts as null,
//! as in pandas), distinct values; for numbers the mean, standard
//! deviation (ddof = 1, as pandas' `describe()`), min, max and quantiles;
//! for dates and times the range; for text and booleans the most frequent
//! values. For the whole dataset: rows and duplicate rows (rows equal to an
//! earlier row in every column, as pandas' `duplicated()`).
//!
//! ## Exact and approximate
//! - **Distinct values** are counted exactly (as a set of 64-bit hashes;
//!   for numbers the hash is a bijection of the value, for text a 64-bit
//!   FNV-1a hash whose collisions are negligible below billions of values)
//!   while a column has at most [`ProfileOptions::exact_distinct_limit`]
//!   distinct values; beyond that a HyperLogLog with 2^`hll_precision`
//!   registers takes over (standard error 1.04/√2^p, 0.81 % at p = 14),
//!   and `distinct_exact` is false. Integers beyond ±2^53 are counted as
//!   their `f64` values.
//! - **Quantiles** are exact (linear interpolation, numpy's default, as in
//!   pandas' `describe()`) while a column has at most
//!   `exact_quantile_limit` values, then come from a KLL-style sketch
//!   (rank error well under 1 % at the default `sketch_k`) that takes a
//!   random one-in-sixteen sample of the values beyond its first 2^20 (a
//!   further rank error of standard deviation under 0.2 %, 0.06 % at ten
//!   million values).
//! - **Mean and standard deviation** are summed per batch by numpy's
//!   pairwise summation and merged across batches by Chan, Golub &
//!   LeVeque's update.
//! - **Top values** are exact while a column has at most
//!   `exact_distinct_limit` distinct texts, then SpaceSaving counters
//!   (counts are upper bounds; values above n/capacity are never missed).
//! - **Duplicate rows** are exact while the rows number at most
//!   `exact_row_limit` (a set of 64-bit row hashes), then estimated as rows
//!   minus a HyperLogLog count of distinct rows. Columns of nested types
//!   (lists, structs) take part only as null / not null.

mod distinct;
mod row_mix;
mod rows;
mod sketch;

// foldhash, not std's SipHash: SipHash was most of the profiling time of
// an upload.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use rayon::prelude::*;

use crate::{Error, Result};
use distinct::Distinct;
use rows::RowHashes;
use sketch::{QuantileSketch, SpaceSaving, hash_bytes, mix64};

/// Settings of a profile; [`Default`] suits files of any size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// Distinct values (and text values) counted exactly per column.
    pub exact_distinct_limit: usize,
    /// Values per numeric column kept for exact quantiles.
    pub exact_quantile_limit: usize,
    /// Rows whose hashes are kept for exact duplicate counting.
    pub exact_row_limit: usize,
    /// Most frequent values reported per text or boolean column.
    pub top_k: usize,
    /// HyperLogLog precision p (2^p one-byte registers), 4..=18.
    pub hll_precision: u8,
    /// Items per level of the quantile sketch (≥ 8).
    pub sketch_k: usize,
    /// The quantiles reported, each in [0, 1].
    pub quantiles: Vec<f64>,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            exact_distinct_limit: 100_000,
            exact_quantile_limit: 1_000_000,
            exact_row_limit: 5_000_000,
            top_k: 5,
            hll_precision: 14,
            sketch_k: 2048,
            quantiles: vec![0.25, 0.5, 0.75],
        }
    }
}

impl ProfileOptions {
    /// Check the settings.
    pub fn validate(&self) -> Result<()> {
        if !(4..=18).contains(&self.hll_precision) {
            return Err(Error::invalid(
                "hll_precision",
                self.hll_precision,
                "4..=18",
            ));
        }
        if self.sketch_k < 8 {
            return Err(Error::invalid("sketch_k", self.sketch_k, "at least 8"));
        }
        if self.top_k == 0 {
            return Err(Error::invalid("top_k", 0, "at least 1"));
        }
        if let Some(q) = self.quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
            return Err(Error::invalid("quantiles", q, "values in [0, 1]"));
        }
        Ok(())
    }
}

/// How a column is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Integers and floats: moments and quantiles.
    Numeric,
    /// true / false: frequencies.
    Boolean,
    /// Dates and timestamps: the range.
    Temporal,
    /// Strings: frequencies.
    Text,
    /// Anything else (nested, binary): counts only.
    Other,
}

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    /// The value as text.
    pub value: String,
    /// Occurrences (an upper bound when `top_exact` is false).
    pub count: u64,
}

/// One requested quantile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuantileValue {
    /// The probability, in [0, 1].
    pub q: f64,
    /// The value.
    pub value: f64,
}

/// Summary of a numeric column's non-null values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); `None` below two values.
    pub std: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// The requested quantiles.
    pub quantiles: Vec<QuantileValue>,
    /// Whether the quantiles are exact (else from the sketch).
    pub quantiles_exact: bool,
}

/// The range of a date or time column, in the Arrow type's own units
/// (days for `Date32`, milliseconds for `Date64`, the timestamp's unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporalRange {
    /// Earliest value.
    pub min: i64,
    /// Latest value.
    pub max: i64,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The field name.
    pub name: String,
    /// The Arrow data type, as text.
    pub data_type: String,
    /// How it was summarised.
    pub kind: ColumnKind,
    /// Non-null values.
    pub count: u64,
    /// Nulls (and NaN in float columns).
    pub nulls: u64,
    /// Distinct non-null values.
    pub distinct: u64,
    /// Whether `distinct` is exact.
    pub distinct_exact: bool,
    /// For numeric columns with values.
    pub numeric: Option<NumericSummary>,
    /// For date and time columns with values.
    pub temporal: Option<TemporalRange>,
    /// Most frequent values (text and boolean columns), by count then value.
    pub top: Vec<ValueCount>,
    /// Whether the `top` counts are exact.
    pub top_exact: bool,
}

/// The profile of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    /// Rows.
    pub rows: u64,
    /// Rows equal in every column to an earlier row.
    pub duplicate_rows: u64,
    /// Whether `duplicate_rows` is exact.
    pub duplicate_rows_exact: bool,
    /// One profile per column, in schema order.
    pub columns: Vec<ColumnProfile>,
}

/// Count, mean, sum of squared deviations, min, max: merged with Chan,
/// Golub & LeVeque's pairwise update ("Updating formulae and a pairwise
/// algorithm for computing sample variances", 1979).
#[derive(Debug, Clone, Copy)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Moments {
    const EMPTY: Moments = Moments {
        n: 0,
        mean: 0.0,
        m2: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let delta = o.mean - self.mean;
        self.mean += delta * o.n as f64 / n as f64;
        self.m2 += o.m2 + delta * delta * (self.n as f64 * o.n as f64 / n as f64);
        self.n = n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// A batch's moments by two passes (the sum, then the squared
    /// deviations from the mean, each by [`pairwise_sum`]), then merged.
    fn of(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::EMPTY;
        }
        let n = values.len();
        let sum = pairwise_sum(values, |x| x);
        let mean = sum / n as f64;
        let m2 = pairwise_sum(values, |x| (x - mean) * (x - mean));
        let (min, max) = extremes(values);
        Moments {
            n: n as u64,
            mean,
            m2,
            min,
            max,
        }
    }
}

/// Σ f(x) over `a` by numpy's pairwise summation (`pairwise_sum` in its
/// `loops_utils.h`): halves down to blocks of at most 128 values, each
/// summed by eight accumulators. Its rounding error grows as O(log n)
/// rather than the O(n) of a sum in order, and its additions are eight
/// independent chains rather than one: the sum in order was a serial
/// chain of 4-cycle additions, twice per value of every numeric column.
fn pairwise_sum(a: &[f64], f: impl Fn(f64) -> f64 + Copy) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(-0.0, |s, &x| s + f(x))
    } else if n <= 128 {
        let (head, rest) = a.split_at(8);
        let mut r: [f64; 8] = std::array::from_fn(|j| f(head[j]));
        let mut blocks = rest.chunks_exact(8);
        for b in &mut blocks {
            for j in 0..8 {
                r[j] += f(b[j]);
            }
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        blocks.remainder().iter().fold(res, |s, &x| s + f(x))
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_sum(&a[..half], f) + pairwise_sum(&a[half..], f)
    }
}

/// The smallest and largest of `a` (none NaN), in eight lanes.
fn extremes(a: &[f64]) -> (f64, f64) {
    let mut lo = [f64::INFINITY; 8];
    let mut hi = [f64::NEG_INFINITY; 8];
    let mut blocks = a.chunks_exact(8);
    for b in &mut blocks {
        for j in 0..8 {
            lo[j] = lo[j].min(b[j]);
            hi[j] = hi[j].max(b[j]);
        }
    }
    for (j, &x) in blocks.remainder().iter().enumerate() {
        lo[j] = lo[j].min(x);
        hi[j] = hi[j].max(x);
    }
    let lo = lo.iter().fold(f64::INFINITY, |m, &x| m.min(x));
    let hi = hi.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    (lo, hi)
}

#[derive(Debug, Clone)]
enum Quantiles {
    Exact(Vec<f64>),
    Sketch(QuantileSketch),
}

#[derive(Debug, Clone)]
enum Top {
    Exact(HashMap<String, u64>),
    Approx(SpaceSaving),
}

impl Top {
    fn add(&mut self, v: &str, n: u64, limit: usize, capacity: usize) {
        match self {
            Top::Exact(m) => {
                if let Some(c) = m.get_mut(v) {
                    *c += n;
                } else {
                    m.insert(v.to_string(), n);
                    if m.len() > limit {
                        *self = Top::Approx(SpaceSaving::new(capacity, std::mem::take(m)));
                    }
                }
            }
            Top::Approx(s) => s.insert(v, n),
        }
    }
}

#[derive(Debug, Clone)]
struct ColumnState {
    name: String,
    data_type: DataType,
    kind: ColumnKind,
    count: u64,
    nulls: u64,
    distinct: Distinct,
    moments: Moments,
    quantiles: Quantiles,
    top: Top,
    range: Option<(i64, i64)>,
}

fn kind_of(t: &DataType) -> ColumnKind {
    use DataType as D;
    match t {
        D::Int8
        | D::Int16
        | D::Int32
        | D::Int64
        | D::UInt8
        | D::UInt16
        | D::UInt32
        | D::UInt64
        | D::Float32
        | D::Float64 => ColumnKind::Numeric,
        D::Boolean => ColumnKind::Boolean,
        D::Date32 | D::Date64 | D::Timestamp(_, _) => ColumnKind::Temporal,
        D::Utf8 | D::LargeUtf8 | D::Utf8View => ColumnKind::Text,
        _ => ColumnKind::Other,
    }
}

const NULL_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

/// The non-null values of a temporal array as i64, `None` for nulls.
fn temporal_values(a: &dyn Array) -> Vec<Option<i64>> {
    match a.data_type() {
        DataType::Date32 => a
            .as_primitive::<Date32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Date64 => a.as_primitive::<Date64Type>().iter().collect(),
        DataType::Timestamp(TimeUnit::Second, _) => {
            a.as_primitive::<TimestampSecondType>().iter().collect()
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => a
            .as_primitive::<TimestampMillisecondType>()
            .iter()
            .collect(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => a
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .collect(),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            a.as_primitive::<TimestampNanosecondType>().iter().collect()
        }
        _ => Vec::new(),
    }
}

/// One batch's texts counted: each distinct text with its hash and count,
/// so the column's sets are updated once per distinct text, not per row.
#[derive(Default)]
struct TextTally<'a> {
    nulls: u64,
    count: u64,
    /// (hash, text, occurrences), in order of first appearance.
    values: Vec<(u64, &'a str, u64)>,
}

impl<'a> TextTally<'a> {
    /// Count `texts`, folding each row's hash with `fold(row, hash)`.
    fn of(texts: impl Iterator<Item = Option<&'a str>>, fold: &mut impl FnMut(usize, u64)) -> Self {
        let mut t = TextTally::default();
        // hash → index in `values`; a 64-bit collision between different
        // texts gets an entry of its own in `values`, found by a scan.
        let mut slots: HashMap<u64, usize> = HashMap::default();
        // The entry last seen for each cheap key of a text (its length and
        // first bytes): a repeated text of a low-cardinality column is
        // found by comparing two numbers (and the bytes after the eighth),
        // without hashing it byte by byte.
        let mut recent = [Recent::NONE; RECENT_TEXTS];
        for (i, v) in texts.enumerate() {
            let Some(s) = v else {
                t.nulls += 1;
                fold(i, NULL_HASH);
                continue;
            };
            t.count += 1;
            let b = s.as_bytes();
            let head = text_head(b);
            let key = recent_key(head, b.len());
            let r = recent[key];
            if r.head == head
                && r.len == b.len()
                && let Some(e) = t.values.get_mut(r.index)
                && same_after_head(e.1.as_bytes(), b)
            {
                e.2 += 1;
                fold(i, e.0);
                continue;
            }
            let h = hash_bytes(s.as_bytes());
            fold(i, h);
            let slot = *slots.entry(h).or_insert(t.values.len());
            let index = match t.values.get_mut(slot) {
                Some(e) if e.1 == s => {
                    e.2 += 1;
                    slot
                }
                Some(_) => match t.values.iter().position(|e| e.0 == h && e.1 == s) {
                    Some(at) => {
                        t.values[at].2 += 1;
                        at
                    }
                    None => {
                        t.values.push((h, s, 1));
                        t.values.len() - 1
                    }
                },
                None => {
                    t.values.push((h, s, 1));
                    t.values.len() - 1
                }
            };
            recent[key] = Recent {
                head,
                len: b.len(),
                index,
            };
        }
        t
    }
}

/// Entries of [`TextTally`]'s cache of recent texts (a power of two).
const RECENT_TEXTS: usize = 256;

/// An entry of [`TextTally`]'s cache: the [`text_head`] and length of the
/// text at `index` in its values.
#[derive(Clone, Copy)]
struct Recent {
    head: u64,
    len: usize,
    index: usize,
}

impl Recent {
    /// No entry (no text is at `usize::MAX`).
    const NONE: Recent = Recent {
        head: 0,
        len: 0,
        index: usize::MAX,
    };
}

/// A text's first eight bytes as a number. Texts of up to eight bytes are
/// read whole, by overlapping loads (the first and last four bytes, or
/// the first, middle and last byte), so two of them of one length are
/// equal exactly when their heads are; no call to `memcpy` for the short
/// texts, as a copy into a zeroed array made.
#[inline]
fn text_head(b: &[u8]) -> u64 {
    let n = b.len();
    let word = |at: usize| u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
    match n {
        0 => 0,
        1..=3 => u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        4..=7 => word(0) | word(n - 4) << 32,
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

/// Whether two texts of one length whose [`text_head`]s are equal are
/// equal: texts of up to 8 bytes are their heads; up to 16 bytes, their
/// last eight bytes (overlapping the head) are compared as one number
/// rather than by a call to `memcmp` for a byte or two.
#[inline]
fn same_after_head(a: &[u8], b: &[u8]) -> bool {
    let n = b.len();
    match n {
        0..=8 => true,
        9..=16 => {
            let last = |t: &[u8]| u64::from_le_bytes(t[n - 8..n].try_into().expect("8 bytes"));
            last(a) == last(b)
        }
        _ => a[8..] == b[8..],
    }
}

/// A text's slot in [`TextTally`]'s cache: a multiplicative hash of its
/// length and [`text_head`].
fn recent_key(head: u64, len: usize) -> usize {
    let x = (head ^ (len as u64).rotate_right(8)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (x >> (64 - RECENT_TEXTS.trailing_zeros())) as usize
}

impl ColumnState {
    fn new(name: &str, data_type: &DataType) -> Self {
        ColumnState {
            name: name.to_string(),
            data_type: data_type.clone(),
            kind: kind_of(data_type),
            count: 0,
            nulls: 0,
            distinct: Distinct::default(),
            moments: Moments::EMPTY,
            quantiles: Quantiles::Exact(Vec::new()),
            top: Top::Exact(HashMap::default()),
            range: None,
        }
    }

    /// Add one batch's column; `hashes` receives each row's hash of it.
    fn update(&mut self, a: &dyn Array, hashes: &mut [u64], o: &ProfileOptions) -> Result<()> {
        let mut fold = |i: usize, h: u64| hashes[i] = h;
        let (limit, p) = (o.exact_distinct_limit, o.hll_precision);
        let top_capacity = (o.top_k * 20).max(100);
        match self.kind {
            ColumnKind::Numeric => {
                let values = crate::input::from_arrow(a, &self.name)?;
                let missing = row_mix::hash_floats(&values, hashes, NULL_HASH);
                // Without nulls (the usual case) the values and their
                // hashes are used as they are, without copies.
                let (present, present_hashes): (Cow<[f64]>, Cow<[u64]>) = if missing == 0 {
                    (Cow::Borrowed(&values), Cow::Borrowed(&hashes[..]))
                } else {
                    let (x, h): (Vec<f64>, Vec<u64>) = values
                        .iter()
                        .zip(hashes.iter())
                        .filter(|(x, _)| !x.is_nan())
                        .map(|(&x, &h)| (x, h))
                        .unzip();
                    (Cow::Owned(x), Cow::Owned(h))
                };
                self.distinct.extend(&present_hashes, limit, p);
                self.nulls += missing as u64;
                self.count += present.len() as u64;
                self.moments.merge(&Moments::of(&present));
                self.add_quantile_values(&present, o);
            }
            ColumnKind::Boolean => {
                for (i, v) in a.as_boolean().iter().enumerate() {
                    match v {
                        None => {
                            self.nulls += 1;
                            fold(i, NULL_HASH);
                        }
                        Some(b) => {
                            self.count += 1;
                            let h = mix64(u64::from(b) + 1);
                            fold(i, h);
                            self.distinct.insert(h, limit, p);
                            self.top
                                .add(if b { "true" } else { "false" }, 1, limit, top_capacity);
                        }
                    }
                }
            }
            ColumnKind::Temporal => {
                for (i, v) in temporal_values(a).into_iter().enumerate() {
                    match v {
                        None => {
                            self.nulls += 1;
                            fold(i, NULL_HASH);
                        }
                        Some(x) => {
                            self.count += 1;
                            let h = mix64(x as u64);
                            fold(i, h);
                            self.distinct.insert(h, limit, p);
                            self.range = Some(match self.range {
                                None => (x, x),
                                Some((lo, hi)) => (lo.min(x), hi.max(x)),
                            });
                        }
                    }
                }
            }
            ColumnKind::Text => {
                let tally = match a.data_type() {
                    DataType::Utf8 => TextTally::of(a.as_string::<i32>().iter(), &mut fold),
                    DataType::LargeUtf8 => TextTally::of(a.as_string::<i64>().iter(), &mut fold),
                    DataType::Utf8View => TextTally::of(a.as_string_view().iter(), &mut fold),
                    _ => TextTally::default(),
                };
                self.nulls += tally.nulls;
                self.count += tally.count;
                // Each distinct text once per batch, in order of first
                // appearance, with its count.
                for (h, s, n) in tally.values {
                    self.distinct.insert(h, limit, p);
                    self.top.add(s, n, limit, top_capacity);
                }
            }
            ColumnKind::Other => {
                for i in 0..a.len() {
                    if a.is_null(i) {
                        self.nulls += 1;
                        fold(i, NULL_HASH);
                    } else {
                        self.count += 1;
                        fold(i, 1);
                    }
                }
            }
        }
        Ok(())
    }

    fn add_quantile_values(&mut self, values: &[f64], o: &ProfileOptions) {
        if let Quantiles::Exact(v) = &mut self.quantiles {
            if v.len() + values.len() <= o.exact_quantile_limit {
                v.extend_from_slice(values);
                return;
            }
            let mut s = QuantileSketch::new(o.sketch_k);
            s.extend(v);
            self.quantiles = Quantiles::Sketch(s);
        }
        if let Quantiles::Sketch(s) = &mut self.quantiles {
            s.extend(values);
        }
    }

    fn merge(&mut self, other: &ColumnState, o: &ProfileOptions) {
        self.count += other.count;
        self.nulls += other.nulls;
        self.distinct
            .merge(&other.distinct, o.exact_distinct_limit, o.hll_precision);
        self.moments.merge(&other.moments);
        match &other.quantiles {
            Quantiles::Exact(v) => self.add_quantile_values(v, o),
            Quantiles::Sketch(s) => {
                let mut mine =
                    match std::mem::replace(&mut self.quantiles, Quantiles::Exact(Vec::new())) {
                        Quantiles::Sketch(m) => m,
                        Quantiles::Exact(v) => {
                            let mut m = QuantileSketch::new(o.sketch_k);
                            v.iter().for_each(|&x| m.insert(x));
                            m
                        }
                    };
                mine.merge(s);
                self.quantiles = Quantiles::Sketch(mine);
            }
        }
        let top_capacity = (o.top_k * 20).max(100);
        match &other.top {
            Top::Exact(m) => {
                for (k, &n) in m {
                    self.top.add(k, n, o.exact_distinct_limit, top_capacity);
                }
            }
            Top::Approx(s) => {
                let mut mine =
                    match std::mem::replace(&mut self.top, Top::Exact(HashMap::default())) {
                        Top::Approx(m) => m,
                        Top::Exact(m) => SpaceSaving::new(top_capacity, m),
                    };
                mine.merge(s);
                self.top = Top::Approx(mine);
            }
        }
        self.range = match (self.range, other.range) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, None) | (None, x) => x,
        };
    }

    fn finish(self, o: &ProfileOptions) -> ColumnProfile {
        let (distinct, distinct_exact) = self.distinct.count();
        let numeric = (self.kind == ColumnKind::Numeric && self.moments.n > 0).then(|| {
            let m = &self.moments;
            let (quantiles, quantiles_exact) = match &self.quantiles {
                Quantiles::Exact(v) => {
                    let mut sorted = v.clone();
                    sketch::sort_total(&mut sorted);
                    let qs = o
                        .quantiles
                        .iter()
                        .map(|&q| QuantileValue {
                            q,
                            value: exact_quantile(&sorted, q),
                        })
                        .collect();
                    (qs, true)
                }
                Quantiles::Sketch(s) => (
                    o.quantiles
                        .iter()
                        .map(|&q| QuantileValue {
                            q,
                            value: s.quantile(q),
                        })
                        .collect(),
                    false,
                ),
            };
            NumericSummary {
                mean: m.mean,
                std: (m.n > 1).then(|| (m.m2 / (m.n - 1) as f64).sqrt()),
                min: m.min,
                max: m.max,
                quantiles,
                quantiles_exact,
            }
        });
        let (counts, top_exact): (Vec<(String, u64)>, bool) = match self.top {
            Top::Exact(m) => (m.into_iter().collect(), true),
            Top::Approx(s) => (s.counts.into_iter().collect(), false),
        };
        let mut top: Vec<ValueCount> = counts
            .into_iter()
            .map(|(value, count)| ValueCount { value, count })
            .collect();
        top.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        top.truncate(o.top_k);
        ColumnProfile {
            name: self.name,
            data_type: self.data_type.to_string(),
            kind: self.kind,
            count: self.count,
            nulls: self.nulls,
            distinct,
            distinct_exact,
            numeric,
            temporal: self.range.map(|(min, max)| TemporalRange { min, max }),
            top,
            top_exact,
        }
    }
}

/// numpy's default ("linear") quantile of sorted data: position q·(n − 1),
/// interpolated between its neighbours (Hyndman & Fan 1996, definition 7).
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    if lo == hi {
        sorted[lo]
    } else {
        sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }
}

/// Rows per parallel job when a batch's column hashes are folded into row
/// hashes.
const FOLD_ROWS: usize = 16_384;

/// A profile being computed over a stream of batches of one schema.
#[derive(Debug, Clone)]
pub struct Profiler {
    options: ProfileOptions,
    columns: Vec<ColumnState>,
    rows: u64,
    row_hashes: RowHashes,
    /// Each column's row hashes of the last batch, and their fold: kept
    /// for the next batch (every slot is written before it is read), so
    /// that no batch pays for zeroed pages.
    scratch: Scratch,
}

/// [`Profiler`]'s buffers, reused from batch to batch.
#[derive(Debug, Clone, Default)]
struct Scratch {
    column_hashes: Vec<Vec<u64>>,
    row_hash: Vec<u64>,
}

/// `v` holding `n` values (whatever they are).
fn resized(v: &mut Vec<u64>, n: usize) -> &mut [u64] {
    v.resize(n, 0);
    &mut v[..n]
}

impl Profiler {
    /// Start a profile of batches with `schema`.
    pub fn new(schema: &Schema, options: ProfileOptions) -> Result<Self> {
        options.validate()?;
        let row_hashes = RowHashes::new(options.exact_row_limit, options.hll_precision);
        Ok(Profiler {
            columns: schema
                .fields()
                .iter()
                .map(|f| ColumnState::new(f.name(), f.data_type()))
                .collect(),
            options,
            rows: 0,
            row_hashes,
            scratch: Scratch::default(),
        })
    }

    fn check_schema(&self, names_types: Vec<(&str, &DataType)>) -> Result<()> {
        let mine: Vec<(&str, &DataType)> = self
            .columns
            .iter()
            .map(|c| (c.name.as_str(), &c.data_type))
            .collect();
        if mine != names_types {
            return Err(Error::invalid(
                "batch schema",
                format!("{names_types:?}"),
                format!("the profile's schema {mine:?}"),
            ));
        }
        Ok(())
    }

    /// Add one batch, which must have the profile's schema.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<()> {
        self.update_in(batch, true)
    }

    /// [`Profiler::update`] with all the work on the calling thread, for a
    /// profile computed on a thread of its own beside other parallel work
    /// (an ingest's parsing and encoding): its per-batch tasks no longer
    /// queue on rayon's pool behind that work, which held up the batches
    /// waiting for the profile. The result is the same.
    pub fn update_serial(&mut self, batch: &RecordBatch) -> Result<()> {
        self.update_in(batch, false)
    }

    fn update_in(&mut self, batch: &RecordBatch, parallel: bool) -> Result<()> {
        let schema = batch.schema();
        self.check_schema(
            schema
                .fields()
                .iter()
                .map(|f| (f.name().as_str(), f.data_type()))
                .collect(),
        )?;
        // columns (in parallel), each hashing its rows; the row hashes are
        // then folded column by column, in schema order
        let n = batch.num_rows();
        let options = &self.options;
        let scratch = &mut self.scratch;
        scratch
            .column_hashes
            .resize_with(self.columns.len(), Vec::new);
        let column = |((state, array), h): ((&mut ColumnState, &ArrayRef), &mut Vec<u64>)| {
            state.update(array.as_ref(), resized(h, n), options)
        };
        if parallel {
            self.columns
                .par_iter_mut()
                .zip(batch.columns().par_iter())
                .zip(scratch.column_hashes.par_iter_mut())
                .try_for_each(column)?;
        } else {
            self.columns
                .iter_mut()
                .zip(batch.columns())
                .zip(scratch.column_hashes.iter_mut())
                .try_for_each(column)?;
        }
        let hashes = &scratch.column_hashes;
        // (in parallel) over ranges of rows: this thread's serial work per
        // batch holds up the next batch's columns
        let fold = |(c, rows): (usize, &mut [u64])| {
            rows.fill(0);
            for h in hashes {
                row_mix::fold_rows(rows, &h[c * FOLD_ROWS..n]);
            }
        };
        let row_hash = resized(&mut scratch.row_hash, n);
        if parallel {
            row_hash
                .par_chunks_mut(FOLD_ROWS)
                .enumerate()
                .for_each(fold);
        } else {
            row_hash.chunks_mut(FOLD_ROWS).enumerate().for_each(fold);
        }
        self.row_hashes.extend(row_hash);
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Combine with a profile of other rows of the same schema (e.g. another
    /// chunk computed in parallel).
    pub fn merge(&mut self, other: &Profiler) -> Result<()> {
        self.check_schema(
            other
                .columns
                .iter()
                .map(|c| (c.name.as_str(), &c.data_type))
                .collect(),
        )?;
        for (mine, theirs) in self.columns.iter_mut().zip(&other.columns) {
            mine.merge(theirs, &self.options);
        }
        self.row_hashes.merge(&other.row_hashes);
        self.rows += other.rows;
        Ok(())
    }

    /// The profile of everything seen.
    pub fn finish(self) -> DatasetProfile {
        let (distinct_rows, exact) = self.row_hashes.count();
        let options = self.options;
        DatasetProfile {
            rows: self.rows,
            duplicate_rows: self.rows.saturating_sub(distinct_rows),
            duplicate_rows_exact: exact,
            columns: self
                .columns
                .into_iter()
                .map(|c| c.finish(&options))
                .collect(),
        }
    }
}

/// Profile a slice of batches of one schema in one call.
pub fn profile(
    schema: &Schema,
    batches: &[RecordBatch],
    options: ProfileOptions,
) -> Result<DatasetProfile> {
    let mut p = Profiler::new(schema, options)?;
    for b in batches {
        p.update(b)?;
    }
    Ok(p.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ of `a` by Neumaier's compensated summation (a reference within
    /// an ulp or two).
    fn compensated_sum(a: &[f64]) -> f64 {
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &x in a {
            let t = s + x;
            c += if s.abs() >= x.abs() {
                (s - t) + x
            } else {
                (x - t) + s
            };
            s = t;
        }
        s + c
    }

    #[test]
    fn pairwise_sums_are_exact_on_integers_and_close_on_measurements() {
        let mut state = 11u64;
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000, 65_536, 100_003] {
            // integers: every partial sum is exact, so any order gives it
            let ints: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 - 400.0).collect();
            let exact: i64 = (0..n as i64).map(|i| (i * 7919) % 1000 - 400).sum();
            assert_eq!(pairwise_sum(&ints, |x| x), exact as f64, "n = {n}");
            // measurement-like values with two decimals and a large mean
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    state = mix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
                    1e6 + (state % 100_000) as f64 / 100.0
                })
                .collect();
            let want = compensated_sum(&xs);
            let got = pairwise_sum(&xs, |x| x);
            assert!(
                (got - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                "n = {n}: {got} vs {want}"
            );
            let squares = pairwise_sum(&xs, |x| (x - 1e6) * (x - 1e6));
            let want: Vec<f64> = xs.iter().map(|x| (x - 1e6) * (x - 1e6)).collect();
            let want = compensated_sum(&want);
            assert!(
                (squares - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                "n = {n}"
            );
            let (lo, hi) = extremes(&xs);
            assert_eq!(lo, xs.iter().copied().fold(f64::INFINITY, f64::min));
            assert_eq!(hi, xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        }
        assert_eq!(
            pairwise_sum(&[-0.0, -0.0], |x| x).to_bits(),
            (-0.0f64).to_bits()
        );
    }

    #[test]
    fn texts_of_up_to_eight_bytes_and_one_length_share_a_head_only_when_equal() {
        // every text of 0 to 8 bytes over three bytes, zero among them
        let alphabet = [0u8, b'a', 0xff];
        let mut seen: HashMap<(usize, u64), Vec<u8>> = HashMap::default();
        for len in 0..=8u32 {
            for code in 0..3usize.pow(len) {
                let text: Vec<u8> = (0..len)
                    .map(|d| alphabet[code / 3usize.pow(d) % 3])
                    .collect();
                let key = (text.len(), text_head(&text));
                if let Some(other) = seen.insert(key, text.clone()) {
                    panic!("{other:?} and {text:?} share {key:?}");
                }
            }
        }
    }

    #[test]
    fn text_tallies_count_each_text_and_hash_each_row_as_a_plain_count_does() {
        // texts that share a length and first bytes, the empty text, nulls,
        // runs, and more distinct texts than the cache of recent ones
        let mut texts: Vec<Option<String>> = Vec::new();
        for i in 0..3_000u64 {
            texts.push(match i % 9 {
                0 => None,
                1 => Some(format!("abcdefgh{}", i % 3)),
                // 9 to 20 bytes that share their first eight bytes and length
                6 => Some(format!("treatmen{}", "xyz".repeat(1 + (i as usize % 4)))),
                7 => Some(format!("treatmen{}", "xzy".repeat(1 + (i as usize % 4)))),
                2 => Some(String::new()),
                3 | 4 => Some("control".to_string()),
                5 => Some(format!("user-{}", (i * 7_919) % 700)),
                _ => Some(format!("{}", i % 5)),
            });
        }
        let mut rows = vec![0u64; texts.len()];
        let tally = TextTally::of(texts.iter().map(|t| t.as_deref()), &mut |i, h| rows[i] = h);
        let mut want: Vec<(u64, &str, u64)> = Vec::new();
        for t in texts.iter().flatten() {
            match want.iter_mut().find(|e| e.1 == t) {
                Some(e) => e.2 += 1,
                None => want.push((hash_bytes(t.as_bytes()), t, 1)),
            }
        }
        assert_eq!(tally.values, want);
        assert_eq!(
            tally.nulls,
            texts.iter().filter(|t| t.is_none()).count() as u64
        );
        assert_eq!(tally.count + tally.nulls, texts.len() as u64);
        let want_rows: Vec<u64> = texts
            .iter()
            .map(|t| t.as_ref().map_or(NULL_HASH, |t| hash_bytes(t.as_bytes())))
            .collect();
        assert_eq!(rows, want_rows);
    }
}
