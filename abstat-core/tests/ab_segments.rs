//! Segmented A/B analysis against GrowthBook's gbstats 0.8.0 per segment,
//! statsmodels `multipletests` over the segments × treatments × metrics
//! family and gbstats `check_srm` per segment, with the segments formed
//! independently by pandas; fixtures from scripts/fixtures/gen_ab_segments.py.
//! Both entry points (raw columns, per-value sufficient statistics) are
//! checked against the same expected numbers and against each other.

mod ab_support;
mod common;

use ab_support::{assert_corrected_cell, stats_of};
use abstat_core::ab::{
    Correction, Dimension, Engine, ExperimentOptions, ExperimentResult, MetricColumns, MetricInput,
    MetricStats, PowerSums, QuantileStats, RawMetric, SegmentKind, SegmentOptions, SegmentStats,
    SegmentedResult, Verdict, analyze, analyze_segments, analyze_segments_columns,
};
use abstat_core::{Error, NanPolicy};
use common::{assert_close, cases, data, num};
use serde_json::Value;

// Effects and adjusted p-values are compared at 1e-8 relative
// (ab_support::assert_corrected_cell): gbstats runs on the same sums with the
// same formulas, what remains is rounding in different orders of summation
// and the t quantile; the A/B tolerance of tests/ab.rs (the issue's).

/// p-values: gbstats computes 1 − cdf, abstat the survival function.
const P_ATOL: f64 = 1e-15;

/// (name, generator kind) of the fixture's metrics, in order.
const METRICS: [(&str, &str); 4] = [
    ("revenue", "mean"),
    ("conversion", "proportion"),
    ("revenue per session", "ratio"),
    ("revenue (CUPED)", "cuped"),
];

struct Columns {
    dimension: Vec<Option<String>>,
    variant: Vec<u32>,
    y: Vec<f64>,
    x: Vec<f64>,
    d: Vec<f64>,
    c: Vec<f64>,
}

