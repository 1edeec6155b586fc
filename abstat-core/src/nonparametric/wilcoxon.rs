//! Wilcoxon signed-rank test, as scipy 1.16 `wilcoxon`
//! (`scipy/stats/_wilcoxon.py`).

use serde::{Deserialize, Serialize};

use crate::distributions::{normal_cdf, normal_sf};
use crate::input::{CleanedPair, clean_pair};
use crate::nonparametric::{PValueMethod, check_exact_cost, prepare, require};
use crate::rank::{merged_rank_sums, sorted, tie_cube};
use crate::{Alternative, EffectSize, Error, NanPolicy, Result, TestResult};

/// How zero differences are treated, as scipy's `zero_method=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZeroMethod {
    /// Drop zero differences before ranking (Wilcoxon's original rule).
    #[default]
    Wilcox,
    /// Rank zeros with the others, then drop them (Pratt 1959).
    Pratt,
    /// Rank zeros with the others and split their ranks between the
    /// positive and negative sums.
    Zsplit,
}

impl std::str::FromStr for ZeroMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "wilcox" => Ok(ZeroMethod::Wilcox),
            "pratt" => Ok(ZeroMethod::Pratt),
            "zsplit" => Ok(ZeroMethod::Zsplit),
            other => Err(Error::invalid(
                "zero_method",
                other,
                "one of 'wilcox', 'pratt', 'zsplit'",
            )),
        }
    }
}

/// Options of [`wilcoxon`] and [`wilcoxon_paired`]; the defaults are scipy's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WilcoxonOptions {
    /// Treatment of zero differences.
    pub zero_method: ZeroMethod,
    /// Continuity correction of ½ in the normal approximation.
    pub correction: bool,
    /// `Greater`: the differences are stochastically greater than zero.
    pub alternative: Alternative,
    /// `Auto`, as scipy: more than 50 differences → normal approximation;
    /// otherwise the exact distribution when there are no ties and no zeros,
    /// an exact sign-flip permutation test when n ≤ 13, else the normal
    /// approximation.
    pub method: PValueMethod,
    /// Missing values; paired inputs drop a pair when either value is NaN.
    pub nan_policy: NanPolicy,
}

/// The outcome of a signed-rank test: the test, plus the z statistic when
/// the asymptotic method was requested (scipy's `zstatistic`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedRankResult {
    /// Statistic (min(R⁺, R⁻) two-sided, R⁺ one-sided), p-value, matched
    /// pairs rank-biserial correlation (R⁺ − R⁻)/(R⁺ + R⁻) as effect size.
    #[serde(flatten)]
    pub test: TestResult,
    /// The standardised statistic (−|z| for two-sided tests), only with
    /// `method = Asymptotic`, as in scipy.
    pub z_statistic: Option<f64>,
}

/// Wilcoxon signed-rank test of paired samples: the test on `x − y`.
pub fn wilcoxon_paired(x: &[f64], y: &[f64], opts: &WilcoxonOptions) -> Result<SignedRankResult> {
    match clean_pair(x, y, opts.nan_policy, ("sample x", "sample y"))? {
        CleanedPair::Propagate => Ok(nan_result(opts)),
        CleanedPair::Ready(x, y) => {
            let d: Vec<f64> = x.iter().zip(y.iter()).map(|(a, b)| a - b).collect();
            signed_rank(&d, opts)
        }
    }
}

/// Wilcoxon signed-rank test that the differences `d` are symmetric about
/// zero.
///
/// Deviations from scipy: no differences, or only zero differences, is an
/// error rather than NaN.
///
/// # Example
/// ```
/// use abstat_core::nonparametric::{wilcoxon, WilcoxonOptions};
/// let d = [6.0, 8.0, 14.0, 16.0, 23.0, 24.0, 28.0, 29.0, 41.0, -48.0, 49.0, 56.0, 60.0, -67.0, 75.0];
/// let r = wilcoxon(&d, &WilcoxonOptions::default()).unwrap();
/// assert_eq!(r.test.statistic, 24.0);
/// assert!((r.test.p_value - 0.041259765625).abs() < 1e-15);
/// ```
pub fn wilcoxon(d: &[f64], opts: &WilcoxonOptions) -> Result<SignedRankResult> {
    match prepare(d, opts.nan_policy, "the differences")? {
        None => Ok(nan_result(opts)),
        Some(d) => signed_rank(&d, opts),
    }
}

