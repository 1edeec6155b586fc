//! Kruskal–Wallis H test of k independent samples, as scipy 1.16 `kruskal`.

use crate::distributions::chi2_sf;
use crate::nonparametric::{prepare, require};
use crate::rank::{merged_rank_sums, sorted_keys};
use crate::{Alternative, EffectSize, Error, NanPolicy, Result, TestResult};

/// Kruskal–Wallis H test that all `groups` come from one distribution.
///
/// H = 12/(N(N+1)) Σ Rᵢ²/nᵢ − 3(N+1), divided by the tie correction
/// 1 − Σ(t³−t)/(N³−N); p = P(χ²ₖ₋₁ > H) (Kruskal & Wallis 1952). The ranks
/// come from one merged pass over the sorted groups. `effect_size` is
/// ε² = H/(N − 1) (Tomczak & Tomczak 2014).
///
/// Deviations from scipy: an empty group is an error rather than NaN.
/// Fewer than two groups and all-identical values are errors, as in scipy.
///
/// # Example
/// ```
/// use abstat_core::{NanPolicy, nonparametric::kruskal};
/// let r = kruskal(&[&[1.0, 3.0, 5.0, 7.0, 9.0], &[2.0, 4.0, 6.0, 8.0, 10.0]], NanPolicy::Propagate).unwrap();
/// assert!((r.statistic - 0.2727272727272734).abs() < 1e-12);
/// ```
pub fn kruskal(groups: &[&[f64]], nan_policy: NanPolicy) -> Result<TestResult> {
    const NAME: &str = "Kruskal-Wallis H";
    if groups.len() < 2 {
        return Err(Error::TooFewObservations {
            what: "groups of the Kruskal-Wallis test".to_string(),
            needed: 2,
            got: groups.len(),
        });
    }
    let mut clean = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        match prepare(g, nan_policy, &format!("group {}", i + 1))? {
            Some(v) => clean.push(v),
            None => {
                let mut r = TestResult::nan(NAME, Alternative::Greater);
                r.df = Some((groups.len() - 1) as f64);
                return Ok(r);
            }
        }
    }
    for (i, g) in clean.iter().enumerate() {
        require(g.len(), 1, &format!("group {}", i + 1))?;
    }
    let sorted_groups: Vec<Vec<u64>> = clean.iter().map(|g| sorted_keys(g)).collect();
    let views: Vec<&[u64]> = sorted_groups.iter().map(Vec::as_slice).collect();
    let (sums, tie_term) = merged_rank_sums(&views);
    let n_total: usize = clean.iter().map(|g| g.len()).sum();
    let n = n_total as f64;
    // Two non-empty groups make n ≥ 2, so N³ − N > 0.
    let ties = 1.0 - tie_term / (n * n * n - n);
    if ties == 0.0 {
        return Err(Error::Degenerate(
            "all values are identical, so the Kruskal-Wallis test is undefined".to_string(),
        ));
    }
    let mut ssbn = 0.0;
    for (s, g) in sums.iter().zip(&clean) {
        ssbn += s * s / g.len() as f64;
    }
    let h = (12.0 / (n * (n + 1.0)) * ssbn - 3.0 * (n + 1.0)) / ties;
    let df = (groups.len() - 1) as f64;
    let mut r = TestResult::new(NAME, h, chi2_sf(h, df));
    r.alternative = Alternative::Greater;
    r.df = Some(df);
    r.n = clean.iter().map(|g| g.len()).collect();
    r.effect_size = Some(EffectSize {
        name: "epsilon_squared".into(),
        value: h / (n - 1.0),
    });
    Ok(r)
}
