//! A chunk of plain text (see [`super::plain::is_plain`]) parsed in one
//! pass: the delimiters and line feeds of 64 bytes at a time are found as
//! the bits of a mask, and each field is parsed into its column as soon as
//! it is cut, without storing field bounds or calling a function per row.
//!
//! This is only the common case: every record has the expected number of
//! fields, no cell is too long, and every cell is a value or a null of its
//! column. At the first cell where that fails, [`parse_by_column`] gives
//! up and the caller parses the chunk row by row, which reports problems
//! with their lines exactly; so whenever it gives an answer, it is the
//! row-by-row answer.

use crate::cell::{NullSpellings, field_text};
use crate::columns::ColumnBuffer;

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
/// record skipped when `skip_first`) and return the rows and line feeds,
/// or `None` when the chunk must be parsed row by row (the buffers are then
/// in any state).
pub(crate) fn parse_by_column(
    text: &[u8],
    skip_first: bool,
    plan: &Plan,
    buffers: &mut [ColumnBuffer],
) -> Option<(usize, u64)> {
    let (start, newlines) = if skip_first { header_end(text) } else { (0, 0) };
    let undecided: Vec<bool> = match plan.undecided {
        Some(u) => u.to_vec(),
        None => vec![false; plan.width],
    };
    if plan.width == 0 || buffers.len() != plan.width || undecided.len() != plan.width {
        return None;
    }
    let mut f = Filler {
        text,
        delimiter: plan.delimiter,
        decimal: plan.decimal,
        nulls: plan.nulls,
        undecided: &undecided,
        last: plan.width - 1,
        buffers,
        col: 0,
        field_start: start,
        widest: 0,
        rows: 0,
        newlines,
    };
    // One comparison per byte, none per field. (memchr's `memchr2_iter`
    // restarts its search after every match: on fields this dense it took
    // 47 ms for 65 MB of the A/B bench's rows against 8 ms for the mask.)
    let body = &text[start..];
    let mut blocks = body.chunks_exact(64);
    let mut base = start;
    for block in &mut blocks {
        let mut mask = hits(block, plan.delimiter);
        while mask != 0 {
            f.at(base + mask.trailing_zeros() as usize)?;
            mask &= mask - 1;
        }
        base += 64;
    }
    for (k, &b) in blocks.remainder().iter().enumerate() {
        if b == plan.delimiter || b == b'\n' {
            f.at(base + k)?;
        }
    }
    if text.last() != Some(&b'\n') {
        f.line_end(text.len())?;
    }
    if f.widest as u64 > plan.max_cell {
        return None;
    }
    Some((f.rows, f.newlines))
}

/// Where the first record of plain `text` ends (after its line feed),
/// blank lines before it included, and the line feeds up to there.
fn header_end(text: &[u8]) -> (usize, u64) {
    let mut at = 0;
    let mut newlines = 0;
    while let Some(k) = memchr::memchr(b'\n', &text[at..]) {
        let line = &text[at..at + k];
        newlines += 1;
        at += k + 1;
        if !(line.is_empty() || line == b"\r") {
            return (at, newlines);
        }
    }
    (text.len(), newlines)
}

/// A chunk's fields being parsed into their columns.
struct Filler<'a, 'b> {
    text: &'a [u8],
    delimiter: u8,
    decimal: char,
    nulls: &'a NullSpellings,
    undecided: &'a [bool],
    /// The last column's index.
    last: usize,
    buffers: &'b mut [ColumnBuffer],
    /// The column of the field being cut.
    col: usize,
    field_start: usize,
    /// The longest field, in bytes.
    widest: usize,
    rows: usize,
    newlines: u64,
}

impl Filler<'_, '_> {
    /// The delimiter or line feed at `i`; `None` when the chunk has to be
    /// parsed row by row.
    #[inline(always)]
    fn at(&mut self, i: usize) -> Option<()> {
        if self.text[i] == self.delimiter {
            if self.col == self.last {
                // more fields than columns
                return None;
            }
            self.cell(i)?;
            self.col += 1;
        } else {
            self.newlines += 1;
            self.line_end(i)?;
        }
        self.field_start = i + 1;
        Some(())
    }

