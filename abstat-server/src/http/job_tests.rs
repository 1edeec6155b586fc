//! Router tests of the analysis routes and jobs: every route's happy path
//! against a direct abstat-core call on the same stored data, the 4xx
//! paths, isolation between users, `?wait=`, the result cache and a restart
//! that resumes queued jobs.

use std::path::Path;

use abstat_api::JobStatus;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use super::testing::*;
use super::{AppState, app};
use crate::auth::Tokens;
use crate::jobs::analysis::load_columns;
use crate::jobs::worker::{Running, Worker};
use crate::store::Metadata;

/// Rows: variant A/B, a three-level `segment`, numeric columns and a 0/1
/// conversion; one revenue value is missing.
pub(super) fn csv() -> String {
    let mut s = String::from("variant,segment,revenue,pre,clicks,sessions,converted\n");
    for i in 0..80u32 {
        let b = i % 2 == 1;
        let wobble = f64::from((i * 7919) % 101) / 10.0;
        let revenue = if i == 13 {
            String::new()
        } else {
            format!("{}", wobble + if b { 1.5 } else { 0.0 })
        };
        let pre = format!("{}", wobble * 0.8 + f64::from(i % 5));
        let clicks = (i * 31) % 9 + u32::from(b);
        let sessions = clicks + 1 + i % 3;
        let converted = u32::from((i * 13) % 7 < if b { 3 } else { 2 });
        s.push_str(&format!(
            "{},{},{revenue},{pre},{clicks},{sessions},{converted}\n",
            if b { "B" } else { "A" },
            ["x", "y", "z"][(i % 3) as usize]
        ));
    }
    s
}

pub(super) struct Env {
    pub app: Router,
    pub state: AppState,
    pub alice: String,
    pub bob: String,
    pub dataset: String,
    pub _worker: Option<Running>,
}

pub(super) async fn token(state: &AppState, name: &str) -> String {
    let u = state
        .metadata()
        .create_user(name, None, None)
        .await
        .unwrap();
    Tokens::new(&"t".repeat(32)).issue(&u.id).unwrap().access
}

pub(super) fn post(uri: &str, token: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub(super) fn start_worker(state: &AppState) -> Running {
    let worker = Worker::new(
        state.jobs().clone(),
        state.metadata().clone(),
        state.datasets(),
    );
    worker.spawn(2)
}

pub(super) async fn upload(app: &Router, token: &str) -> String {
    let req = Request::post("/datasets/upload/?name=exp.csv")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(csv()))
        .unwrap();
    let (status, body) = send(app, req).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["dataset"]["id"].as_str().unwrap().to_string()
}

pub(super) async fn env(dir: &Path, worker: bool) -> Env {
    let (app, state) = test_app(dir).await;
    let alice = token(&state, "alice").await;
    let bob = token(&state, "bob").await;
    let dataset = upload(&app, &alice).await;
    let _worker = worker.then(|| start_worker(&state));
    Env {
        app,
        state,
        alice,
        bob,
        dataset,
        _worker,
    }
}

impl Env {
    /// Columns of the stored dataset, as the worker reads them.
    pub(super) fn column(&self, name: &str) -> Vec<f64> {
        let batch = load_columns(
            &*self.state.datasets(),
            &self.dataset,
            1,
            &[name.to_string()],
        )
        .unwrap();
        abstat_core::input::from_arrow(batch.column(0).as_ref(), name)
            .unwrap()
            .into_owned()
    }

    /// A label column of the stored dataset, as the worker reads it.
    pub(super) fn labels(&self, name: &str) -> Vec<String> {
        let batch = load_columns(
            &*self.state.datasets(),
            &self.dataset,
            1,
            &[name.to_string()],
        )
        .unwrap();
        match abstat_core::regression::Column::read(&batch, name).unwrap() {
            abstat_core::regression::Column::Categorical(v) => {
                v.into_iter().map(Option::unwrap).collect()
            }
            abstat_core::regression::Column::Numeric(_) => panic!("{name} is numeric"),
        }
    }

    /// `column` split by the labels of `by`, in the order of `levels`.
    fn split(&self, column: &str, by: &str, levels: &[&str]) -> Vec<Vec<f64>> {
        let (values, keys) = (self.column(column), self.labels(by));
        levels
            .iter()
            .map(|l| {
                values
                    .iter()
                    .zip(&keys)
                    .filter(|(_, k)| k == l)
                    .map(|(v, _)| *v)
                    .collect()
            })
            .collect()
    }

