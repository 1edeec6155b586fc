//! Statistics of dictionary-encoded text columns, computed here instead of
//! by parquet's writer: the chunk's min/max, the column index of per-page
//! min/max and the level histograms, exactly as `EnabledStatistics::Page`
//! writes them. parquet's byte-array encoder compares every value with its
//! page's running min and max through `memcmp` (two calls a value); on the
//! 10M-row A/B upload that was half of the `variant` column's encoding
//! time (0.13 of 0.25 s in a bench of the writer alone). Here a value
//! equal to the page's min or max so far (nearly all of them in a column
//! of a few distinct values) costs one short inline comparison.
//!
//! A column is taken over only when its writer was built with statistics
//! off ([`own_statistics`]), and [`fill`] declines (the caller then encodes
//! the chunk again with the writer's statistics) when a min or max is
//! longer than the truncation lengths, whose rules are left to parquet.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, GenericStringArray, OffsetSizeTrait};
use arrow_schema::DataType;
use parquet::arrow::arrow_writer::ArrowColumnChunk;
use parquet::basic::{BoundaryOrder, Type};
use parquet::file::metadata::{ColumnIndexBuilder, LevelHistogram};
use parquet::file::properties::WriterProperties;
use parquet::file::statistics::{Statistics, ValueStatistics};

/// Whether the statistics of a top-level column of type `t` are computed
/// here when it is dictionary-encoded.
pub(crate) fn own_statistics(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8)
}

/// One page's nulls and min/max.
struct Page {
    rows: usize,
    nulls: usize,
    min_max: Option<(Vec<u8>, Vec<u8>)>,
}

