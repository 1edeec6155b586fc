//! # abstat-api
//!
//! The request and response bodies of the abstat HTTP API, defined once:
//! the server serialises them and its clients (the Telegram bot, tests)
//! deserialise the very same types, so the two can never drift apart.

use serde::{Deserialize, Serialize};

mod analysis;
mod charts;
mod clean;
mod jobs;

pub use analysis::*;
pub use charts::*;
pub use clean::*;
pub use jobs::*;

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

/// A column of a stored dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Column {
    /// Safe column name, used in every request.
    pub name: String,
    /// Arrow data type, as text (e.g. `Float64`, `Utf8`).
    pub data_type: String,
    /// The name in the uploaded file, when it had to be changed.
    pub label: Option<String>,
}

/// A dataset as the API lists it (its newest version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dataset {
    /// Dataset id.
    pub id: String,
    /// The name given at upload (usually the file name).
    pub name: String,
    /// Newest version number (1 = as uploaded).
    pub version: u32,
    /// Number of versions.
    pub versions: u32,
    /// Rows of the newest version.
    pub rows: u64,
    /// Columns of the newest version.
    pub columns: Vec<Column>,
    /// Upload time, seconds since the Unix epoch.
    pub created_at: i64,
}

/// `POST /datasets/upload/`: the stored dataset, its profile and what the
/// reader detected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadResponse {
    /// The new dataset.
    pub dataset: Dataset,
    /// Column profiles: types, counts, missing values, distinct values,
    /// moments, quantiles, top values; rows and duplicate rows.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub profile: serde_json::Value,
    /// Format, encoding, delimiter, skipped rows and renamed columns.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub report: serde_json::Value,
}

/// A value of a column and how many rows hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelCount {
    /// The value as the analyses label it (text as is, booleans `True` /
    /// `False`, numbers in their shortest form: `1`, `2.5`).
    pub value: String,
    /// Rows with this value.
    pub count: u64,
}

/// `GET /datasets/{id}/values/`: one column's most frequent values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnValues {
    /// The column's (safe) name.
    pub name: String,
    /// Distinct non-missing values, counted up to the query's `distinct_cap`
    /// (then `distinct_capped` is true and the count is that cap).
    pub distinct: u64,
    /// Whether counting stopped at the cap.
    pub distinct_capped: bool,
    /// Rows without a value.
    pub missing: u64,
    /// The most frequent values, by count (descending) then value; at most
    /// the query's `limit`.
    pub top: Vec<LabelCount>,
}
