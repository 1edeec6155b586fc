//! Tests on counts: chi-square goodness of fit and the power-divergence
//! family ([`chisquare`], as scipy's `chisquare` / `power_divergence`),
//! tests of independence in contingency tables ([`chi2_contingency`], as
//! scipy's `chi2_contingency`, including the G-test) and Fisher's exact
//! test on 2×2 tables ([`fisher_exact`]).

mod fisher;

pub use fisher::fisher_exact;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::distributions::chi2_sf;
use crate::input::{Cleaned, CleanedPair, clean, clean_pair};
use crate::{Error, NanPolicy, Result, TestResult};

/// The statistic of the Cressie–Read power-divergence family, as scipy's
/// `lambda_` (Cressie & Read 1984, J. R. Stat. Soc. B 46, eq. 5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerDivergence {
    /// λ = 1: Pearson's chi-square statistic (the default).
    #[default]
    Pearson,
    /// λ = 0: the log-likelihood ratio statistic G (the G-test).
    LogLikelihood,
    /// λ = −1/2: the Freeman–Tukey statistic.
    FreemanTukey,
    /// λ = −1: the modified log-likelihood ratio.
    ModLogLikelihood,
    /// λ = −2: Neyman's statistic.
    Neyman,
    /// λ = 2/3: the power Cressie and Read recommend.
    CressieRead,
    /// Any other power λ.
    Lambda(f64),
}

impl PowerDivergence {
    /// The power λ.
    pub fn lambda(self) -> f64 {
        match self {
            PowerDivergence::Pearson => 1.0,
            PowerDivergence::LogLikelihood => 0.0,
            PowerDivergence::FreemanTukey => -0.5,
            PowerDivergence::ModLogLikelihood => -1.0,
            PowerDivergence::Neyman => -2.0,
            PowerDivergence::CressieRead => 2.0 / 3.0,
            PowerDivergence::Lambda(l) => l,
        }
    }

    fn method(self) -> &'static str {
        match self.lambda() {
            1.0 => "chi-square test",
            0.0 => "G-test (log-likelihood ratio)",
            _ => "power-divergence test",
        }
    }

    /// One category's term of the statistic, as scipy's `_power_divergence`.
    fn term(lambda: f64, obs: f64, exp: f64) -> f64 {
        if lambda == 1.0 {
            (obs - exp) * (obs - exp) / exp
        } else if lambda == 0.0 {
            2.0 * xlogy(obs, obs / exp)
        } else if lambda == -1.0 {
            2.0 * xlogy(exp, exp / obs)
        } else {
            obs * ((obs / exp).powf(lambda) - 1.0) / (0.5 * lambda * (lambda + 1.0))
        }
    }
}

impl std::str::FromStr for PowerDivergence {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "pearson" => PowerDivergence::Pearson,
            "log-likelihood" => PowerDivergence::LogLikelihood,
            "freeman-tukey" => PowerDivergence::FreemanTukey,
            "mod-log-likelihood" => PowerDivergence::ModLogLikelihood,
            "neyman" => PowerDivergence::Neyman,
            "cressie-read" => PowerDivergence::CressieRead,
            other => match other.parse::<f64>() {
                Ok(l) if l.is_finite() => PowerDivergence::Lambda(l),
                _ => {
                    return Err(Error::invalid(
                        "lambda_",
                        other,
                        "a number or one of 'pearson', 'log-likelihood', 'freeman-tukey', \
                         'mod-log-likelihood', 'neyman', 'cressie-read'",
                    ));
                }
            },
        })
    }
}

/// P(χ²(df) > statistic), with an infinite statistic giving 0.
fn chi2_pvalue(statistic: f64, df: f64) -> f64 {
    if statistic == f64::INFINITY {
        0.0
    } else {
        chi2_sf(statistic, df)
    }
}

/// x·ln(y), and 0 when x = 0 (scipy.special.xlogy).
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 && !y.is_nan() {
        0.0
    } else {
        x * y.ln()
    }
}

