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
use crate::rank::{from_sort_key, sort_key, sorted_keys};
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
    let (n1, n2) = (x.len(), y.len());
    let ext = ecdf_extremes(&x, &y);
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

/// From this many pooled values the extremes are found by buckets
/// ([`bucketed_extremes`]) rather than by sorting both samples.
const BUCKETED_MIN: usize = 1 << 14;

/// Pooled values per bucket of [`bucketed_extremes`], on average, for `n`
/// pooled values: at most 32 (more counters than that leave the cache, and
/// each is touched once per value), and well under √n, the scale of the
/// ECDF difference's wanderings, which a bucket's bounds must resolve.
fn values_per_bucket(n: usize) -> usize {
    (n.isqrt() / 8).clamp(4, 32)
}

/// Max and min of ECDF(x) − ECDF(y) over the pooled values, and where they
/// are attained, with numpy's `argmax` tie rule on `concat(sorted x,
/// sorted y)`: the first x value if any x attains it, else the first y.
/// `x` and `y` are non-empty and free of NaN.
fn ecdf_extremes(x: &[f64], y: &[f64]) -> Extremes {
    if x.len() + y.len() >= BUCKETED_MIN {
        let n = x.len() + y.len();
        let buckets = n / values_per_bucket(n);
        let found = bucketed_extremes(x, y, buckets, Spread::Value)
            .or_else(|| bucketed_extremes(x, y, buckets, Spread::Key));
        if let Some(e) = found {
            return e;
        }
    }
    let (xs, ys) = rayon::join(|| sorted_keys(x), || sorted_keys(y));
    let mut scan = Scan::new(x.len(), y.len());
    scan.walk(&xs, &ys, 0, 0);
    scan.finish()
}

/// How [`bucketed_extremes`] cuts the pooled range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spread {
    /// Into equal intervals of value: suits data of one scale (normal).
    Value,
    /// Into equal intervals of [`sort_key`], which grow with the magnitude
    /// like a logarithm: suits skewed data (revenue, lognormal, exponential)
    /// whose bulk equal value intervals would squeeze into a few buckets.
    Key,
}

/// One sample's values per bucket: how many, and whether they are all one
/// value (`first` holds its key; [`MIXED`] once another value is seen).
struct Tally {
    count: Vec<u32>,
    first: Vec<u64>,
}

/// [`Tally::first`] of an empty bucket. No sort key of a non-NaN value is
/// this large.
const EMPTY: u64 = u64::MAX;

/// [`Tally::first`] of a bucket holding different values. No sort key of a
/// non-NaN value is this large either.
const MIXED: u64 = u64::MAX - 1;

