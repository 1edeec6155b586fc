//! Feature preprocessing from Arrow: imputation, standard scaling of
//! numeric columns and one-hot coding of categorical ones, as scikit-learn's
//! `SimpleImputer` → `StandardScaler` (numeric) and
//! `SimpleImputer(strategy="most_frequent")` → `OneHotEncoder` (categorical)
//! in a `ColumnTransformer`. Columns are read and one-hot coded by the
//! regression design code ([`Column::read`], [`encode_columns`]).

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::regression::{Column, Term, encode_columns};
use crate::{Error, Result};

/// How missing numeric values are filled (`SimpleImputer(strategy=...)`).
/// Categorical columns always take their most frequent level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impute {
    /// Mean of the observed values.
    #[default]
    Mean,
    /// Median of the observed values.
    Median,
    /// Most frequent observed value (the smallest among ties).
    MostFrequent,
}

/// Preprocessing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreprocessOptions {
    /// Filling of missing numeric values (default mean).
    pub impute: Impute,
    /// Standardise numeric columns to mean 0 and population standard
    /// deviation 1 (default `true`); constant columns are only centred.
    pub scale: bool,
}

impl Default for PreprocessOptions {
    fn default() -> Self {
        PreprocessOptions {
            impute: Impute::Mean,
            scale: true,
        }
    }
}

/// How one input column is turned into features, learnt from training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Feature {
    /// A numeric column: missing → `fill`, then `(x − center) / scale`.
    Numeric {
        /// Column name.
        column: String,
        /// Value for missing entries.
        fill: f64,
        /// Subtracted after filling.
        center: f64,
        /// Divisor after centring.
        scale: f64,
    },
    /// A categorical column: missing → `fill`, then one indicator per level.
    Categorical {
        /// Column name.
        column: String,
        /// Level for missing entries.
        fill: String,
        /// Levels seen in training, sorted; each gets a column `name[level]`.
        levels: Vec<String>,
    },
}

impl Feature {
    fn column(&self) -> &str {
        match self {
            Feature::Numeric { column, .. } | Feature::Categorical { column, .. } => column,
        }
    }
}

/// A fitted preprocessor: turns the named columns of a batch into the
/// numeric feature matrix models use, always in the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    /// One entry per input column, in input order.
    pub features: Vec<Feature>,
    /// Names of the output columns (`x`, `city[Moscow]`, …).
    pub names: Vec<String>,
}

fn observed(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}

fn most_frequent<K: Ord + Clone>(values: impl Iterator<Item = K>) -> Option<K> {
    let mut counts: BTreeMap<K, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    // max_by_key keeps the last maximum; iterate in reverse so ties go to the smallest
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, c)| *c)
        .map(|(k, _)| k)
}

fn fill_value(v: &[f64], impute: Impute, column: &str) -> Result<f64> {
    let mut obs = observed(v);
    if obs.is_empty() {
        return Err(Error::MissingValues {
            what: format!("column '{column}' (every value is missing, nothing to impute from)"),
        });
    }
    Ok(match impute {
        Impute::Mean => obs.iter().sum::<f64>() / obs.len() as f64,
        Impute::Median => {
            obs.sort_by(f64::total_cmp);
            let m = obs.len() / 2;
            if obs.len() % 2 == 1 {
                obs[m]
            } else {
                (obs[m - 1] + obs[m]) / 2.0
            }
        }
        Impute::MostFrequent => {
            let bits = most_frequent(obs.iter().map(|x| OrdF64(*x))).expect("non-empty");
            bits.0
        }
    })
}

