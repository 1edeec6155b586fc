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
/// record skipped when `skip_first`) and return the rows, or `None` when
/// the chunk must be parsed row by row (the buffers are then in any state).
pub(crate) fn parse_by_column(
    text: &[u8],
    skip_first: bool,
    plan: &Plan,
    buffers: &mut [ColumnBuffer],
) -> Option<usize> {
    if u32::try_from(text.len()).is_err() {
        return None;
    }
    BOUNDS.with_borrow_mut(|bounds| {
        bounds.clear();
        let (rows, widest) = split(text, plan.delimiter, plan.width, skip_first, bounds)?;
        if widest as u64 > plan.max_cell {
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
        Some(rows)
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
    skip_first: bool,
}

impl Cutter<'_> {
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
/// gives (blank lines skipped, `\r\n` ends a record); the rows and the
/// longest field, or `None` when a record has not `width` fields.
fn split(
    text: &[u8],
    delimiter: u8,
    width: usize,
    skip_first: bool,
    bounds: &mut Vec<[u32; 2]>,
) -> Option<(usize, usize)> {
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
        skip_first,
    };
    for i in memchr::memchr2_iter(delimiter, b'\n', text) {
        if text[i] == delimiter {
            c.field(i);
            c.field_start = i + 1;
            if c.bounds.len() - c.row_start > c.width && !c.skip_first {
                return None;
            }
        } else {
            c.line_end(i)?;
        }
    }
    if text.last().is_some_and(|&b| b != b'\n') {
        c.line_end(text.len())?;
    }
    Some((c.rows, c.widest))
}
