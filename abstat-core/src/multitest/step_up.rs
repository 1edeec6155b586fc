//! Benjamini–Hochberg and Benjamini–Yekutieli on large families, sorting
//! only the few p-values that decide the result.
//!
//! statsmodels' adjusted value of the p-value at sorted position `k` is the
//! running minimum, from the top, of `p_(j) / div(j + 1)` over `j ≥ k`,
//! clipped at 1, with `div(r) = r/m` (BH) or `(r/m)/c` (BY, `c = Σ 1/k`).
//! Tied values end with the value of the tie's last position, so the
//! adjusted value depends on the p-value only.
//!
//! The p-values are counted into buckets by value (the radix sort's binade
//! layout, about four values a bucket). The counts give every bucket its
//! range of ranks, hence bounds on `q / div(r)` for the values inside it:
//! at least `edge_lo / div(top)`, at most `edge_hi / div(below + 1)`.
//! Walking the buckets from the top, a bucket whose lower bound is not below
//! the least upper bound of the buckets above cannot lower the running
//! minimum: each of its values gets the minimum from above, without being
//! sorted. Only the other buckets (where the running minimum is being set:
//! about 6% of uniform p-values) are gathered, sorted and walked exactly as
//! the full sort's pass walks them, so the result is bit for bit the same.
//! The rejection threshold comes the same way from the first buckets, from
//! the top, that may hold a p-value under its step-up level.
//!
//! The bounds are compared without division, as `edge_lo ≥ tu·top·(1 + δ)`
//! with `tu` the least `edge_hi / (below + 1)` above and `δ = 1e-9`, far
//! more than the few roundings in statsmodels' expressions and in the
//! comparison (relative 2⁻⁵³ each), so a bucket is only passed over when
//! its values certainly cannot set a new minimum.

use crate::radix::{Layout, MANTISSA_BITS, ONE, bits};

/// From this many p-values the bucketed path is tried.
pub(super) const MIN_LEN: usize = 1 << 15;

/// Relative margin of the division-free bound comparisons.
const MARGIN: f64 = 1e-9;

/// Binades below this one (values under 2⁻⁸⁹⁵, zero and the subnormals
/// among them) are always sorted: their bound products could lose the
/// relative precision the margin assumes.
const TINY_BINADE: usize = 128;

/// A bucket not gathered.
const NONE: u32 = u32::MAX;

/// The adjusted p-values (into `adjusted`) and reject decisions at `alpha`
/// (into `reject`) of `p`, all in [0, 1] and none NaN, for BH (`c = 1`) or
/// BY (`c = Σ 1/k`), with `div(r) = (r/m)` or `(r/m)/c` as `correct_into`
/// computes it. `false` when the values are not for this path (NaN or out
/// of range, an `alpha` so small that the bounds lose precision, p-values
/// crowding towards 0 as [`looks_flat`] judges, or more than a quarter of
/// the values to sort): nothing was written then.
pub(super) fn adjust(
    p: &[f64],
    by: bool,
    c: f64,
    alpha: f64,
    adjusted: &mut [f64],
    reject: &mut [bool],
) -> bool {
    let sample = sampled_binades(p);
    looks_flat(&sample) && bucketed(p, &sample, by, c, alpha, p.len() / 4, adjusted, reject)
}

/// Every 16th value's binade (values above 1, NaN among them, counted in
/// binade `e & 1023`: they are refused by the count that follows).
fn sampled_binades(p: &[f64]) -> [u32; 1024] {
    let mut per = [0u32; 1024];
    for &x in p.iter().step_by(16) {
        per[(bits(x) >> MANTISSA_BITS) as usize & 1023] += 1;
    }
    per
}