    /// The line ending at `i` (a line feed, or the end of the text);
    /// `None` when its record has not one field per column. A blank line
    /// (nothing, or a lone `\r`, before the line feed) has no fields.
    #[inline(always)]
    fn line_end(&mut self, i: usize) -> Option<()> {
        let end = if i > self.field_start && self.text[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        if self.col == 0 && end == self.field_start {
            return Some(());
        }
        if self.col != self.last {
            return None;
        }
        self.cell(end)?;
        self.col = 0;
        self.rows += 1;
        Some(())
    }

    /// The field from `field_start` to `end`, appended to its column.
    #[inline(always)]
    fn cell(&mut self, end: usize) -> Option<()> {
        let b = &self.text[self.field_start..end];
        self.widest = self.widest.max(b.len());
        let buffer = &mut self.buffers[self.col];
        if self.undecided[self.col] {
            // a column that may only hold nulls
            if self.nulls.surely_not(b) || !self.nulls.contains(field_text(b)) {
                return None;
            }
            buffer.push_null();
            return Some(());
        }
        buffer.push_cell(b, self.nulls, self.decimal).then_some(())
    }
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
    use crate::options::ColumnType;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;

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

    /// The cells of `text` parsed into text columns (nulls as `None`), in
    /// row order, with the rows and line feeds found; `None` when the
    /// parse gives up.
    fn by_fill(
        text: &[u8],
        width: usize,
        skip_first: bool,
        nulls: &NullSpellings,
    ) -> Option<Vec<Option<Vec<u8>>>> {
        let mut buffers: Vec<ColumnBuffer> = (0..width)
            .map(|_| ColumnBuffer::new(ColumnType::String, 4))
            .collect();
        let plan = Plan {
            delimiter: b',',
            decimal: '.',
            width,
            nulls,
            max_cell: u64::MAX,
            undecided: None,
        };
        let (rows, newlines) = parse_by_column(text, skip_first, &plan, &mut buffers)?;
        assert_eq!(newlines, memchr::memchr_iter(b'\n', text).count() as u64);
        let columns: Vec<_> = buffers.iter_mut().map(ColumnBuffer::finish).collect();
        let mut out = Vec::new();
        for i in 0..rows {
            for c in &columns {
                let c = c.as_string::<i32>();
                assert_eq!(c.len(), rows);
                out.push(c.is_valid(i).then(|| c.value(i).as_bytes().to_vec()));
            }
        }
        Some(out)
    }

    #[test]
    fn random_texts_are_parsed_into_the_row_by_row_fields() {
        // Records of mostly three fields from a fixed LCG, long enough to
        // cross many 64-byte blocks, with blank lines, `\r\n` endings,
        // null spellings and padded cells.
        let nulls = NullSpellings::new(&crate::ReadOptions::default().null_values);
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
                            ["a", "7", " ", "ж", ".", "NA", "-"][next(7) as usize].as_bytes(),
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
                let want = by_rows(text.as_bytes(), 3, skip_first).map(|fields| {
                    fields
                        .into_iter()
                        .map(|f| (!nulls.contains(field_text(&f))).then_some(f))
                        .collect::<Vec<_>>()
                });
                clean += usize::from(want.is_some());
                let got = by_fill(text.as_bytes(), 3, skip_first, &nulls);
                assert_eq!(got, want, "{text:?}");
            }
        }
        assert!(clean > 1_000);
    }

    #[test]
    fn a_header_may_have_any_width_and_blank_lines_before_it() {
        let nulls = NullSpellings::new(&[]);
        for text in ["\n\r\na,b,c,d,e\n1,2\n", "a\r\n1,2\r\n", "x,y\n\n1,2"] {
            let got = by_fill(text.as_bytes(), 2, true, &nulls).unwrap();
            let want: Vec<Option<Vec<u8>>> = vec![Some(b"1".to_vec()), Some(b"2".to_vec())];
            assert_eq!(got, want, "{text:?}");
        }
        // Only a header (with or without its line feed), or nothing.
        for text in ["a,b,c", "a,b,c\n", "\n\n", ""] {
            assert_eq!(by_fill(text.as_bytes(), 2, true, &nulls), Some(vec![]));
        }
    }
}
