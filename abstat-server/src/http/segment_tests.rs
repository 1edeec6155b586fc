//! Router tests of segments in `POST /ab-tests/run/`: the answer equals
//! abstat-core's `analyze_segments_columns` on the same stored columns, the
//! 4xx paths, and the export's segment rows.

use abstat_core::Alternative;
use abstat_core::NanPolicy;
use abstat_core::ab::segments::{
    Dimension, MetricColumns, RawMetric, SegmentOptions, analyze_segments_columns,
};
use abstat_core::ab::{Engine, ExperimentOptions};
use abstat_core::multitest::Correction;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::export_tests::{column, num, rows};
use super::job_tests::{Env, env, post};
use super::testing::*;
use super::visualize_tests::fetch;
use crate::jobs::analysis::load_columns;

fn body(e: &Env, segment: Value) -> Value {
    json!({
        "dataset_id": e.dataset, "variant_column": "variant", "control": "A",
        "metrics": [
            {"column": "revenue", "kind": "mean"},
            {"column": "converted", "kind": "proportion"},
            {"column": "clicks", "kind": "ratio", "denominator": "sessions", "name": "ctr"},
            {"column": "revenue", "kind": "mean", "covariate": "pre", "name": "revenue_cuped"}
        ],
        "correction": "holm", "nan_policy": "omit", "segment": segment
    })
}

/// The segments by abstat-core directly, on the stored version 1.
fn core_segments(e: &Env, top: usize, min_units: u64) -> Value {
    let batch = load_columns(
        &*e.state.datasets(),
        &e.dataset,
        1,
        &["segment".to_string()],
    )
    .unwrap();
    let dimension = Dimension::from_arrow(batch.column(0).as_ref(), "segment").unwrap();
    let variant: Vec<u32> = e
        .labels("variant")
        .iter()
        .map(|v| u32::from(v == "B"))
        .collect();
    let (revenue, converted, clicks, sessions, pre) = (
        e.column("revenue"),
        e.column("converted"),
        e.column("clicks"),
        e.column("sessions"),
        e.column("pre"),
    );
    let metrics = [
        RawMetric {
            name: "revenue",
            higher_is_better: true,
            columns: MetricColumns::Mean(&revenue),
        },
        RawMetric {
            name: "converted",
            higher_is_better: true,
            columns: MetricColumns::Proportion(&converted),
        },
        RawMetric {
            name: "ctr",
            higher_is_better: true,
            columns: MetricColumns::Ratio {
                numerator: &clicks,
                denominator: &sessions,
            },
        },
        RawMetric {
            name: "revenue_cuped",
            higher_is_better: true,
            columns: MetricColumns::RegressionAdjusted {
                metric: &revenue,
                covariate: &pre,
            },
        },
    ];
    let opts = ExperimentOptions {
        alpha: 0.05,
        alternative: Alternative::TwoSided,
        engine: Engine::Fixed,
        correction: Some(Correction::Holm),
        control: 0,
        ..Default::default()
    };
    let segments = SegmentOptions {
        top,
        min_segment_units: min_units,
    };
    let r = analyze_segments_columns(
        &dimension,
        &variant,
        &metrics,
        &[0.5, 0.5],
        NanPolicy::Omit,
        &opts,
        &segments,
    )
    .unwrap();
    serde_json::to_value(r).unwrap()
}

/// Segments of x, y, z with top 2: one value merged into "other".
async fn top_two(e: &Env) -> Value {
    e.run(
        "/ab-tests/run/",
        body(e, json!({"column": "segment", "top": 2})),
    )
    .await
}

