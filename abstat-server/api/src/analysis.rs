//! Analysis requests (`POST /analytics/…`, `POST /ab-tests/…`) and their
//! results. Results reuse abstat-core's serde types, so the one definition
//! of a t-test result or an experiment analysis is core's.

use abstat_core::ab::design::{Baseline, Design, Mde};
use abstat_core::ab::segments::SegmentedResult;
use abstat_core::ab::{BayesianComparison, Correction, ExperimentResult};
use abstat_core::anova::FTestResult;
use abstat_core::categorical::ContingencyResult;
use abstat_core::nonparametric::{KsResult, SignedRankResult};
use abstat_core::normality::ShapiroResult;
use abstat_core::power::PowerSolution;
use abstat_core::regression::{CovType, LogitFit, OlsFit};
use abstat_core::{Alternative, NanPolicy, TestResult};
use serde::{Deserialize, Serialize};

fn default_alpha() -> f64 {
    0.05
}

fn default_true() -> bool {
    true
}

fn default_top_segments() -> usize {
    abstat_core::ab::segments::SegmentOptions::default().top
}

/// Which hypothesis test `POST /analytics/stat-tests/` runs, and on what
/// columns:
/// - one sample (`column`): `ttest_1samp` (with `popmean`), `shapiro`;
/// - paired (`column`, `column_b`, same rows): `ttest_rel`, `wilcoxon`,
///   `pearson`, `spearman`, `kendall`;
/// - two samples (`column` split by `group_column` into two groups, or
///   `column` vs `column_b`): `ttest_ind`, `welch`, `mann_whitney`, `ks_2samp`;
/// - k samples (`column` split by `group_column`): `anova`, `welch_anova`,
///   `kruskal`, `levene`;
/// - two categorical columns cross-tabulated (`column`, `column_b`):
///   `chi2_contingency`, `fisher_exact` (2×2 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatTestKind {
    /// One-sample t-test against `popmean`.
    #[serde(rename = "ttest_1samp")]
    Ttest1samp,
    /// Student's two-sample t-test (pooled variance).
    TtestInd,
    /// Welch's two-sample t-test.
    Welch,
    /// Paired t-test.
    TtestRel,
    /// Mann–Whitney U.
    MannWhitney,
    /// Wilcoxon signed-rank test of paired samples.
    Wilcoxon,
    /// Two-sample Kolmogorov–Smirnov.
    #[serde(rename = "ks_2samp")]
    Ks2samp,
    /// Chi-square test of independence.
    Chi2Contingency,
    /// Fisher's exact test on a 2×2 table.
    FisherExact,
    /// Pearson correlation.
    Pearson,
    /// Spearman rank correlation.
    Spearman,
    /// Kendall's tau-b.
    Kendall,
    /// One-way ANOVA.
    Anova,
    /// Welch's ANOVA.
    WelchAnova,
    /// Kruskal–Wallis H.
    Kruskal,
    /// Levene's test of equal variances (median-centred, Brown–Forsythe).
    Levene,
    /// Shapiro–Wilk normality test.
    Shapiro,
}

/// How a test takes its samples from the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleShape {
    /// `column` only.
    One,
    /// `column` and `column_b`, row by row.
    Paired,
    /// Two samples: `column` by `group_column`, or `column` and `column_b`.
    Two,
    /// `column` by `group_column`.
    Many,
    /// Two categorical columns.
    Table,
}

impl StatTestKind {
    /// Every test, in the order the documentation lists them.
    pub const ALL: [StatTestKind; 17] = [
        StatTestKind::Ttest1samp,
        StatTestKind::TtestInd,
        StatTestKind::Welch,
        StatTestKind::TtestRel,
        StatTestKind::MannWhitney,
        StatTestKind::Wilcoxon,
        StatTestKind::Ks2samp,
        StatTestKind::Chi2Contingency,
        StatTestKind::FisherExact,
        StatTestKind::Pearson,
        StatTestKind::Spearman,
        StatTestKind::Kendall,
        StatTestKind::Anova,
        StatTestKind::WelchAnova,
        StatTestKind::Kruskal,
        StatTestKind::Levene,
        StatTestKind::Shapiro,
    ];

