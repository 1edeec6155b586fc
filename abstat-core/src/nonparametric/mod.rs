//! Rank-based and distribution-free tests, each matching its scipy 1.16
//! counterpart: Mann–Whitney U, Wilcoxon signed-rank, Kruskal–Wallis and the
//! two-sample Kolmogorov–Smirnov test.

use serde::{Deserialize, Serialize};

use crate::input::{Cleaned, clean};
use crate::{Error, NanPolicy, Result};

mod kolmogorov;
pub mod kruskal;
pub mod ks;
pub mod mann_whitney;
pub mod wilcoxon;

pub use kruskal::kruskal;
pub use ks::{KsOptions, KsResult, ks_2samp};
pub use mann_whitney::{MannWhitneyOptions, mann_whitney_u};
pub use wilcoxon::{SignedRankResult, WilcoxonOptions, ZeroMethod, wilcoxon, wilcoxon_paired};

/// How a p-value is computed, as scipy's `method=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PValueMethod {
    /// Let the test choose by sample size and ties, with scipy's rule.
    #[default]
    Auto,
    /// The exact null distribution of the statistic.
    Exact,
    /// The large-sample (asymptotic) approximation.
    Asymptotic,
}

impl std::str::FromStr for PValueMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(PValueMethod::Auto),
            "exact" => Ok(PValueMethod::Exact),
            "asymptotic" | "approx" | "asymp" => Ok(PValueMethod::Asymptotic),
            other => Err(Error::invalid(
                "method",
                other,
                "one of 'auto', 'exact', 'asymptotic'",
            )),
        }
    }
}

/// Apply `policy` to one independent sample; `None` means a NaN propagates.
pub(crate) fn prepare<'a>(
    x: &'a [f64],
    policy: NanPolicy,
    what: &str,
) -> Result<Option<std::borrow::Cow<'a, [f64]>>> {
    Ok(match clean(x, policy, what)? {
        Cleaned::Propagate => None,
        Cleaned::Ready(v) => Some(v),
    })
}

/// Two independent samples, each NaN-handled, each with at least one value;
/// `None` means a NaN propagates.
pub(crate) type TwoSamples<'a> = Option<(std::borrow::Cow<'a, [f64]>, std::borrow::Cow<'a, [f64]>)>;

/// Apply `policy` to samples x and y separately and require a value in each.
pub(crate) fn prepare_two<'a>(
    x: &'a [f64],
    y: &'a [f64],
    policy: NanPolicy,
) -> Result<TwoSamples<'a>> {
    let (Some(x), Some(y)) = (
        prepare(x, policy, "sample x")?,
        prepare(y, policy, "sample y")?,
    ) else {
        return Ok(None);
    };
    require(x.len(), 1, "sample x")?;
    require(y.len(), 1, "sample y")?;
    Ok(Some((x, y)))
}

/// Require at least `needed` observations in `what`.
pub(crate) fn require(got: usize, needed: usize, what: &str) -> Result<()> {
    if got < needed {
        return Err(Error::TooFewObservations {
            what: what.to_string(),
            needed,
            got,
        });
    }
    Ok(())
}

/// Refuse an exact distribution whose computation would take more than
/// about 10¹⁰ elementary steps (minutes): the asymptotic method is accurate
/// long before that.
pub(crate) fn check_exact_cost(steps: f64, test: &str) -> Result<()> {
    if steps > 1e10 {
        return Err(Error::invalid(
            "method",
            "exact",
            format!(
                "'auto' or 'asymptotic' for {test} at this sample size: the exact \
                 distribution would take too long to compute"
            ),
        ));
    }
    Ok(())
}
