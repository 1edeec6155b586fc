//! Bootstrap confidence intervals (percentile and BCa) for any statistic of
//! one sample ([`bootstrap`]) or of two independent samples
//! ([`bootstrap_two`]), following scipy's `scipy.stats.bootstrap`.
//!
//! Resampling is seeded and reproducible: resample `b` draws its indices
//! from its own ChaCha8 stream (`seed`, stream `b`), so the bootstrap
//! distribution is the same whatever the number of threads rayon uses.
//! scipy draws with numpy's generator, so the resamples (and hence the
//! intervals) differ from scipy's by Monte Carlo error only; the interval
//! formulas themselves are exposed as [`percentile_interval`] and
//! [`bca_interval`], which reproduce scipy's `np.percentile` and
//! `_bca_interval` exactly for a given bootstrap distribution.

use std::borrow::Cow;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::distributions::{normal_cdf, normal_ppf};
use crate::{Alternative, ConfidenceInterval, Error, Result};

/// How the interval is read off the bootstrap distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BootstrapMethod {
    /// The α/2 and 1 − α/2 percentiles of the bootstrap distribution.
    Percentile,
    /// Bias-corrected and accelerated percentiles (Efron 1987, JASA 82,
    /// 171–185; Efron & Tibshirani 1993, §14.3), scipy's default.
    #[default]
    Bca,
}

/// Options of [`bootstrap`] and [`bootstrap_two`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Number of resamples (scipy's default 9999).
    pub n_resamples: usize,
    /// Confidence level in (0, 1).
    pub confidence_level: f64,
    /// Percentile or BCa.
    pub method: BootstrapMethod,
    /// Two-sided interval, or a one-sided bound (`Less`: (−inf, upper];
    /// `Greater`: [lower, inf)), as scipy's `alternative`.
    pub alternative: Alternative,
    /// Seed of the random streams.
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            n_resamples: 9999,
            confidence_level: 0.95,
            method: BootstrapMethod::Bca,
            alternative: Alternative::TwoSided,
            seed: 0,
        }
    }
}

impl BootstrapOptions {
    fn validate(&self) -> Result<()> {
        if self.n_resamples == 0 {
            return Err(Error::invalid("n_resamples", 0, "a positive number"));
        }
        check_level(self.confidence_level)
    }
}

fn check_level(level: f64) -> Result<()> {
    Error::check_open_unit("confidence_level", level)
}

/// The outcome of a bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapResult {
    /// "bootstrap percentile interval" or "bootstrap BCa interval".
    pub method: Cow<'static, str>,
    /// The statistic on the original data.
    pub estimate: f64,
    /// The confidence interval.
    pub ci: ConfidenceInterval,
    /// Standard deviation (ddof = 1) of the bootstrap distribution.
    pub standard_error: f64,
    /// The statistic on every resample, in resample order.
    pub bootstrap_distribution: Vec<f64>,
    /// Sample sizes.
    pub n: Vec<usize>,
}

/// The sample mean, for use as a bootstrap statistic.
pub fn mean(x: &[f64]) -> f64 {
    crate::anova::mean(x)
}

/// The sample median (numpy's), for use as a bootstrap statistic.
pub fn median(x: &[f64]) -> f64 {
    crate::variance::median(x)
}

/// The population standard deviation (numpy's `np.std`, ddof = 0), for
/// use as a bootstrap statistic (two passes: mean, then squared deviations).
pub fn std(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64).sqrt()
}

/// mean(x) − mean(y), for use with [`bootstrap_two`].
pub fn mean_difference(x: &[f64], y: &[f64]) -> f64 {
    mean(x) - mean(y)
}

/// Bootstrap confidence interval for `statistic(x)`, as scipy's
/// `bootstrap((x,), statistic, ...)`.
///
/// # Example
/// ```
/// use abstat_core::bootstrap::{bootstrap, mean, BootstrapOptions};
/// let x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 3.9, 4.1, 2.2];
/// let opts = BootstrapOptions { n_resamples: 999, seed: 7, ..Default::default() };
/// let r = bootstrap(&x, mean, &opts).unwrap();
/// assert!(r.ci.lower < r.estimate && r.estimate < r.ci.upper);
/// ```
pub fn bootstrap<F>(x: &[f64], statistic: F, opts: &BootstrapOptions) -> Result<BootstrapResult>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    run(&[x], |s: &[&[f64]]| statistic(s[0]), opts)
}

