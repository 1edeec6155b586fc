//! Multiple-testing corrections with the semantics of statsmodels
//! `multipletests` (0.14): every method it offers — Bonferroni, Šidák,
//! Holm–Šidák (its default), Holm, Simes–Hochberg, Hommel,
//! Benjamini–Hochberg, Benjamini–Yekutieli, the two-stage
//! Benjamini–Krieger–Yekutieli / Benjamini–Hochberg procedures and
//! Gavrilov–Benjamini–Sarkar — with its adjusted p-values and reject
//! decisions (formulas as in `statsmodels/stats/multitest.py`).
//!
//! NaN p-values (a test that could not be computed) are set aside: the
//! correction runs over the `m` p-values that are not NaN, and a NaN keeps a
//! NaN adjusted value and is never rejected (as R's `p.adjust`;
//! statsmodels has no NaN handling and sorts NaN to the end).
//!
//! The p-values are sorted once per call (a key sort on the bit patterns,
//! which order like the values for p in [0, 1]); the order is kept in the
//! result so the reject decisions at any alpha need no second sort.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

mod step_up;

/// A correction method, named as in statsmodels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// Bonferroni: `min(m·p, 1)`; controls the family-wise error rate.
    Bonferroni,
    /// Holm's step-down (Holm 1979); FWER, uniformly more powerful than Bonferroni.
    Holm,
    /// Simes–Hochberg step-up (Hochberg 1988); FWER under independence.
    SimesHochberg,
    /// Benjamini–Hochberg (1995); false discovery rate under independence
    /// or positive dependence (statsmodels `fdr_bh`).
    BenjaminiHochberg,
    /// Benjamini–Yekutieli (2001); FDR under arbitrary dependence
    /// (statsmodels `fdr_by`).
    BenjaminiYekutieli,
    /// Šidák's one-step correction `1 − (1 − p)^m`; FWER under independence.
    Sidak,
    /// Holm's step-down with Šidák's levels (statsmodels `hs`, the default
    /// of `multipletests`).
    HolmSidak,
    /// Hommel's closed Simes procedure (Hommel 1988); O(m²) as statsmodels'.
    Hommel,
    /// Two-stage Benjamini–Hochberg with the estimated number of true nulls
    /// (statsmodels `fdr_tsbh`); adjusted p-values depend on alpha.
    TwoStageBh,
    /// Two-stage Benjamini–Krieger–Yekutieli (2006, Definition 6;
    /// statsmodels `fdr_tsbky`); adjusted p-values depend on alpha.
    TwoStageBky,
    /// Adaptive step-down of Gavrilov, Benjamini and Sarkar (2009)
    /// (statsmodels `fdr_gbs`).
    GavrilovBenjaminiSarkar,
}

impl Correction {
    /// Whether the adjusted p-values depend on the level alpha (the
    /// two-stage methods): use [`correct`] for those.
    pub fn depends_on_alpha(self) -> bool {
        matches!(self, Correction::TwoStageBh | Correction::TwoStageBky)
    }
}

impl std::str::FromStr for Correction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        // statsmodels' names and aliases (`multitest_alias`), case-insensitive
        Ok(match s.to_ascii_lowercase().as_str() {
            "bonferroni" | "b" | "bonf" => Correction::Bonferroni,
            "holm" | "h" => Correction::Holm,
            "simes-hochberg" | "sh" | "hochberg" => Correction::SimesHochberg,
            "fdr_bh" | "fdr_i" | "fdr_p" | "fdri" | "fdrp" | "benjamini-hochberg" | "bh" => {
                Correction::BenjaminiHochberg
            }
            "fdr_by" | "fdr_n" | "fdr_c" | "fdrn" | "fdrcorr" | "benjamini-yekutieli" | "by" => {
                Correction::BenjaminiYekutieli
            }
            "sidak" | "s" => Correction::Sidak,
            "holm-sidak" | "hs" => Correction::HolmSidak,
            "hommel" | "ho" => Correction::Hommel,
            "fdr_tsbh" | "fdr_2sbh" | "two-stage-bh" => Correction::TwoStageBh,
            "fdr_tsbky" | "fdr_2sbky" | "fdr_twostage" | "two-stage-bky" => Correction::TwoStageBky,
            "fdr_gbs" | "gavrilov-benjamini-sarkar" => Correction::GavrilovBenjaminiSarkar,
            other => {
                return Err(Error::invalid(
                    "method",
                    other,
                    "one of bonferroni, sidak, holm-sidak, holm, simes-hochberg, hommel, \
                     fdr_bh, fdr_by, fdr_tsbh, fdr_tsbky, fdr_gbs",
                ));
            }
        })
    }
}

