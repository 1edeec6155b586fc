//! Student's and Welch's t-tests: one-sample, paired and two-sample, from
//! raw data or from summary statistics ([`Moments`]).
//!
//! Matches `scipy.stats.ttest_1samp`, `ttest_rel`, `ttest_ind` and
//! `ttest_ind_from_stats` (statistic, p-value, df, and the interval of
//! `result.confidence_interval(confidence_level)`), with these deliberate
//! differences, each an error value instead of scipy's NaN/±inf with a
//! warning:
//! - fewer than 2 observations in a sample (after omitting NaN) →
//!   [`Error::TooFewObservations`];
//! - a standard error of zero (all values equal in every sample, or all
//!   paired differences equal) → [`Error::ZeroVariance`]: the t statistic
//!   would be 0/0 or ±∞;
//! - a NaN under [`NanPolicy::Propagate`] returns [`TestResult::nan`] (NaN
//!   statistic and p-value, no df or interval), as scipy does.
//!
//! The effect size is Cohen's d: `(mean − popmean) / s` for one sample,
//! `mean(d) / s_d` (d_z) for paired samples, and the mean difference over the
//! pooled standard deviation `√(((n₁−1)s₁² + (n₂−1)s₂²) / (n₁+n₂−2))` for two
//! samples, Student or Welch (Cohen 1988, eq. 2.5.2). [`hedges_g`] gives the
//! small-sample corrected version.

use crate::distributions::{t_ppf, t_sf};
use crate::input::{CleanedPair, clean_pair};
use crate::moments::Moments;
use crate::{Alternative, ConfidenceInterval, EffectSize, Error, NanPolicy, Result, TestResult};

/// Options of the t-tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTestOptions {
    /// The alternative hypothesis (default two-sided).
    pub alternative: Alternative,
    /// Missing-value handling (default propagate, as scipy).
    pub nan_policy: NanPolicy,
    /// Confidence level of the interval, in (0, 1) (default 0.95).
    pub confidence_level: f64,
}

impl Default for TTestOptions {
    fn default() -> Self {
        TTestOptions {
            alternative: Alternative::TwoSided,
            nan_policy: NanPolicy::Propagate,
            confidence_level: 0.95,
        }
    }
}

impl TTestOptions {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        Error::check_open_unit("confidence_level", self.confidence_level)
    }
}

/// The outcome of summarising one sample under a NaN policy.
enum Summary {
    Ready(Moments),
    Propagate,
}

/// Moments of `x` in one pass; the NaN policy is consulted only when the
/// pass produced a non-finite state, so clean data is read once.
fn summarise(x: &[f64], policy: NanPolicy, what: &str) -> Result<Summary> {
    let m = Moments::from_slice(x);
    if m.is_finite() || !crate::input::has_nan(x) {
        return Ok(Summary::Ready(m));
    }
    match policy {
        NanPolicy::Propagate => Ok(Summary::Propagate),
        NanPolicy::Raise => Err(Error::MissingValues { what: what.into() }),
        NanPolicy::Omit => Ok(Summary::Ready(Moments::from_slice_skip_nan(x))),
    }
}

fn need_two(m: &Moments, what: &str) -> Result<()> {
    if m.n < 2 {
        return Err(Error::TooFewObservations {
            what: what.into(),
            needed: 2,
            got: m.n as usize,
        });
    }
    Ok(())
}

/// p-value of a t statistic under `alternative` (scipy `_get_pvalue`).
pub(crate) fn t_pvalue(t: f64, df: f64, alternative: Alternative) -> f64 {
    match alternative {
        Alternative::TwoSided => (2.0 * t_sf(t.abs(), df)).min(1.0),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    }
}

/// Interval `estimate ± quantile · se` with scipy's one-sided conventions:
/// `less` gives (−∞, upper], `greater` gives [lower, ∞). `level` is not
/// checked here (see [`TTest::interval`]).
pub fn t_interval(
    estimate: f64,
    se: f64,
    df: f64,
    level: f64,
    alternative: Alternative,
) -> ConfidenceInterval {
    let (lower, upper) = match alternative {
        Alternative::TwoSided => {
            let tail = (1.0 - level) / 2.0;
            (
                estimate + t_ppf(tail, df) * se,
                estimate + t_ppf(1.0 - tail, df) * se,
            )
        }
        Alternative::Less => (f64::NEG_INFINITY, estimate + t_ppf(level, df) * se),
        Alternative::Greater => (estimate + t_ppf(1.0 - level, df) * se, f64::INFINITY),
    };
    ConfidenceInterval {
        lower,
        upper,
        level,
    }
}

