//! Chi-square goodness of fit (100 categories), a 10×10 contingency table
//! and Fisher's exact test on a table of 40 000 (peers:
//! benches/categorical_peers.py).

mod splitmix;

use abstat::core::Alternative;
use abstat::core::categorical::{
    ContingencyOptions, GoodnessOfFitOptions, chi2_contingency, chisquare, fisher_exact,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let counts: Vec<f64> = splitmix::uniform(11, 100)
        .iter()
        .map(|u| (50.0 + 100.0 * u).floor())
        .collect();
    let table: Vec<Vec<f64>> = splitmix::uniform(12, 100)
        .chunks(10)
        .map(|row| row.iter().map(|u| (20.0 + 80.0 * u).floor()).collect())
        .collect();
    let mut group = c.benchmark_group("categorical");
    group.sample_size(20);
    group.bench_function("chisquare_100", |b| {
        b.iter(|| chisquare(black_box(&counts), None, &GoodnessOfFitOptions::default()).unwrap())
    });
    group.bench_function("chi2_contingency_10x10", |b| {
        b.iter(|| chi2_contingency(black_box(&table), &ContingencyOptions::default()).unwrap())
    });
    group.bench_function("fisher_exact_40k", |b| {
        b.iter(|| {
            fisher_exact(
                black_box([[10512, 10003], [9950, 10101]]),
                Alternative::TwoSided,
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
