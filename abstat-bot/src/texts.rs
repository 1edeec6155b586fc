//! Every text the bot sends, in Russian and English, from this one place,
//! and numbers formatted per language (a decimal comma in Russian).

use serde::{Deserialize, Serialize};

/// The language of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian.
    Ru,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The language of a Telegram `language_code`: Russian for ru and the
    /// languages whose speakers mostly read Russian here, English otherwise.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code.map(|c| c.split(['-', '_']).next().unwrap_or(c).to_ascii_lowercase()) {
            Some(c) if matches!(c.as_str(), "ru" | "uk" | "be" | "kk" | "uz" | "ky") => Lang::Ru,
            _ => Lang::En,
        }
    }

    /// `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// A number with `decimals` digits after the separator (a comma in
    /// Russian), thousands grouped (a thin space in Russian, a comma in
    /// English).
    pub fn number(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return value.to_string();
        }
        let text = format!("{:.*}", decimals, value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (group, point) = match self {
            Lang::Ru => ('\u{202f}', ','),
            Lang::En => (',', '.'),
        };
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(ch);
        }
        let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "−"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{frac}")
        }
    }

    /// A whole count.
    pub fn count(self, n: u64) -> String {
        self.number(n as f64, 0)
    }

    /// A number with about four significant digits (at most six decimals).
    pub fn sig(self, value: f64) -> String {
        if !value.is_finite() || value == 0.0 {
            return self.number(value, 0);
        }
        let magnitude = value.abs().log10().floor() as i32;
        self.number(value, (3 - magnitude).clamp(0, 6) as usize)
    }

    /// [`Lang::sig`] with a `+` on positive values.
    pub fn signed(self, value: f64) -> String {
        plus(value, self.sig(value))
    }

    /// A share as a percentage with one decimal: `0.021` → `2.1%`.
    pub fn percent(self, share: f64) -> String {
        format!("{}%", self.number(share * 100.0, 1))
    }

    /// [`Lang::percent`] with a `+` on positive values.
    pub fn signed_percent(self, share: f64) -> String {
        plus(share, self.percent(share))
    }

    /// A number in its shortest exact form (`0.05`, `3`), for values the
    /// user typed or picked.
    pub fn short(self, value: f64) -> String {
        let text = format!("{value}");
        match self {
            Lang::Ru => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A p-value for a sentence: `= 0.013`, or `< 0.001`.
    pub fn p_is(self, p: f64) -> String {
        let text = self.p_value(p);
        if text.starts_with('<') {
            text
        } else {
            format!("= {text}")
        }
    }

    /// A p-value: three decimals, or `< 0.001`.
    pub fn p_value(self, p: f64) -> String {
        if p.is_finite() && p < 0.001 {
            format!("< {}", self.number(0.001, 3))
        } else {
            self.number(p, 3)
        }
    }
}

fn plus(value: f64, text: String) -> String {
    if value > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

/// Escape text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The name of a stat test.
pub fn test_name(test: abstat_api::StatTestKind, lang: Lang) -> &'static str {
    use abstat_api::StatTestKind as K;
    let (ru, en) = match test {
        K::Ttest1samp => ("t-тест (одна выборка)", "one-sample t-test"),
        K::TtestInd => ("t-тест Стьюдента", "Student's t-test"),
        K::Welch => ("t-тест Уэлча", "Welch's t-test"),
        K::TtestRel => ("парный t-тест", "paired t-test"),
        K::MannWhitney => ("Манна–Уитни", "Mann–Whitney U"),
        K::Wilcoxon => ("Уилкоксон (парный)", "Wilcoxon signed-rank"),
        K::Ks2samp => ("Колмогоров–Смирнов", "Kolmogorov–Smirnov"),
        K::Chi2Contingency => ("хи-квадрат", "chi-square"),
        K::FisherExact => ("точный тест Фишера", "Fisher's exact test"),
        K::Pearson => ("корреляция Пирсона", "Pearson correlation"),
        K::Spearman => ("корреляция Спирмена", "Spearman correlation"),
        K::Kendall => ("тау Кендалла", "Kendall's tau"),
        K::Anova => ("ANOVA", "ANOVA"),
        K::WelchAnova => ("ANOVA Уэлча", "Welch's ANOVA"),
        K::Kruskal => ("Краскел–Уоллис", "Kruskal–Wallis"),
        K::Levene => ("Левене (дисперсии)", "Levene (variances)"),
        K::Shapiro => ("Шапиро–Уилк", "Shapiro–Wilk"),
    };
    lang.pick(ru, en)
}

/// The label of a cleaning operation the server reports by its plan name
/// (`drop_duplicates`, …: abstat-core's `CleanOp::name`); a name this
/// build does not know is shown as the server wrote it.
pub fn clean_op_label(op: &str, lang: Lang) -> &str {
    let t = match op {
        "drop_missing" => T::OpDropMissing,
        "fill_missing" => T::OpFillMissing,
        "drop_duplicates" => T::OpDropDuplicates,
        "outliers_iqr" => T::OpOutliersIqr,
        "outliers_zscore" => T::OpOutliersZscore,
        "winsorize" => T::OpWinsorize,
        "cast" => T::OpCast,
        "normalize_text" => T::OpNormalizeText,
        "rename" => T::OpRename,
        "drop_columns" => T::OpDropColumns,
        "filter" => T::OpFilter,
        _ => return op,
    };
    t.get(lang)
}

/// The name of a classifier.
pub fn model_name(model: abstat_api::ClassifierModel, lang: Lang) -> &'static str {
    use abstat_api::ClassifierModel as M;
    let (ru, en) = match model {
        M::Logistic => ("логистическая регрессия", "logistic regression"),
        M::NaiveBayes => ("наивный Байес", "naive Bayes"),
        M::DecisionTree => ("дерево решений", "decision tree"),
        M::RandomForest => ("случайный лес", "random forest"),
        M::Knn => ("k ближайших соседей", "k nearest neighbours"),
        M::GradientBoosting => ("градиентный бустинг", "gradient boosting"),
        M::LinearSvm => ("линейный SVM", "linear SVM"),
    };
    lang.pick(ru, en)
}

