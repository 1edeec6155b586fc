//! Ranking with ties: average ranks (scipy `rankdata(method='average')`) and
//! the tie-correction term Σ(t³ − t) used by the rank tests.
//!
//! Large inputs are sorted in parallel with rayon: floats by
//! `f64::total_cmp`, or, faster, as order-preserving integer keys
//! ([`sorted_keys`]) where only order and equality matter. Values that
//! compare equal with `==` form one tie group, so `-0.0` and `0.0` tie, as
//! in numpy. Inputs must be free of NaN; the callers apply their
//! [`crate::NanPolicy`] first.

use rayon::slice::ParallelSliceMut;

use crate::{Error, Result};

/// Below this many elements a sequential sort is faster than a parallel one.
const PARALLEL_SORT_MIN: usize = 1 << 14;

/// Average ranks of a sample and its tie term.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranks {
    /// The average rank (1-based) of each value, in input order.
    pub ranks: Vec<f64>,
    /// Σ(t³ − t) over the tie groups (t = size of a group of equal values).
    pub tie_term: f64,
}

/// Sort `x` ascending in place (parallel for large inputs). NaN-free input.
pub fn sort_values(x: &mut [f64]) {
    if x.len() >= PARALLEL_SORT_MIN {
        x.par_sort_unstable_by(f64::total_cmp);
    } else {
        x.sort_unstable_by(f64::total_cmp);
    }
}

/// A sorted copy of `x`.
pub fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    sort_values(&mut v);
    v
}

/// An order-preserving integer key of a non-NaN float: `a < b` exactly when
/// `sort_key(a) < sort_key(b)`, and −0.0 gets the key of 0.0 (they tie).
/// Integers compare faster than `total_cmp`, so large samples sort faster.
pub fn sort_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// The float whose [`sort_key`] is `k`.
pub fn from_sort_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// The [`sort_key`]s of `x` (NaN-free), sorted ascending (in parallel for
/// large inputs).
pub fn sorted_keys(x: &[f64]) -> Vec<u64> {
    let mut k: Vec<u64> = x.iter().map(|&v| sort_key(v)).collect();
    if k.len() >= PARALLEL_SORT_MIN {
        k.par_sort_unstable();
    } else {
        k.sort_unstable();
    }
    k
}

/// `t³ − t` for a tie group of size `t`, in floating point as scipy does.
pub(crate) fn tie_cube(t: usize) -> f64 {
    let t = t as f64;
    t * t * t - t
}

/// Σ(t³ − t) over the tie groups of an ascending slice.
pub fn tie_term_sorted(sorted: &[f64]) -> f64 {
    let mut term = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        term += tie_cube(j - i);
        i = j;
    }
    term
}

/// Average ranks of `x` (scipy `rankdata(x, method='average')`) with the
/// tie term. Errors on NaN, which has no rank.
///
/// # Example
/// ```
/// let r = abstat_core::rank::rankdata(&[3.0, 1.0, 3.0, 2.0]).unwrap();
/// assert_eq!(r.ranks, vec![3.5, 1.0, 3.5, 2.0]);
/// assert_eq!(r.tie_term, 6.0);
/// ```
pub fn rankdata(x: &[f64]) -> Result<Ranks> {
    if crate::input::has_nan(x) {
        return Err(Error::MissingValues {
            what: "the data to rank".to_string(),
        });
    }
    // One u128 per value: its sort key above its index. Sorting plain
    // integers on contiguous memory is much faster than sorting indices
    // that point into `x` with a float comparison.
    let mut order: Vec<u128> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| (u128::from(sort_key(v)) << 64) | i as u128)
        .collect();
    if x.len() >= PARALLEL_SORT_MIN {
        order.par_sort_unstable();
    } else {
        order.sort_unstable();
    }
    let key = |o: u128| (o >> 64) as u64;
    let mut ranks = vec![0.0; x.len()];
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < order.len() {
        let v = key(order[i]);
        let mut j = i + 1;
        while j < order.len() && key(order[j]) == v {
            j += 1;
        }
        // Positions i..j (0-based) share the mean of ranks i+1..=j.
        let avg = (i + j + 1) as f64 / 2.0;
        for &o in &order[i..j] {
            ranks[o as u64 as usize] = avg;
        }
        tie_term += tie_cube(j - i);
        i = j;
    }
    Ok(Ranks { ranks, tie_term })
}