/// [`adjust`] without the choice of path, sorting at most `max_gathered`
/// values (the tests run it on every family with no limit). The buckets
/// come from the sampled binades (`sample`): about four values a bucket,
/// and one bucket for each binade the sample missed.
#[allow(clippy::too_many_arguments)]
fn bucketed(
    p: &[f64],
    sample: &[u32; 1024],
    by: bool,
    c: f64,
    alpha: f64,
    max_gathered: usize,
    adjusted: &mut [f64],
    reject: &mut [bool],
) -> bool {
    let m = p.len();
    let mf = m as f64;
    let alpha_mc = alpha / (mf * c);
    if alpha_mc < 1e-280 {
        return false;
    }
    let mut per_exponent = [1u32; 1024];
    for (estimate, &k) in per_exponent.iter_mut().zip(sample) {
        *estimate = (k * 16).max(1);
    }
    let layout = Layout::coarser(&per_exponent, 2);
    let mut count = vec![0u32; layout.buckets as usize];
    let mut bad = false;
    for &x in p {
        let b = bits(x);
        bad |= b > ONE;
        count[layout.bucket(b)] += 1;
    }
    if bad {
        return false;
    }
    let div = |r: usize| {
        let rank = r as f64 / mf;
        if by { rank / c } else { rank }
    };

    // Which buckets to sort, from the top: (bucket, values, values below it).
    let mut groups: Vec<(usize, usize, usize)> = Vec::new();
    let mut gathered = 0;
    // how many of the first groups may hold the rejection threshold
    let mut candidates = 0;
    let mut searching = true;
    let mut tu = f64::INFINITY;
    let mut end = m;
    for e in (0..1024).rev() {
        let (first, buckets, shift) = layout.binade(e);
        for j in (0..buckets).rev() {
            let b = first + j;
            let k = count[b] as usize;
            let top = end;
            end -= k;
            let lo_bits = ((e as u64) << MANTISSA_BITS) | ((j as u64) << shift);
            let (edge_lo, edge_hi) = (
                f64::from_bits(lo_bits),
                f64::from_bits(lo_bits + (1 << shift)),
            );
            // `as i64`: one conversion instruction (ranks fit easily)
            let (top_f, next_f) = (top as i64 as f64, (end + 1) as i64 as f64);
            let nonempty = k != 0;
            let mut need = nonempty & ((e < TINY_BINADE) | (edge_lo < tu * top_f * (1.0 + MARGIN)));
            let u = if nonempty {
                edge_hi / next_f
            } else {
                f64::INFINITY
            };
            tu = if u < tu { u } else { tu };
            if searching && nonempty && edge_lo <= top_f * alpha_mc * (1.0 + MARGIN) {
                // may hold a p-value under its level; the top one surely is
                // when even the bucket's upper edge is
                candidates = groups.len() + 1;
                need = true;
                searching = edge_hi > top_f * alpha_mc * (1.0 - MARGIN);
            }
            count[b] = NONE;
            if need {
                groups.push((b, k, end));
                gathered += k;
            }
        }
    }
    if gathered > max_gathered {
        return false;
    }
    // each group's place in `sorted`, in bucket order
    let mut at = gathered as u32;
    for &(b, k, _) in &groups {
        at -= k as u32;
        count[b] = at;
    }
    let slot = &mut count;
    let mut sorted = vec![(0.0, 0usize); gathered];
    if gathered > 0 {
        for (i, &x) in p.iter().enumerate() {
            let s = &mut slot[layout.bucket(bits(x))];
            if *s != NONE {
                sorted[*s as usize] = (x, i);
                *s += 1;
            }
        }
    }

    // The exact walk over the gathered values, top down; the buckets
    // between them take the running minimum as it stands.
    let clip = |v: f64| if v > 1.0 { 1.0 } else { v };
    let mut per_bucket = vec![0.0; layout.buckets as usize];
    let mut group_adjusted = vec![0.0; gathered];
    let mut run = f64::INFINITY;
    let mut threshold = f64::NEG_INFINITY;
    let (mut filled, mut group_end) = (per_bucket.len(), gathered);
    for (g, &(b, k, below)) in groups.iter().enumerate() {
        per_bucket[b + 1..filled].fill(clip(run));
        filled = b;
        let range = group_end - k..group_end;
        group_end -= k;
        let values = &mut sorted[range.clone()];
        // the full sort's order: by value (−0.0 with 0.0), ties by index
        values.sort_unstable_by(|x, y| bits(x.0).cmp(&bits(y.0)).then(x.1.cmp(&y.1)));
        for (j, &(q, _)) in values.iter().enumerate().rev() {
            run = run.min(q / div(below + j + 1));
            group_adjusted[range.start + j] = clip(run);
        }
        if g < candidates && threshold == f64::NEG_INFINITY {
            // the last position under its level: every value up to it is
            // rejected (a tie ends there, its level being the highest)
            if let Some(j) = (0..k)
                .rev()
                .find(|&j| values[j].0 <= div(below + j + 1) * alpha)
            {
                threshold = values[j].0;
            }
        }
    }
    per_bucket[..filled].fill(clip(run));

    for ((&x, a), r) in p.iter().zip(adjusted.iter_mut()).zip(reject.iter_mut()) {
        *a = per_bucket[layout.bucket(bits(x))];
        *r = x <= threshold;
    }
    for (&(_, i), &a) in sorted.iter().zip(&group_adjusted) {
        adjusted[i] = a;
    }
    true
}

/// Whether the running minimum looks flat enough over most of the values
/// for the buckets to pay, judged from the binades of every 16th value:
/// `edge/F(edge)` at the binades' upper edges, from the top. Where it keeps
/// falling (p-values crowding towards 0: signals, or any decreasing
/// density) every bucket sets a new minimum and would be sorted, so the
/// full sort is cheaper; this only chooses the path, never the result.
fn looks_flat(per: &[u32; 1024]) -> bool {
    let total: u32 = per.iter().sum();
    let (mut below, mut run, mut falling) = (total, f64::INFINITY, 0);
    for (e, &k) in per.iter().enumerate().rev() {
        below -= k;
        if k == 0 || below == 0 {
            continue;
        }
        // at the binade's lower edge 2^(e − 1023), up to a constant factor
        let g = (e as f64).exp2() / f64::from(below);
        if g < run * 0.9 && run.is_finite() {
            falling += k;
        }
        run = run.min(g);
    }
    falling * 8 <= total
}

