//! # abstat-bot
//!
//! The Telegram bot. It holds no statistics: it talks to `abstat-server`
//! over the HTTP API ([`api::ApiClient`]) and turns results into messages
//! and pictures, in Russian or English ([`texts`]). [`handlers::schema`] is
//! the whole dialogue tree; [`run`] feeds it updates by long polling or a
//! webhook ([`webhook`]), keeps dialogues in the configured [`storage`] and
//! counts everything in [`metrics`].

pub mod api;
pub mod handlers;
pub mod metrics;
pub mod results;
pub mod storage;
pub mod texts;
pub mod webhook;

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::di::DependencyMap;
use teloxide::dptree::{HandlerDescription, HandlerSignature};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::utils::command::BotCommands;

use crate::handlers::{Command, HandlerError, schema};
use crate::metrics::BotMetrics;
use crate::storage::{DialogueStorage, StateBackend};
use crate::webhook::WebhookConfig;

/// What the bot needs to reach Telegram and the server.
#[derive(Clone)]
pub struct BotConfig {
    /// The token from @BotFather.
    pub token: String,
    /// Base URL of the Bot API server (the public one, or a self-hosted one).
    pub telegram_api_url: String,
    /// Base URL of the abstat HTTP API the bot calls.
    pub server_url: String,
    /// The bot's service credential for `POST /auth/telegram/` (the
    /// server's `ABSTAT_BOT_SERVICE_TOKEN`).
    pub service_token: String,
}

impl std::fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"***")
            .field("telegram_api_url", &self.telegram_api_url)
            .field("server_url", &self.server_url)
            .field("service_token", &"***")
            .finish()
    }
}

/// How the bot runs: where updates come from, where dialogues live, where
/// metrics are served. The default polls, keeps dialogues in memory and
/// serves no metrics.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Dialogue storage (`ABSTAT_BOT_STATE`, `ABSTAT_REDIS_URL`).
    pub state: StateBackend,
    /// Webhook instead of long polling (`ABSTAT_BOT_WEBHOOK_URL`).
    pub webhook: Option<WebhookConfig>,
    /// Where `GET /metrics` is served (`ABSTAT_BOT_METRICS_ADDR`).
    pub metrics_addr: Option<SocketAddr>,
}

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Bot API URL is not a URL.
    #[error("ABSTAT_TELEGRAM_API_URL '{0}' is not a valid URL")]
    BadApiUrl(String),
    /// The Bot API refused the token or cannot be reached.
    #[error(
        "the Bot API at {url} does not accept the bot token (TELEGRAM_BOT_TOKEN) or cannot be reached: {reason}"
    )]
    Telegram {
        /// The Bot API URL.
        url: String,
        /// Its answer.
        reason: String,
    },
    /// The dialogue storage cannot be opened.
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    /// An address to listen on is taken or not allowed.
    #[error("{what}: cannot listen on {addr}: {reason}; choose a free port")]
    Listen {
        /// The setting that names the address.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The system's reason.
        reason: String,
    },
}

/// The dependencies every handler can ask for, with dialogues in memory
/// and no metrics (the `teloxide_tests` dialogue tests use this).
pub fn dependencies(config: &BotConfig) -> DependencyMap {
    let storage = teloxide::dispatching::dialogue::InMemStorage::<handlers::Session>::new();
    dependencies_with(
        config,
        teloxide::dispatching::dialogue::Storage::erase(storage),
        None,
    )
}

/// The dependencies with a given dialogue storage, and the metrics the API
/// client reports its calls to.
pub fn dependencies_with(
    config: &BotConfig,
    storage: Arc<DialogueStorage>,
    metrics: Option<Arc<BotMetrics>>,
) -> DependencyMap {
    let mut client = api::ApiClient::new(&config.server_url, &config.service_token);
    if let Some(m) = metrics {
        client = client.with_metrics(m);
    }
    dptree::deps![Arc::new(client), storage]
}

