//! Bootstrap BCa and percentile intervals for the mean of n = 1000 with
//! 9999 resamples, and for a difference of means of 500 + 500 (peer:
//! benches/bootstrap_peers.py).

mod splitmix;

use abstat::core::bootstrap::{
    BootstrapMethod, BootstrapOptions, bootstrap, bootstrap_two, mean, mean_difference,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let x = splitmix::normal(31, 1000, 0.0, 1.0);
    let (a, b2) = (
        splitmix::normal(33, 500, 0.0, 1.0),
        splitmix::normal(35, 500, 0.1, 1.0),
    );
    let bca = BootstrapOptions::default();
    let pct = BootstrapOptions {
        method: BootstrapMethod::Percentile,
        ..bca
    };
    let mut group = c.benchmark_group("bootstrap");
    group.sample_size(10);
    group.bench_function("bca_mean_1000x9999", |b| {
        b.iter(|| bootstrap(black_box(&x), mean, &bca).unwrap())
    });
    group.bench_function("percentile_mean_1000x9999", |b| {
        b.iter(|| bootstrap(black_box(&x), mean, &pct).unwrap())
    });
    group.bench_function("bca_mean_difference_500_500x9999", |b| {
        b.iter(|| bootstrap_two(black_box(&a), black_box(&b2), mean_difference, &bca).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
