//! The Clean dialogue: tick operations (drop missing rows, drop
//! duplicates, fill missing values with the median or the most frequent
//! value, cap outliers by Tukey's IQR rule, trim text) → a preview from
//! `POST /datasets/clean/` with `preview: true` (rows removed and cells
//! changed per operation, counted by the server) → Apply stores a new
//! version, which the dataset menu then works on; Back returns to the
//! operations. Every number comes from the server's report.

use abstat_api::{CleanRequest, JobResponse, JobStatus};
use abstat_core::clean::{CleanOp, CleanPlan, FillMethod, MissingHow, OutlierAction, TextCase};

use super::columns::{ColumnFacts, ColumnType};
use super::wizard::{self, Field, Opt, Question, Wizard};
use super::{Ctx, HandlerError, Place, Step, api_failure, button, datasets, jobs};
use crate::api::Analysis;
use crate::texts::{Lang, T, escape};

/// Tukey's fences, `[Q1 − 1.5·IQR, Q3 + 1.5·IQR]` (Tukey 1977, *Exploratory
/// Data Analysis*, ch. 2).
const IQR_K: f64 = 1.5;

/// The operations offered, in the order they are applied: text is trimmed
/// before duplicates are compared, rows are dropped before values are
/// filled, and outliers are capped last.
const OPS: [(&str, T); 5] = [
    ("trim", T::CleanTrimText),
    ("dedup", T::CleanDropDuplicates),
    ("dropna", T::CleanDropMissing),
    ("fill", T::CleanFillMissing),
    ("outliers", T::CleanCapOutliers),
];

fn names(columns: &[ColumnFacts], keep: impl Fn(&ColumnFacts) -> bool) -> Vec<String> {
    columns
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.name.clone())
        .collect()
}

/// Columns whose missing values take the median: floating-point ones
/// (filling an integer column with a median would make it float).
fn median_columns(columns: &[ColumnFacts]) -> Vec<String> {
    names(columns, |c| c.ty == ColumnType::Float)
}

/// Columns whose missing values take the most frequent value.
fn mode_columns(columns: &[ColumnFacts]) -> Vec<String> {
    names(columns, |c| {
        matches!(
            c.ty,
            ColumnType::Integer | ColumnType::Text | ColumnType::Boolean
        )
    })
}

/// Measurements worth capping: numeric, neither 0/1 nor a few group codes.
fn outlier_columns(columns: &[ColumnFacts]) -> Vec<String> {
    names(columns, |c| {
        c.is_measure() && !c.is_zero_one() && !c.is_grouping()
    })
}

fn text_columns(columns: &[ColumnFacts]) -> Vec<String> {
    names(columns, |c| c.ty == ColumnType::Text)
}

/// The operation `value` as the plan's operations (none when the data has
/// no column it applies to).
fn plan_ops(value: &str, columns: &[ColumnFacts]) -> Vec<CleanOp> {
    match value {
        "trim" => {
            let text = text_columns(columns);
            if text.is_empty() {
                return Vec::new();
            }
            vec![CleanOp::NormalizeText {
                columns: Some(text),
                trim: true,
                collapse_spaces: false,
                case: TextCase::Keep,
                nfc: false,
            }]
        }
        "dedup" => vec![CleanOp::DropDuplicates { columns: None }],
        "dropna" => vec![CleanOp::DropMissing {
            columns: None,
            how: MissingHow::Any,
        }],
        "fill" => [
            (median_columns(columns), FillMethod::Median),
            (mode_columns(columns), FillMethod::Mode),
        ]
        .into_iter()
        .filter(|(cols, _)| !cols.is_empty())
        .map(|(columns, method)| CleanOp::FillMissing {
            columns,
            method,
            value: None,
        })
        .collect(),
        "outliers" => {
            let cols = outlier_columns(columns);
            if cols.is_empty() {
                return Vec::new();
            }
            vec![CleanOp::OutliersIqr {
                columns: cols,
                k: IQR_K,
                action: OutlierAction::Cap,
            }]
        }
        _ => Vec::new(),
    }
}

/// The plan of the ticked operations, in [`OPS`] order.
pub fn plan(ticked: &[String], columns: &[ColumnFacts]) -> CleanPlan {
    CleanPlan {
        ops: OPS
            .iter()
            .filter(|(value, _)| ticked.iter().any(|t| t == value))
            .flat_map(|(value, _)| plan_ops(value, columns))
            .collect(),
    }
}

