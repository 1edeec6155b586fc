//! The OpenAPI description at `/openapi.json` and interactive docs at `/docs`.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "abstat", description = "Statistics for A/B tests and data analysis."),
    paths(super::health::healthz, super::health::readyz, super::auth::token, super::auth::refresh, super::auth::me,
        super::datasets::upload, super::datasets::list, super::datasets::describe, super::datasets::delete, super::values::values,
        super::auth::telegram, crate::metrics::metrics,
        super::analytics::stat_test, super::analytics::regression, super::analytics::classification, super::ab::run, super::ab::design, super::jobs::job,
        super::clean::clean, super::visualize::visualize, super::visualize::image, super::export::export),
    components(schemas(abstat_api::CleanResult, abstat_api::ChartImage)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "auth", description = "tokens"), (name = "users"), (name = "datasets"), (name = "health"),
        (name = "analytics", description = "hypothesis tests, regression, classification and charts, run as jobs"),
        (name = "ab-tests", description = "A/B analysis (a job) and design (inline)"),
        (name = "jobs", description = "follow a job (?wait= returns it finished), fetch its image or export its result"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Answers any route may give besides its own, documented once here rather
/// than on every route: 401 on each operation that needs a token; 400 on
/// each that reads a body or parameters (malformed JSON, a query value of the
/// wrong type), plus 415 and 422 on JSON bodies (the extractors' rejections,
/// `From<JsonRejection> for ApiError`); and 429 (`ABSTAT_RATE_LIMIT`) on all
/// but health and metrics, which are exempt. Found missing by the
/// schemathesis run (`tests/python/test_api_fuzz.py`).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let limited = !matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics");
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error("no access token, or an invalid or expired one"));
                }
                let takes_input = op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if takes_input {
                    responses.entry("400".into()).or_insert_with(|| {
                        error("malformed request: a body that is not valid JSON, or a parameter of the wrong type")
                    });
                }
                let json_body = matches!(&op.request_body, Some(RefOr::T(body))
                    if body.content.contains_key("application/json"));
                if json_body {
                    responses.entry("415".into()).or_insert_with(|| {
                        error("the body is not sent as Content-Type: application/json")
                    });
                    responses.entry("422".into()).or_insert_with(|| {
                        error("the JSON body does not have the expected fields and types")
                    });
                }
                if limited {
                    responses.entry("429".into()).or_insert_with(|| {
                        error("too many requests; retry after the Retry-After seconds")
                    });
                }
            }
        }
    }
}

/// The API description as a value (for tests and tools).
pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(super) fn router() -> Router {
    SwaggerUi::new("/docs").url("/openapi.json", spec()).into()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn the_spec_lists_every_route_the_router_serves() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = test_app(dir.path()).await;
        let (status, spec) = send(&app, get("/openapi.json", None)).await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            "/healthz",
            "/readyz",
            "/auth/token/",
            "/auth/token/refresh/",
            "/users/me/",
            "/auth/telegram/",
            "/metrics",
            "/datasets/upload/",
            "/datasets/{id}/values/",
            "/datasets/clean/",
            "/analytics/visualize/",
            "/jobs/{id}/image",
            "/jobs/{id}/export/",
        ] {
            assert!(
                spec["paths"][path].is_object(),
                "{path} missing from /openapi.json"
            );
        }
        assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op.get("security").is_some() {
                    assert!(
                        op["responses"]["401"].is_object(),
                        "{method} {path} does not document 401"
                    );
                }
            }
        }
        assert!(spec["paths"]["/datasets/list/"]["get"]["responses"]["429"].is_object());
        assert!(spec["paths"]["/healthz"]["get"]["responses"]["429"].is_null());
        for schema in [
            "ErrorBody",
            "CleanRequest",
            "CleanResult",
            "ChartImage",
            "ChartType",
        ] {
            assert!(
                spec["components"]["schemas"][schema].is_object(),
                "{schema} missing from /openapi.json"
            );
        }
        let visualize = &spec["paths"]["/analytics/visualize/"]["get"];
        let params: Vec<&str> = visualize["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for p in [
            "kind",
            "dataset_id",
            "job_id",
            "format",
            "lang",
            "width",
            "wait",
        ] {
            assert!(params.contains(&p), "{p} missing from {params:?}");
        }
        let res = tower::ServiceExt::oneshot(app, get("/docs/", None))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "/docs/ serves the UI");
    }
}
