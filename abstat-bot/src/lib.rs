//! # abstat-bot
//!
//! The Telegram bot. It holds no statistics: it talks to `abstat-server`
//! over the HTTP API ([`api::ApiClient`]) and turns results into messages
//! and pictures, in Russian or English ([`texts`]). [`handlers::schema`] is
//! the whole dialogue tree; [`run`] polls the Bot API with it.

pub mod api;
pub mod handlers;
pub mod results;
pub mod texts;

use std::sync::Arc;

use teloxide::dispatching::dialogue::InMemStorage;
use teloxide::prelude::*;
use teloxide::utils::command::BotCommands;

use crate::handlers::{Command, Session, schema};

/// What the bot needs to start.
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
}

/// The dependencies every handler can ask for.
pub fn dependencies(config: &BotConfig) -> DependencyMap {
    let api = Arc::new(api::ApiClient::new(
        &config.server_url,
        &config.service_token,
    ));
    dptree::deps![api, InMemStorage::<Session>::new()]
}

/// Run the bot until it is stopped: long polling against the Bot API.
pub async fn run(config: BotConfig) -> Result<(), Error> {
    let url = reqwest::Url::parse(&config.telegram_api_url)
        .map_err(|_| Error::BadApiUrl(config.telegram_api_url.clone()))?;
    let bot = Bot::new(&config.token).set_api_url(url);
    let me = bot.get_me().await.map_err(|e| Error::Telegram {
        url: config.telegram_api_url.clone(),
        reason: e.to_string(),
    })?;
    tracing::info!(bot = %me.username(), server = %config.server_url, "the Telegram bot is polling");
    if let Err(e) = bot.set_my_commands(Command::bot_commands()).await {
        tracing::warn!(error = %e, "could not register the command list with Telegram");
    }
    Dispatcher::builder(bot, schema())
        .dependencies(dependencies(&config))
        .default_handler(|update| async move {
            tracing::debug!(?update, "an update no handler takes");
        })
        .error_handler(LoggingErrorHandler::with_custom_text(
            "a bot handler failed",
        ))
        .build()
        .dispatch()
        .await;
    Ok(())
}
