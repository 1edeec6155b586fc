//! Two-sample Kolmogorov–Smirnov test, as scipy 1.16 `ks_2samp`.
//!
//! The exact p-values count lattice paths (Hodges 1958; the two-sided
//! "inside" recursion for 1 − p of Viehmann 2021, arXiv:2102.08037), the
//! one-sided asymptotic p-value is Hodges' exp(−2z² − 2z(m+2n)/(3√(mn(m+n)))),
//! and the two-sided asymptotic p-value is the survival function of the
//! one-sample two-sided statistic Dₙ with n = round(mn/(m+n)) (scipy's
//! `kstwo`), computed in the private `kolmogorov` module.

use serde::{Deserialize, Serialize};

use crate::nonparametric::kolmogorov::kstwo_sf;
use crate::nonparametric::{PValueMethod, check_exact_cost, prepare_two};
use crate::rank::{from_sort_key, sorted_keys};
use crate::{Alternative, NanPolicy, Result, TestResult};

/// Options of [`ks_2samp`]; the defaults are scipy's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct KsOptions {
    /// `Less`: the cdf of x lies below that of y somewhere (x tends larger);
    /// `Greater`: above.
    pub alternative: Alternative,
    /// `Auto` is exact when both samples have at most 10 000 values.
    pub method: PValueMethod,
    /// Missing values; each sample's NaNs are dropped separately under `Omit`.
    pub nan_policy: NanPolicy,
}

/// The outcome of [`ks_2samp`]: the test plus where the statistic is
/// attained, as scipy's `statistic_location` and `statistic_sign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KsResult {
    /// D (the largest ECDF difference for the alternative) and its p-value.
    #[serde(flatten)]
    pub test: TestResult,
    /// The value of the pooled data at which D is attained.
    pub statistic_location: f64,
    /// +1 when the ECDF of x exceeds that of y there, −1 otherwise.
    pub statistic_sign: i8,
}

/// Two-sample Kolmogorov–Smirnov test that `x` and `y` come from one
/// continuous distribution.
///
/// Deviation from scipy: an empty sample is an error rather than NaN. Where
/// scipy falls back from the exact to the asymptotic method (overflow, or
/// sizes beyond 32-bit lattice), abstat does too, and says so in `method`.
///
/// # Example
/// ```
/// use abstat_core::nonparametric::{ks_2samp, KsOptions};
/// let r = ks_2samp(&[1.0, 2.0, 3.0, 4.0], &[3.5, 5.0, 6.0], &KsOptions::default()).unwrap();
/// assert_eq!(r.test.statistic, 0.75);
/// ```
pub fn ks_2samp(x: &[f64], y: &[f64], opts: &KsOptions) -> Result<KsResult> {
    const NAME: &str = "Kolmogorov-Smirnov two-sample";
    let Some((x, y)) = prepare_two(x, y, opts.nan_policy)? else {
        return Ok(KsResult {
            test: TestResult::nan(NAME, opts.alternative),
            statistic_location: f64::NAN,
            statistic_sign: 0,
        });
    };
    let (xs, ys) = rayon::join(|| sorted_keys(&x), || sorted_keys(&y));
    let (n1, n2) = (xs.len(), ys.len());
    let ext = ecdf_extremes(&xs, &ys);
    let min_s = (-ext.min).clamp(0.0, 1.0);
    let (mut d, location, sign) = if opts.alternative == Alternative::Less
        || (opts.alternative == Alternative::TwoSided && min_s > ext.max)
    {
        (min_s, from_sort_key(ext.min_at), -1)
    } else {
        (ext.max, from_sort_key(ext.max_at), 1)
    };
    let g = gcd(n1, n2);
    let (n1g, n2g) = (n1 / g, n2 / g);
    let mut exact = match opts.method {
        PValueMethod::Auto => n1.max(n2) <= 10_000,
        PValueMethod::Exact => (n1g as f64) < i32::MAX as f64 / n2g as f64,
        PValueMethod::Asymptotic => false,
    };
    if exact && opts.alternative != Alternative::TwoSided && n1 != n2 {
        // Hodges' path count is quadratic in the smaller sample.
        let small = n1.min(n2) as f64;
        check_exact_cost(small * small / 2.0, "the one-sided Kolmogorov-Smirnov test")?;
    }
    let mut p = f64::NAN;
    if exact {
        match exact_p(n1, n2, g, d, opts.alternative) {
            Some((d_exact, prob)) => {
                d = d_exact;
                p = prob;
            }
            None => exact = false,
        }
    }
    if !exact {
        let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
        let en = m * n / (m + n);
        p = if opts.alternative == Alternative::TwoSided {
            kstwo_sf(d, en.round_ties_even() as u64)
        } else {
            let z = en.sqrt() * d;
            (-2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0).exp()
        };
    }
    let mut test = TestResult::new(
        if exact {
            "Kolmogorov-Smirnov two-sample (exact)"
        } else {
            "Kolmogorov-Smirnov two-sample (asymptotic)"
        },
        d,
        p.clamp(0.0, 1.0),
    );
    test.alternative = opts.alternative;
    test.n = vec![n1, n2];
    Ok(KsResult {
        test,
        statistic_location: location,
        statistic_sign: sign,
    })
}

