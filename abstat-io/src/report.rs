//! What a read did: the format and dialect found, the rows read and skipped,
//! the columns renamed.

use serde::{Deserialize, Serialize};

use crate::format::Format;

/// A row left out under [`crate::BadRows::Skip`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// 1-based line number where the row starts (CSV, JSON lines) or
    /// 1-based row number in the sheet (spreadsheets).
    pub line: u64,
    /// Why it was left out.
    pub reason: String,
}

/// A column whose name was changed to a safe identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenamedColumn {
    /// The name as it was in the file (kept as the field's label).
    pub original: String,
    /// The name in the Arrow schema.
    pub name: String,
}

/// The report of one read. Complete once the reader is exhausted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadReport {
    /// The format read.
    pub format: Format,
    /// The text encoding (WHATWG name) for text formats.
    pub encoding: Option<String>,
    /// Whether the text started with a byte-order mark.
    pub bom: bool,
    /// The CSV delimiter.
    pub delimiter: Option<char>,
    /// The CSV decimal separator.
    pub decimal: Option<char>,
    /// Whether the first CSV row was taken as the header.
    pub has_header: Option<bool>,
    /// The sheet read from a workbook.
    pub sheet: Option<String>,
    /// Data rows delivered so far.
    pub rows: u64,
    /// Rows left out, with line numbers and reasons (the first
    /// [`ReadReport::MAX_SKIPPED_LISTED`]).
    pub skipped: Vec<SkippedRow>,
    /// How many rows were left out in all.
    pub skipped_rows: u64,
    /// Columns whose names were normalised.
    pub renamed: Vec<RenamedColumn>,
    /// Byte sequences that were not valid in the detected encoding and were
    /// replaced by U+FFFD.
    pub replaced_characters: u64,
}

impl ReadReport {
    /// Skipped rows listed individually; the rest are only counted.
    pub const MAX_SKIPPED_LISTED: usize = 1000;

    pub(crate) fn skip(&mut self, line: u64, reason: String) {
        self.skipped_rows += 1;
        if self.skipped.len() < Self::MAX_SKIPPED_LISTED {
            self.skipped.push(SkippedRow { line, reason });
        }
    }

    pub(crate) fn new(format: Format) -> Self {
        ReadReport {
            format,
            encoding: None,
            bom: false,
            delimiter: None,
            decimal: None,
            has_header: None,
            sheet: None,
            rows: 0,
            skipped: Vec::new(),
            skipped_rows: 0,
            renamed: Vec::new(),
            replaced_characters: 0,
        }
    }
}