/// Bootstrap confidence interval for `statistic(x, y)` of two independent
/// samples (each resampled on its own), as scipy's
/// `bootstrap((x, y), statistic, paired=False, ...)`.
pub fn bootstrap_two<F>(
    x: &[f64],
    y: &[f64],
    statistic: F,
    opts: &BootstrapOptions,
) -> Result<BootstrapResult>
where
    F: Fn(&[f64], &[f64]) -> f64 + Sync,
{
    run(&[x, y], |s: &[&[f64]]| statistic(s[0], s[1]), opts)
}

/// Bootstrap confidence interval for `statistic(samples)` of any number of
/// independent samples (each resampled on its own), as scipy's
/// `bootstrap(samples, statistic, paired=False, ...)`.
pub fn bootstrap_many<F>(
    samples: &[&[f64]],
    statistic: F,
    opts: &BootstrapOptions,
) -> Result<BootstrapResult>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    if samples.is_empty() {
        return Err(Error::TooFewObservations {
            what: "samples".into(),
            needed: 1,
            got: 0,
        });
    }
    run(samples, statistic, opts)
}

fn run<F>(samples: &[&[f64]], statistic: F, opts: &BootstrapOptions) -> Result<BootstrapResult>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    opts.validate()?;
    check_samples(samples, opts.method)?;
    let estimate = statistic(samples);
    let dist = resample_distribution(samples, &statistic, opts.n_resamples, opts.seed);
    let ci = match opts.method {
        BootstrapMethod::Percentile => {
            percentile_interval(&dist, opts.confidence_level, opts.alternative)?
        }
        BootstrapMethod::Bca => bca_interval(
            samples,
            &statistic,
            &dist,
            opts.confidence_level,
            opts.alternative,
        )?,
    };
    let b = dist.len() as f64;
    let m = dist.iter().sum::<f64>() / b;
    let standard_error = (dist.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (b - 1.0)).sqrt();
    Ok(BootstrapResult {
        method: Cow::Borrowed(match opts.method {
            BootstrapMethod::Percentile => "bootstrap percentile interval",
            BootstrapMethod::Bca => "bootstrap BCa interval",
        }),
        estimate,
        ci,
        standard_error,
        bootstrap_distribution: dist,
        n: samples.iter().map(|s| s.len()).collect(),
    })
}

fn check_samples(samples: &[&[f64]], method: BootstrapMethod) -> Result<()> {
    // BCa's jackknife needs two observations per sample.
    let needed = if method == BootstrapMethod::Bca { 2 } else { 1 };
    for (i, s) in samples.iter().enumerate() {
        let what = if samples.len() == 1 {
            "the sample".to_string()
        } else {
            format!("sample {}", i + 1)
        };
        if s.len() < needed {
            return Err(Error::TooFewObservations {
                what,
                needed,
                got: s.len(),
            });
        }
        if s.iter().any(|v| v.is_nan()) {
            return Err(Error::MissingValues { what });
        }
    }
    Ok(())
}

/// The statistic on `n_resamples` resamples; resample `b` uses ChaCha8
/// stream `b` of `seed`, so the result does not depend on scheduling.
fn resample_distribution<F>(
    samples: &[&[f64]],
    statistic: &F,
    n_resamples: usize,
    seed: u64,
) -> Vec<f64>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    let key = ChaCha8Rng::seed_from_u64(seed).get_seed();
    (0..n_resamples)
        .into_par_iter()
        .map_init(
            || {
                samples
                    .iter()
                    .map(|s| vec![0.0; s.len()])
                    .collect::<Vec<_>>()
            },
            |bufs, b| {
                let mut draws = IndexDraws::new(key, b as u64);
                for (buf, s) in bufs.iter_mut().zip(samples) {
                    draws.resample(s, buf);
                }
                let views: Vec<&[f64]> = bufs.iter().map(Vec::as_slice).collect();
                statistic(&views)
            },
        )
        .collect()
}

/// Unbiased random indices in 0..n (Lemire 2019, "Fast random integer
/// generation in an interval", ACM TOMACS 29), one ChaCha8 stream per
/// resample. Samples below 2^32 take 32-bit draws (ChaCha's native word).
struct IndexDraws {
    rng: ChaCha8Rng,
}

impl IndexDraws {
    fn new(key: [u8; 32], stream: u64) -> Self {
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        IndexDraws { rng }
    }