const NAME: &str = "Wilcoxon signed-rank";

fn nan_result(opts: &WilcoxonOptions) -> SignedRankResult {
    SignedRankResult {
        test: TestResult::nan(NAME, opts.alternative),
        z_statistic: (opts.method == PValueMethod::Asymptotic).then_some(f64::NAN),
    }
}

/// The p-value method once `Auto` is resolved.
#[derive(Clone, Copy, PartialEq)]
enum Resolved {
    Exact,
    Permutation,
    Asymptotic,
}

fn signed_rank(d: &[f64], opts: &WilcoxonOptions) -> Result<SignedRankResult> {
    require(d.len(), 1, "the differences")?;
    let n_total = d.len();
    let pos = sorted(&d.iter().copied().filter(|&v| v > 0.0).collect::<Vec<_>>());
    let neg = sorted(
        &d.iter()
            .filter(|&&v| v < 0.0)
            .map(|v| -v)
            .collect::<Vec<_>>(),
    );
    let n_zero = n_total - pos.len() - neg.len();
    if n_zero == n_total {
        return Err(Error::Degenerate(
            "all differences are zero, so the signed-rank test is undefined".to_string(),
        ));
    }
    let zeros = vec![0.0; n_zero];
    // Ranks of |d|: zeros take part unless zero_method is wilcox.
    let (r_plus, r_minus, r_zero, tie_all, count) = if opts.zero_method == ZeroMethod::Wilcox {
        let (s, t) = merged_rank_sums(&[&pos, &neg]);
        (s[0], s[1], 0.0, t, n_total - n_zero)
    } else {
        let (s, t) = merged_rank_sums(&[&zeros, &pos, &neg]);
        (s[1], s[2], s[0], t, n_total)
    };
    let has_ties = tie_all > 0.0;
    let (mut r_plus, mut r_minus) = (r_plus, r_minus);
    let base = if opts.zero_method == ZeroMethod::Zsplit {
        r_plus += r_zero / 2.0;
        r_minus += r_zero / 2.0;
        r_zero / 2.0
    } else {
        0.0
    };
    let c = count as f64;
    let mut mn = c * (c + 1.0) * 0.25;
    let mut se = c * (c + 1.0) * (2.0 * c + 1.0);
    let mut tie = tie_all;
    if opts.zero_method == ZeroMethod::Pratt {
        let z = n_zero as f64;
        mn -= z * (z + 1.0) * 0.25;
        se -= z * (z + 1.0) * (2.0 * z + 1.0);
        // scipy zeroes the zero group's tie count.
        tie -= tie_cube(n_zero);
    }
    se -= tie / 2.0;
    let se = (se / 24.0).sqrt();

    let method = match opts.method {
        PValueMethod::Exact => Resolved::Exact,
        PValueMethod::Asymptotic => Resolved::Asymptotic,
        PValueMethod::Auto if n_total > 50 => Resolved::Asymptotic,
        PValueMethod::Auto if !(has_ties || n_zero > 0) => Resolved::Exact,
        PValueMethod::Auto if n_total <= 13 => Resolved::Permutation,
        PValueMethod::Auto => Resolved::Asymptotic,
    };
    let mut z = f64::NAN;
    let p = match method {
        Resolved::Asymptotic => {
            if se == 0.0 {
                return Err(Error::Degenerate(
                    "all non-zero differences are tied with the zeros, so the normal \
                     approximation of the signed-rank test is undefined"
                        .to_string(),
                ));
            }
            z = (r_plus - mn) / se;
            if opts.correction {
                let sign = match opts.alternative {
                    Alternative::Greater => 1.0,
                    Alternative::Less => -1.0,
                    Alternative::TwoSided if z == 0.0 => 0.0,
                    Alternative::TwoSided => z.signum(),
                };
                z -= sign * 0.5 / se;
            }
            match opts.alternative {
                Alternative::Less => normal_cdf(z),
                Alternative::Greater => normal_sf(z),
                Alternative::TwoSided => 2.0 * normal_sf(z.abs()),
            }
        }
        Resolved::Exact => {
            check_exact_cost(c * c * c / 6.0, "the signed-rank test")?;
            let pmf = signed_rank_pmf(count);
            let cdf = |k: f64| pmf[..=(k as usize).min(pmf.len() - 1)].iter().sum::<f64>();
            let sf = |k: f64| pmf[(k as usize).min(pmf.len())..].iter().sum::<f64>();
            match opts.alternative {
                Alternative::Less => cdf(r_plus.ceil()),
                Alternative::Greater => sf(r_plus.floor()),
                Alternative::TwoSided => {
                    (2.0 * sf(r_plus.floor()).min(cdf(r_plus.ceil()))).clamp(0.0, 1.0)
                }
            }
        }
        Resolved::Permutation => sign_flip_p(&pos, &neg, &zeros, opts, base, r_plus),
    };
    let statistic = match opts.alternative {
        Alternative::TwoSided => r_plus.min(r_minus),
        _ => r_plus,
    };
    let method_name = match method {
        Resolved::Exact => "Wilcoxon signed-rank (exact)",
        Resolved::Permutation => "Wilcoxon signed-rank (exact permutation)",
        Resolved::Asymptotic => "Wilcoxon signed-rank (asymptotic)",
    };
    let mut test = TestResult::new(method_name, statistic, p);
    test.alternative = opts.alternative;
    test.n = vec![n_total];
    test.effect_size = Some(EffectSize {
        name: "matched_pairs_rank_biserial".into(),
        value: (r_plus - r_minus) / (r_plus + r_minus),
    });
    let z_statistic = (opts.method == PValueMethod::Asymptotic).then(|| {
        if opts.alternative == Alternative::TwoSided {
            -z.abs()
        } else {
            z
        }
    });
    Ok(SignedRankResult { test, z_statistic })
}

