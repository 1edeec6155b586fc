//! Welch's t-test on two 5,000,000-element f64 arrays (the peer is
//! `scipy.stats.ttest_ind(a, b, equal_var=False)`, see `ttest_peers.py`).
//! The data are the same SplitMix64/Box–Muller normals the fixtures use.

use abstat::core::ttest::{TTestOptions, welch};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

// The fixtures' deterministic generators (SplitMix64 + Box–Muller).
#[path = "../abstat-core/tests/common/mod.rs"]
mod common;
use common::det_normal;

const N: usize = 5_000_000;

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