#[cfg(test)]
mod tests {
    use super::super::{Correction, correct, harmonic};
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{RngCore, SeedableRng};

    /// A uniform draw in [0, 1).
    fn uniform(rng: &mut ChaCha8Rng) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Families of p-values of many shapes: uniform (all nulls), a mixture
    /// with strong and weak signals, rounded values with heavy ties, exact
    /// zeros and ones with −0.0, tiny and subnormal p-values, values that
    /// differ in the last mantissa bits, one value repeated, and families
    /// that reject everything or nothing.
    fn family(kind: usize, n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u = uniform(rng);
                match kind {
                    0 => u,
                    1 => match i % 10 {
                        0 => u * 1e-6,
                        1 | 2 => u * 0.01,
                        _ => u,
                    },
                    2 => (u * 50.0).floor() / 50.0,
                    3 => match i % 7 {
                        0 => 0.0,
                        1 => -0.0,
                        2 => 1.0,
                        _ => u,
                    },
                    4 => match i % 5 {
                        0 => u * 1e-300,
                        1 => f64::from_bits(rng.next_u64() % 5000),
                        2 => u.powi(40),
                        _ => u,
                    },
                    5 => f64::from_bits(0.3f64.to_bits() + rng.next_u64() % 64),
                    6 => 0.25,
                    7 => u * 1e-5,
                    8 => 0.9 + u * 0.1,
                    _ => u.powi(3),
                }
            })
            .collect()
    }

    #[test]
    fn bucketed_path_gives_the_sorted_path_bits() {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0fdb);
        let mut decided = 0;
        for n in [MIN_LEN, 10_007, 65_536, 200_000] {
            for kind in 0..10 {
                let p = family(kind, n, &mut rng);
                for (method, by) in [
                    (Correction::BenjaminiHochberg, false),
                    (Correction::BenjaminiYekutieli, true),
                ] {
                    for alpha in [1e-9, 0.01, 0.05, 0.5] {
                        let (want, want_reject) = correct(&p, method, alpha).unwrap();
                        let c = if by { harmonic(n) } else { 1.0 };
                        let mut adjusted = vec![f64::NAN; n];
                        let mut reject = vec![false; n];
                        if !bucketed(
                            &p,
                            &sampled_binades(&p),
                            by,
                            c,
                            alpha,
                            n,
                            &mut adjusted,
                            &mut reject,
                        ) {
                            continue;
                        }
                        decided += 1;
                        let what = format!("kind {kind}, n {n}, {method:?}, alpha {alpha}");
                        for (i, (a, w)) in adjusted.iter().zip(&want.p_adjusted).enumerate() {
                            assert_eq!(
                                a.to_bits(),
                                w.to_bits(),
                                "{what}: adjusted[{i}] of {}",
                                p[i]
                            );
                        }
                        assert_eq!(reject, want_reject, "{what}: reject");
                    }
                }
            }
        }
        // with no limit on the values sorted, every family is decided here
        assert_eq!(decided, 4 * 10 * 2 * 4);
    }

    #[test]
    fn flat_families_take_the_buckets_and_falling_ones_the_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // uniform, scaled uniform, uniform on [0.9, 1]: flat running minimum
        for kind in [0, 7, 8] {
            let p = family(kind, 100_000, &mut rng);
            let mut adjusted = vec![0.0; p.len()];
            let mut reject = vec![false; p.len()];
            assert!(looks_flat(&sampled_binades(&p)), "kind {kind}");
            assert!(
                adjust(&p, false, 1.0, 0.05, &mut adjusted, &mut reject),
                "kind {kind}"
            );
        }
        // signals (a decreasing density): the minimum falls all the way
        for kind in [1, 9] {
            let p = family(kind, 100_000, &mut rng);
            assert!(!looks_flat(&sampled_binades(&p)), "kind {kind}");
        }
    }

    #[test]
    fn nan_out_of_range_and_tiny_alpha_are_left_to_the_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let p = family(0, MIN_LEN, &mut rng);
        let run = |p: &[f64], alpha: f64| {
            let mut adjusted = vec![-1.0; p.len()];
            let mut reject = vec![false; p.len()];
            let decided = bucketed(
                p,
                &sampled_binades(p),
                false,
                1.0,
                alpha,
                p.len(),
                &mut adjusted,
                &mut reject,
            );
            // nothing is written unless decided
            let untouched = adjusted.iter().all(|&a| a == -1.0) && !reject.contains(&true);
            assert_eq!(untouched, !decided);
            decided
        };
        assert!(run(&p, 0.05));
        assert!(!run(&p, 1e-290));
        // a sampled position (every 16th) and one the sample skips
        for bad in [f64::NAN, 1.5, -0.25, f64::INFINITY] {
            for at in [16, 17] {
                let mut q = p.clone();
                q[at] = bad;
                assert!(!run(&q, 0.05), "{bad} at {at}");
            }
        }
    }
}