/// P(R⁺ = r), r = 0..=n(n+1)/2, for n untied non-zero differences: the
/// recursion of scipy `_get_wilcoxon_distr` (each rank in or out with ½).
fn signed_rank_pmf(n: usize) -> Vec<f64> {
    let mut c = vec![1.0];
    for k in 1..=n {
        let mut next = vec![0.0; k * (k + 1) / 2 + 1];
        let m = c.len();
        let len = next.len();
        for (i, &v) in c.iter().enumerate() {
            next[i] += v * 0.5;
            next[len - m + i] += v * 0.5;
        }
        c = next;
    }
    c
}

/// The exact p-value of scipy's `permutation_test` over all 2ⁿ sign flips
/// (what scipy's `auto` uses for n ≤ 13 with ties or zeros). Ranks are
/// half-integers, so sums are compared exactly in units of ½.
fn sign_flip_p(
    pos: &[f64],
    neg: &[f64],
    zeros: &[f64],
    opts: &WilcoxonOptions,
    base: f64,
    observed: f64,
) -> f64 {
    // Individual average ranks of the non-zero |d|, doubled to integers.
    let pooled: Vec<f64> = pos.iter().chain(neg).copied().collect();
    let mut all: Vec<f64> = pooled.clone();
    if opts.zero_method != ZeroMethod::Wilcox {
        all.extend_from_slice(zeros);
    }
    let ranks = crate::rank::rankdata(&all).expect("NaN-free");
    let twice: Vec<i64> = ranks.ranks[..pooled.len()]
        .iter()
        .map(|r| (2.0 * r) as i64)
        .collect();
    let obs = (2.0 * observed) as i64;
    let b = (2.0 * base) as i64;
    let m = twice.len();
    let (mut le, mut ge) = (0u64, 0u64);
    for mask in 0u64..(1 << m) {
        let s = b
            + (0..m)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| twice[i])
                .sum::<i64>();
        le += u64::from(s <= obs);
        ge += u64::from(s >= obs);
    }
    let total = (1u64 << m) as f64;
    let (pl, pg) = (le as f64 / total, ge as f64 / total);
    match opts.alternative {
        Alternative::Less => pl,
        Alternative::Greater => pg,
        Alternative::TwoSided => (2.0 * pl.min(pg)).min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmf_sums_to_one_and_is_symmetric() {
        let p = signed_rank_pmf(10);
        assert_eq!(p.len(), 56);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(p[3], p[52]);
    }

    #[test]
    fn all_zero_differences_are_an_error() {
        let r = wilcoxon(&[0.0, 0.0], &WilcoxonOptions::default());
        assert!(matches!(r, Err(Error::Degenerate(_))));
        let r = wilcoxon(&[], &WilcoxonOptions::default());
        assert!(matches!(r, Err(Error::TooFewObservations { .. })));
    }
}
