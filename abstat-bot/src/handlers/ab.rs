//! The A/B test dialogue: variant column → control value → metrics
//! (several; 0/1 columns are conversions, others means) → optional CUPED
//! covariate → engine → optional breakdown by segment (frequentist and
//! sequential engines; the server refuses segments with the Bayesian one)
//! → `POST /ab-tests/run/`.

use abstat_api::{AbEngine, AbMetric, AbMetricKind, AbSegment, AbTestRequest};
use abstat_core::multitest::Correction;
use abstat_core::{Alternative, NanPolicy};

use super::columns::ColumnType;
use super::wizard::{Field, Opt, Question, Wizard};
use crate::api::Analysis;
use crate::texts::{Lang, T};

/// The significance level the bot asks for.
pub const ALPHA: f64 = 0.05;

/// Segments of their own in a breakdown: the values with the most users;
/// the rest is merged into "other" (a chat message stays readable).
pub const SEGMENT_TOP: usize = 5;

/// A value with fewer users joins "other": below about 30 units a
/// segment's t-test says little.
pub const SEGMENT_MIN_UNITS: u64 = 30;

/// The answer of the "No breakdown" button (an option rather than Skip, so
/// the button says what it does).
const NO_SEGMENT: &str = "";

/// The next question of the A/B dialogue.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    let ask = |field, prompt: T, options: Vec<Opt>, skip| Question::One {
        field,
        prompt: prompt.get(lang).to_string(),
        options,
        skip,
    };
    let Some(variant) = w.one(Field::Variant) else {
        let options = w.column_options(w.columns.iter().filter(|c| c.is_grouping()));
        if options.is_empty() {
            return Question::Impossible(T::NoVariantColumn.get(lang).to_string());
        }
        return ask(Field::Variant, T::AskVariant, options, false);
    };
    let Some(control) = w.one(Field::Control) else {
        let mut values = w
            .column(variant)
            .map(|c| c.values.clone())
            .unwrap_or_default();
        values.sort();
        let options = values.iter().map(|v| Opt::new(v, v)).collect();
        return ask(Field::Control, T::AskControl, options, false);
    };
    if !w.answered(Field::Metrics) {
        let options = w.column_options(
            w.columns
                .iter()
                .filter(|c| c.is_measure() && c.name != variant),
        );
        if options.is_empty() {
            return Question::Impossible(T::NoMetricColumn.get(lang).to_string());
        }
        return Question::Many {
            field: Field::Metrics,
            prompt: T::AskMetrics.get(lang).to_string(),
            options,
        };
    }
    let metrics = w.many(Field::Metrics);
    let is_mean = |m: &String| w.column(m).is_some_and(|c| !c.is_zero_one());
    if !w.answered(Field::Covariate) && metrics.iter().any(is_mean) {
        let options = w.column_options(
            w.columns
                .iter()
                .filter(|c| c.is_measure() && c.name != variant && !metrics.contains(&c.name)),
        );
        if !options.is_empty() {
            return ask(Field::Covariate, T::AskCovariate, options, true);
        }
    }
    let Some(engine) = w.one(Field::Engine) else {
        let options = vec![
            Opt::new(T::EngineFrequentist.get(lang), "frequentist"),
            Opt::new(T::EngineBayesian.get(lang), "bayesian"),
            Opt::new(T::EngineSequential.get(lang), "sequential"),
        ];
        return ask(Field::Engine, T::AskEngine, options, false);
    };
    let engine = match engine {
        "bayesian" => AbEngine::Bayesian,
        "sequential" => AbEngine::Sequential,
        _ => AbEngine::Frequentist,
    };
    let covariate = w.one(Field::Covariate);
    // text or few-valued columns other than the variant and the chosen
    // metrics; many-valued text is fine: the server keeps the top values
    let segment_columns = w.column_options(w.columns.iter().filter(|c| {
        let text = c.ty == ColumnType::Text && (c.capped || c.distinct >= 2);
        (text || c.is_grouping())
            && c.name != variant
            && !metrics.contains(&c.name)
            && covariate != Some(c.name.as_str())
    }));
    if engine != AbEngine::Bayesian && !w.answered(Field::Segment) && !segment_columns.is_empty() {
        let mut options = segment_columns;
        options.push(Opt::new(T::NoBreakdown.get(lang), NO_SEGMENT));
        return ask(Field::Segment, T::AskSegment, options, false);
    }
    let segment = w
        .one(Field::Segment)
        .filter(|c| *c != NO_SEGMENT && engine != AbEngine::Bayesian)
        .map(|column| AbSegment {
            column: column.to_string(),
            top: SEGMENT_TOP,
            min_units: SEGMENT_MIN_UNITS,
        });
    let metrics: Vec<AbMetric> = metrics
        .iter()
        .map(|m| {
            let mean = is_mean(m);
            AbMetric {
                column: m.clone(),
                kind: if mean {
                    AbMetricKind::Mean
                } else {
                    AbMetricKind::Proportion
                },
                name: Some(w.label(m).to_string()),
                denominator: None,
                covariate: covariate.filter(|_| mean).map(str::to_string),
                higher_is_better: true,
            }
        })
        .collect();
    let variants = w.column(variant).map_or(2, |c| c.distinct as usize);
    let comparisons = metrics.len() * variants.saturating_sub(1);
    Question::Ready(Analysis::AbTest(AbTestRequest {
        dataset_id: w.dataset.clone(),
        version: None,
        variant_column: variant.to_string(),
        control: control.to_string(),
        metrics,
        engine,
        alpha: ALPHA,
        alternative: Alternative::TwoSided,
        // Holm keeps the family-wise error at α over several treatments ×
        // metrics without Bonferroni's loss of power.
        correction: (comparisons > 1 && engine != AbEngine::Bayesian).then_some(Correction::Holm),
        weights: None,
        nan_policy: NanPolicy::Omit,
        segment,
    }))
}
