//! A/B results: a verdict per treatment × metric, units and means, power,
//! a compact section per segment when the request asked for segments, and
//! warnings (sample ratio mismatch, too little data, low power, heavy
//! tails, multiple comparisons corrected).

use abstat_api::{AbEngine, AbTestResult, BayesianTreatment};
use abstat_core::ConfidenceInterval;
use abstat_core::ab::{
    ExperimentResult, HeavyTails, MetricKind, SegmentKind, SegmentedResult, TreatmentResult,
    Verdict,
};

use super::{Message, level, say};
use crate::texts::{Lang, T, escape};

/// Chance to beat control above which (or below one minus which) a
/// Bayesian result is called "very likely" better (worse): GrowthBook's
/// default decision threshold.
const CHANCE_THRESHOLD: f64 = 0.95;

pub(super) fn render(r: &AbTestResult, lang: Lang) -> String {
    let mut msg = Message::default();
    let units: Vec<String> = r
        .variants
        .iter()
        .zip(&r.units)
        .map(|(v, n)| format!("{v} {}", lang.count(*n)))
        .collect();
    msg.numbers
        .push(say(T::UnitsLine, lang, &[("units", &units.join(" · "))]));
    match (&r.experiment, &r.bayesian) {
        (Some(exp), _) => frequentist(r, exp, lang, &mut msg),
        (None, Some(b)) => bayesian(r, b, lang, &mut msg),
        (None, None) => msg.verdicts.push(say(T::ResultUnreadable, lang, &[])),
    }
    msg.finish(lang)
}

/// An effect with its interval as text: relative (percent) when the
/// control mean is not zero, else absolute.
struct Shown {
    estimate: f64,
    effect: String,
    lo: String,
    hi: String,
    level: String,
}

fn shown(lang: Lang, estimate: f64, ci: &ConfidenceInterval, relative: bool) -> Shown {
    let f = |x: f64| {
        if relative {
            lang.signed_percent(x)
        } else {
            lang.signed(x)
        }
    };
    Shown {
        estimate,
        effect: f(estimate),
        lo: f(ci.lower),
        hi: f(ci.upper),
        level: level(lang, ci.level),
    }
}

fn treatment_effect(t: &TreatmentResult, lang: Lang) -> Option<Shown> {
    let c = t.comparison.as_ref()?;
    Some(match &c.relative {
        Some(rel) => shown(
            lang,
            rel.estimate,
            t.adjusted_relative_ci.as_ref().unwrap_or(&rel.ci),
            true,
        ),
        None => shown(
            lang,
            c.absolute.estimate,
            t.adjusted_ci.as_ref().unwrap_or(&c.absolute.ci),
            false,
        ),
    })
}

