//! The design matrix: response `y` and predictors `X` built from an Arrow
//! `RecordBatch`, as patsy/statsmodels formulas build them.
//!
//! - Numeric columns (integer, float) enter as they are.
//! - String, dictionary-of-string and boolean columns are categorical and get
//!   treatment (dummy) coding against a reference level: by default the
//!   first level in sorted order, as patsy's `Treatment()` (booleans sort as
//!   `false < true`). Each non-reference level becomes a column named
//!   `name[T.level]`, which is the name patsy gives a string column in the
//!   formula `y ~ name` (patsy writes `C(name)[T.level]` only when the
//!   formula says `C(name)`). Without an intercept the first categorical
//!   predictor is coded in full (`name[level]` for every level), as patsy
//!   does, so the model keeps its implicit constant.
//! - Rows where the response or any predictor is missing (null or NaN) are
//!   dropped and counted, or rejected, as [`MissingPolicy`] says.
//!
//! Deviations from patsy: columns follow the order of `predictors` (patsy
//! puts purely categorical terms before numeric ones); levels are taken from
//! the rows that are kept, so a level that occurs only in dropped rows gets
//! no column (patsy would make an all-zero column and a singular design).

use std::collections::{BTreeSet, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::same_len;
use crate::input::from_arrow;
use crate::{Error, Result};

/// What to do with rows that have a missing value in a used column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingPolicy {
    /// Drop such rows and report how many (statsmodels `missing='drop'`).
    #[default]
    Drop,
    /// Return [`Error::MissingValues`] (statsmodels `missing='raise'`).
    Raise,
}

/// Which columns form the model and how they are coded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignSpec {
    /// The response column.
    pub response: String,
    /// Predictor columns, in the order their coefficients should appear.
    pub predictors: Vec<String>,
    /// Add a constant column named `Intercept` first (default `true`).
    pub intercept: bool,
    /// Reference level per categorical column; unlisted columns use their
    /// first level in sorted order.
    pub reference: HashMap<String, String>,
    /// Rows with missing values: drop (default) or error.
    pub missing: MissingPolicy,
    /// A column of WLS weights (statsmodels `WLS(..., weights=df[w])`);
    /// rows where it is missing are dropped like any other, and
    /// [`crate::regression::Ols::fit`] then fits by weighted least squares.
    pub weights: Option<String>,
}

impl DesignSpec {
    /// `response ~ predictors` with an intercept, default references and
    /// missing rows dropped.
    pub fn new(
        response: impl Into<String>,
        predictors: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        DesignSpec {
            response: response.into(),
            predictors: predictors.into_iter().map(Into::into).collect(),
            intercept: true,
            reference: HashMap::new(),
            missing: MissingPolicy::Drop,
            weights: None,
        }
    }

    /// Set the reference level of categorical column `column`.
    pub fn with_reference(mut self, column: impl Into<String>, level: impl Into<String>) -> Self {
        self.reference.insert(column.into(), level.into());
        self
    }

    /// Include or omit the intercept.
    pub fn with_intercept(mut self, intercept: bool) -> Self {
        self.intercept = intercept;
        self
    }

    /// Use column `column` as WLS weights.
    pub fn with_weights(mut self, column: impl Into<String>) -> Self {
        self.weights = Some(column.into());
        self
    }

    /// Set the missing-value policy.
    pub fn with_missing(mut self, missing: MissingPolicy) -> Self {
        self.missing = missing;
        self
    }
}

/// A response vector and a column-major design matrix, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The response, one value per kept row.
    pub y: Vec<f64>,
    /// The design matrix, `n × k`, column-major (Fortran order).
    pub x: Array2<f64>,
    /// Column names of `x` (patsy style, see the module docs).
    pub names: Vec<String>,
    /// Name of the response.
    pub response: String,
    /// Rows dropped because of missing values.
    pub dropped: usize,
    /// How each predictor was coded, to code new rows the same way
    /// ([`Design::exog_for`]).
    pub terms: Vec<Term>,
    /// WLS weights of the kept rows, if the spec named a weights column.
    pub weights: Option<Vec<f64>>,
}

/// How one predictor enters the design, fixed when the design was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Term {
    /// The constant column `Intercept`.
    Intercept,
    /// A numeric column, as it is.
    Numeric {
        /// Column name.
        column: String,
    },
    /// A categorical column with one indicator per coded level.
    Categorical {
        /// Column name.
        column: String,
        /// Every level seen when the design was built, sorted.
        levels: Vec<String>,
        /// The levels that got an indicator column, in order.
        coded: Vec<String>,
    },
}

