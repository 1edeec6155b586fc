//! Results as messages a product manager understands first: one verdict
//! sentence per comparison, then the key numbers, then warnings in plain
//! words. Every number comes from the server's result; the bot only words
//! and formats it ([`crate::texts`]). Messages use Telegram's HTML mode
//! (tables in `<pre>`).

mod ab;
mod design;
mod models;
mod table;
mod tests;

use abstat_api::AnalysisResult;

use crate::texts::{Lang, T, escape};

pub use design::render_design;

/// The message for a finished analysis.
pub fn render(result: &AnalysisResult, lang: Lang) -> String {
    match result {
        AnalysisResult::AbTest(r) => ab::render(r, lang),
        AnalysisResult::StatTest(r) => tests::render(r, lang),
        AnalysisResult::Regression(r) => models::regression(r, lang),
        AnalysisResult::Classification(r) => models::classification(r, lang),
        AnalysisResult::Clean(r) => clean(r, lang),
        AnalysisResult::Chart(c) => say(
            T::ChartReady,
            lang,
            &[
                ("width", &c.width.to_string()),
                ("height", &c.height.to_string()),
            ],
        ),
    }
}

/// A cleaning result: rows in and out, then one line per operation.
fn clean(r: &abstat_api::CleanResult, lang: Lang) -> String {
    let (rows_in, rows_out) = (lang.count(r.report.rows_in), lang.count(r.report.rows_out));
    let head = match r.version {
        Some(version) if !r.preview => say(
            T::CleanDone,
            lang,
            &[
                ("rows_in", &rows_in),
                ("rows_out", &rows_out),
                ("version", &version.to_string()),
                ("source", &r.source_version.to_string()),
            ],
        ),
        _ => say(
            T::CleanPreview,
            lang,
            &[("rows_in", &rows_in), ("rows_out", &rows_out)],
        ),
    };
    let mut message = Message {
        verdicts: vec![head],
        ..Message::default()
    };
    for op in &r.report.ops {
        let removed = op.rows_before.saturating_sub(op.rows_after);
        message.numbers.push(say(
            T::CleanOpLine,
            lang,
            &[
                ("op", crate::texts::clean_op_label(&op.op, lang)),
                ("removed", &lang.count(removed)),
                ("changed", &lang.count(op.cells_changed)),
            ],
        ));
    }
    message.finish(lang)
}

/// A message of up to four parts: verdicts, key numbers, results by
/// segment, warnings (empty parts left out). Every part's lines are already escaped HTML.
#[derive(Debug, Default)]
pub(crate) struct Message {
    verdicts: Vec<String>,
    numbers: Vec<String>,
    /// Per-segment lines, the section's header first.
    segments: Vec<String>,
    warnings: Vec<String>,
}

impl Message {
    fn finish(self, lang: Lang) -> String {
        let mut out = self.verdicts.join("\n\n");
        if !self.numbers.is_empty() {
            out.push_str(&format!(
                "\n\n<b>{}</b>\n{}",
                escape(T::KeyNumbers.get(lang)),
                self.numbers.join("\n")
            ));
        }
        if !self.segments.is_empty() {
            out.push_str(&format!("\n\n{}", self.segments.join("\n")));
        }
        if !self.warnings.is_empty() {
            out.push_str(&format!(
                "\n\n<b>{}</b>\n⚠️ {}",
                escape(T::Warnings.get(lang)),
                self.warnings.join("\n⚠️ ")
            ));
        }
        out
    }
}

/// `T` filled with escaped values.
fn say(t: T, lang: Lang, args: &[(&str, &str)]) -> String {
    let escaped: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, escape(v))).collect();
    let refs: Vec<(&str, &str)> = escaped.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // the template itself is ours, but may hold < or > in a formula
    let template_safe = T::fill(t, lang, &[]);
    let mut out = escape(&template_safe);
    for (name, value) in refs {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A confidence level as a percentage: `0.95` → `95%`.
fn level(lang: Lang, level: f64) -> String {
    format!("{}%", lang.number(level * 100.0, 0))
}
