//! `POST /auth/token/`, `POST /auth/token/refresh/`, `POST /auth/telegram/`,
//! `GET /users/me/`.

use abstat_api::{ErrorBody, RefreshRequest, TelegramTokenRequest, TokenPair, TokenRequest, User};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use subtle::ConstantTimeEq;

use super::{AppState, Json};
use crate::auth::{AuthUser, dummy_hash, verify_password};
use crate::error::ApiError;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token/", post(token))
        .route("/auth/token/refresh/", post(refresh))
        .route("/auth/telegram/", post(telegram))
        .route("/users/me/", get(me))
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "wrong user name or password")
}

/// Log in with a user name and password.
#[utoipa::path(post, path = "/auth/token/", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenPair), (status = 401, description = "wrong user name or password", body = ErrorBody)))]
pub(super) async fn token(
    State(state): State<AppState>,
    Json(req): Json<TokenRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let found = state.metadata().user_by_name(&req.username).await?;
    let password = req.password;
    let (user, hash) = match found {
        Some(u) => (Some(u.user), u.password_hash),
        None => (None, None),
    };
    // Argon2 is slow on purpose: off the async threads. A missing user or a
    // Telegram-only user is checked against a dummy hash so timing reveals nothing.
    let ok = tokio::task::spawn_blocking(move || {
        let matched = verify_password(&password, hash.as_deref().unwrap_or(dummy_hash()));
        matched && hash.is_some()
    })
    .await
    .map_err(|e| ApiError::internal("password check", e))?;
    match user {
        Some(user) if ok => Ok(Json(state.tokens().issue(&user.id)?)),
        _ => Err(invalid_credentials()),
    }
}

/// Exchange a refresh token for a new token pair.
#[utoipa::path(post, path = "/auth/token/refresh/", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, description = "invalid or expired refresh token", body = ErrorBody)))]
pub(super) async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let user_id = state.tokens().verify(&req.refresh, "refresh")?;
    // A deleted user's refresh token must stop working.
    if state.metadata().user_by_id(&user_id).await?.is_none() {
        return Err(ApiError::unauthorized(
            "invalid_token",
            "the user of this token no longer exists",
        ));
    }
    Ok(Json(state.tokens().issue(&user_id)?))
}

/// The header in which the bot presents its service credential.
pub const BOT_TOKEN_HEADER: &str = "x-abstat-bot-token";

/// The bot exchanges its service credential (`X-Abstat-Bot-Token`, the
/// server's `ABSTAT_BOT_SERVICE_TOKEN`) and a Telegram user id for that
/// user's tokens; the user is created on first contact.
#[utoipa::path(post, path = "/auth/telegram/", tag = "auth", request_body = TelegramTokenRequest,
    params(("X-Abstat-Bot-Token" = String, Header, description = "the bot's service credential")),
    responses((status = 200, body = TokenPair),
        (status = 401, description = "missing or wrong bot credential", body = ErrorBody),
        (status = 403, description = "this server accepts no bot (ABSTAT_BOT_SERVICE_TOKEN unset)", body = ErrorBody),
        (status = 422, description = "not a Telegram user id", body = ErrorBody)))]
pub(super) async fn telegram(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<TelegramTokenRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let Some(expected) = state.settings().bot_service_token.as_ref() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "bot_disabled",
            "this server accepts no bot: set ABSTAT_BOT_SERVICE_TOKEN on the server and give the bot the same value",
        ));
    };
    let given = headers
        .get(BOT_TOKEN_HEADER)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing_bot_token",
                "send the bot's service credential as the X-Abstat-Bot-Token header",
            )
        })?
        .as_bytes();
    if !bool::from(given.ct_eq(expected.expose().as_bytes())) {
        return Err(ApiError::unauthorized(
            "invalid_bot_token",
            "the bot credential does not match ABSTAT_BOT_SERVICE_TOKEN",
        ));
    }
    if req.telegram_id <= 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_parameter",
            format!(
                "telegram_id must be a positive Telegram user id, got {}",
                req.telegram_id
            ),
        )
        .with_details(serde_json::json!({"field": "telegram_id"})));
    }
    let user = state.metadata().telegram_user(req.telegram_id).await?;
    Ok(Json(state.tokens().issue(&user.id)?))
}