/// One predictor column, read from Arrow.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers, one per row (NaN = missing or null).
    Numeric(Vec<f64>),
    /// Level label per row (`None` = missing).
    Categorical(Vec<Option<String>>),
}

impl Column {
    /// Read column `name` of `batch` as the design reads predictors:
    /// strings, dictionaries of strings and booleans are categorical,
    /// numbers numeric. A missing column is an error listing the columns
    /// there are.
    pub fn read(batch: &RecordBatch, name: &str) -> Result<Column> {
        read_column(&column(batch, name)?, name)
    }
}

/// Code complete `columns` (one per non-intercept term, no missing values)
/// as `terms` say: the column-major matrix and its column names. A
/// categorical term whose `coded` holds every level is a full one-hot code
/// (`name[level]`).
pub fn encode_columns(terms: &[Term], columns: &[Column]) -> Result<(Array2<f64>, Vec<String>)> {
    let n = columns.first().map_or(0, |c| match c {
        Column::Numeric(v) => v.len(),
        Column::Categorical(v) => v.len(),
    });
    encode(terms, columns, &vec![true; n])
}

impl Design {
    /// Build `y` and `X` from plain columns, with no missing values allowed.
    ///
    /// `columns` are the predictors (each of length `y.len()`) and `names`
    /// their names; with `intercept` a constant column named `Intercept` is
    /// put first. Use this when the data are not in Arrow.
    pub fn from_columns(
        y: Vec<f64>,
        columns: &[&[f64]],
        names: &[&str],
        intercept: bool,
    ) -> Result<Design> {
        same_len("columns", columns.len(), "names", names.len())?;
        let n = y.len();
        let k = columns.len() + usize::from(intercept);
        let mut data = Vec::with_capacity(n * k);
        if intercept {
            data.resize(n, 1.0);
        }
        for (c, name) in columns.iter().zip(names) {
            same_len("response", n, &format!("column '{name}'"), c.len())?;
            data.extend_from_slice(c);
        }
        Design::from_column_major(y, data, names, intercept)
    }

