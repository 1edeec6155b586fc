//! A 10,000,000-unit A/B experiment from raw columns: two variants assigned
//! 50/50, one metric y with a pre-period covariate x (y = 2 + 0.8x + 0.01·B +
//! noise). Timed: the one parallel pass to per-variant sufficient statistics,
//! then SRM, Welch on y and CUPED (regression-adjusted Welch) with power and
//! MDE — what `benches/ab_peers.py` does with pandas + scipy on the same
//! numbers (SplitMix64 generators shared with the fixture tests). Goal:
//! ≤ 150 ms on 2 cores. Also timed: p99 capping of the same 10^7 values
//! before aggregation, the Beta-binomial comparison and O'Brien–Fleming
//! boundaries for five looks (group `ab_small`). Group `ab_segments`: the
//! same kind of experiment on 10^6 rows broken down by a 12-value country
//! column from Arrow (top 5, the rest as "other", a "(missing)" segment),
//! Welch and CUPED per segment and overall, SRM per segment, Holm across
//! the segments × metrics.

#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use abstat::core::NanPolicy;
use abstat::core::ab::beta_binomial::{BetaBinomialOptions, compare_beta_binomial};
use abstat::core::ab::capping::{CapAt, Capping};
use abstat::core::ab::group_sequential::{GroupSequentialOptions, boundaries};
use abstat::core::ab::{
    Correction, Dimension, ExperimentOptions, JointMoments, MetricColumns, MetricInput,
    MetricStats, PowerSums, RawMetric, SegmentOptions, analyze, analyze_segments_columns,
};
use arrow_array::StringArray;
use criterion::{Criterion, criterion_group, criterion_main};

const N: usize = 10_000_000;

/// variant = [u < 0.5] (seed 7), x ~ N(10, 3) (seed 11), y as in the docs
/// (noise seed 13), as `data()` in the peer script.
fn data() -> (Vec<u32>, Vec<f64>, Vec<f64>) {
    let variant: Vec<u32> = common::det_uniform(7, N)
        .into_iter()
        .map(|u| u32::from(u >= 0.5))
        .collect();
    let x = common::det_normal(11, N, 10.0, 3.0);
    let noise = common::det_normal(13, N, 0.0, 1.5);
    let y = (0..N)
        .map(|i| 2.0 + 0.8 * x[i] + 0.01 * f64::from(variant[i]) + noise[i])
        .collect();
    (variant, x, y)
}

fn experiment(variant: &[u32], x: &[f64], y: &[f64]) -> abstat::core::ab::ExperimentResult {
    let s = JointMoments::by_variant(y, x, variant, 2, NanPolicy::Omit).unwrap();
    let units = [s[0].n, s[1].n];
    let metrics = [
        MetricInput {
            name: "y".into(),
            higher_is_better: true,
            variants: vec![MetricStats::Mean(s[0].y()), MetricStats::Mean(s[1].y())],
        },
        MetricInput {
            name: "y (CUPED)".into(),
            higher_is_better: true,
            variants: vec![
                MetricStats::RegressionAdjusted(s[0]),
                MetricStats::RegressionAdjusted(s[1]),
            ],
        },
    ];
    analyze(&units, &[0.5, 0.5], &metrics, &ExperimentOptions::default()).unwrap()
}

const SEGMENT_ROWS: usize = 1_000_000;

/// Countries and how many of 50 equal buckets of a uniform each takes; the
/// 50th bucket is a missing value (`segment_data()` in the peer script).
const COUNTRIES: [(&str, usize); 12] = [
    ("US", 12),
    ("DE", 9),
    ("FR", 7),
    ("BR", 5),
    ("IN", 4),
    ("JP", 3),
    ("MX", 2),
    ("GB", 2),
    ("ES", 2),
    ("IT", 1),
    ("PL", 1),
    ("NL", 1),
];

/// country from ⌊50u⌋ (seed 17), variant = [u ≥ 0.5] (seed 19), x ~ N(10, 3)
/// (seed 23), y = 2 + 0.8x + noise (seed 29).
fn segment_data() -> (StringArray, Vec<u32>, Vec<f64>, Vec<f64>) {
    let bucket: Vec<Option<&str>> = COUNTRIES
        .iter()
        .flat_map(|&(c, k)| std::iter::repeat_n(Some(c), k))
        .chain([None])
        .collect();
    let country: StringArray = common::det_uniform(17, SEGMENT_ROWS)
        .into_iter()
        .map(|u| bucket[(u * 50.0) as usize])
        .collect();
    let variant = common::det_uniform(19, SEGMENT_ROWS)
        .into_iter()
        .map(|u| u32::from(u >= 0.5))
        .collect();
    let x = common::det_normal(23, SEGMENT_ROWS, 10.0, 3.0);
    let noise = common::det_normal(29, SEGMENT_ROWS, 0.0, 1.5);
    let y = x
        .iter()
        .zip(&noise)
        .map(|(x, e)| 2.0 + 0.8 * x + e)
        .collect();
    (country, variant, x, y)
}

fn bench(c: &mut Criterion) {
    let (variant, x, y) = data();
    let mut g = c.benchmark_group("ab");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("welch_cuped_srm_1e7", |b| {
        b.iter(|| experiment(black_box(&variant), black_box(&x), black_box(&y)))
    });
    // p99 capping of y pooled, then the per-variant sums of the capped column
    g.bench_function("capping_p99_1e7", |b| {
        b.iter(|| {
            let caps = Capping {
                lower: None,
                upper: Some(CapAt::Quantile(0.99)),
            };
            let capped = caps.resolve(black_box(&y)).unwrap().apply(&y);
            PowerSums::by_variant(&capped, &variant, 2, NanPolicy::Omit).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ab_small");
    // 10,000 vs 10,400 conversions out of 100,000 units per arm: chance to
    // beat control, both expected losses and both credible intervals
    g.bench_function("beta_binomial_1e5", |b| {
        let (a, t) = (
            PowerSums::new(100_000, 10_000.0, 10_000.0),
            PowerSums::new(100_000, 10_400.0, 10_400.0),
        );
        b.iter(|| compare_beta_binomial(black_box(&a), &t, &BetaBinomialOptions::default()))
    });
    g.bench_function("obrien_fleming_5_looks", |b| {
        let t = [0.2, 0.4, 0.6, 0.8, 1.0];
        b.iter(|| boundaries(black_box(&t), &GroupSequentialOptions::default()))
    });
    g.finish();

    let (country, variant, x, y) = segment_data();
    let mut g = c.benchmark_group("ab_segments");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("segments_top5_1e6", |b| {
        b.iter(|| {
            let dim = Dimension::from_arrow(black_box(&country), "country").unwrap();
            let metrics = [
                RawMetric {
                    name: "y",
                    higher_is_better: true,
                    columns: MetricColumns::Mean(&y),
                },
                RawMetric {
                    name: "y (CUPED)",
                    higher_is_better: true,
                    columns: MetricColumns::RegressionAdjusted {
                        metric: &y,
                        covariate: &x,
                    },
                },
            ];
            let opts = ExperimentOptions {
                correction: Some(Correction::Holm),
                ..Default::default()
            };
            let seg = SegmentOptions {
                top: 5,
                min_segment_units: 0,
            };
            analyze_segments_columns(
                &dim,
                &variant,
                &metrics,
                &[0.5, 0.5],
                NanPolicy::Omit,
                &opts,
                &seg,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
