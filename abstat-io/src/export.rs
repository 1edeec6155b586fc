//! Export of datasets and result tables: CSV, Parquet and XLSX.
//!
//! - **CSV**: UTF-8, optionally with a byte-order mark (Excel on Windows
//!   needs it to read UTF-8), a delimiter of choice, RFC 4180 quoting.
//!   Missing values are empty fields; NaN is written as `NaN`; dates as
//!   `YYYY-MM-DD`, timestamps as ISO 8601.
//! - **Parquet**: zstd-compressed, the stored types; column names are the
//!   original labels (the field metadata keeps them under [`LABEL_KEY`]).
//! - **XLSX**: one sheet named `data`, written row by row through a
//!   temporary file (`rust_xlsxwriter`'s constant-memory mode). Numbers are
//!   numbers, booleans booleans, dates and timestamps Excel date cells;
//!   missing values, NaN and infinities are empty cells. Integers beyond
//!   ±2^53 and values of other types are written as text. A sheet holds at
//!   most 1 048 575 data rows; larger tables are refused (export CSV or
//!   Parquet instead).
//!
//! Headers (Parquet column names) are the original column labels (field metadata
//! [`LABEL_KEY`], as read from the user's file), falling back to the name.

use std::io::Write;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type, Float32Type, Float64Type};
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};

use crate::names::LABEL_KEY;
use crate::store::DatasetStore;
use crate::{Error, Result};

/// Rows read from the store per batch while exporting.
pub const EXPORT_BATCH_ROWS: usize = 65_536;

/// Data rows an XLSX sheet can hold (Excel's 1 048 576 rows minus the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Delimited text.
    Csv,
    /// Apache Parquet (zstd).
    Parquet,
    /// Excel 2007+ workbook.
    Xlsx,
}

impl ExportFormat {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The MIME type for an HTTP response.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Parquet => "application/vnd.apache.parquet",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// How to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportOptions {
    /// The file format (CSV by default).
    pub format: ExportFormat,
    /// CSV field delimiter: one of `,` (default) `;` tab `|`.
    pub delimiter: char,
    /// Start a CSV with a UTF-8 byte-order mark, for Excel (default false).
    pub bom: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            format: ExportFormat::Csv,
            delimiter: ',',
            bom: false,
        }
    }
}

impl ExportOptions {
    /// Check the options.
    pub fn validate(&self) -> Result<()> {
        if !matches!(self.delimiter, ',' | ';' | '\t' | '|') {
            return Err(Error::InvalidOption {
                name: "delimiter",
                value: format!("{:?}", self.delimiter),
                expected: "one of ',' ';' '\\t' '|'".into(),
            });
        }
        Ok(())
    }
}

/// The header of a column: its original label, else its name.
pub fn header(field: &arrow_schema::Field) -> &str {
    field
        .metadata()
        .get(LABEL_KEY)
        .map_or(field.name().as_str(), String::as_str)
}

fn export_error(format: &'static str) -> impl Fn(String) -> Error {
    move |detail| Error::Export { format, detail }
}

/// Write `batches` (all of `schema`) to `out`; returns the rows written.
pub fn export_batches<W: Write + Send>(
    schema: &SchemaRef,
    batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    out: W,
    options: &ExportOptions,
) -> Result<u64> {
    options.validate()?;
    match options.format {
        ExportFormat::Csv => csv(schema, batches, out, options),
        ExportFormat::Parquet => parquet(schema, batches, out),
        ExportFormat::Xlsx => xlsx(schema, batches, out),
    }
}

/// Export a stored version (the latest when `None`) of dataset `id`.
pub fn export_version<W: Write + Send>(
    store: &dyn DatasetStore,
    id: &str,
    version: Option<u32>,
    out: W,
    options: &ExportOptions,
) -> Result<u64> {
    options.validate()?;
    let (schema, mut batches) = store.read(id, version, None, EXPORT_BATCH_ROWS)?;
    export_batches(&schema, &mut batches, out, options)
}

fn csv<W: Write>(
    schema: &Schema,
    batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    mut out: W,
    options: &ExportOptions,
) -> Result<u64> {
    let err = |e: std::io::Error| Error::io("the CSV export", e);
    if options.bom {
        out.write_all("\u{feff}".as_bytes()).map_err(err)?;
    }
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(options.delimiter as u8)
        .from_writer(out);
    let csv_err = |e: ::csv::Error| export_error("CSV")(e.to_string());
    w.write_record(schema.fields().iter().map(|f| header(f)))
        .map_err(csv_err)?;
    let fmt = FormatOptions::default().with_null("");
    let mut rows = 0;
    let mut record: Vec<String> = Vec::with_capacity(schema.fields().len());
    for b in batches {
        let b = b?;
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &fmt))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| export_error("CSV")(e.to_string()))?;
        for i in 0..b.num_rows() {
            record.clear();
            record.extend(formatters.iter().map(|f| f.value(i).to_string()));
            w.write_record(&record).map_err(csv_err)?;
        }
        rows += b.num_rows() as u64;
    }
    w.flush().map_err(err)?;
    Ok(rows)
}