/// The user the access token belongs to.
#[utoipa::path(get, path = "/users/me/", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, description = "missing or invalid token", body = ErrorBody)))]
pub(super) async fn me(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<User>, ApiError> {
    state
        .metadata()
        .user_by_id(&user.id)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "the user of this token no longer exists")
        })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::auth::hash_password;
    use axum::http::StatusCode;
    use serde_json::json;

    #[tokio::test]
    async fn log_in_use_the_token_and_refresh_it() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let hash = hash_password("s3cret-pass").unwrap();
        let alice = state
            .metadata()
            .create_user("alice", Some(&hash), None)
            .await
            .unwrap();

        let (status, pair) = send(
            &app,
            post_json(
                "/auth/token/",
                json!({"username": "alice", "password": "s3cret-pass"}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{pair}");
        assert_eq!(pair["token_type"], "Bearer");
        let access = pair["access"].as_str().unwrap();

        let (status, me) = send(&app, get("/users/me/", Some(access))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["id"], alice.id.as_str());
        assert_eq!(me["username"], "alice");

        let (status, pair2) = send(
            &app,
            post_json("/auth/token/refresh/", json!({"refresh": pair["refresh"]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{pair2}");
        // An access token is not a refresh token.
        let (status, body) = send(
            &app,
            post_json("/auth/token/refresh/", json!({"refresh": access})),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "wrong_token_type");
    }

    #[tokio::test]
    async fn wrong_credentials_and_missing_tokens_are_401_with_the_error_shape() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = test_app(dir.path()).await;
        let hash = hash_password("s3cret-pass").unwrap();
        state
            .metadata()
            .create_user("alice", Some(&hash), None)
            .await
            .unwrap();
        state
            .metadata()
            .create_user("tg:42", None, Some(42))
            .await
            .unwrap();

        for (user, pw) in [("alice", "wrong"), ("nobody", "s3cret-pass"), ("tg:42", "")] {
            let (status, body) = send(
                &app,
                post_json("/auth/token/", json!({"username": user, "password": pw})),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}");
            assert_eq!(body["code"], "invalid_credentials");
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("wrong user name or password")
            );
        }
        let (status, body) = send(&app, get("/users/me/", None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "missing_token");
        let (status, body) = send(&app, get("/users/me/", Some("garbage"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "invalid_token");
    }

    #[tokio::test]
    async fn malformed_bodies_are_4xx_in_the_error_shape() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = test_app(dir.path()).await;
        let (status, body) = send(
            &app,
            post_json("/auth/token/", json!({"username": "alice"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_body");
        assert!(
            body["message"].as_str().unwrap().contains("password"),
            "{body}"
        );
        let req = axum::http::Request::post("/auth/token/")
            .body(axum::body::Body::from("{}"))
            .unwrap();
        let (status, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body["code"], "invalid_body");
    }

    fn telegram_request(
        token: Option<&str>,
        body: serde_json::Value,
    ) -> axum::http::Request<axum::body::Body> {
        let mut b =
            axum::http::Request::post("/auth/telegram/").header("content-type", "application/json");
        if let Some(t) = token {
            b = b.header(super::BOT_TOKEN_HEADER, t);
        }
        b.body(axum::body::Body::from(body.to_string())).unwrap()
    }

    #[tokio::test]
    async fn the_bot_gets_a_telegram_user_s_tokens_and_the_user_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let bot_token = "b".repeat(40);
        let settings = crate::config::HttpSettings {
            bot_service_token: Some(crate::config::Secret::from(bot_token.clone())),
            rate_limit_per_minute: 0,
            ..Default::default()
        };
        let (app, _) = test_app_with(dir.path(), settings).await;
        let body = json!({"telegram_id": 123456789, "display_name": "Маша"});
        let (status, pair) = send(&app, telegram_request(Some(&bot_token), body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{pair}");
        let (status, me) = send(&app, get("/users/me/", pair["access"].as_str())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], "tg:123456789");
        assert_eq!(me["telegram_id"], 123456789);
        let (_, again) = send(&app, telegram_request(Some(&bot_token), body.clone())).await;
        let (_, me_again) = send(&app, get("/users/me/", again["access"].as_str())).await;
        assert_eq!(
            me_again["id"], me["id"],
            "the same Telegram user is the same abstat user"
        );

        let (status, err) = send(&app, telegram_request(None, body.clone())).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("missing_bot_token"))
        );
        let (status, err) = send(&app, telegram_request(Some(&"c".repeat(40)), body.clone())).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_bot_token"))
        );
        let (status, err) = send(
            &app,
            telegram_request(Some(&bot_token), json!({"telegram_id": -5})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["details"]["field"], "telegram_id");
        // A user's access token is not a bot credential.
        let (status, _) = send(&app, telegram_request(pair["access"].as_str(), body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn without_a_configured_bot_credential_the_route_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = test_app(dir.path()).await;
        let (status, err) = send(
            &app,
            telegram_request(Some(&"b".repeat(40)), json!({"telegram_id": 1})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(err["code"], "bot_disabled");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("ABSTAT_BOT_SERVICE_TOKEN")
        );
    }
}
