//! Prometheus metrics of the bot, served at `GET /metrics` on
//! `ABSTAT_BOT_METRICS_ADDR` in the OpenMetrics text format (the same style
//! as the server's `abstat_*` families; the Bot dashboard in `deploy/` is
//! written against these names).
//!
//! | family | labels | meaning |
//! |---|---|---|
//! | `abstat_bot_updates` (counter) | kind (message, document, callback_query, other) | updates received |
//! | `abstat_bot_commands` (counter) | command | commands received, by name (`unknown` for others) |
//! | `abstat_bot_handler_duration_seconds` (histogram) | kind | time to handle an update |
//! | `abstat_bot_errors` (counter) | kind (handler, telegram, server_api) | failures |
//! | `abstat_bot_active_users` (gauge) | | distinct chats with an update in the last 5 minutes |
//! | `abstat_bot_api_request_duration_seconds` (histogram) | method, endpoint | calls to the abstat HTTP API |
//! | `abstat_bot_api_errors` (counter) | endpoint, kind (unreachable, refused, server) | failed calls to the API |

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use teloxide::types::{Update, UpdateKind};
use teloxide::utils::command::BotCommands;

use crate::handlers::Command;

/// How long a chat counts as active after its last update.
pub const ACTIVE_WINDOW: Duration = Duration::from_secs(5 * 60);

/// One label: the kind of an update or an error.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    /// `message`, `document`, `callback_query`, … or `handler`, `telegram`, …
    pub kind: String,
}

/// One label: a command name.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    /// `start`, `datasets`, … or `unknown`.
    pub command: String,
}

/// Labels of a call to the abstat API.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ApiLabels {
    /// HTTP method.
    pub method: String,
    /// The path with ids replaced by `{id}` (`/datasets/{id}/`).
    pub endpoint: String,
}

/// Labels of a failed call to the abstat API.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ApiErrorLabels {
    /// The path with ids replaced by `{id}`.
    pub endpoint: String,
    /// `unreachable`, `refused` (4xx) or `server` (5xx / unreadable).
    pub kind: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_buckets() -> Histogram {
    // 1 ms … ~16 s, as the server's HTTP latency.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Every metric of the bot process.
#[derive(Debug)]
pub struct BotMetrics {
    registry: Registry,
    updates: Family<KindLabels, Counter>,
    commands: Family<CommandLabels, Counter>,
    handler_duration: Histograms<KindLabels>,
    errors: Family<KindLabels, Counter>,
    active_users: Gauge,
    api_duration: Histograms<ApiLabels>,
    api_errors: Family<ApiErrorLabels, Counter>,
    last_seen: Mutex<HashMap<i64, Instant>>,
}

impl Default for BotMetrics {
    fn default() -> Self {
        BotMetrics::new()
    }
}

/// The kinds an update is counted under.
pub const UPDATE_KINDS: [&str; 4] = ["message", "document", "callback_query", "other"];
/// The kinds an error is counted under.
pub const ERROR_KINDS: [&str; 3] = ["handler", "telegram", "server_api"];

impl BotMetrics {
    /// A fresh registry with every family registered; every update, error
    /// and command series exists from the start (zeros), so dashboards and
    /// alerts have data before the first user.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("abstat_bot");
        let updates = Family::<KindLabels, Counter>::default();
        registry.register("updates", "Updates received from Telegram", updates.clone());
        let commands = Family::<CommandLabels, Counter>::default();
        registry.register("commands", "Commands received, by name", commands.clone());
        let handler_duration: Histograms<KindLabels> =
            Family::new_with_constructor(latency_buckets);
        registry.register(
            "handler_duration_seconds",
            "Time to handle an update",
            handler_duration.clone(),
        );
        let errors = Family::<KindLabels, Counter>::default();
        registry.register("errors", "Failures, by where they happened", errors.clone());
        let active_users = Gauge::default();
        registry.register(
            "active_users",
            "Distinct chats with an update in the last 5 minutes",
            active_users.clone(),
        );
        let api_duration: Histograms<ApiLabels> = Family::new_with_constructor(latency_buckets);
        registry.register(
            "api_request_duration_seconds",
            "Calls to the abstat HTTP API",
            api_duration.clone(),
        );
        let api_errors = Family::<ApiErrorLabels, Counter>::default();
        registry.register(
            "api_errors",
            "Failed calls to the abstat HTTP API",
            api_errors.clone(),
        );
        let m = BotMetrics {
            registry,
            updates,
            commands,
            handler_duration,
            errors,
            active_users,
            api_duration,
            api_errors,
            last_seen: Mutex::new(HashMap::new()),
        };
        for kind in UPDATE_KINDS {
            let labels = KindLabels { kind: kind.into() };
            let _ = m.updates.get_or_create(&labels);
            let _ = m.handler_duration.get_or_create(&labels);
        }
        for kind in ERROR_KINDS {
            let _ = m.errors.get_or_create(&KindLabels { kind: kind.into() });
        }
        // The calls every dialogue makes, so the latency panel has series
        // before the first user.
        for (method, endpoint) in [
            ("POST", "/auth/telegram/"),
            ("POST", "/datasets/upload/"),
            ("GET", "/datasets/list/"),
            ("GET", "/datasets/{id}/"),
        ] {
            let _ = m.api_duration.get_or_create(&ApiLabels {
                method: method.into(),
                endpoint: endpoint.into(),
            });
        }
        for c in Command::bot_commands() {
            let _ = m.commands.get_or_create(&CommandLabels {
                command: c.command.trim_start_matches('/').to_string(),
            });
        }
        m
    }

    /// The OpenMetrics text of every family (refreshes the active-users gauge).
    pub fn render(&self) -> String {
        self.refresh_active(Instant::now());
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    fn refresh_active(&self, now: Instant) -> usize {
        let mut seen = self.last_seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, t| now.duration_since(*t) < ACTIVE_WINDOW);
        self.active_users.set(seen.len() as i64);
        seen.len()
    }

    /// An update arrived; returns the kind it is counted under.
    pub fn update(&self, update: &Update) -> &'static str {
        let kind = update_kind(update);
        self.updates
            .get_or_create(&KindLabels { kind: kind.into() })
            .inc();
        if let UpdateKind::Message(m) = &update.kind
            && let Some(text) = m.text()
            && let Some(command) = command_name(text)
        {
            self.commands
                .get_or_create(&CommandLabels { command })
                .inc();
        }
        if let Some(chat) = update.chat() {
            let now = Instant::now();
            self.last_seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(chat.id.0, now);
        }
        kind
    }

    /// An update of `kind` was handled in `seconds`.
    pub fn handled(&self, kind: &str, seconds: f64) {
        self.handler_duration
            .get_or_create(&KindLabels { kind: kind.into() })
            .observe(seconds);
    }

    /// A failure of `kind` (one of [`ERROR_KINDS`]).
    pub fn error(&self, kind: &str) {
        self.errors
            .get_or_create(&KindLabels { kind: kind.into() })
            .inc();
    }

    /// A call to the abstat API took `seconds`; `failure` is its error kind.
    pub fn api_call(&self, method: &str, path: &str, seconds: f64, failure: Option<&str>) {
        let endpoint = endpoint(path);
        if let Some(kind) = failure {
            self.api_errors
                .get_or_create(&ApiErrorLabels {
                    endpoint: endpoint.clone(),
                    kind: kind.into(),
                })
                .inc();
            self.error("server_api");
        }
        self.api_duration
            .get_or_create(&ApiLabels {
                method: method.into(),
                endpoint,
            })
            .observe(seconds);
    }
}

