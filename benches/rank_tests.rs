//! Rank tests and rank correlations on 10^6-element samples.
//! Compare with `benches/rank_tests_peers.py` (scipy on the same data).

use abstat::core::correlation::{CorrelationOptions, kendall, spearman};
use abstat::core::nonparametric::{KsOptions, MannWhitneyOptions, ks_2samp, mann_whitney_u};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

// The SplitMix64 generators of the fixtures, so the Python peer times scipy
// on exactly these numbers.
#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

const N: usize = 1_000_000;

fn rank_tests(c: &mut Criterion) {
    let x = common::det_normal(1, N, 0.0, 1.0);
    let y = common::det_normal(3, N, 0.002, 1.0);
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