    /// [`Design::from_columns`] with the predictors as the columns of the
    /// `n × p` matrix `x` (any layout, e.g. a row-major numpy array), copied
    /// once into the column-major design.
    pub fn from_matrix(
        y: Vec<f64>,
        x: ArrayView2<f64>,
        names: &[&str],
        intercept: bool,
    ) -> Result<Design> {
        let (n, p) = x.dim();
        same_len("columns", p, "names", names.len())?;
        same_len("response", y.len(), "the rows of the predictors", n)?;
        let off = usize::from(intercept) * n;
        let mut data = vec![1.0; off + n * p];
        if let Some(rows) = x.as_slice().filter(|_| p > 0) {
            // row-major: scatter each row across the columns
            for (i, row) in rows.chunks_exact(p).enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    data[off + j * n + i] = v;
                }
            }
        } else {
            for (j, c) in x.columns().into_iter().enumerate() {
                for (d, &v) in data[off + j * n..off + (j + 1) * n].iter_mut().zip(c) {
                    *d = v;
                }
            }
        }
        Design::from_column_major(y, data, names, intercept)
    }

    /// The design from its column-major data (the intercept's ones first
    /// when `intercept`).
    fn from_column_major(
        y: Vec<f64>,
        data: Vec<f64>,
        names: &[&str],
        intercept: bool,
    ) -> Result<Design> {
        let n = y.len();
        let k = names.len() + usize::from(intercept);
        let mut all_names = Vec::with_capacity(k);
        if intercept {
            all_names.push("Intercept".to_string());
        }
        all_names.extend(names.iter().map(|n| (*n).to_string()));
        if y.iter().chain(&data).any(|v| !v.is_finite()) {
            return Err(Error::MissingValues {
                what: "the regression data".into(),
            });
        }
        let x = Array2::from_shape_vec((n, k).f(), data)
            .map_err(|e| Error::Degenerate(format!("cannot shape the design matrix: {e}")))?;
        let mut terms: Vec<Term> = names
            .iter()
            .map(|n| Term::Numeric {
                column: (*n).to_string(),
            })
            .collect();
        if intercept {
            terms.insert(0, Term::Intercept);
        }
        Ok(Design {
            y,
            x,
            names: all_names,
            response: "y".into(),
            dropped: 0,
            terms,
            weights: None,
        })
    }

    /// Build the design `spec` describes from the columns of `batch`.
    pub fn from_batch(batch: &RecordBatch, spec: &DesignSpec) -> Result<Design> {
        let n_all = batch.num_rows();
        let response = column(batch, &spec.response)?;
        let y_all = from_arrow(response.as_ref(), &format!("response '{}'", spec.response))?;
        let mut preds = Vec::with_capacity(spec.predictors.len());
        for name in &spec.predictors {
            if name == &spec.response {
                return Err(Error::invalid(
                    "predictors",
                    name,
                    "predictors other than the response",
                ));
            }
            preds.push(read_column(&column(batch, name)?, name)?);
        }

        let w_all = match &spec.weights {
            Some(w) => Some(
                from_arrow(column(batch, w)?.as_ref(), &format!("weights '{w}'"))?.into_owned(),
            ),
            None => None,
        };

        // Rows kept: finite response and weight, no missing predictor.
        let keep: Vec<bool> = (0..n_all)
            .map(|i| {
                y_all[i].is_finite()
                    && w_all.as_ref().is_none_or(|w| w[i].is_finite())
                    && preds.iter().all(|c| match c {
                        Column::Numeric(v) => v[i].is_finite(),
                        Column::Categorical(v) => v[i].is_some(),
                    })
            })
            .collect();
        let n = keep.iter().filter(|&&k| k).count();
        let dropped = n_all - n;
        if dropped > 0 && spec.missing == MissingPolicy::Raise {
            return Err(Error::MissingValues {
                what: format!("{dropped} of {n_all} rows of the regression data"),
            });
        }
        let y: Vec<f64> = (0..n_all).filter(|&i| keep[i]).map(|i| y_all[i]).collect();
        let weights = w_all.map(|w| (0..n_all).filter(|&i| keep[i]).map(|i| w[i]).collect());

        let mut terms = Vec::with_capacity(preds.len() + 1);
        if spec.intercept {
            terms.push(Term::Intercept);
        }
        let mut full_rank_pending = !spec.intercept;
        for (name, col) in spec.predictors.iter().zip(&preds) {
            let column = name.clone();
            let Column::Categorical(v) = col else {
                terms.push(Term::Numeric { column });
                continue;
            };
            let levels: BTreeSet<&str> = (0..n_all)
                .filter(|&i| keep[i])
                .filter_map(|i| v[i].as_deref())
                .collect();
            let levels: Vec<String> = levels.into_iter().map(str::to_string).collect();
            let coded = if full_rank_pending {
                full_rank_pending = false;
                levels.clone()
            } else {
                let reference = match spec.reference.get(name) {
                    Some(r) if levels.contains(r) => r.clone(),
                    Some(r) => {
                        return Err(Error::invalid(
                            format!("reference level of '{name}'"),
                            r,
                            format!("one of its levels {levels:?}"),
                        ));
                    }
                    None => levels.first().cloned().unwrap_or_default(),
                };
                levels
                    .iter()
                    .filter(|l| **l != reference)
                    .cloned()
                    .collect()
            };
            terms.push(Term::Categorical {
                column,
                levels,
                coded,
            });
        }
        let (x, names) = encode(&terms, &preds, &keep)?;
        Ok(Design {
            y,
            x,
            names,
            response: spec.response.clone(),
            dropped,
            terms,
            weights,
        })
    }

    /// The design matrix of new rows in `batch`, coded exactly as this
    /// design (same columns, levels and reference levels), for predictions.
    /// Missing values and levels not seen when the design was built are
    /// errors.
    pub fn exog_for(&self, batch: &RecordBatch) -> Result<Array2<f64>> {
        let mut preds = Vec::new();
        for term in &self.terms {
            match term {
                Term::Intercept => {}
                Term::Numeric { column } | Term::Categorical { column, .. } => {
                    preds.push(read_column(&self::column(batch, column)?, column)?);
                }
            }
        }
        let n = batch.num_rows();
        let missing = (0..n).any(|i| {
            preds.iter().any(|c| match c {
                Column::Numeric(v) => !v[i].is_finite(),
                Column::Categorical(v) => v[i].is_none(),
            })
        });
        if missing {
            return Err(Error::MissingValues {
                what: "the rows to predict".into(),
            });
        }
        let cats = self.terms.iter().filter(|t| !matches!(t, Term::Intercept));
        for (term, col) in cats.zip(&preds) {
            if let (Term::Categorical { column, levels, .. }, Column::Categorical(v)) = (term, col)
                && let Some(l) = v.iter().flatten().find(|l| !levels.contains(l))
            {
                return Err(Error::invalid(
                    format!("level of '{column}'"),
                    l,
                    format!("a level seen when fitting, one of {levels:?}"),
                ));
            }
        }
        Ok(encode(&self.terms, &preds, &vec![true; n])?.0)
    }

    /// Number of observations (rows kept).
    pub fn nobs(&self) -> usize {
        self.y.len()
    }

    /// The index of the first column that is constant and non-zero (an
    /// explicit intercept), as statsmodels' `const_idx`.
    pub fn constant_column(&self) -> Option<usize> {
        constant_column(self.x.view())
    }
}

