//! A chunk of plain text (see [`super::plain::is_plain`]) parsed a column
//! at a time: the records are first cut into field bounds, then each
//! column is filled by a loop of its own type, without a call per row or a
//! choice of type per cell.
//!
//! This is only the common case: every record has the expected number of
//! fields, no cell is too long, and every cell is a value or a null of its
//! column. At the first cell where that fails, [`parse_by_column`] gives
//! up and the caller parses the chunk row by row, which reports problems
//! with their lines exactly; so whenever it gives an answer, it is the
//! row-by-row answer.

use std::cell::RefCell;

use crate::cell::{NullSpellings, field_text};
use crate::columns::ColumnBuffer;

thread_local! {
    /// Field bounds of the chunk being parsed, kept for the next chunk on
    /// this thread (no page faults for a fresh buffer per chunk).
    static BOUNDS: RefCell<Vec<[u32; 2]>> = const { RefCell::new(Vec::new()) };
}

/// What [`parse_by_column`] needs to know of the read.
pub(crate) struct Plan<'a> {
    pub delimiter: u8,
    pub decimal: char,
    pub width: usize,
    pub nulls: &'a NullSpellings,
    /// The longest cell allowed, in bytes.
    pub max_cell: u64,
    /// Columns that may only hold nulls (undecided by a type guess).
    pub undecided: Option<&'a [bool]>,
}

/// Fill `buffers` (empty, one per column) from plain `text` (the first
/// record skipped when `skip_first`) and return the rows and line feeds, or `None` when
/// the chunk must be parsed row by row (the buffers are then in any state).
pub(crate) fn parse_by_column(
    text: &[u8],
    skip_first: bool,
    plan: &Plan,
    buffers: &mut [ColumnBuffer],
) -> Option<(usize, u64)> {
    if u32::try_from(text.len()).is_err() {
        return None;
    }
    BOUNDS.with_borrow_mut(|bounds| {
        bounds.clear();
        let found = split(text, plan.delimiter, plan.width, skip_first, bounds)?;
        if found.widest as u64 > plan.max_cell {
            return None;
        }
        for (j, buffer) in buffers.iter_mut().enumerate() {
            let cells = bounds
                .iter()
                .skip(j)
                .step_by(plan.width)
                .map(|&[s, e]| &text[s as usize..e as usize]);
            let ok = if plan.undecided.is_some_and(|u| u[j]) {
                all_null(buffer, cells, plan.nulls)
            } else {
                buffer.extend_cells(cells, plan.nulls, plan.decimal)
            };
            if !ok {
                return None;
            }
        }
        Some((found.rows, found.newlines))
    })
}

/// Cells of a column that may only hold nulls, appended as nulls; `false`
/// at the first value.
fn all_null<'a>(
    buffer: &mut ColumnBuffer,
    cells: impl Iterator<Item = &'a [u8]>,
    nulls: &NullSpellings,
) -> bool {
    for b in cells {
        if nulls.surely_not(b) || !nulls.contains(field_text(b)) {
            return false;
        }
        buffer.push_null();
    }
    true
}

/// Field bounds being cut from plain text.
struct Cutter<'a> {
    text: &'a [u8],
    width: usize,
    bounds: &'a mut Vec<[u32; 2]>,
    line_start: usize,
    field_start: usize,
    /// Where the current record's fields begin in `bounds`.
    row_start: usize,
    widest: usize,
    rows: usize,
    newlines: u64,
    skip_first: bool,
}

/// What [`split`] found besides the bounds.
struct Split {
    rows: usize,
    /// The longest field, in bytes.
    widest: usize,
    /// Line feeds in the text.
    newlines: u64,
}

impl Cutter<'_> {
    /// The delimiter or line feed at `i`; `None` when a record has more
    /// fields than `width`.
    fn at(&mut self, i: usize, delimiter: u8) -> Option<()> {
        if self.text[i] == delimiter {
            self.field(i);
            self.field_start = i + 1;
            if self.bounds.len() - self.row_start > self.width && !self.skip_first {
                return None;
            }
            Some(())
        } else {
            self.newlines += 1;
            self.line_end(i)
        }
    }

    /// The field ending at `i` (before a delimiter or a line end).
    fn field(&mut self, i: usize) {
        self.bounds.push([self.field_start as u32, i as u32]);
        self.widest = self.widest.max(i - self.field_start);
    }

    /// The line ending at `i` (a line feed, or the end of the text);
    /// `None` when its record has not `width` fields.
    fn line_end(&mut self, i: usize) -> Option<()> {
        let crlf = i > self.line_start && self.text[i - 1] == b'\r';
        let end = if crlf { i - 1 } else { i };
        let blank = end == self.line_start;
        self.line_start = i + 1;
        if !blank {
            self.field(end);
        }
        self.field_start = self.line_start;
        if blank {
            // no delimiter on a blank line: no fields either
            return Some(());
        }
        if std::mem::take(&mut self.skip_first) {
            self.bounds.truncate(self.row_start);
            return Some(());
        }
        if self.bounds.len() - self.row_start != self.width {
            return None;
        }
        self.row_start = self.bounds.len();
        self.rows += 1;
        Some(())
    }
}