/// One text of the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum T {
    /// `/start`.
    Greeting,
    /// `/help`.
    Help,
    /// `/lang` prompt.
    ChooseLanguage,
    /// After switching.
    LanguageSet,
    /// A file arrived; the upload starts.
    Uploading,
    /// The file is too big for the Bot API download.
    FileTooBig,
    /// Not a supported file.
    NotADataset,
    /// The server refused or could not read the file.
    UploadFailed,
    /// `/datasets` with none.
    NoDatasets,
    /// `/datasets` header.
    YourDatasets,
    /// The dataset menu header.
    DatasetMenu,
    /// Delete confirmation question.
    ConfirmDelete,
    /// After deleting.
    Deleted,
    /// Cancelled.
    Cancelled,
    /// The dataset is gone (deleted elsewhere).
    DatasetGone,
    /// The server cannot be reached.
    ServerDown,
    /// Something unexpected.
    Unexpected,
    /// A menu action that this build does not offer yet.
    NotYet,
    /// Text the bot did not understand.
    Unknown,
    /// Button captions.
    BtnClean,
    /// "Stat test".
    BtnStatTest,
    /// "Regression".
    BtnRegression,
    /// "Classification".
    BtnClassification,
    /// "A/B test".
    BtnAbTest,
    /// "Charts".
    BtnCharts,
    /// "Delete".
    BtnDelete,
    /// "Yes, delete".
    BtnConfirmDelete,
    /// "Back".
    BtnBack,
    /// "Cancel".
    BtnCancel,
    /// Profile: "rows".
    Rows,
    /// Profile: "columns".
    Columns,
    /// Profile: "missing".
    Missing,
    /// Profile: duplicate rows warning.
    DuplicateRows,
    /// Profile: a constant column warning.
    ConstantColumn,
    /// Profile: a column that is mostly empty.
    MostlyEmpty,
    /// A button press on an old message.
    Stale,
    /// "Skip".
    BtnSkip,
    /// "Done".
    BtnDone,
    /// Shown for a skipped question.
    Skipped,
    /// Wizard summary: variant column.
    FieldVariant,
    /// Control.
    FieldControl,
    /// Metrics.
    FieldMetrics,
    /// Covariate.
    FieldCovariate,
    /// Engine.
    FieldEngine,
    /// First column.
    FieldFirst,
    /// Second column.
    FieldSecond,
    /// Test.
    FieldTest,
    /// Alternative.
    FieldAlternative,
    /// Target.
    FieldTarget,
    /// Predictors.
    FieldPredictors,
    /// Model.
    FieldModel,
    /// A/B: ask the variant column.
    AskVariant,
    /// A/B: no column can be the variant column.
    NoVariantColumn,
    /// A/B: ask the control value.
    AskControl,
    /// A/B: ask the metrics.
    AskMetrics,
    /// A/B: no numeric column.
    NoMetricColumn,
    /// A/B: ask the CUPED covariate.
    AskCovariate,
    /// A/B: ask the engine.
    AskEngine,
    /// Engine button.
    EngineFrequentist,
    /// Engine button.
    EngineBayesian,
    /// Engine button.
    EngineSequential,
    /// Stat test: ask the first column.
    AskFirstColumn,
    /// Stat test: ask the second column.
    AskSecondColumn,
    /// Stat test: fewer than two usable columns.
    NoTestColumns,
    /// Stat test: ask the test.
    AskTest,
    /// Stat test: ask the alternative.
    AskAlternative,
    /// Alternative button.
    AltTwoSided,
    /// Regression: ask the target.
    AskTarget,
    /// Regression: no numeric target.
    NoNumericTarget,
    /// Regression, classification: ask the predictors.
    AskPredictors,
    /// Nothing to predict with.
    NoPredictors,
    /// Regression: ask the model.
    AskRegressionModel,
    /// Model button.
    ModelLinear,
    /// Model button.
    ModelLogistic,
    /// Classification: ask the target.
    AskClassTarget,
    /// Classification: no column with 2–20 classes.
    NoClassTarget,
    /// Classification: ask the features.
    AskFeatures,
    /// Classification: ask the model.
    AskClassifier,
    /// Job status: queued.
    JobQueued,
    /// Job status: running.
    JobRunning,
    /// Job status: done.
    JobDone,
    /// Job failed: `{error}`.
    JobFailed,
    /// The result could not be read.
    ResultUnreadable,
    /// Button under a result: back to the dataset menu.
    BtnMenu,
    /// A/B verdict: `{variant} {direction} {metric} by {effect} ({level} CI {lo} … {hi}), p {p} — {outcome}`.
    AbSignificant,
    /// "increases".
    Increases,
    /// "decreases".
    Decreases,
    /// "a significant win".
    Win,
    /// "a significant loss".
    Loss,
    /// A/B: no significant difference.
    AbInconclusive,
    /// A/B: not enough data for a comparison.
    AbNotEnoughData,
    /// A/B: sample ratio mismatch headline.
    AbSrmHeadline,
    /// A/B: one comparison's numbers under an SRM.
    AbUntrusted,
    /// Bayesian: very likely better.
    BayesBetter,
    /// Bayesian: very likely worse.
    BayesWorse,
    /// Bayesian: no clear winner.
    BayesUnclear,
    /// Section header: key numbers.
    KeyNumbers,
    /// Section header: warnings.
    Warnings,
    /// A cleaning preview: rows in and out.
    CleanPreview,
    /// A cleaning stored as a new version: rows in and out.
    CleanDone,
    /// One cleaning operation's effect.
    CleanOpLine,
    /// A chart was drawn.
    ChartReady,
    /// Units per variant line.
    UnitsLine,
    /// One metric's means line.
    MeansLine,
    /// Power and MDE line.
    PowerLine,
    /// Bayesian risk line.
    RiskLine,
    /// Warning: sample ratio mismatch.
    WarnSrm,
    /// Warning: too little data.
    WarnLittleData,
    /// Warning: low power.
    WarnLowPower,
    /// Warning: multiple comparisons corrected.
    WarnCorrection,
    /// Note on the sequential engine.
    NoteSequential,
    /// Note on the CUPED adjustment.
    NoteCuped,
    /// Stat test: significant difference between samples.
    TestDiffer,
    /// Stat test: no significant difference.
    TestNoDiffer,
    /// Correlation: significant.
    CorrSignificant,
    /// Correlation: not significant.
    CorrNone,
    /// "positive".
    Positive,
    /// "negative".
    Negative,
    /// Two categorical columns: related.
    TableRelated,
    /// Two categorical columns: not related.
    TableUnrelated,
    /// The test's numbers line.
    TestLine,
    /// Sample sizes line.
    SizesLine,
    /// Confidence interval line.
    CiLine,
    /// Effect size line.
    EffectLine,
    /// Regression: OLS headline.
    OlsHeadline,
    /// Regression: logit headline.
    LogitHeadline,
    /// Regression: significant predictors.
    SignificantTerms,
    /// Regression: none significant.
    NoSignificantTerms,
    /// Regression: observations line.
    ObservationsLine,
    /// Regression: the fit did not converge.
    WarnNotConverged,
    /// Regression: rows dropped for missing values.
    WarnDropped,
    /// Classification headline.
    ClfHeadline,
    /// Confusion matrix caption.
    ConfusionCaption,
    /// `/power`: ask the metric kind.
    PowerAskMetric,
    /// `/power` button: conversion rate.
    PowerRate,
    /// `/power` button: mean value.
    PowerMean,
    /// `/power`: ask the baseline rate.
    PowerAskRate,
    /// `/power`: ask the mean.
    PowerAskMean,
    /// `/power`: ask the standard deviation.
    PowerAskStd,
    /// `/power`: absolute or relative MDE?
    PowerAskMdeKind,
    /// `/power` button: absolute.
    PowerAbsolute,
    /// `/power` button: relative.
    PowerRelative,
    /// `/power`: ask the MDE.
    PowerAskMde,
    /// `/power`: ask alpha.
    PowerAskAlpha,
    /// `/power`: ask the power.
    PowerAskPower,
    /// `/power`: ask the number of variants.
    PowerAskVariants,
    /// `/power`: ask the daily traffic.
    PowerAskTraffic,
    /// `/power`: not a number.
    PowerNotANumber,
    /// Typed text where a button is expected.
    UseButtons,
    /// `/power`: a rate must be in (0, 1).
    PowerBadRate,
    /// `/power`: must be positive.
    PowerBadPositive,
    /// `/power`: the answer.
    PowerAnswer,
    /// `/power`: duration.
    PowerDuration,
    /// `/power`: details.
    PowerDetails,
    /// `/power` summary labels.
    PowerSummary,
    /// The chart of a result could not be fetched ({error}).
    ResultChartFailed,
    /// The result document could not be fetched ({error}).
    ResultExportFailed,
    /// Which cleaning steps? Tick one or more, then Done.
    AskCleanOps,
    /// Cleaning step: drop rows with missing values.
    CleanDropMissing,
    /// Cleaning step: drop duplicate rows.
    CleanDropDuplicates,
    /// Cleaning step: fill missing values (median / most frequent).
    CleanFillMissing,
    /// Cleaning step: cap outliers (IQR rule).
    CleanCapOutliers,
    /// Cleaning step: trim spaces in text.
    CleanTrimText,
    /// Button: apply the previewed cleaning.
    BtnApply,
    /// Under a cleaning preview: how to go on.
    CleanApplyHint,
    /// Summary label: cleaning steps.
    FieldCleanOps,
    /// Charts: which chart.
    AskChartKind,
    /// Chart kind: histogram.
    ChartHistogram,
    /// Chart kind: box plot.
    ChartBox,
    /// Chart kind: bars of value counts.
    ChartBars,
    /// Chart kind: scatter.
    ChartScatter,
    /// Chart kind: correlation heatmap.
    ChartCorrelation,
    /// Chart kind: normal QQ plot.
    ChartQq,
    /// Charts: which column.
    AskChartColumn,
    /// Charts (box): split by which column.
    AskChartGroup,
    /// Charts (scatter): the x column.
    AskChartX,
    /// Charts (scatter): the y column.
    AskChartY,
    /// Charts (correlation): which columns.
    AskChartColumns,
    /// Charts: no column fits this chart.
    NoChartColumn,
    /// Charts: the chart was sent below.
    ChartSent,
    /// Charts: the chart could not be drawn.
    ChartFailed,
    /// Button: draw another chart.
    BtnAnotherChart,
    /// Summary label: the chart.
    FieldChartKind,
    /// Summary label: the column.
    FieldColumn,
    /// Summary label: the grouping column.
    FieldGroup,
    /// Summary label: the x column.
    FieldX,
    /// Summary label: the y column.
    FieldY,
    /// Summary label: the columns.
    FieldColumns,
    /// Warning: a mean metric's skewness asks for more units (n > 355·s²).
    WarnHeavyTails,
    /// A/B: ask the segment column.
    AskSegment,
    /// A/B segment button: no breakdown.
    NoBreakdown,
    /// Summary label: the segment column.
    FieldSegment,
    /// Section header: results by segment.
    BySegment,
    /// The head of one segment's line: `{segment} · {units} users`.
    SegmentLine,
    /// One metric's cell in a segment line: `{metric} {effect} (p {p})`.
    SegmentCell,
    /// A comparison a segment could not support.
    SegmentNoData,
    /// The merged segment: `other ({n} values)`.
    SegmentOther,
    /// The segment of rows without a value.
    SegmentMissing,
    /// A segment's own split is broken.
    SegmentSrm,
    /// Clean report label of `drop_missing`.
    OpDropMissing,
    /// Clean report label of `fill_missing`.
    OpFillMissing,
    /// Clean report label of `drop_duplicates`.
    OpDropDuplicates,
    /// Clean report label of `outliers_iqr`.
    OpOutliersIqr,
    /// Clean report label of `outliers_zscore`.
    OpOutliersZscore,
    /// Clean report label of `winsorize`.
    OpWinsorize,
    /// Clean report label of `cast`.
    OpCast,
    /// Clean report label of `normalize_text`.
    OpNormalizeText,
    /// Clean report label of `rename`.
    OpRename,
    /// Clean report label of `drop_columns`.
    OpDropColumns,
    /// Clean report label of `filter`.
    OpFilter,
    /// Button under the CSV document: the result as an Excel workbook.
    BtnXlsx,
}

