//! Router tests of `GET /analytics/visualize/` and `GET /jobs/{id}/image`:
//! images equal to abstat-io rendering the same stored columns, 202 then
//! the image link, the cache, charts of finished analyses, every 4xx path
//! and another user's 404.

use abstat_io::charts::{Chart, Format, Lang, Theme, render};
use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::job_tests::{Env, env, start_worker};

/// GET with a token: status, content type and body bytes.
pub(super) async fn fetch(app: &Router, uri: &str, token: &str) -> (StatusCode, String, Bytes) {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        ct,
        res.into_body().collect().await.unwrap().to_bytes(),
    )
}

pub(super) fn json_of(bytes: &Bytes) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(bytes)))
}

impl Env {
    fn chart(&self, query: &str) -> String {
        format!(
            "/analytics/visualize/?dataset_id={}&{query}&wait=30",
            self.dataset
        )
    }
}

#[tokio::test]
async fn dataset_charts_are_abstat_io_renderings_of_the_stored_columns() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let (status, ct, png) =
        fetch(&e.app, &e.chart("kind=histogram&column=revenue"), &e.alice).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
    assert_eq!(ct, "image/png");
    let chart = Chart::histogram(&e.column("revenue"), "revenue", Lang::En).unwrap();
    let expected = render(
        &chart,
        Format::Png { w: 1280, h: 800 },
        &Theme::default(),
        Some(Lang::En),
    )
    .unwrap();
    assert_eq!(
        png.as_ref(),
        expected.as_slice(),
        "the same image as abstat-io's"
    );

    let (status, ct, svg) = fetch(
        &e.app,
        &e.chart("kind=qq&column=pre&format=svg&lang=ru&theme=dark&width=640&height=400"),
        &e.alice,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "image/svg+xml");
    let text = String::from_utf8(svg.to_vec()).unwrap();
    assert!(
        text.contains("<svg") && text.contains("640"),
        "{}",
        &text[..200]
    );

    for query in [
        "kind=box&column=revenue&group=segment",
        "kind=box&column=pre",
        "kind=bars&column=segment",
        "kind=scatter&x=pre&y=revenue",
        "kind=correlation&columns=pre,revenue,clicks",
    ] {
        let (status, ct, body) = fetch(&e.app, &e.chart(query), &e.alice).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{query}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(ct, "image/png", "{query}");
        assert_eq!(&body[1..4], b"PNG", "{query}");
    }
}

#[tokio::test]
async fn a_slow_chart_is_202_with_an_image_link_and_a_repeat_comes_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let uri = format!(
        "/analytics/visualize/?dataset_id={}&kind=histogram&column=pre&wait=0.2",
        e.dataset
    );
    let (status, _, body) = fetch(&e.app, &uri, &e.alice).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let job = json_of(&body);
    assert_eq!(job["kind"], "chart");
    let link = job["links"]["image"].as_str().unwrap().to_string();
    assert_eq!(
        link,
        format!("/jobs/{}/image", job["job_id"].as_str().unwrap())
    );
    let (status, _, body) = fetch(&e.app, &link, &e.alice).await;
    assert_eq!(status, StatusCode::ACCEPTED, "still queued: no worker");
    assert_eq!(json_of(&body)["status"], "queued");
    // another user: 404 for the image of someone else's chart job
    assert_eq!(fetch(&e.app, &link, &e.bob).await.0, StatusCode::NOT_FOUND);

    let worker = start_worker(&e.state);
    let (status, ct, png) = fetch(&e.app, &format!("{link}?wait=30"), &e.alice).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "image/png");
    worker.stop().await;

    // no worker any more: the same chart is born finished from the cache
    let (status, _, again) = fetch(&e.app, &uri, &e.alice).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, png);
}

