//! The words charts add themselves (axis names, legends, annotations), in
//! one place per language. Titles and column names come from the analysis.

use serde::{Deserialize, Serialize};

/// Language of the words a chart adds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Russian.
    Ru,
}

/// A fixed text of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    Count,
    Density,
    Share,
    DistributionOf,
    QqTitle,
    TheoreticalQuantiles,
    SampleQuantiles,
    RelativeLift,
    LiftOverTime,
    Period,
    PosteriorTitle,
    ChanceToWin,
    PowerTitle,
    Power,
    SampleSizePerArm,
    Target,
    Fitted,
    Residuals,
    ResidualsTitle,
    Coefficient,
    CoefficientsTitle,
    FalsePositiveRate,
    TruePositiveRate,
    RocTitle,
    Predicted,
    Actual,
    ConfusionTitle,
    ImportanceTitle,
    AccuracyDrop,
    CorrelationTitle,
    Fit,
    Control,
    Treatment,
    ForestTitle,
}

impl Text {
    pub(crate) fn get(self, lang: Lang) -> &'static str {
        use Text::*;
        match (self, lang) {
            (Count, Lang::En) => "Count",
            (Count, Lang::Ru) => "Количество",
            (Density, Lang::En) => "Density",
            (Density, Lang::Ru) => "Плотность",
            (Share, Lang::En) => "Share",
            (Share, Lang::Ru) => "Доля",
            (DistributionOf, Lang::En) => "Distribution of",
            (DistributionOf, Lang::Ru) => "Распределение:",
            (QqTitle, Lang::En) => "Normal QQ plot of",
            (QqTitle, Lang::Ru) => "QQ-график (нормальное):",
            (TheoreticalQuantiles, Lang::En) => "Normal quantiles",
            (TheoreticalQuantiles, Lang::Ru) => "Квантили нормального распределения",
            (SampleQuantiles, Lang::En) => "Sample quantiles",
            (SampleQuantiles, Lang::Ru) => "Квантили выборки",
            (RelativeLift, Lang::En) => "Relative lift, %",
            (RelativeLift, Lang::Ru) => "Относительный прирост, %",
            (LiftOverTime, Lang::En) => "Cumulative lift over time:",
            (LiftOverTime, Lang::Ru) => "Накопленный прирост во времени:",
            (Period, Lang::En) => "Period",
            (Period, Lang::Ru) => "Период",
            (PosteriorTitle, Lang::En) => "Posterior of the lift:",
            (PosteriorTitle, Lang::Ru) => "Апостериорное распределение прироста:",
            (ChanceToWin, Lang::En) => "Chance to win",
            (ChanceToWin, Lang::Ru) => "Вероятность выигрыша",
            (PowerTitle, Lang::En) => "Power curve",
            (PowerTitle, Lang::Ru) => "Кривая мощности",
            (Power, Lang::En) => "Power",
            (Power, Lang::Ru) => "Мощность",
            (SampleSizePerArm, Lang::En) => "Sample size per group",
            (SampleSizePerArm, Lang::Ru) => "Размер выборки на группу",
            (Target, Lang::En) => "target",
            (Target, Lang::Ru) => "цель",
            (Fitted, Lang::En) => "Fitted values",
            (Fitted, Lang::Ru) => "Предсказанные значения",
            (Residuals, Lang::En) => "Residuals",
            (Residuals, Lang::Ru) => "Остатки",
            (ResidualsTitle, Lang::En) => "Residuals vs fitted:",
            (ResidualsTitle, Lang::Ru) => "Остатки и предсказания:",
            (Coefficient, Lang::En) => "Coefficient",
            (Coefficient, Lang::Ru) => "Коэффициент",
            (CoefficientsTitle, Lang::En) => "Coefficients with confidence intervals:",
            (CoefficientsTitle, Lang::Ru) => "Коэффициенты с доверительными интервалами:",
            (FalsePositiveRate, Lang::En) => "False positive rate",
            (FalsePositiveRate, Lang::Ru) => "Доля ложных срабатываний",
            (TruePositiveRate, Lang::En) => "True positive rate",
            (TruePositiveRate, Lang::Ru) => "Доля верных срабатываний",
            (RocTitle, Lang::En) => "ROC curve",
            (RocTitle, Lang::Ru) => "ROC-кривая",
            (Predicted, Lang::En) => "Predicted",
            (Predicted, Lang::Ru) => "Предсказано",
            (Actual, Lang::En) => "Actual",
            (Actual, Lang::Ru) => "Истина",
            (ConfusionTitle, Lang::En) => "Confusion matrix",
            (ConfusionTitle, Lang::Ru) => "Матрица ошибок",
            (ImportanceTitle, Lang::En) => "Feature importance",
            (ImportanceTitle, Lang::Ru) => "Важность признаков",
            (AccuracyDrop, Lang::En) => "Accuracy drop when shuffled",
            (AccuracyDrop, Lang::Ru) => "Падение точности при перемешивании",
            (CorrelationTitle, Lang::En) => "Correlations",
            (CorrelationTitle, Lang::Ru) => "Корреляции",
            (Fit, Lang::En) => "fit",
            (Fit, Lang::Ru) => "прямая",
            (Control, Lang::En) => "Control",
            (Control, Lang::Ru) => "Контроль",
            (Treatment, Lang::En) => "Treatment",
            (Treatment, Lang::Ru) => "Тест",
            (ForestTitle, Lang::En) => "Relative lift by metric and treatment",
            (ForestTitle, Lang::Ru) => "Относительный прирост по метрикам и группам",
        }
    }
}
