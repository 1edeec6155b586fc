//! Finished results as tables, for `GET /jobs/{id}/export/`: one row per
//! variant × metric of an A/B analysis, the coefficient table of a
//! regression, the per-class report of a classification, one row per
//! operation of a cleaning run, and a hypothesis test as `field, value`
//! rows. Values are copied, never computed.

use std::sync::Arc;

use abstat_api::{AbTestResult, AnalysisResult, ClassificationResult, RegressionResult};
use abstat_core::ab::{Arm, ExperimentResult};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{ArrowError, DataType, Field, Schema};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number (NaN stays NaN).
    Num(f64),
    /// A count.
    Count(u64),
    /// Text.
    Text(String),
    /// Nothing (an empty cell).
    Missing,
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}

impl From<u64> for Cell {
    fn from(v: u64) -> Self {
        Cell::Count(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Missing, Into::into)
    }
}

/// A table: headers and rows of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, one cell per header.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// As one Arrow batch: a column with any text is text (numbers in it
    /// formatted), else Float64, or UInt64 when it holds only counts.
    pub fn to_batch(&self) -> Result<RecordBatch, ArrowError> {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (j, name) in self.headers.iter().enumerate() {
            let cells = self.rows.iter().map(|r| r.get(j).unwrap_or(&Cell::Missing));
            let any = |f: fn(&Cell) -> bool| self.rows.iter().any(|r| r.get(j).is_some_and(f));
            if any(|c| matches!(c, Cell::Text(_))) {
                let values: Vec<Option<String>> = cells
                    .map(|c| match c {
                        Cell::Text(t) => Some(t.clone()),
                        Cell::Num(v) => Some(v.to_string()),
                        Cell::Count(v) => Some(v.to_string()),
                        Cell::Missing => None,
                    })
                    .collect();
                fields.push(Field::new(name, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(values)));
            } else if any(|c| matches!(c, Cell::Num(_))) {
                let values: Vec<Option<f64>> = cells
                    .map(|c| match c {
                        Cell::Num(v) => Some(*v),
                        Cell::Count(v) => Some(*v as f64),
                        _ => None,
                    })
                    .collect();
                fields.push(Field::new(name, DataType::Float64, true));
                arrays.push(Arc::new(Float64Array::from(values)));
            } else {
                let values: Vec<Option<u64>> = cells
                    .map(|c| match c {
                        Cell::Count(v) => Some(*v),
                        _ => None,
                    })
                    .collect();
                fields.push(Field::new(name, DataType::UInt64, true));
                arrays.push(Arc::new(UInt64Array::from(values)));
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }
}

/// The table of a result; `None` for a chart (its result is an image).
pub fn table(result: &AnalysisResult) -> Option<Table> {
    Some(match result {
        AnalysisResult::StatTest(r) => {
            let value = serde_json::to_value(r).unwrap_or_default();
            long(&value)
        }
        AnalysisResult::Regression(r) => regression(r),
        AnalysisResult::Classification(r) => classification(r),
        AnalysisResult::AbTest(r) => ab(r),
        AnalysisResult::Clean(r) => {
            let mut t = Table::new(&[
                "op",
                "rows_before",
                "rows_after",
                "rows_removed",
                "cells_changed",
                "failures",
                "details",
            ]);
            for o in &r.report.ops {
                t.rows.push(vec![
                    o.op.as_str().into(),
                    o.rows_before.into(),
                    o.rows_after.into(),
                    o.rows_before.saturating_sub(o.rows_after).into(),
                    o.cells_changed.into(),
                    o.failures.into(),
                    o.details.join("; ").into(),
                ]);
            }
            t
        }
        AnalysisResult::Chart(_) => return None,
    })
}

/// Every leaf of a JSON value as a `field, value` row (paths dotted).
fn long(value: &serde_json::Value) -> Table {
    fn walk(path: String, v: &serde_json::Value, t: &mut Table) {
        use serde_json::Value as V;
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            V::Object(m) => m.iter().for_each(|(k, v)| walk(join(k), v, t)),
            V::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(join(&i.to_string()), v, t)),
            V::Number(n) => t
                .rows
                .push(vec![path.into(), n.as_f64().into(), Cell::Missing]),
            V::Null => t.rows.push(vec![path.into(), Cell::Missing, Cell::Missing]),
            V::Bool(b) => t
                .rows
                .push(vec![path.into(), Cell::Missing, b.to_string().into()]),
            V::String(s) => t
                .rows
                .push(vec![path.into(), Cell::Missing, s.as_str().into()]),
        }
    }
    let mut t = Table::new(&["field", "value", "text"]);
    walk(String::new(), value, &mut t);
    t
}

