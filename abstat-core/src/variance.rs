//! Tests for equal variances: Levene's test and the Brown–Forsythe
//! variant ([`levene`], as scipy's `levene`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use crate::anova::{FTestResult, check_some_group_has_two, clean_groups};
use crate::distributions::f_sf;
use crate::moments::{Moments, PARALLEL_THRESHOLD};
use crate::{Error, NanPolicy, Result};

/// Which centre the absolute deviations are taken from, as scipy's
/// `center=` (with `proportiontocut` inside `Trimmed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Center {
    /// The group mean: Levene's original test (Levene 1960).
    Mean,
    /// The group median: the Brown–Forsythe test (Brown & Forsythe 1974),
    /// robust to non-normal data; scipy's default.
    #[default]
    Median,
    /// The trimmed mean after cutting this proportion from each end. As in
    /// scipy, the deviations are then taken over the trimmed group only.
    Trimmed(f64),
}

/// Options of [`levene`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LeveneOptions {
    /// The centre of each group (median by default, as scipy).
    pub center: Center,
    /// Missing values, applied to each group separately.
    pub nan_policy: NanPolicy,
}

/// Levene's test that all groups have the same variance, as scipy's
/// `levene(*groups, center=..., proportiontocut=...)`.
///
/// W is the one-way ANOVA F statistic of zᵢⱼ = |xᵢⱼ − cᵢ| where cᵢ is
/// each group's centre (NIST/SEMATECH e-Handbook 1.3.5.10), p =
/// `f_sf(W, k − 1, N − k)`.
///
/// Edge cases: deviations that are constant within every group but differ
/// between groups give `W = inf, p = 0` (as scipy); deviations all equal
/// give [`Error::ZeroVariance`] (scipy: NaN); an empty group or all groups
/// of size one give [`Error::TooFewObservations`] (scipy: NaN).
pub fn levene<R: AsRef<[f64]>>(groups: &[R], opts: &LeveneOptions) -> Result<FTestResult> {
    const METHOD_MEAN: &str = "Levene's test";
    const METHOD_MEDIAN: &str = "Brown-Forsythe test";
    const METHOD_TRIMMED: &str = "Levene's test (trimmed mean)";
    let method = match opts.center {
        Center::Mean => METHOD_MEAN,
        Center::Median => METHOD_MEDIAN,
        Center::Trimmed(p) => {
            if !(0.0..0.5).contains(&p) {
                return Err(Error::invalid("proportiontocut", p, "a number in [0, 0.5)"));
            }
            METHOD_TRIMMED
        }
    };
    let Some(groups) = clean_groups(groups, opts.nan_policy)? else {
        return Ok(FTestResult {
            method: Cow::Borrowed(method),
            statistic: f64::NAN,
            p_value: f64::NAN,
            df_num: groups.len() as f64 - 1.0,
            df_denom: f64::NAN,
            n: Vec::new(),
        });
    };
    let k = groups.len();
    // Each group's absolute deviations zᵢⱼ from its centre, summarised
    // without being stored (count, mean, sum of squared deviations); the
    // groups in parallel when they are large.
    let summarise = |g: &Cow<[f64]>| {
        Ok(match opts.center {
            Center::Mean => Moments::from_abs_deviations(g, accurate_mean(g)),
            Center::Median => Moments::from_abs_deviations(g, median(g)),
            Center::Trimmed(p) => {
                let t = trim_both(g, p)?;
                Moments::from_abs_deviations(&t, accurate_mean(&t))
            }
        })
    };
    let total: usize = groups.iter().map(|g| g.len()).sum();
    let z: Vec<Moments> = if total >= PARALLEL_THRESHOLD {
        groups.par_iter().map(summarise).collect::<Result<_>>()?
    } else {
        groups.iter().map(summarise).collect::<Result<_>>()?
    };
    let n: Vec<usize> = z.iter().map(|zi| zi.n as usize).collect();
    let n_tot: usize = n.iter().sum();
    check_some_group_has_two(n_tot, k)?;
    // scipy's levene, term by term.
    let zbar_i: Vec<f64> = z.iter().map(|zi| zi.mean).collect();
    let zbar = zbar_i
        .iter()
        .zip(&n)
        .map(|(m, &ni)| m * ni as f64)
        .sum::<f64>()
        / n_tot as f64;
    let kf = k as f64;
    let numer = (n_tot as f64 - kf)
        * zbar_i
            .iter()
            .zip(&n)
            .map(|(m, &ni)| ni as f64 * (m - zbar) * (m - zbar))
            .sum::<f64>();
    let dvar: f64 = z.iter().map(|zi| zi.m2).sum();
    if dvar == 0.0 && numer == 0.0 {
        return Err(Error::ZeroVariance {
            what: "the absolute deviations from the centre in every group".into(),
            method: method.into(),
        });
    }
    let (df_num, df_denom) = (kf - 1.0, (n_tot - k) as f64);
    let (statistic, p_value) = if dvar == 0.0 {
        (f64::INFINITY, 0.0)
    } else {
        let w = numer / ((kf - 1.0) * dvar);
        (w, f_sf(w, df_num, df_denom))
    };
    Ok(FTestResult {
        method: Cow::Borrowed(method),
        statistic,
        p_value,
        df_num,
        df_denom,
        n,
    })
}

/// The mean to about an ulp (blockwise corrected two-pass sums, as
/// [`Moments::from_slice`]), as the centre: W is sensitive to it. A plain
/// running sum of 200,000 values near 1e6 is off by ~6e-9, which moved W
/// by 1e-9 against scipy, whose pairwise sum is exact there.
fn accurate_mean(x: &[f64]) -> f64 {
    Moments::from_slice(x).mean
}

/// The median (mean of the two middle values for even n), as numpy's.
pub(crate) fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let n = v.len();
    let mid = n / 2;
    let (_, &mut upper, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// The values left after cutting ⌊p·n⌋ of the smallest and of the largest,
/// as scipy's `trimboth`.
fn trim_both(x: &[f64], p: f64) -> Result<Vec<f64>> {
    let n = x.len();
    let cut = (p * n as f64) as usize;
    if cut >= n - cut {
        return Err(Error::invalid(
            "proportiontocut",
            p,
            format!("a proportion that leaves values in a group of {n}"),
        ));
    }
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    Ok(v[cut..n - cut].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