    /// Fill `dst` with values of `src` drawn uniformly with replacement.
    fn resample(&mut self, src: &[f64], dst: &mut [f64]) {
        let n = src.len();
        if let Ok(n) = u32::try_from(n) {
            // Accept m = r·n unless its low word is below 2^32 mod n.
            let threshold = n.wrapping_neg() % n;
            let n = u64::from(n);
            for d in dst {
                let mut m = u64::from(self.rng.next_u32()) * n;
                while (m as u32) < threshold {
                    m = u64::from(self.rng.next_u32()) * n;
                }
                *d = src[(m >> 32) as usize];
            }
        } else {
            let threshold = (n as u64).wrapping_neg() % n as u64;
            for d in dst {
                let mut m = u128::from(self.rng.next_u64()) * n as u128;
                while (m as u64) < threshold {
                    m = u128::from(self.rng.next_u64()) * n as u128;
                }
                *d = src[(m >> 64) as usize];
            }
        }
    }
}

/// The percentile interval from a bootstrap distribution, as scipy's
/// `bootstrap(method="percentile")` given that distribution
/// (`np.percentile` with linear interpolation at 100·α/2 and 100·(1 − α/2),
/// or at 100·(1 − level) for a one-sided bound).
pub fn percentile_interval(
    theta_hat_b: &[f64],
    confidence_level: f64,
    alternative: Alternative,
) -> Result<ConfidenceInterval> {
    check_level(confidence_level)?;
    let alpha = tail(confidence_level, alternative);
    interval_at(
        theta_hat_b,
        alpha,
        1.0 - alpha,
        confidence_level,
        alternative,
    )
}

/// The BCa interval from a bootstrap distribution, as scipy's
/// `_bca_interval` followed by `_percentile_along_axis`.
///
/// `samples` are the original samples and `statistic` takes them all
/// (one slice per sample). The bias correction is z₀ = Φ⁻¹(share of
/// `theta_hat_b` below θ̂, ties counted half); the acceleration
/// â = Σⱼ ΣᵢUⱼᵢ³/nⱼ³ / (6·(Σⱼ ΣᵢUⱼᵢ²/nⱼ²)^{3/2}) with jackknife influence
/// values Uⱼᵢ = (nⱼ − 1)(θ̄ⱼ − θ̂₍ⱼ,−ᵢ₎) for each sample j in turn (scipy's
/// multi-sample form); the interval is read at percentiles
/// Φ(z₀ + (z₀ + z)/(1 − â(z₀ + z))) for z = Φ⁻¹(α), Φ⁻¹(1 − α).
///
/// When θ̂ lies outside the bootstrap distribution or the jackknife values
/// are all equal, the percentiles are undefined: [`Error::Degenerate`]
/// (scipy warns and returns NaN).
pub fn bca_interval<F>(
    samples: &[&[f64]],
    statistic: F,
    theta_hat_b: &[f64],
    confidence_level: f64,
    alternative: Alternative,
) -> Result<ConfidenceInterval>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    check_level(confidence_level)?;
    check_samples(samples, BootstrapMethod::Bca)?;
    if theta_hat_b.is_empty() {
        return Err(Error::TooFewObservations {
            what: "the bootstrap distribution".into(),
            needed: 1,
            got: 0,
        });
    }
    let theta_hat = statistic(samples);
    let b = theta_hat_b.len() as f64;
    let below = theta_hat_b.iter().filter(|&&t| t < theta_hat).count();
    let at_or_below = theta_hat_b.iter().filter(|&&t| t <= theta_hat).count();
    let z0 = normal_ppf((below + at_or_below) as f64 / (2.0 * b));

    let (mut num, mut den) = (0.0, 0.0);
    for j in 0..samples.len() {
        let theta_i = jackknife(samples, j, &statistic);
        let n = theta_i.len() as f64;
        let dot = theta_i.iter().sum::<f64>() / n;
        let u: Vec<f64> = theta_i.iter().map(|t| (n - 1.0) * (dot - t)).collect();
        num += u.iter().map(|v| v * v * v).sum::<f64>() / (n * n * n);
        den += u.iter().map(|v| v * v).sum::<f64>() / (n * n);
    }
    let a_hat = 1.0 / 6.0 * num / den.powf(1.5);

    let alpha = tail(confidence_level, alternative);
    let z_alpha = normal_ppf(alpha);
    let adjusted = |z: f64| {
        let s = z0 + z;
        normal_cdf(z0 + s / (1.0 - a_hat * s))
    };
    let (alpha_1, alpha_2) = (adjusted(z_alpha), adjusted(-z_alpha));
    if alpha_1.is_nan() || alpha_2.is_nan() {
        return Err(Error::Degenerate(
            "the BCa confidence interval cannot be calculated: the bootstrap distribution \
             is degenerate (the statistic on the data lies outside it, or every jackknife \
             value is the same); use the percentile method"
                .into(),
        ));
    }
    interval_at(theta_hat_b, alpha_1, alpha_2, confidence_level, alternative)
}