/// Options of [`chisquare`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GoodnessOfFitOptions {
    /// Degrees of freedom lost to estimated parameters: df = k − 1 − ddof.
    pub ddof: usize,
    /// The statistic (Pearson by default).
    pub lambda: PowerDivergence,
    /// Missing values (scipy's `nan_policy`); with `f_exp`, a category is
    /// dropped when either count is NaN.
    pub nan_policy: NanPolicy,
}

/// Chi-square (or power-divergence) goodness-of-fit test of observed
/// counts `f_obs` against expected counts `f_exp` (equal counts when
/// `None`), as scipy's `chisquare(f_obs, f_exp, ddof)` and
/// `power_divergence(..., lambda_)`.
///
/// The p-value is `chi2_sf(statistic, k − 1 − ddof)`; `df` is reported.
/// As scipy, the totals of `f_obs` and `f_exp` must agree to a relative
/// tolerance of √ε ≈ 1.5e-8. Deviations from scipy (which returns NaN or
/// inf): negative counts, a zero or negative expected count, and
/// `ddof ≥ k − 1` are errors.
pub fn chisquare(
    f_obs: &[f64],
    f_exp: Option<&[f64]>,
    opts: &GoodnessOfFitOptions,
) -> Result<TestResult> {
    let method = opts.lambda.method();
    let (obs, exp): (Cow<[f64]>, Option<Cow<[f64]>>) = match f_exp {
        Some(e) => match clean_pair(f_obs, e, opts.nan_policy, ("f_obs", "f_exp"))? {
            CleanedPair::Propagate => return Ok(TestResult::nan(method, Default::default())),
            CleanedPair::Ready(o, e) => (o, Some(e)),
        },
        None => match clean(f_obs, opts.nan_policy, "f_obs")? {
            Cleaned::Propagate => return Ok(TestResult::nan(method, Default::default())),
            Cleaned::Ready(o) => (o, None),
        },
    };
    let k = obs.len();
    if k < 2 + opts.ddof {
        return Err(Error::TooFewObservations {
            what: format!("f_obs (categories, with ddof = {})", opts.ddof),
            needed: 2 + opts.ddof,
            got: k,
        });
    }
    check_counts(&obs, "f_obs")?;
    let total: f64 = obs.iter().sum();
    let exp: Cow<[f64]> = match exp {
        Some(e) => {
            check_counts(&e, "f_exp")?;
            let e_total: f64 = e.iter().sum();
            let rtol = f64::EPSILON.sqrt();
            if (total - e_total).abs() / total.min(e_total) > rtol {
                return Err(Error::invalid(
                    "f_exp",
                    format!("a total of {e_total}"),
                    format!(
                        "the same total as f_obs ({total}) to a relative tolerance of {rtol:.1e}"
                    ),
                ));
            }
            e
        }
        None => Cow::Owned(vec![total / k as f64; k]),
    };
    if let Some(i) = exp.iter().position(|&e| e <= 0.0) {
        return Err(Error::Degenerate(format!(
            "the expected count of category {i} (0-based) is zero, so the chi-square statistic is undefined"
        )));
    }
    let lambda = opts.lambda.lambda();
    let statistic: f64 = obs
        .iter()
        .zip(exp.iter())
        .map(|(&o, &e)| PowerDivergence::term(lambda, o, e))
        .sum();
    let df = (k - 1 - opts.ddof) as f64;
    let mut r = TestResult::new(method, statistic, chi2_pvalue(statistic, df));
    r.df = Some(df);
    r.n = vec![k];
    Ok(r)
}

fn check_counts(x: &[f64], what: &str) -> Result<()> {
    match x.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        Some(v) => Err(Error::invalid(what, v, "finite, non-negative counts")),
        None => Ok(()),
    }
}

/// Options of [`chi2_contingency`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContingencyOptions {
    /// Yates' continuity correction when dof = 1 (default `true`, as scipy):
    /// every count moves by up to 0.5 towards its expected value.
    pub correction: bool,
    /// The statistic (Pearson by default; `LogLikelihood` is the G-test).
    pub lambda: PowerDivergence,
}

