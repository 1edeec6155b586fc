//! OLS and Logit on 1,000,000 × 10 designs (an intercept and nine normal
//! predictors), the sizes `benches/regression_peers.py` times statsmodels on.
//! The data come from the SplitMix64 generators the fixture tests share with
//! Python, so both sides fit identical numbers. Timed: the fit from a built
//! design to the full result (summary table, fit statistics, residual
//! diagnostics), as the peer script times statsmodels' fit plus the same
//! result attributes.

#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use abstat::core::regression::{Design, Logit, LogitOptions, Ols, OlsOptions};
use criterion::{Criterion, criterion_group, criterion_main};

const N: usize = 1_000_000;
const PREDICTORS: u64 = 9;

/// Nine normal predictors (seeds 11, 13, …), as `columns()` in the peer script.
fn predictors() -> Vec<Vec<f64>> {
    (0..PREDICTORS)
        .map(|j| common::det_normal(11 + 2 * j, N, 0.0, 1.0))
        .collect()
}

fn ols_design(cols: &[Vec<f64>]) -> Design {
    let noise = common::det_normal(101, N, 0.0, 1.0);
    let y: Vec<f64> = (0..N)
        .map(|i| {
            1.0 + cols
                .iter()
                .enumerate()
                .map(|(j, c)| (j as f64 + 1.0) * 0.1 * c[i])
                .sum::<f64>()
                + noise[i]
        })
        .collect();
    design(y, cols)
}

fn logit_design(cols: &[Vec<f64>]) -> Design {
    let u = common::det_uniform(103, N);
    let y: Vec<f64> = (0..N)
        .map(|i| {
            let eta = -0.5
                + cols
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (j as f64 - 4.0) * 0.1 * c[i])
                    .sum::<f64>();
            f64::from(u8::from(u[i] < 1.0 / (1.0 + (-eta).exp())))
        })
        .collect();
    design(y, cols)
}

fn design(y: Vec<f64>, cols: &[Vec<f64>]) -> Design {
    let names: Vec<String> = (1..=cols.len()).map(|j| format!("x{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    Design::from_columns(y, &cols, &names, true).expect("design")
}

fn bench(c: &mut Criterion) {
    let cols = predictors();
    let ols = ols_design(&cols);
    let logit = logit_design(&cols);
    let mut g = c.benchmark_group("regression");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("ols_1e6x10", |b| {
        b.iter(|| {
            Ols::new(OlsOptions::default())
                .fit(black_box(&ols))
                .unwrap()
        })
    });
    g.bench_function("logit_1e6x10", |b| {
        b.iter(|| {
            Logit::new(LogitOptions::default())
                .fit(black_box(&logit))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