fn update_kind(update: &Update) -> &'static str {
    match &update.kind {
        UpdateKind::Message(m) if m.document().is_some() => "document",
        UpdateKind::Message(_) => "message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        _ => "other",
    }
}

/// `/start@abstat_bot now` → `start`; a command the bot does not know is
/// `unknown`, so typos cannot grow the label set.
fn command_name(text: &str) -> Option<String> {
    let word = text.strip_prefix('/')?.split_whitespace().next()?;
    let name = word.split('@').next()?.to_lowercase();
    let known = Command::bot_commands()
        .iter()
        .any(|c| c.command.trim_start_matches('/') == name);
    Some(if known { name } else { "unknown".into() })
}

/// A path with its ids replaced by `{id}`: a segment with a digit is an id.
fn endpoint(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|s| {
            if s.bytes().any(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Serve `GET /metrics` on `addr` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: std::sync::Arc<BotMetrics>,
) -> std::io::Result<()> {
    use axum::http::header;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = std::sync::Arc::clone(&metrics);
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.render(),
                )
            }
        }),
    );
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_renders_with_zeros_before_any_traffic() {
        let text = BotMetrics::new().render();
        for line in [
            "abstat_bot_updates_total{kind=\"callback_query\"} 0",
            "abstat_bot_commands_total{command=\"start\"} 0",
            "abstat_bot_errors_total{kind=\"server_api\"} 0",
            "abstat_bot_active_users 0",
            "# TYPE abstat_bot_handler_duration_seconds histogram",
            "# TYPE abstat_bot_api_request_duration_seconds histogram",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }

    #[test]
    fn commands_are_named_and_unknown_ones_pooled() {
        assert_eq!(command_name("/start").as_deref(), Some("start"));
        assert_eq!(
            command_name("/Datasets@abstat_bot x").as_deref(),
            Some("datasets")
        );
        assert_eq!(command_name("/rm -rf").as_deref(), Some("unknown"));
        assert_eq!(command_name("hello"), None);
    }

    #[test]
    fn ids_leave_the_endpoint_label() {
        assert_eq!(endpoint("/datasets/7f3a9c/?x=1"), "/datasets/{id}/");
        assert_eq!(endpoint("/datasets/list/"), "/datasets/list/");
    }

    #[test]
    fn api_failures_count_under_the_endpoint_and_as_errors() {
        let m = BotMetrics::new();
        m.api_call("GET", "/datasets/1/", 0.01, Some("unreachable"));
        let text = m.render();
        assert!(
            text.contains(
                "abstat_bot_api_errors_total{endpoint=\"/datasets/{id}/\",kind=\"unreachable\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("abstat_bot_errors_total{kind=\"server_api\"} 1"));
    }

    #[test]
    fn chats_stop_being_active_after_the_window() {
        let m = BotMetrics::new();
        let long_ago = Instant::now() - ACTIVE_WINDOW - Duration::from_secs(1);
        m.last_seen.lock().unwrap().insert(1, long_ago);
        m.last_seen.lock().unwrap().insert(2, Instant::now());
        assert_eq!(m.refresh_active(Instant::now()), 1);
    }
}
