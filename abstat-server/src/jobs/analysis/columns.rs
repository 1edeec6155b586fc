//! Columns: what an analysis needs of them, checked against the dataset's
//! schema, and loaded from the dataset store (only those).

use abstat_core::input::from_arrow;
use abstat_core::regression::Column;
use abstat_io::store::{ColumnInfo, DatasetStore};
use arrow_array::RecordBatch;

use super::{Invalid, RunError};

/// What a column is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// Numbers (integers, floats; booleans count as 0/1).
    Numeric,
    /// Labels: any type; values are compared as text.
    Labels,
}

/// Arrow types [`abstat_core::input::from_arrow`] reads as numbers.
fn is_numeric(data_type: &str) -> bool {
    data_type == "Boolean"
        || ["Int", "UInt", "Float"].iter().any(|p| {
            data_type
                .strip_prefix(p)
                .is_some_and(|bits| bits.parse::<u8>().is_ok())
        })
}

/// Every needed column exists with a usable type.
pub(super) fn check(needs: &[(String, ColumnRole)], columns: &[ColumnInfo]) -> Result<(), Invalid> {
    for (name, role) in needs {
        let Some(info) = columns.iter().find(|c| &c.name == name) else {
            return Err(Invalid::UnknownColumn {
                column: name.clone(),
                available: columns.iter().map(|c| c.name.clone()).collect(),
            });
        };
        if *role == ColumnRole::Numeric && !is_numeric(&info.data_type) {
            return Err(Invalid::WrongColumnType {
                column: name.clone(),
                data_type: info.data_type.clone(),
                expected: "a numeric or boolean column",
            });
        }
    }
    Ok(())
}

/// Load `names` of version `version` of dataset `id` as one batch.
pub fn load_columns(
    store: &dyn DatasetStore,
    id: &str,
    version: u32,
    names: &[String],
) -> Result<RecordBatch, RunError> {
    let info = store.describe(id)?;
    let rows = info
        .versions
        .iter()
        .find(|v| v.version == version)
        .map(|v| v.rows)
        .ok_or_else(|| {
            RunError::Client(format!("dataset '{id}' has no version {version} any more"))
        })?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    // One batch of every row: the analyses need whole columns anyway.
    let (schema, batches) = store.read(id, Some(version), Some(&refs), rows.max(1) as usize)?;
    let batches = batches.collect::<Result<Vec<_>, _>>()?;
    arrow_select::concat::concat_batches(&schema, &batches)
        .map_err(|e| RunError::Transient(format!("joining the stored batches: {e}")))
}

/// Column `name` as numbers (nulls as NaN).
pub(super) fn numeric(batch: &RecordBatch, name: &str) -> Result<Vec<f64>, RunError> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| RunError::Client(format!("column '{name}' was not loaded")))?;
    Ok(from_arrow(array.as_ref(), &format!("column '{name}'"))?.into_owned())
}

/// Column `name` as text labels (`None` for missing values): the one
/// labelling of groups, variants and classes (also `GET /datasets/{id}/values/`).
pub fn labels(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>, RunError> {
    Ok(match Column::read(batch, name)? {
        Column::Categorical(v) => v,
        Column::Numeric(v) => v
            .into_iter()
            .map(|x| (!x.is_nan()).then(|| format!("{x}")))
            .collect(),
    })
}

/// `values` split by their `keys` into one sample per name of `names`
/// (rows whose key is missing or not among `names` are left out).
pub(super) fn group_values(
    values: &[f64],
    keys: &[Option<String>],
    names: &[String],
) -> Vec<Vec<f64>> {
    let mut samples = vec![Vec::new(); names.len()];
    for (v, k) in values.iter().zip(keys) {
        if let Some(i) = k.as_ref().and_then(|k| names.iter().position(|n| n == k)) {
            samples[i].push(*v);
        }
    }
    samples
}

/// The distinct labels, sorted.
pub(super) fn levels(labels: &[Option<String>]) -> Vec<String> {
    let mut out: Vec<String> = labels.iter().flatten().cloned().collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_types_are_the_ones_core_reads() {
        for t in ["Int8", "Int64", "UInt32", "Float32", "Float64", "Boolean"] {
            assert!(is_numeric(t), "{t}");
        }
        for t in ["Utf8", "Date32", "Interval", "Float", "Timestamp(ns)"] {
            assert!(!is_numeric(t), "{t}");
        }
    }
}