impl Default for ContingencyOptions {
    fn default() -> Self {
        ContingencyOptions {
            correction: true,
            lambda: PowerDivergence::Pearson,
        }
    }
}

/// The outcome of [`chi2_contingency`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContingencyResult {
    /// The method, e.g. "chi-square test of independence".
    pub method: Cow<'static, str>,
    /// The chi-square (or power-divergence) statistic.
    pub statistic: f64,
    /// P(χ²(dof) > statistic).
    pub p_value: f64,
    /// Degrees of freedom (r − 1)(c − 1).
    pub dof: usize,
    /// Expected counts under independence, row by row.
    pub expected: Vec<Vec<f64>>,
}

impl ContingencyResult {
    /// Whether independence is rejected at level `alpha`.
    pub fn reject(&self, alpha: f64) -> bool {
        self.p_value <= alpha
    }
}

/// Chi-square test of independence of the rows and columns of an r×c
/// table of counts, as scipy's `chi2_contingency(observed, correction,
/// lambda_)`.
///
/// Expected counts are row total × column total / grand total; with
/// dof = 1 and `correction`, Yates' correction is applied; dof = 0 gives
/// statistic 0 and p = 1 (as scipy). A row or column of zeros makes an
/// expected count zero: [`Error::Degenerate`] (scipy raises ValueError).
/// Negative or non-finite counts and ragged rows are errors.
pub fn chi2_contingency<R: AsRef<[f64]>>(
    observed: &[R],
    opts: &ContingencyOptions,
) -> Result<ContingencyResult> {
    let rows: Vec<&[f64]> = observed.iter().map(|r| r.as_ref()).collect();
    let ncol = rows.first().map_or(0, |r| r.len());
    if ncol == 0 {
        return Err(Error::TooFewObservations {
            what: "the contingency table (cells)".into(),
            needed: 1,
            got: 0,
        });
    }
    for (i, r) in rows.iter().enumerate() {
        if r.len() != ncol {
            return Err(Error::LengthMismatch {
                left: "row 0 of the table".into(),
                left_len: ncol,
                right: format!("row {i}"),
                right_len: r.len(),
            });
        }
        if r.iter().any(|v| v.is_nan()) {
            return Err(Error::MissingValues {
                what: format!("row {i} of the table"),
            });
        }
        check_counts(r, "observed")?;
    }
    let row_sums: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let col_sums: Vec<f64> = (0..ncol).map(|j| rows.iter().map(|r| r[j]).sum()).collect();
    let total: f64 = row_sums.iter().sum();
    let expected: Vec<Vec<f64>> = row_sums
        .iter()
        .map(|ri| col_sums.iter().map(|cj| ri * cj / total).collect())
        .collect();
    if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(Error::Degenerate(format!(
            "row {i} (0-based) of the table is all zeros, so its expected counts are zero"
        )));
    }
    if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(Error::Degenerate(format!(
            "column {j} (0-based) of the table is all zeros, so its expected counts are zero"
        )));
    }
    let dof = (rows.len() - 1) * (ncol - 1);
    let method = match opts.lambda {
        PowerDivergence::Pearson => "chi-square test of independence",
        PowerDivergence::LogLikelihood => "G-test of independence",
        _ => "power-divergence test of independence",
    };
    let (statistic, p_value) = if dof == 0 {
        (0.0, 1.0)
    } else {
        let lambda = opts.lambda.lambda();
        let yates = dof == 1 && opts.correction;
        let stat: f64 = rows
            .iter()
            .zip(&expected)
            .flat_map(|(r, e)| r.iter().zip(e))
            .map(|(&o, &e)| {
                // Yates: move o towards e by min(0.5, |e − o|).
                let o = if yates {
                    o + (e - o).abs().min(0.5) * (e - o).signum() * f64::from(u8::from(e != o))
                } else {
                    o
                };
                PowerDivergence::term(lambda, o, e)
            })
            .sum();
        (stat, chi2_pvalue(stat, dof as f64))
    };
    Ok(ContingencyResult {
        method: Cow::Borrowed(method),
        statistic,
        p_value,
        dof,
        expected,
    })
}