#[tokio::test]
async fn segments_are_core_s_analysis_of_the_stored_columns() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let job = top_two(&e).await;
    let got = &job["result"]["segments"];
    assert_eq!(*got, core_segments(&e, 2, 0));
    let kinds: Vec<&str> = got["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["value", "value", "other"]);
    assert_eq!(got["family"]["segments"], 3);
    // the whole experiment, as the top-level result has it; only the
    // top level carries the heavy-tails check (of the raw columns)
    let mut experiment = job["result"]["experiment"].clone();
    let checks = experiment.as_object_mut().unwrap().remove("heavy_tails");
    assert!(checks.is_some_and(|c| c.is_array()), "{job}");
    assert_eq!(got["overall"], experiment);

    // defaults (top 10) and a minimum that sends every value to "other"
    let job = e
        .run(
            "/ab-tests/run/",
            body(&e, json!({"column": "segment", "min_units": 1000})),
        )
        .await;
    assert_eq!(job["result"]["segments"], core_segments(&e, 10, 1000));
    assert_eq!(job["result"]["segments"]["segments"][0]["name"], "other");

    // no segment: no segments in the result
    let mut plain = body(&e, Value::Null);
    plain.as_object_mut().unwrap().remove("segment");
    let job = e.run("/ab-tests/run/", plain).await;
    assert!(job["result"].get("segments").is_none(), "{job}");
}

#[tokio::test]
async fn bad_segments_are_422_with_the_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let cases = [
        (json!({"column": "country"}), "unknown_column"),
        (json!({"column": "segment", "top": 0}), "invalid_parameter"),
        (json!({"column": "segment", "k": 3}), "invalid_body"),
        (json!({"top": 3}), "invalid_body"),
    ];
    for (segment, code) in cases {
        let (status, err) = send(
            &e.app,
            post("/ab-tests/run/", &e.alice, body(&e, segment.clone())),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{segment}: {err}");
        assert_eq!(err["code"], code, "{segment}: {err}");
    }
    let (_, err) = send(
        &e.app,
        post(
            "/ab-tests/run/",
            &e.alice,
            body(&e, json!({"column": "country"})),
        ),
    )
    .await;
    assert!(
        err["message"].as_str().unwrap().contains("segment, "),
        "{err}"
    );
    let mut bayes = body(&e, json!({"column": "segment"}));
    bayes["engine"] = json!("bayesian");
    bayes["correction"] = Value::Null;
    let (status, err) = send(&e.app, post("/ab-tests/run/", &e.alice, bayes)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["details"]["name"], "segment");

    // the schema documents the segment object
    let (_, spec) = send(&e.app, get("/openapi.json", None)).await;
    let schemas = &spec["components"]["schemas"];
    assert!(
        !schemas["AbTestRequest"]["properties"]["segment"].is_null(),
        "{}",
        schemas["AbTestRequest"]
    );
    assert!(
        schemas["AbSegment"]["properties"]["min_units"].is_object(),
        "{schemas}"
    );
}

#[tokio::test]
async fn the_export_has_the_overall_rows_then_every_segment_s() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let job = top_two(&e).await;
    let uri = format!(
        "/jobs/{}/export/?format=csv",
        job["job_id"].as_str().unwrap()
    );
    let (status, _, bytes) = fetch(&e.app, &uri, &e.alice).await;
    assert_eq!(status, StatusCode::OK);
    let t = rows(&bytes);
    let seg = &job["result"]["segments"];
    assert_eq!(
        t.len(),
        1 + 4 * (1 + 3),
        "4 metrics × (overall + 3 segments)"
    );
    assert_eq!(t[1][column(&t, "segment_kind")], "overall");
    assert_eq!(t[1][column(&t, "segment")], "");
    for (i, s) in seg["segments"].as_array().unwrap().iter().enumerate() {
        for m in 0..4 {
            let row = &t[1 + 4 * (i + 1) + m];
            assert_eq!(row[column(&t, "segment")], s["name"].as_str().unwrap());
            assert_eq!(row[column(&t, "segment_kind")], s["kind"].as_str().unwrap());
            let tr = &s["analysis"]["metrics"][m]["treatments"][0];
            assert_eq!(
                row[column(&t, "metric")],
                s["analysis"]["metrics"][m]["name"].as_str().unwrap()
            );
            assert_eq!(
                num(&row[column(&t, "adjusted_p_value")]),
                tr["adjusted_p_value"].as_f64().unwrap()
            );
            assert_eq!(
                num(&row[column(&t, "p_value")]),
                tr["comparison"]["absolute"]["p_value"].as_f64().unwrap()
            );
        }
    }
}