/// [`schema`] with every update counted and timed in `metrics` (one place,
/// so the handlers stay free of bookkeeping).
pub fn instrumented_schema(metrics: Arc<BotMetrics>) -> UpdateHandler<HandlerError> {
    let count = dptree::from_fn_with_description(
        DpHandlerDescription::entry(),
        move |deps: DependencyMap, cont| {
            let metrics = Arc::clone(&metrics);
            async move {
                let kind = deps
                    .try_get::<Update>()
                    .map_or("other", |u| metrics.update(&u));
                let started = Instant::now();
                let flow: ControlFlow<Result<(), HandlerError>, DependencyMap> = cont(deps).await;
                metrics.handled(kind, started.elapsed().as_secs_f64());
                flow
            }
        },
        HandlerSignature::Entry,
    );
    count.chain(schema())
}

/// Counts failures by kind, then logs them.
struct CountingErrors {
    metrics: Arc<BotMetrics>,
    /// Used when the error is not a failed Bot API request.
    kind: &'static str,
}

impl<E> ErrorHandler<E> for CountingErrors
where
    E: std::fmt::Debug + Send + 'static,
    E: AsRef<dyn std::error::Error + Send + Sync + 'static>,
{
    fn handle_error(self: Arc<Self>, error: E) -> futures_util::future::BoxFuture<'static, ()> {
        let telegram = error
            .as_ref()
            .downcast_ref::<teloxide::RequestError>()
            .is_some();
        self.metrics
            .error(if telegram { "telegram" } else { self.kind });
        tracing::error!(error = ?error, kind = self.kind, "a bot update failed");
        Box::pin(async {})
    }
}

/// Counts listener (polling) failures as Telegram errors, then logs them.
struct ListenerErrors(Arc<BotMetrics>);

impl<E: std::fmt::Debug + Send + 'static> ErrorHandler<E> for ListenerErrors {
    fn handle_error(self: Arc<Self>, error: E) -> futures_util::future::BoxFuture<'static, ()> {
        self.0.error("telegram");
        tracing::warn!(error = ?error, "receiving updates from Telegram failed");
        Box::pin(async {})
    }
}

/// Run the bot until it is stopped.
pub async fn run(config: BotConfig, options: RunOptions) -> Result<(), Error> {
    let url = reqwest::Url::parse(&config.telegram_api_url)
        .map_err(|_| Error::BadApiUrl(config.telegram_api_url.clone()))?;
    let bot = Bot::new(&config.token).set_api_url(url);
    let me = bot.get_me().await.map_err(|e| Error::Telegram {
        url: config.telegram_api_url.clone(),
        reason: e.to_string(),
    })?;
    let metrics = Arc::new(BotMetrics::new());
    if let Some(addr) = options.metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Listen {
                what: "ABSTAT_BOT_METRICS_ADDR",
                addr,
                reason: e.to_string(),
            })?;
        let bound = listener.local_addr().unwrap_or(addr);
        tracing::info!(%bound, "bot metrics: GET http://{bound}/metrics");
        tokio::spawn(metrics::serve(listener, Arc::clone(&metrics)));
    }
    let storage = storage::open(&options.state).await?;
    if let Err(e) = bot.set_my_commands(Command::bot_commands()).await {
        tracing::warn!(error = %e, "could not register the command list with Telegram");
    }
    let mut dispatcher =
        Dispatcher::builder(bot.clone(), instrumented_schema(Arc::clone(&metrics)))
            .dependencies(dependencies_with(
                &config,
                storage,
                Some(Arc::clone(&metrics)),
            ))
            .default_handler(|update| async move {
                tracing::debug!(?update, "an update no handler takes");
            })
            .error_handler(Arc::new(CountingErrors {
                metrics: Arc::clone(&metrics),
                kind: "handler",
            }))
            .build();
    let listener_errors = Arc::new(ListenerErrors(Arc::clone(&metrics)));
    let state = options.state.describe();
    match &options.webhook {
        Some(hook) => {
            let listener = webhook::listen(bot, hook).await?;
            tracing::info!(bot = %me.username(), url = %hook.url, listen = %hook.listen, %state, server = %config.server_url, "the Telegram bot takes updates on its webhook");
            dispatcher
                .dispatch_with_listener(listener, listener_errors)
                .await;
        }
        None => {
            tracing::info!(bot = %me.username(), %state, server = %config.server_url, "the Telegram bot is polling");
            let listener = teloxide::update_listeners::polling_default(bot).await;
            dispatcher
                .dispatch_with_listener(listener, listener_errors)
                .await;
        }
    }
    Ok(())
}