/// Rank sums of several samples ranked together, and the pooled tie term,
/// from each sample sorted ascending: one merged pass, without building the
/// pooled array. This is what Mann–Whitney and Kruskal–Wallis need.
///
/// Each group's rank sum is exact while it stays below 2⁵² (average ranks
/// are half-integers).
pub fn merged_rank_sums<T: PartialOrd + Copy>(sorted_groups: &[&[T]]) -> (Vec<f64>, f64) {
    let k = sorted_groups.len();
    let mut pos = vec![0usize; k];
    let mut run = vec![0usize; k];
    let mut sums = vec![0.0; k];
    let mut tie_term = 0.0;
    let mut below = 0usize; // values already ranked
    loop {
        // The smallest value still unranked.
        let mut next: Option<T> = None;
        for (g, s) in sorted_groups.iter().enumerate() {
            if let Some(&head) = s.get(pos[g])
                && next.is_none_or(|v| head < v)
            {
                next = Some(head);
            }
        }
        let Some(v) = next else {
            break;
        };
        let mut t = 0;
        for (g, s) in sorted_groups.iter().enumerate() {
            let start = pos[g];
            let mut end = start;
            while end < s.len() && s[end] == v {
                end += 1;
            }
            run[g] = end - start;
            pos[g] = end;
            t += run[g];
        }
        let avg = below as f64 + (t as f64 + 1.0) / 2.0;
        for g in 0..k {
            if run[g] > 0 {
                sums[g] += run[g] as f64 * avg;
            }
        }
        tie_term += tie_cube(t);
        below += t;
    }
    (sums, tie_term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_and_ties_match_scipy_example() {
        // scipy docs: rankdata([0, 2, 3, 2]) == [1, 2.5, 4, 2.5]
        let r = rankdata(&[0.0, 2.0, 3.0, 2.0]).unwrap();
        assert_eq!(r.ranks, vec![1.0, 2.5, 4.0, 2.5]);
        assert_eq!(r.tie_term, 6.0);
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let r = rankdata(&[0.0, -0.0, 1.0]).unwrap();
        assert_eq!(r.ranks, vec![1.5, 1.5, 3.0]);
    }

    #[test]
    fn sort_keys_preserve_order_and_round_trip() {
        let v = [
            f64::NEG_INFINITY,
            -3.5,
            -1e-300,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for w in v.windows(2) {
            assert!(sort_key(w[0]) < sort_key(w[1]));
        }
        for &a in &v {
            assert_eq!(from_sort_key(sort_key(a)), a);
        }
        assert_eq!(sort_key(-0.0), sort_key(0.0));
    }

    #[test]
    fn nan_is_refused() {
        assert!(matches!(
            rankdata(&[1.0, f64::NAN]),
            Err(Error::MissingValues { .. })
        ));
    }

    #[test]
    fn merged_pass_equals_pooled_ranking() {
        let a = [1.0, 2.0, 2.0, 5.0];
        let b = [2.0, 3.0, 5.0];
        let c = [0.5, 5.0];
        let (sums, tie) = merged_rank_sums(&[&a, &b, &c]);
        let pooled: Vec<f64> = a.iter().chain(&b).chain(&c).copied().collect();
        let r = rankdata(&pooled).unwrap();
        let s_a: f64 = r.ranks[..4].iter().sum();
        let s_b: f64 = r.ranks[4..7].iter().sum();
        let s_c: f64 = r.ranks[7..].iter().sum();
        assert_eq!(sums, vec![s_a, s_b, s_c]);
        assert_eq!(tie, r.tie_term);
        assert_eq!(tie_term_sorted(&sorted(&pooled)), r.tie_term);
    }

    #[test]
    fn large_input_uses_the_parallel_sort() {
        let x: Vec<f64> = (0..50_000).map(|i| ((i * 7919) % 1000) as f64).collect();
        let r = rankdata(&x).unwrap();
        // 1000 groups of 50 equal values.
        assert_eq!(r.tie_term, 1000.0 * tie_cube(50));
        assert_eq!(r.ranks[0], 25.5);
    }
}