    /// How the test takes its samples.
    pub fn shape(self) -> SampleShape {
        use StatTestKind as K;
        match self {
            K::Ttest1samp | K::Shapiro => SampleShape::One,
            K::TtestRel | K::Wilcoxon | K::Pearson | K::Spearman | K::Kendall => {
                SampleShape::Paired
            }
            K::TtestInd | K::Welch | K::MannWhitney | K::Ks2samp => SampleShape::Two,
            K::Anova | K::WelchAnova | K::Kruskal | K::Levene => SampleShape::Many,
            K::Chi2Contingency | K::FisherExact => SampleShape::Table,
        }
    }
}

/// `POST /analytics/stat-tests/`: a hypothesis test over dataset columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatTestRequest {
    /// Dataset id.
    pub dataset_id: String,
    /// Dataset version (the newest when absent).
    #[serde(default)]
    pub version: Option<u32>,
    /// The test.
    pub test: StatTestKind,
    /// The measured column (numeric; categorical for the table tests).
    pub column: String,
    /// The second column: the paired sample, the second sample, or the
    /// second categorical variable.
    #[serde(default)]
    pub column_b: Option<String>,
    /// The column whose values split `column` into groups (two-sample and
    /// k-sample tests).
    #[serde(default)]
    pub group_column: Option<String>,
    /// Which groups to compare, in order (two-sample tests: exactly two;
    /// default: the two groups, which must then be all there are; k-sample
    /// tests: default every group).
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    /// The null mean of `ttest_1samp` (default 0).
    #[serde(default)]
    pub popmean: Option<f64>,
    /// `two-sided` (default), `less` or `greater`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "two-sided"))]
    pub alternative: Alternative,
    /// Significance level of the decision and of the intervals (default 0.05).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// `propagate` (default, as scipy), `omit` or `raise`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "omit"))]
    pub nan_policy: NanPolicy,
}

/// The outcome of a stat test: core's result type of that test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum TestOutcome {
    /// t-tests, Mann–Whitney, correlations, Kruskal–Wallis, Fisher.
    Test(TestResult),
    /// Kolmogorov–Smirnov.
    Ks(KsResult),
    /// Wilcoxon signed-rank.
    SignedRank(SignedRankResult),
    /// ANOVA, Welch's ANOVA, Levene.
    F(FTestResult),
    /// Shapiro–Wilk.
    Shapiro(ShapiroResult),
    /// Chi-square test of independence.
    Contingency(ContingencyResult),
}

impl TestOutcome {
    /// The p-value.
    pub fn p_value(&self) -> f64 {
        match self {
            TestOutcome::Test(t) => t.p_value,
            TestOutcome::Ks(k) => k.test.p_value,
            TestOutcome::SignedRank(s) => s.test.p_value,
            TestOutcome::F(f) => f.p_value,
            TestOutcome::Shapiro(s) => s.p_value,
            TestOutcome::Contingency(c) => c.p_value,
        }
    }
}

/// The result of `POST /analytics/stat-tests/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatTestResult {
    /// The test that ran.
    pub test: StatTestKind,
    /// The samples' names, in order (group values or column names).
    pub samples: Vec<String>,
    /// The significance level asked for.
    pub alpha: f64,
    /// Whether the null hypothesis is rejected at `alpha` (a NaN p-value
    /// never rejects).
    pub reject: bool,
    /// The test's own result.
    pub outcome: TestOutcome,
}

/// Which regression `POST /analytics/regression/` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegressionModel {
    /// Ordinary least squares.
    Ols,
    /// Weighted least squares (needs `weights`).
    Wls,
    /// Logistic regression of a 0/1 target.
    Logit,
}

