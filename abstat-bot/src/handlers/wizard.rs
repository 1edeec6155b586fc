//! The button dialogues of the analyses. A [`Wizard`] keeps the answers so
//! far; its [`Flow`] turns them into the next [`Question`] (or the finished
//! request). Back drops the last answer, Cancel ends the dialogue, and the
//! one dialogue message is edited in place at every step.
//!
//! Buttons carry `w:<depth>:<op>` with the number of answers given when
//! they were drawn, so a press on an old message cannot answer a newer
//! question.

use abstat_api::VisualizeQuery;
use serde::{Deserialize, Serialize};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::columns::ColumnFacts;
use super::{Ctx, HandlerError, Place, Step, api_failure, button, datasets, jobs};
use crate::api::Analysis;
use crate::texts::{Lang, T, escape};

/// Which analysis a wizard builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flow {
    /// `act:ab`.
    AbTest,
    /// `act:test`.
    StatTest,
    /// `act:reg`.
    Regression,
    /// `act:clf`.
    Classification,
    /// `act:clean`.
    Clean,
    /// `act:charts`.
    Chart,
}

impl Flow {
    /// The flow of a dataset menu action, if it is one.
    pub fn from_action(action: &str) -> Option<Flow> {
        Some(match action {
            "ab" => Flow::AbTest,
            "test" => Flow::StatTest,
            "reg" => Flow::Regression,
            "clf" => Flow::Classification,
            "clean" => Flow::Clean,
            "charts" => Flow::Chart,
            _ => return None,
        })
    }

    fn title(self) -> T {
        match self {
            Flow::AbTest => T::BtnAbTest,
            Flow::StatTest => T::BtnStatTest,
            Flow::Regression => T::BtnRegression,
            Flow::Classification => T::BtnClassification,
            Flow::Clean => T::BtnClean,
            Flow::Chart => T::BtnCharts,
        }
    }

    /// The next question, or the request once everything is answered.
    pub fn question(self, w: &Wizard, lang: Lang) -> Question {
        match self {
            Flow::AbTest => super::ab::question(w, lang),
            Flow::StatTest => super::stat_test::question(w, lang),
            Flow::Regression => super::regression::question(w, lang),
            Flow::Classification => super::classification::question(w, lang),
            Flow::Clean => super::clean::question(w, lang),
            Flow::Chart => super::charts::question(w, lang),
        }
    }
}

/// What a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// A/B: the variant column.
    Variant,
    /// A/B: the control value.
    Control,
    /// A/B: the metric columns.
    Metrics,
    /// A/B: the CUPED covariate.
    Covariate,
    /// A/B: the engine.
    Engine,
    /// A/B: the segment column (or no breakdown).
    Segment,
    /// Stat test: the first column.
    First,
    /// Stat test: the second column.
    Second,
    /// Stat test: the test.
    Test,
    /// Stat test: the alternative.
    Alternative,
    /// Regression, classification: the target.
    Target,
    /// Regression, classification: the predictors / features.
    Predictors,
    /// Regression, classification: the model.
    Model,
    /// Clean: the operations.
    CleanOps,
    /// Charts: the kind of chart.
    ChartKind,
    /// Charts: the column.
    Column,
    /// Charts: the grouping column.
    Group,
    /// Charts: the x column.
    X,
    /// Charts: the y column.
    Y,
    /// Charts: several columns.
    Columns,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// One option's value.
    One(String),
    /// Several options' values.
    Many(Vec<String>),
    /// Skipped (optional questions).
    Skipped,
}

/// A button of a question: what it shows and the value it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// Caption.
    pub label: String,
    /// Value stored as the answer.
    pub value: String,
}

impl Opt {
    /// An option.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Opt {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// What the dialogue asks next.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// Pick one option.
    One {
        /// What is asked.
        field: Field,
        /// The question.
        prompt: String,
        /// The options.
        options: Vec<Opt>,
        /// Whether a Skip button is offered.
        skip: bool,
    },
    /// Pick one or more options, then Done.
    Many {
        /// What is asked.
        field: Field,
        /// The question.
        prompt: String,
        /// The options.
        options: Vec<Opt>,
    },
    /// The data offers nothing to pick: why, with Back and Cancel.
    Impossible(String),
    /// Everything is answered: submit this.
    Ready(Analysis),
    /// Everything is answered: draw this chart.
    Draw(VisualizeQuery),
}

