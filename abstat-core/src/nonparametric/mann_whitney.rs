//! Mann–Whitney U test of two independent samples, as scipy 1.16
//! `mannwhitneyu` (`scipy/stats/_mannwhitneyu.py`).

use crate::distributions::normal_sf;
use crate::nonparametric::{PValueMethod, check_exact_cost, prepare_two};
use crate::rank::{merged_rank_sums, sorted_keys};
use crate::{Alternative, EffectSize, Error, NanPolicy, Result, TestResult};

/// Options of [`mann_whitney_u`]; the defaults are scipy's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MannWhitneyOptions {
    /// `TwoSided`, `Less` (x stochastically less than y) or `Greater`.
    pub alternative: Alternative,
    /// `Auto` takes the exact distribution when either sample has at most 8
    /// values and there are no ties, the normal approximation otherwise.
    pub method: PValueMethod,
    /// Continuity correction of ½ in the normal approximation.
    pub use_continuity: bool,
    /// Missing values: each sample's NaNs are dropped separately under `Omit`.
    pub nan_policy: NanPolicy,
}

impl Default for MannWhitneyOptions {
    fn default() -> Self {
        MannWhitneyOptions {
            alternative: Alternative::TwoSided,
            method: PValueMethod::Auto,
            use_continuity: true,
            nan_policy: NanPolicy::Propagate,
        }
    }
}

/// Mann–Whitney U test that the distributions underlying `x` and `y` are
/// equal.
///
/// `statistic` is U₁ = R₁ − n₁(n₁+1)/2 of `x`, as scipy reports it;
/// `effect_size` is the rank-biserial correlation (U₁ − U₂)/(n₁n₂), positive
/// when `x` tends to be larger. The exact p-value comes from the null
/// distribution of U (Löffler 1983, computed here as the coefficients of the
/// Gaussian binomial ∏ (1 − qⁿ⁺ⁱ)/(1 − qⁱ), scaled to probabilities at each
/// step so no count overflows); as in scipy it ignores ties and truncates a
/// fractional U. The asymptotic p-value uses the tie-corrected variance
/// n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1))).
///
/// Deviations from scipy: an empty sample is an error rather than NaN, and
/// so is the normal approximation without continuity correction when all
/// values are tied (scipy returns NaN there).
///
/// # Example
/// ```
/// use abstat_core::nonparametric::{mann_whitney_u, MannWhitneyOptions};
/// let males = [19.0, 22.0, 16.0, 29.0, 24.0];
/// let females = [20.0, 11.0, 17.0, 12.0];
/// let r = mann_whitney_u(&males, &females, &MannWhitneyOptions::default()).unwrap();
/// assert_eq!(r.statistic, 17.0);
/// assert!((r.p_value - 0.1111111111111111).abs() < 1e-15);
/// ```
pub fn mann_whitney_u(x: &[f64], y: &[f64], opts: &MannWhitneyOptions) -> Result<TestResult> {
    const NAME: &str = "Mann-Whitney U";
    let Some((x, y)) = prepare_two(x, y, opts.nan_policy)? else {
        return Ok(TestResult::nan(NAME, opts.alternative));
    };
    let (n1, n2) = (x.len(), y.len());
    let (xs, ys) = rayon::join(|| sorted_keys(&x), || sorted_keys(&y));
    let (sums, tie_term) = merged_rank_sums(&[&xs, &ys]);
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let u1 = sums[0] - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let (u, factor) = match opts.alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let exact = match opts.method {
        PValueMethod::Exact => true,
        PValueMethod::Asymptotic => false,
        // scipy `_mwu_choose_method`
        PValueMethod::Auto => (n1 <= 8 || n2 <= 8) && tie_term == 0.0,
    };
    if exact {
        let (m, n) = (n1.min(n2) as f64, n1.max(n2) as f64);
        check_exact_cost(m * m * n / 2.0, "Mann-Whitney U")?;
    }
    let p = if exact {
        // scipy truncates a fractional U with `astype(int)`.
        u_sf(u.trunc() as usize, n1.min(n2), n1.max(n2))
    } else {
        let n = n1f + n2f;
        let s = (n1f * n2f / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let mut num = u - n1f * n2f / 2.0;
        if opts.use_continuity {
            num -= 0.5;
        }
        if s == 0.0 && num == 0.0 {
            return Err(Error::Degenerate(
                "all values of both samples are equal, so the normal approximation of \
                 Mann-Whitney U without continuity correction is undefined"
                    .to_string(),
            ));
        }
        normal_sf(num / s)
    };
    let mut r = TestResult::new(
        if exact {
            "Mann-Whitney U (exact)"
        } else {
            "Mann-Whitney U (asymptotic)"
        },
        u1,
        (p * factor).clamp(0.0, 1.0),
    );
    r.alternative = opts.alternative;
    r.effect_size = Some(EffectSize {
        name: "rank_biserial".into(),
        value: (u1 - u2) / (n1f * n2f),
    });
    r.n = vec![n1, n2];
    Ok(r)
}

/// P(U ≥ k) under the null for samples of sizes m ≤ n, as scipy's
/// `_MWU.sf`: the smaller tail is summed directly.
fn u_sf(k: usize, m: usize, n: usize) -> f64 {
    let kc = (m * n).saturating_sub(k);
    if k < kc {
        // 1 − P(U ≤ k) + P(U = k)
        let pmf = u_pmf(k, m, n);
        1.0 - pmf[..k].iter().sum::<f64>()
    } else {
        let pmf = u_pmf(kc, m, n);
        pmf.iter().sum()
    }
}

/// P(U = u) for u = 0..=max_u: coefficients of the Gaussian binomial
/// [m+n choose m]_q / C(m+n, m) = ∏ᵢ (1 − q^{n+i}) / (1 − qⁱ) · i/(n+i),
/// truncated at degree `max_u` (exact for those coefficients).
fn u_pmf(max_u: usize, m: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; max_u + 1];
    c[0] = 1.0;
    for i in 1..=m {
        // Divide first so every intermediate coefficient stays positive.
        for j in i..=max_u {
            c[j] += c[j - i];
        }
        let a = n + i;
        for j in (a..=max_u).rev() {
            c[j] -= c[j - a];
        }
        let scale = i as f64 / a as f64;
        for v in &mut c {
            *v *= scale;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_sums_to_one() {
        for (m, n) in [(1, 1), (2, 3), (4, 7), (8, 8)] {
            let all: f64 = u_pmf(m * n, m, n).iter().sum();
            assert!((all - 1.0).abs() < 1e-14, "{m} {n}: {all}");
        }
        // P(U = 0) = 1 / C(m+n, m)
        assert!((u_pmf(0, 3, 4)[0] - 1.0 / 35.0).abs() < 1e-16);
    }

    #[test]
    fn empty_sample_is_an_error() {
        let err = mann_whitney_u(&[], &[1.0], &MannWhitneyOptions::default()).unwrap_err();
        assert!(matches!(err, Error::TooFewObservations { got: 0, .. }));
    }
}
