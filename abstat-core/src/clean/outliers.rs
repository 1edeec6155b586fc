//! Outliers: Tukey's IQR fences, z-score bounds and percentile capping.
//! Each fits bounds `[lo, hi]` per column, then drops rows outside them or
//! caps values to them (pandas' `clip`).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, SchemaRef};

use super::exact_sum::ExactSum;
use super::quantile::ExactQuantiles;
use super::resolve::At;
use super::{Applied, OutlierAction, Step, keep_rows, retype, shared};
use crate::input::from_arrow;
use crate::{Error, Result};

/// How a column's bounds come from the data.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `[Q1 − k·IQR, Q3 + k·IQR]` (Tukey, *Exploratory Data Analysis*, 1977).
    Iqr { k: f64 },
    /// `mean ± threshold·std(ddof)`; a value is an outlier when
    /// `|x − mean| / std > threshold` (scipy's `zscore`).
    Zscore { threshold: f64, ddof: u8 },
    /// `[quantile(lower), quantile(upper)]`.
    Percentile { lower: f64, upper: f64 },
}

enum Fit {
    Quantiles(ExactQuantiles),
    /// First pass of the z-score: the mean.
    Sum(ExactSum),
    /// Second pass: squared deviations from the mean (two-pass variance,
    /// as pandas' `std`).
    Squares {
        mean: f64,
        squares: ExactSum,
    },
    Bounds {
        lo: f64,
        hi: f64,
        mean: f64,
        std: f64,
    },
}

struct Column {
    index: usize,
    name: String,
    fit: Fit,
}

struct Outliers {
    rule: Rule,
    action: OutlierAction,
    cols: Vec<Column>,
    schema: SchemaRef,
}

impl Column {
    fn bounds(&self) -> (f64, f64, f64, f64) {
        match self.fit {
            Fit::Bounds { lo, hi, mean, std } => (lo, hi, mean, std),
            _ => unreachable!("fitted before apply"),
        }
    }
}

impl Outliers {
    fn finish(&self, c: &Column) -> Result<Fit> {
        let what = format!("column '{}'", c.name);
        Ok(match (&c.fit, self.rule) {
            (Fit::Quantiles(q), Rule::Iqr { k }) => {
                let (q1, q3) = (q.quantile(0.25, &what)?, q.quantile(0.75, &what)?);
                let iqr = q3 - q1;
                Fit::Bounds {
                    lo: q1 - k * iqr,
                    hi: q3 + k * iqr,
                    mean: f64::NAN,
                    std: f64::NAN,
                }
            }
            (Fit::Quantiles(q), Rule::Percentile { lower, upper }) => Fit::Bounds {
                lo: q.quantile(lower, &what)?,
                hi: q.quantile(upper, &what)?,
                mean: f64::NAN,
                std: f64::NAN,
            },
            (Fit::Sum(s), Rule::Zscore { ddof, .. }) => {
                if s.count() <= u64::from(ddof) {
                    return Err(Error::TooFewObservations {
                        what,
                        needed: usize::from(ddof) + 1,
                        got: s.count() as usize,
                    });
                }
                Fit::Squares {
                    mean: s.value() / s.count() as f64,
                    squares: ExactSum::default(),
                }
            }
            (Fit::Squares { mean, squares }, Rule::Zscore { threshold, ddof }) => {
                let mean = *mean;
                let std = (squares.value() / (squares.count() - u64::from(ddof)) as f64).sqrt();
                if std == 0.0 {
                    return Err(Error::ZeroVariance {
                        what,
                        method: "the z-score".into(),
                    });
                }
                Fit::Bounds {
                    lo: mean - threshold * std,
                    hi: mean + threshold * std,
                    mean,
                    std,
                }
            }
            _ => unreachable!("rule and state are built together"),
        })
    }

    /// `true` where `x` is an outlier of column `c` (never for NaN).
    fn outlier(&self, c: &Column, x: f64) -> bool {
        let (lo, hi, mean, std) = c.bounds();
        match self.rule {
            // The same expression as pandas' `(s - s.mean()) / s.std()`, so
            // that values on the boundary are judged identically.
            Rule::Zscore { threshold, .. } => ((x - mean) / std).abs() > threshold,
            Rule::Iqr { .. } | Rule::Percentile { .. } => x < lo || x > hi,
        }
    }
}

impl Step for Outliers {
    fn needs_pass(&self) -> bool {
        self.cols
            .iter()
            .any(|c| !matches!(c.fit, Fit::Bounds { .. }))
    }

