//! Exactly rounded sums (Shewchuk 1997, "Adaptive precision floating-point
//! arithmetic and fast robust geometric predicates"; Python's `math.fsum`).
//!
//! The state is a short list of non-overlapping partial sums whose total is
//! the exact sum of every value added. The rounded result therefore does not
//! depend on the order of the values or on how they were split into
//! batches, which is what makes streamed cleaning give the same answer for
//! any batch size.

/// An exact running sum of finite floats (infinities and NaN are carried
/// aside and dominate the result, as in ordinary addition).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExactSum {
    partials: Vec<f64>,
    special: f64,
    count: u64,
}

impl ExactSum {
    /// Add `x`; NaN is skipped (a missing value).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.count += 1;
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Values added (NaN excluded).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum, correctly rounded (`math.fsum`'s final step).
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            n -= 1;
            let x = hi;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half-even correctly when the rest would tip the last bit.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }

    /// The mean, or `None` without values.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.value() / self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_exactly_in_any_order() {
        let v = [1e16, 1.0, -1e16, 1.0, 1e-3, 3.0];
        let mut a = ExactSum::default();
        v.iter().for_each(|&x| a.add(x));
        let mut b = ExactSum::default();
        v.iter().rev().for_each(|&x| b.add(x));
        assert_eq!(a.value(), 5.001);
        assert_eq!(a.value(), b.value());
        assert_eq!(a.count(), 6);
    }
}