/// `POST /analytics/regression/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegressionRequest {
    /// Dataset id.
    pub dataset_id: String,
    /// Dataset version (the newest when absent).
    #[serde(default)]
    pub version: Option<u32>,
    /// `ols`, `wls` or `logit`.
    pub model: RegressionModel,
    /// The response column (numeric; 0/1 for `logit`).
    pub target: String,
    /// Predictor columns. Text and boolean columns are dummy-coded
    /// (treatment coding, first level in sorted order as reference unless
    /// `reference` says otherwise).
    pub predictors: Vec<String>,
    /// Reference level per categorical predictor.
    #[serde(default)]
    pub reference: std::collections::BTreeMap<String, String>,
    /// Fit an intercept (default true).
    #[serde(default = "default_true")]
    pub intercept: bool,
    /// WLS weights column (required for `wls`, refused otherwise).
    #[serde(default)]
    pub weights: Option<String>,
    /// Coefficient covariance for `ols`/`wls`: `nonrobust` (default),
    /// `HC0`, `HC1`, `HC2`, `HC3` (robust standard errors).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "HC3"))]
    pub cov_type: CovType,
    /// Significance level of the confidence intervals (default 0.05).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
}

/// The result of `POST /analytics/regression/` (residuals and fitted values
/// are left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum RegressionResult {
    /// OLS or WLS.
    LeastSquares(OlsFit),
    /// Logistic regression.
    Logit(LogitFit),
}

/// How an A/B metric is summarised per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AbMetricKind {
    /// The mean of a numeric column (revenue per user).
    Mean,
    /// The share of units with value 1 in a 0/1 or boolean column.
    Proportion,
    /// Σ column / Σ `denominator` (e.g. clicks per session).
    Ratio,
}

/// One metric of `POST /ab-tests/run/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AbMetric {
    /// The metric's column (numeric or boolean).
    pub column: String,
    /// `mean`, `proportion` or `ratio`.
    pub kind: AbMetricKind,
    /// A display name (default: the column).
    #[serde(default)]
    pub name: Option<String>,
    /// The denominator column of a `ratio` metric.
    #[serde(default)]
    pub denominator: Option<String>,
    /// A pre-experiment covariate for regression adjustment (CUPED) of a
    /// `mean` metric.
    #[serde(default)]
    pub covariate: Option<String>,
    /// `false` when lower is better (default true).
    #[serde(default = "default_true")]
    pub higher_is_better: bool,
}

/// The statistics engine of an A/B analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AbEngine {
    /// Fixed-horizon Welch tests (default).
    #[default]
    Frequentist,
    /// Gaussian Bayesian engine (chance to win, risk).
    Bayesian,
    /// Always-valid confidence sequences.
    Sequential,
}

/// `POST /ab-tests/run/`: analyse an experiment whose units are rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AbTestRequest {
    /// Dataset id.
    pub dataset_id: String,
    /// Dataset version (the newest when absent).
    #[serde(default)]
    pub version: Option<u32>,
    /// The column naming each row's variant.
    pub variant_column: String,
    /// The control variant's value in that column.
    pub control: String,
    /// Metrics (at least one).
    pub metrics: Vec<AbMetric>,
    /// `frequentist` (default), `bayesian` or `sequential`.
    #[serde(default)]
    pub engine: AbEngine,
    /// Significance level (default 0.05).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Alternative of the frequentist engine (default `two-sided`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "two-sided"))]
    pub alternative: Alternative,
    /// Multiple-comparison correction across treatments × metrics:
    /// `bonferroni`, `holm`, `simes-hochberg`, `benjamini-hochberg`,
    /// `benjamini-yekutieli`; none by default.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "holm"))]
    pub correction: Option<Correction>,
    /// Configured traffic split per variant, in the order of `variants` in
    /// the result (sorted variant values); equal by default.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Missing metric values: `propagate` (default), `omit` or `raise`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "omit"))]
    pub nan_policy: NanPolicy,
    /// Also analyse the experiment per segment of a dimension column
    /// (frequentist and sequential engines); the result's `segments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<AbSegment>,
}

/// Segments of `POST /ab-tests/run/`: abstat-core's
/// `ab::segments::analyze_segments_columns`. The `top` values of `column`
/// with the most units are segments of their own (unless they have fewer
/// than `min_units` units); every other value is merged into `other`;
/// rows without a value (null, NaN, empty) form `(missing)`. Each segment
/// gets its own SRM check and comparisons, and the request's `correction`
/// runs over one family: every segment × treatment × metric comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AbSegment {
    /// The dimension column (any type; values are compared as text).
    pub column: String,
    /// K: how many values with the most units become segments (default
    /// 10, at least 1).
    #[serde(default = "default_top_segments")]
    pub top: usize,
    /// A value with fewer units joins `other` even when among the top K
    /// (default 0: no minimum).
    #[serde(default)]
    pub min_units: u64,
}