fn regression(r: &RegressionResult) -> Table {
    let mut t = Table::new(&[
        "term",
        "coef",
        "std_err",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
        "odds_ratio",
    ]);
    let (estimates, odds) = match r {
        RegressionResult::LeastSquares(f) => (&f.estimates, None),
        RegressionResult::Logit(f) => (&f.estimates, Some(&f.odds_ratios)),
    };
    for c in &estimates.coefficients {
        let or = odds.and_then(|o| o.iter().find(|o| o.name == c.name).map(|o| o.odds_ratio));
        t.rows.push(vec![
            c.name.as_str().into(),
            c.coef.into(),
            c.se.into(),
            c.statistic.into(),
            c.p_value.into(),
            c.ci_low.into(),
            c.ci_high.into(),
            or.into(),
        ]);
    }
    t
}

fn classification(r: &ClassificationResult) -> Table {
    let mut t = Table::new(&["class", "precision", "recall", "f1", "support"]);
    let rows = r
        .report
        .classes
        .iter()
        .map(|row| (row.label.clone().unwrap_or_default(), row))
        .chain([
            ("macro avg".to_string(), &r.report.macro_avg),
            ("weighted avg".to_string(), &r.report.weighted_avg),
        ]);
    for (label, row) in rows {
        t.rows.push(vec![
            label.into(),
            row.scores.precision.into(),
            row.scores.recall.into(),
            row.scores.f1.into(),
            row.support.into(),
        ]);
    }
    t.rows.push(vec![
        "accuracy".into(),
        Cell::Missing,
        Cell::Missing,
        r.report.accuracy.into(),
        (r.n_test as u64).into(),
    ]);
    t
}

/// The columns every A/B row starts with.
const ARM_HEADERS: [&str; 7] = [
    "metric",
    "variant",
    "control",
    "control_n",
    "control_mean",
    "treatment_n",
    "treatment_mean",
];

/// An A/B table: [`ARM_HEADERS`] then `rest`.
fn ab_table(rest: &[&str]) -> Table {
    let headers: Vec<&str> = ARM_HEADERS.iter().chain(rest).copied().collect();
    Table::new(&headers)
}

/// The cells under [`ARM_HEADERS`].
fn arm_cells(
    metric: &str,
    variant: String,
    control: &str,
    arms: Option<(&Arm, &Arm)>,
) -> Vec<Cell> {
    vec![
        metric.into(),
        variant.into(),
        control.into(),
        arms.map(|(c, _)| c.n).into(),
        arms.map(|(c, _)| c.mean).into(),
        arms.map(|(_, t)| t.n).into(),
        arms.map(|(_, t)| t.mean).into(),
    ]
}

fn ab(r: &AbTestResult) -> Table {
    let variant = |i: usize| {
        r.variants
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("#{i}"))
    };
    if let Some(e) = &r.experiment {
        return frequentist(r, e, variant);
    }
    let mut t = ab_table(&[
        "relative_lift",
        "relative_ci_lower",
        "relative_ci_upper",
        "chance_to_win",
        "risk_control",
        "risk_treatment",
        "error",
    ]);
    for b in r.bayesian.iter().flatten() {
        let c = b.comparison.as_ref();
        let rel = c.and_then(|c| c.relative.as_ref());
        let mut row = arm_cells(
            &b.metric,
            b.variant.clone(),
            &r.control,
            c.map(|c| (&c.control, &c.treatment)),
        );
        row.extend([
            rel.map(|p| p.mean).into(),
            rel.map(|p| p.ci.lower).into(),
            rel.map(|p| p.ci.upper).into(),
            rel.map(|p| p.chance_to_win).into(),
            rel.map(|p| p.risk_control).into(),
            rel.map(|p| p.risk_treatment).into(),
            b.error.clone().into(),
        ]);
        t.rows.push(row);
    }
    t
}

fn frequentist(r: &AbTestResult, e: &ExperimentResult, variant: impl Fn(usize) -> String) -> Table {
    let mut t = ab_table(&[
        "absolute_effect",
        "absolute_ci_lower",
        "absolute_ci_upper",
        "p_value",
        "adjusted_p_value",
        "relative_effect",
        "relative_ci_lower",
        "relative_ci_upper",
        "verdict",
        "error",
    ]);
    for (m, metric) in e.metrics.iter().enumerate() {
        for (k, tr) in metric.treatments.iter().enumerate() {
            let c = tr.comparison.as_ref();
            let rel = c.and_then(|c| c.relative.as_ref());
            let verdict = r
                .verdicts
                .as_ref()
                .and_then(|v| v.get(m)?.get(k).copied())
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_str().map(str::to_string));
            let mut row = arm_cells(
                &metric.name,
                variant(tr.variant),
                &r.control,
                c.map(|c| (&c.control, &c.treatment)),
            );
            row.extend([
                c.map(|c| c.absolute.estimate).into(),
                c.map(|c| c.absolute.ci.lower).into(),
                c.map(|c| c.absolute.ci.upper).into(),
                c.map(|c| c.absolute.p_value).into(),
                tr.adjusted_p_value.into(),
                rel.map(|x| x.estimate).into(),
                rel.map(|x| x.ci.lower).into(),
                rel.map(|x| x.ci.upper).into(),
                verdict.into(),
                tr.error.clone().into(),
            ]);
            t.rows.push(row);
        }
    }
    t
}
