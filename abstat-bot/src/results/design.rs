//! `/power` answers: units per variant and in total, the duration, and
//! the design's details.

use abstat_api::AbDesignResponse;

use super::{Message, say};
use crate::texts::{Lang, T};

/// The message for a design; `traffic` (daily units) and `power` are what
/// the user gave.
pub fn render_design(d: &AbDesignResponse, traffic: Option<f64>, power: f64, lang: Lang) -> String {
    let mut msg = Message::default();
    let n = d
        .nobs_per_variant
        .map_or("?".to_string(), |n| lang.count(n));
    let total = d.total_units.map_or("?".to_string(), |n| lang.count(n));
    let mut headline = say(T::PowerAnswer, lang, &[("n", &n), ("total", &total)]);
    if let (Some(days), Some(traffic)) = (d.days, traffic) {
        headline.push(' ');
        headline.push_str(&say(
            T::PowerDuration,
            lang,
            &[("traffic", &lang.sig(traffic)), ("days", &lang.count(days))],
        ));
    }
    msg.verdicts.push(format!("<b>{headline}</b>"));
    if let Some(design) = &d.design {
        msg.numbers.push(say(
            T::PowerDetails,
            lang,
            &[
                ("mde", &lang.sig(design.absolute_mde)),
                ("effect", &lang.number(design.effect_size, 3)),
                ("alpha", &lang.sig(design.alpha_per_comparison)),
                ("power", &lang.percent(power)),
            ],
        ));
    }
    msg.finish(lang)
}
