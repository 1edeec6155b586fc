//! Chart summaries against numpy / scipy / scikit-learn / statsmodels
//! (fixtures from scripts/fixtures/gen_charts.py).

mod common;

use abstat_core::ab::Posterior;
use abstat_core::summaries::{
    Bins, BoxStats, HistogramOptions, Kde, Overlay, ScatterOptions, box_stats, box_stats_by,
    correlation_matrix, histogram, histogram_pooled, kde::EXACT_LIMIT, overlay, overlay_by,
    posterior_density, power_by_sample_size, probplot, qq, roc_points, scatter,
};
use abstat_core::{Alternative, ConfidenceInterval, NanPolicy};
use common::{assert_close, cases, data, det_uniform, num};
use serde_json::Value;

const RTOL: f64 = 1e-10;

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

fn all_close(actual: &[f64], expected: &[f64], rtol: f64, atol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_close(*a, *e, rtol, atol, &format!("{what}[{i}]"));
    }
}

/// The data of a spec with its transforms (gen_charts.py `transformed`):
/// raised to its `power`, floored to `quarters`, NaN at every `nan_every`-th
/// index (kept here: the summaries are asked to omit them).
fn powered(spec: &Value) -> Vec<f64> {
    let mut x = data(spec);
    if let Some(p) = spec.get("power") {
        let p = p.as_i64().unwrap() as i32;
        x.iter_mut().for_each(|v| *v = v.powi(p));
    }
    if spec.get("quarters").is_some() {
        x.iter_mut().for_each(|v| *v = (*v * 4.0).floor() / 4.0);
    }
    if let Some(k) = spec.get("nan_every") {
        let k = k.as_u64().unwrap() as usize;
        x.iter_mut().step_by(k).for_each(|v| *v = f64::NAN);
    }
    x
}

fn of_kind(kind: &str) -> Vec<Value> {
    let v: Vec<Value> = cases("charts")
        .into_iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert!(!v.is_empty(), "no {kind} cases");
    v
}

