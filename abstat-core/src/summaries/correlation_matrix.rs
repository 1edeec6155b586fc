//! The correlation matrix of several columns (`numpy.corrcoef`), for a
//! heatmap.

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use super::scan::{CHUNK, all_finite, extent};
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
/// that pair under `Omit`. A constant column is an error. Without missing
/// values, one parallel pass computes every pair (Gram matrix of the
/// centred columns); with them, each pair is scipy `pearsonr` on its
/// complete rows.
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
    if columns
        .iter()
        .all(|c| c.len() == columns[0].len() && all_finite(c))
        && columns[0].len() >= 2
    {
        return gram(names, columns);
    }
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

/// All pairs at once when no value is missing: the column means, then one
/// parallel pass over row chunks accumulating every centred cross product
/// (a Gram matrix of the centred columns), r = Sᵢⱼ/√(Sᵢᵢ·Sⱼⱼ) clipped to
/// [−1, 1] as `numpy.corrcoef`.
fn gram(names: &[&str], columns: &[&[f64]]) -> Result<CorrelationMatrix> {
    let (k, n) = (columns.len(), columns[0].len());
    let means: Vec<f64> = columns.iter().map(|c| extent(c).sum / n as f64).collect();
    let rows: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK)
        .map(|a| (a, (a + CHUNK).min(n)))
        .collect();
    let parts: Vec<Vec<f64>> = rows
        .par_iter()
        .map(|&(a, b)| {
            let mut s = vec![0.0; k * k];
            for i in 0..k {
                for j in i..k {
                    let (x, y) = (&columns[i][a..b], &columns[j][a..b]);
                    s[i * k + j] = x
                        .iter()
                        .zip(y)
                        .map(|(u, v)| (u - means[i]) * (v - means[j]))
                        .sum();
                }
            }
            s
        })
        .collect();
    let s = parts.into_iter().fold(vec![0.0; k * k], |mut acc, p| {
        acc.iter_mut().zip(p).for_each(|(a, b)| *a += b);
        acc
    });
    if let Some(i) = (0..k).find(|&i| s[i * k + i] <= 0.0) {
        return Err(Error::ZeroVariance {
            what: format!("column '{}'", names[i]),
            method: "Pearson correlation".into(),
        });
    }
    let mut r = vec![vec![1.0; k]; k];
    for i in 0..k {
        for j in i + 1..k {
            let v = (s[i * k + j] / (s[i * k + i] * s[j * k + j]).sqrt()).clamp(-1.0, 1.0);
            r[i][j] = v;
            r[j][i] = v;
        }
    }
    Ok(CorrelationMatrix {
        names: names.iter().map(|s| s.to_string()).collect(),
        r,
    })
}