/// One given answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    /// The question.
    pub field: Field,
    /// The answer.
    pub answer: Answer,
    /// The answer as shown to the user (the options' captions).
    pub shown: String,
}

/// An analysis dialogue in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wizard {
    /// The analysis.
    pub flow: Flow,
    /// Dataset id.
    pub dataset: String,
    /// Dataset name, for the header.
    pub title: String,
    /// The dataset's version when the dialogue opened (the one cleaned
    /// and drawn); `None` = the newest.
    #[serde(default)]
    pub version: Option<u32>,
    /// The dataset's columns.
    pub columns: Vec<ColumnFacts>,
    /// Answers so far, in order.
    pub answers: Vec<Given>,
    /// Options ticked so far in a multiple choice.
    pub ticked: Vec<String>,
}

impl Wizard {
    /// The single answer to `field`.
    pub fn one(&self, field: Field) -> Option<&str> {
        self.answers.iter().find_map(|g| match &g.answer {
            Answer::One(v) if g.field == field => Some(v.as_str()),
            _ => None,
        })
    }

    /// The multiple answer to `field` (empty if not answered).
    pub fn many(&self, field: Field) -> &[String] {
        self.answers
            .iter()
            .find_map(|g| match &g.answer {
                Answer::Many(v) if g.field == field => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// Whether `field` is answered (or skipped).
    pub fn answered(&self, field: Field) -> bool {
        self.answers.iter().any(|g| g.field == field)
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnFacts> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Options for `columns`, captioned with their shown names.
    pub fn column_options<'a>(&self, columns: impl Iterator<Item = &'a ColumnFacts>) -> Vec<Opt> {
        columns.map(|c| Opt::new(&c.label, &c.name)).collect()
    }

    /// The shown name of column `name`.
    pub fn label<'a>(&'a self, name: &'a str) -> &'a str {
        self.column(name).map_or(name, |c| c.label.as_str())
    }
}

/// Prompts of [`Wizard::target_and_features`].
pub struct TargetPrompts {
    /// Asks for the target.
    pub target: T,
    /// Says no column can be the target.
    pub no_target: T,
    /// Asks for the features.
    pub features: T,
}

impl Wizard {
    /// The first two steps of a model: a target among the columns that
    /// pass `is_target`, then one or more feature columns. The answered
    /// target, or the question to ask.
    pub fn target_and_features(
        &self,
        lang: Lang,
        is_target: impl Fn(&ColumnFacts) -> bool,
        prompts: TargetPrompts,
    ) -> Result<&ColumnFacts, Box<Question>> {
        let Some(target) = self.one(Field::Target).and_then(|t| self.column(t)) else {
            let options = self.column_options(self.columns.iter().filter(|c| is_target(c)));
            if options.is_empty() || self.columns.len() < 2 {
                return Err(Box::new(Question::Impossible(
                    prompts.no_target.get(lang).to_string(),
                )));
            }
            return Err(Box::new(Question::One {
                field: Field::Target,
                prompt: prompts.target.get(lang).to_string(),
                options,
                skip: false,
            }));
        };
        if !self.answered(Field::Predictors) {
            let options = self.column_options(
                self.columns
                    .iter()
                    .filter(|c| c.is_feature() && c.name != target.name),
            );
            if options.is_empty() {
                return Err(Box::new(Question::Impossible(
                    T::NoPredictors.get(lang).to_string(),
                )));
            }
            return Err(Box::new(Question::Many {
                field: Field::Predictors,
                prompt: prompts.features.get(lang).to_string(),
                options,
            }));
        }
        Ok(target)
    }
}

/// Open the dialogue `flow` on `dataset`: load its columns, ask the first
/// question in the menu's message.
pub async fn start(
    ctx: &Ctx<'_>,
    place: Place,
    flow: Flow,
    dataset: &str,
) -> Result<Step, HandlerError> {
    let loaded = async {
        let d = ctx.api.dataset(ctx.tg, dataset).await?;
        let values = ctx.api.values(ctx.tg, dataset).await?;
        Ok::<_, crate::api::ApiError>((d, values))
    }
    .await;
    let (d, values) = match loaded {
        Ok(v) => v,
        Err(e) => {
            ctx.bot
                .send_message(place.chat, api_failure(&e, ctx.lang))
                .await?;
            return Ok(Step::Idle);
        }
    };
    let w = Wizard {
        flow,
        dataset: d.id.clone(),
        title: d.name.clone(),
        version: Some(d.version),
        columns: ColumnFacts::of(&d, &values),
        answers: Vec::new(),
        ticked: Vec::new(),
    };
    ask(ctx, place, w).await
}

/// The callback data of button `op` of the wizard's current question.
pub fn data(w: &Wizard, op: &str) -> String {
    format!("w:{}:{op}", w.answers.len())
}

/// The Back and Cancel buttons of the current question.
pub fn nav(w: &Wizard, lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![
        button(T::BtnBack.get(lang), data(w, "b")),
        button(T::BtnCancel.get(lang), data(w, "x")),
    ]
}

/// The dialogue's title and the answers so far (HTML).
pub fn header(w: &Wizard, lang: Lang) -> String {
    format!(
        "<b>{}</b> · «{}»\n{}",
        escape(w.flow.title().get(lang)),
        escape(&w.title),
        summary(w, lang)
    )
}

/// Edit the dialogue's message to the wizard's header, then `body`
/// (already HTML), with the buttons `rows`.
pub async fn show(
    ctx: &Ctx<'_>,
    place: Place,
    w: &Wizard,
    body: &str,
    rows: Vec<Vec<InlineKeyboardButton>>,
) -> Result<(), HandlerError> {
    ctx.bot
        .edit_message_text(
            place.chat,
            place.message,
            format!("{}\n{body}", header(w, ctx.lang)),
        )
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}

/// Show the wizard's next question, or submit when it is complete.
pub(super) async fn ask(ctx: &Ctx<'_>, place: Place, w: Wizard) -> Result<Step, HandlerError> {
    let lang = ctx.lang;
    let data = |op: &str| data(&w, op);
    let nav = nav(&w, lang);
    let (text, mut rows) = match w.flow.question(&w, lang) {
        Question::Ready(Analysis::Clean(request)) => {
            return super::clean::preview(ctx, place, w, request).await;
        }
        Question::Ready(analysis) => {
            jobs::start(ctx, place, analysis).await?;
            return Ok(Step::Menu { dataset: w.dataset });
        }
        Question::Draw(query) => return super::charts::draw(ctx, place, w, query).await,
        Question::Impossible(why) => (why, Vec::new()),
        Question::One {
            prompt,
            options,
            skip,
            ..
        } => {
            let mut rows = grid(
                options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| button(&o.label, data(&format!("p{i}"))))
                    .collect(),
            );
            if skip {
                rows.push(vec![button(T::BtnSkip.get(lang), data("s"))]);
            }
            (prompt, rows)
        }
        Question::Many {
            prompt, options, ..
        } => {
            let mut rows = grid(
                options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let mark = if w.ticked.contains(&o.value) {
                            "✅ "
                        } else {
                            ""
                        };
                        button(&format!("{mark}{}", o.label), data(&format!("t{i}")))
                    })
                    .collect(),
            );
            if !w.ticked.is_empty() {
                rows.push(vec![button(T::BtnDone.get(lang), data("d"))]);
            }
            (prompt, rows)
        }
    };
    rows.push(nav);
    show(ctx, place, &w, &escape(&text), rows).await?;
    Ok(Step::Wizard(w))
}