/// Everything a t-test result needs once the estimate and its standard
/// error are known.
struct TInputs {
    method: &'static str,
    estimate: f64,
    null: f64,
    se: f64,
    df: f64,
    cohen_d: f64,
    n: Vec<usize>,
}

fn finish(inp: TInputs, what: &str, opts: &TTestOptions) -> Result<TTest> {
    if inp.se == 0.0 {
        return Err(Error::ZeroVariance {
            what: what.into(),
            method: inp.method.into(),
        });
    }
    let t = (inp.estimate - inp.null) / inp.se;
    Ok(TTest {
        result: TestResult {
            method: inp.method.into(),
            statistic: t,
            p_value: t_pvalue(t, inp.df, opts.alternative),
            df: Some(inp.df),
            alternative: opts.alternative,
            estimate: Some(inp.estimate),
            ci: None,
            effect_size: Some(EffectSize {
                name: "cohen_d".into(),
                value: inp.cohen_d,
            }),
            n: inp.n,
        },
        standard_error: inp.se,
    })
}

/// A t-test whose confidence interval is computed on request.
///
/// The interval needs two inverse-t evaluations, most of the cost of a test
/// on a small sample; scipy's `TtestResult` likewise computes it only in
/// `confidence_interval()`. The `*_deferred` functions return this; the
/// plain functions return [`TTest::with_interval`] at the options' level.
#[derive(Debug, Clone, PartialEq)]
pub struct TTest {
    /// The test's result without its interval (`ci` is `None`).
    pub result: TestResult,
    /// The standard error of the estimate (NaN when a NaN propagated).
    pub standard_error: f64,
}

impl TTest {
    fn nan(method: &'static str, alternative: Alternative) -> TTest {
        TTest {
            result: TestResult::nan(method, alternative),
            standard_error: f64::NAN,
        }
    }

    /// The interval `estimate ± t quantile · se` at `level` for the test's
    /// alternative (scipy's one-sided conventions); `None` when a NaN
    /// propagated. `level` must lie in (0, 1).
    pub fn interval(&self, level: f64) -> Result<Option<ConfidenceInterval>> {
        Error::check_open_unit("confidence_level", level)?;
        let r = &self.result;
        Ok(match (r.estimate, r.df) {
            (Some(estimate), Some(df)) => Some(t_interval(
                estimate,
                self.standard_error,
                df,
                level,
                r.alternative,
            )),
            _ => None,
        })
    }

    /// The [`TestResult`] with its interval at `level`.
    pub fn with_interval(self, level: f64) -> Result<TestResult> {
        let ci = self.interval(level)?;
        Ok(TestResult { ci, ..self.result })
    }
}

/// One-sample t-test of `H₀: mean = popmean` (scipy `ttest_1samp`). The
/// interval is for the mean, the estimate is the sample mean.
///
/// # Example
/// ```
/// use abstat_core::ttest::{ttest_1samp, TTestOptions};
/// let r = ttest_1samp(&[5.1, 4.9, 5.6, 5.8, 6.0], 5.0, &TTestOptions::default()).unwrap();
/// assert!(r.p_value > 0.05);
/// ```
pub fn ttest_1samp(x: &[f64], popmean: f64, opts: &TTestOptions) -> Result<TestResult> {
    ttest_1samp_deferred(x, popmean, opts)?.with_interval(opts.confidence_level)
}

/// [`ttest_1samp`] with the interval left to [`TTest::interval`].
pub fn ttest_1samp_deferred(x: &[f64], popmean: f64, opts: &TTestOptions) -> Result<TTest> {
    opts.validate()?;
    match summarise(x, opts.nan_policy, "the sample")? {
        Summary::Propagate => Ok(TTest::nan(ONE_SAMPLE, opts.alternative)),
        Summary::Ready(m) => one_sample(&m, popmean, opts),
    }
}

const ONE_SAMPLE: &str = "one-sample t-test";
const PAIRED: &str = "paired t-test";
const STUDENT: &str = "Student's two-sample t-test";
const WELCH: &str = "Welch's two-sample t-test";

/// One-sample t-test from a sample's [`Moments`].
pub fn ttest_1samp_from_stats(
    m: &Moments,
    popmean: f64,
    opts: &TTestOptions,
) -> Result<TestResult> {
    opts.validate()?;
    one_sample(m, popmean, opts)?.with_interval(opts.confidence_level)
}