#[derive(Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl Preprocessor {
    /// Learn fills, scales and levels from `columns` of `batch`.
    pub fn fit(
        batch: &RecordBatch,
        columns: &[String],
        opts: &PreprocessOptions,
    ) -> Result<Preprocessor> {
        if columns.is_empty() {
            return Err(Error::invalid("features", "none", "at least one column"));
        }
        let mut features = Vec::with_capacity(columns.len());
        for name in columns {
            features.push(match Column::read(batch, name)? {
                Column::Numeric(v) => {
                    let fill = fill_value(&v, opts.impute, name)?;
                    let filled: Vec<f64> = v
                        .iter()
                        .map(|&x| if x.is_finite() { x } else { fill })
                        .collect();
                    let (center, scale) = if opts.scale {
                        let n = filled.len() as f64;
                        let mean = filled.iter().sum::<f64>() / n;
                        let var = filled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                        (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
                    } else {
                        (0.0, 1.0)
                    };
                    Feature::Numeric {
                        column: name.clone(),
                        fill,
                        center,
                        scale,
                    }
                }
                Column::Categorical(v) => {
                    let fill = most_frequent(v.iter().flatten().cloned()).ok_or_else(|| {
                        Error::MissingValues {
                            what: format!("column '{name}' (every value is missing)"),
                        }
                    })?;
                    let mut levels: Vec<String> = v.iter().flatten().cloned().collect();
                    levels.sort();
                    levels.dedup();
                    Feature::Categorical {
                        column: name.clone(),
                        fill,
                        levels,
                    }
                }
            });
        }
        let mut p = Preprocessor {
            features,
            names: Vec::new(),
        };
        p.names = p.encode(batch)?.1;
        Ok(p)
    }

    /// Names of the input columns, in order.
    pub fn columns(&self) -> Vec<&str> {
        self.features.iter().map(Feature::column).collect()
    }

    /// The feature matrix (`rows × names.len()`, row-major) of `batch`,
    /// which must have every input column (by name, in any order) with the
    /// same kind of data. Categorical levels not seen in training are
    /// errors (`OneHotEncoder(handle_unknown="error")`).
    pub fn transform(&self, batch: &RecordBatch) -> Result<Array2<f64>> {
        Ok(self.encode(batch)?.0)
    }

    fn encode(&self, batch: &RecordBatch) -> Result<(Array2<f64>, Vec<String>)> {
        let mut terms = Vec::with_capacity(self.features.len());
        let mut cols = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let col = Column::read(batch, f.column())?;
            match (f, col) {
                (
                    Feature::Numeric {
                        column,
                        fill,
                        center,
                        scale,
                    },
                    Column::Numeric(v),
                ) => {
                    terms.push(Term::Numeric {
                        column: column.clone(),
                    });
                    cols.push(Column::Numeric(
                        v.iter()
                            .map(|&x| (if x.is_finite() { x } else { *fill } - center) / scale)
                            .collect(),
                    ));
                }
                (
                    Feature::Categorical {
                        column,
                        fill,
                        levels,
                    },
                    Column::Categorical(v),
                ) => {
                    if let Some(l) = v
                        .iter()
                        .flatten()
                        .find(|l| levels.binary_search(l).is_err())
                    {
                        return Err(Error::invalid(
                            format!("level of '{column}'"),
                            l,
                            format!("a level seen when fitting, one of {levels:?}"),
                        ));
                    }
                    terms.push(Term::Categorical {
                        column: column.clone(),
                        levels: levels.clone(),
                        coded: levels.clone(),
                    });
                    cols.push(Column::Categorical(
                        v.into_iter()
                            .map(|l| Some(l.unwrap_or_else(|| fill.clone())))
                            .collect(),
                    ));
                }
                (f, _) => {
                    return Err(Error::UnsupportedType {
                        what: format!("column '{}'", f.column()),
                        data_type: "a different kind of data than when fitting".into(),
                        expected: match f {
                            Feature::Numeric { .. } => "numbers".into(),
                            Feature::Categorical { .. } => "strings or booleans".into(),
                        },
                    });
                }
            }
        }
        let (x, names) = encode_columns(&terms, &cols)?;
        Ok((x.as_standard_layout().into_owned(), names))
    }
}
