//! Stat test results: whether the samples differ (or the columns are
//! related), then the test's numbers.

use abstat_api::{SampleShape, StatTestKind, StatTestResult, TestOutcome};

use super::{Message, level, say};
use crate::texts::{Lang, T, test_name};

pub(super) fn render(r: &StatTestResult, lang: Lang) -> String {
    let mut msg = Message::default();
    let test = test_name(r.test, lang);
    let p = lang.p_is(r.outcome.p_value());
    let samples = r.samples.join(", ");
    let (a, b) = (
        r.samples.first().map_or("", String::as_str),
        r.samples.get(1).map_or("", String::as_str),
    );
    let correlation = matches!(
        r.test,
        StatTestKind::Pearson | StatTestKind::Spearman | StatTestKind::Kendall
    );
    let verdict = if correlation {
        let coefficient = match &r.outcome {
            TestOutcome::Test(t) => t.statistic,
            other => other.p_value(),
        };
        let sign = if coefficient >= 0.0 {
            T::Positive
        } else {
            T::Negative
        };
        let args = [
            ("a", a),
            ("b", b),
            ("test", test),
            ("r", &lang.number(coefficient, 3)),
            ("p", &p),
            ("sign", sign.get(lang)),
        ];
        let t = if r.reject {
            T::CorrSignificant
        } else {
            T::CorrNone
        };
        say(t, lang, &args)
    } else if r.test.shape() == SampleShape::Table {
        let t = if r.reject {
            T::TableRelated
        } else {
            T::TableUnrelated
        };
        say(t, lang, &[("a", a), ("b", b), ("test", test), ("p", &p)])
    } else {
        let t = if r.reject {
            T::TestDiffer
        } else {
            T::TestNoDiffer
        };
        say(t, lang, &[("samples", &samples), ("test", test), ("p", &p)])
    };
    msg.verdicts.push(verdict);
    let line = |method: &str, statistic: f64, df: String| {
        say(
            T::TestLine,
            lang,
            &[
                ("method", method),
                ("statistic", &lang.sig(statistic)),
                ("df", &df),
                ("p", &p),
            ],
        )
    };
    let df = |d: f64| format!(", df = {}", lang.sig(d));
    let sizes = |n: &[usize]| {
        let parts: Vec<String> = r
            .samples
            .iter()
            .zip(n)
            .map(|(s, n)| format!("{s} {}", lang.count(*n as u64)))
            .collect();
        say(T::SizesLine, lang, &[("sizes", &parts.join(" · "))])
    };
    let plain = match &r.outcome {
        TestOutcome::Test(t) => Some(t),
        TestOutcome::Ks(k) => Some(&k.test),
        _ => None,
    };
    if let Some(t) = plain {
        {
            msg.numbers.push(line(
                &t.method,
                t.statistic,
                t.df.map(df).unwrap_or_default(),
            ));
            if let (Some(e), Some(ci)) = (t.estimate, &t.ci) {
                msg.numbers.push(say(
                    T::CiLine,
                    lang,
                    &[
                        ("estimate", &lang.sig(e)),
                        ("level", &level(lang, ci.level)),
                        ("lo", &lang.sig(ci.lower)),
                        ("hi", &lang.sig(ci.upper)),
                    ],
                ));
            }
            if let Some(e) = &t.effect_size {
                msg.numbers.push(say(
                    T::EffectLine,
                    lang,
                    &[("name", &e.name), ("value", &lang.number(e.value, 3))],
                ));
            }
            if !t.n.is_empty() && !correlation {
                msg.numbers.push(sizes(&t.n));
            }
        }
    } else {
        match &r.outcome {
            TestOutcome::SignedRank(s) => {
                msg.numbers
                    .push(line(&s.test.method, s.test.statistic, String::new()));
            }
            TestOutcome::F(f) => {
                let d = format!(", df = {}, {}", lang.sig(f.df_num), lang.sig(f.df_denom));
                msg.numbers.push(line(&f.method, f.statistic, d));
                msg.numbers.push(sizes(&f.n));
            }
            TestOutcome::Shapiro(s) => {
                msg.numbers
                    .push(line(&s.method, s.statistic, String::new()))
            }
            TestOutcome::Contingency(c) => {
                msg.numbers
                    .push(line(&c.method, c.statistic, df(c.dof as f64)));
            }
            TestOutcome::Test(_) | TestOutcome::Ks(_) => {}
        }
    }
    msg.finish(lang)
}
