//! Rank tests and rank correlations on 10^6-element samples.
//! Compare with `benches/rank_tests_peers.py` (scipy on the same data).

use abstat::core::correlation::{CorrelationOptions, kendall, spearman};
use abstat::core::nonparametric::{KsOptions, MannWhitneyOptions, ks_2samp, mann_whitney_u};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const N: usize = 1_000_000;

/// SplitMix64 uniforms, the generator of scripts/fixtures/common.py, so the
/// Python peer times scipy on exactly these numbers.
fn det_uniform(seed: u64, n: usize) -> Vec<f64> {
    (1..=n as u64)
        .map(|i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        })
        .collect()
}

/// Box–Muller normals, as `det_normal` in common.py.
fn det_normal(seed: u64, n: usize, loc: f64) -> Vec<f64> {
    let (u1, u2) = (det_uniform(seed, n), det_uniform(seed + 1, n));
    u1.iter()
        .zip(&u2)
        .map(|(&a, &b)| loc + (-2.0 * (-a).ln_1p()).sqrt() * (2.0 * std::f64::consts::PI * b).cos())
        .collect()
}

fn rank_tests(c: &mut Criterion) {
    let x = det_normal(1, N, 0.0);
    let y = det_normal(3, N, 0.002);
    let mut g = c.benchmark_group("rank_tests");
    g.sample_size(10);
    g.bench_function("mannwhitneyu_1e6", |b| {
        let o = MannWhitneyOptions::default();
        b.iter(|| mann_whitney_u(black_box(&x), black_box(&y), &o).unwrap())
    });
    g.bench_function("ks_2samp_1e6", |b| {
        let o = KsOptions::default();
        b.iter(|| ks_2samp(black_box(&x), black_box(&y), &o).unwrap())
    });
    g.bench_function("spearmanr_1e6", |b| {
        let o = CorrelationOptions::default();
        b.iter(|| spearman(black_box(&x), black_box(&y), &o).unwrap())
    });
    g.bench_function("kendalltau_1e6", |b| {
        let o = CorrelationOptions::default();
        b.iter(|| kendall(black_box(&x), black_box(&y), &o).unwrap())
    });
    g.finish();
}

criterion_group!(benches, rank_tests);
criterion_main!(benches);