    /// POST and wait for the finished job.
    pub(super) async fn run(&self, uri: &str, body: Value) -> Value {
        let (status, job) = send(
            &self.app,
            post(&format!("{uri}?wait=30"), &self.alice, body),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["status"], "succeeded", "{job}");
        job
    }

    async fn stat(&self, body: Value) -> Value {
        let mut body = body;
        body["dataset_id"] = json!(self.dataset);
        self.run("/analytics/stat-tests/", body).await["result"]["outcome"].clone()
    }
}

/// The JSON of a core result inside a `TestOutcome` tagged `shape`.
fn outcome(shape: &str, result: impl serde::Serialize) -> Value {
    let mut v = serde_json::to_value(result).unwrap();
    v["shape"] = json!(shape);
    v
}

#[tokio::test]
async fn stat_tests_give_core_results_on_the_stored_columns() {
    use abstat_core::{
        NanPolicy, anova, categorical, correlation, nonparametric, normality, ttest,
    };
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let ab = e.split("revenue", "variant", &["A", "B"]);
    let t = ttest::TTestOptions {
        nan_policy: NanPolicy::Omit,
        ..Default::default()
    };

    let got = e
        .stat(json!({"test": "welch", "column": "revenue", "group_column": "variant", "nan_policy": "omit"}))
        .await;
    assert_eq!(
        got,
        outcome("test", ttest::welch(&ab[0], &ab[1], &t).unwrap())
    );

    let got = e
        .stat(
            json!({"test": "mann_whitney", "column": "revenue", "group_column": "variant",
            "groups": ["B", "A"], "alternative": "greater", "nan_policy": "omit"}),
        )
        .await;
    let mw = nonparametric::MannWhitneyOptions {
        alternative: abstat_core::Alternative::Greater,
        nan_policy: NanPolicy::Omit,
        ..Default::default()
    };
    assert_eq!(
        got,
        outcome(
            "test",
            nonparametric::mann_whitney_u(&ab[1], &ab[0], &mw).unwrap()
        )
    );

    let got = e
        .stat(json!({"test": "ks_2samp", "column": "revenue", "column_b": "pre", "nan_policy": "omit"}))
        .await;
    let ks = nonparametric::KsOptions {
        nan_policy: NanPolicy::Omit,
        ..Default::default()
    };
    let (rev, pre) = (e.column("revenue"), e.column("pre"));
    assert_eq!(
        got,
        outcome("ks", nonparametric::ks_2samp(&rev, &pre, &ks).unwrap())
    );

    let got = e
        .stat(json!({"test": "ttest_rel", "column": "revenue", "column_b": "pre", "nan_policy": "omit", "alpha": 0.1}))
        .await;
    let rel = ttest::TTestOptions {
        confidence_level: 0.9,
        ..t
    };
    assert_eq!(
        got,
        outcome("test", ttest::ttest_rel(&rev, &pre, &rel).unwrap())
    );

    let got = e
        .stat(json!({"test": "pearson", "column": "pre", "column_b": "clicks"}))
        .await;
    let clicks = e.column("clicks");
    let corr = correlation::CorrelationOptions::default();
    assert_eq!(
        got,
        outcome("test", correlation::pearson(&pre, &clicks, &corr).unwrap())
    );

    let got = e
        .stat(json!({"test": "ttest_1samp", "column": "pre", "popmean": 5.0}))
        .await;
    assert_eq!(
        got,
        outcome(
            "test",
            ttest::ttest_1samp(&pre, 5.0, &Default::default()).unwrap()
        )
    );

    let got = e.stat(json!({"test": "shapiro", "column": "pre"})).await;
    assert_eq!(
        got,
        outcome(
            "shapiro",
            normality::shapiro(&pre, &Default::default()).unwrap()
        )
    );

    let seg = e.split("pre", "segment", &["x", "y", "z"]);
    let got = e
        .stat(json!({"test": "anova", "column": "pre", "group_column": "segment"}))
        .await;
    assert_eq!(
        got,
        outcome("f", anova::f_oneway(&seg, &Default::default()).unwrap())
    );
    let got = e
        .stat(json!({"test": "kruskal", "column": "pre", "group_column": "segment"}))
        .await;
    let refs: Vec<&[f64]> = seg.iter().map(Vec::as_slice).collect();
    assert_eq!(
        got,
        outcome(
            "test",
            nonparametric::kruskal(&refs, NanPolicy::Propagate).unwrap()
        )
    );

    // the cross-tabulation: variant × segment counts, levels sorted
    let (v, s) = (e.labels("variant"), e.labels("segment"));
    let mut table = vec![vec![0.0; 3]; 2];
    for (a, b) in v.iter().zip(&s) {
        let i = usize::from(a == "B");
        let j = ["x", "y", "z"].iter().position(|l| l == b).unwrap();
        table[i][j] += 1.0;
    }
    let got = e
        .stat(json!({"test": "chi2_contingency", "column": "variant", "column_b": "segment"}))
        .await;
    assert_eq!(
        got,
        outcome(
            "contingency",
            categorical::chi2_contingency(&table, &Default::default()).unwrap()
        )
    );
}