impl T {
    /// The text in `lang` with each `{name}` replaced by its value.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut out = self.get(lang).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        use T::*;
        let (ru, en) = match self {
            Greeting => (
                "Привет! Я abstat — считаю статистику для A/B-тестов и анализа данных.\n\n\
                 Пришлите файл (CSV, TSV, XLSX, Parquet, JSON), и я покажу его профиль, \
                 а затем посчитаю A/B-тест, статистические тесты, регрессию или классификацию \
                 и нарисую графики.\n\n/datasets — ваши наборы данных\n/power — размер выборки и MDE\n\
                 /help — справка и пример\n/lang — язык",
                "Hi! I am abstat: statistics for A/B tests and data analysis.\n\n\
                 Send me a file (CSV, TSV, XLSX, Parquet, JSON) and I will profile it, then run an \
                 A/B test, hypothesis tests, a regression or a classification and draw charts.\n\n\
                 /datasets: your datasets\n/power: sample size and MDE\n/help: help and a sample\n\
                 /lang: language",
            ),
            Help => (
                "Как пользоваться:\n1. Пришлите файл с данными документом (до 20 МБ через Telegram; \
                 больше — через HTTP API сервера).\n2. Выберите действие в меню набора данных.\n\
                 3. Отвечайте на вопросы кнопками; «Назад» и «Отмена» есть на каждом шаге.\n\n\
                 Пример для A/B-теста — CSV с колонками variant (A/B) и revenue:\n\
                 variant,revenue\nA,12.5\nB,14.1\nA,0\nB,9.9\n\n/cancel — прервать диалог.",
                "How to use me:\n1. Send a data file as a document (up to 20 MB through Telegram; \
                 bigger files go through the server's HTTP API).\n2. Pick an action in the dataset menu.\n\
                 3. Answer with the buttons; Back and Cancel are on every step.\n\n\
                 A sample for an A/B test: a CSV with columns variant (A/B) and revenue:\n\
                 variant,revenue\nA,12.5\nB,14.1\nA,0\nB,9.9\n\n/cancel stops a dialogue.",
            ),
            ChooseLanguage => ("Выберите язык:", "Choose a language:"),
            LanguageSet => ("Готово: теперь по-русски.", "Done: English from now on."),
            Uploading => ("Загружаю и читаю файл…", "Uploading and reading the file…"),
            FileTooBig => (
                "Файл больше 20 МБ — столько Telegram не отдаёт ботам. Загрузите его через HTTP API \
                 (POST /datasets/upload/) или уменьшите: оставьте нужные колонки или сохраните в Parquet.",
                "The file is over 20 MB, more than Telegram lets bots download. Upload it through the \
                 HTTP API (POST /datasets/upload/) or make it smaller: keep the columns you need or save it as Parquet.",
            ),
            NotADataset => (
                "Это не похоже на таблицу. Пришлите CSV, TSV, XLSX, XLS, ODS, Parquet, Feather или JSON документом.",
                "This does not look like a table. Send a CSV, TSV, XLSX, XLS, ODS, Parquet, Feather or JSON file as a document.",
            ),
            UploadFailed => ("Не удалось прочитать файл:", "I could not read the file:"),
            NoDatasets => (
                "У вас пока нет наборов данных. Пришлите файл — и он появится здесь.",
                "You have no datasets yet. Send me a file and it will appear here.",
            ),
            YourDatasets => ("Ваши наборы данных:", "Your datasets:"),
            DatasetMenu => ("Что сделать с набором", "What shall I do with"),
            ConfirmDelete => (
                "Удалить набор данных со всеми версиями? Это нельзя отменить.",
                "Delete this dataset with all its versions? This cannot be undone.",
            ),
            Deleted => ("Набор данных удалён.", "The dataset is deleted."),
            Cancelled => ("Отменено.", "Cancelled."),
            DatasetGone => (
                "Этого набора данных больше нет. /datasets покажет оставшиеся.",
                "This dataset no longer exists. /datasets shows the others.",
            ),
            ServerDown => (
                "Сервер abstat сейчас недоступен. Попробуйте через минуту.",
                "The abstat server is not reachable right now. Try again in a minute.",
            ),
            Unexpected => (
                "Что-то пошло не так на нашей стороне; мы это записали. Попробуйте ещё раз.",
                "Something went wrong on our side; it has been logged. Please try again.",
            ),
            NotYet => (
                "Этот анализ ещё не подключён к боту; он доступен через HTTP API.",
                "This analysis is not in the bot yet; it is available through the HTTP API.",
            ),
            Unknown => (
                "Не понял. Пришлите файл с данными или выберите команду: /datasets, /power, /help.",
                "I did not get that. Send a data file or pick a command: /datasets, /power, /help.",
            ),
            BtnClean => ("🧹 Очистка", "🧹 Clean"),
            BtnStatTest => ("🧪 Стат. тест", "🧪 Stat test"),
            BtnRegression => ("📈 Регрессия", "📈 Regression"),
            BtnClassification => ("🧭 Классификация", "🧭 Classification"),
            BtnAbTest => ("🅰️🅱️ A/B-тест", "🅰️🅱️ A/B test"),
            BtnCharts => ("📊 Графики", "📊 Charts"),
            BtnDelete => ("🗑 Удалить", "🗑 Delete"),
            BtnConfirmDelete => ("Да, удалить", "Yes, delete"),
            BtnBack => ("← Назад", "← Back"),
            BtnCancel => ("✕ Отмена", "✕ Cancel"),
            Rows => ("строк", "rows"),
            Columns => ("колонок", "columns"),
            Missing => ("пропусков", "missing"),
            DuplicateRows => ("повторяющихся строк", "duplicate rows"),
            ConstantColumn => (
                "одно значение во всех строках — для анализа бесполезна",
                "one value in every row: useless for analysis",
            ),
            MostlyEmpty => (
                "больше половины значений пусто",
                "more than half of the values are missing",
            ),

            Stale => (
                "Эта кнопка устарела: диалог уже ушёл дальше.",
                "This button is out of date: the dialogue has moved on.",
            ),
            BtnSkip => ("Пропустить", "Skip"),
            BtnDone => ("✔ Готово", "✔ Done"),
            Skipped => ("пропущено", "skipped"),
            FieldVariant => ("варианты", "variants"),
            FieldControl => ("контроль", "control"),
            FieldMetrics => ("метрики", "metrics"),
            FieldCovariate => ("ковариата (CUPED)", "covariate (CUPED)"),
            FieldEngine => ("метод", "engine"),
            FieldFirst => ("первая колонка", "first column"),
            FieldSecond => ("вторая колонка", "second column"),
            FieldTest => ("тест", "test"),
            FieldAlternative => ("гипотеза", "alternative"),
            FieldTarget => ("цель", "target"),
            FieldPredictors => ("признаки", "predictors"),
            FieldModel => ("модель", "model"),
            AskVariant => (
                "В какой колонке записан вариант (A, B …)?",
                "Which column holds the variant (A, B …)?",
            ),
            NoVariantColumn => (
                "Не нашёл колонку с вариантами: нужна текстовая или целочисленная колонка с 2–20 разными значениями.",
                "I found no variant column: it needs a text or whole-number column with 2 to 20 distinct values.",
            ),
            AskControl => (
                "Какой вариант контрольный?",
                "Which variant is the control?",
            ),
            AskMetrics => (
                "Какие метрики сравнить? Отметьте одну или несколько и нажмите «Готово». Колонки из 0 и 1 считаются конверсиями, остальные — средними.",
                "Which metrics shall I compare? Tick one or more, then Done. Columns of 0 and 1 are conversion rates, others means.",
            ),
            NoMetricColumn => (
                "В наборе нет числовых колонок, которые можно сравнить.",
                "The dataset has no numeric column to compare.",
            ),
            AskCovariate => (
                "Есть ли метрика до эксперимента (для CUPED — уменьшает шум)? Если нет — «Пропустить».",
                "Is there a pre-experiment metric (CUPED: it reduces noise)? If not, Skip.",
            ),
            AskEngine => ("Как считать?", "Which engine?"),
            EngineFrequentist => ("Частотный (p-value)", "Frequentist (p-value)"),
            EngineBayesian => ("Байесовский (шанс победы)", "Bayesian (chance to win)"),
            EngineSequential => (
                "Последовательный (можно подглядывать)",
                "Sequential (peeking is fine)",
            ),
            AskFirstColumn => ("Первая колонка:", "First column:"),
            AskSecondColumn => (
                "Вторая колонка (числа или группы):",
                "Second column (numbers or groups):",
            ),
            NoTestColumns => (
                "Для теста нужны хотя бы две колонки с числами или группами.",
                "A test needs at least two columns of numbers or groups.",
            ),
            AskTest => (
                "Какой тест? Первый — рекомендуемый для этих колонок.",
                "Which test? The first one is the usual choice for these columns.",
            ),
            AskAlternative => ("Какую гипотезу проверить?", "Which alternative?"),
            AltTwoSided => ("≠ (в любую сторону)", "≠ (either direction)"),
            AskTarget => (
                "Что предсказываем (числовая колонка)?",
                "What shall I predict (a numeric column)?",
            ),
            NoNumericTarget => (
                "Для регрессии нужны числовая цель и хотя бы ещё одна колонка.",
                "A regression needs a numeric target and at least one other column.",
            ),
            AskPredictors => (
                "По каким колонкам? Отметьте и нажмите «Готово».",
                "From which columns? Tick them, then Done.",
            ),
            NoPredictors => (
                "Нет колонок, которые можно использовать как признаки.",
                "There is no column to use as a predictor.",
            ),
            AskRegressionModel => (
                "Какая модель? Логистическая — только для цели из 0 и 1.",
                "Which model? Logistic is offered for a 0/1 target only.",
            ),
            ModelLinear => ("Линейная (МНК)", "Linear (OLS)"),
            ModelLogistic => ("Логистическая", "Logistic"),
            AskClassTarget => ("Какой класс предсказываем?", "Which class shall I predict?"),
            NoClassTarget => (
                "Для классификации нужна колонка с 2–20 классами и хотя бы ещё одна колонка.",
                "A classification needs a column with 2 to 20 classes and at least one other column.",
            ),
            AskFeatures => (
                "По каким признакам? Отметьте и нажмите «Готово».",
                "From which features? Tick them, then Done.",
            ),
            AskClassifier => ("Какая модель?", "Which model?"),
            JobQueued => ("⏳ В очереди…", "⏳ Queued…"),
            JobRunning => ("⚙️ Считаю…", "⚙️ Running…"),
            JobDone => (
                "✅ Готово — результат ниже.",
                "✅ Done: the result is below.",
            ),
            JobFailed => (
                "❌ Анализ не удался: {error}\n\nЧто попробовать: проверьте выбранные колонки (пропуски, одно значение во всех строках, слишком мало строк в группе) и запустите снова из меню набора.",
                "❌ The analysis failed: {error}\n\nWhat to try: check the columns you chose (missing values, one value in every row, too few rows in a group) and run it again from the dataset menu.",
            ),
            ResultUnreadable => (
                "Сервер вернул результат, который я не могу показать; он доступен через HTTP API.",
                "The server returned a result I cannot show; it is available through the HTTP API.",
            ),
            BtnMenu => ("↩ Меню набора", "↩ Dataset menu"),
            AbSignificant => (
                "{variant} {direction} «{metric}» на {effect} ({level} ДИ {lo} … {hi}), p {p} — {outcome}.",
                "{variant} {direction} {metric} by {effect} ({level} CI {lo} … {hi}), p {p} — {outcome}.",
            ),
            Increases => ("увеличивает", "increases"),
            Decreases => ("уменьшает", "decreases"),
            Win => ("значимый выигрыш", "a significant win"),
            Loss => ("значимый проигрыш", "a significant loss"),
            AbInconclusive => (
                "Значимой разницы в «{metric}» между {variant} и {control} нет: {effect} ({level} ДИ {lo} … {hi}), p {p}.",
                "No significant difference in {metric} between {variant} and {control}: {effect} ({level} CI {lo} … {hi}), p {p}.",
            ),
            AbNotEnoughData => (
                "Недостаточно данных, чтобы сравнить {variant} с {control} по «{metric}»{reason}.",
                "Not enough data to compare {variant} with {control} on {metric}{reason}.",
            ),
            AbSrmHeadline => (
                "⚠️ Пользователи распределились по вариантам не так, как задумано (SRM). Результатам нельзя доверять, пока не исправлено распределение.",
                "⚠️ Users were not split between the variants as planned (sample ratio mismatch). Don't trust these results until the assignment is fixed.",
            ),
            AbUntrusted => (
                "{variant} против {control}, «{metric}»: {effect} ({level} ДИ {lo} … {hi}), p {p}.",
                "{variant} vs {control}, {metric}: {effect} ({level} CI {lo} … {hi}), p {p}.",
            ),
            BayesBetter => (
                "{variant} почти наверняка лучше {control} по «{metric}»: шанс обыграть контроль {chance}, эффект {effect} ({level} байесовский интервал {lo} … {hi}).",
                "{variant} is very likely better than {control} on {metric}: chance to beat control {chance}, lift {effect} ({level} credible interval {lo} … {hi}).",
            ),
            BayesWorse => (
                "{variant} почти наверняка хуже {control} по «{metric}»: шанс обыграть контроль {chance}, эффект {effect} ({level} байесовский интервал {lo} … {hi}).",
                "{variant} is very likely worse than {control} on {metric}: chance to beat control {chance}, lift {effect} ({level} credible interval {lo} … {hi}).",
            ),
            BayesUnclear => (
                "Явного победителя по «{metric}» пока нет: шанс, что {variant} лучше {control}, {chance}; эффект {effect} ({level} байесовский интервал {lo} … {hi}).",
                "No clear winner on {metric} yet: the chance that {variant} beats {control} is {chance}; lift {effect} ({level} credible interval {lo} … {hi}).",
            ),
            KeyNumbers => ("Ключевые числа", "Key numbers"),
            Warnings => ("Предупреждения", "Warnings"),
            CleanPreview => (
                "Предпросмотр очистки: строк было {rows_in}, останется {rows_out}. Ничего не сохранено.",
                "Cleaning preview: {rows_in} rows now, {rows_out} after. Nothing is stored yet.",
            ),
            CleanDone => (
                "Очищено: строк было {rows_in}, стало {rows_out}. Сохранено как версия {version}; исходная версия {source} не изменилась.",
                "Cleaned: {rows_in} rows in, {rows_out} out. Stored as version {version}; version {source} is unchanged.",
            ),
            CleanOpLine => (
                "{op}: удалено строк {removed}, изменено ячеек {changed}",
                "{op}: {removed} rows removed, {changed} cells changed",
            ),
            ChartReady => (
                "График готов ({width}×{height}).",
                "The chart is ready ({width}×{height}).",
            ),
            UnitsLine => ("Пользователей: {units}", "Users: {units}"),
            MeansLine => (
                "«{metric}»: {values}; разница {diff} ({level} ДИ {lo} … {hi})",
                "{metric}: {values}; difference {diff} ({level} CI {lo} … {hi})",
            ),
            PowerLine => (
                "«{metric}», {variant}: мощность {power}, минимальный заметный эффект {mde}",
                "{metric}, {variant}: power {power}, minimum detectable effect {mde}",
            ),
            RiskLine => (
                "«{metric}», {variant}: ожидаемая потеря, если выбрать {variant}: {risk}; если оставить {control}: {risk_control}",
                "{metric}, {variant}: expected loss if you ship {variant}: {risk}; if you keep {control}: {risk_control}",
            ),
            WarnSrm => (
                "Разбиение по вариантам: ожидалось {expected}, получилось {observed} (p {p}). Проверьте, как пользователи попадают в варианты.",
                "Split between variants: expected {expected}, got {observed} (p {p}). Check how users are assigned to variants.",
            ),
            WarnLittleData => (
                "Слишком мало данных: в каком-то варианте меньше двух пользователей или у метрики нет разброса.",
                "Too little data: a variant has fewer than two users, or the metric does not vary.",
            ),
            WarnLowPower => (
                "Данных мало для надёжного вывода: при таком объёме тест заметит только эффект от {mde} (мощность {power}). Соберите больше данных, прежде чем решать, что эффекта нет.",
                "Not much data for a firm conclusion: at this size the test only detects effects of {mde} or more (power {power}). Collect more data before concluding there is no effect.",
            ),
            WarnCorrection => (
                "Сравнений несколько ({m}: варианты × метрики), поэтому p-значения скорректированы ({method}) — так меньше ложных побед.",
                "There are {m} comparisons (variants × metrics), so the p-values are corrected ({method}): fewer false wins.",
            ),
            NoteSequential => (
                "Последовательный метод: интервалы остаются честными, как бы часто вы ни смотрели на результат.",
                "Sequential engine: the intervals stay valid however often you look at the result.",
            ),
            NoteCuped => (
                "CUPED: «{metric}» скорректирована по метрике до эксперимента — шум меньше, средние выше скорректированы.",
                "CUPED: {metric} is adjusted by the pre-experiment metric (less noise); the means above are adjusted.",
            ),
            TestDiffer => (
                "Разница значима: {samples} различаются ({test}, p {p}).",
                "A significant difference between {samples} ({test}, p {p}).",
            ),
            TestNoDiffer => (
                "Значимой разницы между {samples} нет ({test}, p {p}).",
                "No significant difference between {samples} ({test}, p {p}).",
            ),
            CorrSignificant => (
                "{a} и {b} значимо связаны, связь {sign}: {test} = {r}, p {p}.",
                "{a} and {b} are significantly {sign}ly correlated: {test} = {r}, p {p}.",
            ),
            CorrNone => (
                "Значимой связи между {a} и {b} нет: {test} = {r}, p {p}.",
                "No significant correlation between {a} and {b}: {test} = {r}, p {p}.",
            ),
            Positive => ("положительная", "positive"),
            Negative => ("отрицательная", "negative"),
            TableRelated => (
                "{a} и {b} связаны: распределение одной зависит от другой ({test}, p {p}).",
                "{a} and {b} are related: one's distribution depends on the other ({test}, p {p}).",
            ),
            TableUnrelated => (
                "Значимой связи между {a} и {b} нет ({test}, p {p}).",
                "No significant relation between {a} and {b} ({test}, p {p}).",
            ),
            TestLine => (
                "{method}: статистика {statistic}{df}, p {p}",
                "{method}: statistic {statistic}{df}, p {p}",
            ),
            SizesLine => ("Наблюдений: {sizes}", "Observations: {sizes}"),
            CiLine => (
                "Оценка {estimate}, {level} ДИ {lo} … {hi}",
                "Estimate {estimate}, {level} CI {lo} … {hi}",
            ),
            EffectLine => (
                "Размер эффекта ({name}): {value}",
                "Effect size ({name}): {value}",
            ),
            OlsHeadline => (
                "Модель объясняет {r2} разброса «{target}» (R², скорректированный {adj}); F-тест p {p}.",
                "The model explains {r2} of the variation in {target} (R²; adjusted {adj}); F-test p {p}.",
            ),
            LogitHeadline => (
                "Логистическая модель «{target}»: псевдо-R² {r2}; тест отношения правдоподобия p {p}.",
                "Logistic model of {target}: pseudo-R² {r2}; likelihood-ratio test p {p}.",
            ),
            SignificantTerms => (
                "Значимые признаки (p < {alpha}): {terms}.",
                "Significant predictors (p < {alpha}): {terms}.",
            ),
            NoSignificantTerms => (
                "Ни один признак не значим при p < {alpha}.",
                "No predictor is significant at p < {alpha}.",
            ),
            ObservationsLine => ("Наблюдений: {n}", "Observations: {n}"),
            WarnNotConverged => (
                "Подбор модели не сошёлся: числа ненадёжны (часто из-за признака, который идеально предсказывает цель).",
                "The fit did not converge: the numbers are unreliable (often a predictor that predicts the target perfectly).",
            ),
            WarnDropped => (
                "{n} строк с пропусками не вошли в модель.",
                "{n} rows with missing values were left out.",
            ),
            ClfHeadline => (
                "{model} угадывает «{target}» в {accuracy} строк тестовой выборки ({n} строк); сбалансированная точность {balanced}.",
                "The {model} gets {target} right for {accuracy} of the test rows ({n} rows); balanced accuracy {balanced}.",
            ),
            ConfusionCaption => (
                "Матрица ошибок (строки — факт, столбцы — прогноз):",
                "Confusion matrix (rows: actual, columns: predicted):",
            ),
            PowerAskMetric => (
                "Калькулятор размера выборки. Какая метрика?",
                "Sample size calculator. What kind of metric?",
            ),
            PowerRate => ("Конверсия (доля)", "Conversion rate"),
            PowerMean => ("Среднее (например, выручка)", "Mean (e.g. revenue)"),
            PowerAskRate => (
                "Текущая конверсия? Например 0,05 или 5%.",
                "Current conversion rate? For example 0.05 or 5%.",
            ),
            PowerAskMean => (
                "Текущее среднее значение метрики?",
                "Current mean of the metric?",
            ),
            PowerAskStd => (
                "Стандартное отклонение метрики?",
                "Standard deviation of the metric?",
            ),
            PowerAskMdeKind => (
                "Минимальный эффект задать в абсолютных единицах или в процентах от текущего значения?",
                "Give the minimum effect in the metric's units or relative to the current value?",
            ),
            PowerAbsolute => ("Абсолютный", "Absolute"),
            PowerRelative => ("Относительный (%)", "Relative (%)"),
            PowerAskMde => (
                "Какой минимальный эффект нужно заметить? Например 0,01 или 5%.",
                "Smallest effect worth detecting? For example 0.01 or 5%.",
            ),
            PowerAskAlpha => ("Уровень значимости α:", "Significance level α:"),
            PowerAskPower => (
                "Мощность (шанс заметить эффект):",
                "Power (chance to detect the effect):",
            ),
            PowerAskVariants => (
                "Сколько вариантов, включая контроль?",
                "How many variants, control included?",
            ),
            PowerAskTraffic => (
                "Сколько пользователей в день попадает в эксперимент (все варианты)? Или «Пропустить».",
                "How many users a day enter the experiment (all variants)? Or Skip.",
            ),
            PowerNotANumber => (
                "Это не число. Напишите число, например 0,05 или 0.05 (можно с %).",
                "That is not a number. Type a number such as 0.05 or 0,05 (a % sign is fine).",
            ),
            UseButtons => (
                "Выберите ответ кнопкой.",
                "Please pick an answer with a button.",
            ),
            PowerBadRate => (
                "Доля должна быть между 0 и 1 (или между 0% и 100%).",
                "A rate must be between 0 and 1 (or 0% and 100%).",
            ),
            PowerBadPositive => (
                "Нужно положительное число.",
                "It must be a positive number.",
            ),
            PowerAnswer => (
                "Нужно {n} пользователей на вариант, всего {total}.",
                "You need {n} users per variant, {total} in total.",
            ),
            PowerDuration => (
                "При {traffic} в день это около {days} дн.",
                "At {traffic} a day that is about {days} days.",
            ),
            PowerDetails => (
                "Минимальный эффект {mde} в единицах метрики (размер эффекта {effect}); α на сравнение {alpha}, мощность {power}.",
                "Minimum effect {mde} in the metric's units (effect size {effect}); α per comparison {alpha}, power {power}.",
            ),
            PowerSummary => ("Расчёт", "Plan"),
            ResultChartFailed => (
                "Не удалось получить график результата ({error}). Сам результат — выше.",
                "The chart of this result could not be fetched ({error}). The result itself is above.",
            ),
            ResultExportFailed => (
                "Не удалось получить файл с полным результатом ({error}).",
                "The document with the full result could not be fetched ({error}).",
            ),
            AskCleanOps => (
                "Что сделать с данными? Отметьте один или несколько шагов и нажмите «Готово».",
                "What shall I clean? Tick one or more steps, then Done.",
            ),
            CleanDropMissing => (
                "Удалить строки с пропусками",
                "Drop rows with missing values",
            ),
            CleanDropDuplicates => ("Удалить повторяющиеся строки", "Drop duplicate rows"),
            CleanFillMissing => (
                "Заполнить пропуски (медиана / частое)",
                "Fill missing (median / most frequent)",
            ),
            CleanCapOutliers => ("Срезать выбросы (правило IQR)", "Cap outliers (IQR rule)"),
            CleanTrimText => ("Убрать пробелы по краям текста", "Trim spaces in text"),
            BtnApply => ("✅ Применить", "✅ Apply"),
            CleanApplyHint => (
                "«Применить» сохранит очищенные данные новой версией; исходная останется.",
                "Apply stores the cleaned data as a new version; the original stays.",
            ),
            FieldCleanOps => ("Шаги", "Steps"),
            AskChartKind => ("Какой график нарисовать?", "Which chart shall I draw?"),
            ChartHistogram => ("Гистограмма", "Histogram"),
            ChartBox => ("Ящик с усами", "Box plot"),
            ChartBars => ("Столбцы (частоты)", "Bars (counts)"),
            ChartScatter => ("Точечный", "Scatter"),
            ChartCorrelation => ("Корреляции", "Correlations"),
            ChartQq => ("QQ-график", "QQ plot"),
            AskChartColumn => ("Какой столбец?", "Which column?"),
            AskChartGroup => (
                "Разбить по группам? Выберите столбец или пропустите.",
                "Split into groups? Pick a column, or skip.",
            ),
            AskChartX => (
                "Столбец по горизонтали (X)?",
                "Which column goes across (X)?",
            ),
            AskChartY => ("Столбец по вертикали (Y)?", "Which column goes up (Y)?"),
            AskChartColumns => (
                "Какие столбцы? Хотя бы два, затем «Готово».",
                "Which columns? At least two, then Done.",
            ),
            NoChartColumn => (
                "В наборе нет подходящего столбца для этого графика.",
                "The dataset has no column this chart can draw.",
            ),
            ChartSent => ("График ниже.", "The chart is below."),
            ChartFailed => (
                "Не удалось нарисовать график: {error}",
                "The chart could not be drawn: {error}",
            ),
            BtnAnotherChart => ("📊 Ещё график", "📊 Another chart"),
            FieldChartKind => ("График", "Chart"),
            FieldColumn => ("Столбец", "Column"),
            FieldGroup => ("Группы", "Groups"),
            FieldX => ("X", "X axis"),
            FieldY => ("Y", "Y axis"),
            FieldColumns => ("Столбцы", "Columns"),
            WarnHeavyTails => (
                "У «{metric}» тяжёлые хвосты (асимметрия {skewness}): при меньше чем ~{n} пользователей на группу p-value может быть ненадёжным; попробуйте срезать выбросы или взять квантильную метрику.",
                "{metric} has heavy tails (skewness {skewness}): the p-value may be unreliable below ~{n} users per group; consider capping or a quantile metric.",
            ),
            AskSegment => (
                "Разбить результат по сегментам? Выберите колонку (страна, платформа …) или «Без разбивки».",
                "Break down by segment? Pick a column (country, platform …) or No breakdown.",
            ),
            NoBreakdown => ("Без разбивки", "No breakdown"),
            FieldSegment => ("сегменты", "segments"),
            BySegment => (
                "По сегментам (p скорректированы на все сегменты):",
                "By segment (p-values corrected across all segments):",
            ),
            SegmentLine => ("{segment} · {units} польз.", "{segment} · {units} users"),
            SegmentCell => ("«{metric}» {effect} (p {p})", "{metric} {effect} (p {p})"),
            SegmentNoData => ("«{metric}»: мало данных", "{metric}: not enough data"),
            SegmentOther => ("прочие ({n} знач.)", "other ({n} values)"),
            SegmentMissing => ("(без значения)", "(no value)"),
            SegmentSrm => ("⚠️ SRM", "⚠️ SRM"),
            OpDropMissing => ("Строки с пропусками", "Rows with missing values"),
            OpFillMissing => ("Заполнение пропусков", "Filling missing values"),
            OpDropDuplicates => ("Повторяющиеся строки", "Duplicate rows"),
            OpOutliersIqr => ("Выбросы (правило IQR)", "Outliers (IQR rule)"),
            OpOutliersZscore => ("Выбросы (z-оценка)", "Outliers (z-score)"),
            OpWinsorize => ("Срез по перцентилям", "Capping at percentiles"),
            OpCast => ("Смена типов колонок", "Column types"),
            OpNormalizeText => ("Пробелы и регистр в тексте", "Text spaces and case"),
            OpRename => ("Переименование колонок", "Renamed columns"),
            OpDropColumns => ("Удаление колонок", "Dropped columns"),
            OpFilter => ("Отбор строк", "Row filter"),
            BtnXlsx => ("📗 Excel (XLSX)", "📗 Excel (XLSX)"),
        };
        lang.pick(ru, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(
            Lang::Ru.number(1234567.891, 2),
            "1\u{202f}234\u{202f}567,89"
        );
        assert_eq!(Lang::En.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(Lang::Ru.number(-0.0131, 3), "−0,013");
        assert_eq!(
            Lang::En.number(-0.0001, 2),
            "0.00",
            "no minus on a rounded zero"
        );
        assert_eq!(Lang::En.count(1000), "1,000");
        assert_eq!(Lang::En.number(999.5, 0), "1,000");
        assert_eq!(Lang::Ru.short(0.05), "0,05");
        assert_eq!(Lang::En.p_is(0.0131), "= 0.013");
        assert_eq!(Lang::Ru.p_is(0.00001), "< 0,001");
        assert_eq!(Lang::En.signed_percent(0.021), "+2.1%");
        assert_eq!(Lang::Ru.signed_percent(-0.021), "−2,1%");
        assert_eq!(Lang::En.sig(12.3456), "12.35");
    }

    /// Every operation of a cleaning plan (abstat-core's `CleanOp::name`,
    /// read from the JSON the server accepts) has a label in both languages.
    #[test]
    fn every_clean_operation_has_a_label() {
        use abstat_core::clean::CleanOp;
        let ops = [
            r#"{"op": "drop_missing"}"#,
            r#"{"op": "fill_missing", "columns": ["a"], "method": "median"}"#,
            r#"{"op": "drop_duplicates"}"#,
            r#"{"op": "outliers_iqr", "columns": ["a"]}"#,
            r#"{"op": "outliers_zscore", "columns": ["a"]}"#,
            r#"{"op": "winsorize", "columns": ["a"], "lower": 0.01, "upper": 0.99}"#,
            r#"{"op": "cast", "columns": ["a"], "to": "float"}"#,
            r#"{"op": "normalize_text"}"#,
            r#"{"op": "rename", "columns": {"a": "b"}}"#,
            r#"{"op": "drop_columns", "columns": ["a"]}"#,
            r#"{"op": "filter", "column": "a", "cmp": "not_null"}"#,
        ];
        for json in ops {
            let op: CleanOp = serde_json::from_str(json).expect(json);
            for lang in [Lang::Ru, Lang::En] {
                assert_ne!(clean_op_label(op.name(), lang), op.name(), "{json}");
            }
        }
        assert_eq!(clean_op_label("future_op", Lang::Ru), "future_op");
    }

    #[test]
    fn telegram_language_codes_map_to_ru_or_en() {
        assert_eq!(Lang::from_code(Some("ru")), Lang::Ru);
        assert_eq!(Lang::from_code(Some("uk-UA")), Lang::Ru);
        assert_eq!(Lang::from_code(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_code(Some("de")), Lang::En);
        assert_eq!(Lang::from_code(None), Lang::En);
    }

    #[test]
    fn every_text_exists_in_both_languages_and_differs() {
        use T::*;
        for t in [
            Greeting,
            Help,
            ChooseLanguage,
            LanguageSet,
            Uploading,
            FileTooBig,
            NotADataset,
            UploadFailed,
            NoDatasets,
            YourDatasets,
            DatasetMenu,
            ConfirmDelete,
            Deleted,
            Cancelled,
            DatasetGone,
            ServerDown,
            Unexpected,
            NotYet,
            Unknown,
            BtnClean,
            BtnDelete,
            BtnBack,
            BtnCancel,
            Rows,
            Columns,
            Missing,
            Stale,
            AskVariant,
            AskControl,
            AskMetrics,
            AskCovariate,
            AskEngine,
            AskTest,
            AskAlternative,
            AskTarget,
            AskClassTarget,
            JobQueued,
            JobRunning,
            JobDone,
            JobFailed,
            AbSignificant,
            AbInconclusive,
            AbNotEnoughData,
            AbSrmHeadline,
            BayesBetter,
            BayesWorse,
            BayesUnclear,
            WarnSrm,
            WarnLittleData,
            WarnLowPower,
            WarnCorrection,
            OlsHeadline,
            LogitHeadline,
            ClfHeadline,
            PowerAskMetric,
            PowerAskRate,
            PowerNotANumber,
            PowerAnswer,
            PowerDuration,
            ResultChartFailed,
            ResultExportFailed,
            AskCleanOps,
            CleanDropMissing,
            CleanDropDuplicates,
            CleanFillMissing,
            CleanCapOutliers,
            CleanTrimText,
            BtnApply,
            CleanApplyHint,
            FieldCleanOps,
            AskChartKind,
            ChartHistogram,
            ChartBox,
            ChartBars,
            ChartScatter,
            ChartCorrelation,
            ChartQq,
            AskChartColumn,
            AskChartGroup,
            AskChartX,
            AskChartY,
            AskChartColumns,
            NoChartColumn,
            ChartSent,
            ChartFailed,
            BtnAnotherChart,
            FieldChartKind,
            FieldColumn,
            FieldGroup,
            FieldX,
            FieldY,
            FieldColumns,
            WarnHeavyTails,
            AskSegment,
            NoBreakdown,
            FieldSegment,
            BySegment,
            SegmentLine,
            SegmentCell,
            SegmentNoData,
            SegmentOther,
            SegmentMissing,
            OpDropMissing,
            OpFillMissing,
            OpDropDuplicates,
            OpOutliersIqr,
            OpOutliersZscore,
            OpWinsorize,
            OpCast,
            OpNormalizeText,
            OpRename,
            OpDropColumns,
            OpFilter,
        ] {
            let (ru, en) = (t.get(Lang::Ru), t.get(Lang::En));
            assert!(!ru.is_empty() && !en.is_empty(), "{t:?}");
            assert_ne!(ru, en, "{t:?} is not translated");
        }
    }
}