/// Adjusted p-values of a family of tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultipleTestResult {
    /// The correction applied.
    pub method: Correction,
    /// The raw p-values, in input order.
    pub p_values: Vec<f64>,
    /// The adjusted p-values, in input order (NaN where the input was NaN).
    pub p_adjusted: Vec<f64>,
    /// Indices of the non-NaN p-values in increasing order of p-value.
    #[serde(skip)]
    order: Vec<usize>,
}

impl MultipleTestResult {
    /// Number of p-values the correction counted (the non-NaN ones).
    pub fn n_tests(&self) -> usize {
        self.p_values.iter().filter(|p| !p.is_nan()).count()
    }

    /// Which hypotheses are rejected at family level `alpha`, in input
    /// order, by statsmodels' rules: thresholds on the raw p-values
    /// (`α/m` for Bonferroni, `1 − (1 − α)^(1/m)` for Šidák, `α/(m−i)`
    /// step-down for Holm and its Šidák analogue for Holm–Šidák, step-up
    /// for Simes–Hochberg, `α·i/m` (÷ `Σ 1/k` for BY) step-up for the FDR
    /// methods), or the adjusted p-value at most `alpha` for Hommel and
    /// Gavrilov–Benjamini–Sarkar. NaN p-values are never rejected.
    ///
    /// For the two-stage methods the adjusted p-values hold only for the
    /// alpha given to [`correct`]; this compares them with `alpha`.
    pub fn reject(&self, alpha: f64) -> Vec<bool> {
        let order = self.sorted_order();
        let sorted: Vec<f64> = order.iter().map(|&i| self.p_values[i]).collect();
        let adjusted: Vec<f64> = order.iter().map(|&i| self.p_adjusted[i]).collect();
        let rej = reject_sorted(&sorted, &adjusted, self.method, alpha);
        let mut out = vec![false; self.p_values.len()];
        for (&idx, r) in order.iter().zip(rej) {
            out[idx] = r;
        }
        out
    }

    fn sorted_order(&self) -> std::borrow::Cow<'_, [usize]> {
        if self.order.len() == self.n_tests() {
            std::borrow::Cow::Borrowed(&self.order)
        } else {
            // deserialized: the order was not sent
            std::borrow::Cow::Owned(sorted_order(&self.p_values))
        }
    }
}

fn harmonic(m: usize) -> f64 {
    (1..=m).map(|k| 1.0 / k as f64).sum()
}

/// Indices of the non-NaN p-values, sorted by p-value (ties by index).
/// For p in [0, 1] (checked first) the IEEE bit patterns order like the
/// values, so this is a distribution sort on the bits (−0 ties with +0).
fn sorted_order(p: &[f64]) -> Vec<usize> {
    match crate::radix::argsort_unit(p) {
        Some(sorted) => sorted.into_iter().map(|(_, i)| i).collect(),
        // only a deserialized result can hold such values: a comparison sort
        None => {
            let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
            order.sort_by(|&a, &b| (p[a] + 0.0).total_cmp(&(p[b] + 0.0)));
            order
        }
    }
}

/// Reject decisions for sorted p-values and their adjusted values.
fn reject_sorted(sorted: &[f64], adjusted: &[f64], method: Correction, alpha: f64) -> Vec<bool> {
    let m = sorted.len();
    let mf = m as f64;
    // once, not per threshold: O(m) each
    let h = if method == Correction::BenjaminiYekutieli {
        harmonic(m)
    } else {
        f64::NAN
    };
    let threshold = |i: usize| -> f64 {
        let k = (i + 1) as f64;
        match method {
            Correction::Bonferroni => alpha / mf,
            Correction::Sidak => 1.0 - (1.0 - alpha).powf(1.0 / mf),
            Correction::HolmSidak => 1.0 - (1.0 - alpha).powf(1.0 / (mf - i as f64)),
            Correction::Holm | Correction::SimesHochberg => alpha / (mf - i as f64),
            Correction::BenjaminiHochberg => k / mf * alpha,
            Correction::BenjaminiYekutieli => k / mf / h * alpha,
            _ => f64::NAN,
        }
    };
    let passes = |i: usize| sorted[i] <= threshold(i);
    let n_reject = match method {
        Correction::Bonferroni | Correction::Sidak => {
            return (0..m).map(passes).collect();
        }
        Correction::Hommel
        | Correction::GavrilovBenjaminiSarkar
        | Correction::TwoStageBh
        | Correction::TwoStageBky => {
            return adjusted.iter().map(|&a| a <= alpha).collect();
        }
        // step-down: reject until the first failure
        Correction::Holm | Correction::HolmSidak => (0..m).find(|&i| !passes(i)).unwrap_or(m),
        // step-up: reject everything up to the last success
        _ => (0..m).rev().find(|&i| passes(i)).map_or(0, |i| i + 1),
    };
    (0..m).map(|i| i < n_reject).collect()
}