fn frequentist(r: &AbTestResult, exp: &ExperimentResult, lang: Lang, msg: &mut Message) {
    let srm = exp.srm.is_mismatch();
    if srm {
        msg.verdicts.push(say(T::AbSrmHeadline, lang, &[]));
        let expected: Vec<String> = exp
            .srm
            .expected
            .iter()
            .map(|e| lang.number(*e, 0))
            .collect();
        let observed: Vec<String> = exp.srm.observed.iter().map(|o| lang.count(*o)).collect();
        msg.warnings.push(say(
            T::WarnSrm,
            lang,
            &[
                ("expected", &expected.join(" : ")),
                ("observed", &observed.join(" : ")),
                ("p", &lang.p_is(exp.srm.p_value)),
            ],
        ));
    }
    let mut little_data = false;
    for (m, metric) in exp.metrics.iter().enumerate() {
        for (i, t) in metric.treatments.iter().enumerate() {
            let variant = r.variants.get(t.variant).map_or("?", String::as_str);
            let verdict = r
                .verdicts
                .as_ref()
                .and_then(|v| v.get(m)?.get(i).copied())
                .or_else(|| exp.verdict(m, i))
                .unwrap_or(Verdict::NotEnoughData);
            let p = lang.p_is(t.adjusted_p_value);
            let names = [
                ("variant", variant),
                ("control", r.control.as_str()),
                ("metric", metric.name.as_str()),
            ];
            let Some(s) = treatment_effect(t, lang).filter(|_| verdict != Verdict::NotEnoughData)
            else {
                little_data = true;
                let reason = t.error.as_ref().map_or(String::new(), |e| format!(": {e}"));
                let mut args = names.to_vec();
                args.push(("reason", &reason));
                msg.verdicts.push(say(T::AbNotEnoughData, lang, &args));
                continue;
            };
            let mut args = names.to_vec();
            args.extend([
                ("lo", s.lo.as_str()),
                ("hi", s.hi.as_str()),
                ("level", s.level.as_str()),
                ("p", p.as_str()),
            ]);
            let magnitude = if s.effect.starts_with(['+', '−']) {
                s.effect.chars().skip(1).collect::<String>()
            } else {
                s.effect.clone()
            };
            let sentence = match verdict {
                Verdict::SignificantWin | Verdict::SignificantLoss => {
                    let direction = if s.estimate > 0.0 {
                        T::Increases
                    } else {
                        T::Decreases
                    };
                    let outcome = if verdict == Verdict::SignificantWin {
                        T::Win
                    } else {
                        T::Loss
                    };
                    args.extend([
                        ("direction", direction.get(lang)),
                        ("outcome", outcome.get(lang)),
                        ("effect", magnitude.as_str()),
                    ]);
                    say(T::AbSignificant, lang, &args)
                }
                Verdict::SampleRatioMismatch => {
                    args.push(("effect", &s.effect));
                    say(T::AbUntrusted, lang, &args)
                }
                _ => {
                    args.push(("effect", &s.effect));
                    say(T::AbInconclusive, lang, &args)
                }
            };
            msg.verdicts.push(sentence);
            numbers(r, metric.name.as_str(), variant, t, verdict, lang, msg);
        }
    }
    if little_data {
        msg.warnings.push(say(T::WarnLittleData, lang, &[]));
    }
    if let Some(method) = exp.options.correction.filter(|_| exp.comparisons > 1) {
        let method = serde_json::to_value(method)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        msg.warnings.push(say(
            T::WarnCorrection,
            lang,
            &[("m", &exp.comparisons.to_string()), ("method", &method)],
        ));
    }
    heavy_tails(exp, lang, msg);
    if r.engine == AbEngine::Sequential && !srm {
        msg.numbers.push(say(T::NoteSequential, lang, &[]));
    }
    if let Some(s) = &r.segments {
        segments(r, s, lang, msg);
    }
}

/// One warning per metric the server's heavy-tails check flagged, from its
/// worst flagged variant: the one whose skewness is largest in magnitude,
/// hence asks for the most units (its skewness is shown with its sign, and
/// the units are that same variant's 355·g1²).
fn heavy_tails(exp: &ExperimentResult, lang: Lang, msg: &mut Message) {
    for (metric, skewness, required) in worst_per_metric(exp.heavy_tail_warnings()) {
        msg.warnings.push(say(
            T::WarnHeavyTails,
            lang,
            &[
                ("metric", metric),
                ("skewness", &lang.number(skewness, 1)),
                ("n", &lang.count(about(required))),
            ],
        ));
    }
}

/// `(metric, skewness, required units)` of each metric's worst flagged
/// variant, metrics in first-seen order.
fn worst_per_metric<'a>(flagged: impl Iterator<Item = &'a HeavyTails>) -> Vec<(&'a str, f64, f64)> {
    let mut worst: Vec<(&str, f64, f64)> = Vec::new();
    for t in flagged {
        match worst.iter_mut().find(|w| w.0 == t.metric) {
            Some(w) if t.required_n > w.2 => *w = (&t.metric, t.skewness, t.required_n),
            Some(_) => {}
            None => worst.push((&t.metric, t.skewness, t.required_n)),
        }
    }
    worst
}

