//! The files that follow a result message: the analysis's chart as a photo
//! (`GET /analytics/visualize/?job_id=…`, drawn in the chat's language) and
//! the full result as a CSV document (`GET /jobs/{id}/export/`), with a
//! button under it that fetches the same result as an Excel workbook
//! (`?format=xlsx`). All are the server's bytes, passed on as they are. A file that cannot be fetched
//! costs the user nothing of the result: the text is already sent, and a
//! short note says what is missing.

use abstat_api::{AbEngine, AnalysisResult, ChartType, JobResponse, VisualizeQuery};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, InputFile};

use super::{Ctx, HandlerError, api_failure, button};
use crate::api::{ApiClient, Download};
use crate::texts::{Lang, T};

/// The chart drawn after the result of `job`: the forest of lifts for an
/// A/B test (the posterior of the lift for the Bayesian engine, which has
/// no forest), the coefficients of a regression, the confusion matrix of a
/// classification.
pub fn result_chart(job: &JobResponse) -> Option<ChartType> {
    match job.kind.as_str() {
        "ab_test" => Some(match job.analysis() {
            Some(Ok(AnalysisResult::AbTest(r))) if r.engine == AbEngine::Bayesian => {
                ChartType::Posterior
            }
            _ => ChartType::Forest,
        }),
        "regression" => Some(ChartType::Coefficients),
        "classification" => Some(ChartType::Confusion),
        _ => None,
    }
}

/// Whether a result of a job of `kind` is followed by its table as a
/// document (analyses with a table worth a spreadsheet).
pub fn has_document(kind: &str) -> bool {
    matches!(kind, "ab_test" | "regression" | "classification")
}

/// The query of a chart of a finished job, in the chat's language. The
/// theme stays light: Telegram does not tell bots the user's theme.
pub fn result_chart_query(job: &JobResponse, kind: ChartType, lang: Lang) -> VisualizeQuery {
    VisualizeQuery {
        kind: kind.as_str().to_string(),
        job_id: Some(job.job_id.clone()),
        lang: Some(lang.code().to_string()),
        ..VisualizeQuery::default()
    }
}

/// A file for Telegram: the server's bytes under the server's name, or
/// `fallback`.
pub fn input_file(file: Download, fallback: String) -> InputFile {
    let name = file.file_name.unwrap_or(fallback);
    InputFile::memory(file.bytes.to_vec()).file_name(name)
}

/// Send the chart and the document of the succeeded `job` to `chat`.
pub async fn send(
    bot: &Bot,
    api: &ApiClient,
    tg: i64,
    chat: ChatId,
    job: &JobResponse,
    lang: Lang,
) -> Result<(), HandlerError> {
    if let Some(kind) = result_chart(job) {
        match api.chart(tg, &result_chart_query(job, kind, lang)).await {
            Ok(image) => {
                let name = format!("{}-{}.png", kind.as_str(), job.job_id);
                bot.send_photo(chat, input_file(image, name)).await?;
            }
            Err(e) => {
                tracing::warn!(error = %e, job = %job.job_id, "a result chart could not be fetched");
                let note = T::ResultChartFailed.fill(lang, &[("error", &api_failure(&e, lang))]);
                bot.send_message(chat, note).await?;
            }
        }
    }
    if has_document(&job.kind) {
        match api.export(tg, &job.job_id, "csv").await {
            Ok(file) => {
                let name = format!("{}-{}.csv", job.kind, job.job_id);
                bot.send_document(chat, input_file(file, name))
                    .reply_markup(xlsx_keyboard(&job.job_id, lang))
                    .await?;
            }
            Err(e) => {
                tracing::warn!(error = %e, job = %job.job_id, "a result document could not be fetched");
                let note = T::ResultExportFailed.fill(lang, &[("error", &api_failure(&e, lang))]);
                bot.send_message(chat, note).await?;
            }
        }
    }
    Ok(())
}

/// The button under a result's CSV document: the same result as XLSX
/// (callback `xlsx:<job id>`; a job id is well under Telegram's 64 bytes).
pub fn xlsx_keyboard(job_id: &str, lang: Lang) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[button(T::BtnXlsx.get(lang), format!("xlsx:{job_id}"))]])
}

/// The "Excel (XLSX)" button: fetch the job's result as a workbook and send
/// it as a document, or a short note when the server cannot give it.
pub async fn send_xlsx(ctx: &Ctx<'_>, chat: ChatId, job_id: &str) -> Result<(), HandlerError> {
    match ctx.api.export(ctx.tg, job_id, "xlsx").await {
        Ok(file) => {
            let name = format!("result-{job_id}.xlsx");
            ctx.bot.send_document(chat, input_file(file, name)).await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, job = %job_id, "an XLSX export could not be fetched");
            let note =
                T::ResultExportFailed.fill(ctx.lang, &[("error", &api_failure(&e, ctx.lang))]);
            ctx.bot.send_message(chat, note).await?;
        }
    }
    Ok(())
}
