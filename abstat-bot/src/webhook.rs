//! Webhook mode: instead of polling, Telegram POSTs each update to
//! `ABSTAT_BOT_WEBHOOK_URL`; the bot serves that path on
//! `ABSTAT_BOT_WEBHOOK_LISTEN` with teloxide's `webhooks-axum` listener,
//! which registers the URL with `setWebhook` (and the secret token), refuses
//! deliveries whose `X-Telegram-Bot-Api-Secret-Token` header differs with
//! 401, and removes the webhook with `deleteWebhook` when the bot stops.

use std::convert::Infallible;
use std::net::SocketAddr;

use teloxide::Bot;
use teloxide::update_listeners::UpdateListener;
use teloxide::update_listeners::webhooks::{self, Options};

use crate::Error;

/// Where Telegram delivers updates and where the bot listens for them.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The public HTTPS URL Telegram POSTs to; its path is the path served.
    pub url: reqwest::Url,
    /// The local address the webhook server binds.
    pub listen: SocketAddr,
    /// The secret Telegram must send back in `X-Telegram-Bot-Api-Secret-Token`;
    /// `None` = a random one for each start.
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_str())
            .field("listen", &self.listen)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Whether `secret` is one Telegram accepts: 1–256 characters of
/// `A-Z a-z 0-9 _ -` (Bot API, setWebhook).
pub fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `text` as a webhook URL: http(s) with a host.
pub fn parse_url(text: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(text.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// Register the webhook and start serving it; the listener feeds the
/// dispatcher. The port is bound first, so a busy port is an error value
/// rather than a panic inside teloxide.
pub async fn listen(
    bot: Bot,
    config: &WebhookConfig,
) -> Result<impl UpdateListener<Err = Infallible>, Error> {
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Error::Listen {
            what: "ABSTAT_BOT_WEBHOOK_LISTEN",
            addr: config.listen,
            reason: e.to_string(),
        })?;
    let mut options = Options::new(config.listen, config.url.clone());
    if let Some(secret) = &config.secret {
        options = options.secret_token(secret.clone());
    }
    let (listener, stop, router) =
        webhooks::axum_to_router(bot, options)
            .await
            .map_err(|e| Error::Telegram {
                url: config.url.to_string(),
                reason: format!("setWebhook failed: {e}"),
            })?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(tcp, router).with_graceful_shutdown(stop).await {
            tracing::error!(error = %e, "the webhook server stopped");
        }
    });
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_follow_the_bot_api_alphabet() {
        assert!(valid_secret("abc_DEF-123"));
        assert!(!valid_secret(""));
        assert!(!valid_secret("has space"));
        assert!(!valid_secret(&"a".repeat(257)));
    }
}
