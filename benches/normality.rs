//! Shapiro–Wilk on n = 5000 (peer: benches/normality_peers.py).

mod splitmix;

use abstat::core::normality::{ShapiroOptions, shapiro};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let x = splitmix::normal(21, 5000, 0.0, 1.0);
    let mut group = c.benchmark_group("normality");
    group.sample_size(20);
    group.bench_function("shapiro_5000", |b| {
        b.iter(|| shapiro(black_box(&x), &ShapiroOptions::default()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
