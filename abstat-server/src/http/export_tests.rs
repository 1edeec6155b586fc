//! Router tests of `GET /jobs/{id}/export/`: the documents carry the
//! result's own numbers (CSV parsed back, XLSX checked as a workbook), and
//! every 4xx path.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::job_tests::env;
use super::testing::*;
use super::visualize_tests::{ab_body, fetch, finished, json_of};

/// CSV text (after the byte-order mark) as rows of fields.
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let mut r = ::csv::Reader::from_reader(text.as_bytes());
    let mut out = vec![r.headers().unwrap().iter().map(String::from).collect()];
    out.extend(
        r.records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect()),
    );
    out
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", rows[0]))
}

fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("not a number: {cell}"))
}

#[tokio::test]
async fn results_export_as_csv_and_xlsx_with_their_own_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let export = |job: &Value, format: &str| {
        format!(
            "/jobs/{}/export/?format={format}",
            job["job_id"].as_str().unwrap()
        )
    };

    let ab = finished(&e, "/ab-tests/run/", ab_body("frequentist")).await;
    assert_eq!(
        ab["links"]["export"],
        format!("/jobs/{}/export/", ab["job_id"].as_str().unwrap())
    );
    let (status, ct, body) = fetch(&e.app, &export(&ab, "csv"), &e.alice).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ct, "text/csv; charset=utf-8");
    let t = rows(&body);
    assert_eq!(t.len(), 1 + 2, "one row per metric × treatment");
    let metrics = &ab["result"]["experiment"]["metrics"];
    for (i, m) in ["revenue", "converted"].into_iter().enumerate() {
        let row = &t[1 + i];
        assert_eq!(row[column(&t, "metric")], m);
        assert_eq!(row[column(&t, "variant")], "B");
        let c = &metrics[i]["treatments"][0]["comparison"];
        for (header, value) in [
            ("p_value", &c["absolute"]["p_value"]),
            ("absolute_effect", &c["absolute"]["estimate"]),
            ("relative_ci_upper", &c["relative"]["ci"]["upper"]),
            ("treatment_mean", &c["treatment"]["mean"]),
        ] {
            assert_eq!(
                num(&row[column(&t, header)]),
                value.as_f64().unwrap(),
                "{m} {header}"
            );
        }
        assert_eq!(
            row[column(&t, "verdict")],
            ab["result"]["verdicts"][i][0].as_str().unwrap()
        );
    }

    let bayes = finished(&e, "/ab-tests/run/", ab_body("bayesian")).await;
    let (_, _, body) = fetch(&e.app, &export(&bayes, "csv"), &e.alice).await;
    let t = rows(&body);
    let b = &bayes["result"]["bayesian"][0]["comparison"]["relative"];
    assert_eq!(
        num(&t[1][column(&t, "chance_to_win")]),
        b["chance_to_win"].as_f64().unwrap()
    );

    let ols = finished(
        &e,
        "/analytics/regression/",
        json!({"model": "ols", "target": "revenue", "predictors": ["pre", "segment"]}),
    )
    .await;
    let (_, _, body) = fetch(&e.app, &export(&ols, "csv"), &e.alice).await;
    let t = rows(&body);
    let coefs = ols["result"]["coefficients"].as_array().unwrap();
    assert_eq!(t.len(), 1 + coefs.len());
    for (row, c) in t[1..].iter().zip(coefs) {
        assert_eq!(row[column(&t, "term")], c["name"].as_str().unwrap());
        assert_eq!(num(&row[column(&t, "coef")]), c["coef"].as_f64().unwrap());
        assert_eq!(
            num(&row[column(&t, "p_value")]),
            c["p_value"].as_f64().unwrap()
        );
    }
    let (status, ct, xlsx) = fetch(&e.app, &export(&ols, "xlsx"), &e.alice).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(&xlsx[..2], b"PK", "a zip container");

    let clf = finished(
        &e,
        "/analytics/classification/",
        json!({"model": "naive_bayes", "target": "variant", "features": ["pre", "clicks"]}),
    )
    .await;
    let (_, _, body) = fetch(&e.app, &export(&clf, "csv"), &e.alice).await;
    let t = rows(&body);
    assert_eq!(t.len(), 1 + 2 + 3, "two classes, two averages, accuracy");
    assert_eq!(
        num(&t[5][column(&t, "f1")]),
        clf["result"]["accuracy"].as_f64().unwrap()
    );

    let stat = finished(
        &e,
        "/analytics/stat-tests/",
        json!({"test": "shapiro", "column": "pre"}),
    )
    .await;
    let (_, _, body) = fetch(&e.app, &export(&stat, "csv"), &e.alice).await;
    let t = rows(&body);
    let p = t
        .iter()
        .find(|r| r[0].ends_with("p_value"))
        .expect("a p_value row");
    assert_eq!(
        num(&p[1]),
        stat["result"]["outcome"]["p_value"].as_f64().unwrap()
    );

    let clean = finished(
        &e,
        "/datasets/clean/",
        json!({"plan": {"ops": [{"op": "drop_missing"}, {"op": "drop_duplicates"}]}, "preview": true}),
    )
    .await;
    let (_, _, body) = fetch(&e.app, &export(&clean, "csv"), &e.alice).await;
    let t = rows(&body);
    assert_eq!(t.len(), 1 + 2);
    assert_eq!(t[1][column(&t, "op")], "drop_missing");
    assert_eq!(t[1][column(&t, "rows_removed")], "1");

    // another user: 404
    let (status, _, _) = fetch(&e.app, &export(&ols, "csv"), &e.bob).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn exports_that_cannot_be_made_are_4xx_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    // queued (no worker): 409 not_finished
    let (status, job) = send(
        &e.app,
        super::job_tests::post(
            "/analytics/stat-tests/",
            &e.alice,
            json!({"dataset_id": e.dataset, "test": "shapiro", "column": "pre"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = job["job_id"].as_str().unwrap().to_string();
    let (status, _, body) = fetch(&e.app, &format!("/jobs/{id}/export/"), &e.alice).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(json_of(&body)["code"], "not_finished");
    let (status, _, body) =
        fetch(&e.app, &format!("/jobs/{id}/export/?format=pdf"), &e.alice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&body)["message"]
            .as_str()
            .unwrap()
            .contains("csv, xlsx")
    );
    let (status, _, _) = fetch(&e.app, "/jobs/nope/export/", &e.alice).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let _worker = super::job_tests::start_worker(&e.state);
    // NaN statistics (revenue has a missing value, nan_policy propagate)
    let mut body = ab_body("frequentist");
    body["nan_policy"] = json!("propagate");
    let nan = finished(&e, "/ab-tests/run/", body).await;
    let (status, _, body) = fetch(
        &e.app,
        &format!("/jobs/{}/export/", nan["job_id"].as_str().unwrap()),
        &e.alice,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(&body)["code"], "not_exportable");
    // a chart's result is an image
    let uri = format!(
        "/analytics/visualize/?dataset_id={}&kind=qq&column=pre&wait=0",
        e.dataset
    );
    let (_, _, body) = fetch(&e.app, &uri, &e.alice).await;
    let chart = json_of(&body);
    let id = chart["job_id"].as_str().unwrap();
    let (status, _, _) = fetch(&e.app, &format!("/jobs/{id}/image?wait=30"), &e.alice).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = fetch(&e.app, &format!("/jobs/{id}/export/"), &e.alice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&body)["message"]
            .as_str()
            .unwrap()
            .contains("image")
    );
}