#[tokio::test]
async fn regression_and_ab_routes_give_core_results() {
    use abstat_core::ab;
    use abstat_core::regression::{CovType, Design, DesignSpec, Ols, OlsOptions};
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;

    let job = e
        .run(
            "/analytics/regression/",
            json!({"dataset_id": e.dataset, "model": "ols", "target": "revenue",
                "predictors": ["pre", "segment"], "cov_type": "HC3"}),
        )
        .await;
    let batch = load_columns(
        &*e.state.datasets(),
        &e.dataset,
        1,
        &["pre".into(), "revenue".into(), "segment".into()],
    )
    .unwrap();
    let design =
        Design::from_batch(&batch, &DesignSpec::new("revenue", ["pre", "segment"])).unwrap();
    let mut fit = Ols::new(OlsOptions {
        cov_type: CovType::HC3,
        ..Default::default()
    })
    .fit(&design)
    .unwrap();
    fit.resid.clear();
    fit.fitted.clear();
    let mut expected = serde_json::to_value(&fit).unwrap();
    expected["model"] = json!("least_squares");
    expected["kind"] = json!("regression");
    assert_eq!(job["result"], expected);

    let job = e
        .run(
            "/ab-tests/run/",
            json!({"dataset_id": e.dataset, "variant_column": "variant", "control": "A",
                "metrics": [{"column": "revenue", "kind": "mean"},
                            {"column": "converted", "kind": "proportion"},
                            {"column": "clicks", "kind": "ratio", "denominator": "sessions"}],
                "nan_policy": "omit", "correction": "holm"}),
        )
        .await;
    let variant: Vec<u32> = e
        .labels("variant")
        .iter()
        .map(|v| u32::from(v == "B"))
        .collect();
    let omit = abstat_core::NanPolicy::Omit;
    let moments = |c: &str| ab::PowerSums::by_variant(&e.column(c), &variant, 2, omit).unwrap();
    let joint = ab::JointMoments::by_variant(
        &e.column("clicks"),
        &e.column("sessions"),
        &variant,
        2,
        omit,
    )
    .unwrap();
    let metric = |name: &str, variants: Vec<ab::MetricStats>| ab::MetricInput {
        name: name.into(),
        higher_is_better: true,
        variants,
    };
    let metrics = [
        metric(
            "revenue",
            moments("revenue")
                .into_iter()
                .map(ab::MetricStats::Mean)
                .collect(),
        ),
        metric(
            "converted",
            moments("converted")
                .into_iter()
                .map(ab::MetricStats::Proportion)
                .collect(),
        ),
        metric(
            "clicks",
            joint.into_iter().map(ab::MetricStats::Ratio).collect(),
        ),
    ];
    let mut expected = ab::analyze(
        &[40, 40],
        &[0.5, 0.5],
        &metrics,
        &ab::ExperimentOptions {
            correction: Some(ab::Correction::Holm),
            ..Default::default()
        },
    )
    .unwrap();
    // the mean metric's heavy-tails check on the same raw column
    expected.heavy_tails =
        Some(ab::heavy_tails("revenue", &e.column("revenue"), &variant, 2, omit).unwrap());
    let r = &job["result"];
    assert_eq!(r["kind"], "ab_test");
    assert_eq!(r["variants"], json!(["A", "B"]));
    assert_eq!(r["units"], json!([40, 40]));
    assert_eq!(r["experiment"], serde_json::to_value(&expected).unwrap());
    assert_eq!(
        r["verdicts"],
        serde_json::to_value(expected.verdicts()).unwrap()
    );

    let job = e
        .run(
            "/ab-tests/run/",
            json!({"dataset_id": e.dataset, "variant_column": "variant", "control": "A",
                "metrics": [{"column": "converted", "kind": "proportion"}], "engine": "bayesian"}),
        )
        .await;
    let m = moments("converted");
    let expected = ab::compare_bayesian(
        &ab::MetricStats::Proportion(m[0]),
        &ab::MetricStats::Proportion(m[1]),
        &Default::default(),
    )
    .unwrap();
    let b = &job["result"]["bayesian"][0];
    assert_eq!(b["variant"], "B");
    assert_eq!(b["comparison"], serde_json::to_value(&expected).unwrap());
}

