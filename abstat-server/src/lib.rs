//! # abstat-server
//!
//! The `abstat` binary's library half: configuration, the HTTP API
//! ([`app`]), and the commands `serve`, `worker`, `bot` and `user`.
//! Handlers parse a request, call one function of abstat-core / abstat-io,
//! and render the answer; no statistics live here.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod jobs;
pub mod logging;
pub mod metrics;
pub mod probe;
pub mod store;
pub mod timed_store;

pub use config::Config;
pub use http::{AppState, app};