fn check_p(p_values: &[f64]) -> Result<()> {
    if let Some(bad) = p_values
        .iter()
        .find(|p| !p.is_nan() && !(0.0..=1.0).contains(*p))
    {
        return Err(Error::invalid("p-value", bad, "a probability in [0, 1]"));
    }
    Ok(())
}

/// Adjust `p_values` for multiple testing (statsmodels
/// `multipletests(pvals, method=...)[1]`, with reject decisions from
/// [`MultipleTestResult::reject`]).
///
/// Errors: a p-value outside [0, 1] (NaN is allowed and set aside); a
/// two-stage method, whose adjusted p-values depend on alpha (use
/// [`correct`]).
///
/// # Example
/// ```
/// use abstat_core::multitest::{multipletests, Correction};
/// let r = multipletests(&[0.01, 0.04, 0.03], Correction::Holm).unwrap();
/// assert_eq!(r.p_adjusted, vec![0.03, 0.06, 0.06]);
/// assert_eq!(r.reject(0.05), vec![true, false, false]);
/// ```
pub fn multipletests(p_values: &[f64], method: Correction) -> Result<MultipleTestResult> {
    if method.depends_on_alpha() {
        return Err(Error::invalid(
            "method",
            format!("{method:?}"),
            "a method whose adjusted p-values do not depend on alpha (for the two-stage \
             methods call multitest::correct with the level)",
        ));
    }
    Ok(adjust(p_values, method, f64::NAN)?.0)
}

/// The full statsmodels `multipletests(pvals, alpha, method)`: adjusted
/// p-values (in input order) and the reject decisions at `alpha`, from one
/// sort. `maxiter = 1` for the two-stage methods (statsmodels' default).
///
/// Errors: `alpha` outside (0, 1); a p-value outside [0, 1].
pub fn correct(
    p_values: &[f64],
    method: Correction,
    alpha: f64,
) -> Result<(MultipleTestResult, Vec<bool>)> {
    Error::check_open_unit("alpha", alpha)?;
    let (r, sorted_reject) = adjust(p_values, method, alpha)?;
    let mut reject = vec![false; p_values.len()];
    for (&idx, rej) in r.order.iter().zip(sorted_reject) {
        reject[idx] = rej;
    }
    Ok((r, reject))
}

/// [`correct`] writing into the caller's buffers: the adjusted p-values
/// into `p_adjusted` and the reject decisions at `alpha` into `reject`, both
/// in input order and as long as `p_values`. Returns the number of tests
/// counted (the non-NaN p-values).
///
/// For Benjamini–Hochberg and Benjamini–Yekutieli this is the path for
/// large families, several times faster than statsmodels: from 32768
/// p-values without NaN whose running minimum is mostly flat (mostly
/// nulls), a bucket count that sorts only the few values the running
/// minimum and the rejection threshold depend on (`step_up`); otherwise one
/// sort and one pass over the sorted values. The other methods go through
/// [`correct`].
///
/// Errors: as [`correct`]; buffers of another length than `p_values`
/// ([`Error::LengthMismatch`]).
pub fn correct_into(
    p_values: &[f64],
    method: Correction,
    alpha: f64,
    p_adjusted: &mut [f64],
    reject: &mut [bool],
) -> Result<usize> {
    for (what, len) in [("p_adjusted", p_adjusted.len()), ("reject", reject.len())] {
        if len != p_values.len() {
            return Err(Error::LengthMismatch {
                left: "p_values".into(),
                left_len: p_values.len(),
                right: what.into(),
                right_len: len,
            });
        }
    }
    let by = match method {
        Correction::BenjaminiHochberg => false,
        Correction::BenjaminiYekutieli => true,
        _ => {
            let (r, rej) = correct(p_values, method, alpha)?;
            p_adjusted.copy_from_slice(&r.p_adjusted);
            reject.copy_from_slice(&rej);
            return Ok(r.n_tests());
        }
    };
    Error::check_open_unit("alpha", alpha)?;
    let n = p_values.len();
    if n >= step_up::MIN_LEN {
        let c = if by { harmonic(n) } else { 1.0 };
        if step_up::adjust(p_values, by, c, alpha, p_adjusted, reject) {
            return Ok(n);
        }
    }
    // the sort's counting pass checks the p-values; check_p names the culprit
    let Some(sorted) = crate::radix::argsort_unit(p_values) else {
        check_p(p_values)?;
        unreachable!("a p-value outside [0, 1] that check_p accepted");
    };
    let m = sorted.len();
    if m < p_values.len() {
        for ((a, r), p) in p_adjusted.iter_mut().zip(reject.iter_mut()).zip(p_values) {
            if p.is_nan() {
                *a = f64::NAN;
                *r = false;
            }
        }
    }
    let mf = m as f64;
    let c = if by { harmonic(m) } else { 1.0 };
    // `fdr` and the step-up rule of `reject_sorted`, fused: walking down
    // from the largest p-value, the running minimum is the adjusted value,
    // and every hypothesis from the first one that passes its threshold on
    // is rejected. The threshold `k/m/c·α` is fdr's divisor `k/m/c` times α
    // (for BH, c = 1 and the division by it is exact, so it is skipped):
    // the same expressions, so the same bits. The sorted values are read in
    // order; only the writes go to input order. (Dividing per chunk in
    // loops of their own, as the gathering pass before did, was slower
    // here: the pass is bound by the scattered writes.)
    let mut run = f64::INFINITY;
    let mut rejecting = false;
    for (k, &(p, idx)) in sorted.iter().enumerate().rev() {
        let rank = (k + 1) as f64 / mf;
        let divisor = if by { rank / c } else { rank };
        run = run.min(p / divisor);
        p_adjusted[idx] = if run > 1.0 { 1.0 } else { run };
        rejecting = rejecting || p <= divisor * alpha;
        reject[idx] = rejecting;
    }
    Ok(m)
}