/// A count rounded up to two significant digits (71,582 → 72,000): the
/// rule of thumb is not precise enough for more.
fn about(n: f64) -> u64 {
    if !(n.is_finite() && n > 0.0) {
        return 0;
    }
    let step = 10f64.powi((n.log10().floor() as i32 - 1).max(0));
    ((n / step).ceil() * step) as u64
}

/// The per-segment section: one line per segment (kept values, then
/// "other", then rows without a value) with each treatment × metric's
/// lift and adjusted p-value.
fn segments(r: &AbTestResult, s: &SegmentedResult, lang: Lang, msg: &mut Message) {
    msg.segments
        .push(format!("<b>{}</b>", escape(T::BySegment.get(lang))));
    let treatments = r.variants.len().saturating_sub(1);
    for (i, seg) in s.segments.iter().enumerate() {
        let name = match seg.kind {
            SegmentKind::Value => seg.name.clone(),
            SegmentKind::Other => say(
                T::SegmentOther,
                lang,
                &[("n", &lang.count(seg.values.len() as u64))],
            ),
            SegmentKind::Missing => T::SegmentMissing.get(lang).to_string(),
        };
        let mut cells = Vec::new();
        for (m, metric) in seg.analysis.metrics.iter().enumerate() {
            for (k, t) in metric.treatments.iter().enumerate() {
                let label = if treatments > 1 {
                    let variant = r.variants.get(t.variant).map_or("?", String::as_str);
                    format!("{variant} · {}", metric.name)
                } else {
                    metric.name.clone()
                };
                let verdict = s.verdict(i, m, k).unwrap_or(Verdict::NotEnoughData);
                cells.push(match treatment_effect(t, lang) {
                    Some(e) if verdict != Verdict::NotEnoughData => say(
                        T::SegmentCell,
                        lang,
                        &[
                            ("metric", &label),
                            ("effect", &e.effect),
                            ("p", &lang.p_is(t.adjusted_p_value)),
                        ],
                    ),
                    _ => say(T::SegmentNoData, lang, &[("metric", &label)]),
                });
            }
        }
        let units: u64 = seg.units.iter().sum();
        let mut line = say(
            T::SegmentLine,
            lang,
            &[("segment", &name), ("units", &lang.count(units))],
        );
        line.push_str(&format!(": {}", cells.join("; ")));
        if seg.analysis.srm.is_mismatch() {
            line.push_str(&format!(" {}", T::SegmentSrm.get(lang)));
        }
        msg.segments.push(line);
    }
}

/// The means (rates) of one comparison, its absolute difference, power and
/// MDE; a low-power warning for an inconclusive result.
fn numbers(
    r: &AbTestResult,
    metric: &str,
    variant: &str,
    t: &TreatmentResult,
    verdict: Verdict,
    lang: Lang,
    msg: &mut Message,
) {
    let Some(c) = &t.comparison else { return };
    let rate = c.kind == MetricKind::Proportion;
    let value = |x: f64| {
        if rate { lang.percent(x) } else { lang.sig(x) }
    };
    let diff = |x: f64| {
        if rate {
            lang.signed_percent(x)
        } else {
            lang.signed(x)
        }
    };
    let ci = t.adjusted_ci.as_ref().unwrap_or(&c.absolute.ci);
    let values = format!(
        "{} {} · {variant} {}",
        r.control,
        value(c.control.mean),
        value(c.treatment.mean)
    );
    msg.numbers.push(say(
        T::MeansLine,
        lang,
        &[
            ("metric", metric),
            ("values", &values),
            ("diff", &diff(c.absolute.estimate)),
            ("level", &level(lang, ci.level)),
            ("lo", &diff(ci.lower)),
            ("hi", &diff(ci.upper)),
        ],
    ));
    if c.cuped.is_some() {
        msg.numbers
            .push(say(T::NoteCuped, lang, &[("metric", metric)]));
    }
    let Some(power) = &t.power else { return };
    let mde = match power.relative_mde {
        Some(rel) => lang.percent(rel),
        None => value(power.mde),
    };
    let achieved = lang.percent(power.achieved);
    msg.numbers.push(say(
        T::PowerLine,
        lang,
        &[
            ("metric", metric),
            ("variant", variant),
            ("power", &achieved),
            ("mde", &mde),
        ],
    ));
    if verdict == Verdict::Inconclusive && power.achieved < power.target {
        msg.warnings.push(say(
            T::WarnLowPower,
            lang,
            &[("mde", &mde), ("power", &achieved)],
        ));
    }
}

