//! Passwords (argon2id) and tokens (JWT, HS256): issuing, checking, and the
//! [`AuthUser`] extractor that every protected route takes.

use std::time::{SystemTime, UNIX_EPOCH};

use abstat_api::TokenPair;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::AppState;

/// Access tokens live 15 minutes; refresh tokens 30 days.
pub const ACCESS_TTL_SECS: u64 = 15 * 60;
/// See [`ACCESS_TTL_SECS`].
pub const REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

/// Hash a password to an argon2id PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a password nobody has, verified when the user does not exist so
/// that a wrong name takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no user has this password").unwrap_or_default())
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    typ: String,
    iat: u64,
    exp: u64,
}

/// Signs and checks tokens with the configured secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(***)")
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tokens {
    /// Keys from the JWT secret.
    pub fn new(secret: &str) -> Self {
        Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }

    fn sign(&self, user_id: &str, typ: &str, ttl: u64) -> Result<String, ApiError> {
        let iat = now();
        let claims = Claims {
            sub: user_id.to_string(),
            typ: typ.to_string(),
            iat,
            exp: iat + ttl,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal("signing a token", e))
    }

    /// A fresh access + refresh pair for `user_id`.
    pub fn issue(&self, user_id: &str) -> Result<TokenPair, ApiError> {
        Ok(TokenPair {
            access: self.sign(user_id, "access", ACCESS_TTL_SECS)?,
            refresh: self.sign(user_id, "refresh", REFRESH_TTL_SECS)?,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TTL_SECS,
        })
    }

    /// The user id in a valid, unexpired token of kind `typ`.
    pub fn verify(&self, token: &str, typ: &str) -> Result<String, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => ApiError::unauthorized(
                    "token_expired",
                    "the token has expired; get a new one from /auth/token/refresh/",
                ),
                _ => ApiError::unauthorized(
                    "invalid_token",
                    "the token is not valid; log in again at /auth/token/",
                ),
            }
        })?;
        if data.claims.typ != typ {
            return Err(ApiError::unauthorized(
                "wrong_token_type",
                format!(
                    "a {} token was sent where a {typ} token is needed",
                    data.claims.typ
                ),
            ));
        }
        Ok(data.claims.sub)
    }
}

/// The user a request is made by, from `Authorization: Bearer <access token>`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user's id.
    pub id: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized(
                "missing_token",
                "send an access token as `Authorization: Bearer <token>`; get one from /auth/token/",
            )
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "invalid_token",
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;
        let id = state.tokens().verify(token.trim(), "access")?;
        // the request's span (crate::http::request_log) names the caller
        tracing::Span::current().record("user", crate::logging::user_tag(&id));
        Ok(AuthUser { id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_round_trip_and_keep_their_kind() {
        let t = Tokens::new(&"k".repeat(32));
        let pair = t.issue("user-1").unwrap();
        assert_eq!(t.verify(&pair.access, "access").unwrap(), "user-1");
        assert_eq!(t.verify(&pair.refresh, "refresh").unwrap(), "user-1");
        assert_eq!(t.verify(&pair.refresh, "access").unwrap_err().status(), 401);
        let other = Tokens::new(&"x".repeat(32));
        assert!(
            other.verify(&pair.access, "access").is_err(),
            "another secret must not verify"
        );
    }
}
