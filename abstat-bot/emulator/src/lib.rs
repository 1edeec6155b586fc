//! # abstat-tg-emulator
//!
//! A small Telegram Bot API server for end-to-end tests: the real `abstat
//! bot` binary talks HTTP to it exactly as to `api.telegram.org` (point
//! `ABSTAT_TELEGRAM_API_URL` at [`Emulator::url`]), while a test plays the
//! users through [`Emulator`]'s methods or the HTTP control API
//! ([`control`]).
//!
//! Why our own and not the npm `telegram-test-api` (considered in issue
//! #9): that one has no long polling (`getUpdates` returns at once, so the
//! bot would spin), no `getFile` or file download, no `sendPhoto` /
//! `sendDocument`, no `is_bot` in `getMe` and no `chat_instance` in
//! callback queries, so it needs an adapter in front of it anyway — and
//! abstat's bot depends on every one of those. This one is a few hundred
//! lines on axum, and every object it hands out is checked against
//! teloxide's published Bot API types.
//!
//! ```no_run
//! # async fn demo() -> Result<(), abstat_tg_emulator::EmulatorError> {
//! use abstat_tg_emulator::{Emulator, TestUser};
//! let tg = Emulator::start("123456:TEST-token-for-tests").await?;
//! // start the bot with ABSTAT_TELEGRAM_API_URL = tg.url() …
//! let alice = TestUser::new(42, "en");
//! let after = tg.last_seq();
//! tg.send_text(&alice, "/start")?;
//! let reply = tg.next_event(42, after, std::time::Duration::from_secs(5)).await;
//! # Ok(()) }
//! ```

pub mod bot_api;
pub mod control;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;

pub use crate::state::{BotEvent, EventKind, Shared, TestUser, Webhook};

/// What the emulator answers instead of a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A Bot API error, sent to the bot as `{"ok": false, …}`.
    #[error("{code}: {description}")]
    Api {
        /// `error_code` (400, 401, 404, 409).
        code: u16,
        /// Telegram's `description`, worded as Telegram words it (teloxide
        /// matches some of these texts).
        description: String,
    },
    /// A test pressed a button that is not on any bot message of the chat.
    #[error("no button '{button}' in chat {chat}; buttons there: {seen:?}")]
    NoSuchButton {
        /// The label looked for.
        button: String,
        /// The chat.
        chat: i64,
        /// The labels that are there.
        seen: Vec<String>,
    },
    /// The emulator built an object teloxide's types refuse (a bug here).
    #[error("the emulator built a {what} that is not Bot API: {reason} in {json}")]
    NotBotApi {
        /// The teloxide type.
        what: &'static str,
        /// serde's complaint.
        reason: String,
        /// The object.
        json: String,
    },
    /// The emulator cannot listen.
    #[error("the emulator cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// The emulator's HTTP routes: the Bot API and the control API.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{bot}/{method}",
            post(bot_api::method).get(bot_api::method),
        )
        .route("/file/{bot}/{*path}", get(bot_api::download))
        .route("/control/users/{id}/text", post(control::text))
        .route("/control/users/{id}/document", post(control::document))
        .route("/control/users/{id}/press", post(control::press))
        .route("/control/chats/{id}/events", get(control::events))
        .route("/control/chats/{id}/next", get(control::next))
        .route("/control/files/{id}", get(control::file))
        .route("/control/webhook", get(control::webhook))
        .with_state(shared)
}

/// A running emulator; stops when dropped.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Emulator {
    /// Start on a free loopback port, accepting the bot token `token`.
    pub async fn start(token: &str) -> Result<Emulator, EmulatorError> {
        Emulator::bind("127.0.0.1:0".parse().expect("a valid address"), token).await
    }

    /// Start listening on `addr`.
    pub async fn bind(addr: SocketAddr, token: &str) -> Result<Emulator, EmulatorError> {
        let shared = Arc::new(Shared::new(token));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let hooks = tokio::spawn(bot_api::deliver_webhooks(Arc::clone(&shared)));
        Ok(Emulator {
            shared,
            addr,
            tasks: vec![server, hooks],
        })
    }

    /// The base URL to give the bot (`ABSTAT_TELEGRAM_API_URL`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The state, for what the methods below do not cover.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// `user` sends `text` to the bot; returns the message id.
    pub fn send_text(&self, user: &TestUser, text: &str) -> Result<i32, EmulatorError> {
        Ok(self.shared.user_text(user, text)?.1)
    }

    /// `user` sends a file as a document; returns the message id.
    pub fn send_document(
        &self,
        user: &TestUser,
        file_name: &str,
        bytes: impl Into<Bytes>,
    ) -> Result<i32, EmulatorError> {
        Ok(self.shared.user_document(user, file_name, bytes.into())?.1)
    }

    /// `user` taps the button labelled `button` on the newest bot message
    /// in their chat that has one.
    pub fn press(&self, user: &TestUser, button: &str) -> Result<(), EmulatorError> {
        self.shared.user_press(user, None, button).map(drop)
    }

    /// `user` taps `button` under message `message_id`.
    pub fn press_on(
        &self,
        user: &TestUser,
        message_id: i32,
        button: &str,
    ) -> Result<(), EmulatorError> {
        self.shared
            .user_press(user, Some(message_id), button)
            .map(drop)
    }

    /// The number of the newest bot event; pass it to [`Emulator::next_event`].
    pub fn last_seq(&self) -> u64 {
        self.shared.last_seq()
    }

    /// What the bot did in `chat` after event `after`.
    pub fn events(&self, chat: i64, after: u64) -> Vec<BotEvent> {
        self.shared.events(chat, after)
    }

    /// Wait up to `timeout` for the bot's next action in `chat` after `after`.
    pub async fn next_event(&self, chat: i64, after: u64, timeout: Duration) -> Option<BotEvent> {
        self.shared.next_event(chat, after, timeout).await
    }

    /// The bytes of a file (a photo or document the bot sent), by file id.
    pub fn file(&self, file_id: &str) -> Option<Bytes> {
        self.shared.file_bytes(file_id)
    }

    /// The webhook the bot registered, if any.
    pub fn webhook(&self) -> Option<Webhook> {
        self.shared.lock().webhook.clone()
    }

    /// Updates the bot has not taken yet.
    pub fn pending_updates(&self) -> usize {
        self.shared.pending_updates()
    }
}
