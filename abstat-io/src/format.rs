//! Which format a file is in, from its first bytes and its name.

use serde::{Deserialize, Serialize};

/// The formats abstat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Format {
    /// Delimited text: CSV, TSV, semicolon- or pipe-separated.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file format (also Feather v2).
    ArrowFile,
    /// Arrow IPC stream format.
    ArrowStream,
    /// JSON: one object per line, or one array of objects.
    Json,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
}

impl Format {
    /// A short name for messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
            Format::ArrowFile => "Arrow IPC file",
            Format::ArrowStream => "Arrow IPC stream",
            Format::Json => "JSON",
            Format::Xlsx => "XLSX",
            Format::Xls => "XLS",
            Format::Ods => "ODS",
        }
    }

    /// The format named by a file's extension, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "tab" | "txt" | "psv" => Format::Csv,
            "parquet" | "pq" => Format::Parquet,
            "arrow" | "feather" | "ipc" => Format::ArrowFile,
            "arrows" => Format::ArrowStream,
            "json" | "jsonl" | "ndjson" => Format::Json,
            "xlsx" | "xlsm" => Format::Xlsx,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            _ => return None,
        })
    }

    /// Detect the format from the first bytes (a few KiB suffice) and the
    /// file name. Magic bytes win over the name; the name decides between
    /// zip-based formats and for text that is neither JSON nor obviously
    /// delimited.
    pub fn detect(head: &[u8], name: &str) -> Option<Format> {
        let by_name = Format::from_name(name);
        if head.starts_with(b"PAR1") {
            return Some(Format::Parquet);
        }
        if head.starts_with(b"ARROW1") {
            return Some(Format::ArrowFile);
        }
        if head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
            return Some(Format::ArrowStream);
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Some(Format::Xls);
        }
        if head.starts_with(b"PK\x03\x04") {
            // ODS stores an uncompressed "mimetype" entry first (ODF 1.2 §3.3).
            if head.len() > 38 && &head[30..38] == b"mimetype" {
                let rest = &head[38..head.len().min(38 + 60)];
                if rest.windows(11).any(|w| w == b"spreadsheet") {
                    return Some(Format::Ods);
                }
            }
            return match by_name {
                Some(Format::Ods) => Some(Format::Ods),
                _ => Some(Format::Xlsx),
            };
        }
        if is_text(head) {
            let first = skip_bom_and_space(head);
            if matches!(first.first(), Some(b'{') | Some(b'[')) {
                return Some(Format::Json);
            }
            return Some(match by_name {
                Some(Format::Json) => Format::Json,
                _ => Format::Csv,
            });
        }
        by_name
    }
}

fn skip_bom_and_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// Text in some encoding: a UTF-16 BOM, or no NUL bytes and few control
/// characters.
fn is_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    !head.contains(&0) && controls * 100 <= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_name() {
        assert_eq!(Format::detect(b"PAR1....", "x.csv"), Some(Format::Parquet));
        assert_eq!(Format::detect(b"ARROW1\0\0", "x"), Some(Format::ArrowFile));
        assert_eq!(Format::detect(b"a,b\n1,2\n", "x.bin"), Some(Format::Csv));
        assert_eq!(
            Format::detect(b"  [{\"a\":1}]", "x.txt"),
            Some(Format::Json)
        );
        assert_eq!(Format::detect(b"\x00\x01\x02", "x.bin"), None);
        assert_eq!(Format::detect(b"PK\x03\x04", "book.ods"), Some(Format::Ods));
        assert_eq!(Format::detect(b"PK\x03\x04", "book"), Some(Format::Xlsx));
    }
}
