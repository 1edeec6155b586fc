//! What the emulated Bot API server remembers: pending updates, the chats'
//! messages, stored files, the webhook, and a log of everything the bot did.
//!
//! Every object handed to the bot or to a test is built as Bot API JSON and
//! checked against teloxide's published types ([`typed`]), so a field the
//! real Telegram always sends cannot silently go missing here.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use teloxide::types::{Message, Update};
use tokio::sync::watch;

use crate::EmulatorError;

/// A Telegram user who talks to the bot in a private chat (chat id = user id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestUser {
    /// Telegram user id; also the id of the private chat with the bot.
    pub id: i64,
    /// First name shown in the chat.
    pub first_name: String,
    /// IETF language tag the client reports (`en`, `ru`, …).
    pub language_code: String,
}

impl TestUser {
    /// A user with id `id` whose Telegram speaks `language_code`.
    pub fn new(id: i64, language_code: &str) -> TestUser {
        TestUser {
            id,
            first_name: format!("User{id}"),
            language_code: language_code.to_string(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "is_bot": false,
            "first_name": self.first_name,
            "language_code": self.language_code,
        })
    }

    fn chat_json(&self) -> Value {
        json!({ "id": self.id, "type": "private", "first_name": self.first_name })
    }
}

/// What the bot did, in the order the emulator saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotEvent {
    /// Position in the emulator's log (1, 2, …), for "what happened after".
    pub seq: u64,
    /// The chat it happened in.
    pub chat: i64,
    /// What it was.
    pub kind: EventKind,
}

/// One action of the bot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A new message (`sendMessage`, `sendDocument`, `sendPhoto`).
    Sent {
        /// The message as the bot received it back.
        message: Box<Message>,
    },
    /// A message changed (`editMessageText`, `editMessageReplyMarkup`).
    Edited {
        /// The message after the edit.
        message: Box<Message>,
    },
    /// `deleteMessage`.
    Deleted {
        /// The deleted message's id.
        message_id: i32,
    },
    /// `answerCallbackQuery`.
    CallbackAnswered {
        /// The popup text, if any.
        text: Option<String>,
        /// Whether it is an alert the user must dismiss.
        show_alert: bool,
    },
}

impl BotEvent {
    /// The message sent or edited, if this event has one.
    pub fn message(&self) -> Option<&Message> {
        match &self.kind {
            EventKind::Sent { message } | EventKind::Edited { message } => Some(message),
            _ => None,
        }
    }

    /// The text (or caption) of the message sent or edited.
    pub fn text(&self) -> Option<&str> {
        self.message().and_then(|m| m.text().or(m.caption()))
    }