fn parquet<W: Write + Send>(
    schema: &SchemaRef,
    batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    out: W,
) -> Result<u64> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .build();
    let perr = |e: parquet::errors::ParquetError| Error::format("Parquet", e);
    // Column names are the original labels (what the user called them);
    // readers that know abstat find the label in the metadata as well.
    let labelled: SchemaRef = Arc::new(Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_name(header(f)))
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    ));
    let mut w = ArrowWriter::try_new(out, labelled.clone(), Some(props)).map_err(perr)?;
    let mut rows = 0;
    for b in batches {
        let b = b?;
        rows += b.num_rows() as u64;
        let b = RecordBatch::try_new(labelled.clone(), b.columns().to_vec())
            .map_err(|e| Error::format("Parquet", e))?;
        w.write(&b).map_err(perr)?;
    }
    w.close().map_err(perr)?;
    Ok(rows)
}

/// Days from Excel's epoch (1899-12-30) to the Unix epoch.
const EXCEL_UNIX_DAYS: f64 = 25_569.0;

/// An Excel date serial number from a timestamp in `unit` since 1970.
fn excel_serial(v: i64, unit: TimeUnit) -> f64 {
    let per_day = match unit {
        TimeUnit::Second => 86_400.0,
        TimeUnit::Millisecond => 86_400e3,
        TimeUnit::Microsecond => 86_400e6,
        TimeUnit::Nanosecond => 86_400e9,
    };
    EXCEL_UNIX_DAYS + v as f64 / per_day
}

fn xlsx<W: Write + Send>(
    schema: &Schema,
    batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    out: W,
) -> Result<u64> {
    let xerr = |e: rust_xlsxwriter::XlsxError| export_error("XLSX")(e.to_string());
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory().map_err(xerr)?;
    sheet.set_name("data").map_err(xerr)?;
    for (c, f) in schema.fields().iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, header(f), &bold)
            .map_err(xerr)?;
    }
    let mut rows: u64 = 0;
    for b in batches {
        let b = b?;
        if rows + b.num_rows() as u64 > XLSX_MAX_ROWS {
            return Err(Error::LimitExceeded {
                limit: "rows in an XLSX sheet",
                option: "format (export CSV or Parquet for larger tables)",
                max: XLSX_MAX_ROWS,
                found: rows + b.num_rows() as u64,
            });
        }
        // Constant-memory mode flushes a row once the next one starts:
        // cells must be written row by row.
        let columns = b
            .columns()
            .iter()
            .map(|a| XlsxColumn::new(a.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..b.num_rows() {
            let row = (rows + i as u64 + 1) as u32;
            for (c, col) in columns.iter().enumerate() {
                col.write(sheet, row, c as u16, i, &date, &datetime)
                    .map_err(xerr)?;
            }
        }
        rows += b.num_rows() as u64;
    }
    book.save_to_writer(out).map_err(xerr)?;
    Ok(rows)
}

/// One column of a batch, ready to be written cell by cell.
struct XlsxColumn<'a> {
    array: &'a dyn Array,
    numbers: Option<Vec<f64>>,
    text: ArrayFormatter<'a>,
}

impl<'a> XlsxColumn<'a> {
    fn new(array: &'a dyn Array) -> Result<Self> {
        Ok(XlsxColumn {
            array,
            numbers: excel_numbers(array),
            text: ArrayFormatter::try_new(array, &FormatOptions::default())
                .map_err(|e| export_error("XLSX")(e.to_string()))?,
        })
    }

    fn write(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        row: u32,
        col: u16,
        i: usize,
        date: &Format,
        datetime: &Format,
    ) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
        let a = self.array;
        if a.is_null(i) {
            return Ok(());
        }
        match a.data_type() {
            DataType::Boolean => {
                sheet.write_boolean(row, col, a.as_boolean().value(i))?;
            }
            DataType::Date32 => {
                let d = a.as_primitive::<Date32Type>().value(i);
                sheet.write_number_with_format(row, col, EXCEL_UNIX_DAYS + f64::from(d), date)?;
            }
            DataType::Date64 => {
                let ms = a.as_primitive::<Date64Type>().value(i);
                sheet.write_number_with_format(
                    row,
                    col,
                    excel_serial(ms, TimeUnit::Millisecond),
                    date,
                )?;
            }
            DataType::Timestamp(unit, _) => {
                let v = timestamp_value(a, i);
                sheet.write_number_with_format(row, col, excel_serial(v, *unit), datetime)?;
            }
            _ => match &self.numbers {
                Some(x) if x[i].is_finite() => {
                    sheet.write_number(row, col, x[i])?;
                }
                Some(_) => {}
                None => {
                    sheet.write_string(row, col, self.text.value(i).to_string())?;
                }
            },
        }
        Ok(())
    }
}

/// Values of a numeric column as `f64` when every one is exact in a double
/// (Excel's only number type); `None` for other columns, written as text.
fn excel_numbers(a: &dyn Array) -> Option<Vec<f64>> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let t = a.data_type();
    if t == &DataType::Float64 {
        return Some(a.as_primitive::<Float64Type>().values().to_vec());
    }
    if t == &DataType::Float32 {
        return Some(
            a.as_primitive::<Float32Type>()
                .values()
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
        );
    }
    if !t.is_integer() {
        return None;
    }
    let x = abstat_core::input::from_arrow(a, "column")
        .ok()?
        .into_owned();
    x.iter()
        .all(|v| v.is_nan() || v.abs() <= EXACT)
        .then_some(x)
}

fn timestamp_value(a: &dyn Array, i: usize) -> i64 {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            a.as_primitive::<TimestampSecondType>().value(i)
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            a.as_primitive::<TimestampMillisecondType>().value(i)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            a.as_primitive::<TimestampMicrosecondType>().value(i)
        }
        _ => a.as_primitive::<TimestampNanosecondType>().value(i),
    }
}
