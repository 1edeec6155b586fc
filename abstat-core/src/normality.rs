//! The Shapiro–Wilk test of normality ([`shapiro`], as scipy's `shapiro`).
//!
//! Royston's approximation, Algorithm AS R94 (Royston 1995, "A remark on
//! Algorithm AS 181: the W-test for normality", Applied Statistics 44,
//! 547–551), transcribed from scipy's double-precision port
//! (`scipy/stats/_ansari_swilk_statistics.pyx`, function `swilk`) so that
//! W and p agree with scipy to rounding. AS R94 keeps its own normal
//! quantile (AS 111, `ppnd`) and tail area (AS 66, `alnorm`) routines:
//! their few-digit accuracy is part of the published approximation, so
//! they are reproduced here rather than replaced by exact functions.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::input::{Cleaned, clean};
use crate::{Error, NanPolicy, Result};

/// Options of [`shapiro`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapiroOptions {
    /// Missing values (scipy's `nan_policy`).
    pub nan_policy: NanPolicy,
}

/// The outcome of [`shapiro`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapiroResult {
    /// "Shapiro-Wilk test".
    pub method: Cow<'static, str>,
    /// W in (0, 1]; small values speak against normality.
    pub statistic: f64,
    /// The p-value of Royston's normalising approximation.
    pub p_value: f64,
    /// Observations used.
    pub n: usize,
    /// `true` when n > 5000: Royston's approximation was calibrated up to
    /// n = 5000 and the p-value may be inaccurate beyond (scipy warns).
    pub beyond_calibrated_range: bool,
}

impl ShapiroResult {
    /// Whether normality is rejected at level `alpha`.
    pub fn reject(&self, alpha: f64) -> bool {
        self.p_value <= alpha
    }
}

/// Shapiro–Wilk test that `x` comes from a normal distribution, as scipy's
/// `shapiro(x)`.
///
/// Needs n ≥ 3 ([`Error::TooFewObservations`]). All values equal is
/// [`Error::ZeroVariance`] (scipy warns and returns W = 1, p = 1). Above
/// n = 5000 the result is computed as scipy does and flagged in
/// [`ShapiroResult::beyond_calibrated_range`]. For n = 3 the p-value is
/// exact.
///
/// # Example
/// ```
/// use abstat_core::normality::{shapiro, ShapiroOptions};
/// let r = shapiro(&[2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 3.9], &ShapiroOptions::default()).unwrap();
/// assert!(r.statistic > 0.9 && r.p_value > 0.05);
/// ```
pub fn shapiro(x: &[f64], opts: &ShapiroOptions) -> Result<ShapiroResult> {
    shapiro_impl(x, opts, None)
}

/// The Shapiro–Wilk coefficients aᵢ for one sample size n (Royston's
/// approximation of the normal order-statistic weights, AS R94). They depend
/// only on n (n normal quantiles and two sums over them), so a caller that
/// tests many samples of the same size computes them once and passes them
/// to [`shapiro_with`]; the result is bit-identical to [`shapiro`]'s.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapiroWeights {
    n: usize,
    /// The coefficient of each order statistic minus their mean.
    centred: Vec<f64>,
    /// Σ centred², summed in order as AS R94 does.
    ssa: f64,
}

impl ShapiroWeights {
    /// The coefficients for samples of `n` values; n ≥ 3
    /// ([`Error::TooFewObservations`]).
    pub fn new(n: usize) -> Result<Self> {
        if n < 3 {
            return Err(Error::TooFewObservations {
                what: "the sample".into(),
                needed: 3,
                got: n,
            });
        }
        let a = coefficients(n);
        // The coefficient of the i-th order statistic: −a[i] below the
        // middle, +a[n−1−i] above, 0 at the middle of an odd sample.
        let coef = |i: usize| {
            let j = n - 1 - i;
            if i < j {
                -a[i]
            } else if i > j {
                a[j]
            } else {
                0.0
            }
        };
        // AS R94's sums over the coefficients, in its order: they depend
        // on n only.
        let mut sa = 0.0;
        for i in 0..n {
            sa += coef(i);
        }
        sa /= n as f64;
        let centred: Vec<f64> = (0..n).map(|i| coef(i) - sa).collect();
        let mut ssa = 0.0;
        for asa in &centred {
            ssa += asa * asa;
        }
        Ok(Self { n, centred, ssa })
    }

