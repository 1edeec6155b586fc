//! The bot's client of the abstat HTTP API. The bot acts for Telegram
//! users: it exchanges its service credential and a user's Telegram id for
//! that user's token (`POST /auth/telegram/`), keeps it until shortly
//! before it expires, and sends every request with it — so the server's
//! ownership rules apply to bot users exactly as to anyone else.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use abstat_api::{
    AbDesignRequest, AbDesignResponse, AbTestRequest, ClassificationRequest, ColumnValues, Dataset,
    ErrorBody, JobResponse, RegressionRequest, StatTestRequest, TelegramTokenRequest, TokenPair,
    UploadResponse,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// How long a submission waits for its result by default: most analyses
/// of a chat-sized file finish well within it.
pub const DEFAULT_QUICK_WAIT_SECS: f64 = 3.0;

/// The header carrying the bot's service credential.
pub const BOT_TOKEN_HEADER: &str = "x-abstat-bot-token";

/// What a call to the server can end with besides success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The server could not be reached (down, wrong URL, timeout).
    #[error("the abstat server at {url} cannot be reached: {reason}")]
    Unreachable {
        /// The base URL.
        url: String,
        /// The transport's reason.
        reason: String,
    },
    /// The server refused the request; its error body says why.
    #[error("{} ({status})", body.message)]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error body.
        body: ErrorBody,
    },
    /// The server answered something the bot cannot read, or a 5xx.
    #[error("the abstat server failed: {0}")]
    Server(String),
}

impl ApiError {
    /// The server's error code, for refusals.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Refused { body, .. } => Some(&body.code),
            _ => None,
        }
    }
}

/// A client for one abstat server.
#[derive(Debug)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    service_token: String,
    tokens: Mutex<HashMap<i64, (String, Instant)>>,
    metrics: Option<std::sync::Arc<crate::metrics::BotMetrics>>,
    quick_wait: f64,
}

