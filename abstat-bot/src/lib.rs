//! # abstat-bot
//!
//! The Telegram bot. It holds no statistics: it talks to `abstat-server`
//! over the HTTP API and turns results into messages and pictures.

/// What the bot needs to start.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// The token from @BotFather.
    pub token: String,
    /// Base URL of the Bot API server (the public one, or a self-hosted one).
    pub telegram_api_url: String,
    /// Base URL of the abstat HTTP API the bot calls.
    pub server_url: String,
}

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// This build does not contain the bot's dialogues yet.
    #[error(
        "the Telegram bot's dialogues are not part of this build yet; \
         use the HTTP API (abstat serve) meanwhile"
    )]
    NotAvailable,
}

/// Run the bot until it is stopped.
pub async fn run(_config: BotConfig) -> Result<(), Error> {
    Err(Error::NotAvailable)
}
