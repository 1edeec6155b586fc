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
        Alternative::Less => h.cdf(x),
        Alternative::Greater => h.sf_inclusive(x),
        Alternative::TwoSided => two_sided(&h, x),
    };
    r.p_value = p.min(1.0);
    Ok(r)
}

/// scipy's two-sided rule: P(X = x) plus every outcome whose probability is
/// at most P(X = x)·(1 + 1e-14).
fn two_sided(h: &Hypergeometric, x: f64) -> f64 {
    const EPS: f64 = 1e-14;
    let mode = h.mode();
    let ln_exact = h.ln_pmf(x);
    let ln_mode = h.ln_pmf(mode);
    // |pexact − pmode| / max ≤ ε, in log space
    if (ln_exact - ln_mode).abs() <= EPS {
        return 1.0;
    }
    let ln_bound = ln_exact + EPS.ln_1p();
    if x < mode {
        let lower = h.tail_away_from_mode(x, -1.0);
        // The first outcome above the mode that is as improbable as x.
        match h.first_at_or_below(ln_bound, mode, h.hi(), true) {
            Some(y) => lower + h.tail_away_from_mode(y, 1.0),
            None => lower,
        }
    } else {
        let upper = h.tail_away_from_mode(x, 1.0);
        match h.first_at_or_below(ln_bound, mode, h.lo(), false) {
            Some(y) => upper + h.tail_away_from_mode(y, -1.0),
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

    /// scipy's `int((n + 1) * (n1 + 1) / (n1 + n2 + 2))`.
    fn mode(&self) -> f64 {
        ((self.draws + 1.0) * (self.good + 1.0) / (self.total + 2.0)).floor()
    }

    /// P(X ≤ x), summed over the tail that does not contain the mode.
    fn cdf(&self, x: f64) -> f64 {
        if x < self.mode() {
            self.tail_away_from_mode(x, -1.0)
        } else if x >= self.hi() {
            1.0
        } else {
            1.0 - self.tail_away_from_mode(x + 1.0, 1.0)
        }
    }

    /// P(X ≥ x), summed over the tail that does not contain the mode.
    fn sf_inclusive(&self, x: f64) -> f64 {
        if x > self.mode() {
            self.tail_away_from_mode(x, 1.0)
        } else if x <= self.lo() {
            1.0
        } else {
            1.0 - self.tail_away_from_mode(x - 1.0, -1.0)
        }
    }

    /// Σ P(X = y) for y = from, from + step, … to the end of the support,
    /// where `from` lies on the side of the mode that `step` moves away
    /// from, so terms only shrink: the first comes from [`Self::ln_pmf`],
    /// the rest by the ratio of successive probabilities, and the sum
    /// stops once they no longer change it.
    fn tail_away_from_mode(&self, from: f64, step: f64) -> f64 {
        let (k, n, big_n) = (self.good, self.draws, self.total);
        let end = if step > 0.0 { self.hi() } else { self.lo() };
        let mut y = from;
        let mut t = self.ln_pmf(y).exp();
        let mut sum = 0.0;
        loop {
            sum += t;
            if y == end || t <= sum * 1e-17 {
                return sum;
            }
            // P(y+1)/P(y) = (K−y)(n−y) / ((y+1)(N−K−n+y+1)), and its inverse.
            t *= if step > 0.0 {
                (k - y) * (n - y) / ((y + 1.0) * (big_n - k - n + y + 1.0))
            } else {
                y * (big_n - k - n + y) / ((k - y + 1.0) * (n - y + 1.0))
            };
            y += step;
        }
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
