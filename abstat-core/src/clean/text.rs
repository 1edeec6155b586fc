//! Trimming and normalising text.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, SchemaRef};
use unicode_normalization::UnicodeNormalization;

use super::resolve::{At, is_text};
use super::{Applied, Step, TextCase, arrow_error};
use crate::{Error, Result};

/// What [`super::CleanOp::NormalizeText`] does, applied in this order:
/// NFC, trim, collapse spaces, case.
#[derive(Debug, Clone, Copy)]
pub(super) struct Normalize {
    pub trim: bool,
    pub collapse_spaces: bool,
    pub case: TextCase,
    pub nfc: bool,
}

impl Normalize {
    /// `s` normalised. Whitespace is Unicode's `White_Space` (Rust's
    /// `char::is_whitespace`); Python's `str.strip` also strips the
    /// separators U+001C..U+001F.
    fn text(&self, s: &str) -> String {
        let mut t: String = if self.nfc {
            s.nfc().collect()
        } else {
            s.to_string()
        };
        if self.trim {
            t = t.trim().to_string();
        }
        if self.collapse_spaces {
            t = collapse(&t);
        }
        match self.case {
            TextCase::Keep => t,
            TextCase::Lower => t.to_lowercase(),
            TextCase::Upper => t.to_uppercase(),
        }
    }
}

/// Every run of whitespace replaced by one space (`re.sub(r"\s+", " ", s)`).
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

struct Text {
    cols: Vec<usize>,
    how: Normalize,
    schema: SchemaRef,
}

impl Step for Text {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let mut cells = 0;
        let mut changes = Vec::with_capacity(self.cols.len());
        for &i in &self.cols {
            let a = batch.column(i);
            let utf8 = arrow_cast::cast(a, &DataType::Utf8).map_err(arrow_error("reading text"))?;
            let out: StringArray = utf8
                .as_string::<i32>()
                .iter()
                .map(|v| {
                    v.map(|s| {
                        let t = self.how.text(s);
                        if t != s {
                            cells += 1;
                        }
                        t
                    })
                })
                .collect();
            let out: ArrayRef = Arc::new(out);
            let out = if a.data_type() == &DataType::Utf8 {
                out
            } else {
                arrow_cast::cast(&out, a.data_type()).map_err(arrow_error("writing text"))?
            };
            changes.push((i, out));
        }
        Applied::columns(batch, &self.schema, changes, cells, 0)
    }
}

pub(super) fn build(
    at: At<'_>,
    schema: &SchemaRef,
    columns: Option<&[String]>,
    how: Normalize,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let cols = match columns {
        Some(names) => {
            let idx = at.columns(schema, "columns", names)?;
            for &i in &idx {
                let f = schema.field(i);
                if !is_text(f.data_type()) {
                    return Err(Error::UnsupportedType {
                        what: format!("column '{}' in {}", f.name(), at.param("columns")),
                        data_type: f.data_type().to_string(),
                        expected: "a text column (cast it to string first)".into(),
                    });
                }
            }
            idx
        }
        None => (0..schema.fields().len())
            .filter(|&i| is_text(schema.field(i).data_type()))
            .collect(),
    };
    Ok((
        Box::new(Text {
            cols,
            how,
            schema: schema.clone(),
        }),
        schema.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_in_order() {
        let n = Normalize {
            trim: true,
            collapse_spaces: true,
            case: TextCase::Lower,
            nfc: true,
        };
        // "e" + combining acute composes to "é" under NFC.
        assert_eq!(n.text("  Cafe\u{301}\t\t  Au  LAIT "), "café au lait");
    }
}
