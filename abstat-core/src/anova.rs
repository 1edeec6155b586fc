//! One-way analysis of variance: Fisher's F test for equal means
//! ([`f_oneway`], as scipy's `f_oneway`) and Welch's heteroscedastic
//! version ([`welch_anova`], as statsmodels' `anova_oneway(use_var="unequal")`).
//!
//! Groups are given as any slice of slices (`&[Vec<f64>]`, `&[&[f64]]`,
//! `&[[f64; 3]]`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::distributions::f_sf;
use crate::input::{Cleaned, clean};
use crate::moments::Moments;
use crate::{Error, NanPolicy, Result};

/// Options of [`f_oneway`] and [`welch_anova`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnovaOptions {
    /// Missing values, applied to each group separately (scipy's `nan_policy`).
    pub nan_policy: NanPolicy,
}

/// The outcome of an F test with `(df_num, df_denom)` degrees of freedom
/// (ANOVA, Welch's ANOVA, Levene's test).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FTestResult {
    /// The method, e.g. "one-way ANOVA".
    pub method: Cow<'static, str>,
    /// The F statistic; `inf` when every group is constant but the groups
    /// differ; NaN when missing values propagate.
    pub statistic: f64,
    /// P(F > statistic) under the null hypothesis.
    pub p_value: f64,
    /// Numerator degrees of freedom (groups − 1).
    pub df_num: f64,
    /// Denominator degrees of freedom (N − groups, or Welch's adjusted value).
    pub df_denom: f64,
    /// Observations used per group, after missing values were handled.
    pub n: Vec<usize>,
}

impl FTestResult {
    /// Whether the null hypothesis is rejected at level `alpha`
    /// (a NaN p-value never rejects).
    pub fn reject(&self, alpha: f64) -> bool {
        self.p_value <= alpha
    }

    fn nan(method: &'static str, k: usize) -> Self {
        FTestResult {
            method: Cow::Borrowed(method),
            statistic: f64::NAN,
            p_value: f64::NAN,
            df_num: (k as f64) - 1.0,
            df_denom: f64::NAN,
            n: Vec::new(),
        }
    }
}

/// Apply `policy` to every group. `None` means a NaN propagates.
/// Needs at least two groups, none of them empty after cleaning.
pub(crate) fn clean_groups<R: AsRef<[f64]>>(
    groups: &[R],
    policy: NanPolicy,
) -> Result<Option<Vec<Cow<'_, [f64]>>>> {
    if groups.len() < 2 {
        return Err(Error::TooFewObservations {
            what: "the list of groups".into(),
            needed: 2,
            got: groups.len(),
        });
    }
    let mut out = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        match clean(g.as_ref(), policy, &group_name(i))? {
            Cleaned::Propagate => return Ok(None),
            Cleaned::Ready(v) => {
                if v.is_empty() {
                    return Err(Error::TooFewObservations {
                        what: group_name(i),
                        needed: 1,
                        got: 0,
                    });
                }
                out.push(v)
            }
        }
    }
    Ok(Some(out))
}

/// With N observations in k groups, some group must have two (N > k) for
/// a within-group spread to exist.
pub(crate) fn check_some_group_has_two(n_total: usize, k: usize) -> Result<()> {
    if n_total == k {
        return Err(Error::TooFewObservations {
            what: "the largest group".into(),
            needed: 2,
            got: 1,
        });
    }
    Ok(())
}

pub(crate) fn group_name(i: usize) -> String {
    format!("group {} (0-based index {i})", i + 1)
}

pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance with `ddof = 1` (two-pass, centred on the mean).
pub(crate) fn sample_var(x: &[f64], m: f64) -> f64 {
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// One-way ANOVA F test that all groups share one mean, as scipy's
/// `f_oneway(*groups)`.
///
/// Sums of squares are computed on data centred at the grand mean (as
/// scipy does), p = `f_sf(F, k − 1, N − k)`.
///
/// Edge cases, as scipy: every group constant but not all equal gives
/// `F = inf, p = 0`. Deviations from scipy (which returns NaN with a
/// warning): fewer than two groups, an empty group, or all groups of size
/// one are [`Error::TooFewObservations`]; all values identical is
/// [`Error::ZeroVariance`].
///
/// # Example
/// ```
/// use abstat_core::anova::{f_oneway, AnovaOptions};
/// let r = f_oneway(&[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]], &AnovaOptions::default()).unwrap();
/// assert!((r.statistic - 13.5).abs() < 1e-12);
/// ```
pub fn f_oneway<R: AsRef<[f64]>>(groups: &[R], opts: &AnovaOptions) -> Result<FTestResult> {
    const METHOD: &str = "one-way ANOVA";
    // Clean data (the usual case) is read once: the moments pass meets any
    // NaN as a non-finite state, and only then is the NaN policy applied.
    if groups.len() >= 2 && groups.iter().all(|g| !g.as_ref().is_empty()) {
        let moments = shifted_moments(groups);
        if moments.iter().all(Moments::is_finite) {
            return f_from_moments(groups, &moments, METHOD);
        }
    }
    let Some(groups) = clean_groups(groups, opts.nan_policy)? else {
        return Ok(FTestResult::nan(METHOD, groups.len()));
    };
    f_oneway_clean(&groups, METHOD)
}

/// [`f_oneway`] on groups already free of NaN, none empty, at least two.
pub(crate) fn f_oneway_clean<G: AsRef<[f64]>>(
    groups: &[G],
    method: &'static str,
) -> Result<FTestResult> {
    f_from_moments(groups, &shifted_moments(groups), method)
}

/// Each group's [`Moments`] around one common shift (the first value): the
/// differences between group means, which `SS_between` squares, then stay
/// exact to rounding under a large common offset, as in scipy's sums around
/// an offset.
fn shifted_moments<G: AsRef<[f64]>>(groups: &[G]) -> Vec<Moments> {
    let shift = groups[0].as_ref()[0];
    groups
        .iter()
        .map(|g| Moments::from_slice_shifted(g.as_ref(), shift))
        .collect()
}

/// The F test from each group's [`Moments`] around a common shift (one
/// pass over memory per group, exact centring): `SS_within = Σ M2_g`, `SS_between =
/// Σ n_g (mean_g − mean)²`, the textbook decomposition (e.g. Montgomery,
/// Design and Analysis of Experiments, eq. 3.6). scipy forms the same sums
/// from raw sums around an offset; the two agree to rounding.
fn f_from_moments<G: AsRef<[f64]>>(
    groups: &[G],
    moments: &[Moments],
    method: &'static str,
) -> Result<FTestResult> {
    let k = groups.len();
    let n: Vec<usize> = moments.iter().map(|m| m.n as usize).collect();
    let big_n: usize = n.iter().sum();
    check_some_group_has_two(big_n, k)?;
    let first = groups[0].as_ref()[0];
    // both stop at the first differing value: no pass over ordinary data
    let all_same = groups
        .iter()
        .all(|g| g.as_ref().iter().all(|&v| v == first));
    if all_same {
        return Err(Error::ZeroVariance {
            what: "all groups together".into(),
            method: method.into(),
        });
    }
    let all_const = groups.iter().all(|g| {
        let g = g.as_ref();
        g.iter().all(|&v| v == g[0])
    });
    let total = moments.iter().fold(Moments::new(), |acc, m| acc.combine(m));
    let sswn: f64 = moments.iter().map(|m| m.m2).sum();
    let ssbn: f64 = moments
        .iter()
        .map(|m| {
            let d = m.mean - total.mean;
            m.n as f64 * d * d
        })
        .sum();
    let dfbn = (k - 1) as f64;
    let dfwn = (big_n - k) as f64;
    let (statistic, p_value) = if all_const {
        (f64::INFINITY, 0.0)
    } else {
        let f = (ssbn / dfbn) / (sswn / dfwn);
        (f, f_sf(f, dfbn, dfwn))
    };
    Ok(FTestResult {
        method: Cow::Borrowed(method),
        statistic,
        p_value,
        df_num: dfbn,
        df_denom: dfwn,
        n,
    })
}

/// Welch's one-way ANOVA for equal means without assuming equal variances,
/// as statsmodels' `anova_oneway(groups, use_var="unequal")` (with Welch's
/// correction) and scipy's `f_oneway(*groups, equal_var=False)`.
///
/// Welch (1951), Biometrika 38, eqs. 28–30: weights wᵢ = nᵢ/sᵢ²,
/// F = Σwᵢ(ȳᵢ − ŷ)²/(k−1) / (1 + 2(k−2)/(k²−1)·Σ(1−wᵢ/W)²/(nᵢ−1)),
/// df₂ = (k²−1) / (3·Σ(1−wᵢ/W)²/(nᵢ−1)).
///
/// Every group needs two observations ([`Error::TooFewObservations`]) and
/// a positive variance ([`Error::ZeroVariance`]); statsmodels returns NaN
/// for both.
pub fn welch_anova<R: AsRef<[f64]>>(groups: &[R], opts: &AnovaOptions) -> Result<FTestResult> {
    const METHOD: &str = "Welch's ANOVA";
    let Some(groups) = clean_groups(groups, opts.nan_policy)? else {
        return Ok(FTestResult::nan(METHOD, groups.len()));
    };
    let k = groups.len();
    let kf = k as f64;
    let mut means = Vec::with_capacity(k);
    let mut weights = Vec::with_capacity(k);
    for (i, g) in groups.iter().enumerate() {
        if g.len() < 2 {
            return Err(Error::TooFewObservations {
                what: group_name(i),
                needed: 2,
                got: g.len(),
            });
        }
        let m = mean(g);
        let v = sample_var(g, m);
        if v == 0.0 {
            return Err(Error::ZeroVariance {
                what: group_name(i),
                method: METHOD.into(),
            });
        }
        means.push(m);
        weights.push(g.len() as f64 / v);
    }
    let w_total: f64 = weights.iter().sum();
    let mean_w: f64 = weights
        .iter()
        .zip(&means)
        .map(|(w, m)| w / w_total * m)
        .sum();
    let between: f64 = weights
        .iter()
        .zip(&means)
        .map(|(w, m)| w * (m - mean_w) * (m - mean_w))
        .sum::<f64>()
        / (kf - 1.0);
    let tmp: f64 = weights
        .iter()
        .zip(&groups)
        .map(|(w, g)| (1.0 - w / w_total).powi(2) / (g.len() as f64 - 1.0))
        .sum::<f64>()
        / (kf * kf - 1.0);
    let statistic = between / (1.0 + 2.0 * (kf - 2.0) * tmp);
    let df_denom = 1.0 / (3.0 * tmp);
    Ok(FTestResult {
        method: Cow::Borrowed(METHOD),
        statistic,
        p_value: f_sf(statistic, kf - 1.0, df_denom),
        df_num: kf - 1.0,
        df_denom,
        n: groups.iter().map(|g| g.len()).collect(),
    })
}