#[tokio::test]
async fn the_design_route_solves_with_core_inline() {
    use abstat_core::power::{PowerProblem, PowerTest, cohen_h, solve_power};
    let dir = tempfile::tempdir().unwrap();
    let (app, state) = test_app(dir.path()).await;
    let alice = token(&state, "alice").await;

    let (status, body) = send(
        &app,
        post(
            "/ab-tests/design/",
            &alice,
            json!({"metric": "mean", "effect_size": 0.2, "daily_units": 100}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let n = solve_power(&PowerProblem {
        effect_size: Some(0.2),
        power: Some(0.8),
        ..Default::default()
    })
    .unwrap()
    .value();
    assert_eq!(body["solution"], json!({"solved_for": "nobs1", "value": n}));
    let per = n.ceil() as u64;
    assert_eq!(body["nobs_per_variant"], per);
    assert_eq!(body["total_units"], 2 * per);
    assert_eq!(body["days"], (2 * per).div_ceil(100));

    let (status, body) = send(
        &app,
        post(
            "/ab-tests/design/",
            &alice,
            json!({"metric": "proportion", "baseline": 0.1, "nobs_per_variant": 5000}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let h = solve_power(&PowerProblem {
        test: PowerTest::NormalInd,
        nobs1: Some(5000.0),
        power: Some(0.8),
        ..Default::default()
    })
    .unwrap()
    .value();
    assert_eq!(body["solution"]["value"], h);
    let rate = body["detectable_rate"].as_f64().unwrap();
    assert!(
        (cohen_h(rate, 0.1).unwrap() - h).abs() < 1e-12,
        "the rate inverts Cohen's h"
    );

    for bad in [
        json!({"metric": "proportion", "effect_size": 0.01}),
        json!({"metric": "mean", "effect_size": 0.2, "alpha": 2}),
        json!({"metric": "mean"}),
    ] {
        let (status, err) = send(&app, post("/ab-tests/design/", &alice, bad.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {err}");
        assert_eq!(err["code"], "invalid_parameter", "{err}");
    }
    let (status, _) = send(
        &app,
        post_json("/ab-tests/design/", json!({"metric": "mean"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_requests_are_4xx_with_the_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let stat = |body: Value| {
        let mut body = body;
        body["dataset_id"] = json!(e.dataset);
        post("/analytics/stat-tests/", &e.alice, body)
    };

    let (status, err) = send(
        &e.app,
        stat(json!({"test": "welch", "column": "nope", "group_column": "variant"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "unknown_column");
    assert_eq!(err["details"]["column"], "nope");
    assert!(
        err["details"]["available"]
            .as_array()
            .unwrap()
            .contains(&json!("revenue")),
        "{err}"
    );

    let (status, err) = send(
        &e.app,
        stat(json!({"test": "welch", "column": "variant", "group_column": "segment"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "wrong_column_type", "{err}");
    assert_eq!(err["details"]["data_type"], "Utf8");

    let (status, err) = send(
        &e.app,
        stat(
            json!({"test": "welch", "column": "revenue", "group_column": "variant", "alpha": 1.5}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "invalid_parameter");
    assert_eq!(err["details"]["name"], "alpha");

    let (status, err) = send(&e.app, stat(json!({"test": "welch", "column": "revenue"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["details"]["name"], "group_column", "{err}");

    let (status, err) = send(&e.app, stat(json!({"test": "t-test", "column": "revenue"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "invalid_body");
    assert!(
        err["message"].as_str().unwrap().contains("mann_whitney"),
        "lists the tests: {err}"
    );

    let (status, err) = send(&e.app, stat(json!({"test": "welch", "column": "revenue", "group_column": "variant", "nan_policy": "drop"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().contains("omit"), "{err}");

    let bad_regression = [
        (
            json!({"model": "wls", "target": "revenue", "predictors": ["pre"]}),
            "weights",
        ),
        (
            json!({"model": "logit", "target": "converted", "predictors": ["pre"], "cov_type": "HC1"}),
            "cov_type",
        ),
        (
            json!({"model": "ols", "target": "revenue", "predictors": []}),
            "predictors",
        ),
    ];
    for (mut body, name) in bad_regression {
        body["dataset_id"] = json!(e.dataset);
        let (status, err) = send(&e.app, post("/analytics/regression/", &e.alice, body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["details"]["name"], name, "{err}");
    }
    let (status, err) = send(
        &e.app,
        post("/analytics/regression/", &e.alice, json!({"dataset_id": e.dataset, "model": "ols", "target": "segment", "predictors": ["pre"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "wrong_column_type", "{err}");

    let ab = |metrics: Value| {
        post(
            "/ab-tests/run/",
            &e.alice,
            json!({"dataset_id": e.dataset, "variant_column": "variant", "control": "A", "metrics": metrics}),
        )
    };
    for (metrics, name) in [
        (json!([]), "metrics"),
        (
            json!([{"column": "clicks", "kind": "ratio"}]),
            "metrics[0].denominator",
        ),
        (
            json!([{"column": "converted", "kind": "proportion", "covariate": "pre"}]),
            "metrics[0].covariate",
        ),
    ] {
        let (status, err) = send(&e.app, ab(metrics)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["details"]["name"], name, "{err}");
    }
    let (status, err) = send(&e.app, ab(json!([{"column": "revenue", "kind": "median"}]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["message"].as_str().unwrap().contains("proportion"),
        "{err}"
    );

    let (status, err) = send(
        &e.app,
        post(
            "/analytics/stat-tests/",
            &e.alice,
            json!({"dataset_id": "missing", "test": "shapiro", "column": "pre"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["code"], "not_found");
    let (status, _) = send(
        &e.app,
        post(
            "/analytics/stat-tests/",
            &e.alice,
            json!({"dataset_id": e.dataset, "version": 7, "test": "shapiro", "column": "pre"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&e.app, get("/jobs/no-such-job/", Some(&e.alice))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&e.app, post_json("/analytics/stat-tests/", json!({}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
        .fetch_one(e.state.metadata().pool())
        .await
        .unwrap();
    assert_eq!(jobs, 0, "no job was created for a bad request");
}

#[tokio::test]
async fn mistakes_found_at_run_time_fail_the_job_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let (status, job) = send(
        &e.app,
        post(
            "/ab-tests/run/?wait=30",
            &e.alice,
            json!({"dataset_id": e.dataset, "variant_column": "variant", "control": "C",
                "metrics": [{"column": "revenue", "kind": "mean"}]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["status"], "failed");
    let reason = job["error"].as_str().unwrap();
    assert!(
        reason.contains("control") && reason.contains("A, B"),
        "{reason}"
    );
    assert!(job.get("result").is_none());

    let job = e
        .state
        .metadata()
        .job_by_id(job["job_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, JobStatus::Failed);
}

#[tokio::test]
async fn another_user_gets_404_on_every_route_and_job() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let requests = [
        (
            "/analytics/stat-tests/",
            json!({"test": "shapiro", "column": "pre"}),
        ),
        (
            "/analytics/regression/",
            json!({"model": "ols", "target": "revenue", "predictors": ["pre"]}),
        ),
        (
            "/ab-tests/run/",
            json!({"variant_column": "variant", "control": "A", "metrics": [{"column": "revenue", "kind": "mean"}]}),
        ),
    ];
    for (uri, mut body) in requests {
        body["dataset_id"] = json!(e.dataset);
        let (status, err) = send(&e.app, post(uri, &e.bob, body.clone())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {err}");
        assert_eq!(err["code"], "not_found");
        if uri == "/analytics/stat-tests/" {
            // even with a column that does not exist: nothing about the dataset leaks
            body["column"] = json!("nope");
            assert_eq!(
                send(&e.app, post(uri, &e.bob, body)).await.0,
                StatusCode::NOT_FOUND
            );
        }

        let (status, job) = send(
            &e.app,
            post(uri, &e.alice, {
                let mut b = requests_body(uri);
                b["dataset_id"] = json!(e.dataset);
                b
            }),
        )
        .await;
        assert!(status.is_success(), "{job}");
        let link = job["links"]["self"].as_str().unwrap().to_string();
        let (status, err) = send(&e.app, get(&format!("{link}?wait=1"), Some(&e.bob))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
        let (status, _) = send(&e.app, get(&format!("{link}?wait=30"), Some(&e.alice))).await;
        assert_eq!(status, StatusCode::OK);
    }
}

fn requests_body(uri: &str) -> Value {
    match uri {
        "/analytics/stat-tests/" => json!({"test": "shapiro", "column": "pre"}),
        "/analytics/regression/" => {
            json!({"model": "ols", "target": "revenue", "predictors": ["pre"]})
        }
        _ => {
            json!({"variant_column": "variant", "control": "A", "metrics": [{"column": "revenue", "kind": "mean"}]})
        }
    }
}

#[tokio::test]
async fn a_job_is_202_until_done_then_200_and_a_repeat_comes_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let body = json!({"dataset_id": e.dataset, "test": "welch", "column": "pre", "group_column": "variant"});

    // no worker yet: queued, and ?wait= gives up at its deadline with 202
    let (status, job) = send(
        &e.app,
        post("/analytics/stat-tests/", &e.alice, body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["status"], "queued");
    assert_eq!(job["cached"], false);
    let link = job["links"]["self"].as_str().unwrap().to_string();
    assert_eq!(link, format!("/jobs/{}/", job["job_id"].as_str().unwrap()));
    let (status, job) = send(&e.app, get(&format!("{link}?wait=0.3"), Some(&e.alice))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(job.get("result").is_none());

    let _worker = start_worker(&e.state);
    let (status, done) = send(&e.app, get(&format!("{link}?wait=30"), Some(&e.alice))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["attempt"], 1);
    assert_eq!(done["dataset_version"], 1);
    assert_eq!(done["result"]["kind"], "stat_test");

    // the same analysis again (keys in another order): answered from the cache
    let again = json!({"group_column": "variant", "column": "pre", "test": "welch", "dataset_id": e.dataset, "version": 1});
    let (status, hit) = send(&e.app, post("/analytics/stat-tests/", &e.alice, again)).await;
    assert_eq!(status, StatusCode::OK, "{hit}");
    assert_eq!(hit["cached"], true);
    assert_eq!(
        hit["job_id"], done["job_id"],
        "answered with the job that computed it"
    );
    assert_eq!(hit["result"], done["result"]);

    // another parameter is another analysis
    let mut other = body.clone();
    other["alternative"] = json!("less");
    let (status, miss) = send(
        &e.app,
        post("/analytics/stat-tests/?wait=30", &e.alice, other),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(miss["cached"], false);
}

#[tokio::test]
async fn a_queued_job_survives_a_restart_and_runs_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/meta.db", dir.path().display());
    let open = || async {
        let metadata = Metadata::connect(&url).await.unwrap();
        let state = AppState::new(
            dir.path().to_path_buf(),
            metadata,
            Tokens::new(&"t".repeat(32)),
        )
        .unwrap();
        (app(state.clone()), state)
    };
    let (app1, state1) = open().await;
    let alice = token(&state1, "alice").await;
    let dataset = upload(&app1, &alice).await;
    let body = json!({"dataset_id": dataset, "test": "shapiro", "column": "pre"});
    let (status, job) = send(&app1, post("/analytics/stat-tests/", &alice, body)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let link = job["links"]["self"].as_str().unwrap().to_string();
    // the process ends before any worker ran it
    drop((app1, state1));

    let (app2, state2) = open().await;
    let _worker = start_worker(&state2);
    let (status, done) = send(&app2, get(&format!("{link}?wait=30"), Some(&alice))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "succeeded");
    assert_eq!(state2.datasets().list().unwrap().len(), 1);
}

#[tokio::test]
async fn the_spec_lists_the_analysis_routes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = test_app(dir.path()).await;
    let (_, spec) = send(&app, get("/openapi.json", None)).await;
    for path in [
        "/analytics/stat-tests/",
        "/analytics/regression/",
        "/ab-tests/run/",
        "/ab-tests/design/",
        "/jobs/{id}/",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from /openapi.json"
        );
    }
    for schema in [
        "StatTestRequest",
        "RegressionRequest",
        "AbTestRequest",
        "AbDesignRequest",
        "JobResponse",
    ] {
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

#[tokio::test]
async fn classification_scores_core_pipeline_on_the_stratified_split() {
    use abstat_core::classification::{
        LogisticParams, Pipeline, PipelineSpec, accuracy, classification_report, stratified_kfold,
        stratified_split,
    };
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let job = e
        .run(
            "/analytics/classification/",
            json!({"dataset_id": e.dataset, "model": "logistic", "params": {"c": 0.5},
                "target": "variant", "features": ["pre", "clicks", "segment"], "cv_folds": 3, "seed": 7}),
        )
        .await;
    let r = &job["result"];
    assert_eq!(r["kind"], "classification");

    // the same steps with core directly
    let names: Vec<String> = ["clicks", "pre", "segment", "variant"]
        .map(String::from)
        .to_vec();
    let batch = load_columns(&*e.state.datasets(), &e.dataset, 1, &names).unwrap();
    let labels = e.labels("variant");
    let y: Vec<usize> = labels.iter().map(|l| usize::from(l == "B")).collect();
    let params = LogisticParams {
        c: 0.5,
        ..Default::default()
    };
    let spec = PipelineSpec::new("variant", ["pre", "clicks", "segment"]);
    let take = |rows: &[usize]| {
        let idx =
            arrow_array::UInt32Array::from(rows.iter().map(|&i| i as u32).collect::<Vec<_>>());
        arrow_select::take::take_record_batch(&batch, &idx).unwrap()
    };
    let truth = |rows: &[usize]| rows.iter().map(|&i| labels[i].clone()).collect::<Vec<_>>();
    let split = stratified_split(&y, 2, 0.25, 7).unwrap();
    let pipeline = Pipeline::fit(&params, &take(&split.train), &spec).unwrap();
    let pred = pipeline.predict(&take(&split.test)).unwrap();
    let y_true = truth(&split.test);
    assert_eq!(r["accuracy"], json!(accuracy(&y_true, &pred).unwrap()));
    assert_eq!(
        r["report"],
        serde_json::to_value(classification_report(&y_true, &pred).unwrap()).unwrap()
    );
    assert_eq!(
        r["summary"],
        serde_json::to_value(&pipeline.summary).unwrap()
    );
    assert_eq!(r["params"]["c"], 0.5);
    let folds: Vec<f64> = stratified_kfold(&y, 2, 3, 7)
        .unwrap()
        .iter()
        .map(|f| {
            let p = Pipeline::fit(&params, &take(&f.train), &spec).unwrap();
            accuracy(&truth(&f.test), &p.predict(&take(&f.test)).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(r["cv_accuracy"], json!(folds));

    let (status, err) = send(
        &e.app,
        post(
            "/analytics/classification/",
            &e.alice,
            json!({"dataset_id": e.dataset, "model": "knn", "params": {"depth": 3},
                "target": "variant", "features": ["pre"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["details"]["name"], "params.depth");
    assert!(err["message"].as_str().unwrap().contains("k"), "{err}");
}

/// The same cache hit with the Redis cache started by scripts/services.sh.
#[cfg(feature = "redis")]
#[tokio::test]
async fn a_repeated_analysis_is_served_from_redis() {
    use std::sync::Arc;
    let url = std::env::var("ABSTAT_TEST_REDIS").expect(
        "ABSTAT_TEST_REDIS is not set: start Redis with scripts/services.sh and export what it prints",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, state) = test_app(dir.path()).await;
    let redis = crate::cache::RedisCache::connect(&url, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let defaults = state.jobs().clone();
    let state = state.with_jobs(crate::jobs::Jobs::new(
        Arc::clone(defaults.queue()),
        Arc::clone(defaults.events()),
        Arc::new(redis),
        defaults.retry_policy(),
    ));
    let app = app(state.clone());
    let alice = token(&state, "alice").await;
    let dataset = upload(&app, &alice).await;
    let _worker = start_worker(&state);
    let body = json!({"dataset_id": dataset, "test": "kruskal", "column": "pre", "group_column": "segment"});
    let (status, first) = send(
        &app,
        post("/analytics/stat-tests/?wait=30", &alice, body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["cached"], false);
    let (status, hit) = send(&app, post("/analytics/stat-tests/", &alice, body)).await;
    assert_eq!(status, StatusCode::OK, "{hit}");
    assert_eq!(hit["cached"], true);
    assert_eq!(hit["result"], first["result"]);
}
