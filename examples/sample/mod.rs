//! A deterministic sample shop dataset and every chart abstat draws from
//! it; shared by `examples/gallery.rs` and `benches/charts.rs`. Data come
//! from the SplitMix64 generators of the fixture tests.
#![allow(dead_code)]

#[path = "../../abstat-core/tests/common/mod.rs"]
mod common;

use abstat::core::NanPolicy;
use abstat::core::ab::{
    BayesianComparison, BayesianOptions, ExperimentOptions, ExperimentResult, MetricInput,
    MetricStats, PowerSums, SequentialOptions, analyze, compare_bayesian,
};
use abstat::core::classification::{
    Classifier, ConfusionMatrix, Fit, Importance, LogisticParams, confusion_matrix,
    permutation_importance,
};
use abstat::core::regression::{Design, Ols, OlsFit, OlsOptions};
use abstat::io::charts::{Chart, Lang};
use ndarray::Array2;

/// Every kind of chart, in gallery order.
pub const KINDS: [&str; 16] = [
    "histogram",
    "box_plot",
    "bars",
    "scatter",
    "heatmap",
    "qq",
    "forest",
    "distributions",
    "cumulative_lift",
    "posterior",
    "power_curve",
    "residuals",
    "coefficients",
    "roc",
    "confusion",
    "importance",
];

const CITIES: [&str; 4] = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск"];
const VARIANTS: [&str; 3] = ["A", "B", "C"];
const DAYS: usize = 14;
/// Models are fitted on at most this many rows (the fit is the analysis,
/// not the chart); the ROC uses every row's score.
const MODEL_ROWS: usize = 50_000;

/// Raw columns of a shop's A/B test and the analyses charts are made from.
pub struct Sample {
    pub revenue: Vec<f64>,
    pub sessions: Vec<f64>,
    pub minutes: Vec<f64>,
    pub city: Vec<u32>,
    pub variant: Vec<u32>,
    pub day: Vec<u32>,
    pub converted: Vec<bool>,
    pub experiment: ExperimentResult,
    pub bayes: BayesianComparison,
    pub daily: (Vec<MetricStats>, Vec<MetricStats>),
    pub ols: OlsFit,
    pub converted_score: Vec<f64>,
    pub confusion: ConfusionMatrix<String>,
    pub importance: Importance,
}