/// Adjusted values and the sorted-order reject decisions at `alpha` (NaN
/// alpha: decisions not wanted, empty).
fn adjust(
    p_values: &[f64],
    method: Correction,
    alpha: f64,
) -> Result<(MultipleTestResult, Vec<bool>)> {
    check_p(p_values)?;
    let order = sorted_order(p_values);
    let m = order.len();
    let mf = m as f64;
    let sorted: Vec<f64> = order.iter().map(|&i| p_values[i]).collect();
    // ranks from the top: m, m−1, …, 1
    let down = |i: usize| (m - i) as f64;
    let mut two_stage_reject = None;
    let mut adj: Vec<f64> = match method {
        Correction::Bonferroni => sorted.iter().map(|p| p * mf).collect(),
        // 1 − (1 − p)^m without cancellation, as statsmodels
        Correction::Sidak => sorted
            .iter()
            .map(|p| -(mf * (-p).ln_1p()).exp_m1())
            .collect(),
        Correction::HolmSidak => step_down(&sorted, |i, p| -(down(i) * (-p).ln_1p()).exp_m1()),
        Correction::Holm => step_down(&sorted, |i, p| p * down(i)),
        Correction::SimesHochberg => step_up(&sorted, down),
        Correction::Hommel => hommel(&sorted),
        Correction::BenjaminiHochberg => fdr(&sorted, 1.0),
        Correction::BenjaminiYekutieli => fdr(&sorted, harmonic(m)),
        Correction::TwoStageBh | Correction::TwoStageBky => {
            let (a, r) = two_stage(&sorted, alpha, method == Correction::TwoStageBky)?;
            two_stage_reject = Some(r);
            a
        }
        Correction::GavrilovBenjaminiSarkar => {
            // q_i = (m + 1 − i)/i · p/(1 − p), running max up, then min down
            let q: Vec<f64> = sorted
                .iter()
                .enumerate()
                .map(|(i, p)| (mf - i as f64) / (i + 1) as f64 * p / (1.0 - p))
                .collect();
            let up = step_down(&q, |_, v| v);
            step_up(&up, |_| 1.0)
        }
    };
    for a in &mut adj {
        // NaN (0/0 in fdr_gbs at p = 1) stays, as in statsmodels' `a > 1` mask
        if *a > 1.0 {
            *a = 1.0;
        }
    }
    let sorted_reject = match two_stage_reject {
        Some(r) => r,
        None if alpha.is_nan() => Vec::new(),
        None => reject_sorted(&sorted, &adj, method, alpha),
    };
    let mut p_adjusted = vec![f64::NAN; p_values.len()];
    for (&idx, &a) in order.iter().zip(&adj) {
        p_adjusted[idx] = a;
    }
    Ok((
        MultipleTestResult {
            method,
            p_values: p_values.to_vec(),
            p_adjusted,
            order,
        },
        sorted_reject,
    ))
}

