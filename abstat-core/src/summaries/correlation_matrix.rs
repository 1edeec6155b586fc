//! The correlation matrix of several columns (`numpy.corrcoef`), for a
//! heatmap.

use serde::{Deserialize, Serialize};

use crate::correlation::{CorrelationOptions, pearson};
use crate::{Error, NanPolicy, Result};

/// Pearson correlations of every pair of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationMatrix {
    /// Column names.
    pub names: Vec<String>,
    /// `r[i][j]`: correlation of columns i and j (1 on the diagonal).
    pub r: Vec<Vec<f64>>,
}

/// Pearson's r of every pair of `columns` (equal lengths, at least 2
/// columns); rows with a NaN in either column of a pair are dropped for
/// that pair under `Omit`. A constant column is an error.
pub fn correlation_matrix(
    names: &[&str],
    columns: &[&[f64]],
    nan_policy: NanPolicy,
) -> Result<CorrelationMatrix> {
    if names.len() != columns.len() {
        return Err(Error::LengthMismatch {
            left: "names".into(),
            left_len: names.len(),
            right: "columns".into(),
            right_len: columns.len(),
        });
    }
    if columns.len() < 2 {
        return Err(Error::TooFewObservations {
            what: "columns of a correlation matrix".into(),
            needed: 2,
            got: columns.len(),
        });
    }
    let k = columns.len();
    let opts = CorrelationOptions {
        nan_policy: match nan_policy {
            NanPolicy::Omit => NanPolicy::Omit,
            _ => NanPolicy::Raise,
        },
        ..Default::default()
    };
    let mut r = vec![vec![1.0; k]; k];
    for i in 0..k {
        for j in i + 1..k {
            let v = pearson(columns[i], columns[j], &opts)
                .map_err(|e| match e {
                    Error::ZeroVariance { method, .. } => Error::ZeroVariance {
                        what: format!("column '{}' or '{}'", names[i], names[j]),
                        method,
                    },
                    other => other,
                })?
                .statistic;
            r[i][j] = v;
            r[j][i] = v;
        }
    }
    Ok(CorrelationMatrix {
        names: names.iter().map(|s| s.to_string()).collect(),
        r,
    })
}