fn one_sample(m: &Moments, popmean: f64, opts: &TTestOptions) -> Result<TTest> {
    need_two(m, "the sample")?;
    let s = m.std(1);
    finish(
        TInputs {
            method: ONE_SAMPLE,
            estimate: m.mean(),
            null: popmean,
            se: s / (m.n as f64).sqrt(),
            df: (m.n - 1) as f64,
            cohen_d: (m.mean() - popmean) / s,
            n: vec![m.n as usize],
        },
        "the sample",
        opts,
    )
}

/// Paired t-test of `H₀: mean(a − b) = 0` (scipy `ttest_rel`). The interval
/// is for the mean difference. With [`NanPolicy::Omit`] a pair is dropped
/// when either value is NaN.
pub fn ttest_rel(a: &[f64], b: &[f64], opts: &TTestOptions) -> Result<TestResult> {
    ttest_rel_deferred(a, b, opts)?.with_interval(opts.confidence_level)
}

/// [`ttest_rel`] with the interval left to [`TTest::interval`].
pub fn ttest_rel_deferred(a: &[f64], b: &[f64], opts: &TTestOptions) -> Result<TTest> {
    opts.validate()?;
    let (a, b) = match clean_pair(a, b, opts.nan_policy, ("sample a", "sample b"))? {
        CleanedPair::Propagate => return Ok(TTest::nan(PAIRED, opts.alternative)),
        CleanedPair::Ready(a, b) => (a, b),
    };
    let d: Vec<f64> = a.iter().zip(b.iter()).map(|(x, y)| x - y).collect();
    let m = Moments::from_slice(&d);
    need_two(&m, "the pairs")?;
    let s = m.std(1);
    finish(
        TInputs {
            method: PAIRED,
            estimate: m.mean(),
            null: 0.0,
            se: s / (m.n as f64).sqrt(),
            df: (m.n - 1) as f64,
            cohen_d: m.mean() / s,
            n: vec![m.n as usize, m.n as usize],
        },
        "the paired differences",
        opts,
    )
}

/// Two-sample t-test of `H₀: mean(a) = mean(b)` (scipy `ttest_ind`):
/// Student's pooled-variance test when `equal_var`, Welch's test with
/// Welch–Satterthwaite degrees of freedom otherwise. The interval is for
/// `mean(a) − mean(b)`.
///
/// Each sample is read once (one pass over memory, parallel for long
/// inputs); NaN are looked for only if that pass met a non-finite value.
pub fn ttest_ind(a: &[f64], b: &[f64], equal_var: bool, opts: &TTestOptions) -> Result<TestResult> {
    ttest_ind_deferred(a, b, equal_var, opts)?.with_interval(opts.confidence_level)
}

/// [`ttest_ind`] with the interval left to [`TTest::interval`].
pub fn ttest_ind_deferred(
    a: &[f64],
    b: &[f64],
    equal_var: bool,
    opts: &TTestOptions,
) -> Result<TTest> {
    opts.validate()?;
    let method = if equal_var { STUDENT } else { WELCH };
    let ma = summarise(a, opts.nan_policy, "sample a")?;
    let mb = summarise(b, opts.nan_policy, "sample b")?;
    match (ma, mb) {
        (Summary::Ready(ma), Summary::Ready(mb)) => two_sample(&ma, &mb, equal_var, opts),
        _ => Ok(TTest::nan(method, opts.alternative)),
    }
}

/// Welch's t-test: [`ttest_ind`] with `equal_var = false`.
pub fn welch(a: &[f64], b: &[f64], opts: &TTestOptions) -> Result<TestResult> {
    ttest_ind(a, b, false, opts)
}

/// Two-sample t-test from summary statistics (scipy
/// `ttest_ind_from_stats`; build the states with [`Moments::from_summary`]).
/// Unlike scipy it also returns the interval and Cohen's d.
pub fn ttest_ind_from_stats(
    a: &Moments,
    b: &Moments,
    equal_var: bool,
    opts: &TTestOptions,
) -> Result<TestResult> {
    opts.validate()?;
    two_sample(a, b, equal_var, opts)?.with_interval(opts.confidence_level)
}