    fn observe(&mut self, batch: &RecordBatch) -> Result<()> {
        for c in &mut self.cols {
            let x = from_arrow(batch.column(c.index).as_ref(), &c.name)?;
            match &mut c.fit {
                Fit::Quantiles(q) => x.iter().for_each(|&v| q.observe(v)),
                Fit::Sum(s) => x.iter().for_each(|&v| s.add(v)),
                Fit::Squares { mean, squares } => x
                    .iter()
                    .for_each(|&v| squares.add((v - *mean) * (v - *mean))),
                Fit::Bounds { .. } => {}
            }
        }
        Ok(())
    }

    fn end_pass(&mut self) -> Result<()> {
        for i in 0..self.cols.len() {
            if let Fit::Quantiles(q) = &mut self.cols[i].fit {
                q.end_pass();
                if q.needs_pass() {
                    continue;
                }
            }
            if !matches!(self.cols[i].fit, Fit::Bounds { .. }) {
                self.cols[i].fit = self.finish(&self.cols[i])?;
            }
        }
        Ok(())
    }

    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        match self.action {
            OutlierAction::Drop => {
                let mut keep = vec![true; batch.num_rows()];
                for c in &self.cols {
                    let x = from_arrow(batch.column(c.index).as_ref(), &c.name)?;
                    for (k, &v) in keep.iter_mut().zip(x.iter()) {
                        if self.outlier(c, v) {
                            *k = false;
                        }
                    }
                }
                keep_rows(batch, BooleanBuffer::from(keep))
            }
            OutlierAction::Cap => {
                let mut cells = 0;
                let mut changes = Vec::with_capacity(self.cols.len());
                for c in &self.cols {
                    let a = batch.column(c.index);
                    let x = from_arrow(a.as_ref(), &c.name)?;
                    let (lo, hi, ..) = c.bounds();
                    let capped: Vec<f64> = x
                        .iter()
                        .map(|&v| {
                            // pandas' `clip(lo, hi)`.
                            if v < lo || v > hi {
                                cells += 1;
                                v.clamp(lo, hi)
                            } else {
                                v
                            }
                        })
                        .collect();
                    let out: ArrayRef =
                        Arc::new(Float64Array::new(capped.into(), a.logical_nulls()));
                    changes.push((c.index, out));
                }
                Applied::columns(batch, &self.schema, changes, cells, 0)
            }
        }
    }

    fn details(&self) -> Vec<String> {
        self.cols
            .iter()
            .map(|c| {
                let (lo, hi, ..) = c.bounds();
                format!("{}: bounds [{lo}, {hi}]", c.name)
            })
            .collect()
    }
}

fn build(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    rule: Rule,
    action: OutlierAction,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let idx = at.columns(schema, "columns", columns)?;
    let mut out = schema.as_ref().clone();
    let mut cols = Vec::with_capacity(idx.len());
    for i in idx {
        at.numeric(schema, i)?;
        if action == OutlierAction::Cap {
            out = retype(&out, i, DataType::Float64);
        }
        let fit = match rule {
            Rule::Iqr { .. } => Fit::Quantiles(ExactQuantiles::new(&[0.25, 0.75])),
            Rule::Percentile { lower, upper } => {
                Fit::Quantiles(ExactQuantiles::new(&[lower, upper]))
            }
            Rule::Zscore { .. } => Fit::Sum(ExactSum::default()),
        };
        cols.push(Column {
            index: i,
            name: schema.field(i).name().clone(),
            fit,
        });
    }
    let schema = shared(out);
    Ok((
        Box::new(Outliers {
            rule,
            action,
            cols,
            schema: schema.clone(),
        }),
        schema,
    ))
}

pub(super) fn iqr(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    k: f64,
    action: OutlierAction,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    if !(k.is_finite() && k >= 0.0) {
        return Err(at.invalid("k", k, "a finite number ≥ 0 (1.5 is Tukey's usual fence)"));
    }
    build(at, schema, columns, Rule::Iqr { k }, action)
}

pub(super) fn zscore(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    threshold: f64,
    ddof: u8,
    action: OutlierAction,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(at.invalid("threshold", threshold, "a finite number > 0 (3 is usual)"));
    }
    if ddof > 1 {
        return Err(at.invalid("ddof", ddof, "0 (scipy's zscore) or 1 (pandas' std)"));
    }
    build(
        at,
        schema,
        columns,
        Rule::Zscore { threshold, ddof },
        action,
    )
}

pub(super) fn winsorize(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    lower: f64,
    upper: f64,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    for (name, q) in [("lower", lower), ("upper", upper)] {
        if !(0.0..=1.0).contains(&q) {
            return Err(at.invalid(name, q, "a quantile in [0, 1], e.g. 0.01 and 0.99"));
        }
    }
    if lower > upper {
        return Err(at.invalid("lower", lower, format!("at most upper = {upper}")));
    }
    build(
        at,
        schema,
        columns,
        Rule::Percentile { lower, upper },
        OutlierAction::Cap,
    )
}