impl Sample {
    /// `n` users (n ≥ 1000).
    pub fn new(n: usize) -> Sample {
        let u = |seed| common::det_uniform(seed, n);
        let variant: Vec<u32> = u(1).iter().map(|v| (v * 3.0) as u32).collect();
        let city: Vec<u32> = u(3).iter().map(|v| (v * v * 4.0) as u32).collect();
        let day: Vec<u32> = u(5).iter().map(|v| (v * DAYS as f64) as u32).collect();
        let sessions: Vec<f64> = common::det_normal(7, n, 6.0, 2.0)
            .iter()
            .map(|v| v.max(0.5))
            .collect();
        let noise = common::det_normal(9, n, 0.0, 0.5);
        let minutes: Vec<f64> = sessions
            .iter()
            .zip(&noise)
            .map(|(s, e)| (3.0 * s + 4.0 * e + 2.0).max(0.1))
            .collect();
        let lift = [1.0, 1.03, 0.99];
        let city_mult = [1.25, 1.1, 0.9, 0.8];
        let revenue: Vec<f64> = common::det_normal(11, n, 6.5, 0.5)
            .iter()
            .enumerate()
            .map(|(i, z)| {
                (z.exp() + 40.0 * sessions[i])
                    * lift[variant[i] as usize]
                    * city_mult[city[i] as usize]
            })
            .collect();
        let converted: Vec<bool> = u(13)
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let logit = -4.0
                    + 0.35 * sessions[i]
                    + 0.05 * minutes[i]
                    + [0.0, 0.12, 0.05][variant[i] as usize];
                *v < 1.0 / (1.0 + (-logit).exp())
            })
            .collect();
        let conv_f: Vec<f64> = converted.iter().map(|&c| f64::from(u8::from(c))).collect();

        let by = |x: &[f64]| PowerSums::by_variant(x, &variant, 3, NanPolicy::Omit).unwrap();
        let (rev, conv, sess) = (by(&revenue), by(&conv_f), by(&sessions));
        let units: Vec<u64> = rev.iter().map(|m| m.n).collect();
        let metric = |name: &str, v: Vec<MetricStats>| MetricInput {
            name: name.into(),
            higher_is_better: true,
            variants: v,
        };
        let experiment = analyze(
            &units,
            &[1.0 / 3.0; 3],
            &[
                metric(
                    "revenue",
                    rev.iter().map(|m| MetricStats::Mean(*m)).collect(),
                ),
                metric(
                    "conversion",
                    conv.iter().map(|m| MetricStats::Proportion(*m)).collect(),
                ),
                metric(
                    "sessions",
                    sess.iter().map(|m| MetricStats::Mean(*m)).collect(),
                ),
            ],
            &ExperimentOptions::default(),
        )
        .unwrap();
        let bayes = compare_bayesian(
            &MetricStats::Proportion(conv[0]),
            &MetricStats::Proportion(conv[1]),
            &BayesianOptions::default(),
        )
        .unwrap();
        let mut daily = (
            vec![PowerSums::new(0, 0.0, 0.0); DAYS],
            vec![PowerSums::new(0, 0.0, 0.0); DAYS],
        );
        for i in 0..n {
            match variant[i] {
                0 => daily.0[day[i] as usize].insert(revenue[i]),
                1 => daily.1[day[i] as usize].insert(revenue[i]),
                _ => {}
            }
        }
        let daily = (
            daily.0.into_iter().map(MetricStats::Mean).collect(),
            daily.1.into_iter().map(MetricStats::Mean).collect(),
        );

        let m = n.min(MODEL_ROWS);
        let design = Design::from_columns(
            revenue[..m].to_vec(),
            &[&sessions[..m], &minutes[..m]],
            &["sessions", "minutes"],
            true,
        )
        .unwrap();
        let mut ols = Ols::new(OlsOptions::default()).fit(&design).unwrap();
        ols.estimates.response = "revenue".into();

        let features = |rows: std::ops::Range<usize>| {
            Array2::from_shape_fn((rows.len(), 3), |(i, j)| {
                let r = rows.start + i;
                [sessions[r], minutes[r], revenue[r] / 1000.0][j]
            })
        };
        let y: Vec<usize> = converted[..m].iter().map(|&c| usize::from(c)).collect();
        let x = features(0..m);
        let model = LogisticParams::default().fit(x.view(), &y, 2).unwrap();
        let converted_score = model.scores(features(0..n).view()).column(1).to_vec();
        let names = |v: &[usize]| -> Vec<String> {
            v.iter()
                .map(|&c| ["no purchase", "purchase"][c].to_string())
                .collect()
        };
        let predicted: Vec<usize> = converted_score[..m]
            .iter()
            .map(|&s| usize::from(s > 0.5))
            .collect();
        let confusion = confusion_matrix(&names(&y), &names(&predicted)).unwrap();
        let groups: Vec<(String, Vec<usize>)> = ["sessions", "minutes", "revenue"]
            .iter()
            .enumerate()
            .map(|(j, s)| (s.to_string(), vec![j]))
            .collect();
        let importance = permutation_importance(&model, x.view(), &y, &groups, 3, 42).unwrap();
        Sample {
            revenue,
            sessions,
            minutes,
            city,
            variant,
            day,
            converted,
            experiment,
            bayes,
            daily,
            ols,
            converted_score,
            confusion,
            importance,
        }
    }

    /// The chart `kind` (one of [`KINDS`]), summarised from the raw columns
    /// or the analyses.
    pub fn chart(&self, kind: &str) -> Chart {
        match kind {
            "histogram" => Chart::histogram(&self.revenue, "Выручка, ₽", Lang::Ru),
            "box_plot" => Chart::box_plot_by(
                &self.revenue,
                &self.city,
                &CITIES,
                "Выручка, ₽",
                "Город",
                Lang::Ru,
            ),
            "bars" => {
                let mut wins = [0u64; 3];
                let mut totals = [0u64; 3];
                for (&v, &c) in self.variant.iter().zip(&self.converted) {
                    totals[v as usize] += 1;
                    wins[v as usize] += u64::from(c);
                }
                Chart::proportions(
                    &VARIANTS,
                    &wins,
                    &totals,
                    "Conversion by variant (95 % Wilson)",
                    0.95,
                    Lang::En,
                )
            }
            "scatter" => Chart::scatter(
                &self.sessions,
                &self.minutes,
                "sessions",
                "time on site, min",
                Lang::En,
            ),
            "heatmap" => Chart::correlation(
                &["revenue, ₽", "sessions", "minutes"],
                &[&self.revenue, &self.sessions, &self.minutes],
                Lang::En,
            ),
            "qq" => Chart::qq(&self.sessions, "sessions", Lang::En),
            "forest" => Chart::forest(&self.experiment, &VARIANTS, Lang::En),
            "distributions" => {
                Chart::distributions_by(&self.revenue, &self.variant, 0, 1, "revenue, ₽", Lang::En)
            }
            "cumulative_lift" => Chart::cumulative_lift(
                &self.daily.0,
                &self.daily.1,
                "revenue (B vs A)",
                &SequentialOptions::default(),
                Lang::En,
            ),
            "posterior" => Chart::posterior(&self.bayes, "conversion (B vs A)", Lang::En),
            "power_curve" => {
                let m = self.experiment.metrics[0].treatments[0]
                    .comparison
                    .as_ref()
                    .expect("revenue comparison");
                let sd = m.control.variance.sqrt();
                Chart::power_curve(
                    0.02 * m.control.mean,
                    sd,
                    0.05,
                    0.8,
                    Some(m.control.n as f64),
                    "revenue +2 %",
                    Lang::En,
                )
            }
            "residuals" => Chart::residuals(&self.ols, Lang::En),
            "coefficients" => Chart::coefficients(&self.ols.estimates, Lang::En),
            "roc" => Chart::roc(
                &[("logistic", &self.converted, &self.converted_score)],
                Lang::En,
            ),
            "confusion" => Chart::confusion(&self.confusion, Lang::En),
            "importance" => Chart::importance(&self.importance, Lang::En),
            other => panic!("unknown chart kind {other}"),
        }
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
    }
}
