//! `/power`: the sample size calculator. Buttons where there are a few
//! usual answers (metric kind, α, power, variants), typed numbers elsewhere
//! ("0,05" and "0.05" both work, and "5%"); a number that does not fit is
//! asked again with a hint. The answer comes from `POST /ab-tests/design/`.

use abstat_api::{AbDesignRequest, DesignMetric, DesignPlan};
use abstat_core::Alternative;
use abstat_core::ab::design::{Baseline, Mde};
use serde::{Deserialize, Serialize};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, ParseMode};

use super::{Ctx, HandlerError, Place, Step, api_failure, button};
use crate::results::render_design;
use crate::texts::{Lang, T, escape};

/// A question of the calculator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerField {
    /// 0 = conversion rate, 1 = mean.
    Metric,
    /// The baseline rate.
    Rate,
    /// The baseline mean.
    Mean,
    /// The standard deviation.
    StdDev,
    /// 0 = absolute MDE, 1 = relative.
    MdeKind,
    /// The MDE.
    Mde,
    /// Significance level.
    Alpha,
    /// Power.
    Power,
    /// Variants including the control.
    Variants,
    /// Daily units (NaN = skipped).
    Traffic,
}

/// The calculator's answers so far, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PowerDraft {
    /// Answers.
    pub answers: Vec<(PowerField, f64)>,
}

impl PowerDraft {
    fn get(&self, field: PowerField) -> Option<f64> {
        self.answers
            .iter()
            .find_map(|(f, v)| (*f == field).then_some(*v))
    }

    /// The next question, `None` when all is answered.
    fn next(&self) -> Option<PowerField> {
        use PowerField as F;
        let rate = self.get(F::Metric)? == 0.0;
        let baseline: &[F] = if rate {
            &[F::Rate]
        } else {
            &[F::Mean, F::StdDev]
        };
        let rest = [
            F::MdeKind,
            F::Mde,
            F::Alpha,
            F::Power,
            F::Variants,
            F::Traffic,
        ];
        let order: Vec<F> = baseline.iter().chain(&rest).copied().collect();
        order.iter().copied().find(|f| self.get(*f).is_none())
    }

    fn first_missing(&self) -> Option<PowerField> {
        if self.get(PowerField::Metric).is_none() {
            return Some(PowerField::Metric);
        }
        self.next()
    }
}

/// The buttons of a question: caption and value.
fn choices(field: PowerField, lang: Lang) -> Vec<(String, f64)> {
    let numbers = |values: &[f64], percent: bool| {
        values
            .iter()
            .map(|v| {
                let caption = if percent {
                    lang.percent(*v)
                } else {
                    lang.short(*v)
                };
                (caption, *v)
            })
            .collect()
    };
    match field {
        PowerField::Metric => vec![
            (T::PowerRate.get(lang).to_string(), 0.0),
            (T::PowerMean.get(lang).to_string(), 1.0),
        ],
        PowerField::MdeKind => vec![
            (T::PowerAbsolute.get(lang).to_string(), 0.0),
            (T::PowerRelative.get(lang).to_string(), 1.0),
        ],
        PowerField::Alpha => numbers(&[0.05, 0.01, 0.1], false),
        PowerField::Power => numbers(&[0.8, 0.9, 0.95], true),
        PowerField::Variants => numbers(&[2.0, 3.0, 4.0], false),
        _ => Vec::new(),
    }
}

fn prompt(field: PowerField) -> T {
    match field {
        PowerField::Metric => T::PowerAskMetric,
        PowerField::Rate => T::PowerAskRate,
        PowerField::Mean => T::PowerAskMean,
        PowerField::StdDev => T::PowerAskStd,
        PowerField::MdeKind => T::PowerAskMdeKind,
        PowerField::Mde => T::PowerAskMde,
        PowerField::Alpha => T::PowerAskAlpha,
        PowerField::Power => T::PowerAskPower,
        PowerField::Variants => T::PowerAskVariants,
        PowerField::Traffic => T::PowerAskTraffic,
    }
}

