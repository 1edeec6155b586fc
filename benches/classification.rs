//! Random forest (100 trees), gradient boosting (100 stages of depth-3
//! trees) and logistic regression on 100,000 × 10
//! (ten normal features, a binary label drawn from a logistic model), the
//! data `benches/classification_peers.py` times scikit-learn on. The data
//! come from the SplitMix64 generators the fixture tests share with Python.
//! Timed: the fit alone, from the feature matrix.

#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use abstat::core::classification::{BoostingParams, Fit, ForestParams, LogisticParams};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;

const N: usize = 100_000;
const P: usize = 10;

/// Features (seeds 11, 13, …) and labels, as `data()` in the peer script.
fn data() -> (Array2<f64>, Vec<usize>) {
    let cols: Vec<Vec<f64>> = (0..P as u64)
        .map(|j| common::det_normal(11 + 2 * j, N, 0.0, 1.0))
        .collect();
    let x = Array2::from_shape_fn((N, P), |(i, j)| cols[j][i]);
    let u = common::det_uniform(103, N);
    let y = (0..N)
        .map(|i| {
            let eta: f64 = -0.5
                + (0..P)
                    .map(|j| (j as f64 - 4.0) * 0.2 * x[[i, j]])
                    .sum::<f64>();
            usize::from(u[i] < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (x, y)
}

fn bench(c: &mut Criterion) {
    let (x, y) = data();
    let mut g = c.benchmark_group("classification");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("logistic_1e5x10", |b| {
        b.iter(|| {
            LogisticParams::default()
                .fit(black_box(x.view()), &y, 2)
                .unwrap()
        })
    });
    g.bench_function("random_forest_100_1e5x10", |b| {
        b.iter(|| {
            ForestParams::default()
                .fit(black_box(x.view()), &y, 2)
                .unwrap()
        })
    });
    g.bench_function("gradient_boosting_100_1e5x10", |b| {
        b.iter(|| {
            BoostingParams::default()
                .fit(black_box(x.view()), &y, 2)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