/// The next question of the Clean dialogue: the operations, then the
/// preview request.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    if !w.answered(Field::CleanOps) {
        let options = OPS
            .iter()
            .filter(|(value, _)| !plan_ops(value, &w.columns).is_empty())
            .map(|(value, label)| Opt::new(label.get(lang), *value))
            .collect();
        return Question::Many {
            field: Field::CleanOps,
            prompt: T::AskCleanOps.get(lang).to_string(),
            options,
        };
    }
    Question::Ready(Analysis::Clean(CleanRequest {
        dataset_id: w.dataset.clone(),
        version: w.version,
        plan: plan(w.many(Field::CleanOps), &w.columns),
        preview: true,
    }))
}

/// Run `request` to its end: the succeeded job, or why it did not
/// succeed (HTML).
async fn run(ctx: &Ctx<'_>, request: CleanRequest) -> Result<JobResponse, String> {
    let lang = ctx.lang;
    let why = match jobs::run_to_end(ctx, &Analysis::Clean(request)).await {
        Ok(job) if job.status == JobStatus::Succeeded => return Ok(job),
        Ok(job) => job.error.unwrap_or_default(),
        Err(e) => api_failure(&e, lang),
    };
    Err(escape(&T::JobFailed.fill(lang, &[("error", &why)])))
}

/// Run `request` (a preview) and show the report in the dialogue's message
/// with Apply, Back and Cancel.
pub async fn preview(
    ctx: &Ctx<'_>,
    place: Place,
    w: Wizard,
    request: CleanRequest,
) -> Result<Step, HandlerError> {
    let lang = ctx.lang;
    let mut rows = Vec::new();
    let body = match run(ctx, request).await {
        Ok(job) => {
            rows.push(vec![button(T::BtnApply.get(lang), wizard::data(&w, "a"))]);
            format!(
                "{}\n\n{}",
                jobs::result_text(&job, lang),
                escape(T::CleanApplyHint.get(lang))
            )
        }
        Err(why) => why,
    };
    rows.push(wizard::nav(&w, lang));
    wizard::show(ctx, place, &w, &body, rows).await?;
    Ok(Step::Wizard(w))
}

/// Apply the previewed `request`: a new version, reported with the dataset
/// menu (whose analyses read the newest version). A refusal keeps the
/// preview's place, with Back and Cancel.
pub async fn apply(
    ctx: &Ctx<'_>,
    place: Place,
    w: Wizard,
    mut request: CleanRequest,
) -> Result<Step, HandlerError> {
    let lang = ctx.lang;
    request.preview = false;
    match run(ctx, request).await {
        Ok(job) => {
            let keyboard = datasets::menu_keyboard(&w.dataset, lang);
            let body = jobs::result_text(&job, lang);
            wizard::show(ctx, place, &w, &body, keyboard.inline_keyboard).await?;
            Ok(Step::Menu { dataset: w.dataset })
        }
        Err(why) => {
            wizard::show(ctx, place, &w, &why, vec![wizard::nav(&w, lang)]).await?;
            Ok(Step::Wizard(w))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, ty: ColumnType, distinct: u64) -> ColumnFacts {
        ColumnFacts::test(name, ty, distinct)
    }

    #[test]
    fn operations_run_in_the_listed_order_and_fill_by_column_type() {
        let columns = vec![
            column("variant", ColumnType::Text, 2),
            column("revenue", ColumnType::Float, 90),
            column("visits", ColumnType::Integer, 7),
        ];
        let ticked = ["outliers", "fill", "dedup"].map(String::from);
        let ops = plan(&ticked, &columns).ops;
        let names: Vec<&str> = ops
            .iter()
            .map(|op| match op {
                CleanOp::DropDuplicates { .. } => "dedup",
                CleanOp::FillMissing {
                    method: FillMethod::Median,
                    ..
                } => "median",
                CleanOp::FillMissing {
                    method: FillMethod::Mode,
                    ..
                } => "mode",
                CleanOp::OutliersIqr { .. } => "outliers",
                _ => "other",
            })
            .collect();
        assert_eq!(names, ["dedup", "median", "mode", "outliers"]);
        let CleanOp::OutliersIqr {
            columns: capped,
            action,
            ..
        } = &ops[3]
        else {
            unreachable!()
        };
        // few distinct whole numbers are group codes, not measurements
        assert_eq!(capped, &["revenue"]);
        assert_eq!(*action, OutlierAction::Cap);
    }

    #[test]
    fn steps_without_a_column_to_act_on_are_not_offered() {
        let numbers = vec![column("x", ColumnType::Float, 100)];
        let w = Wizard {
            flow: wizard::Flow::Clean,
            dataset: "d".into(),
            title: "t".into(),
            version: None,
            columns: numbers,
            answers: Vec::new(),
            ticked: Vec::new(),
        };
        let Question::Many { options, .. } = question(&w, Lang::En) else {
            panic!()
        };
        let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(
            values,
            ["dedup", "dropna", "fill", "outliers"],
            "no text to trim"
        );
    }
}