fn two_sample(a: &Moments, b: &Moments, equal_var: bool, opts: &TTestOptions) -> Result<TTest> {
    need_two(a, "sample a")?;
    need_two(b, "sample b")?;
    let (n1, n2) = (a.n as f64, b.n as f64);
    let (v1, v2) = (a.variance(1), b.variance(1));
    let pooled_df = n1 + n2 - 2.0;
    let pooled_var = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / pooled_df;
    let (se, df) = if equal_var {
        ((pooled_var * (1.0 / n1 + 1.0 / n2)).sqrt(), pooled_df)
    } else {
        let (q1, q2) = (v1 / n1, v2 / n2);
        // Welch–Satterthwaite, on q/max(q) so that squares of tiny
        // variances (~1e-160 and below) do not underflow to 0/0; the
        // ratio is scale-free (scipy squares unscaled and returns NaN).
        let scale = q1.max(q2);
        let (r1, r2) = (q1 / scale, q2 / scale);
        let df = (r1 + r2) * (r1 + r2) / (r1 * r1 / (n1 - 1.0) + r2 * r2 / (n2 - 1.0));
        ((q1 + q2).sqrt(), df)
    };
    let diff = a.mean() - b.mean();
    finish(
        TInputs {
            method: if equal_var { STUDENT } else { WELCH },
            estimate: diff,
            null: 0.0,
            se,
            df,
            cohen_d: diff / pooled_var.sqrt(),
            n: vec![a.n as usize, b.n as usize],
        },
        "both samples",
        opts,
    )
}

/// Hedges' g: Cohen's d times the exact small-sample correction
/// `J(ν) = Γ(ν/2) / (√(ν/2) · Γ((ν−1)/2))` (Hedges 1981, eq. 6e), where `ν`
/// is `n − 1` for one-sample and paired tests and `n₁ + n₂ − 2` for two
/// samples. Returns NaN when `ν ≤ 1`.
pub fn hedges_g(cohen_d: f64, df: f64) -> f64 {
    cohen_d * hedges_correction(df)
}

/// The correction factor `J(ν)` of [`hedges_g`].
pub fn hedges_correction(df: f64) -> f64 {
    if df.is_nan() || df <= 1.0 {
        return f64::NAN;
    }
    let x = df / 2.0;
    let y = x - 0.5;
    if y > 50.0 {
        // Γ(y+½)/Γ(y) = √y (1 − 1/(8y) + 1/(128y²) + 5/(1024y³) − 21/(32768y⁴) + O(y⁻⁵))
        // (Abramowitz & Stegun 6.1.47); the O(y⁻⁵) term is < 1e-11 here.
        let r = 1.0 / y;
        let series =
            1.0 + r * (-1.0 / 8.0 + r * (1.0 / 128.0 + r * (5.0 / 1024.0 - r * 21.0 / 32768.0)));
        (y / x).sqrt() * series
    } else {
        use statrs::function::gamma::ln_gamma;
        (ln_gamma(x) - ln_gamma(y)).exp() / x.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_confidence_level_is_refused() {
        let opts = TTestOptions {
            confidence_level: 1.0,
            ..Default::default()
        };
        assert!(matches!(
            ttest_1samp(&[1.0, 2.0], 0.0, &opts),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn deferred_interval_equals_the_eager_one() {
        let (a, b) = ([5.1, 4.9, 5.6, 5.8, 6.0], [4.0, 5.5, 4.2, 4.8, 5.0]);
        for alternative in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            let opts = TTestOptions {
                alternative,
                confidence_level: 0.9,
                ..Default::default()
            };
            let eager = ttest_ind(&a, &b, false, &opts).unwrap();
            let deferred = ttest_ind_deferred(&a, &b, false, &opts).unwrap();
            assert_eq!(deferred.result.ci, None);
            assert_eq!(deferred.interval(0.9).unwrap(), eager.ci);
            assert_eq!(deferred.with_interval(0.9).unwrap(), eager);
            let eager = ttest_rel(&a, &b, &opts).unwrap();
            let deferred = ttest_rel_deferred(&a, &b, &opts).unwrap();
            assert_eq!(deferred.with_interval(0.9).unwrap(), eager);
            let eager = ttest_1samp(&a, 5.0, &opts).unwrap();
            let deferred = ttest_1samp_deferred(&a, 5.0, &opts).unwrap();
            assert_eq!(deferred.with_interval(0.9).unwrap(), eager);
        }
        // a propagated NaN has no interval; a bad level is refused
        let nan = ttest_1samp_deferred(&[1.0, f64::NAN], 0.0, &TTestOptions::default()).unwrap();
        assert_eq!(nan.interval(0.95).unwrap(), None);
        assert!(matches!(
            nan.interval(1.5),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn hedges_branches_meet() {
        // The series and the log-gamma branch agree where they meet.
        let a = hedges_correction(101.0);
        let b = hedges_correction(101.000001);
        assert!((a - b).abs() < 1e-9, "{a} {b}");
        assert!(hedges_correction(1.0).is_nan());
    }
}