    /// The texts of the inline buttons of the message, row by row.
    pub fn buttons(&self) -> Vec<String> {
        self.message()
            .and_then(|m| m.reply_markup())
            .map(|kb| {
                kb.inline_keyboard
                    .iter()
                    .flatten()
                    .map(|b| b.text.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The webhook the bot registered with `setWebhook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Where updates are POSTed.
    pub url: String,
    /// Sent as `X-Telegram-Bot-Api-Secret-Token` when set.
    pub secret_token: Option<String>,
    /// `max_connections` as the bot asked (delivery here is sequential).
    pub max_connections: Option<u32>,
}

/// A file the bot sent or a user uploaded.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub unique_id: String,
    /// The name it was uploaded with.
    pub name: String,
    pub path: String,
    pub bytes: Bytes,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    next_update: i64,
    next_message: i32,
    next_file: u64,
    next_callback: u64,
    /// Updates not yet confirmed by an offset (polling) or a 2xx (webhook).
    pub updates: VecDeque<(i64, Value)>,
    /// The current form of every message, by (chat, message id).
    messages: HashMap<(i64, i32), Value>,
    users: HashMap<i64, TestUser>,
    files: HashMap<String, StoredFile>,
    events: Vec<BotEvent>,
    pub webhook: Option<Webhook>,
    pub webhook_error: Option<(u64, String)>,
    /// Chat of each callback query, for `answerCallbackQuery`.
    callbacks: HashMap<String, i64>,
    pub commands: Value,
}

/// The shared state behind the Bot API and the control API.
#[derive(Debug)]
pub struct Shared {
    pub(crate) token: String,
    pub(crate) inner: Mutex<Inner>,
    /// Bumped on every new update (wakes long polls and webhook delivery).
    pub(crate) updates_tx: watch::Sender<u64>,
    /// Bumped on every bot event (wakes tests waiting for the bot).
    pub(crate) events_tx: watch::Sender<u64>,
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Check `value` against teloxide's type for it and hand back the typed form.
pub(crate) fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, EmulatorError> {
    serde_json::from_value(value.clone()).map_err(|e| EmulatorError::NotBotApi {
        what: std::any::type_name::<T>(),
        reason: e.to_string(),
        json: value.to_string(),
    })
}

/// Width and height of a PNG from its header, else 0 × 0.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let be =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        (be(16), be(20))
    } else {
        (0, 0)
    }
}

/// A file the bot attaches to a message: a new upload or an existing file id.
#[derive(Debug, Clone)]
pub(crate) enum Attachment {
    Upload {
        file_name: Option<String>,
        bytes: Bytes,
    },
    Existing(String),
}

impl Shared {
    pub(crate) fn new(token: &str) -> Shared {
        Shared {
            token: token.to_string(),
            inner: Mutex::new(Inner {
                next_update: 1,
                next_message: 1,
                commands: json!([]),
                ..Inner::default()
            }),
            updates_tx: watch::channel(0).0,
            events_tx: watch::channel(0).0,
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere must not wedge every later request of a test.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The bot's own user (`getMe`); its id is the token's number.
    pub fn me(&self) -> Value {
        let id: i64 = self
            .token
            .split_once(':')
            .and_then(|(id, _)| id.parse().ok())
            .unwrap_or(1);
        json!({
            "id": id,
            "is_bot": true,
            "first_name": "abstat test",
            "username": "abstat_test_bot",
            "can_join_groups": false,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })
    }

    fn bot_user(&self) -> Value {
        let me = self.me();
        json!({
            "id": me["id"],
            "is_bot": true,
            "first_name": me["first_name"],
            "username": me["username"],
        })
    }

    fn push_update(&self, inner: &mut Inner, body: (&str, Value)) -> Result<i64, EmulatorError> {
        let id = inner.next_update;
        let update = json!({ "update_id": id, body.0: body.1 });
        typed::<Update>(&update)?;
        inner.next_update += 1;
        inner.updates.push_back((id, update));
        self.updates_tx.send_modify(|n| *n += 1);
        Ok(id)
    }

    fn user_message(&self, inner: &mut Inner, user: &TestUser, content: Value) -> Value {
        inner.users.insert(user.id, user.clone());
        let id = inner.next_message;
        inner.next_message += 1;
        let mut m = json!({
            "message_id": id,
            "date": now(),
            "chat": user.chat_json(),
            "from": user.json(),
        });
        merge(&mut m, content);
        inner.messages.insert((user.id, id), m.clone());
        m
    }

    /// A user sends `text`; returns (update id, message id).
    pub(crate) fn user_text(
        &self,
        user: &TestUser,
        text: &str,
    ) -> Result<(i64, i32), EmulatorError> {
        let mut inner = self.lock();
        let mut content = json!({ "text": text });
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .map_or(0, |c| c.encode_utf16().count());
            content["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": len }]);
        }
        let m = self.user_message(&mut inner, user, content);
        let id = m["message_id"].as_i64().unwrap_or_default() as i32;
        Ok((self.push_update(&mut inner, ("message", m))?, id))
    }

    /// A user sends a file as a document; returns (update id, message id).
    pub(crate) fn user_document(
        &self,
        user: &TestUser,
        file_name: &str,
        bytes: Bytes,
    ) -> Result<(i64, i32), EmulatorError> {
        let mut inner = self.lock();
        let mime = mime_of(file_name);
        let file = store_file(&mut inner, "documents", Some(file_name), bytes);
        let content = json!({ "document": {
            "file_id": file.0, "file_unique_id": file.1.unique_id,
            "file_size": file.1.bytes.len(), "file_name": file_name, "mime_type": mime,
        }});
        let m = self.user_message(&mut inner, user, content);
        let id = m["message_id"].as_i64().unwrap_or_default() as i32;
        Ok((self.push_update(&mut inner, ("message", m))?, id))
    }

    /// A user taps the inline button labelled `button` under message
    /// `message_id` (or under the newest bot message in the chat that has it).
    pub(crate) fn user_press(
        &self,
        user: &TestUser,
        message_id: Option<i32>,
        button: &str,
    ) -> Result<i64, EmulatorError> {
        let mut inner = self.lock();
        inner.users.insert(user.id, user.clone());
        let candidates: Vec<&Value> = match message_id {
            Some(id) => inner.messages.get(&(user.id, id)).into_iter().collect(),
            None => {
                let mut ms: Vec<(&(i64, i32), &Value)> = inner
                    .messages
                    .iter()
                    .filter(|((chat, _), m)| *chat == user.id && m["from"]["is_bot"] == true)
                    .collect();
                ms.sort_by_key(|(k, _)| std::cmp::Reverse(k.1));
                ms.into_iter().map(|(_, m)| m).collect()
            }
        };
        let mut seen = Vec::new();
        let mut found = None;
        'search: for m in candidates {
            for b in m["reply_markup"]["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row.as_array().into_iter().flatten())
            {
                let text = b["text"].as_str().unwrap_or_default();
                if text == button {
                    found = Some((m.clone(), b["callback_data"].clone()));
                    break 'search;
                }
                seen.push(text.to_string());
            }
        }
        let Some((message, data)) = found else {
            return Err(EmulatorError::NoSuchButton {
                button: button.to_string(),
                chat: user.id,
                seen,
            });
        };
        if !data.is_string() {
            return Err(EmulatorError::NoSuchButton {
                button: format!("{button} (not a callback button)"),
                chat: user.id,
                seen,
            });
        }
        inner.next_callback += 1;
        let query_id = format!("{}", inner.next_callback);
        inner.callbacks.insert(query_id.clone(), user.id);
        let query = json!({
            "id": query_id,
            "from": user.json(),
            "message": message,
            "chat_instance": format!("ci{}", user.id),
            "data": data,
        });
        self.push_update(&mut inner, ("callback_query", query))
    }

    fn record(&self, inner: &mut Inner, chat: i64, kind: EventKind) {
        let seq = inner.events.len() as u64 + 1;
        inner.events.push(BotEvent { seq, chat, kind });
        self.events_tx.send_replace(seq);
    }

    fn chat_of(&self, inner: &Inner, chat: i64) -> Result<Value, EmulatorError> {
        inner
            .users
            .get(&chat)
            .map(TestUser::chat_json)
            .ok_or(EmulatorError::Api {
                code: 400,
                description: "Bad Request: chat not found".into(),
            })
    }

    /// `sendMessage` / `sendDocument` / `sendPhoto`: a new bot message.
    pub(crate) fn bot_send(
        &self,
        chat: i64,
        mut content: Value,
        attachment: Option<(&str, Attachment)>,
    ) -> Result<Value, EmulatorError> {
        let mut inner = self.lock();
        let chat_json = self.chat_of(&inner, chat)?;
        if let Some((field, file)) = attachment {
            let (id, stored) = match file {
                Attachment::Upload { file_name, bytes } => {
                    let dir = if field == "photo" {
                        "photos"
                    } else {
                        "documents"
                    };
                    store_file(&mut inner, dir, file_name.as_deref(), bytes)
                }
                Attachment::Existing(id) => {
                    let stored = inner.files.get(&id).cloned().ok_or(EmulatorError::Api {
                        code: 400,
                        description: "Bad Request: wrong file identifier/HTTP URL specified".into(),
                    })?;
                    (id, stored)
                }
            };
            let meta = json!({
                "file_id": id, "file_unique_id": stored.unique_id, "file_size": stored.bytes.len(),
            });
            if field == "photo" {
                let (w, h) = png_size(&stored.bytes);
                let mut size = meta;
                merge(&mut size, json!({ "width": w, "height": h }));
                content["photo"] = json!([size]);
            } else {
                let mut doc = meta;
                let mime = mime_of(&stored.name);
                merge(
                    &mut doc,
                    json!({ "file_name": stored.name, "mime_type": mime }),
                );
                content["document"] = doc;
            }
        }
        let id = inner.next_message;
        inner.next_message += 1;
        let mut m = json!({
            "message_id": id,
            "date": now(),
            "chat": chat_json,
            "from": self.bot_user(),
        });
        merge(&mut m, content);
        let message: Message = typed(&m)?;
        inner.messages.insert((chat, id), m.clone());
        self.record(
            &mut inner,
            chat,
            EventKind::Sent {
                message: Box::new(message),
            },
        );
        Ok(m)
    }

    /// `editMessageText` / `editMessageReplyMarkup`: `change` is merged
    /// into the message (a `null` removes a field).
    pub(crate) fn bot_edit(
        &self,
        chat: i64,
        id: i32,
        change: Value,
    ) -> Result<Value, EmulatorError> {
        let mut inner = self.lock();
        let Some(old) = inner.messages.get(&(chat, id)).cloned() else {
            return Err(EmulatorError::Api {
                code: 400,
                description: "Bad Request: message to edit not found".into(),
            });
        };
        let mut m = old.clone();
        merge(&mut m, change);
        m["edit_date"] = json!(now());
        let mut unchanged = old.clone();
        unchanged["edit_date"] = m["edit_date"].clone();
        if unchanged == m {
            // Telegram refuses a no-op edit with exactly this text, which
            // teloxide maps to ApiError::MessageNotModified.
            return Err(EmulatorError::Api {
                code: 400,
                description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message".into(),
            });
        }
        let message: Message = typed(&m)?;
        inner.messages.insert((chat, id), m.clone());
        self.record(
            &mut inner,
            chat,
            EventKind::Edited {
                message: Box::new(message),
            },
        );
        Ok(m)
    }

    /// `deleteMessage`.
    pub(crate) fn bot_delete(&self, chat: i64, id: i32) -> Result<(), EmulatorError> {
        let mut inner = self.lock();
        if inner.messages.remove(&(chat, id)).is_none() {
            return Err(EmulatorError::Api {
                code: 400,
                description: "Bad Request: message to delete not found".into(),
            });
        }
        self.record(&mut inner, chat, EventKind::Deleted { message_id: id });
        Ok(())
    }

    /// `answerCallbackQuery`; the chat is the one of the pressed message.
    pub(crate) fn bot_answer(
        &self,
        query_id: &str,
        text: Option<String>,
        show_alert: bool,
    ) -> Result<(), EmulatorError> {
        let mut inner = self.lock();
        let chat = inner
            .callbacks
            .get(query_id)
            .copied()
            .ok_or(EmulatorError::Api {
            code: 400,
            description:
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
                    .into(),
        })?;
        self.record(
            &mut inner,
            chat,
            EventKind::CallbackAnswered { text, show_alert },
        );
        Ok(())
    }

    /// `getFile`.
    pub(crate) fn file_info(&self, file_id: &str) -> Result<Value, EmulatorError> {
        let inner = self.lock();
        let f = inner.files.get(file_id).ok_or(EmulatorError::Api {
            code: 400,
            description: "Bad Request: invalid file_id".into(),
        })?;
        Ok(json!({
            "file_id": file_id, "file_unique_id": f.unique_id,
            "file_size": f.bytes.len(), "file_path": f.path,
        }))
    }

    /// The bytes of a stored file, by file id or by download path.
    pub fn file_bytes(&self, id_or_path: &str) -> Option<Bytes> {
        let inner = self.lock();
        inner
            .files
            .get(id_or_path)
            .or_else(|| inner.files.values().find(|f| f.path == id_or_path))
            .map(|f| f.bytes.clone())
    }

    /// Every bot event in `chat` after `after`.
    pub fn events(&self, chat: i64, after: u64) -> Vec<BotEvent> {
        let inner = self.lock();
        inner
            .events
            .iter()
            .skip(after as usize)
            .filter(|e| e.chat == chat)
            .cloned()
            .collect()
    }

    /// The newest event number.
    pub fn last_seq(&self) -> u64 {
        self.lock().events.len() as u64
    }

    /// Wait until the bot does something in `chat` after event `after`.
    pub async fn next_event(&self, chat: i64, after: u64, timeout: Duration) -> Option<BotEvent> {
        let mut rx = self.events_tx.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(e) = self.events(chat, after).into_iter().next() {
                return Some(e);
            }
            if tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
            {
                return None;
            }
        }
    }

    /// Updates not yet delivered or confirmed.
    pub fn pending_updates(&self) -> usize {
        self.lock().updates.len()
    }
}

fn store_file(
    inner: &mut Inner,
    dir: &str,
    file_name: Option<&str>,
    bytes: Bytes,
) -> (String, StoredFile) {
    inner.next_file += 1;
    let n = inner.next_file;
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| format!(".{e}"))
        .unwrap_or_default();
    let id = format!("F{n:06}");
    let name = file_name.map_or_else(|| format!("file_{n}{ext}"), str::to_string);
    let stored = StoredFile {
        unique_id: format!("U{n:06}"),
        path: format!("{dir}/file_{n}{ext}"),
        name,
        bytes,
    };
    inner.files.insert(id.clone(), stored.clone());
    (id, stored)
}

fn mime_of(file_name: &str) -> &'static str {
    match file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("csv") => "text/csv",
        Some("tsv" | "txt") => "text/plain",
        Some("json") => "application/json",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Shallow merge of `change` into `target`; `null` removes a field.
fn merge(target: &mut Value, change: Value) {
    if let (Some(t), Value::Object(c)) = (target.as_object_mut(), change) {
        for (k, v) in c {
            if v.is_null() {
                t.remove(&k);
            } else {
                t.insert(k, v);
            }
        }
    }
}
