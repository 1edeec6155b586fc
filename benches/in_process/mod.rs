//! The in-process server the `jobs` and `server` benches drive: a file
//! SQLite metadata store and a local dataset store in a temporary folder,
//! one user, the 100,000-row A/B dataset of [`csv`] uploaded, and one
//! worker task. Requests go through the router with
//! `tower::ServiceExt::oneshot`, no sockets.

use abstat_server::AppState;
use abstat_server::auth::Tokens;
use abstat_server::config::HttpSettings;
use abstat_server::jobs::worker::{Running, Worker};
use abstat_server::store::Metadata;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common;

/// Rows of the benches' dataset.
pub const N: usize = 100_000;

/// variant = [u < 0.5] (seed 7), y ~ N(10, 3) (seed 11) + 0.05·B, as
/// `ab_frame()` in `benches/peer_timing.py`.
pub fn csv() -> String {
    let u = common::det_uniform(7, N);
    let y = common::det_normal(11, N, 10.0, 3.0);
    let mut s = String::with_capacity(N * 24);
    s.push_str("variant,y\n");
    for (u, y) in u.iter().zip(&y) {
        let b = *u >= 0.5;
        s.push_str(if b { "B," } else { "A," });
        s.push_str(&format!("{}\n", y + if b { 0.05 } else { 0.0 }));
    }
    s
}

/// A running in-process server with the dataset uploaded.
pub struct Server {
    /// The router.
    pub app: axum::Router,
    /// The bench user's access token.
    pub token: String,
    /// The uploaded dataset's id.
    pub dataset: String,
    _worker: Running,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Start it on `rt`.
    pub fn start(rt: &tokio::runtime::Runtime) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/meta.db", dir.path().display());
        rt.block_on(async {
            let metadata = Metadata::connect(&url).await.unwrap();
            let tokens = Tokens::new(&"b".repeat(32));
            // The benches call the routes thousands of times a minute as
            // one user: the per-user rate limit would answer 429.
            let settings = HttpSettings {
                rate_limit_per_minute: 0,
                ..HttpSettings::default()
            };
            let state = AppState::new(dir.path().to_path_buf(), metadata, tokens.clone())
                .unwrap()
                .with_settings(settings);
            let user = state
                .metadata()
                .create_user("bench", None, None)
                .await
                .unwrap();
            let token = tokens.issue(&user.id).unwrap().access;
            let app = abstat_server::app(state.clone());
            let upload = Request::post("/datasets/upload/?name=ab.csv")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(csv()))
                .unwrap();
            let (status, body) = call(&app, upload).await;
            assert_eq!(status, StatusCode::CREATED);
            let dataset = json(&body)["dataset"]["id"].as_str().unwrap().to_string();
            let worker = Worker::new(
                state.jobs().clone(),
                state.metadata().clone(),
                state.datasets(),
            )
            .spawn(1);
            Server {
                app,
                token,
                dataset,
                _worker: worker,
                _dir: dir,
            }
        })
    }

    /// `method uri` as the bench user, with a JSON `body`.
    pub fn request(&self, method: &str, uri: &str, body: Option<String>) -> Request<Body> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap()
    }

    /// Send `req`: the status and the body.
    pub async fn call(&self, req: Request<Body>) -> (StatusCode, Bytes) {
        call(&self.app, req).await
    }
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Bytes) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (status, res.into_body().collect().await.unwrap().to_bytes())
}

/// A body as JSON (`null` when it is not JSON).
pub fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or_default()
}
