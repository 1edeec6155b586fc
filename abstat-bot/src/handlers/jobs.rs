//! An analysis from submission to result. The dialogue's message becomes
//! the job's status, edited in place (queued → running → done or failed);
//! the result arrives as a new message with a button back to the dataset
//! menu. A job that does not finish within the quick wait is followed by a
//! task of its own, so the user can go on with something else and still
//! receives the result.

use std::sync::Arc;
use std::time::{Duration, Instant};

use abstat_api::{JobResponse, JobStatus};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, ParseMode};

use super::{Ctx, HandlerError, Place, api_failure, button};
use crate::api::{Analysis, ApiClient, ApiError};
use crate::results::render;
use crate::texts::{Lang, T, escape};

/// Each poll of an unfinished job waits this long on the server.
const POLL_WAIT_SECS: f64 = 25.0;
/// A job followed for longer than this is given up (the server's result
/// stays available through the API).
const FOLLOW_AT_MOST: Duration = Duration::from_secs(6 * 3600);
/// Unreachable-server retries while following, a few seconds apart.
const FOLLOW_RETRIES: u32 = 20;

fn status_text(status: JobStatus, lang: Lang) -> &'static str {
    match status {
        JobStatus::Queued => T::JobQueued.get(lang),
        JobStatus::Running => T::JobRunning.get(lang),
        JobStatus::Succeeded => T::JobDone.get(lang),
        JobStatus::Failed => T::JobDone.get(lang),
    }
}

/// Submit `analysis`, showing its status in the dialogue's message.
pub async fn start(ctx: &Ctx<'_>, place: Place, analysis: Analysis) -> Result<(), HandlerError> {
    let (bot, lang) = (ctx.bot, ctx.lang);
    bot.edit_message_text(place.chat, place.message, T::JobQueued.get(lang))
        .await?;
    let dataset = analysis.dataset().to_string();
    match ctx
        .api
        .submit(ctx.tg, &analysis, ctx.api.quick_wait())
        .await
    {
        Err(e) => {
            bot.edit_message_text(place.chat, place.message, failure(&e, lang))
                .reply_markup(menu_button(&dataset, lang))
                .await?;
        }
        Ok(job) if job.status.is_finished() => {
            finish(bot, place, &job, lang).await?;
        }
        Ok(job) => {
            if job.status != JobStatus::Queued {
                bot.edit_message_text(place.chat, place.message, status_text(job.status, lang))
                    .await?;
            }
            let (bot, api, tg) = (bot.clone(), Arc::clone(ctx.api), ctx.tg);
            tokio::spawn(async move {
                if let Err(e) = follow(&bot, &api, tg, place, job, lang).await {
                    tracing::warn!(error = %e, "following a job failed");
                }
            });
        }
    }
    Ok(())
}

/// Follow `job` until it finishes, editing the status message whenever the
/// status changes, then deliver the result.
pub async fn follow(
    bot: &Bot,
    api: &ApiClient,
    tg: i64,
    place: Place,
    mut job: JobResponse,
    lang: Lang,
) -> Result<(), HandlerError> {
    let since = Instant::now();
    let mut failures = 0;
    while !job.status.is_finished() {
        if since.elapsed() > FOLLOW_AT_MOST {
            return Ok(());
        }
        match api.job(tg, &job.job_id, POLL_WAIT_SECS).await {
            Ok(next) => {
                failures = 0;
                if next.status != job.status && !next.status.is_finished() {
                    bot.edit_message_text(
                        place.chat,
                        place.message,
                        status_text(next.status, lang),
                    )
                    .await?;
                }
                job = next;
            }
            Err(ApiError::Unreachable { .. }) if failures < FOLLOW_RETRIES => {
                failures += 1;
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            Err(e) => {
                bot.edit_message_text(place.chat, place.message, failure(&e, lang))
                    .reply_markup(menu_button(&job.dataset_id, lang))
                    .await?;
                return Ok(());
            }
        }
    }
    finish(bot, place, &job, lang).await
}

/// A finished job: the status message says done (or why it failed) and the
/// result comes as a new message.
pub async fn finish(
    bot: &Bot,
    place: Place,
    job: &JobResponse,
    lang: Lang,
) -> Result<(), HandlerError> {
    let menu = menu_button(&job.dataset_id, lang);
    if job.status == JobStatus::Failed {
        let error = job.error.clone().unwrap_or_default();
        bot.edit_message_text(
            place.chat,
            place.message,
            T::JobFailed.fill(lang, &[("error", &error)]),
        )
        .reply_markup(menu)
        .await?;
        return Ok(());
    }
    bot.edit_message_text(place.chat, place.message, T::JobDone.get(lang))
        .await?;
    bot.send_message(place.chat, result_text(job, lang))
        .parse_mode(ParseMode::Html)
        .reply_markup(menu)
        .await?;
    Ok(())
}

/// The result message of a succeeded job (HTML).
pub fn result_text(job: &JobResponse, lang: Lang) -> String {
    match job.analysis() {
        Some(Ok(result)) => render(&result, lang),
        Some(Err(e)) => {
            tracing::warn!(error = %e, job = %job.job_id, "a result the bot cannot read");
            escape(T::ResultUnreadable.get(lang))
        }
        None => escape(T::ResultUnreadable.get(lang)),
    }
}

/// A refused or failed submission, in plain words.
fn failure(e: &ApiError, lang: Lang) -> String {
    T::JobFailed.fill(lang, &[("error", &api_failure(e, lang))])
}

fn menu_button(dataset: &str, lang: Lang) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![button(
        T::BtnMenu.get(lang),
        format!("ds:{dataset}"),
    )]])
}