impl ApiClient {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`),
    /// presenting `service_token` (the server's `ABSTAT_BOT_SERVICE_TOKEN`).
    pub fn new(base: &str, service_token: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(300))
            .build()
            .unwrap_or_default();
        ApiClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            service_token: service_token.to_string(),
            tokens: Mutex::new(HashMap::new()),
            metrics: None,
            quick_wait: DEFAULT_QUICK_WAIT_SECS,
        }
    }

    /// Report every call's latency and failures to `metrics`.
    pub fn with_metrics(mut self, metrics: std::sync::Arc<crate::metrics::BotMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Wait up to `seconds` for an analysis to finish when submitting it
    /// (the rest of the chat waits meanwhile); longer jobs are followed in
    /// the background.
    pub fn with_quick_wait(mut self, seconds: f64) -> Self {
        self.quick_wait = seconds;
        self
    }

    /// How long a submission waits for the result.
    pub fn quick_wait(&self) -> f64 {
        self.quick_wait
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Send `req`, timing it for the metrics.
    async fn send<R: DeserializeOwned>(&self, req: RequestBuilder) -> Result<R, ApiError> {
        let Some(metrics) = &self.metrics else {
            return self.exchange(req).await;
        };
        let (client, request) = req.build_split();
        let request = request.map_err(|e| ApiError::Server(e.to_string()))?;
        let (method, path) = (
            request.method().to_string(),
            request.url().path().to_string(),
        );
        let started = Instant::now();
        let result = self
            .exchange(RequestBuilder::from_parts(client, request))
            .await;
        let failure = result.as_ref().err().map(|e| match e {
            ApiError::Unreachable { .. } => "unreachable",
            ApiError::Refused { .. } => "refused",
            ApiError::Server(_) => "server",
        });
        metrics.api_call(&method, &path, started.elapsed().as_secs_f64(), failure);
        result
    }

    async fn exchange<R: DeserializeOwned>(&self, req: RequestBuilder) -> Result<R, ApiError> {
        let res = req.send().await.map_err(|e| ApiError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        })?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(|e| ApiError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        })?;
        if status.is_success() {
            let bytes = if bytes.is_empty() {
                &b"null"[..]
            } else {
                &bytes[..]
            };
            return serde_json::from_slice(bytes)
                .map_err(|e| ApiError::Server(format!("unexpected answer ({status}): {e}")));
        }
        if status.is_client_error()
            && let Ok(body) = serde_json::from_slice::<ErrorBody>(&bytes)
        {
            return Err(ApiError::Refused {
                status: status.as_u16(),
                body,
            });
        }
        Err(ApiError::Server(format!(
            "{status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        )))
    }

    /// The access token of Telegram user `telegram_id`, from the cache or
    /// the server.
    async fn token(&self, telegram_id: i64, fresh: bool) -> Result<String, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if !fresh
            && let Some((token, until)) = tokens.get(&telegram_id)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let pair: TokenPair = self
            .send(
                self.http
                    .post(self.url("/auth/telegram/"))
                    .header(BOT_TOKEN_HEADER, &self.service_token)
                    .json(&TelegramTokenRequest {
                        telegram_id,
                        display_name: None,
                    }),
            )
            .await?;
        // Renew a minute early so a request never carries a token that
        // expires on the way.
        let until = Instant::now() + Duration::from_secs(pair.expires_in.saturating_sub(60));
        tokens.insert(telegram_id, (pair.access.clone(), until));
        Ok(pair.access)
    }

    /// Call `path` as Telegram user `telegram_id`; one retry with a fresh
    /// token if the cached one was refused.
    async fn call<R: DeserializeOwned>(
        &self,
        telegram_id: i64,
        method: Method,
        path: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<R, ApiError> {
        let mut fresh = false;
        loop {
            let token = self.token(telegram_id, fresh).await?;
            let req = build(
                self.http
                    .request(method.clone(), self.url(path))
                    .bearer_auth(token),
            );
            match self.send(req).await {
                Err(ApiError::Refused { status, .. })
                    if status == StatusCode::UNAUTHORIZED.as_u16() && !fresh =>
                {
                    fresh = true;
                }
                other => return other,
            }
        }
    }

    /// Upload a file the user sent; `name` is its file name.
    pub async fn upload(
        &self,
        telegram_id: i64,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadResponse, ApiError> {
        let bytes = bytes::Bytes::from(bytes);
        self.call(telegram_id, Method::POST, "/datasets/upload/", |r| {
            r.query(&[("name", name)])
                .header("content-type", "application/octet-stream")
                .body(bytes.clone())
        })
        .await
    }

    /// The user's datasets, newest first.
    pub async fn datasets(&self, telegram_id: i64) -> Result<Vec<Dataset>, ApiError> {
        self.call(telegram_id, Method::GET, "/datasets/list/", |r| r)
            .await
    }

    /// One dataset.
    pub async fn dataset(&self, telegram_id: i64, id: &str) -> Result<Dataset, ApiError> {
        self.call(telegram_id, Method::GET, &format!("/datasets/{id}/"), |r| r)
            .await
    }

    /// Delete a dataset.
    pub async fn delete(&self, telegram_id: i64, id: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call(
                telegram_id,
                Method::DELETE,
                &format!("/datasets/{id}/"),
                |r| r,
            )
            .await?;
        Ok(())
    }

    /// Each column's distinct count and most frequent values, labelled as
    /// the analyses label them (`GET /datasets/{id}/values/`).
    pub async fn values(&self, telegram_id: i64, id: &str) -> Result<Vec<ColumnValues>, ApiError> {
        self.call(
            telegram_id,
            Method::GET,
            &format!("/datasets/{id}/values/"),
            |r| r.query(&[("limit", "20"), ("distinct_cap", "1000")]),
        )
        .await
    }

    /// Submit an analysis, waiting up to `wait` seconds for it to finish
    /// (the server caps the wait at 60 s).
    pub async fn submit(
        &self,
        telegram_id: i64,
        analysis: &Analysis,
        wait: f64,
    ) -> Result<JobResponse, ApiError> {
        let wait = wait.to_string();
        self.call(telegram_id, Method::POST, analysis.path(), |r| {
            let r = r.query(&[("wait", wait.as_str())]);
            match analysis {
                Analysis::StatTest(q) => r.json(q),
                Analysis::Regression(q) => r.json(q),
                Analysis::Classification(q) => r.json(q),
                Analysis::AbTest(q) => r.json(q),
            }
        })
        .await
    }

    /// A job, waiting up to `wait` seconds for it to finish.
    pub async fn job(
        &self,
        telegram_id: i64,
        id: &str,
        wait: f64,
    ) -> Result<JobResponse, ApiError> {
        let wait = wait.to_string();
        self.call(telegram_id, Method::GET, &format!("/jobs/{id}/"), |r| {
            r.query(&[("wait", wait.as_str())])
        })
        .await
    }

    /// Plan an experiment (`POST /ab-tests/design/`, answered inline).
    pub async fn design(
        &self,
        telegram_id: i64,
        request: &AbDesignRequest,
    ) -> Result<AbDesignResponse, ApiError> {
        self.call(telegram_id, Method::POST, "/ab-tests/design/", |r| {
            r.json(request)
        })
        .await
    }
}

/// One analysis request of the API, as the bot submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Analysis {
    /// `POST /analytics/stat-tests/`.
    StatTest(StatTestRequest),
    /// `POST /analytics/regression/`.
    Regression(RegressionRequest),
    /// `POST /analytics/classification/`.
    Classification(ClassificationRequest),
    /// `POST /ab-tests/run/`.
    AbTest(AbTestRequest),
}

impl Analysis {
    /// The route it goes to.
    pub fn path(&self) -> &'static str {
        match self {
            Analysis::StatTest(_) => "/analytics/stat-tests/",
            Analysis::Regression(_) => "/analytics/regression/",
            Analysis::Classification(_) => "/analytics/classification/",
            Analysis::AbTest(_) => "/ab-tests/run/",
        }
    }

    /// The dataset it analyses.
    pub fn dataset(&self) -> &str {
        match self {
            Analysis::StatTest(q) => &q.dataset_id,
            Analysis::Regression(q) => &q.dataset_id,
            Analysis::Classification(q) => &q.dataset_id,
            Analysis::AbTest(q) => &q.dataset_id,
        }
    }
}
