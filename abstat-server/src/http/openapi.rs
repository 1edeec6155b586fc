//! The OpenAPI description at `/openapi.json` and interactive docs at `/docs`.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "abstat", description = "Statistics for A/B tests and data analysis."),
    paths(super::health::healthz, super::health::readyz, super::auth::token, super::auth::refresh, super::auth::me,
        super::datasets::upload, super::datasets::list, super::datasets::describe, super::datasets::delete,
        super::auth::telegram, crate::metrics::metrics,
        super::analytics::stat_test, super::analytics::regression, super::analytics::classification, super::ab::run, super::ab::design, super::jobs::job,
        super::clean::clean, super::visualize::visualize, super::visualize::image, super::export::export),
    components(schemas(abstat_api::CleanResult, abstat_api::ChartImage)),
    modifiers(&BearerAuth),
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
