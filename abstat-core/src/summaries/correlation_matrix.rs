//! The correlation matrix of several columns (`numpy.corrcoef`), for a
//! heatmap.

use serde::{Deserialize, Serialize};

use super::scan::{CoMoments, co_moments};
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
    if columns.iter().all(|c| c.len() == columns[0].len()) && columns[0].len() >= 2 {
        let m = co_moments(columns);
        if m.finite() {
            return gram(names, &m);
        }
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

/// All pairs at once when no value is missing, from the co-moments of one
/// fused pass over row chunks (the centred cross products Sᵢⱼ, a Gram
/// matrix of the centred columns): r = Sᵢⱼ/√(Sᵢᵢ·Sⱼⱼ) clipped to [−1, 1]
/// as `numpy.corrcoef`. A column whose values are all equal has no
/// correlation (checked on its extent too: its centred sum of squares may
/// be a rounding error above zero).
fn gram(names: &[&str], m: &CoMoments) -> Result<CorrelationMatrix> {
    let k = m.columns.len();
    let s: Vec<f64> = (0..k * k).map(|ij| m.cross(ij / k, ij % k)).collect();
    let constant = |i: usize| {
        let e = m.columns[i].extent;
        s[i * k + i] <= 0.0 || e.min == e.max
    };
    if let Some(i) = (0..k).find(|&i| constant(i)) {
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
