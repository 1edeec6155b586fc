//! The control API a test (or a person with curl) drives the emulator
//! through, under `/control/`:
//!
//! | route | does |
//! |---|---|
//! | `POST /control/users/{id}/text` `{"text", "language_code"?}` | the user sends a text message |
//! | `POST /control/users/{id}/document?file_name=…&language_code=…` (body: the bytes) | the user sends a file |
//! | `POST /control/users/{id}/press` `{"button", "message_id"?}` | the user taps an inline button |
//! | `GET /control/chats/{id}/events?after=N` | what the bot did in the chat after event N |
//! | `GET /control/chats/{id}/next?after=N&timeout_ms=M` | wait for the bot's next action (204 on timeout) |
//! | `GET /control/files/{file_id}` | the bytes of a file the bot sent |
//! | `GET /control/webhook` | the registered webhook and pending updates |

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use crate::state::{Shared, TestUser};

/// Who sends: the language defaults to English.
#[derive(Debug, Deserialize)]
pub(crate) struct Sender {
    language_code: Option<String>,
}

impl Sender {
    fn user(&self, id: i64) -> TestUser {
        TestUser::new(id, self.language_code.as_deref().unwrap_or("en"))
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TextBody {
    text: String,
    language_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DocumentQuery {
    file_name: String,
    #[serde(flatten)]
    sender: Sender,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PressBody {
    button: String,
    message_id: Option<i32>,
    language_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct After {
    #[serde(default)]
    after: u64,
    timeout_ms: Option<u64>,
}

fn sent(result: Result<(i64, i32), crate::EmulatorError>) -> Response {
    match result {
        Ok((update_id, message_id)) => {
            Json(json!({ "update_id": update_id, "message_id": message_id })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn text(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    Json(body): Json<TextBody>,
) -> Response {
    let sender = Sender {
        language_code: body.language_code,
    };
    sent(shared.user_text(&sender.user(id), &body.text))
}

pub(crate) async fn document(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    Query(q): Query<DocumentQuery>,
    bytes: Bytes,
) -> Response {
    sent(shared.user_document(&q.sender.user(id), &q.file_name, bytes))
}

pub(crate) async fn press(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    Json(body): Json<PressBody>,
) -> Response {
    let sender = Sender {
        language_code: body.language_code,
    };
    match shared.user_press(&sender.user(id), body.message_id, &body.button) {
        Ok(update_id) => Json(json!({ "update_id": update_id })).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn events(
    State(shared): State<Arc<Shared>>,
    Path(chat): Path<i64>,
    Query(q): Query<After>,
) -> Response {
    Json(shared.events(chat, q.after)).into_response()
}

pub(crate) async fn next(
    State(shared): State<Arc<Shared>>,
    Path(chat): Path<i64>,
    Query(q): Query<After>,
) -> Response {
    let timeout = Duration::from_millis(q.timeout_ms.unwrap_or(10_000));
    match shared.next_event(chat, q.after, timeout).await {
        Some(e) => Json(e).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

pub(crate) async fn file(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match shared.file_bytes(&id) {
        Some(b) => b.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) async fn webhook(State(shared): State<Arc<Shared>>) -> Response {
    let inner = shared.lock();
    Json(json!({
        "webhook": inner.webhook,
        "pending_update_count": inner.updates.len(),
        "last_error": inner.webhook_error.as_ref().map(|(_, m)| m.clone()),
    }))
    .into_response()
}