fn bayesian(r: &AbTestResult, list: &[BayesianTreatment], lang: Lang, msg: &mut Message) {
    let mut little_data = false;
    for b in list {
        let names = [
            ("variant", b.variant.as_str()),
            ("control", r.control.as_str()),
            ("metric", b.metric.as_str()),
        ];
        let Some(c) = &b.comparison else {
            little_data = true;
            let reason = b.error.as_ref().map_or(String::new(), |e| format!(": {e}"));
            let mut args = names.to_vec();
            args.push(("reason", &reason));
            msg.verdicts.push(say(T::AbNotEnoughData, lang, &args));
            continue;
        };
        let (posterior, relative) = match &c.relative {
            Some(rel) => (rel, true),
            None => (&c.absolute, false),
        };
        let s = shown(lang, posterior.mean, &posterior.ci, relative);
        let chance = lang.percent(posterior.chance_to_win);
        let t = if posterior.chance_to_win >= CHANCE_THRESHOLD {
            T::BayesBetter
        } else if posterior.chance_to_win <= 1.0 - CHANCE_THRESHOLD {
            T::BayesWorse
        } else {
            T::BayesUnclear
        };
        let mut args = names.to_vec();
        args.extend([
            ("chance", chance.as_str()),
            ("effect", s.effect.as_str()),
            ("level", s.level.as_str()),
            ("lo", s.lo.as_str()),
            ("hi", s.hi.as_str()),
        ]);
        msg.verdicts.push(say(t, lang, &args));
        let risk = |x: f64| {
            if relative {
                lang.percent(x)
            } else {
                lang.sig(x)
            }
        };
        let mut args = names.to_vec();
        let (rt, rc) = (risk(posterior.risk_treatment), risk(posterior.risk_control));
        args.extend([("risk", rt.as_str()), ("risk_control", rc.as_str())]);
        msg.numbers.push(say(T::RiskLine, lang, &args));
    }
    if little_data {
        msg.warnings.push(say(T::WarnLittleData, lang, &[]));
    }
}

#[cfg(test)]
mod tests {
    use super::{HeavyTails, about, worst_per_metric};

    #[test]
    fn the_warning_shows_the_variant_asking_for_most_units_with_its_sign() {
        let flag = |metric: &str, variant, skewness: f64| HeavyTails {
            metric: metric.into(),
            variant,
            n: 3,
            skewness,
            required_n: 355.0 * skewness * skewness,
        };
        let flags = [
            flag("revenue", 0, 0.24),
            flag("revenue", 1, -0.53),
            flag("orders", 0, 2.0),
            flag("revenue", 2, 0.4),
        ];
        let worst = worst_per_metric(flags.iter());
        assert_eq!(
            worst,
            vec![
                ("revenue", -0.53, 355.0 * 0.53 * 0.53),
                ("orders", 2.0, 355.0 * 4.0)
            ]
        );
    }

    #[test]
    fn the_rule_s_count_is_rounded_up_to_two_significant_digits() {
        assert_eq!(about(71_582.3), 72_000);
        assert_eq!(about(10_993.0), 11_000);
        assert_eq!(about(95.2), 96);
        assert_eq!(about(7.1), 8);
        assert_eq!(about(f64::NAN), 0);
    }
}
