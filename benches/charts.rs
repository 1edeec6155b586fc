//! Rendering every kind of chart from a 1,000,000- and a 10,000,000-user
//! sample (`examples/sample`), summarising included: the timed step builds
//! the chart from the raw columns or the finished analysis (histogram bins,
//! KDE, box statistics, QQ points, 2-D bins, ROC points, …) and renders a
//! 1280 × 800 PNG. Goal: ≤ 200 ms per chart at any size.
//! `benches/charts_peers.py` times numpy/scipy + matplotlib on the same
//! data for the kinds that have a direct peer.
//!
//! Per-stage breakdown: the group `charts_summarise` times the summarising
//! step alone (`Sample::chart`), so rendering costs the difference between
//! `charts/<kind>` and `charts_summarise/<kind>`. Set
//! `ABSTAT_CHART_STAGES=0` to skip it.

#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;
use std::time::Duration;

use abstat::io::charts::{Format, Theme, render};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let theme = Theme::default();
    let stages = !std::env::var("ABSTAT_CHART_STAGES").is_ok_and(|v| v == "0");
    for (n, tag) in [(1_000_000, "1e6"), (10_000_000, "1e7")] {
        let data = sample::Sample::new(n);
        let mut g = c.benchmark_group("charts");
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        for kind in sample::KINDS {
            g.bench_function(format!("{kind}_{tag}"), |b| {
                b.iter(|| {
                    let chart = data.chart(black_box(kind));
                    render(&chart, Format::PHONE, &theme, None).unwrap()
                })
            });
        }
        g.finish();
        if !stages {
            continue;
        }
        let mut g = c.benchmark_group("charts_summarise");
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(2));
        for kind in sample::KINDS {
            g.bench_function(format!("{kind}_{tag}"), |b| {
                b.iter(|| data.chart(black_box(kind)))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