    /// The sample size the coefficients are for.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// [`shapiro`] with precomputed coefficients; bit-identical to it.
///
/// `weights` are used when their n equals the number of values left after
/// the NaN policy was applied; otherwise (only known once NaN values were
/// omitted) the right coefficients are computed here, as [`shapiro`] does,
/// so a mismatch costs time, never correctness.
///
/// # Example
/// ```
/// use abstat_core::normality::{shapiro, shapiro_with, ShapiroOptions, ShapiroWeights};
/// let x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 3.9];
/// let w = ShapiroWeights::new(x.len()).unwrap();
/// let opts = ShapiroOptions::default();
/// assert_eq!(shapiro_with(&x, &opts, &w).unwrap(), shapiro(&x, &opts).unwrap());
/// ```
pub fn shapiro_with(
    x: &[f64],
    opts: &ShapiroOptions,
    weights: &ShapiroWeights,
) -> Result<ShapiroResult> {
    shapiro_impl(x, opts, Some(weights))
}

fn shapiro_impl(
    x: &[f64],
    opts: &ShapiroOptions,
    weights: Option<&ShapiroWeights>,
) -> Result<ShapiroResult> {
    const METHOD: &str = "Shapiro-Wilk test";
    let x = match clean(x, opts.nan_policy, "the sample")? {
        Cleaned::Propagate => {
            return Ok(ShapiroResult {
                method: Cow::Borrowed(METHOD),
                statistic: f64::NAN,
                p_value: f64::NAN,
                n: x.len(),
                beyond_calibrated_range: x.len() > 5000,
            });
        }
        Cleaned::Ready(v) => v,
    };
    let n = x.len();
    let fresh;
    let weights = match weights {
        Some(w) if w.n == n => w,
        _ => {
            fresh = ShapiroWeights::new(n)?;
            &fresh
        }
    };
    // scipy subtracts x[n/2] of the *unsorted* input (gh-15777), which only
    // shifts the data but changes the rounding; do the same.
    let shift = x[n / 2];
    // Sorted by a bucket sort on the values (at n = 5000 twice as fast as
    // the comparison sort; a radix sort on the bits was slower); −0.0 comes
    // back as 0.0, which changes no sum.
    let mut y = crate::bucket::sorted_values(&x);
    for v in &mut y {
        *v -= shift;
    }
    let (statistic, p_value) = swilk(y, weights).ok_or_else(|| Error::ZeroVariance {
        what: "the sample".into(),
        method: METHOD.into(),
    })?;
    Ok(ShapiroResult {
        method: Cow::Borrowed(METHOD),
        statistic,
        p_value,
        n,
        beyond_calibrated_range: n > 5000,
    })
}

/// Shapiro–Wilk coefficients aᵢ (the first n/2; the rest are −aᵢ mirrored).
fn coefficients(n: usize) -> Vec<f64> {
    const C1: [f64; 6] = [
        0.0,
        0.221157,
        -0.147981,
        -0.207119e1,
        0.4434685e1,
        -0.2706056e1,
    ];
    const C2: [f64; 6] = [
        0.0,
        0.42981e-1,
        -0.293762,
        -0.1752461e1,
        0.5682633e1,
        -0.3582633e1,
    ];
    let nn2 = n / 2;
    let mut a = vec![0.0; nn2];
    if n == 3 {
        a[0] = std::f64::consts::FRAC_1_SQRT_2;
        return a;
    }
    let an = n as f64;
    let an25 = an + 0.25;
    let mut summ2 = 0.0;
    for (i, ai) in a.iter_mut().enumerate() {
        let m = ppnd((i as f64 + 1.0 - 0.375) / an25);
        *ai = m;
        summ2 += m * m;
    }
    summ2 *= 2.0;
    let ssumm2 = summ2.sqrt();
    let rsn = 1.0 / an.sqrt();
    let a1 = poly(&C1, rsn) - a[0] / ssumm2;
    let (i1, fac) = if n > 5 {
        let a2 = -a[1] / ssumm2 + poly(&C2, rsn);
        let fac = ((summ2 - 2.0 * a[0] * a[0] - 2.0 * a[1] * a[1])
            / (1.0 - 2.0 * a1 * a1 - 2.0 * a2 * a2))
            .sqrt();
        a[1] = a2;
        (2, fac)
    } else {
        (
            1,
            ((summ2 - 2.0 * a[0] * a[0]) / (1.0 - 2.0 * a1 * a1)).sqrt(),
        )
    };
    a[0] = a1;
    for ai in &mut a[i1..] {
        *ai *= -1.0 / fac;
    }
    a
}

/// W and its p-value for sorted `x` (AS R94 without censoring); `None` when
/// the range is zero.
fn swilk(mut x: Vec<f64>, weights: &ShapiroWeights) -> Option<(f64, f64)> {
    const C3: [f64; 4] = [0.5440, -0.39978, 0.25054e-1, -0.6714e-3];
    const C4: [f64; 4] = [0.13822e1, -0.77857, 0.62767e-1, -0.20322e-2];
    const C5: [f64; 4] = [-0.15861e1, -0.31082, -0.83751e-1, 0.38915e-2];
    const C6: [f64; 3] = [-0.4803, -0.82676e-1, 0.30302e-2];
    const G: [f64; 2] = [-0.2273e1, 0.459];
    const SMALL: f64 = 1e-19;
    let n = x.len();
    let range = x[n - 1] - x[0];
    if range < SMALL {
        return None;
    }
    let nf = n as f64;
    // x / range in a loop of its own (vectorised divisions), then AS R94's
    // sums in its order: the same bits as its one loop.
    for v in &mut x {
        *v /= range;
    }
    let mut sx = 0.0;
    for &v in &x {
        sx += v;
    }
    sx /= nf;
    let (mut ssx, mut sax) = (0.0, 0.0);
    for (&v, &asa) in x.iter().zip(&weights.centred) {
        let xsx = v - sx;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    let ssa = weights.ssa;
    let ssassx = (ssa * ssx).sqrt();
    let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    let w = 1.0 - w1;
    if n == 3 {
        // Exact for n = 3 (scipy's clamped form, gh-18322).
        if w < 0.75 {
            return Some((0.75, 0.0));
        }
        let pi6 = 6.0 / std::f64::consts::PI;
        return Some((w, 1.0 - pi6 * w.sqrt().acos()));
    }
    let mut y = w1.ln();
    let xx = nf.ln();
    let (m, s) = if n <= 11 {
        let gamma = poly(&G, nf);
        if y >= gamma {
            return Some((w, SMALL));
        }
        y = -(gamma - y).ln();
        (poly(&C3, nf), poly(&C4, nf).exp())
    } else {
        (poly(&C5, xx), poly(&C6, xx).exp())
    };
    Some((w, alnorm_upper((y - m) / s)))
}

/// c[0] + c[1]·x + … with AS R94's coefficient order and evaluation
/// (scipy's `_poly`).
fn poly(c: &[f64], x: f64) -> f64 {
    let nord = c.len();
    let res = c[0];
    if nord == 1 {
        return res;
    }
    let mut p = x * c[nord - 1];
    if nord == 2 {
        return res + p;
    }
    for &ci in c[1..nord - 1].iter().rev() {
        p = (p + ci) * x;
    }
    res + p
}

/// Normal quantile, Algorithm AS 111 (Beasley & Springer 1977).
fn ppnd(p: f64) -> f64 {
    const A: [f64; 4] = [
        2.50662823884,
        -18.61500062529,
        41.39119773534,
        -25.44106049637,
    ];
    const B: [f64; 4] = [
        -8.47351093090,
        23.08336743743,
        -21.06224101826,
        3.13082909833,
    ];
    const C: [f64; 4] = [-2.78718931138, -2.29796479134, 4.85014127135, 2.32121276858];
    const D: [f64; 2] = [3.54388924762, 1.63706781897];
    let q = p - 0.5;
    if q.abs() <= 0.42 {
        let r = q * q;
        let num = q * (((A[3] * r + A[2]) * r + A[1]) * r + A[0]);
        return num / ((((B[3] * r + B[2]) * r + B[1]) * r + B[0]) * r + 1.0);
    }
    let mut r = if q > 0.0 { 1.0 - p } else { p };
    if r > 0.0 {
        r = (-r.ln()).sqrt();
    } else {
        return 0.0;
    }
    let num = ((C[3] * r + C[2]) * r + C[1]) * r + C[0];
    let t = num / ((D[1] * r + D[0]) * r + 1.0);
    if q < 0.0 { -t } else { t }
}

/// Upper normal tail area, Algorithm AS 66 (Hill 1973), as scipy's
/// `_alnorm(x, upper=True)`.
fn alnorm_upper(x: f64) -> f64 {
    const A: [f64; 7] = [
        0.398942280444,
        0.399903438504,
        5.75885480458,
        29.8213557808,
        2.62433121679,
        48.6959930692,
        5.92885724438,
    ];
    const B: [f64; 12] = [
        0.398942280385,
        3.8052e-8,
        1.00000615302,
        3.98064794e-4,
        1.98615381364,
        0.151679116635,
        5.29330324926,
        4.8385912808,
        15.1508972451,
        0.742380924027,
        30.789933034,
        3.99019417011,
    ];
    let mut upper = true;
    let mut z = x;
    // Also catches NaN, as AS 66 does.
    if z <= 0.0 || z.is_nan() {
        upper = false;
        z = -z;
    }
    if !(z <= 7.0 || (upper && z <= 38.0)) {
        return if upper { 0.0 } else { 1.0 };
    }
    let y = 0.5 * z * z;
    let temp = if z <= 1.28 {
        0.5 - z * (A[0] - A[1] * y / (y + A[2] - A[3] / (y + A[4] + A[5] / (y + A[6]))))
    } else {
        B[0] * (-y).exp()
            / (z - B[1]
                + B[2]
                    / (z + B[3]
                        + B[4]
                            / (z - B[5]
                                + B[6] / (z + B[7] - B[8] / (z + B[9] + B[10] / (z + B[11]))))))
    };
    if upper { temp } else { 1.0 - temp }
}
