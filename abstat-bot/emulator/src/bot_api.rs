//! The Bot API side: `POST /bot<token>/<method>` with a JSON or multipart
//! body, answered with `{"ok": …, "result": …}` as Telegram does, file
//! downloads at `/file/bot<token>/<path>`, and webhook delivery.
//!
//! Methods: getMe, getUpdates (long polling with offset and timeout),
//! sendMessage, editMessageText, editMessageReplyMarkup,
//! answerCallbackQuery, deleteMessage, sendDocument, sendPhoto, getFile,
//! setMyCommands, getMyCommands, setWebhook, deleteWebhook, getWebhookInfo.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::EmulatorError;
use crate::state::{Attachment, Shared, Webhook, now};

/// The header Telegram sends with webhook deliveries when a secret is set.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Longest long poll the emulator honours (Telegram's limit is 50 s).
const MAX_POLL: Duration = Duration::from_secs(50);

/// A method's parameters: JSON fields, and uploaded files by field name.
#[derive(Debug, Default)]
struct Params {
    fields: Map<String, Value>,
    files: HashMap<String, (Option<String>, Bytes)>,
}

impl Params {
    async fn read(req: Request) -> Result<Params, EmulatorError> {
        let bad = |e: String| EmulatorError::Api {
            code: 400,
            description: format!("Bad Request: {e}"),
        };
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/"));
        let mut params = Params::default();
        if multipart {
            let mut form = Multipart::from_request(req, &())
                .await
                .map_err(|e| bad(e.to_string()))?;
            while let Some(field) = form.next_field().await.map_err(|e| bad(e.to_string()))? {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
                if file_name.is_some() {
                    params.files.insert(name, (file_name, bytes));
                } else {
                    // teloxide sends nested objects (reply_markup) as JSON
                    // text and scalars as plain text.
                    let text = String::from_utf8_lossy(&bytes).to_string();
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    params.fields.insert(name, value);
                }
            }
        } else {
            let body = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
                .await
                .map_err(|e| bad(e.to_string()))?;
            if !body.is_empty() {
                params.fields = serde_json::from_slice(&body)
                    .map_err(|e| bad(format!("the body is not a JSON object: {e}")))?;
            }
        }
        Ok(params)
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    }

    fn str(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    fn bool(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.as_bool().unwrap_or(v.as_str() == Some("true")))
    }

    fn required_int(&self, name: &str) -> Result<i64, EmulatorError> {
        self.int(name).ok_or_else(|| EmulatorError::Api {
            code: 400,
            description: format!("Bad Request: {name} is empty"),
        })
    }

    /// The file in field `name`: an upload, or an id of a stored file.
    fn attachment(&self, name: &str) -> Result<Attachment, EmulatorError> {
        // teloxide may upload the file as its own part and put
        // `attach://<part>` in the field, as the Bot API allows.
        let part = self
            .str(name)
            .and_then(|v| v.strip_prefix("attach://").map(str::to_string))
            .unwrap_or_else(|| name.to_string());
        if let Some((file_name, bytes)) = self.files.get(&part) {
            return Ok(Attachment::Upload {
                file_name: file_name.clone(),
                bytes: bytes.clone(),
            });
        }
        match self.str(name) {
            Some(id) if !id.is_empty() => Ok(Attachment::Existing(id)),
            _ => Err(EmulatorError::Api {
                code: 400,
                description: format!("Bad Request: there is no {name} in the request"),
            }),
        }
    }

    /// `reply_markup` when it is an inline keyboard (the only kind a
    /// message keeps).
    fn inline_markup(&self) -> Value {
        match self.get("reply_markup") {
            Some(m) if m.get("inline_keyboard").is_some() => m.clone(),
            _ => Value::Null,
        }
    }
}

fn ok(result: Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}

impl IntoResponse for EmulatorError {
    fn into_response(self) -> Response {
        let code = match &self {
            EmulatorError::Api { code, .. } => *code,
            _ => 500,
        };
        let description = match &self {
            EmulatorError::Api { description, .. } => description.clone(),
            other => other.to_string(),
        };
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(json!({ "ok": false, "error_code": code, "description": description })),
        )
            .into_response()
    }
}

fn check_token(shared: &Shared, segment: &str) -> Result<(), EmulatorError> {
    if segment.strip_prefix("bot") == Some(shared.token.as_str()) {
        Ok(())
    } else {
        Err(EmulatorError::Api {
            code: 401,
            description: "Unauthorized".into(),
        })
    }
}

/// `POST /bot<token>/<method>`.
pub(crate) async fn method(
    State(shared): State<Arc<Shared>>,
    Path((bot, name)): Path<(String, String)>,
    req: Request,
) -> Response {
    match call(&shared, &bot, &name, req).await {
        Ok(v) => ok(v),
        Err(e) => e.into_response(),
    }
}

