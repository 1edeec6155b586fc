//! The stat test dialogue: first column → second column → a test offered
//! from the two columns' types (two measurements: correlation, t-test,
//! Mann–Whitney; a measurement by groups: t-test / Mann–Whitney for two
//! groups, ANOVA / Kruskal–Wallis for more; two categories: chi-square,
//! Fisher for 2×2) → alternative (for the tests that have one) →
//! `POST /analytics/stat-tests/`.

use abstat_api::{SampleShape, StatTestKind, StatTestRequest};
use abstat_core::{Alternative, NanPolicy};

use super::columns::{ColumnFacts, ColumnType};
use super::wizard::{Field, Opt, Question, Wizard};
use crate::api::Analysis;
use crate::texts::{Lang, T, test_name};

/// Categories: text, booleans, and whole numbers with few values (group
/// codes); everything else numeric is a measurement.
fn is_category(c: &ColumnFacts) -> bool {
    c.is_grouping() && c.ty != ColumnType::Float
}

fn is_measurement(c: &ColumnFacts) -> bool {
    c.is_numeric() && !is_category(c)
}

/// The tests that make sense for the pair, the suggested one first.
fn tests_for(a: &ColumnFacts, b: &ColumnFacts) -> Vec<StatTestKind> {
    use StatTestKind as K;
    match (is_measurement(a), is_measurement(b)) {
        (true, true) => vec![
            K::Pearson,
            K::Spearman,
            K::Welch,
            K::MannWhitney,
            K::TtestRel,
            K::Wilcoxon,
        ],
        (true, false) | (false, true) => {
            let groups = if is_measurement(a) { b } else { a };
            if groups.distinct == 2 {
                vec![K::Welch, K::MannWhitney, K::TtestInd, K::Ks2samp]
            } else {
                vec![K::Anova, K::WelchAnova, K::Kruskal, K::Levene]
            }
        }
        (false, false) if a.distinct == 2 && b.distinct == 2 => {
            vec![K::Chi2Contingency, K::FisherExact]
        }
        (false, false) => vec![K::Chi2Contingency],
    }
}

/// Whether the test takes a one-sided alternative.
fn has_alternative(test: StatTestKind) -> bool {
    matches!(test.shape(), SampleShape::Two | SampleShape::Paired)
        || test == StatTestKind::FisherExact
}

fn parse_test(name: &str) -> Option<StatTestKind> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

fn test_value(test: StatTestKind) -> String {
    serde_json::to_value(test)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The next question of the stat test dialogue.
pub fn question(w: &Wizard, lang: Lang) -> Question {
    let ask = |field, prompt: T, options: Vec<Opt>| Question::One {
        field,
        prompt: prompt.get(lang).to_string(),
        options,
        skip: false,
    };
    let usable = |c: &&ColumnFacts| is_measurement(c) || is_category(c);
    let Some(first) = w.one(Field::First).and_then(|f| w.column(f)) else {
        let options = w.column_options(w.columns.iter().filter(usable));
        if options.len() < 2 {
            return Question::Impossible(T::NoTestColumns.get(lang).to_string());
        }
        return ask(Field::First, T::AskFirstColumn, options);
    };
    let Some(second) = w.one(Field::Second).and_then(|f| w.column(f)) else {
        let options = w.column_options(
            w.columns
                .iter()
                .filter(usable)
                .filter(|c| c.name != first.name),
        );
        return ask(Field::Second, T::AskSecondColumn, options);
    };
    let Some(test) = w.one(Field::Test).and_then(parse_test) else {
        let options = tests_for(first, second)
            .into_iter()
            .map(|t| Opt::new(test_name(t, lang), test_value(t)))
            .collect();
        return ask(Field::Test, T::AskTest, options);
    };
    // the measurement is `column`; a category splits it into groups
    let (column, other) = if is_measurement(second) && !is_measurement(first) {
        (second, first)
    } else {
        (first, second)
    };
    let by_groups = matches!(test.shape(), SampleShape::Two | SampleShape::Many)
        && is_measurement(column)
        && !is_measurement(other);
    let alternative = match w.one(Field::Alternative) {
        Some("greater") => Alternative::Greater,
        Some("less") => Alternative::Less,
        Some(_) => Alternative::TwoSided,
        None if has_alternative(test) => {
            let (a, b) = if by_groups {
                let mut v = other.values.clone();
                v.sort();
                (
                    v.first().cloned().unwrap_or_default(),
                    v.get(1).cloned().unwrap_or_default(),
                )
            } else {
                (column.label.clone(), other.label.clone())
            };
            let options = vec![
                Opt::new(T::AltTwoSided.get(lang), "two-sided"),
                Opt::new(format!("{a} > {b}"), "greater"),
                Opt::new(format!("{a} < {b}"), "less"),
            ];
            return ask(Field::Alternative, T::AskAlternative, options);
        }
        None => Alternative::TwoSided,
    };
    Question::Ready(Analysis::StatTest(StatTestRequest {
        dataset_id: w.dataset.clone(),
        version: None,
        test,
        column: column.name.clone(),
        column_b: (!by_groups).then(|| other.name.clone()),
        group_column: by_groups.then(|| other.name.clone()),
        groups: None,
        popmean: None,
        alternative,
        alpha: super::ab::ALPHA,
        nan_policy: NanPolicy::Omit,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: ColumnType, distinct: u64) -> ColumnFacts {
        ColumnFacts::test(name, ty, distinct)
    }

    #[test]
    fn tests_are_suggested_from_the_column_types() {
        let x = col("x", ColumnType::Float, 500);
        let y = col("y", ColumnType::Float, 480);
        let g2 = col("g", ColumnType::Text, 2);
        let g3 = col("g", ColumnType::Integer, 3);
        let h2 = col("h", ColumnType::Boolean, 2);
        assert_eq!(tests_for(&x, &y)[0], StatTestKind::Pearson);
        assert_eq!(tests_for(&x, &g2)[0], StatTestKind::Welch);
        assert_eq!(tests_for(&g3, &x)[0], StatTestKind::Anova);
        assert_eq!(
            tests_for(&g2, &h2),
            [StatTestKind::Chi2Contingency, StatTestKind::FisherExact]
        );
        assert_eq!(tests_for(&g3, &h2), [StatTestKind::Chi2Contingency]);
        assert_eq!(
            parse_test(&test_value(StatTestKind::Ks2samp)),
            Some(StatTestKind::Ks2samp)
        );
    }
}