/// `max_{j ≤ i} value(j, p_(j))`: the running maximum from the smallest
/// p-value up (statsmodels `np.maximum.accumulate`).
fn step_down(sorted: &[f64], value: impl Fn(usize, f64) -> f64) -> Vec<f64> {
    let mut run = f64::NEG_INFINITY;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            run = run.max(value(i, p));
            run
        })
        .collect()
}

/// `min_{j ≥ i} factor(j) · p_(j)`: the running minimum from the largest
/// p-value down (statsmodels `np.minimum.accumulate(raw[::-1])[::-1]`).
fn step_up(sorted: &[f64], factor: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = vec![0.0; sorted.len()];
    let mut run = f64::INFINITY;
    for i in (0..sorted.len()).rev() {
        run = run.min(sorted[i] * factor(i));
        out[i] = run;
    }
    out
}

/// statsmodels `fdrcorrection`: `p_(i) / (i/m / c)` with the running
/// minimum from the top (`c = 1` for BH, `Σ 1/k` for BY).
fn fdr(sorted: &[f64], c: f64) -> Vec<f64> {
    let mf = sorted.len() as f64;
    let mut out = vec![0.0; sorted.len()];
    let mut run = f64::INFINITY;
    for i in (0..sorted.len()).rev() {
        run = run.min(sorted[i] / ((i + 1) as f64 / mf / c));
        out[i] = run;
    }
    out
}

/// The number of BH step-up rejections at `alpha` of sorted p-values.
fn bh_rejections(sorted: &[f64], alpha: f64) -> usize {
    let mf = sorted.len() as f64;
    (0..sorted.len())
        .rev()
        .find(|&i| sorted[i] <= (i + 1) as f64 / mf * alpha)
        .map_or(0, |i| i + 1)
}

/// statsmodels `fdrcorrection_twostage(maxiter=1)`: BH at `α' = α/(1+α)`
/// (BKY) or `α` (BH), then once more at `α'·m/m₀` with `m₀ = m − r₁`;
/// adjusted p-values are the last stage's scaled by `m₀/m` (and `1+α`).
fn two_stage(sorted: &[f64], alpha: f64, bky: bool) -> Result<(Vec<f64>, Vec<bool>)> {
    if alpha.is_nan() {
        return Err(Error::invalid(
            "alpha",
            alpha,
            "a level in (0, 1): the two-stage methods depend on it",
        ));
    }
    let m = sorted.len();
    let fact = if bky { 1.0 + alpha } else { 1.0 };
    let alpha_prime = alpha / fact;
    // fdrcorrection clips at 1 before the stage scaling
    let mut adj: Vec<f64> = fdr(sorted, 1.0).into_iter().map(|a| a.min(1.0)).collect();
    let r1 = bh_rejections(sorted, alpha_prime);
    let rejected = if r1 == 0 || r1 == m {
        for a in &mut adj {
            *a *= fact;
        }
        r1
    } else {
        let m0 = (m - r1) as f64;
        let alpha_star = alpha_prime * m as f64 / m0;
        let r = bh_rejections(sorted, alpha_star);
        for a in &mut adj {
            *a *= m0 / m as f64;
            if bky {
                *a *= 1.0 + alpha;
            }
        }
        r
    };
    Ok((adj, (0..m).map(|i| i < rejected).collect()))
}

/// Hommel's adjusted p-values, statsmodels' O(m²) loop: for each
/// `k = m … 2`, `c_k = min_j k·p_(m−k+j)/j` raises the top `k` to `c_k` and
/// the rest to `min(k·p, c_k)`.
fn hommel(sorted: &[f64]) -> Vec<f64> {
    let m = sorted.len();
    let mut a = sorted.to_vec();
    for k in (2..=m).rev() {
        let top = m - k;
        let kf = k as f64;
        let cim = sorted[top..]
            .iter()
            .enumerate()
            .map(|(j, p)| kf * p / (j + 1) as f64)
            .fold(f64::INFINITY, f64::min);
        for v in &mut a[top..] {
            *v = v.max(cim);
        }
        for (v, p) in a[..top].iter_mut().zip(&sorted[..top]) {
            *v = v.max((kf * p).min(cim));
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_p_values_are_refused() {
        assert!(matches!(
            multipletests(&[0.1, 1.5], Correction::Holm),
            Err(Error::InvalidParameter { .. })
        ));
        assert!("nonsense".parse::<Correction>().is_err());
    }

    #[test]
    fn empty_family_is_empty() {
        let r = multipletests(&[], Correction::BenjaminiHochberg).unwrap();
        assert!(r.p_adjusted.is_empty() && r.reject(0.05).is_empty());
    }
}