async fn call(
    shared: &Arc<Shared>,
    bot: &str,
    name: &str,
    req: Request,
) -> Result<Value, EmulatorError> {
    check_token(shared, bot)?;
    let p = Params::read(req).await?;
    // Method names are case-insensitive in the Bot API.
    let result = match name.to_ascii_lowercase().as_str() {
        "getme" => shared.me(),
        "getupdates" => get_updates(shared, &p).await?,
        "sendmessage" => {
            let chat = p.required_int("chat_id")?;
            let text = p.str("text").unwrap_or_default();
            if text.trim().is_empty() {
                return Err(EmulatorError::Api {
                    code: 400,
                    description: "Bad Request: message text is empty".into(),
                });
            }
            let content = json!({ "text": text, "reply_markup": p.inline_markup() });
            shared.bot_send(chat, content, None)?
        }
        "senddocument" | "sendphoto" => {
            let field = if name.eq_ignore_ascii_case("sendphoto") {
                "photo"
            } else {
                "document"
            };
            let chat = p.required_int("chat_id")?;
            let mut content = json!({ "reply_markup": p.inline_markup() });
            if let Some(caption) = p.str("caption") {
                content["caption"] = json!(caption);
            }
            shared.bot_send(chat, content, Some((field, p.attachment(field)?)))?
        }
        "editmessagetext" | "editmessagereplymarkup" => {
            let chat = p.required_int("chat_id")?;
            let id = p.required_int("message_id")? as i32;
            // Telegram drops the inline keyboard of an edit that carries none.
            let mut change = json!({ "reply_markup": p.inline_markup() });
            if name.eq_ignore_ascii_case("editmessagetext") {
                change["text"] = json!(p.str("text").unwrap_or_default());
            }
            shared.bot_edit(chat, id, change)?
        }
        "deletemessage" => {
            shared.bot_delete(
                p.required_int("chat_id")?,
                p.required_int("message_id")? as i32,
            )?;
            json!(true)
        }
        "answercallbackquery" => {
            let id = p.str("callback_query_id").unwrap_or_default();
            shared.bot_answer(&id, p.str("text"), p.bool("show_alert"))?;
            json!(true)
        }
        "getfile" => shared.file_info(&p.str("file_id").unwrap_or_default())?,
        "setmycommands" => {
            shared.lock().commands = p.get("commands").cloned().unwrap_or(json!([]));
            json!(true)
        }
        "getmycommands" => shared.lock().commands.clone(),
        "setwebhook" => {
            let url = p.str("url").unwrap_or_default();
            let mut inner = shared.lock();
            if p.bool("drop_pending_updates") {
                inner.updates.clear();
            }
            inner.webhook = (!url.is_empty()).then(|| Webhook {
                url,
                secret_token: p.str("secret_token"),
                max_connections: p.int("max_connections").map(|n| n as u32),
            });
            inner.webhook_error = None;
            drop(inner);
            shared.updates_tx.send_modify(|n| *n += 1);
            json!(true)
        }
        "deletewebhook" => {
            let mut inner = shared.lock();
            if p.bool("drop_pending_updates") {
                inner.updates.clear();
            }
            inner.webhook = None;
            json!(true)
        }
        "getwebhookinfo" => {
            let inner = shared.lock();
            let mut info = json!({
                "url": inner.webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default(),
                "has_custom_certificate": false,
                "pending_update_count": inner.updates.len(),
            });
            if let Some(w) = &inner.webhook
                && let Some(n) = w.max_connections
            {
                info["max_connections"] = json!(n);
            }
            if let Some((date, message)) = &inner.webhook_error {
                info["last_error_date"] = json!(date);
                info["last_error_message"] = json!(message);
            }
            info
        }
        _ => {
            return Err(EmulatorError::Api {
                code: 404,
                description: format!("Not Found: method {name} is not emulated"),
            });
        }
    };
    Ok(result)
}

async fn get_updates(shared: &Shared, p: &Params) -> Result<Value, EmulatorError> {
    if shared.lock().webhook.is_some() {
        return Err(EmulatorError::Api {
            code: 409,
            description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first".into(),
        });
    }
    let limit = p.int("limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(p.int("timeout").unwrap_or(0).max(0) as u64).min(MAX_POLL);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut rx = shared.updates_tx.subscribe();
    loop {
        {
            let mut inner = shared.lock();
            // An offset confirms every update before it (Bot API).
            if let Some(offset) = p.int("offset") {
                while inner.updates.front().is_some_and(|(id, _)| *id < offset) {
                    inner.updates.pop_front();
                }
            }
            if !inner.updates.is_empty() {
                let batch: Vec<Value> = inner
                    .updates
                    .iter()
                    .take(limit)
                    .map(|(_, u)| u.clone())
                    .collect();
                return Ok(Value::Array(batch));
            }
            rx.borrow_and_update();
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            return Ok(json!([]));
        }
    }
}

/// `GET /file/bot<token>/<path>`.
pub(crate) async fn download(
    State(shared): State<Arc<Shared>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    if let Err(e) = check_token(&shared, &bot) {
        return e.into_response();
    }
    match shared.file_bytes(&path) {
        Some(bytes) => bytes.into_response(),
        None => EmulatorError::Api {
            code: 404,
            description: "Not Found: file not found".into(),
        }
        .into_response(),
    }
}

/// Deliver pending updates to the webhook while one is set, one at a time
/// and in order, dropping each on a 2xx and retrying otherwise.
pub(crate) async fn deliver_webhooks(shared: Arc<Shared>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_default();
    let mut rx = shared.updates_tx.subscribe();
    loop {
        let next = {
            let inner = shared.lock();
            inner
                .webhook
                .clone()
                .and_then(|w| inner.updates.front().map(|(id, u)| (w, *id, u.clone())))
        };
        let Some((hook, id, update)) = next else {
            if rx.changed().await.is_err() {
                return;
            }
            continue;
        };
        let mut req = http.post(&hook.url).json(&update);
        if let Some(secret) = &hook.secret_token {
            req = req.header(SECRET_HEADER, secret);
        }
        let failure = match req.send().await {
            Ok(res) if res.status().is_success() => None,
            Ok(res) => Some(format!("Wrong response from the webhook: {}", res.status())),
            Err(e) => Some(format!("Connection failed: {e}")),
        };
        let retry = {
            let mut inner = shared.lock();
            match failure {
                None => {
                    if inner.updates.front().is_some_and(|(front, _)| *front == id) {
                        inner.updates.pop_front();
                    }
                    false
                }
                Some(message) => {
                    inner.webhook_error = Some((now(), message));
                    true
                }
            }
        };
        if retry {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