/// [`ecdf_extremes`] without sorting the samples, or `None` when the values
/// do not spread over the buckets (infinite values, one value, or values
/// crowded into a few buckets, so that too many would be examined).
///
/// The pooled range is cut into `buckets` intervals, and each sample's
/// values are counted per interval. At the end of an interval the ECDF
/// difference is known from the counts; inside it, it lies between the
/// difference after the interval's x values alone and that after its y
/// values alone. An interval holding a single value (a tie, or one value)
/// has just that point. Only intervals with several values whose bounds
/// reach the best end-of-interval differences can hold an extreme
/// elsewhere, so only their values are gathered, sorted and walked
/// (starting from the counts before them). On continuous data they are a
/// few hundred values out of a million. The walk is the sorted one's, over
/// the same values in the same order, so the result is the same.
fn bucketed_extremes(x: &[f64], y: &[f64], buckets: usize, spread: Spread) -> Option<Extremes> {
    let range = |s: &[f64]| {
        s.iter()
            .fold((s[0], s[0]), |(lo, hi), &v| (v.min(lo), v.max(hi)))
    };
    let ((xlo, xhi), (ylo, yhi)) = rayon::join(|| range(x), || range(y));
    let (lo, hi) = (xlo.min(ylo), xhi.max(yhi));
    if buckets == 0 || !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return None;
    }
    // The position of a value in the range, increasing with the value
    // (−0.0 and 0.0 share one).
    let position = |v: f64| match spread {
        Spread::Value => v - lo,
        Spread::Key => (sort_key(v) - sort_key(lo)) as f64,
    };
    let width = position(hi);
    // Slightly under `buckets` so that the maximum lands in the last one:
    // position·scale ≤ width·scale < buckets, and every step rounds
    // monotonically, so the bucket never decreases with the value.
    let scale = buckets as f64 * (1.0 - 1e-12) / width;
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let bucket = |v: f64| (position(v) * scale) as usize;
    let tally = |s: &[f64]| {
        let mut t = Tally {
            count: vec![0; buckets],
            first: vec![EMPTY; buckets],
        };
        for &v in s {
            let b = bucket(v);
            let k = sort_key(v);
            t.count[b] += 1;
            // without a branch: the first key, MIXED on any other
            let first = t.first[b];
            t.first[b] = if first == EMPTY || first == k {
                k
            } else {
                MIXED
            };
        }
        t
    };
    let (tx, ty) = rayon::join(|| tally(x), || tally(y));
    let (n1, n2) = (x.len(), y.len());
    let diff = |i: usize, j: usize| i as f64 / n1 as f64 - j as f64 / n2 as f64;
    // The one value of bucket b, if it holds one.
    let single = |b: usize| match (tx.first[b], ty.first[b]) {
        (MIXED, _) | (_, MIXED) => None,
        (EMPTY, k) | (k, EMPTY) => Some(k),
        (a, c) => (a == c).then_some(a),
    };
    // The extremes of the end-of-bucket differences: the maximum is at
    // least the first, the minimum at most the second.
    let (mut i, mut j) = (0, 0);
    let (mut floor, mut ceiling) = (f64::NEG_INFINITY, f64::INFINITY);
    for (&a, &c) in tx.count.iter().zip(&ty.count) {
        if a + c > 0 {
            i += a as usize;
            j += c as usize;
            floor = floor.max(diff(i, j));
            ceiling = ceiling.min(diff(i, j));
        }
    }
    // The buckets of several values that can reach them.
    let mut candidate = vec![false; buckets];
    let (mut i, mut j, mut gathered) = (0, 0, 0);
    for (b, (&a, &c)) in tx.count.iter().zip(&ty.count).enumerate() {
        let (a, c) = (a as usize, c as usize);
        if a + c > 0
            && single(b).is_none()
            && (diff(i + a, j) >= floor || diff(i, j + c) <= ceiling)
        {
            candidate[b] = true;
            gathered += a + c;
        }
        i += a;
        j += c;
    }
    if gathered > (n1 + n2) / 8 {
        return None;
    }
    let gather = |s: &[f64]| {
        let mut keys: Vec<u64> = s
            .iter()
            .filter(|&&v| candidate[bucket(v)])
            .map(|&v| sort_key(v))
            .collect();
        keys.sort_unstable();
        keys
    };
    let (gx, gy) = rayon::join(|| gather(x), || gather(y));
    // The sorted keys are grouped by bucket (the bucket grows with the
    // value), each bucket's values all gathered.
    let mut scan = Scan::new(n1, n2);
    let (mut i, mut j, mut at_x, mut at_y) = (0, 0, 0, 0);
    for (b, (&a, &c)) in tx.count.iter().zip(&ty.count).enumerate() {
        let (a, c) = (a as usize, c as usize);
        if candidate[b] {
            scan.walk(&gx[at_x..at_x + a], &gy[at_y..at_y + c], i, j);
            at_x += a;
            at_y += c;
        } else if let Some(k) = single(b) {
            scan.point(k, a > 0, c > 0, i + a, j + c);
        }
        i += a;
        j += c;
    }
    Some(scan.finish())
}

/// The extremes of ECDF(x) − ECDF(y) so far, per sample: (difference, sort
/// key of the first value of that sample attaining it).
struct Scan {
    n1: f64,
    n2: f64,
    best_max: [(f64, u64); 2],
    best_min: [(f64, u64); 2],
}

impl Scan {
    fn new(n1: usize, n2: usize) -> Self {
        Scan {
            n1: n1 as f64,
            n2: n2 as f64,
            best_max: [(f64::NEG_INFINITY, 0); 2],
            best_min: [(f64::INFINITY, 0); 2],
        }
    }

