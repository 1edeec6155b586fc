//! Structured logging with `tracing`: readable lines by default, JSON for
//! log shippers. The level comes from `RUST_LOG` (default `info`).
//!
//! Every line written while a request is served or a job runs carries the
//! fields of its span (in JSON: the `span` object, which promtail in
//! `deploy/loki` lifts into Loki): `request_id` (see
//! [`crate::http::request_log`]), `job_id` (the worker), and `user`, a
//! [`user_tag`], never a user name, Telegram id or the user's own id.

use sha2::{Digest, Sha256};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Install the global subscriber once, at start-up.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // try_init: a second call (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The pseudonym of a user in logs: the first 16 hex digits of
/// SHA-256("abstat-user:" + internal id). Internal ids are random UUIDs
/// (never Telegram ids or names), so the tag cannot be reversed by trying
/// ids, yet it is the same in every process: one user's requests and jobs
/// can be followed across the API and the workers.
pub fn user_tag(user_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"abstat-user:")
        .chain_update(user_id.as_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_tag_is_stable_short_and_not_the_id() {
        let id = "0f8c1a6e-4f6b-4d39-9f1e-2c8d5e7b9a10";
        let tag = user_tag(id);
        assert_eq!(tag, user_tag(id));
        assert_eq!(tag.len(), 16);
        assert!(!id.contains(&tag) && !tag.contains("0f8c1a6e"));
        assert_ne!(tag, user_tag("another-user"));
    }
}
