//! Regression results (fit, significant predictors, the coefficient table)
//! and classification results (accuracy, per-class scores, the confusion
//! matrix).

use abstat_api::{ClassificationResult, RegressionResult};
use abstat_core::regression::Estimates;

use super::table::{clip, pre};
use super::{Message, level, say};
use crate::texts::{Lang, T, model_name};

/// Longest term name shown in a table.
const NAME_WIDTH: usize = 24;
/// Most coefficients listed (a message holds 4096 characters).
const MAX_TERMS: usize = 40;

fn coefficient_table(e: &Estimates, lang: Lang) -> String {
    let lvl = level(lang, 1.0 - e.alpha);
    let mut rows = vec![vec![
        String::new(),
        "coef".to_string(),
        "se".to_string(),
        "p".to_string(),
        format!("{lvl} CI"),
    ]];
    for c in e.coefficients.iter().take(MAX_TERMS) {
        rows.push(vec![
            clip(&c.name, NAME_WIDTH),
            lang.sig(c.coef),
            lang.sig(c.se),
            lang.p_value(c.p_value),
            format!("{} … {}", lang.sig(c.ci_low), lang.sig(c.ci_high)),
        ]);
    }
    let mut out = pre(&rows);
    if e.coefficients.len() > MAX_TERMS {
        out.push_str(&format!("\n… +{}", e.coefficients.len() - MAX_TERMS));
    }
    out
}

/// The significant non-intercept terms with their signed coefficients.
fn significant_terms(e: &Estimates, lang: Lang, msg: &mut Message) {
    let terms: Vec<String> = e
        .coefficients
        .iter()
        .filter(|c| c.name != "const" && c.name != "Intercept" && c.p_value < e.alpha)
        .map(|c| format!("{} ({})", c.name, lang.signed(c.coef)))
        .collect();
    let alpha = lang.short(e.alpha);
    msg.verdicts.push(if terms.is_empty() {
        say(T::NoSignificantTerms, lang, &[("alpha", &alpha)])
    } else {
        say(
            T::SignificantTerms,
            lang,
            &[("alpha", &alpha), ("terms", &terms.join(", "))],
        )
    });
}

fn observations(e: &Estimates, lang: Lang, msg: &mut Message) {
    msg.numbers.push(say(
        T::ObservationsLine,
        lang,
        &[("n", &lang.count(e.nobs as u64))],
    ));
    if e.dropped > 0 {
        msg.warnings.push(say(
            T::WarnDropped,
            lang,
            &[("n", &lang.count(e.dropped as u64))],
        ));
    }
}

pub(super) fn regression(r: &RegressionResult, lang: Lang) -> String {
    let mut msg = Message::default();
    let e = match r {
        RegressionResult::LeastSquares(fit) => {
            msg.verdicts.push(say(
                T::OlsHeadline,
                lang,
                &[
                    ("target", &fit.estimates.response),
                    ("r2", &lang.percent(fit.rsquared)),
                    ("adj", &lang.percent(fit.rsquared_adj)),
                    ("p", &lang.p_is(fit.f_pvalue)),
                ],
            ));
            &fit.estimates
        }
        RegressionResult::Logit(fit) => {
            msg.verdicts.push(say(
                T::LogitHeadline,
                lang,
                &[
                    ("target", &fit.estimates.response),
                    ("r2", &lang.number(fit.prsquared, 3)),
                    ("p", &lang.p_is(fit.llr_pvalue)),
                ],
            ));
            if !fit.converged {
                msg.warnings.push(say(T::WarnNotConverged, lang, &[]));
            }
            &fit.estimates
        }
    };
    significant_terms(e, lang, &mut msg);
    observations(e, lang, &mut msg);
    msg.numbers.push(coefficient_table(e, lang));
    msg.finish(lang)
}

pub(super) fn classification(r: &ClassificationResult, lang: Lang) -> String {
    let mut msg = Message::default();
    msg.verdicts.push(say(
        T::ClfHeadline,
        lang,
        &[
            ("model", model_name(r.model, lang)),
            ("target", &r.summary.target),
            ("accuracy", &lang.percent(r.accuracy)),
            ("balanced", &lang.percent(r.balanced_accuracy)),
            ("n", &lang.count(r.n_test as u64)),
        ],
    ));
    let mut rows = vec![vec![
        String::new(),
        "precision".to_string(),
        "recall".to_string(),
        "F1".to_string(),
        "n".to_string(),
    ]];
    for row in &r.report.classes {
        rows.push(vec![
            clip(row.label.as_deref().unwrap_or("?"), NAME_WIDTH),
            lang.number(row.scores.precision, 3),
            lang.number(row.scores.recall, 3),
            lang.number(row.scores.f1, 3),
            lang.count(row.support),
        ]);
    }
    msg.numbers.push(pre(&rows));
    let mut matrix = vec![
        std::iter::once(String::new())
            .chain(r.confusion.labels.iter().map(|l| clip(l, 12)))
            .collect::<Vec<_>>(),
    ];
    for (label, counts) in r.confusion.labels.iter().zip(&r.confusion.counts) {
        matrix.push(
            std::iter::once(clip(label, 12))
                .chain(counts.iter().map(|c| lang.count(*c)))
                .collect(),
        );
    }
    msg.numbers.push(format!(
        "{}\n{}",
        say(T::ConfusionCaption, lang, &[]),
        pre(&matrix)
    ));
    msg.finish(lang)
}