struct Extremes {
    max: f64,
    max_at: u64,
    min: f64,
    min_at: u64,
}

/// Max and min of ECDF(x) − ECDF(y) over the pooled values, and where they
/// are attained, with numpy's `argmax` tie rule on `concat(sorted x,
/// sorted y)`: the first x value if any x attains it, else the first y.
/// The samples are given as sorted [`sort_key`](crate::rank::sort_key)s.
fn ecdf_extremes(xs: &[u64], ys: &[u64]) -> Extremes {
    let (n1, n2) = (xs.len() as f64, ys.len() as f64);
    // (value, index in the pooled array) of the best so far, per sample.
    let mut best_max = [(f64::NEG_INFINITY, 0u64); 2];
    let mut best_min = [(f64::INFINITY, 0u64); 2];
    let (mut i, mut j) = (0, 0);
    while i < xs.len() || j < ys.len() {
        let v = match (xs.get(i), ys.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        let in_x = xs.get(i) == Some(&v);
        let in_y = ys.get(j) == Some(&v);
        while i < xs.len() && xs[i] == v {
            i += 1;
        }
        while j < ys.len() && ys[j] == v {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        for (s, present) in [(0, in_x), (1, in_y)] {
            if present {
                if diff > best_max[s].0 {
                    best_max[s] = (diff, v);
                }
                if diff < best_min[s].0 {
                    best_min[s] = (diff, v);
                }
            }
        }
    }
    let pick_max = if best_max[0].0 >= best_max[1].0 { 0 } else { 1 };
    let pick_min = if best_min[0].0 <= best_min[1].0 { 0 } else { 1 };
    Extremes {
        max: best_max[pick_max].0,
        max_at: best_max[pick_max].1,
        min: best_min[pick_min].0,
        min_at: best_min[pick_min].1,
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// scipy `_attempt_exact_2kssamp`: `Some((d rounded to the lattice, p))`,
/// or `None` when the computation over- or underflows.
fn exact_p(n1: usize, n2: usize, g: usize, d: f64, alternative: Alternative) -> Option<(f64, f64)> {
    let lcm = (n1 / g) as f64 * n2 as f64;
    let h = (d * lcm).round_ties_even() as usize;
    let d = h as f64 / lcm;
    if h == 0 {
        return Some((d, 1.0));
    }
    let prob = if alternative == Alternative::TwoSided {
        if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside(n1, n2, g, h)
        }
    } else if n1 == n2 {
        // binom(2n, n−h)/binom(2n, n) as a product
        (0..h).fold(1.0, |p, j| {
            p * ((n1 - j) as f64 / (n1 as f64 + j as f64 + 1.0))
        })
    } else {
        let paths = count_paths_outside(n1, n2, g, h)?;
        let all = binom(n1 + n2, n1);
        if !all.is_finite() || paths > all {
            return None;
        }
        paths / all
    };
    if !(0.0..=1.0).contains(&prob) {
        return None;
    }
    Some((d, prob))
}

/// P(D_{n,n} ≥ h/n) by the Horner-like alternating sum of scipy
/// `_compute_prob_outside_square`.
fn prob_outside_square(n: usize, h: usize) -> f64 {
    let mut p = 0.0;
    for k in (0..=n / h).rev() {
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n as f64 - (k * h) as f64 - j as f64) * p1
                / (n as f64 + (k * h) as f64 + j as f64 + 1.0);
        }
        p = p1 * (1.0 - p);
    }
    2.0 * p
}

/// 1 − P(all lattice paths stay strictly inside |x/m − y/n| < h/lcm), the
/// recursion of Viehmann (2021) as scipy `_compute_outer_prob_inside_method`.
fn outer_prob_inside(m: usize, n: usize, g: usize, h: usize) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (h, n_i, m_i) = (h as i64, n as i64, m as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n_i + 1);
    let mut curlen = maxj - minj;
    let len_a = ((2 * maxj + 2).min(n_i + 1)) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in &mut a[minj as usize..maxj as usize] {
        *v = 0.0;
    }
    for i in 1..=m_i {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((((ng * i - h) as f64) / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(n_i);
        maxj = ((((ng * i + h) as f64) / mg as f64).ceil() as i64).min(n_i + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            val = (a[(jj + minj - lastminj) as usize] * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            for v in &mut a[start..start + (lastlen - curlen) as usize] {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// ln(k!) for k = 0..=n, summed once so every binomial shares its rounding.
fn ln_factorials(n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    t.push(0.0);
    for k in 1..=n {
        acc += (k as f64).ln();
        t.push(acc);
    }
    t
}

/// C(n, k) as a float (may be infinite).
fn binom(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    if k < 20 {
        // Exact products while they fit, as scipy's `binom` does for small k.
        let (mut num, mut den) = (1.0f64, 1.0f64);
        for i in 1..=k {
            num *= (i + n - k) as f64;
            den *= i as f64;
            if num.abs() > 1e50 {
                num /= den;
                den = 1.0;
            }
        }
        return num / den;
    }
    let lf = ln_factorials(n);
    (lf[n] - lf[k] - lf[n - k]).exp()
}

/// Number of lattice paths from (0,0) to (m,n) that reach the line
/// m·y ≤ n·x − h·g (Hodges 1958), as scipy `_count_paths_outside_method`.
/// `None` on overflow.
fn count_paths_outside(m: usize, n: usize, g: usize, h: usize) -> Option<f64> {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = (m / g, n / g);
    let lxj = n as i64 + (mg as i64 - h as i64).div_euclid(mg as i64);
    if lxj <= 0 {
        return Some(binom(m + n, n));
    }
    let lxj = lxj as usize;
    let xj: Vec<usize> = (0..lxj).map(|j| (h + mg * j).div_ceil(ng)).collect();
    let lf = ln_factorials(m + n);
    let c = |a: usize, b: usize| -> f64 {
        if b < 20 || a - b < 20 {
            binom(a, b)
        } else {
            (lf[a] - lf[b] - lf[a - b]).exp()
        }
    };
    let mut b = vec![0.0f64; lxj];
    b[0] = 1.0;
    for j in 1..lxj {
        let mut bj = c(xj[j] + j, j);
        for i in 0..j {
            bj -= c(xj[j] - xj[i] + j - i, j - i) * b[i];
        }
        if !bj.is_finite() {
            return None;
        }
        b[j] = bj;
    }
    let mut paths = 0.0;
    for j in 0..lxj {
        paths += b[j] * c((m - xj[j]) + (n - j), n - j);
    }
    paths.is_finite().then_some(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials() {
        assert_eq!(binom(10, 3), 120.0);
        assert!((binom(60, 30) / 1.1826458156486142e17 - 1.0).abs() < 1e-13);
    }
}