/// One Bayesian comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesianTreatment {
    /// The metric's name.
    pub metric: String,
    /// The treatment variant.
    pub variant: String,
    /// The comparison, unless the data could not support one.
    pub comparison: Option<BayesianComparison>,
    /// Why there is no comparison.
    pub error: Option<String>,
}

/// The result of `POST /ab-tests/run/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbTestResult {
    /// Variant values, sorted; indices in the analysis refer to this list.
    pub variants: Vec<String>,
    /// The control variant.
    pub control: String,
    /// Units (rows) per variant.
    pub units: Vec<u64>,
    /// The engine.
    pub engine: AbEngine,
    /// Frequentist and sequential engines: the full analysis (SRM check,
    /// comparisons, corrections, power and MDE, and `heavy_tails`: the
    /// heavy-tails check of every mean metric without a covariate, from the
    /// raw values).
    pub experiment: Option<ExperimentResult>,
    /// Verdicts per metric (outer) and treatment (inner), frequentist and
    /// sequential engines.
    pub verdicts: Option<Vec<Vec<abstat_core::ab::Verdict>>>,
    /// Bayesian engine: every treatment × metric.
    pub bayesian: Option<Vec<BayesianTreatment>>,
    /// With `segment` in the request: the experiment per segment (core's
    /// `SegmentedResult`: the options, the whole experiment, the
    /// correction's family and every segment's analysis).
    /// (Boxed: it holds a whole experiment of its own, and most results
    /// have no segments.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Box<SegmentedResult>>,
}

/// Which classifier `POST /analytics/classification/` trains
/// (abstat-core's models, each matching the scikit-learn model it names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClassifierModel {
    /// L2-regularised logistic regression (`LogisticRegression`).
    Logistic,
    /// Gaussian naive Bayes (`GaussianNB`).
    NaiveBayes,
    /// CART decision tree (`DecisionTreeClassifier`).
    DecisionTree,
    /// Random forest (`RandomForestClassifier`).
    RandomForest,
    /// k nearest neighbours (`KNeighborsClassifier`).
    Knn,
    /// Gradient boosting (`GradientBoostingClassifier`).
    GradientBoosting,
    /// Linear SVM (`LinearSVC`).
    LinearSvm,
}

fn default_test_size() -> f64 {
    0.25
}

/// `POST /analytics/classification/`: train a classifier on a stratified
/// train/test split (and optionally cross-validate), report its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClassificationRequest {
    /// Dataset id.
    pub dataset_id: String,
    /// Dataset version (the newest when absent).
    #[serde(default)]
    pub version: Option<u32>,
    /// The model.
    pub model: ClassifierModel,
    /// Model settings by name (the model's defaults for the others; an
    /// unknown name is refused with the list of known ones).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The class label column (text, boolean or numbers).
    pub target: String,
    /// Feature columns (numbers are imputed and scaled, text one-hot coded).
    pub features: Vec<String>,
    /// Share of rows held out for testing, stratified (default 0.25).
    #[serde(default = "default_test_size")]
    pub test_size: f64,
    /// Also report stratified k-fold cross-validated accuracy over all rows.
    #[serde(default)]
    pub cv_folds: Option<u32>,
    /// Seed of the split, the folds and random models (default 0).
    #[serde(default)]
    pub seed: u64,
}

/// The result of `POST /analytics/classification/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationResult {
    /// The model.
    pub model: ClassifierModel,
    /// The settings it ran with (defaults filled in).
    pub params: serde_json::Value,
    /// Classes, features, encoded columns, training rows.
    pub summary: abstat_core::classification::ModelSummary,
    /// Rows in the test set.
    pub n_test: usize,
    /// Test-set accuracy.
    pub accuracy: f64,
    /// Test-set balanced accuracy.
    pub balanced_accuracy: f64,
    /// Test-set per-class precision, recall, F1 with averages.
    pub report: abstat_core::classification::ClassificationReport<String>,
    /// Test-set confusion matrix.
    pub confusion: abstat_core::classification::ConfusionMatrix<String>,
    /// Accuracy of each cross-validation fold, when asked for.
    pub cv_accuracy: Option<Vec<f64>>,
}

