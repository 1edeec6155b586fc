//! Datasets: a document uploaded through the server and answered with its
//! profile, `/datasets` as buttons, the dataset menu, delete with a
//! confirmation.

use std::sync::Arc;

use abstat_api::{Dataset, UploadResponse};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, Message};

use super::{ChatDialogue, Ctx, HandlerResult, Place, Step, api_failure, button, lang_of, user_id};
use crate::api::{ApiClient, ApiError};
use crate::texts::{Lang, T};

/// The largest file the public Bot API lets a bot download.
pub const BOT_API_DOWNLOAD_LIMIT: u64 = 20 * 1024 * 1024;

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

pub(super) fn dataset_title(d: &Dataset, lang: Lang) -> String {
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
/// Send the user's datasets as buttons.
pub(super) async fn show_list(
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

/// Send the menu of dataset `id`; the new step, or `None` when the dataset
/// could not be opened (the reason is sent).
pub(super) async fn open_menu(
    ctx: &Ctx<'_>,
    chat: ChatId,
    id: &str,
) -> Result<Option<Step>, super::HandlerError> {
    let lang = ctx.lang;
    match ctx.api.dataset(ctx.tg, id).await {
        Ok(d) => {
            let text = format!("{} {}?", T::DatasetMenu.get(lang), dataset_title(&d, lang));
            ctx.bot
                .send_message(chat, text)
                .reply_markup(menu_keyboard(&d.id, lang))
                .await?;
            Ok(Some(Step::Menu { dataset: d.id }))
        }
        Err(e) => {
            ctx.bot.send_message(chat, api_failure(&e, lang)).await?;
            Ok(None)
        }
    }
}

/// Ask whether to delete dataset `id`.
pub(super) async fn ask_delete(
    ctx: &Ctx<'_>,
    place: Place,
    dataset: &str,
) -> Result<Step, super::HandlerError> {
    let lang = ctx.lang;
    let kb = InlineKeyboardMarkup::new(vec![vec![
        button(T::BtnConfirmDelete.get(lang), format!("del:{dataset}")),
        button(T::BtnCancel.get(lang), format!("ds:{dataset}")),
    ]]);
    ctx.bot
        .edit_message_text(place.chat, place.message, T::ConfirmDelete.get(lang))
        .reply_markup(kb)
        .await?;
    Ok(Step::ConfirmDelete {
        dataset: dataset.to_string(),
    })
}

/// Delete dataset `id` (confirmed).
pub(super) async fn delete(
    ctx: &Ctx<'_>,
    place: Place,
    id: &str,
) -> Result<Step, super::HandlerError> {
    let text = match ctx.api.delete(ctx.tg, id).await {
        Ok(()) => T::Deleted.get(ctx.lang).to_string(),
        Err(e) => api_failure(&e, ctx.lang),
    };
    ctx.bot
        .edit_message_text(place.chat, place.message, text)
        .await?;
    Ok(Step::Idle)
}

/// File extensions the server reads.
const DATA_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet", "feather", "arrow", "ipc",
    "json", "jsonl", "ndjson",
];

pub(super) async fn on_document(
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