/// α of each tail: (1 − level)/2 two-sided, 1 − level one-sided.
fn tail(level: f64, alternative: Alternative) -> f64 {
    match alternative {
        Alternative::TwoSided => (1.0 - level) / 2.0,
        _ => 1.0 - level,
    }
}

fn interval_at(
    theta_hat_b: &[f64],
    lower_q: f64,
    upper_q: f64,
    level: f64,
    alternative: Alternative,
) -> Result<ConfidenceInterval> {
    if theta_hat_b.is_empty() {
        return Err(Error::TooFewObservations {
            what: "the bootstrap distribution".into(),
            needed: 1,
            got: 0,
        });
    }
    let nan = theta_hat_b.iter().filter(|v| v.is_nan()).count();
    if nan > 0 {
        return Err(Error::Degenerate(format!(
            "the statistic is NaN on {nan} of {} resamples",
            theta_hat_b.len()
        )));
    }
    let mut sorted = theta_hat_b.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    // scipy passes percentages (α·100) and numpy divides them by 100 again.
    let lower = np_percentile(&sorted, lower_q * 100.0);
    let upper = np_percentile(&sorted, upper_q * 100.0);
    Ok(ConfidenceInterval {
        lower: if alternative == Alternative::Less {
            f64::NEG_INFINITY
        } else {
            lower
        },
        upper: if alternative == Alternative::Greater {
            f64::INFINITY
        } else {
            upper
        },
        level,
    })
}

/// `np.percentile(sorted, q)` with numpy's default linear interpolation.
fn np_percentile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = (n - 1) as f64 * (q / 100.0);
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    if virtual_index < 0.0 {
        return sorted[0];
    }
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let (a, b) = (sorted[prev as usize], sorted[prev as usize + 1]);
    let diff = b - a;
    // numpy's _lerp: from the nearer end for stability.
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// The statistic with each observation of sample `j` left out in turn.
fn jackknife<F>(samples: &[&[f64]], j: usize, statistic: &F) -> Vec<f64>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    let s = samples[j];
    (0..s.len())
        .into_par_iter()
        .map_init(
            || (Vec::with_capacity(s.len() - 1), samples.to_vec()),
            |(buf, views), i| {
                buf.clear();
                buf.extend_from_slice(&s[..i]);
                buf.extend_from_slice(&s[i + 1..]);
                let mut v: Vec<&[f64]> = views.clone();
                v[j] = buf.as_slice();
                statistic(&v)
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_like_numpy() {
        let s = [1.0, 2.0, 4.0, 8.0];
        // np.percentile([1, 2, 4, 8], [0, 25, 50, 90, 100]) = [1, 1.75, 3, 6.8, 8]
        let got: Vec<f64> = [0.0, 25.0, 50.0, 90.0, 100.0]
            .iter()
            .map(|&q| np_percentile(&s, q))
            .collect();
        let want = [1.0, 1.75, 3.0, 6.8, 8.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn resamples_draw_every_value_about_equally_often() {
        let mut draws = IndexDraws::new([7; 32], 3);
        for n in [1, 7, 1000, 65_536, 1 << 20] {
            let src: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let mut dst = vec![f64::NAN; 4000];
            draws.resample(&src, &mut dst);
            assert!(dst.iter().all(|&v| v >= 0.0 && v < n as f64), "n = {n}");
        }
        let src: Vec<f64> = (0..7).map(f64::from).collect();
        let mut dst = vec![0.0; 7000];
        draws.resample(&src, &mut dst);
        let mut seen = [0usize; 7];
        dst.iter().for_each(|&v| seen[v as usize] += 1);
        // each of 7 values ~1000 times (binomial SD ≈ 29)
        assert!(seen.iter().all(|&c| (850..1150).contains(&c)), "{seen:?}");
    }
}
