//! Welch's t-test on two 5,000,000-element f64 arrays (the peer is
//! `scipy.stats.ttest_ind(a, b, equal_var=False)`, see `ttest_peers.py`).
//! The data are the same SplitMix64/Box–Muller normals the fixtures use.

use abstat::core::ttest::{TTestOptions, welch};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const N: usize = 5_000_000;

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

fn det_normal(seed: u64, n: usize, loc: f64, scale: f64) -> Vec<f64> {
    let u1 = det_uniform(seed, n);
    let u2 = det_uniform(seed + 1, n);
    u1.iter()
        .zip(&u2)
        .map(|(&a, &b)| {
            let r = (-2.0 * (-a).ln_1p()).sqrt();
            loc + scale * r * (2.0 * std::f64::consts::PI * b).cos()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let a = det_normal(1, N, 0.0, 1.0);
    let b = det_normal(3, N, 0.01, 1.5);
    let opts = TTestOptions::default();
    c.bench_function("welch_ttest_5e6", |bench| {
        bench.iter(|| welch(black_box(&a), black_box(&b), &opts).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