/// The answers so far, one line each.
fn summary(w: &Wizard, lang: Lang) -> String {
    let mut out = String::new();
    for g in &w.answers {
        out.push_str(&format!(
            "• {}: {}\n",
            escape(field_name(g.field, lang)),
            escape(&g.shown)
        ));
    }
    out
}

fn field_name(field: Field, lang: Lang) -> &'static str {
    match field {
        Field::Variant => T::FieldVariant,
        Field::Control => T::FieldControl,
        Field::Metrics => T::FieldMetrics,
        Field::Covariate => T::FieldCovariate,
        Field::Engine => T::FieldEngine,
        Field::Segment => T::FieldSegment,
        Field::First => T::FieldFirst,
        Field::Second => T::FieldSecond,
        Field::Test => T::FieldTest,
        Field::Alternative => T::FieldAlternative,
        Field::Target => T::FieldTarget,
        Field::Predictors => T::FieldPredictors,
        Field::Model => T::FieldModel,
        Field::CleanOps => T::FieldCleanOps,
        Field::ChartKind => T::FieldChartKind,
        Field::Column => T::FieldColumn,
        Field::Group => T::FieldGroup,
        Field::X => T::FieldX,
        Field::Y => T::FieldY,
        Field::Columns => T::FieldColumns,
    }
    .get(lang)
}