#[test]
fn histogram_matches_numpy_edges_and_counts() {
    for c in of_kind("histogram") {
        let name = c["name"].as_str().unwrap();
        let bins = match &c["bins"] {
            Value::Number(k) => Bins::Count(k.as_u64().unwrap() as usize),
            Value::String(s) if s == "auto" => Bins::Auto,
            Value::String(s) if s == "sturges" => Bins::Sturges,
            Value::String(s) if s == "fd" => Bins::FreedmanDiaconis,
            other => panic!("{other}"),
        };
        let range = c["range"].as_array().map(|r| (num(&r[0]), num(&r[1])));
        let opts = HistogramOptions {
            bins,
            range,
            ..Default::default()
        };
        let x = data(&c["x"]);
        let h = histogram(&x, &opts).unwrap();
        // numpy on the concatenation = the pooled histogram of the parts
        let third = x.len() / 3;
        let pooled = histogram_pooled(&[&x[..third], &[], &x[third..]], &opts).unwrap();
        assert_eq!(pooled, h, "{name}: pooled");
        let expected: Vec<u64> = c["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        // edges are linspace: the same arithmetic, so 1e-12 relative
        all_close(&h.bins.edges, &vec_of(&c["edges"]), 1e-12, 1e-300, name);
        assert_eq!(h.counts, expected, "{name}: counts");
    }
}

#[test]
fn kde_matches_scipy_gaussian_kde() {
    for c in of_kind("kde") {
        let name = c["name"].as_str().unwrap();
        let x = data(&c["x"]);
        let kde = Kde::fit(&x, NanPolicy::Omit).unwrap();
        assert_close(kde.bandwidth, num(&c["bandwidth"]), RTOL, 0.0, name);
        let grid = vec_of(&c["grid"]);
        let curve = kde.curve(c["points"].as_u64().unwrap() as usize).unwrap();
        all_close(&curve.x, &grid, 1e-12, 1e-12, name);
        let expected = vec_of(&c["density"]);
        let peak = expected.iter().cloned().fold(0.0, f64::max);
        if x.len() <= EXACT_LIMIT {
            all_close(&curve.y, &expected, RTOL, 1e-300, name);
        } else {
            // Binned estimate (module docs): error ~ (δ/h)²/8 of the peak,
            // δ = range/16383; bounded here at 1e-4 of the peak.
            all_close(&curve.y, &expected, 0.0, 1e-4 * peak, name);
        }
    }
}

#[test]
fn box_stats_match_numpy_percentiles_and_matplotlib_whiskers() {
    for c in of_kind("boxplot") {
        let name = c["name"].as_str().unwrap();
        let x = powered(&c["x"]);
        let b = box_stats(&x, 1.5, NanPolicy::Omit).unwrap();
        check_box(&b, &c, name);
    }
}

/// Box statistics against the generator's `boxplot_stats` of the same
/// values.
fn check_box(b: &BoxStats, e: &Value, name: &str) {
    for (got, key) in [
        (b.mean, "mean"),
        (b.q1, "q1"),
        (b.median, "median"),
        (b.q3, "q3"),
        (b.whisker_low, "whisker_low"),
        (b.whisker_high, "whisker_high"),
    ] {
        assert_close(got, num(&e[key]), RTOL, 1e-300, &format!("{name} {key}"));
    }
    assert_eq!(b.n_fliers as u64, e["n_fliers"].as_u64().unwrap(), "{name}");
    if e["fliers"].is_array() {
        assert_eq!(b.fliers, vec_of(&e["fliers"]), "{name}: fliers");
    } else {
        assert_eq!(b.fliers.len(), abstat_core::summaries::boxplot::MAX_FLIERS);
    }
}

#[test]
fn box_stats_by_group_match_numpy_and_the_split_groups() {
    for c in of_kind("boxplot_by") {
        let name = c["name"].as_str().unwrap();
        let x = powered(&c["x"]);
        let codes: Vec<u32> = data(&c["codes"])
            .iter()
            .map(|u| (u * u * 4.0).floor() as u32)
            .collect();
        let by = box_stats_by(&x, &codes, 4, 1.5, NanPolicy::Omit).unwrap();
        for (g, (b, e)) in by.iter().zip(c["groups"].as_array().unwrap()).enumerate() {
            let what = format!("{name} group {g}");
            check_box(b, e, &what);
            // the same as splitting the column (the mean's sum is added in
            // another order, so equal to rounding)
            let part: Vec<f64> = x
                .iter()
                .zip(&codes)
                .filter(|(_, k)| **k as usize == g)
                .map(|(v, _)| *v)
                .collect();
            let split = box_stats(&part, 1.5, NanPolicy::Omit).unwrap();
            assert_close(b.mean, split.mean, 1e-12, 0.0, &what);
            assert_eq!(
                BoxStats {
                    mean: split.mean,
                    ..b.clone()
                },
                split,
                "{what}: split"
            );
        }
    }
}

#[test]
fn box_stats_by_group_errors_and_missing_values() {
    let x = [1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0];
    let codes = [0, 1, 0, 1, 0, 1];
    // NaN omitted: the per-group path, as box_stats of each group
    let by = box_stats_by(&x, &codes, 2, 1.5, NanPolicy::Omit).unwrap();
    assert_eq!(by[0], box_stats(&[1.0, 5.0], 1.5, NanPolicy::Omit).unwrap());
    assert_eq!(
        by[1],
        box_stats(&[2.0, 4.0, 6.0], 1.5, NanPolicy::Omit).unwrap()
    );
    assert!(matches!(
        box_stats_by(&x, &codes, 2, 1.5, NanPolicy::Raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    let ok = [1.0, 2.0, 3.0];
    assert!(matches!(
        box_stats_by(&ok, &[0, 1], 2, 1.5, NanPolicy::Omit),
        Err(abstat_core::Error::LengthMismatch { .. })
    ));
    // a code beyond the groups, no groups, an empty group, a bad whisker
    assert!(box_stats_by(&ok, &[0, 1, 2], 2, 1.5, NanPolicy::Omit).is_err());
    assert!(box_stats_by(&ok, &[0, 0, 0], 0, 1.5, NanPolicy::Omit).is_err());
    assert!(matches!(
        box_stats_by(&ok, &[0, 0, 0], 2, 1.5, NanPolicy::Omit),
        Err(abstat_core::Error::TooFewObservations { .. })
    ));
    assert!(box_stats_by(&ok, &[0, 1, 0], 2, -1.0, NanPolicy::Omit).is_err());
}

#[test]
fn probplot_matches_scipy() {
    for c in of_kind("probplot") {
        let name = c["name"].as_str().unwrap();
        let x = powered(&c["x"]);
        let q = probplot(&x, NanPolicy::Omit).unwrap();
        all_close(&q.theoretical, &vec_of(&c["osm"]), RTOL, 1e-300, name);
        if let Some(k) = c["x"].get("nan_every") {
            assert_eq!(
                q.n,
                x.len() - x.len().div_ceil(k.as_u64().unwrap() as usize)
            );
            assert!(
                matches!(
                    probplot(&x, NanPolicy::Raise),
                    Err(abstat_core::Error::MissingValues { .. })
                ),
                "{name}: NaN under Raise"
            );
            assert!(probplot(&x, NanPolicy::Propagate).is_err(), "{name}");
        }
        if q.n <= qq::EXACT_LIMIT {
            assert_eq!(q.sample, vec_of(&c["osr"]), "{name}: sorted values");
            assert_close(q.fit.slope, num(&c["slope"]), RTOL, 0.0, name);
            assert_close(q.fit.intercept, num(&c["intercept"]), RTOL, 1e-14, name);
            assert_close(q.fit.r, num(&c["r"]), RTOL, 0.0, name);
        } else {
            // the plotted points are scipy's at the plotted ranks (powi vs
            // numpy's ** may differ in the last bit, hence RTOL)
            assert_eq!(q.sample.len(), qq::PLOTTED, "{name}");
            all_close(&q.sample, &vec_of(&c["osr"]), RTOL, 1e-300, name);
            // the line is a weighted fit through them (module docs): within
            // 2e-3 of the sample's spread of scipy's full fit, r within 1e-3
            let spread = num(&c["slope"]).abs();
            assert_close(q.fit.slope, num(&c["slope"]), 0.0, 2e-3 * spread, name);
            assert_close(
                q.fit.intercept,
                num(&c["intercept"]),
                0.0,
                2e-3 * spread,
                name,
            );
            assert_close(q.fit.r, num(&c["r"]), 0.0, 1e-3, name);
        }
    }
}

#[test]
fn scatter_fit_matches_linregress_and_bins_match_histogram2d() {
    for c in of_kind("scatter") {
        let name = c["name"].as_str().unwrap();
        let x = data(&c["x"]);
        let y: Vec<f64> = x
            .iter()
            .zip(data(&c["noise"]))
            .map(|(a, e)| 2.0 * a - 1.0 + e)
            .collect();
        let s = scatter(&x, &y, &ScatterOptions::default()).unwrap();
        let fit = s.fit.unwrap();
        assert_close(fit.slope, num(&c["slope"]), RTOL, 0.0, name);
        assert_close(fit.intercept, num(&c["intercept"]), RTOL, 0.0, name);
        assert_close(fit.r, num(&c["r"]), RTOL, 0.0, name);
        match &c["grid"] {
            Value::Array(_) => {
                let b = s.binned.expect("binned above max_points");
                assert!(s.points.is_none());
                all_close(&b.x_bins.edges, &vec_of(&c["x_edges"]), 1e-12, 0.0, name);
                all_close(&b.y_bins.edges, &vec_of(&c["y_edges"]), 1e-12, 0.0, name);
                let expected: Vec<Vec<u64>> = c["counts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        r.as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_u64().unwrap())
                            .collect()
                    })
                    .collect();
                assert_eq!(b.counts, expected, "{name}: histogram2d");
            }
            _ => assert_eq!(s.points.unwrap().0, x),
        }
    }
}

#[test]
fn correlation_matrix_matches_corrcoef() {
    for c in of_kind("corrcoef") {
        let name = c["name"].as_str().unwrap();
        let cols: Vec<Vec<f64>> = c["columns"].as_array().unwrap().iter().map(data).collect();
        let (a, b, u) = (&cols[0], &cols[1], &cols[2]);
        let second: Vec<f64> = a.iter().zip(b).map(|(x, y)| 0.5 * x + y).collect();
        let third: Vec<f64> = u.iter().zip(b).map(|(x, y)| x - 0.3 * y).collect();
        let m =
            correlation_matrix(&["a", "b", "c"], &[a, &second, &third], NanPolicy::Omit).unwrap();
        for (i, row) in c["r"].as_array().unwrap().iter().enumerate() {
            all_close(
                &m.r[i],
                &vec_of(row),
                RTOL,
                1e-14,
                &format!("{name} row {i}"),
            );
        }
    }
}

#[test]
fn overlay_matches_numpy_pooled_bins_counts_and_gaussian_kde() {
    for c in of_kind("overlay") {
        let samples: Vec<Vec<f64>> = c["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(powered)
            .collect();
        let refs: Vec<&[f64]> = samples.iter().map(|s| &s[..]).collect();
        let points = c["points"].as_u64().unwrap() as usize;
        let o = overlay(&refs, &HistogramOptions::default(), points).unwrap();
        check_overlay(&o, &c, &refs);
    }
}

/// `o` against the fixture case `c` (numpy's pooled bins and counts,
/// scipy's KDE), and its densities against [`Kde::fit`] of each sample.
fn check_overlay(o: &Overlay, c: &Value, samples: &[&[f64]]) {
    let name = c["name"].as_str().unwrap();
    let points = c["points"].as_u64().unwrap() as usize;
    let expected = c["series"].as_array().unwrap();
    assert_eq!(o.series.len(), expected.len(), "{name}");
    for (k, (s, e)) in o.series.iter().zip(expected).enumerate() {
        let what = format!("{name} series {k}");
        // edges are linspace: the same arithmetic, so 1e-12 relative
        all_close(
            &s.histogram.bins.edges,
            &vec_of(&c["edges"]),
            1e-12,
            1e-300,
            &what,
        );
        let counts: Vec<u64> = e["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(s.histogram.counts, counts, "{what}: counts");
        assert_eq!(s.histogram.n, counts.iter().sum::<u64>(), "{what}: n");
        let d = s.density.as_ref().expect("a density");
        all_close(&d.x, &vec_of(&e["grid"]), 1e-12, 1e-12, &what);
        let dens = vec_of(&e["density"]);
        let n = s.histogram.n as usize;
        if n <= EXACT_LIMIT {
            all_close(&d.y, &dens, RTOL, 1e-300, &what);
        } else {
            // the binned KDE's bound of `kde_matches_scipy_gaussian_kde`
            let peak = dens.iter().cloned().fold(0.0, f64::max);
            all_close(&d.y, &dens, 0.0, 1e-4 * peak, &what);
        }
        let kde = Kde::fit(samples[k], NanPolicy::Omit).unwrap();
        assert_close(kde.bandwidth, num(&e["bandwidth"]), RTOL, 0.0, &what);
        // the fused pass bins exactly as Kde::fit does
        assert_eq!(d, &kde.curve(points).unwrap(), "{what}: Kde::fit");
    }
}

/// Group codes floor(3u) of a fixture's uniform spec (gen_charts.py
/// "overlay_by").
fn thirds(spec: &Value) -> Vec<u32> {
    data(spec)
        .iter()
        .map(|u| (u * 3.0).floor() as u32)
        .collect()
}

/// The values of `x` whose code is `g`, in row order.
fn part_of(x: &[f64], codes: &[u32], g: u32) -> Vec<f64> {
    x.iter()
        .zip(codes)
        .filter(|(_, k)| **k == g)
        .map(|(v, _)| *v)
        .collect()
}

#[test]
fn overlay_by_group_matches_numpy_and_the_split_groups() {
    for c in of_kind("overlay_by") {
        let name = c["name"].as_str().unwrap();
        let x = powered(&c["x"]);
        let codes = thirds(&c["codes"]);
        let wanted: Vec<u32> = c["wanted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let points = c["points"].as_u64().unwrap() as usize;
        let opts = HistogramOptions::default();
        let by = overlay_by(&x, &codes, &wanted, &opts, points).unwrap();
        let parts: Vec<Vec<f64>> = wanted.iter().map(|&g| part_of(&x, &codes, g)).collect();
        let refs: Vec<&[f64]> = parts.iter().map(|p| &p[..]).collect();
        // against numpy / scipy, and Kde::fit of each group within the
        // binned density's summation order (the assert_eq there holds for
        // the exact KDE only, so compare the split path below instead)
        let split = overlay(&refs, &opts, points).unwrap();
        check_overlay(&split, &c, &refs);
        for (k, (b, s)) in by.series.iter().zip(&split.series).enumerate() {
            let what = format!("{name} series {k}");
            // the same bins and counts, bit for bit
            assert_eq!(b.histogram, s.histogram, "{what}: histogram");
            let (db, ds) = (b.density.as_ref().unwrap(), s.density.as_ref().unwrap());
            if s.histogram.n as usize <= EXACT_LIMIT {
                assert_eq!(db, ds, "{what}: exact density");
            } else {
                // the binned density's grid weights and Scott's variance
                // are summed over row blocks instead of the split groups'
                // blocks: equal up to that summation order
                // (points near 0 are compared on the curve's span)
                let span = ds.x[ds.x.len() - 1] - ds.x[0];
                all_close(&db.x, &ds.x, 1e-13, 1e-13 * span, &what);
                all_close(&db.y, &ds.y, 1e-12, 1e-300, &what);
            }
        }
    }
}

#[test]
fn overlay_by_group_errors_and_missing_values() {
    let opts = HistogramOptions::default();
    let x = [1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0, 9.0];
    let codes = [0, 1, 0, 1, 0, 1, 7];
    // NaN omitted: the split path, as overlay of the groups
    let by = overlay_by(&x, &codes, &[1, 0], &opts, 20).unwrap();
    let split = overlay(&[&[2.0, 4.0, 6.0], &[1.0, 5.0]], &opts, 20).unwrap();
    assert_eq!(by, split);
    assert!(matches!(
        overlay_by(
            &x,
            &codes,
            &[0, 1],
            &HistogramOptions {
                nan_policy: NanPolicy::Raise,
                ..opts
            },
            20
        ),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    let ok = [1.0, 2.0, 3.0, 4.0];
    assert!(matches!(
        overlay_by(&ok, &[0, 1], &[0, 1], &opts, 20),
        Err(abstat_core::Error::LengthMismatch { .. })
    ));
    // an empty group, a code asked for twice, no groups, too few points
    assert!(matches!(
        overlay_by(&ok, &[0, 0, 1, 1], &[0, 2], &opts, 20),
        Err(abstat_core::Error::TooFewObservations { .. })
    ));
    assert!(overlay_by(&ok, &[0, 0, 1, 1], &[0, 0], &opts, 20).is_err());
    assert!(overlay_by(&ok, &[0, 0, 1, 1], &[], &opts, 20).is_err());
    assert!(overlay_by(&ok, &[0, 0, 1, 1], &[0, 1], &opts, 1).is_err());
    // an infinite value in a wanted group is refused, in another skipped
    let inf = [1.0, 2.0, f64::INFINITY, 4.0, 7.0];
    assert!(overlay_by(&inf, &[0, 1, 0, 1, 0], &[0, 1], &opts, 20).is_err());
    let by = overlay_by(&inf, &[0, 1, 2, 1, 0], &[0, 1], &opts, 20).unwrap();
    assert_eq!(by, overlay(&[&[1.0, 7.0], &[2.0, 4.0]], &opts, 20).unwrap());
    // a huge code is looked up without a table; a constant group has no
    // density; a range takes the split path
    let big = u32::MAX - 1;
    let by = overlay_by(&ok, &[big, 3, big, 3], &[3, big], &opts, 20).unwrap();
    assert_eq!(by, overlay(&[&[2.0, 4.0], &[1.0, 3.0]], &opts, 20).unwrap());
    let by = overlay_by(&[1.0, 2.0, 5.0, 5.0], &[0, 0, 1, 1], &[0, 1], &opts, 20).unwrap();
    assert!(by.series[0].density.is_some() && by.series[1].density.is_none());
    let ranged = HistogramOptions {
        range: Some((0.0, 3.0)),
        ..opts
    };
    let by = overlay_by(&ok, &[0, 1, 0, 1], &[0, 1], &ranged, 20).unwrap();
    assert_eq!(
        by,
        overlay(&[&[1.0, 3.0], &[2.0, 4.0]], &ranged, 20).unwrap()
    );
}

#[test]
fn overlay_by_group_fused_path_equals_split_with_every_bin_rule() {
    // several row chunks, groups well above and below the exact KDE limit
    let n = 200_000;
    let u = det_uniform(91, n);
    let x: Vec<f64> = det_uniform(92, n).iter().map(|v| v * v * 50.0).collect();
    let codes: Vec<u32> = u.iter().map(|v| if *v < 0.05 { 5 } else { 1 }).collect();
    for bins in [
        Bins::Auto,
        Bins::Sturges,
        Bins::FreedmanDiaconis,
        Bins::Count(17),
    ] {
        let opts = HistogramOptions {
            bins,
            ..Default::default()
        };
        let by = overlay_by(&x, &codes, &[5, 1], &opts, 30).unwrap();
        let (a, b) = (part_of(&x, &codes, 5), part_of(&x, &codes, 1));
        let split = overlay(&[&a, &b], &opts, 30).unwrap();
        assert!(a.len() <= EXACT_LIMIT && b.len() > EXACT_LIMIT);
        assert_eq!(by.series[0], split.series[0], "{bins:?}: small group");
        assert_eq!(
            by.series[1].histogram, split.series[1].histogram,
            "{bins:?}"
        );
        let (db, ds) = (
            by.series[1].density.as_ref().unwrap(),
            split.series[1].density.as_ref().unwrap(),
        );
        // summation order of the binned density only (see above)
        all_close(&db.y, &ds.y, 1e-12, 1e-300, &format!("{bins:?}"));
    }
}

#[test]
fn overlay_by_group_quartiles_survive_a_misleading_row_sample_and_junk_in_other_groups() {
    // The fused path guesses the quartiles' buckets from evenly spaced
    // rows. Here those rows (every 48th of 200 000, and more) hold tiny
    // values while the rest lie in [1, 2]: the guess puts almost every value
    // in one bucket, so the path must count again over the real extent.
    // Rows of groups not asked for hold NaN, ±∞ and codes beyond any table;
    // they must change nothing.
    let n = 200_000;
    let u = det_uniform(93, n);
    let x: Vec<f64> = u
        .iter()
        .enumerate()
        .map(|(i, v)| match i % 48 {
            0 => 1e-9 * v,
            7 => f64::NAN,
            11 => f64::INFINITY,
            13 => f64::NEG_INFINITY,
            _ => 1.0 + v,
        })
        .collect();
    let codes: Vec<u32> = (0..n)
        .map(|i| match i % 48 {
            7 | 11 => 3,
            13 => 1 << 20,
            _ => (i % 2) as u32,
        })
        .collect();
    for bins in [Bins::Auto, Bins::FreedmanDiaconis] {
        let opts = HistogramOptions {
            bins,
            ..Default::default()
        };
        let by = overlay_by(&x, &codes, &[1, 0], &opts, 30).unwrap();
        let (a, b) = (part_of(&x, &codes, 1), part_of(&x, &codes, 0));
        let split = overlay(&[&a, &b], &opts, 30).unwrap();
        for (k, (s, t)) in by.series.iter().zip(&split.series).enumerate() {
            // the same quartiles, so the same bins and counts
            assert_eq!(s.histogram, t.histogram, "{bins:?} series {k}");
            let (ds, dt) = (s.density.as_ref().unwrap(), t.density.as_ref().unwrap());
            all_close(&ds.y, &dt.y, 1e-12, 1e-300, &format!("{bins:?} {k}"));
        }
    }
}

#[test]
fn overlay_refuses_what_it_cannot_draw() {
    let x = [1.0, 2.0, 3.0];
    let opts = HistogramOptions::default();
    assert!(matches!(
        overlay(&[&x, &[f64::NAN]], &opts, 50),
        Err(abstat_core::Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        overlay(
            &[&x, &[1.0, f64::NAN]],
            &HistogramOptions {
                nan_policy: NanPolicy::Raise,
                ..opts
            },
            50
        ),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    assert!(overlay(&[&x], &opts, 1).is_err());
    assert!(overlay(&[&x, &[f64::INFINITY, 1.0]], &opts, 50).is_err());
    // a constant sample is drawn as bars without a density
    let o = overlay(&[&x, &[2.0, 2.0]], &opts, 50).unwrap();
    assert!(o.series[0].density.is_some() && o.series[1].density.is_none());
    assert_eq!(o.series[1].histogram.n, 2);
}

#[test]
fn roc_matches_sklearn_exactly_and_binned_within_its_bound() {
    for c in of_kind("roc") {
        let name = c["name"].as_str().unwrap();
        let scores = data(&c["scores"]);
        let u = det_uniform(c["seed_u"].as_u64().unwrap(), scores.len());
        let positive: Vec<bool> = scores
            .iter()
            .zip(&u)
            .map(|(s, u)| *u < 1.0 / (1.0 + (-2.0 * s).exp()))
            .collect();
        let roc = roc_points(&positive, &scores).unwrap();
        let exact = scores.len() <= abstat_core::summaries::roc::EXACT_LIMIT;
        assert_eq!(roc.binned, !exact, "{name}: binned flag");
        let every = |v: &[f64]| v.iter().step_by(97).copied().collect::<Vec<_>>();
        if c["points"].is_u64() {
            // every 97th point of sklearn's curve (fixture kept small)
            assert_eq!(
                roc.fpr.len() as u64,
                c["points"].as_u64().unwrap(),
                "{name}"
            );
            all_close(
                &every(&roc.fpr),
                &vec_of(&c["fpr_every_97"]),
                RTOL,
                0.0,
                name,
            );
            all_close(
                &every(&roc.tpr),
                &vec_of(&c["tpr_every_97"]),
                RTOL,
                0.0,
                name,
            );
            assert_close(roc.auc, num(&c["auc"]), RTOL, 0.0, name);
        } else if c["fpr"].is_array() {
            all_close(&roc.fpr, &vec_of(&c["fpr"]), RTOL, 0.0, name);
            all_close(&roc.tpr, &vec_of(&c["tpr"]), RTOL, 0.0, name);
            assert_close(roc.auc, num(&c["auc"]), RTOL, 0.0, name);
        } else {
            // Binned curve (module docs): ties inside 20 000 score bins move
            // the area by at most about one bin's share of pairs, < 1e-4.
            assert_close(roc.auc, num(&c["auc"]), 0.0, 1e-4, name);
            assert!(roc.fpr.len() <= 20_001);
            if c["binned_points"].is_u64() {
                // the binned points: numpy.histogram counts of each class
                // on the same edges, cumulated from the top (exact counts,
                // so the rates agree to rounding)
                assert_eq!(
                    roc.fpr.len() as u64,
                    c["binned_points"].as_u64().unwrap(),
                    "{name}"
                );
                let fpr = vec_of(&c["binned_fpr_every_97"]);
                all_close(&every(&roc.fpr), &fpr, RTOL, 0.0, name);
                let tpr = vec_of(&c["binned_tpr_every_97"]);
                all_close(&every(&roc.tpr), &tpr, RTOL, 0.0, name);
            }
        }
    }
}

#[test]
fn power_curve_matches_statsmodels_normal_ind_power() {
    for c in of_kind("power") {
        let alt: Alternative = c["alternative"].as_str().unwrap().parse().unwrap();
        let curve = power_by_sample_size(
            num(&c["effect"]),
            num(&c["std_dev"]),
            num(&c["alpha"]),
            alt,
            &vec_of(&c["sizes"]),
        )
        .unwrap();
        all_close(
            &curve.power,
            &vec_of(&c["power"]),
            RTOL,
            1e-300,
            &format!("{alt:?}"),
        );
    }
}

#[test]
fn posterior_density_matches_scipy_norm_pdf() {
    for c in of_kind("posterior") {
        let (mean, sd) = (num(&c["mean"]), num(&c["std_dev"]));
        let post = Posterior {
            mean,
            std_dev: sd,
            ci: ConfidenceInterval {
                lower: mean - 2.0 * sd,
                upper: mean + 2.0 * sd,
                level: 0.95,
            },
            chance_to_win: 0.5,
            risk_control: 0.0,
            risk_treatment: 0.0,
        };
        let d = posterior_density(&post, c["points"].as_u64().unwrap() as usize).unwrap();
        all_close(&d.x, &vec_of(&c["x"]), 1e-12, 1e-15, "x");
        all_close(&d.y, &vec_of(&c["pdf"]), RTOL, 1e-300, "pdf");
    }
}

#[test]
fn ten_million_values_are_summarised_not_kept() {
    let x = common::det_normal(5, 10_000_000, 0.0, 1.0);
    let h = histogram(&x, &HistogramOptions::default()).unwrap();
    assert_eq!(h.n, 10_000_000);
    assert!(h.counts.len() < 5000);
    let q = probplot(&x, NanPolicy::Omit).unwrap();
    assert_eq!(q.n, 10_000_000);
    assert_eq!(q.sample.len(), qq::PLOTTED);
    let s = scatter(&x[..5_000_000], &x[5_000_000..], &ScatterOptions::default()).unwrap();
    assert!(s.points.is_none());
    let cells: u64 = s.binned.unwrap().counts.iter().flatten().sum();
    assert_eq!(cells, 5_000_000);
    let k = Kde::fit(&x, NanPolicy::Omit).unwrap().curve(200).unwrap();
    // integrates to ~1 (trapezoid on 200 points)
    let area: f64 =
        k.x.windows(2)
            .zip(k.y.windows(2))
            .map(|(a, b)| (a[1] - a[0]) * (b[0] + b[1]) / 2.0)
            .sum();
    assert!((area - 1.0).abs() < 1e-3, "area {area}");
}

#[test]
fn nan_policies_and_errors() {
    let x = [1.0, f64::NAN, 3.0, 4.0];
    assert!(histogram(&x, &HistogramOptions::default()).is_ok());
    let raise = HistogramOptions {
        nan_policy: NanPolicy::Raise,
        ..Default::default()
    };
    assert!(matches!(
        histogram(&x, &raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    assert!(box_stats(&x, 1.5, NanPolicy::Propagate).is_err());
    assert!(probplot(&[], NanPolicy::Omit).is_err());
    assert!(scatter(&[1.0], &[1.0, 2.0], &ScatterOptions::default()).is_err());
    assert!(correlation_matrix(&["a"], &[&[1.0, 2.0]], NanPolicy::Omit).is_err());
    assert!(correlation_matrix(&["a", "b"], &[&[1.0, 1.0], &[1.0, 2.0]], NanPolicy::Omit).is_err());
    assert!(power_by_sample_size(0.1, 1.0, 0.05, Alternative::TwoSided, &[]).is_err());
    assert!(power_by_sample_size(0.1, 1.0, 1.5, Alternative::TwoSided, &[10.0]).is_err());
    assert!(roc_points(&[true, true], &[0.1, 0.2]).is_err());
}

#[test]
fn cumulative_lift_ends_at_the_sequential_comparison_of_the_totals() {
    use abstat_core::ab::frequentist::MetricStats;
    use abstat_core::ab::{PowerSums, SequentialOptions, compare_sequential};
    use abstat_core::summaries::cumulative_lift;
    let period = |seed: u64, loc: f64| {
        let y = common::det_normal(seed, 400, loc, 3.0);
        MetricStats::Mean(PowerSums::new(
            400,
            y.iter().sum(),
            y.iter().map(|v| v * v).sum(),
        ))
    };
    let control: Vec<MetricStats> = (0..6).map(|t| period(100 + 2 * t, 10.0)).collect();
    let treatment: Vec<MetricStats> = (0..6).map(|t| period(200 + 2 * t, 10.4)).collect();
    let opts = SequentialOptions::default();
    let points = cumulative_lift(&control, &treatment, &opts).unwrap();
    assert_eq!(points.len(), 6);
    let total = |s: &[MetricStats]| {
        let mut m = PowerSums::new(0, 0.0, 0.0);
        for p in s {
            if let MetricStats::Mean(x) = p {
                m.combine(x);
            }
        }
        MetricStats::Mean(m)
    };
    let cmp = compare_sequential(&total(&control), &total(&treatment), &opts).unwrap();
    let rel = cmp.relative.unwrap();
    let last = points.last().unwrap();
    assert_eq!((last.n_control, last.n_treatment), (2400, 2400));
    // the same sums added in the same order: equal to rounding
    assert_close(last.lift, rel.estimate, 1e-12, 0.0, "lift");
    assert_close(last.lower, rel.ci.lower, 1e-12, 0.0, "lower");
    assert_close(last.upper, rel.ci.upper, 1e-12, 0.0, "upper");
    assert!(
        points
            .windows(2)
            .all(|w| w[1].upper - w[1].lower < w[0].upper - w[0].lower)
    );
    assert!(cumulative_lift(&control, &treatment[..2], &opts).is_err());
    assert!(cumulative_lift(&[], &[], &opts).is_err());
}