/// The first constant, non-zero column of `x`.
pub(crate) fn constant_column(x: ArrayView2<f64>) -> Option<usize> {
    x.columns().into_iter().position(|c| {
        let first = c.first().copied().unwrap_or(0.0);
        first != 0.0 && c.iter().all(|&v| v == first)
    })
}

/// Code the kept rows of `preds` (one per non-intercept term) as `terms`
/// say: the column-major design matrix and its patsy-style column names.
fn encode(terms: &[Term], preds: &[Column], keep: &[bool]) -> Result<(Array2<f64>, Vec<String>)> {
    let n = keep.iter().filter(|&&k| k).count();
    let kept = || (0..keep.len()).filter(|&i| keep[i]);
    let mut data = Vec::new();
    let mut names = Vec::new();
    let mut preds = preds.iter();
    for term in terms {
        let col = if matches!(term, Term::Intercept) {
            None
        } else {
            preds.next()
        };
        match (term, col) {
            (Term::Intercept, _) => {
                data.extend(std::iter::repeat_n(1.0, n));
                names.push("Intercept".to_string());
            }
            (Term::Numeric { column }, Some(Column::Numeric(v))) => {
                data.extend(kept().map(|i| v[i]));
                names.push(column.clone());
            }
            (
                Term::Categorical {
                    column,
                    levels,
                    coded,
                },
                Some(Column::Categorical(v)),
            ) => {
                let full = coded.len() == levels.len();
                for level in coded {
                    data.extend(
                        kept()
                            .map(|i| f64::from(u8::from(v[i].as_deref() == Some(level.as_str())))),
                    );
                    names.push(if full {
                        format!("{column}[{level}]")
                    } else {
                        format!("{column}[T.{level}]")
                    });
                }
            }
            (Term::Numeric { column } | Term::Categorical { column, .. }, _) => {
                return Err(Error::UnsupportedType {
                    what: format!("column '{column}'"),
                    data_type: "a different kind".into(),
                    expected: "the same kind (numeric or categorical) as when fitting".into(),
                });
            }
        }
    }
    let k = names.len();
    let x = Array2::from_shape_vec((n, k).f(), data)
        .map_err(|e| Error::Degenerate(format!("cannot shape the design matrix: {e}")))?;
    Ok((x, names))
}

fn column(batch: &RecordBatch, name: &str) -> Result<std::sync::Arc<dyn Array>> {
    batch.column_by_name(name).cloned().ok_or_else(|| {
        let have: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Error::invalid(
            "column",
            name,
            format!("one of the batch's columns {have:?}"),
        )
    })
}

fn read_column(array: &dyn Array, name: &str) -> Result<Column> {
    fn labels<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Column {
        Column::Categorical(values.map(|v| v.map(str::to_string)).collect())
    }
    Ok(match array.data_type() {
        DataType::Utf8 => labels(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => labels(array.as_string::<i64>().iter()),
        DataType::Utf8View => labels(array.as_string_view().iter()),
        DataType::Boolean => labels(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map(|b| if b { "True" } else { "False" })),
        ),
        DataType::Dictionary(_, value) => {
            let dict = array.as_any_dictionary();
            let Column::Categorical(values) = read_column(dict.values().as_ref(), name)? else {
                return Err(Error::UnsupportedType {
                    what: format!("column '{name}'"),
                    data_type: value.to_string(),
                    expected: "a dictionary of strings or booleans".into(),
                });
            };
            let keys = dict.normalized_keys();
            Column::Categorical(
                keys.iter()
                    .enumerate()
                    .map(|(i, &k)| {
                        if array.is_null(i) {
                            None
                        } else {
                            values.get(k).cloned().flatten()
                        }
                    })
                    .collect(),
            )
        }
        _ => Column::Numeric(from_arrow(array, &format!("column '{name}'"))?.into_owned()),
    })
}