/// Buttons two to a row.
fn grid(buttons: Vec<InlineKeyboardButton>) -> Vec<Vec<InlineKeyboardButton>> {
    buttons.chunks(2).map(<[_]>::to_vec).collect()
}

/// A press on a wizard button (`rest` = `<depth>:<op>`). Returns the next
/// step and, for presses that cannot apply, a popup.
pub async fn on_press(
    ctx: &Ctx<'_>,
    place: Place,
    mut w: Wizard,
    rest: &str,
) -> Result<(Step, Option<&'static str>), HandlerError> {
    let lang = ctx.lang;
    let (depth, op) = rest.split_once(':').unwrap_or(("", rest));
    if depth.parse::<usize>().ok() != Some(w.answers.len()) {
        return Ok((Step::Wizard(w), Some(T::Stale.get(lang))));
    }
    if op == "x" {
        ctx.bot
            .edit_message_text(place.chat, place.message, T::Cancelled.get(lang))
            .await?;
        return Ok((Step::Idle, None));
    }
    if op == "b" {
        w.ticked.clear();
        if w.answers.pop().is_none() {
            // Back from the first question: the dataset menu again.
            ctx.bot
                .edit_message_text(place.chat, place.message, T::DatasetMenu.get(lang))
                .reply_markup(datasets::menu_keyboard(&w.dataset, lang))
                .await?;
            return Ok((Step::Menu { dataset: w.dataset }, None));
        }
        return Ok((ask(ctx, place, w).await?, None));
    }
    if op == "a"
        && let Question::Ready(Analysis::Clean(request)) = w.flow.question(&w, lang)
    {
        return Ok((super::clean::apply(ctx, place, w, request).await?, None));
    }
    let (field, options, skip, many) = match w.flow.question(&w, lang) {
        Question::One {
            field,
            options,
            skip,
            ..
        } => (field, options, skip, false),
        Question::Many { field, options, .. } => (field, options, false, true),
        _ => return Ok((Step::Wizard(w), Some(T::Stale.get(lang)))),
    };
    let index = |p: &str| op.strip_prefix(p).and_then(|i| i.parse::<usize>().ok());
    match (op, index("p"), index("t")) {
        (_, Some(i), _) if !many && i < options.len() => w.answers.push(Given {
            field,
            answer: Answer::One(options[i].value.clone()),
            shown: options[i].label.clone(),
        }),
        (_, _, Some(i)) if many && i < options.len() => {
            let v = &options[i].value;
            match w.ticked.iter().position(|t| t == v) {
                Some(at) => {
                    w.ticked.remove(at);
                }
                None => w.ticked.push(v.clone()),
            }
        }
        ("d", _, _) if many && !w.ticked.is_empty() => {
            // in the order the options are listed
            let ticked: Vec<&Opt> = options
                .iter()
                .filter(|o| w.ticked.contains(&o.value))
                .collect();
            let given = Given {
                field,
                answer: Answer::Many(ticked.iter().map(|o| o.value.clone()).collect()),
                shown: ticked
                    .iter()
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            w.ticked.clear();
            w.answers.push(given);
        }
        ("s", _, _) if skip => w.answers.push(Given {
            field,
            answer: Answer::Skipped,
            shown: T::Skipped.get(lang).to_string(),
        }),
        _ => return Ok((Step::Wizard(w), Some(T::Stale.get(lang)))),
    }
    Ok((ask(ctx, place, w).await?, None))
}
