//! Fisher's exact test on a 2×2 table, with the hypergeometric
//! probabilities computed in log space (Loader's saddle-point method), so
//! tables with millions of counts neither overflow nor lose precision.

use crate::{Alternative, Error, Result, TestResult};

/// Fisher's exact test of independence in the 2×2 table
/// `[[a, b], [c, d]]`, as scipy's `fisher_exact(table, alternative)`.
///
/// The statistic (and `estimate`) is the sample odds ratio a·d / (b·c),
/// `inf` when b·c = 0 (scipy's choice, not the conditional MLE). The
/// p-value sums hypergeometric probabilities of the tables with the
/// observed margins: `Less` P(X ≤ a), `Greater` P(X ≥ a), `TwoSided` every
/// table no more probable than the observed one, with scipy's relative
/// tolerance 1e-14. A row or column of zeros gives odds ratio NaN and
/// p = 1 (as scipy).
pub fn fisher_exact(table: [[u64; 2]; 2], alternative: Alternative) -> Result<TestResult> {
    const METHOD: &str = "Fisher's exact test";
    let [[a, b], [c, d]] = table;
    if [a, b, c, d].iter().any(|&v| v > 1 << 52) {
        return Err(Error::invalid(
            "table",
            format!("{table:?}"),
            "counts below 2^52",
        ));
    }
    let mut r = TestResult::new(METHOD, f64::NAN, 1.0);
    r.alternative = alternative;
    r.n = vec![(a + b + c + d) as usize];
    if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
        return Ok(r);
    }
    let odds_ratio = if c > 0 && b > 0 {
        (a as u128 * d as u128) as f64 / (c as u128 * b as u128) as f64
    } else {
        f64::INFINITY
    };
    r.statistic = odds_ratio;
    r.estimate = Some(odds_ratio);
    let h = Hypergeometric {
        total: (a + b + c + d) as f64,
        good: (a + b) as f64,
        draws: (a + c) as f64,
    };
    let x = a as f64;
    let p = match alternative {
        Alternative::Less => h.sum_towards(x, h.lo()),
        Alternative::Greater => h.sum_towards(x, h.hi()),
        Alternative::TwoSided => two_sided(&h, x),
    };
    r.p_value = p.min(1.0);
    Ok(r)
}

/// scipy's two-sided rule: P(X = x) plus every outcome whose probability is
/// at most P(X = x)·(1 + 1e-14).
fn two_sided(h: &Hypergeometric, x: f64) -> f64 {
    const EPS: f64 = 1e-14;
    let (total, good, draws) = (h.total, h.good, h.draws);
    // scipy: mode = int((n + 1) * (n1 + 1) / (n1 + n2 + 2))
    let mode = ((draws + 1.0) * (good + 1.0) / (total + 2.0)).floor();
    let ln_exact = h.ln_pmf(x);
    let ln_mode = h.ln_pmf(mode);
    // |pexact − pmode| / max ≤ ε, in log space
    if (ln_exact - ln_mode).abs() <= EPS {
        return 1.0;
    }
    let ln_bound = ln_exact + EPS.ln_1p();
    if x < mode {
        let lower = h.sum_towards(x, h.lo());
        // The first outcome above the mode that is as improbable as x.
        match h.first_at_or_below(ln_bound, mode, h.hi(), true) {
            Some(y) => lower + h.sum_towards(y, h.hi()),
            None => lower,
        }
    } else {
        let upper = h.sum_towards(x, h.hi());
        match h.first_at_or_below(ln_bound, mode, h.lo(), false) {
            Some(y) => upper + h.sum_towards(y, h.lo()),
            None => upper,
        }
    }
}

/// The number of "good" items among `draws` drawn without replacement
/// from `total` items of which `good` are good.
struct Hypergeometric {
    total: f64,
    good: f64,
    draws: f64,
}

impl Hypergeometric {
    fn lo(&self) -> f64 {
        (self.draws - (self.total - self.good)).max(0.0)
    }

