//! The dialogues: commands, documents and button presses, dispatched by
//! [`schema`]. Each handler asks the server (through [`ApiClient`]) and
//! renders the answer with [`crate::texts`]; no statistics here.

use std::sync::Arc;

use abstat_api::{Dataset, UploadResponse};
use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::Dialogue;
use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message,
    MessageId, User,
};
use teloxide::utils::command::BotCommands;

use crate::api::{ApiClient, ApiError};
use crate::storage::DialogueStorage;
use crate::texts::{Lang, T};

/// Errors a handler may end with; logged by the dispatcher.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;
type HandlerResult = Result<(), HandlerError>;

/// The largest file the public Bot API lets a bot download.
pub const BOT_API_DOWNLOAD_LIMIT: u64 = 20 * 1024 * 1024;

/// What the bot remembers about a chat between updates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The language chosen with `/lang`; `None` = the user's Telegram language.
    pub lang: Option<Lang>,
    /// Where the chat is in a dialogue.
    pub step: Step,
}

/// A step of a dialogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// No dialogue open.
    #[default]
    Idle,
    /// The menu of a dataset is shown.
    Menu {
        /// Dataset id.
        dataset: String,
    },
    /// Asked whether to delete a dataset.
    ConfirmDelete {
        /// Dataset id.
        dataset: String,
    },
}

/// The chat's dialogue handle.
pub type ChatDialogue = Dialogue<Session, DialogueStorage>;

/// Commands the bot understands (buttons do the same).
#[derive(Debug, Clone, BotCommands)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Greeting and what the bot can do.
    Start,
    /// Help and a sample dataset.
    Help,
    /// Switch between Russian and English.
    Lang,
    /// Your datasets.
    Datasets,
    /// Sample size and MDE calculator.
    Power,
    /// Stop the current dialogue.
    Cancel,
}

/// The whole update-handling tree; tests dispatch through it too.
pub fn schema() -> UpdateHandler<HandlerError> {
    let messages = Update::filter_message()
        .enter_dialogue::<Message, DialogueStorage, Session>()
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(dptree::filter(|m: Message| m.document().is_some()).endpoint(on_document))
        .branch(dptree::endpoint(on_other_message));
    let callbacks = Update::filter_callback_query()
        .enter_dialogue::<CallbackQuery, DialogueStorage, Session>()
        .endpoint(on_callback);
    dptree::entry().branch(messages).branch(callbacks)
}

fn lang_of(session: &Session, user: Option<&User>) -> Lang {
    session
        .lang
        .unwrap_or_else(|| Lang::from_code(user.and_then(|u| u.language_code.as_deref())))
}

fn user_id(user: Option<&User>) -> Result<i64, HandlerError> {
    let user = user.ok_or("an update without a user")?;
    i64::try_from(user.id.0).map_err(|e| e.into())
}

/// The text for a failed server call, in plain words.
fn api_failure(e: &ApiError, lang: Lang) -> String {
    match e {
        ApiError::Unreachable { .. } => T::ServerDown.get(lang).to_string(),
        ApiError::Refused { body, .. } if body.code == "not_found" => {
            T::DatasetGone.get(lang).to_string()
        }
        ApiError::Refused { body, .. } => body.message.clone(),
        ApiError::Server(_) => {
            tracing::error!(error = %e, "the abstat server failed");
            T::Unexpected.get(lang).to_string()
        }
    }
}

fn button(text: &str, data: String) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text.to_string(), data)
}

/// The dataset menu's buttons.
pub fn menu_keyboard(dataset: &str, lang: Lang) -> InlineKeyboardMarkup {
    let b = |t: T, action: &str| button(t.get(lang), format!("act:{action}:{dataset}"));
    InlineKeyboardMarkup::new(vec![
        vec![b(T::BtnAbTest, "ab"), b(T::BtnStatTest, "test")],
        vec![b(T::BtnRegression, "reg"), b(T::BtnClassification, "clf")],
        vec![b(T::BtnClean, "clean"), b(T::BtnCharts, "charts")],
        vec![b(T::BtnDelete, "delete")],
    ])
}

fn dataset_title(d: &Dataset, lang: Lang) -> String {
    format!(
        "«{}» · {} {} · {} {}",
        d.name,
        lang.count(d.rows),
        T::Rows.get(lang),
        lang.count(d.columns.len() as u64),
        T::Columns.get(lang)
    )
}