    /// Walk the pooled values given as the sorted
    /// [`sort_key`](crate::rank::sort_key)s `xs` and `ys`, which `i0` x
    /// values and `j0` y values precede, in increasing order.
    fn walk(&mut self, xs: &[u64], ys: &[u64], i0: usize, j0: usize) {
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
            self.point(v, in_x, in_y, i0 + i, j0 + j);
        }
    }

    /// The pooled value of key `v`, present in x and/or y, after which `i`
    /// x values and `j` y values have been seen (the next value is greater).
    fn point(&mut self, v: u64, in_x: bool, in_y: bool, i: usize, j: usize) {
        let diff = i as f64 / self.n1 - j as f64 / self.n2;
        for (s, present) in [(0, in_x), (1, in_y)] {
            if present {
                if diff > self.best_max[s].0 {
                    self.best_max[s] = (diff, v);
                }
                if diff < self.best_min[s].0 {
                    self.best_min[s] = (diff, v);
                }
            }
        }
    }

    fn finish(self) -> Extremes {
        let (best_max, best_min) = (self.best_max, self.best_min);
        let pick_max = if best_max[0].0 >= best_max[1].0 { 0 } else { 1 };
        let pick_min = if best_min[0].0 <= best_min[1].0 { 0 } else { 1 };
        Extremes {
            max: best_max[pick_max].0,
            max_at: best_max[pick_max].1,
            min: best_min[pick_min].0,
            min_at: best_min[pick_min].1,
        }
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

    fn sorted_extremes(x: &[f64], y: &[f64]) -> (f64, u64, f64, u64) {
        let (xs, ys) = (sorted_keys(x), sorted_keys(y));
        let mut scan = Scan::new(x.len(), y.len());
        scan.walk(&xs, &ys, 0, 0);
        let e = scan.finish();
        (e.max, e.max_at, e.min, e.min_at)
    }

    #[test]
    fn bucketed_extremes_are_the_sorted_ones() {
        use rand_chacha::ChaCha8Rng;
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
        // uniform on [0, 1) from the top 53 bits
        let mut uniform = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        for case in 0..280 {
            let (n1, n2) = [(5000, 5000), (20_000, 3000), (700, 40_000), (1, 9000)][case % 4];
            let kind = case / 4 % 7;
            let mut draw = |shift: f64| match kind {
                // continuous, shifted or not
                0 => uniform() + shift,
                // heavy ties: a handful of values
                1 => (uniform() * 6.0).floor() + shift.round(),
                // a far outlier squeezing the rest into one bucket
                2 if uniform() < 0.001 => 1e9,
                2 => uniform() + shift,
                // signed zeros and ties at zero
                3 => [-0.0, 0.0, 1.0, -1.0][(uniform() * 4.0) as usize],
                // heavy tails on both sides
                4 => (uniform() - 0.5).recip() + shift,
                // skewed, over five decades (as revenue)
                5 => (12.0 * uniform()).exp() * (1.0 + shift),
                _ => (uniform() * 1000.0).round() / 10.0 + shift,
            };
            let shift = [0.0, 0.01, 0.3][case % 3];
            let x: Vec<f64> = (0..n1).map(|_| draw(0.0)).collect();
            let y: Vec<f64> = (0..n2).map(|_| draw(shift)).collect();
            let want = sorted_extremes(&x, &y);
            let fit = (n1 + n2) / values_per_bucket(n1 + n2);
            for buckets in [1, 7, 300, fit, 10 * (n1 + n2)] {
                for spread in [Spread::Value, Spread::Key] {
                    let got = bucketed_extremes(&x, &y, buckets, spread);
                    // Data of one scale, or with few distinct values, is
                    // always decided by equal value intervals, and skewed
                    // data by key intervals (an outlier squeezing the rest,
                    // or heavy tails on both sides, may be handed back).
                    let spreads = match spread {
                        Spread::Value => matches!(kind, 0 | 1 | 3 | 6),
                        Spread::Key => kind == 5,
                    };
                    if buckets >= fit && spreads {
                        assert!(got.is_some(), "case {case}, {buckets} buckets, {spread:?}");
                    }
                    if let Some(e) = got {
                        assert_eq!(
                            (e.max, e.max_at, e.min, e.min_at),
                            want,
                            "case {case}, {buckets} buckets, {spread:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn binomials() {
        assert_eq!(binom(10, 3), 120.0);
        assert!((binom(60, 30) / 1.1826458156486142e17 - 1.0).abs() < 1e-13);
    }
}
