//! XLSX, XLS and ODS through calamine: the first sheet (or one by name),
//! the first row as header unless it holds a number, date or boolean.
//!
//! Cell types come from the workbook: numbers that are all whole become
//! integers (as pandas' `read_excel` does), date cells whose times are all
//! midnight become dates, other date cells datetimes; text cells go through
//! the same rules as CSV text (null spellings, numbers written as text).
//! Error cells (`#N/A`, `#DIV/0!`) are null. calamine reads a whole sheet
//! into memory, so a sheet's size is bounded by the zip checks in
//! [`crate::archive`] and by `max_bytes`, not by `batch_size`.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use calamine::{Data, Ods, Range, Reader, Xls, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::cell;
use crate::columns::{ColumnBuffer, type_words};
use crate::format::Format;
use crate::infer::TypeGuess;
use crate::options::{BadRows, ColumnType, ReadOptions};
use crate::reader::{BatchSource, labelled_schema, skip_or_fail};
use crate::report::ReadReport;
use crate::source::Source;
use crate::{Error, Result};

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A cell as abstat sees it.
enum Cell<'a> {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    Text(&'a str),
}

fn cell_of(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty | Data::Error(_) => Cell::Null,
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(x) if !x.is_duration() => x.as_datetime().map_or(Cell::Null, Cell::DateTime),
        Data::DateTime(x) => Cell::Float(x.as_f64()),
        // ODS stores dates as ISO text.
        Data::DateTimeIso(s) => cell::parse_datetime(s)
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map_or(Cell::Text(s), |t| Cell::DateTime(t.naive_utc())),
        Data::String(s) | Data::DurationIso(s) => Cell::Text(s),
    }
}

fn is_whole(f: f64) -> bool {
    f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15
}