/// Append the `[start, end)` of every field of plain `text` to `bounds`,
/// row after row, with the records that [`super::plain::plain_records`]
/// gives (blank lines skipped, `\r\n` ends a record), or `None` when a
/// record has not `width` fields.
fn split(
    text: &[u8],
    delimiter: u8,
    width: usize,
    skip_first: bool,
    bounds: &mut Vec<[u32; 2]>,
) -> Option<Split> {
    // Fields are rarely shorter than 6 bytes with their delimiter.
    bounds.reserve(text.len() / 6 + width);
    let mut c = Cutter {
        text,
        width,
        row_start: bounds.len(),
        bounds,
        line_start: 0,
        field_start: 0,
        widest: 0,
        rows: 0,
        newlines: 0,
        skip_first,
    };
    // The delimiters and line feeds of 64 bytes at a time as the bits of a
    // mask, taken lowest first: one comparison per byte, none per field.
    // (memchr's `memchr2_iter` restarts its search after every match: on
    // fields this dense it took 47 ms for 65 MB of the A/B bench's rows
    // against 8 ms here.)
    let mut blocks = text.chunks_exact(64);
    let mut base = 0;
    for block in &mut blocks {
        let mut mask = hits(block, delimiter);
        while mask != 0 {
            c.at(base + mask.trailing_zeros() as usize, delimiter)?;
            mask &= mask - 1;
        }
        base += 64;
    }
    for (k, &b) in blocks.remainder().iter().enumerate() {
        if b == delimiter || b == b'\n' {
            c.at(base + k, delimiter)?;
        }
    }
    if text.last().is_some_and(|&b| b != b'\n') {
        c.line_end(text.len())?;
    }
    Some(Split {
        rows: c.rows,
        widest: c.widest,
        newlines: c.newlines,
    })
}

/// Bit `k` set where `block[k]` (of 64 bytes) is `delimiter` or a line feed.
#[cfg(target_arch = "x86_64")]
fn hits(block: &[u8], delimiter: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    assert!(block.len() >= 64);
    let mut mask = 0u64;
    // SAFETY: SSE2 is part of every x86-64 CPU, and the four unaligned
    // 16-byte loads stay inside `block` (asserted above).
    unsafe {
        let (d, n) = (_mm_set1_epi8(delimiter as i8), _mm_set1_epi8(b'\n' as i8));
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            let hit = _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, n));
            mask |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
        }
    }
    mask
}

/// Bit `k` set where `block[k]` (of 64 bytes) is `delimiter` or a line feed.
#[cfg(not(target_arch = "x86_64"))]
fn hits(block: &[u8], delimiter: u8) -> u64 {
    let mut mask = 0u64;
    for (k, &b) in block.iter().enumerate().take(64) {
        mask |= u64::from((b == delimiter) | (b == b'\n')) << k;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::plain::plain_records;

    /// The fields of `text` (records of `width` fields, the first skipped
    /// when `skip_first`) as the row-by-row splitter cuts them, or `None`
    /// when a record has another width.
    fn by_rows(text: &[u8], width: usize, mut skip_first: bool) -> Option<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut ragged = false;
        plain_records::<()>(text, b',', |_, f| {
            if std::mem::take(&mut skip_first) {
                return Ok(true);
            }
            ragged |= f.len() != width;
            out.extend((0..f.len()).map(|j| f.bytes(j).to_vec()));
            Ok(true)
        })
        .unwrap();
        (!ragged).then_some(out)
    }

    fn by_split(text: &[u8], width: usize, skip_first: bool) -> Option<Vec<Vec<u8>>> {
        let mut bounds = Vec::new();
        let found = split(text, b',', width, skip_first, &mut bounds)?;
        assert_eq!(found.rows * width, bounds.len());
        assert_eq!(
            found.newlines,
            memchr::memchr_iter(b'\n', text).count() as u64
        );
        let fields: Vec<Vec<u8>> = bounds
            .iter()
            .map(|&[s, e]| text[s as usize..e as usize].to_vec())
            .collect();
        let widest = fields.iter().map(Vec::len).max().unwrap_or(0);
        assert!(found.widest >= widest);
        Some(fields)
    }

    #[test]
    fn random_texts_split_into_the_row_by_row_fields() {
        // Records of mostly three fields from a fixed LCG, long enough to
        // cross many 64-byte blocks, with blank lines and `\r\n` endings.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut clean = 0;
        for _ in 0..3_000 {
            let mut text = Vec::new();
            for _ in 0..next(40) {
                let fields = if next(50) == 0 { 2 + next(3) } else { 3 };
                for f in 0..fields {
                    if f > 0 {
                        text.push(b',');
                    }
                    for _ in 0..next(12) {
                        text.extend_from_slice(
                            ["a", "7", " ", "ж", "."][next(5) as usize].as_bytes(),
                        );
                    }
                }
                text.extend_from_slice(
                    ["\n", "\r\n", "\n\n", "\r\n\r\n"][next(4) as usize].as_bytes(),
                );
            }
            if next(3) == 0 {
                text.truncate(text.len().saturating_sub(1 + next(4) as usize));
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            for skip_first in [false, true] {
                let want = by_rows(text.as_bytes(), 3, skip_first);
                clean += usize::from(want.is_some());
                assert_eq!(by_split(text.as_bytes(), 3, skip_first), want, "{text:?}");
            }
        }
        assert!(clean > 1_000);
    }
}
