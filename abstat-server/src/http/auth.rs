//! `POST /auth/token/`, `POST /auth/token/refresh/`, `GET /users/me/`.

use abstat_api::{ErrorBody, RefreshRequest, TokenPair, TokenRequest, User};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use super::{AppState, Json};
use crate::auth::{AuthUser, dummy_hash, verify_password};
use crate::error::ApiError;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token/", post(token))
        .route("/auth/token/refresh/", post(refresh))
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
}
