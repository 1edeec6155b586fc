//! One-way ANOVA, Welch's ANOVA and Levene's test on three groups of
//! 10 000 (peers: benches/anova_peers.py).

mod splitmix;

use abstat::core::anova::{AnovaOptions, f_oneway, welch_anova};
use abstat::core::variance::{LeveneOptions, levene};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn groups() -> Vec<Vec<f64>> {
    vec![
        splitmix::normal(1, 10_000, 0.0, 1.0),
        splitmix::normal(3, 10_000, 0.05, 1.2),
        splitmix::normal(5, 10_000, -0.02, 0.9),
    ]
}

fn bench(c: &mut Criterion) {
    let g = groups();
    let mut group = c.benchmark_group("anova");
    group.sample_size(20);
    group.bench_function("f_oneway_3x10000", |b| {
        b.iter(|| f_oneway(black_box(&g), &AnovaOptions::default()).unwrap())
    });
    group.bench_function("welch_anova_3x10000", |b| {
        b.iter(|| welch_anova(black_box(&g), &AnovaOptions::default()).unwrap())
    });
    group.bench_function("levene_median_3x10000", |b| {
        b.iter(|| levene(black_box(&g), &LeveneOptions::default()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