    fn hi(&self) -> f64 {
        self.draws.min(self.good)
    }

    /// ln P(X = x) (R's dhyper, after Loader 2000, "Fast and accurate
    /// computation of binomial probabilities").
    fn ln_pmf(&self, x: f64) -> f64 {
        if x < self.lo() || x > self.hi() {
            return f64::NEG_INFINITY;
        }
        let p = self.draws / self.total;
        let q = (self.total - self.draws) / self.total;
        ln_binom_raw(x, self.good, p, q)
            + ln_binom_raw(self.draws - x, self.total - self.good, p, q)
            - ln_binom_raw(self.draws, self.total, p, q)
    }

    /// Σ P(X = y) for y from `from` to `to` (inclusive), stopping once the
    /// terms, decreasing away from the mode, no longer change the sum.
    fn sum_towards(&self, from: f64, to: f64) -> f64 {
        let step = if to >= from { 1.0 } else { -1.0 };
        let mode = ((self.draws + 1.0) * (self.good + 1.0) / (self.total + 2.0)).floor();
        let mut y = from;
        let mut sum = 0.0;
        // Terms are added largest-last where possible; stopping is safe only
        // once y moves away from the mode.
        loop {
            let t = self.ln_pmf(y).exp();
            sum += t;
            let moving_away = (y - mode) * step >= 0.0;
            if y == to || (moving_away && t <= sum * 1e-17) {
                break;
            }
            y += step;
        }
        sum
    }

    /// Between `mode` (exclusive) and `end` (inclusive), the outcome nearest
    /// the mode with ln P ≤ `ln_bound`, by bisection (P decreases away from
    /// the mode); `None` if there is none.
    fn first_at_or_below(&self, ln_bound: f64, mode: f64, end: f64, upward: bool) -> Option<f64> {
        if self.ln_pmf(end) > ln_bound {
            return None;
        }
        // invariant: P(near) > bound (or near = mode), P(far) ≤ bound
        let (mut near, mut far) = (mode, end);
        while (far - near).abs() > 1.0 {
            let mid = if upward {
                near + ((far - near) / 2.0).floor()
            } else {
                near - ((near - far) / 2.0).floor()
            };
            if self.ln_pmf(mid) > ln_bound {
                near = mid;
            } else {
                far = mid;
            }
        }
        Some(far)
    }
}

/// ln of the binomial probability of x successes in n trials with success
/// probability p = 1 − q (R's dbinom_raw, Loader 2000).
fn ln_binom_raw(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == 0.0 {
        if n == 0.0 {
            return 0.0;
        }
        return if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    if x < 0.0 || x > n {
        return f64::NEG_INFINITY;
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    let lf = std::f64::consts::TAU.ln() + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// ln(n!) − ln(√(2π)·n^(n+½)·e^(−n)), the error of Stirling's formula.
fn stirlerr(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        // n! is exact in f64 for n ≤ 22; the cancellation costs < 1e-14 absolute.
        let fact = (1..=n as u64).product::<u64>() as f64;
        return fact.ln() - (n + 0.5) * n.ln() + n - 0.5 * std::f64::consts::TAU.ln();
    }
    let nn = n * n;
    (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
}

/// x·ln(x/np) + np − x, computed without cancellation near x = np.
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / np).ln() + np - x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmf_sums_to_one_and_matches_exact_small_case() {
        let h = Hypergeometric {
            total: 20.0,
            good: 7.0,
            draws: 12.0,
        };
        let s: f64 = (0..=7).map(|x| h.ln_pmf(f64::from(x)).exp()).sum();
        assert!((s - 1.0).abs() < 1e-14, "{s}");
        // C(7,3)·C(13,9)/C(20,12) = 35·715/125970
        let exact = 35.0 * 715.0 / 125_970.0;
        assert!((h.ln_pmf(3.0).exp() / exact - 1.0).abs() < 1e-14);
    }
}