/// Give `chunk` (a column chunk written without statistics from `arrays`,
/// the column's slices of the row group in order) the statistics, column
/// index and level histograms that the writer gives with page statistics.
/// Returns false, leaving `chunk` as it is, when that needs a min or max
/// truncated, or when the chunk has no offset index to find its pages by.
pub(crate) fn fill(
    chunk: &mut ArrowColumnChunk,
    arrays: &[&ArrayRef],
    props: &WriterProperties,
) -> parquet::errors::Result<bool> {
    let close = chunk.close();
    let Some(offsets) = &close.offset_index else {
        return Ok(false);
    };
    let firsts: Vec<usize> = offsets
        .page_locations()
        .iter()
        .map(|p| p.first_row_index as usize)
        .collect();
    let total: usize = arrays.iter().map(|a| a.len()).sum();
    let pages = pages(arrays, &firsts, total);
    let limit = [
        props.statistics_truncate_length(),
        props.column_index_truncate_length(),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(usize::MAX);
    let too_long = |p: &Page| {
        p.min_max
            .as_ref()
            .is_some_and(|(lo, hi)| lo.len() > limit || hi.len() > limit)
    };
    if pages.iter().any(too_long) {
        return Ok(false);
    }
    let max_def = close.metadata.column_descr().max_def_level();
    let max_rep = close.metadata.column_descr().max_rep_level();
    // flat columns: a null is level 0, a value level 1
    let histogram = |nulls: usize, rows: usize| {
        LevelHistogram::try_new(max_def).map(|mut h| {
            h.increment_by(0, nulls as i64);
            h.increment_by(1, (rows - nulls) as i64);
            h
        })
    };
    let mut index = ColumnIndexBuilder::new(Type::BYTE_ARRAY);
    let (mut ascending, mut descending) = (true, true);
    let mut last: Option<&(Vec<u8>, Vec<u8>)> = None;
    let mut chunk_min_max: Option<(&[u8], &[u8])> = None;
    for p in &pages {
        match &p.min_max {
            None => index.append(true, vec![], vec![], p.nulls as i64, None),
            Some(mm @ (lo, hi)) => {
                if let Some((last_lo, last_hi)) = last {
                    ascending &= !(last_lo > lo || last_hi > hi);
                    descending &= !(lo > last_lo || hi > last_hi);
                }
                last = Some(mm);
                chunk_min_max = Some(match chunk_min_max {
                    None => (lo, hi),
                    Some((a, b)) => (a.min(lo), b.max(hi)),
                });
                index.append(false, lo.clone(), hi.clone(), p.nulls as i64, None);
            }
        }
        index.append_histograms(
            &LevelHistogram::try_new(max_rep),
            &histogram(p.nulls, p.rows),
        );
    }
    index.set_boundary_order(match (ascending, descending) {
        (true, _) => BoundaryOrder::ASCENDING,
        (false, true) => BoundaryOrder::DESCENDING,
        (false, false) => BoundaryOrder::UNORDERED,
    });
    let nulls: usize = pages.iter().map(|p| p.nulls).sum();
    let (min, max) = match chunk_min_max {
        Some((lo, hi)) => (Some(lo.to_vec().into()), Some(hi.to_vec().into())),
        None => (None, None),
    };
    let statistics = Statistics::ByteArray(ValueStatistics::new(
        min,
        max,
        None,
        Some(nulls as u64),
        false,
    ));
    let bytes: i64 = arrays.iter().map(|a| value_bytes(a)).sum();
    let column_index = index.build()?;
    let close = chunk.close_mut();
    close.metadata = close
        .metadata
        .clone()
        .into_builder()
        .set_statistics(statistics)
        .set_unencoded_byte_array_data_bytes(Some(bytes))
        .set_repetition_level_histogram(LevelHistogram::try_new(max_rep))
        .set_definition_level_histogram(histogram(nulls, total))
        .build()?;
    close.column_index = Some(column_index);
    Ok(true)
}

/// Bytes of the non-null values of a string array.
fn value_bytes(a: &ArrayRef) -> i64 {
    fn of<O: OffsetSizeTrait>(s: &GenericStringArray<O>) -> i64 {
        if s.null_count() == 0 {
            let o = s.value_offsets();
            return (o[s.len()] - o[0]).as_usize() as i64;
        }
        s.iter().flatten().map(|v| v.len() as i64).sum()
    }
    match a.data_type() {
        DataType::LargeUtf8 => of(a.as_string::<i64>()),
        _ => of(a.as_string::<i32>()),
    }
}

/// The pages starting at rows `firsts` of the `total` rows of `arrays`.
fn pages(arrays: &[&ArrayRef], firsts: &[usize], total: usize) -> Vec<Page> {
    let mut out: Vec<Page> = Vec::with_capacity(firsts.len());
    let mut bounds = firsts.iter().skip(1).copied().chain([total]).peekable();
    let mut page = Page {
        rows: 0,
        nulls: 0,
        min_max: None,
    };
    let mut row = 0;
    for a in arrays {
        let mut at = 0;
        while at < a.len() {
            let end = bounds.peek().copied().unwrap_or(total);
            let take = (end - row).min(a.len() - at);
            let part = a.slice(at, take);
            page.rows += take;
            page.nulls += part.null_count();
            match a.data_type() {
                DataType::LargeUtf8 => min_max(part.as_string::<i64>(), &mut page.min_max),
                _ => min_max(part.as_string::<i32>(), &mut page.min_max),
            }
            at += take;
            row += take;
            if row == end {
                out.push(std::mem::replace(
                    &mut page,
                    Page {
                        rows: 0,
                        nulls: 0,
                        min_max: None,
                    },
                ));
                bounds.next();
            }
        }
    }
    out
}

/// Widen `min_max` by the non-null values of `s`.
fn min_max<O: OffsetSizeTrait>(
    s: &GenericStringArray<O>,
    min_max: &mut Option<(Vec<u8>, Vec<u8>)>,
) {
    let values = s.values().as_slice();
    let offsets = s.value_offsets();
    let bytes = |i: usize| &values[offsets[i].as_usize()..offsets[i + 1].as_usize()];
    let mut range: Option<(&[u8], &[u8])> = min_max
        .as_ref()
        .map(|(lo, hi)| (lo.as_slice(), hi.as_slice()));
    for block in (0..s.len()).step_by(BLOCK) {
        let block = block..(block + BLOCK).min(s.len());
        // Nearly always, in a column of a few values, every value of a
        // block is the min or the max so far: checked without a branch a
        // value (which the processor would mispredict on every other
        // value of a random A/B split).
        if let Some((lo, hi)) = range
            && let (Some(lo), Some(hi)) = (Short::of(lo), Short::of(hi))
        {
            let mut known = true;
            for i in block.clone() {
                let v = Short::at(values, offsets[i].as_usize(), offsets[i + 1].as_usize());
                known &= (v == lo) | (v == hi) | s.is_null(i);
            }
            if known {
                continue;
            }
        }
        for i in block.filter(|&i| s.is_valid(i)) {
            let v = bytes(i);
            range = Some(match range {
                None => (v, v),
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
            });
        }
    }
    if let Some((lo, hi)) = range {
        let changed = min_max
            .as_ref()
            .is_none_or(|(a, b)| a.as_slice() != lo || b.as_slice() != hi);
        if changed {
            *min_max = Some((lo.to_vec(), hi.to_vec()));
        }
    }
}

/// Values checked at once by [`min_max`].
const BLOCK: usize = 64;

/// A value of at most eight bytes as its length and its bytes in a word
/// (zero beyond the length); longer values get a length no short value
/// has, so they never compare equal to one.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Short {
    len: usize,
    word: u64,
}

impl Short {
    fn of(b: &[u8]) -> Option<Short> {
        (b.len() <= 8).then(|| Short::at(b, 0, b.len()))
    }

    /// The value `values[start..end]`.
    #[inline(always)]
    fn at(values: &[u8], start: usize, end: usize) -> Short {
        let len = end - start;
        if len > 8 {
            return Short {
                len: usize::MAX,
                word: 0,
            };
        }
        let word = match values.get(start..start + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
            None => values[start..end]
                .iter()
                .rev()
                .fold(0, |w, &b| (w << 8) | u64::from(b)),
        };
        let mask = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
        Short {
            len,
            word: word & mask,
        }
    }
}
