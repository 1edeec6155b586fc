//! The dialogues: commands, documents, typed answers and button presses,
//! dispatched by [`schema`]. Each handler asks the server (through
//! [`ApiClient`]) and renders the answer with [`crate::texts`] and
//! [`crate::results`]; no statistics here.
//!
//! One file per dialogue: [`datasets`] (upload, list, menu, delete),
//! [`wizard`] (the button dialogues of the analyses, with one file per
//! analysis: [`ab`], [`stat_test`], [`regression`], [`classification`],
//! [`clean`], [`charts`]), [`power`] (the typed `/power` calculator) and
//! [`jobs`] (submitting an analysis and following it to its result, which
//! [`attachments`] follows with its chart and document). A new menu action
//! is a new [`wizard::Flow`] or a new module routed from [`on_callback`].

pub mod ab;
pub mod attachments;
pub mod charts;
pub mod classification;
pub mod clean;
pub mod columns;
pub mod datasets;
pub mod jobs;
pub mod power;
pub mod regression;
pub mod stat_test;
pub mod wizard;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::Dialogue;
use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message,
    MessageId, User,
};
use teloxide::utils::command::BotCommands;

use crate::api::{ApiClient, ApiError};
use crate::texts::{Lang, T};

pub use datasets::{BOT_API_DOWNLOAD_LIMIT, menu_keyboard, profile_text};

/// Errors a handler may end with; logged by the dispatcher.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;
type HandlerResult = Result<(), HandlerError>;

/// What the bot remembers about a chat between updates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The language chosen with `/lang`; `None` = the user's Telegram language.
    pub lang: Option<Lang>,
    /// Where the chat is in a dialogue.
    pub step: Step,
}

/// A step of a dialogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// An analysis dialogue (A/B test, stat test, regression,
    /// classification) with its answers so far.
    Wizard(wizard::Wizard),
    /// The `/power` calculator with its answers so far.
    Power(power::PowerDraft),
}

/// Where dialogue state lives: memory, SQLite or Redis, chosen at start-up
/// (`ABSTAT_BOT_STATE`, see [`crate::storage`]).
pub type SessionStorage = crate::storage::DialogueStorage;

/// The chat's dialogue handle.
pub type ChatDialogue = Dialogue<Session, SessionStorage>;

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
        .enter_dialogue::<Message, SessionStorage, Session>()
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(dptree::filter(|m: Message| m.document().is_some()).endpoint(datasets::on_document))
        .branch(dptree::endpoint(on_text));
    let callbacks = Update::filter_callback_query()
        .enter_dialogue::<CallbackQuery, SessionStorage, Session>()
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
pub fn api_failure(e: &ApiError, lang: Lang) -> String {
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

/// Where a reply goes: the chat and the message the dialogue edits.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The chat.
    pub chat: ChatId,
    /// The dialogue's message.
    pub message: MessageId,
}

/// Everything a step handler needs about the update it answers.
pub struct Ctx<'a> {
    /// The bot.
    pub bot: &'a Bot,
    /// The server.
    pub api: &'a Arc<ApiClient>,
    /// The Telegram user id.
    pub tg: i64,
    /// The chat's language.
    pub lang: Lang,
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
            datasets::show_list(&bot, msg.chat.id, user_id(msg.from.as_ref())?, lang, &api).await?;
        }
        Command::Power => {
            session.step = power::start(&bot, msg.chat.id, lang).await?;
            dialogue.update(session).await?;
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

/// Typed text: an answer to the `/power` calculator, or not understood.
async fn on_text(
    bot: Bot,
    msg: Message,
    dialogue: ChatDialogue,
    api: Arc<ApiClient>,
) -> HandlerResult {
    let mut session = dialogue.get_or_default().await?;
    let lang = lang_of(&session, msg.from.as_ref());
    if let (Step::Power(draft), Some(text)) = (&session.step, msg.text()) {
        let ctx = Ctx {
            bot: &bot,
            api: &api,
            tg: user_id(msg.from.as_ref())?,
            lang,
        };
        session.step = power::on_typed(&ctx, msg.chat.id, draft.clone(), text).await?;
        dialogue.update(session).await?;
        return Ok(());
    }
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
    let place = Place {
        chat: message.chat().id,
        message: match message {
            MaybeInaccessibleMessage::Regular(m) => m.id,
            MaybeInaccessibleMessage::Inaccessible(m) => m.message_id,
        },
    };
    let mut popup: Option<&str> = None;
    let (kind, rest) = data.split_once(':').unwrap_or((data.as_str(), ""));
    let step = std::mem::take(&mut session.step);
    let ctx = Ctx {
        bot: &bot,
        api: &api,
        tg,
        lang,
    };
    session.step = match (kind, step) {
        ("lang", step) => {
            lang = if rest == "ru" { Lang::Ru } else { Lang::En };
            session.lang = Some(lang);
            bot.edit_message_text(place.chat, place.message, T::LanguageSet.get(lang))
                .await?;
            step
        }
        ("ds", step) => datasets::open_menu(&ctx, place.chat, rest)
            .await?
            .unwrap_or(step),
        ("act", step) => {
            let (action, dataset) = rest.split_once(':').unwrap_or((rest, ""));
            match action {
                "delete" => datasets::ask_delete(&ctx, place, dataset).await?,
                _ => match wizard::Flow::from_action(action) {
                    Some(flow) => wizard::start(&ctx, place, flow, dataset).await?,
                    None => {
                        popup = Some(T::NotYet.get(lang));
                        step
                    }
                },
            }
        }
        ("del", _) => datasets::delete(&ctx, place, rest).await?,
        ("xlsx", step) => {
            attachments::send_xlsx(&ctx, place.chat, rest).await?;
            step
        }
        ("w", Step::Wizard(w)) => {
            let (step, note) = wizard::on_press(&ctx, place, w, rest).await?;
            popup = note;
            step
        }
        ("pw", Step::Power(draft)) => power::on_press(&ctx, place, draft, rest).await?,
        ("w" | "pw", step) => {
            popup = Some(T::Stale.get(lang));
            step
        }
        ("cancel", _) => {
            bot.edit_message_text(place.chat, place.message, T::Cancelled.get(lang))
                .await?;
            Step::Idle
        }
        (_, step) => {
            popup = Some(T::Unknown.get(lang));
            step
        }
    };
    dialogue.update(session).await?;
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(text) = popup {
        answer = answer.text(text.to_string()).show_alert(true);
    }
    answer.await?;
    Ok(())
}