fn micros(t: &NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn days(t: &NaiveDateTime) -> i32 {
    t.date().num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

fn text_of(c: &Cell<'_>) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Text(s) => s.to_string(),
    }
}

pub(crate) struct SheetReader {
    schema: SchemaRef,
    range: Range<Data>,
    originals: Vec<String>,
    buffers: Vec<ColumnBuffer>,
    next_row: usize,
    bad_rows: BadRows,
    batch_size: usize,
    nulls: Vec<String>,
    bytes: u64,
}

pub(crate) fn open(
    format: Format,
    source: &Source,
    name: &str,
    opts: &ReadOptions,
    report: &mut ReadReport,
) -> Result<Box<dyn BatchSource>> {
    let fmt = format.name();
    if matches!(format, Format::Xlsx | Format::Ods) {
        crate::archive::check_zip(source.open(name)?, fmt, &opts.limits)?;
    }
    let rs = std::io::BufReader::new(source.open(name)?);
    let (sheets, range) = match format {
        Format::Xlsx => sheet(open_workbook_from_rs::<Xlsx<_>, _>(rs), opts, fmt)?,
        Format::Xls => sheet(open_workbook_from_rs::<Xls<_>, _>(rs), opts, fmt)?,
        Format::Ods => sheet(open_workbook_from_rs::<Ods<_>, _>(rs), opts, fmt)?,
        _ => unreachable!("not a spreadsheet"),
    };
    report.sheet = Some(sheets);
    let len = source.len(name)?;
    SheetReader::new(range, opts, report, len, name).map(|r| Box::new(r) as Box<dyn BatchSource>)
}

fn sheet<R, RS>(
    workbook: std::result::Result<R, R::Error>,
    opts: &ReadOptions,
    fmt: &'static str,
) -> Result<(String, Range<Data>)>
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    let mut wb = workbook.map_err(|e| Error::format(fmt, e))?;
    let names = wb.sheet_names();
    let wanted = match &opts.sheet {
        Some(s) => names
            .iter()
            .find(|n| *n == s)
            .cloned()
            .ok_or_else(|| Error::NoSuchSheet {
                name: s.clone(),
                available: names.join(", "),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::format(fmt, "the workbook has no sheets"))?,
    };
    let range = wb
        .worksheet_range(&wanted)
        .map_err(|e| Error::format(fmt, e))?;
    Ok((wanted, range))
}

impl SheetReader {
    fn new(
        range: Range<Data>,
        opts: &ReadOptions,
        report: &mut ReadReport,
        len: u64,
        name: &str,
    ) -> Result<Self> {
        let width = range.width();
        let height = range.height();
        if width == 0 || height == 0 {
            return Err(Error::Empty { name: name.into() });
        }
        opts.limits.check_columns(width as u64)?;
        let first: Vec<Cell<'_>> = range
            .rows()
            .next()
            .unwrap_or(&[])
            .iter()
            .map(cell_of)
            .collect();
        let has_header = opts.has_header.unwrap_or_else(|| {
            first.iter().all(|c| match c {
                Cell::Null => true,
                Cell::Text(s) => {
                    let s = s.trim();
                    cell::is_null(s, &opts.null_values) || cell::parse_float(s, '.').is_none()
                }
                _ => false,
            })
        });
        report.has_header = Some(has_header);
        let originals: Vec<String> = if has_header {
            first
                .iter()
                .enumerate()
                .map(|(j, c)| match c {
                    Cell::Null => String::new(),
                    other => {
                        let _ = j;
                        text_of(other)
                    }
                })
                .collect()
        } else {
            (1..=width).map(|j| format!("column_{j}")).collect()
        };
        let body = usize::from(has_header);
        opts.limits.check_rows((height - body) as u64)?;
        let mut guesses = vec![TypeGuess::default(); width];
        let mut all_midnight = vec![true; width];
        let mut all_whole = vec![true; width];
        for row in range.rows().skip(body) {
            for (j, d) in row.iter().enumerate() {
                match cell_of(d) {
                    Cell::Null => {}
                    Cell::Int(_) => guesses[j].observe_typed(ColumnType::Integer),
                    Cell::Float(f) => {
                        all_whole[j] &= is_whole(f);
                        guesses[j].observe_typed(ColumnType::Float)
                    }
                    Cell::Bool(_) => guesses[j].observe_typed(ColumnType::Boolean),
                    Cell::DateTime(t) => {
                        all_midnight[j] &=
                            t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0;
                        guesses[j].observe_typed(ColumnType::Datetime)
                    }
                    Cell::Text(s) => {
                        opts.limits.check_cell(s.len() as u64)?;
                        if !cell::is_null(s.trim(), &opts.null_values) {
                            guesses[j].observe_text(s, '.')
                        }
                    }
                }
            }
        }
        let mut kinds: Vec<ColumnType> = (0..width)
            .map(|j| match guesses[j].resolve() {
                ColumnType::Float if all_whole[j] => ColumnType::Integer,
                ColumnType::Datetime if all_midnight[j] => ColumnType::Date,
                t => t,
            })
            .collect();
        // Text-only cells could have widened "Float" to include texts of
        // fractions; a whole-looking float column stays integer only when
        // every text also parses as an integer.
        for (j, k) in kinds.iter_mut().enumerate() {
            if *k == ColumnType::Integer {
                let texts_ok = range
                    .rows()
                    .skip(body)
                    .all(|row| match row.get(j).map(cell_of) {
                        Some(Cell::Text(s)) => {
                            let s = s.trim();
                            cell::is_null(s, &opts.null_values) || cell::parse_int(s, '.').is_some()
                        }
                        _ => true,
                    });
                if !texts_ok {
                    *k = ColumnType::Float;
                }
            }
        }
        let schema = labelled_schema(&originals, &mut kinds, opts, report)?;
        let capacity = opts.batch_size.min(height);
        Ok(SheetReader {
            schema,
            buffers: kinds
                .iter()
                .map(|&k| ColumnBuffer::new(k, capacity))
                .collect(),
            range,
            originals,
            next_row: body,
            bad_rows: opts.bad_rows,
            batch_size: opts.batch_size,
            nulls: opts.null_values.clone(),
            bytes: len,
        })
    }
}

/// Append one cell to a column of kind `buf.kind`; `false` if it does not fit.
fn push(buf: &mut ColumnBuffer, c: &Cell<'_>, nulls: &[String]) -> bool {
    use ColumnType as T;
    match (buf.kind, c) {
        (_, Cell::Null) => buf.push_null(),
        (_, Cell::Text(s)) if cell::is_null(s.trim(), nulls) => buf.push_null(),
        (T::String, c) => return buf.push_text(&text_of(c), '.'),
        (_, Cell::Text(s)) => return buf.push_text(s, '.'),
        (T::Integer, Cell::Int(i)) => buf.push_int(*i),
        (T::Integer, Cell::Float(f)) if is_whole(*f) => buf.push_int(*f as i64),
        (T::Float, Cell::Int(i)) => buf.push_float(*i as f64),
        (T::Float, Cell::Float(f)) => buf.push_float(*f),
        (T::Boolean, Cell::Bool(b)) => buf.push_bool(*b),
        (T::Date, Cell::DateTime(t)) => buf.push_date(days(t)),
        (T::Datetime, Cell::DateTime(t)) => buf.push_int(micros(t)),
        _ => return false,
    }
    true
}

impl BatchSource for SheetReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn next_batch(&mut self, report: &mut ReadReport) -> Result<Option<RecordBatch>> {
        let height = self.range.height();
        let mut rows = 0;
        while rows < self.batch_size && self.next_row < height {
            let i = self.next_row;
            self.next_row += 1;
            let row = self.range.rows().nth(i).unwrap_or(&[]);
            let mut failed = None;
            for (j, buf) in self.buffers.iter_mut().enumerate() {
                let c = row.get(j).map_or(Cell::Null, cell_of);
                if !push(buf, &c, &self.nulls) {
                    failed = Some((j, text_of(&c).chars().take(40).collect::<String>()));
                    break;
                }
            }
            if let Some((j, value)) = failed {
                for b in &mut self.buffers {
                    b.truncate(rows);
                }
                let err = Error::BadValue {
                    line: (i + 1) as u64,
                    column: self.originals[j].clone(),
                    value,
                    expected: type_words(self.buffers[j].kind),
                };
                skip_or_fail(self.bad_rows, report, err)?;
                continue;
            }
            rows += 1;
        }
        if rows == 0 {
            return Ok(None);
        }
        let columns = self.buffers.iter_mut().map(ColumnBuffer::finish).collect();
        RecordBatch::try_new(self.schema.clone(), columns)
            .map(Some)
            .map_err(|e| Error::format("spreadsheet", e))
    }
}