fn columns(c: &Value) -> Columns {
    let d = &c["data"];
    Columns {
        dimension: d["dimension"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        variant: d["variant"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect(),
        y: data(&d["y"]),
        x: data(&d["x"]),
        d: data(&d["d"]),
        c: data(&d["c"]),
    }
}

fn options(c: &Value) -> (ExperimentOptions, SegmentOptions) {
    let correction = match c["correction"].as_str() {
        None => None,
        Some("bonferroni") => Some(Correction::Bonferroni),
        Some("holm") => Some(Correction::Holm),
        Some("benjamini-hochberg") => Some(Correction::BenjaminiHochberg),
        Some(other) => panic!("{other}"),
    };
    let engine = match c["tuning"].as_f64() {
        None => Engine::Fixed,
        Some(tuning) => Engine::Sequential { tuning },
    };
    (
        ExperimentOptions {
            correction,
            engine,
            ..Default::default()
        },
        SegmentOptions {
            top: c["top"].as_u64().unwrap() as usize,
            min_segment_units: c["min_segment_units"].as_u64().unwrap(),
        },
    )
}

/// The metric column `y` and the variants of the rows whose dimension is `value`.
fn rows_of(cols: &Columns, value: &str) -> (Vec<f64>, Vec<u32>) {
    (0..cols.y.len())
        .filter(|&i| cols.dimension[i].as_deref() == Some(value))
        .map(|i| (cols.y[i], cols.variant[i]))
        .unzip()
}

/// [`analyze_segments_columns`] on the case's dimension and variants.
fn run_columns(
    cols: &Columns,
    metrics: &[RawMetric<'_>],
    weights: &[f64],
    opts: &ExperimentOptions,
    seg: &SegmentOptions,
) -> SegmentedResult {
    let dim = Dimension::from_labels(&cols.dimension);
    analyze_segments_columns(
        &dim,
        &cols.variant,
        metrics,
        weights,
        NanPolicy::Omit,
        opts,
        seg,
    )
    .unwrap()
}

fn from_columns(c: &Value) -> SegmentedResult {
    let cols = columns(c);
    let (opts, seg) = options(c);
    let metrics = [
        RawMetric {
            name: "revenue",
            higher_is_better: true,
            columns: MetricColumns::Mean(&cols.y),
        },
        RawMetric {
            name: "conversion",
            higher_is_better: true,
            columns: MetricColumns::Proportion(&cols.c),
        },
        RawMetric {
            name: "revenue per session",
            higher_is_better: true,
            columns: MetricColumns::Ratio {
                numerator: &cols.y,
                denominator: &cols.d,
            },
        },
        RawMetric {
            name: "revenue (CUPED)",
            higher_is_better: true,
            columns: MetricColumns::RegressionAdjusted {
                metric: &cols.y,
                covariate: &cols.x,
            },
        },
    ];
    run_columns(&cols, &metrics, &data(&c["weights"]), &opts, &seg)
}

/// The per-value sums the generator wrote (a `GROUP BY dimension, variant`).
fn by_value(c: &Value) -> Vec<SegmentStats> {
    c["by_value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| SegmentStats {
            value: v["value"].as_str().map(str::to_string),
            units: counts(&v["units"]),
            metrics: METRICS
                .iter()
                .map(|(name, kind)| MetricInput {
                    name: name.to_string(),
                    higher_is_better: true,
                    variants: v["metrics"][name]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| stats_of(kind, s))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn from_sums(c: &Value) -> SegmentedResult {
    let (opts, seg) = options(c);
    analyze_segments(&by_value(c), &data(&c["weights"]), &opts, &seg).unwrap()
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// One analysed part (a segment or the whole) against the generator's
/// units, SRM p-value and cells.
fn check_part(got: &ExperimentResult, want: &Value, bonferroni: bool, what: &str) {
    // gbstats' 1 − cdf differs from the survival function by up to P_ATOL;
    // the correction multiplies a p-value by at most m, and the difference
    // with it.
    let adjusted_atol = P_ATOL * got.comparisons as f64;
    assert_eq!(got.srm.observed, counts(&want["units"]), "{what} units");
    assert_close(
        got.srm.p_value,
        num(&want["srm_p_value"]),
        1e-10,
        1e-300,
        &format!("{what} SRM"),
    );
    for cell in want["cells"].as_array().unwrap() {
        let metric = cell["metric"].as_str().unwrap();
        let v = cell["variant"].as_u64().unwrap() as usize;
        let what = format!("{what} {metric} v{v}");
        let mi = got.metrics.iter().position(|m| m.name == metric).unwrap();
        let t = &got.metrics[mi].treatments[v - 1];
        assert_eq!(t.variant, v);
        let Some(abs) = cell.get("absolute") else {
            assert!(t.comparison.is_none(), "{what}: no comparison expected");
            let why = if cell.get("zero_variance").is_some() {
                "zero variance"
            } else {
                "too few"
            };
            assert!(
                t.error.as_ref().unwrap().contains(why),
                "{what}: {:?}",
                t.error
            );
            assert!(t.adjusted_p_value.is_nan());
            let verdict = got.verdict(mi, v - 1).unwrap();
            assert!(
                matches!(
                    verdict,
                    Verdict::NotEnoughData | Verdict::SampleRatioMismatch
                ),
                "{what}: {verdict:?}"
            );
            continue;
        };
        assert_corrected_cell(t, cell, bonferroni, adjusted_atol, &what);
        let expected = if got.srm.is_mismatch() {
            Verdict::SampleRatioMismatch
        } else if num(&cell["absolute_adjusted_p"]) <= 0.05 {
            if num(&abs["estimate"]) > 0.0 {
                Verdict::SignificantWin
            } else {
                Verdict::SignificantLoss
            }
        } else {
            Verdict::Inconclusive
        };
        assert_eq!(got.verdict(mi, v - 1), Some(expected), "{what}");
    }
}

fn check_result(r: &SegmentedResult, c: &Value, path: &str) {
    let name = format!("{} ({path})", c["name"].as_str().unwrap());
    let bonferroni = c["correction"] == "bonferroni";
    let want = c["segments"].as_array().unwrap();
    let names = |s: &[String]| s.join(",");
    assert_eq!(
        r.segments
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>(),
        want.iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        "{name}: segments"
    );
    assert_eq!(
        r.family.comparisons,
        c["family_comparisons"].as_u64().unwrap() as usize
    );
    assert_eq!(r.family.segments, want.len());
    assert_eq!(r.family.metrics, METRICS.len());
    for (s, w) in r.segments.iter().zip(want) {
        let what = format!("{name} segment {}", s.name);
        let kind = match w["kind"].as_str().unwrap() {
            "value" => SegmentKind::Value,
            "other" => SegmentKind::Other,
            _ => SegmentKind::Missing,
        };
        assert_eq!(s.kind, kind, "{what}");
        let values: Vec<String> = w["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(names(&s.values), names(&values), "{what} values");
        assert_eq!(s.units, counts(&w["units"]), "{what}");
        assert_eq!(s.analysis.comparisons, r.family.comparisons);
        check_part(&s.analysis, w, bonferroni, &what);
    }
    let overall = &c["overall"];
    assert_eq!(
        r.overall.comparisons,
        overall["comparisons"].as_u64().unwrap() as usize
    );
    check_part(&r.overall, overall, bonferroni, &format!("{name} overall"));
}

#[test]
fn segments_match_gbstats_and_statsmodels_from_columns_and_from_sums() {
    for c in cases("ab_segments") {
        let raw = from_columns(&c);
        let sums = from_sums(&c);
        check_result(&raw, &c, "columns");
        check_result(&sums, &c, "sums");
    }
}

#[test]
fn other_is_named_and_lists_its_values() {
    let c = &cases("ab_segments")[0];
    let r = from_columns(c);
    let other = r.segment("other", SegmentKind::Other).unwrap();
    assert_eq!(other.values.len(), 4);
    assert!(other.notes[0].contains("4 value(s) outside the top 3"));
    let missing = r.segment("(missing)", SegmentKind::Missing).unwrap();
    assert!(missing.values.is_empty());
    // every row is in exactly one segment
    let total: u64 = r.segments.iter().flat_map(|s| s.units.iter()).sum();
    assert_eq!(total, columns(c).variant.len() as u64);
}

/// Variant 2 never reached the "beta" platform: its cells are left out with
/// a note naming the variant, the segment's own SRM check fires, and the
/// other segments are unaffected.
#[test]
fn a_segment_without_a_variant_gets_a_note_not_a_panic() {
    let c = &cases("ab_segments")[1];
    let r = from_columns(c);
    let beta = r.segment("beta", SegmentKind::Value).unwrap();
    assert_eq!(beta.units[2], 0);
    assert!(beta.analysis.srm.is_mismatch());
    assert!(
        beta.notes
            .iter()
            .any(|n| n.contains("variant 2") && n.contains("no units")),
        "{:?}",
        beta.notes
    );
    assert!(
        beta.notes
            .iter()
            .any(|n| n.contains("sample ratio mismatch"))
    );
    let bi = r.segments.iter().position(|s| s.name == "beta").unwrap();
    assert_eq!(r.verdict(bi, 0, 1), Some(Verdict::SampleRatioMismatch));
    assert!(beta.analysis.metrics[0].treatments[1].comparison.is_none());
    assert!(r.segments[0].notes.is_empty(), "{:?}", r.segments[0].notes);
    // a minimum of 60 units merged the two small platforms
    let other = r.segment("other", SegmentKind::Other).unwrap();
    assert!(other.notes[0].contains("fewer than 60 units"));
}

/// The segmentation itself does not change the numbers of a segment: each
/// equals [`analyze`] on that segment's rows alone, apart from the
/// correction (here none).
#[test]
fn each_segment_equals_the_analysis_of_its_rows() {
    let c = &cases("ab_segments")[0];
    let cols = columns(c);
    let opts = ExperimentOptions::default();
    let seg = SegmentOptions {
        top: 3,
        min_segment_units: 0,
    };
    let metric = [RawMetric {
        name: "revenue",
        higher_is_better: true,
        columns: MetricColumns::Mean(&cols.y),
    }];
    let r = run_columns(&cols, &metric, &[1.0, 1.0], &opts, &seg);
    let us = r.segment("US", SegmentKind::Value).unwrap();
    let (y, v) = rows_of(&cols, "US");
    let s = PowerSums::by_variant(&y, &v, 2, NanPolicy::Omit).unwrap();
    let alone = analyze(
        &us.units,
        &[1.0, 1.0],
        &[MetricInput {
            name: "revenue".into(),
            higher_is_better: true,
            variants: s.into_iter().map(MetricStats::Mean).collect(),
        }],
        &opts,
    )
    .unwrap();
    assert_eq!(us.analysis.metrics, alone.metrics);
    assert_eq!(us.analysis.srm, alone.srm);
}

/// Quantile metrics: from raw columns each segment's quantile is that of
/// its own rows; from per-value summaries they cannot be merged.
#[test]
fn quantile_metrics_need_the_raw_columns() {
    let c = &cases("ab_segments")[2];
    let cols = columns(c);
    let (opts, seg) = options(c);
    let metric = [RawMetric {
        name: "median revenue",
        higher_is_better: true,
        columns: MetricColumns::Quantile {
            values: &cols.y,
            nu: 0.5,
        },
    }];
    let weights = data(&c["weights"]);
    let r = run_columns(&cols, &metric, &weights, &opts, &seg);
    let free = r.segment("free", SegmentKind::Value).unwrap();
    let (y, v) = rows_of(&cols, "free");
    let q = QuantileStats::by_variant(&y, &v, 2, 0.5, NanPolicy::Omit).unwrap();
    let got = free.analysis.metrics[0].treatments[0]
        .comparison
        .as_ref()
        .unwrap();
    assert_eq!((got.control.n, got.control.mean), (q[0].n, q[0].quantile));
    assert_eq!(
        (got.treatment.n, got.treatment.mean),
        (q[1].n, q[1].quantile)
    );
    let want: Vec<MetricStats> = q.into_iter().map(MetricStats::Quantile).collect();
    let values: Vec<SegmentStats> = ["free", "pro", "team"]
        .iter()
        .map(|name| SegmentStats {
            value: Some(name.to_string()),
            units: vec![100, 100],
            metrics: vec![MetricInput {
                name: "median revenue".into(),
                higher_is_better: true,
                variants: want.clone(),
            }],
        })
        .collect();
    let err = analyze_segments(&values, &weights, &opts, &seg).unwrap_err();
    assert!(err.to_string().contains("raw columns"), "{err}");
}

#[test]
fn segment_error_paths() {
    let opts = ExperimentOptions::default();
    let seg = SegmentOptions::default();
    let metric = |n: u64| MetricInput {
        name: "m".into(),
        higher_is_better: true,
        variants: vec![MetricStats::Mean(PowerSums::new(n, 1.0, 2.0)); 2],
    };
    let value = |v: Option<&str>, units: Vec<u64>| SegmentStats {
        value: v.map(str::to_string),
        units,
        metrics: vec![metric(5)],
    };
    let w = [1.0, 1.0];
    assert!(matches!(
        analyze_segments(&[], &w, &opts, &seg),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        analyze_segments(
            &[value(Some("a"), vec![5, 5])],
            &w,
            &opts,
            &SegmentOptions { top: 0, ..seg }
        ),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        analyze_segments(&[value(Some("a"), vec![5, 5, 5])], &w, &opts, &seg),
        Err(Error::LengthMismatch { .. })
    ));
    let twice = [value(Some("a"), vec![5, 5]), value(Some("a"), vec![6, 6])];
    let err = analyze_segments(&twice, &w, &opts, &seg).unwrap_err();
    assert!(err.to_string().contains("'a' twice"), "{err}");
    let empty = [value(Some("a"), vec![0, 0])];
    assert!(analyze_segments(&empty, &w, &opts, &seg).is_err());
    let mut other_metrics = value(Some("b"), vec![5, 5]);
    other_metrics.metrics[0].name = "n".into();
    let err = analyze_segments(
        &[value(Some("a"), vec![5, 5]), other_metrics],
        &w,
        &opts,
        &seg,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("metrics of segment value 'b'"),
        "{err}"
    );
    let bad = ExperimentOptions { control: 2, ..opts };
    assert!(analyze_segments(&[value(Some("a"), vec![5, 5])], &w, &bad, &seg).is_err());
    // raw columns: lengths, variant indices, proportions, NaN under raise
    let dim = Dimension::from_labels(&[Some("a"), Some("b"), None]);
    let y = [1.0, f64::NAN, 0.5];
    let m = [RawMetric {
        name: "m",
        higher_is_better: true,
        columns: MetricColumns::Mean(&y),
    }];
    let run = |variant: &[u32], m: &[RawMetric<'_>], policy| {
        analyze_segments_columns(&dim, variant, m, &w, policy, &opts, &seg)
    };
    assert!(matches!(
        run(&[0, 1], &m, NanPolicy::Omit),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        run(&[0, 1, 2], &m, NanPolicy::Omit),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        run(&[0, 1, 0], &m, NanPolicy::Raise),
        Err(Error::MissingValues { .. })
    ));
    let p = [RawMetric {
        name: "m",
        higher_is_better: true,
        columns: MetricColumns::Proportion(&y),
    }];
    let err = run(&[0, 1, 0], &p, NanPolicy::Omit).unwrap_err();
    assert!(err.to_string().contains("0 or 1"), "{err}");
    let short = [RawMetric {
        name: "m",
        higher_is_better: true,
        columns: MetricColumns::Mean(&y[..2]),
    }];
    assert!(matches!(
        run(&[0, 1, 0], &short, NanPolicy::Omit),
        Err(Error::LengthMismatch { .. })
    ));
    let none = Dimension::from_labels::<&str>(&[]);
    assert!(matches!(
        analyze_segments_columns(&none, &[], &m[..0], &w, NanPolicy::Omit, &opts, &seg),
        Err(Error::TooFewObservations { .. })
    ));
    // NaN under propagate: tiny segments are answers (not enough data), not panics
    let r = run(&[0, 1, 0], &m, NanPolicy::Propagate).unwrap();
    assert!(
        r.segments
            .iter()
            .flat_map(|s| (0..1).filter_map(|t| s.analysis.verdict(0, t)))
            .all(|v| v == Verdict::NotEnoughData || v == Verdict::SampleRatioMismatch)
    );
}

/// An Arrow dimension (integers with nulls, dictionary strings) gives the
/// same segments as the same labels given as strings.
#[test]
fn arrow_dimensions_equal_labels() {
    use arrow_array::{DictionaryArray, Int64Array, types::Int8Type};
    let ints = Int64Array::from(vec![Some(3), None, Some(1), Some(3)]);
    let d = Dimension::from_arrow(&ints, "tier").unwrap();
    let want = Dimension::from_labels(&[Some("3"), None, Some("1"), Some("3")]);
    assert_eq!(d, want);
    let dict: DictionaryArray<Int8Type> = vec!["ios", "", "web", "ios"].into_iter().collect();
    let d = Dimension::from_arrow(&dict, "platform").unwrap();
    assert_eq!(
        d,
        Dimension::from_labels(&[Some("ios"), None, Some("web"), Some("ios")])
    );
}