/// Every result an analysis job can produce, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnalysisResult {
    /// `POST /analytics/stat-tests/`.
    StatTest(StatTestResult),
    /// `POST /analytics/regression/`.
    Regression(RegressionResult),
    /// `POST /analytics/classification/`.
    Classification(Box<ClassificationResult>),
    /// `POST /ab-tests/run/`.
    AbTest(AbTestResult),
    /// `POST /datasets/clean/`.
    Clean(crate::CleanResult),
    /// `GET /analytics/visualize/`.
    Chart(crate::ChartImage),
}

/// What `POST /ab-tests/design/` solves for: leave exactly one of
/// `effect_size`, `nobs_per_variant` and `power` out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DesignMetric {
    /// A mean metric: `effect_size` is Cohen's d (lift / standard deviation);
    /// two-sample t-test power.
    Mean,
    /// A conversion rate: give `baseline` (the control rate) and
    /// `effect_size` as the absolute lift; z-test power on Cohen's h.
    Proportion,
}

/// `POST /ab-tests/design/`: sample size, MDE or power of a two-variant
/// test (runs inline, no job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AbDesignRequest {
    /// `mean` or `proportion`.
    pub metric: DesignMetric,
    /// Control conversion rate (proportion metrics only).
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Effect to detect: Cohen's d (mean) or absolute lift (proportion).
    #[serde(default)]
    pub effect_size: Option<f64>,
    /// Units in the control variant.
    #[serde(default)]
    pub nobs_per_variant: Option<f64>,
    /// Power 1 − β (default 0.8 unless it is what you solve for: give
    /// `effect_size` and `nobs_per_variant` and leave it out).
    #[serde(default)]
    pub power: Option<f64>,
    /// Significance level (default 0.05).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Treatment units per control unit (default 1).
    #[serde(default)]
    pub ratio: Option<f64>,
    /// `two-sided` (default), `less` or `greater`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "two-sided"))]
    pub alternative: Alternative,
    /// Units entering the experiment per day (all variants), to estimate the
    /// duration.
    #[serde(default)]
    pub daily_units: Option<f64>,
    /// Plan from the metric itself (mean and standard deviation, or a rate)
    /// and an absolute or relative MDE over any number of variants, instead
    /// of a standardised `effect_size`. With a plan, leave `baseline`,
    /// `effect_size`, `nobs_per_variant` and `ratio` out: the units per
    /// variant are what is solved for (abstat-core's `ab::design::design`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub plan: Option<DesignPlan>,
}

fn default_variants() -> usize {
    2
}

/// The metric-level plan of `POST /ab-tests/design/`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignPlan {
    /// `{"kind": "mean", "mean": …, "std_dev": …}` or
    /// `{"kind": "rate", "rate": …}` (matching `metric`).
    pub baseline: Baseline,
    /// `{"kind": "absolute", "value": …}` or `{"kind": "relative", "value": …}`
    /// (0.05 = +5 %).
    pub mde: Mde,
    /// Variants including the control (default 2), split equally; with more
    /// than two, α is Bonferroni-corrected over the comparisons.
    #[serde(default = "default_variants")]
    pub variants: usize,
}

/// The answer of `POST /ab-tests/design/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbDesignResponse {
    /// What was solved for and its value (`effect_size`: Cohen's d, or
    /// Cohen's h for proportions; `nobs1`: control units, fractional).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub solution: PowerSolution,
    /// Control units, rounded up (when known).
    pub nobs_per_variant: Option<u64>,
    /// Units over both variants (when known).
    pub total_units: Option<u64>,
    /// Days at `daily_units` (when given), rounded up.
    pub days: Option<u64>,
    /// For proportions solved for the effect: the smallest detectable
    /// treatment rate above `baseline`.
    pub detectable_rate: Option<f64>,
    /// With a `plan`: the whole design (absolute MDE, effect size, α per
    /// comparison, units per group and in total, days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub design: Option<Design>,
}