/// A typed number: a decimal comma or point, spaces as thousands
/// separators, and an optional `%` (divides by 100).
pub fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    let (digits, percent) = match cleaned.strip_suffix('%') {
        Some(d) => (d, true),
        None => (cleaned.as_str(), false),
    };
    let value: f64 = digits.replace(',', ".").replace('−', "-").parse().ok()?;
    value
        .is_finite()
        .then_some(if percent { value / 100.0 } else { value })
}

/// Check a typed value for `field`; the hint to show when it does not fit.
fn check(field: PowerField, value: f64) -> Result<f64, T> {
    let in_unit = |v: f64| v > 0.0 && v < 1.0;
    match field {
        PowerField::Rate | PowerField::Alpha | PowerField::Power if !in_unit(value) => {
            Err(T::PowerBadRate)
        }
        PowerField::StdDev | PowerField::Mde | PowerField::Traffic if value <= 0.0 => {
            Err(T::PowerBadPositive)
        }
        PowerField::Variants if !(2.0..=20.0).contains(&value) || value.fract() != 0.0 => {
            Err(T::PowerBadPositive)
        }
        _ => Ok(value),
    }
}

/// The question message for the draft's next field; `None` when everything
/// is answered.
fn question(draft: &PowerDraft, lang: Lang) -> Option<(String, InlineKeyboardMarkup)> {
    let field = draft.first_missing()?;
    let depth = draft.answers.len();
    let data = |op: String| format!("pw:{depth}:{op}");
    let mut rows: Vec<Vec<_>> = choices(field, lang)
        .into_iter()
        .enumerate()
        .map(|(i, (caption, _))| button(&caption, data(format!("v{i}"))))
        .collect::<Vec<_>>()
        .chunks(3)
        .map(<[_]>::to_vec)
        .collect();
    if field == PowerField::Traffic {
        rows.push(vec![button(T::BtnSkip.get(lang), data("s".into()))]);
    }
    rows.push(vec![
        button(T::BtnBack.get(lang), data("b".into())),
        button(T::BtnCancel.get(lang), data("x".into())),
    ]);
    Some((
        prompt(field).get(lang).to_string(),
        InlineKeyboardMarkup::new(rows),
    ))
}

fn request(draft: &PowerDraft) -> AbDesignRequest {
    use PowerField as F;
    let value = |f| draft.get(f).unwrap_or_default();
    let rate = value(F::Metric) == 0.0;
    let mde = if value(F::MdeKind) == 1.0 {
        Mde::Relative(value(F::Mde))
    } else {
        Mde::Absolute(value(F::Mde))
    };
    AbDesignRequest {
        metric: if rate {
            DesignMetric::Proportion
        } else {
            DesignMetric::Mean
        },
        baseline: None,
        effect_size: None,
        nobs_per_variant: None,
        power: draft.get(F::Power),
        alpha: value(F::Alpha),
        ratio: None,
        alternative: Alternative::TwoSided,
        daily_units: draft.get(F::Traffic).filter(|t| !t.is_nan()),
        plan: Some(DesignPlan {
            baseline: if rate {
                Baseline::Rate {
                    rate: value(F::Rate),
                }
            } else {
                Baseline::Mean {
                    mean: value(F::Mean),
                    std_dev: value(F::StdDev),
                }
            },
            mde,
            variants: value(F::Variants) as usize,
        }),
    }
}

/// `/power`: the first question.
pub async fn start(bot: &Bot, chat: ChatId, lang: Lang) -> Result<Step, HandlerError> {
    let draft = PowerDraft::default();
    if let Some((text, kb)) = question(&draft, lang) {
        bot.send_message(chat, text).reply_markup(kb).await?;
    }
    Ok(Step::Power(draft))
}