#[tokio::test]
async fn bad_chart_queries_are_4xx_with_the_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let cases = [
        ("kind=pie&column=pre", "invalid_parameter", "histogram, box"),
        (
            "kind=histogram&column=pre&format=gif",
            "invalid_parameter",
            "png, svg",
        ),
        (
            "kind=histogram&column=pre&lang=de",
            "invalid_parameter",
            "en, ru",
        ),
        (
            "kind=histogram&column=pre&theme=neon",
            "invalid_parameter",
            "light, dark",
        ),
        (
            "kind=histogram&column=pre&width=10",
            "invalid_parameter",
            "200 to 4096",
        ),
        ("kind=histogram", "invalid_parameter", "column"),
        ("kind=scatter&x=pre", "invalid_parameter", "y"),
        (
            "kind=correlation&columns=pre",
            "invalid_parameter",
            "at least two",
        ),
        ("kind=histogram&column=revnue", "unknown_column", "revenue"),
        (
            "kind=histogram&column=variant",
            "wrong_column_type",
            "numeric",
        ),
        (
            "kind=box&column=pre&group=nope",
            "unknown_column",
            "segment",
        ),
    ];
    for (query, code, hint) in cases {
        let (status, _, body) = fetch(&e.app, &e.chart(query), &e.alice).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {err}");
        assert_eq!(err["code"], code, "{query}: {err}");
        assert!(err.to_string().contains(hint), "{query}: {err}");
    }
    let (status, _, body) = fetch(
        &e.app,
        "/analytics/visualize/?kind=histogram&column=pre",
        &e.alice,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&body)["message"]
            .as_str()
            .unwrap()
            .contains("dataset_id")
    );
    let (status, _, body) = fetch(&e.app, "/analytics/visualize/?kind=forest", &e.alice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&body)["message"]
            .as_str()
            .unwrap()
            .contains("job_id")
    );
    for who in [&e.bob, &e.alice] {
        let uri = if who == &e.bob {
            e.chart("kind=histogram&column=nope")
        } else {
            "/analytics/visualize/?dataset_id=nope&kind=histogram&column=pre".to_string()
        };
        let (status, _, body) = fetch(&e.app, &uri, who).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
    let (status, _, body) = fetch(
        &e.app,
        "/analytics/visualize/?kind=forest&job_id=nope",
        &e.alice,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

/// Run an analysis to its end; the finished job.
pub(super) async fn finished(e: &Env, uri: &str, mut body: Value) -> Value {
    body["dataset_id"] = json!(e.dataset);
    e.run(uri, body).await
}

pub(super) fn ab_body(engine: &str) -> Value {
    json!({"variant_column": "variant", "control": "A", "engine": engine, "nan_policy": "omit",
        "metrics": [{"column": "revenue", "kind": "mean"}, {"column": "converted", "kind": "proportion"}]})
}

#[tokio::test]
async fn charts_of_finished_analyses_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let freq = finished(&e, "/ab-tests/run/", ab_body("frequentist")).await;
    let bayes = finished(&e, "/ab-tests/run/", ab_body("bayesian")).await;
    let ols = finished(
        &e,
        "/analytics/regression/",
        json!({"model": "ols", "target": "revenue", "predictors": ["pre", "segment"]}),
    )
    .await;
    let logit = finished(
        &e,
        "/analytics/regression/",
        json!({"model": "logit", "target": "converted", "predictors": ["pre"]}),
    )
    .await;
    let clf = finished(
        &e,
        "/analytics/classification/",
        json!({"model": "naive_bayes", "target": "variant", "features": ["pre", "clicks"]}),
    )
    .await;
    let stat = finished(
        &e,
        "/analytics/stat-tests/",
        json!({"test": "shapiro", "column": "pre"}),
    )
    .await;
    let id = |job: &Value| job["job_id"].as_str().unwrap().to_string();
    let of = |job: &Value, kind: &str| {
        format!(
            "/analytics/visualize/?job_id={}&kind={kind}&wait=30",
            id(job)
        )
    };

    for (job, kind) in [
        (&freq, "forest"),
        (&bayes, "posterior"),
        (&ols, "coefficients"),
        (&ols, "residuals"),
        (&logit, "coefficients"),
        (&clf, "confusion"),
    ] {
        let (status, ct, body) = fetch(&e.app, &of(job, kind), &e.alice).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{kind}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(ct, "image/png");
        // another user: 404 for a chart of someone else's analysis
        let (status, _, _) = fetch(&e.app, &of(job, kind), &e.bob).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{kind}");
    }

    // the analysis cannot make this chart: the chart job fails with the reason
    for (job, kind, hint) in [
        (&freq, "posterior", "forest"),
        (&bayes, "forest", "posterior"),
        (&logit, "residuals", "coefficients"),
    ] {
        let (status, _, body) = fetch(&e.app, &of(job, kind), &e.alice).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {err}");
        assert_eq!(err["code"], "chart_failed", "{err}");
        assert!(err["message"].as_str().unwrap().contains(hint), "{err}");
    }
    // a kind that this job kind never has: refused before any job
    for (job, kind, hint) in [
        (&stat, "forest", "none"),
        (&ols, "confusion", "coefficients, residuals"),
    ] {
        let (status, _, body) = fetch(&e.app, &of(job, kind), &e.alice).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["code"], "invalid_parameter");
        assert!(err["message"].as_str().unwrap().contains(hint), "{err}");
    }
    // /jobs/{id}/image of an analysis job: it has no image
    let (status, _, _) = fetch(&e.app, &format!("/jobs/{}/image", id(&ols)), &e.alice).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
