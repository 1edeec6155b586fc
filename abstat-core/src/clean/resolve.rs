//! Checking a plan's column names and parameters against a schema, with
//! errors that name the operation, the bad value and what is allowed.

use arrow_schema::{DataType, Schema};

use crate::Error;
use crate::Result;

/// Where in the plan a parameter sits, for error messages (`ops[2].k`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub index: usize,
    pub op: &'a str,
}

impl At<'_> {
    pub fn param(&self, name: &str) -> String {
        format!("ops[{}] ({}).{name}", self.index, self.op)
    }

    pub fn invalid(&self, name: &str, value: impl ToString, expected: impl Into<String>) -> Error {
        Error::invalid(self.param(name), value, expected)
    }

    /// The index of column `name`, or an error listing the columns.
    pub fn column(&self, schema: &Schema, param: &str, name: &str) -> Result<usize> {
        schema.index_of(name).map_err(|_| {
            self.invalid(
                param,
                format!("'{name}'"),
                format!("one of the columns: {}", column_list(schema)),
            )
        })
    }

    /// Indices of `names` (at least one, no repeats).
    pub fn columns(&self, schema: &Schema, param: &str, names: &[String]) -> Result<Vec<usize>> {
        if names.is_empty() {
            return Err(self.invalid(
                param,
                "[]",
                format!("at least one of the columns: {}", column_list(schema)),
            ));
        }
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let i = self.column(schema, param, n)?;
            if out.contains(&i) {
                return Err(self.invalid(param, format!("'{n}' twice"), "each column once"));
            }
            out.push(i);
        }
        Ok(out)
    }

    /// Indices of `names`, or of every column when absent.
    pub fn columns_or_all(
        &self,
        schema: &Schema,
        param: &str,
        names: Option<&[String]>,
    ) -> Result<Vec<usize>> {
        match names {
            Some(n) => self.columns(schema, param, n),
            None => Ok((0..schema.fields().len()).collect()),
        }
    }

    /// Refuse a column that is not numeric.
    pub fn numeric(&self, schema: &Schema, i: usize) -> Result<()> {
        let f = schema.field(i);
        if is_numeric(f.data_type()) {
            Ok(())
        } else {
            Err(Error::UnsupportedType {
                what: format!("column '{}' in {}", f.name(), self.param("columns")),
                data_type: f.data_type().to_string(),
                expected: "a numeric column (cast it to float first)".into(),
            })
        }
    }
}

pub(crate) fn column_list(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn is_numeric(t: &DataType) -> bool {
    t.is_integer() || t.is_floating()
}

pub(crate) fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}