/// The profile of a fresh upload in a few lines: size, columns with types
/// and missing values, and warnings in plain words.
pub fn profile_text(up: &UploadResponse, lang: Lang) -> String {
    let d = &up.dataset;
    let mut out = format!("✅ {}\n", dataset_title(d, lang));
    let profile = &up.profile;
    let rows = profile["rows"].as_u64().unwrap_or(d.rows);
    let columns = profile["columns"].as_array().cloned().unwrap_or_default();
    const SHOWN: usize = 15;
    let mut warnings = Vec::new();
    for c in &columns {
        let name = c["name"].as_str().unwrap_or("?");
        let label = d
            .columns
            .iter()
            .find(|col| col.name == name)
            .and_then(|col| col.label.clone())
            .unwrap_or_else(|| name.to_string());
        let nulls = c["nulls"].as_u64().unwrap_or(0);
        if c["distinct"].as_u64() == Some(1) && rows > 1 {
            warnings.push(format!("«{label}»: {}", T::ConstantColumn.get(lang)));
        }
        if rows > 0 && nulls * 2 > rows {
            warnings.push(format!("«{label}»: {}", T::MostlyEmpty.get(lang)));
        }
    }
    for c in columns.iter().take(SHOWN) {
        let name = c["name"].as_str().unwrap_or("?");
        let kind = c["data_type"].as_str().unwrap_or("?");
        let nulls = c["nulls"].as_u64().unwrap_or(0);
        let mut line = format!("• {name}: {kind}");
        if nulls > 0 {
            line.push_str(&format!(", {} {}", lang.count(nulls), T::Missing.get(lang)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    if columns.len() > SHOWN {
        out.push_str(&format!("… +{}\n", columns.len() - SHOWN));
    }
    let dups = profile["duplicate_rows"].as_u64().unwrap_or(0);
    if dups > 0 {
        warnings.push(format!(
            "{} {}",
            lang.count(dups),
            T::DuplicateRows.get(lang)
        ));
    }
    if !warnings.is_empty() {
        out.push_str("\n⚠️ ");
        out.push_str(&warnings.join("\n⚠️ "));
        out.push('\n');
    }
    out
}

async fn on_command(
    bot: Bot,
    msg: Message,
    cmd: Command,
    dialogue: ChatDialogue,
    api: Arc<ApiClient>,
) -> HandlerResult {
    let mut session = dialogue.get_or_default().await?;
    let lang = lang_of(&session, msg.from.as_ref());
    match cmd {
        Command::Start => {
            bot.send_message(msg.chat.id, T::Greeting.get(lang)).await?;
        }
        Command::Help => {
            bot.send_message(msg.chat.id, T::Help.get(lang)).await?;
        }
        Command::Lang => {
            let kb = InlineKeyboardMarkup::new(vec![vec![
                button("Русский", "lang:ru".into()),
                button("English", "lang:en".into()),
            ]]);
            bot.send_message(msg.chat.id, T::ChooseLanguage.get(lang))
                .reply_markup(kb)
                .await?;
        }
        Command::Datasets => {
            show_datasets(&bot, msg.chat.id, user_id(msg.from.as_ref())?, lang, &api).await?;
        }
        Command::Power => {
            bot.send_message(msg.chat.id, T::NotYet.get(lang)).await?;
        }
        Command::Cancel => {
            session.step = Step::Idle;
            dialogue.update(session).await?;
            bot.send_message(msg.chat.id, T::Cancelled.get(lang))
                .await?;
        }
    }
    Ok(())
}

async fn show_datasets(
    bot: &Bot,
    chat: ChatId,
    tg: i64,
    lang: Lang,
    api: &ApiClient,
) -> HandlerResult {
    match api.datasets(tg).await {
        Ok(list) if list.is_empty() => {
            bot.send_message(chat, T::NoDatasets.get(lang)).await?;
        }
        Ok(list) => {
            let rows = list
                .iter()
                .take(50)
                .map(|d| vec![button(&dataset_title(d, lang), format!("ds:{}", d.id))])
                .collect::<Vec<_>>();
            bot.send_message(chat, T::YourDatasets.get(lang))
                .reply_markup(InlineKeyboardMarkup::new(rows))
                .await?;
        }
        Err(e) => {
            bot.send_message(chat, api_failure(&e, lang)).await?;
        }
    }
    Ok(())
}

/// File extensions the server reads.
const DATA_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet", "feather", "arrow", "ipc",
    "json", "jsonl", "ndjson",
];

async fn on_document(
    bot: Bot,
    msg: Message,
    dialogue: ChatDialogue,
    api: Arc<ApiClient>,
) -> HandlerResult {
    let mut session = dialogue.get_or_default().await?;
    let lang = lang_of(&session, msg.from.as_ref());
    let tg = user_id(msg.from.as_ref())?;
    let Some(doc) = msg.document() else {
        return Ok(());
    };
    let name = doc
        .file_name
        .clone()
        .unwrap_or_else(|| "data.csv".to_string());
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.is_some_and(|e| DATA_EXTENSIONS.contains(&e.as_str())) {
        bot.send_message(msg.chat.id, T::NotADataset.get(lang))
            .await?;
        return Ok(());
    }
    if u64::from(doc.file.size) > BOT_API_DOWNLOAD_LIMIT {
        bot.send_message(msg.chat.id, T::FileTooBig.get(lang))
            .await?;
        return Ok(());
    }
    let status = bot
        .send_message(msg.chat.id, T::Uploading.get(lang))
        .await?;
    let file = bot.get_file(doc.file.id.clone()).await?;
    let mut bytes = Vec::with_capacity(file.size as usize);
    bot.download_file(&file.path, &mut bytes).await?;
    match api.upload(tg, &name, bytes).await {
        Ok(up) => {
            let id = up.dataset.id.clone();
            bot.edit_message_text(msg.chat.id, status.id, profile_text(&up, lang))
                .reply_markup(menu_keyboard(&id, lang))
                .await?;
            session.step = Step::Menu { dataset: id };
            dialogue.update(session).await?;
        }
        Err(e) => {
            let text = match &e {
                ApiError::Refused { .. } => {
                    format!("{} {}", T::UploadFailed.get(lang), api_failure(&e, lang))
                }
                _ => api_failure(&e, lang),
            };
            bot.edit_message_text(msg.chat.id, status.id, text).await?;
        }
    }
    Ok(())
}

async fn on_other_message(bot: Bot, msg: Message, dialogue: ChatDialogue) -> HandlerResult {
    let session = dialogue.get_or_default().await?;
    let lang = lang_of(&session, msg.from.as_ref());
    bot.send_message(msg.chat.id, T::Unknown.get(lang)).await?;
    Ok(())
}

async fn on_callback(
    bot: Bot,
    q: CallbackQuery,
    dialogue: ChatDialogue,
    api: Arc<ApiClient>,
) -> HandlerResult {
    let mut session = dialogue.get_or_default().await?;
    let mut lang = lang_of(&session, Some(&q.from));
    let tg = user_id(Some(&q.from))?;
    let data = q.data.clone().unwrap_or_default();
    let Some(message) = q.message.as_ref() else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let chat = message.chat().id;
    let message_id: MessageId = match message {
        MaybeInaccessibleMessage::Regular(m) => m.id,
        MaybeInaccessibleMessage::Inaccessible(m) => m.message_id,
    };
    let mut popup: Option<&str> = None;
    let (kind, rest) = data.split_once(':').unwrap_or((data.as_str(), ""));
    match kind {
        "lang" => {
            lang = if rest == "ru" { Lang::Ru } else { Lang::En };
            session.lang = Some(lang);
            dialogue.update(session).await?;
            bot.edit_message_text(chat, message_id, T::LanguageSet.get(lang))
                .await?;
        }
        "ds" => match api.dataset(tg, rest).await {
            Ok(d) => {
                let text = format!("{} {}?", T::DatasetMenu.get(lang), dataset_title(&d, lang));
                bot.send_message(chat, text)
                    .reply_markup(menu_keyboard(&d.id, lang))
                    .await?;
                session.step = Step::Menu { dataset: d.id };
                dialogue.update(session).await?;
            }
            Err(e) => {
                bot.send_message(chat, api_failure(&e, lang)).await?;
            }
        },
        "act" => {
            let (action, dataset) = rest.split_once(':').unwrap_or((rest, ""));
            match action {
                "delete" => {
                    let kb = InlineKeyboardMarkup::new(vec![vec![
                        button(T::BtnConfirmDelete.get(lang), format!("del:{dataset}")),
                        button(T::BtnCancel.get(lang), format!("ds:{dataset}")),
                    ]]);
                    bot.edit_message_text(chat, message_id, T::ConfirmDelete.get(lang))
                        .reply_markup(kb)
                        .await?;
                    session.step = Step::ConfirmDelete {
                        dataset: dataset.to_string(),
                    };
                    dialogue.update(session).await?;
                }
                _ => popup = Some(T::NotYet.get(lang)),
            }
        }
        "del" => {
            let text = match api.delete(tg, rest).await {
                Ok(()) => T::Deleted.get(lang).to_string(),
                Err(e) => api_failure(&e, lang),
            };
            bot.edit_message_text(chat, message_id, text).await?;
            session.step = Step::Idle;
            dialogue.update(session).await?;
        }
        "cancel" => {
            session.step = Step::Idle;
            dialogue.update(session).await?;
            bot.edit_message_text(chat, message_id, T::Cancelled.get(lang))
                .await?;
        }
        _ => popup = Some(T::Unknown.get(lang)),
    }
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(text) = popup {
        answer = answer.text(text.to_string()).show_alert(true);
    }
    answer.await?;
    Ok(())
}