/// Ask the next question (a new message, or `edit` the pressed one), or
/// compute the design.
async fn advance(
    ctx: &Ctx<'_>,
    chat: ChatId,
    edit: Option<Place>,
    draft: PowerDraft,
    hint: Option<T>,
) -> Result<Step, HandlerError> {
    let lang = ctx.lang;
    match question(&draft, lang) {
        Some((text, kb)) => {
            let text = match hint {
                Some(h) => format!("{}\n\n{text}", h.get(lang)),
                None => text,
            };
            match edit {
                Some(p) => {
                    ctx.bot
                        .edit_message_text(p.chat, p.message, text)
                        .reply_markup(kb)
                        .await?;
                }
                None => {
                    ctx.bot.send_message(chat, text).reply_markup(kb).await?;
                }
            }
            Ok(Step::Power(draft))
        }
        None => {
            let request = request(&draft);
            let text = match ctx.api.design(ctx.tg, &request).await {
                Ok(d) => render_design(&d, request.daily_units, request.power.unwrap_or(0.8), lang),
                Err(e) => escape(&api_failure(&e, lang)),
            };
            ctx.bot
                .send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .await?;
            Ok(Step::Idle)
        }
    }
}

/// A typed answer.
pub async fn on_typed(
    ctx: &Ctx<'_>,
    chat: ChatId,
    mut draft: PowerDraft,
    text: &str,
) -> Result<Step, HandlerError> {
    let Some(field) = draft.first_missing() else {
        return Ok(Step::Power(draft));
    };
    let typed = match (field, parse_number(text)) {
        (PowerField::Metric | PowerField::MdeKind, _) => Err(T::UseButtons),
        (_, None) => Err(T::PowerNotANumber),
        (_, Some(v)) => check(field, v),
    };
    match typed {
        Ok(v) => {
            draft.answers.push((field, v));
            advance(ctx, chat, None, draft, None).await
        }
        Err(hint) => advance(ctx, chat, None, draft, Some(hint)).await,
    }
}

/// A button press (`rest` = `<depth>:<op>`).
pub async fn on_press(
    ctx: &Ctx<'_>,
    place: Place,
    mut draft: PowerDraft,
    rest: &str,
) -> Result<Step, HandlerError> {
    let (depth, op) = rest.split_once(':').unwrap_or(("", rest));
    if depth.parse::<usize>().ok() != Some(draft.answers.len()) {
        return Ok(Step::Power(draft));
    }
    let Some(field) = draft.first_missing() else {
        return Ok(Step::Power(draft));
    };
    match op {
        "x" => {
            ctx.bot
                .edit_message_text(place.chat, place.message, T::Cancelled.get(ctx.lang))
                .await?;
            return Ok(Step::Idle);
        }
        "b" => {
            draft.answers.pop();
        }
        "s" if field == PowerField::Traffic => draft.answers.push((field, f64::NAN)),
        _ => {
            let picked = op
                .strip_prefix('v')
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| choices(field, ctx.lang).get(i).map(|(_, v)| *v));
            match picked {
                Some(v) => draft.answers.push((field, v)),
                None => return Ok(Step::Power(draft)),
            }
        }
    }
    advance(ctx, place.chat, Some(place), draft, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_both_decimal_styles_and_as_percentages() {
        assert_eq!(parse_number("0,05"), Some(0.05));
        assert_eq!(parse_number("0.05"), Some(0.05));
        assert_eq!(parse_number(" 5% "), Some(0.05));
        assert_eq!(parse_number("12 500"), Some(12500.0));
        assert_eq!(parse_number("−1,5"), Some(-1.5));
        assert_eq!(parse_number("five"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(check(PowerField::Rate, 1.5), Err(T::PowerBadRate));
        assert_eq!(check(PowerField::StdDev, 0.0), Err(T::PowerBadPositive));
        assert_eq!(check(PowerField::Mean, -3.0), Ok(-3.0));
    }
}
