//! # abstat-api
//!
//! The request and response bodies of the abstat HTTP API, defined once:
//! the server serialises them and its clients (the Telegram bot, tests)
//! deserialise the very same types, so the two can never drift apart.

use serde::{Deserialize, Serialize};

/// `POST /auth/token/`: log in with a user name and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// `POST /auth/token/refresh/`: exchange a refresh token for a new pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// A refresh token from an earlier [`TokenPair`].
    pub refresh: String,
}

/// `POST /auth/telegram/`: the bot asks for the token of a Telegram user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TelegramTokenRequest {
    /// The Telegram user id.
    pub telegram_id: i64,
    /// The Telegram user name or display name, used when the user is created.
    pub display_name: Option<String>,
}

/// Access and refresh tokens (JWT, HS256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenPair {
    /// Short-lived token for `Authorization: Bearer …`.
    pub access: String,
    /// Long-lived token for `POST /auth/token/refresh/`.
    pub refresh: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until `access` expires.
    pub expires_in: u64,
}

/// `GET /users/me/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Stable user id.
    pub id: String,
    /// Log-in name (`tg:<id>` for users created through Telegram).
    pub username: String,
    /// Telegram user id, for users who came through the bot.
    pub telegram_id: Option<i64>,
    /// Creation time, seconds since the Unix epoch.
    pub created_at: i64,
}

/// The one shape of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable kind, e.g. `invalid_credentials`, `not_found`.
    pub code: String,
    /// What went wrong and what to do, for a person.
    pub message: String,
    /// Structured extras (the field at fault, the allowed values …).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}
