//! Filling missing values: mean, median, mode, a constant, forward fill.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, SchemaRef};

use super::exact_sum::ExactSum;
use super::missing::{count_missing, mask, missing};
use super::quantile::{ExactQuantiles, key, unkey};
use super::resolve::{At, is_numeric, is_text};
use super::{Applied, FillMethod, Scalar, Step, arrow_error, retype, shared};
use crate::input::from_arrow;
use crate::{Error, Result};

/// A value for mode counting; its order breaks ties as pandas' sorted
/// `mode()` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ModeKey {
    Bool(bool),
    Int(i64),
    /// A float by its order-preserving key.
    Float(u64),
    Text(String),
}

enum State {
    Mean(ExactSum),
    Median(ExactQuantiles),
    Mode(HashMap<ModeKey, u64>),
    /// The fill value, a one-element array of the output type.
    Ready(ArrayRef),
    /// Forward fill: the last value seen (one element), if any.
    Ffill(Option<ArrayRef>),
}

struct Column {
    index: usize,
    name: String,
    out_type: DataType,
    state: State,
}

struct Fill {
    cols: Vec<Column>,
    schema: SchemaRef,
}

/// A one-element array of `t` holding `v`.
pub(super) fn scalar_array(v: &Scalar, t: &DataType) -> std::result::Result<ArrayRef, String> {
    let raw: ArrayRef = match v {
        Scalar::Bool(b) => Arc::new(BooleanArray::from(vec![*b])),
        Scalar::Int(i) => Arc::new(Int64Array::from(vec![*i])),
        Scalar::Float(x) => {
            if t.is_integer() && x.fract() != 0.0 {
                return Err(format!("{x} has a fraction"));
            }
            Arc::new(Float64Array::from(vec![*x]))
        }
        Scalar::Text(s) => Arc::new(StringArray::from(vec![s.as_str()])),
    };
    let opts = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(&raw, t, &opts).map_err(|e| e.to_string())
}

fn mode_keys(a: &ArrayRef) -> Result<Vec<ModeKey>> {
    let t = a.data_type();
    Ok(if t.is_floating() {
        from_arrow(a.as_ref(), "column")?
            .iter()
            .filter(|v| !v.is_nan())
            .map(|&v| ModeKey::Float(key(v + 0.0)))
            .collect()
    } else if t.is_integer() {
        let i = arrow_cast::cast(a, &DataType::Int64).map_err(arrow_error("counting values"))?;
        i.as_primitive::<Int64Type>()
            .iter()
            .flatten()
            .map(ModeKey::Int)
            .collect()
    } else if *t == DataType::Boolean {
        a.as_boolean().iter().flatten().map(ModeKey::Bool).collect()
    } else {
        let s = arrow_cast::cast(a, &DataType::Utf8).map_err(arrow_error("counting values"))?;
        s.as_string::<i32>()
            .iter()
            .flatten()
            .map(|s| ModeKey::Text(s.to_string()))
            .collect()
    })
}

fn mode_value(k: &ModeKey, t: &DataType) -> Result<ArrayRef> {
    let raw: ArrayRef = match k {
        ModeKey::Bool(b) => Arc::new(BooleanArray::from(vec![*b])),
        ModeKey::Int(i) => Arc::new(Int64Array::from(vec![*i])),
        ModeKey::Float(f) => Arc::new(Float64Array::from(vec![unkey(*f)])),
        ModeKey::Text(s) => Arc::new(StringArray::from(vec![s.as_str()])),
    };
    arrow_cast::cast(&raw, t).map_err(arrow_error("building the fill value"))
}

impl Column {
    fn fit_done(&self) -> bool {
        matches!(self.state, State::Ready(_) | State::Ffill(_))
    }

    fn what(&self, method: &str) -> String {
        format!("column '{}' ({method} fill)", self.name)
    }

    fn finish_pass(&mut self) -> Result<()> {
        let median_what = self.what("median");
        let value = match &mut self.state {
            State::Mean(m) => m.mean().ok_or_else(|| Error::TooFewObservations {
                what: self.what("mean"),
                needed: 1,
                got: 0,
            })?,
            State::Median(q) => {
                q.end_pass();
                if q.needs_pass() {
                    return Ok(());
                }
                q.median(&median_what)?
            }
            State::Mode(counts) => {
                let best = counts
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(k, _)| k.clone())
                    .ok_or_else(|| Error::TooFewObservations {
                        what: self.what("mode"),
                        needed: 1,
                        got: 0,
                    })?;
                self.state = State::Ready(mode_value(&best, &self.out_type)?);
                return Ok(());
            }
            State::Ready(_) | State::Ffill(_) => return Ok(()),
        };
        self.state = State::Ready(Arc::new(Float64Array::from(vec![value])));
        Ok(())
    }

    fn fill(&mut self, a: &ArrayRef) -> Result<(ArrayRef, u64)> {
        let a = if a.data_type() == &self.out_type {
            a.clone()
        } else {
            arrow_cast::cast(a, &self.out_type).map_err(arrow_error("converting to float"))?
        };
        let holes = missing(&a);
        let before = holes.count_set_bits() as u64;
        if before == 0 {
            if let State::Ffill(last) = &mut self.state {
                *last = Some(a.slice(a.len() - 1, 1));
            }
            return Ok((a, 0));
        }
        let out = match &mut self.state {
            State::Ready(v) => {
                arrow_select::zip::zip(&mask(holes), &arrow_array::Scalar::new(v.clone()), &a)
                    .map_err(arrow_error("filling missing values"))?
            }
            State::Ffill(last) => {
                // With a value carried from the previous batch, it is index 0.
                let offset = u32::from(last.is_some());
                let mut prev: Option<u32> = last.as_ref().map(|_| 0);
                let idx: UInt32Array = (0..a.len())
                    .map(|i| {
                        if !holes.value(i) {
                            prev = Some(i as u32 + offset);
                        }
                        prev
                    })
                    .collect();
                let src = match last {
                    Some(c) => arrow_select::concat::concat(&[c.as_ref(), a.as_ref()])
                        .map_err(arrow_error("forward fill"))?,
                    None => a.clone(),
                };
                let out = arrow_select::take::take(&src, &idx, None)
                    .map_err(arrow_error("forward fill"))?;
                if let Some(p) = prev {
                    *last = Some(src.slice(p as usize, 1));
                }
                out
            }
            _ => unreachable!("fitted before apply"),
        };
        let after = count_missing(&out);
        Ok((out, before - after))
    }
}

impl Step for Fill {
    fn needs_pass(&self) -> bool {
        self.cols.iter().any(|c| !c.fit_done())
    }

    fn observe(&mut self, batch: &RecordBatch) -> Result<()> {
        for c in &mut self.cols {
            let a = batch.column(c.index);
            match &mut c.state {
                State::Mean(m) => from_arrow(a.as_ref(), &c.name)?
                    .iter()
                    .for_each(|&v| m.add(v)),
                State::Median(q) => from_arrow(a.as_ref(), &c.name)?
                    .iter()
                    .for_each(|&v| q.observe(v)),
                State::Mode(counts) => {
                    for k in mode_keys(a)? {
                        *counts.entry(k).or_insert(0) += 1;
                    }
                }
                State::Ready(_) | State::Ffill(_) => {}
            }
        }
        Ok(())
    }

    fn end_pass(&mut self) -> Result<()> {
        self.cols.iter_mut().try_for_each(Column::finish_pass)
    }

    fn reset(&mut self) {
        for c in &mut self.cols {
            if let State::Ffill(last) = &mut c.state {
                *last = None;
            }
        }
    }

    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        let mut changes = Vec::with_capacity(self.cols.len());
        let mut cells = 0;
        for c in &mut self.cols {
            if batch.num_rows() == 0 {
                let a = arrow_array::new_empty_array(&c.out_type);
                changes.push((c.index, a));
                continue;
            }
            let (a, n) = c.fill(batch.column(c.index))?;
            cells += n;
            changes.push((c.index, a));
        }
        Applied::columns(batch, &self.schema, changes, cells, 0)
    }

    fn details(&self) -> Vec<String> {
        self.cols
            .iter()
            .filter_map(|c| match &c.state {
                State::Ready(v) => Some(format!(
                    "{}: filled with {}",
                    c.name,
                    arrow_cast::display::array_value_to_string(v, 0).unwrap_or_default()
                )),
                _ => None,
            })
            .collect()
    }
}

pub(super) fn build(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
    method: FillMethod,
    value: Option<&Scalar>,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let idx = at.columns(schema, "columns", columns)?;
    if method != FillMethod::Constant && value.is_some() {
        return Err(at.invalid(
            "value",
            value.map(ToString::to_string).unwrap_or_default(),
            "no value unless method is \"constant\"",
        ));
    }
    let mut out = schema.as_ref().clone();
    let mut cols = Vec::with_capacity(idx.len());
    for i in idx {
        let f = schema.field(i);
        let t = f.data_type().clone();
        let (state, out_type) = match method {
            FillMethod::Mean | FillMethod::Median => {
                at.numeric(schema, i)?;
                let s = if method == FillMethod::Mean {
                    State::Mean(ExactSum::default())
                } else {
                    State::Median(ExactQuantiles::new(&[0.5]))
                };
                (s, DataType::Float64)
            }
            FillMethod::Mode => {
                if !(is_numeric(&t) || is_text(&t) || t == DataType::Boolean) {
                    return Err(Error::UnsupportedType {
                        what: format!("column '{}' in {}", f.name(), at.param("columns")),
                        data_type: t.to_string(),
                        expected: "a numeric, text or boolean column for mode fill".into(),
                    });
                }
                (State::Mode(HashMap::new()), t.clone())
            }
            FillMethod::Constant => {
                let v = value.ok_or_else(|| {
                    at.invalid(
                        "value",
                        "nothing",
                        "a value to fill with (number, text or boolean)",
                    )
                })?;
                let a = scalar_array(v, &t).map_err(|e| {
                    at.invalid(
                        "value",
                        v,
                        format!("a value that fits column '{}' of type {t} ({e})", f.name()),
                    )
                })?;
                (State::Ready(a), t.clone())
            }
            FillMethod::Ffill => (State::Ffill(None), t.clone()),
        };
        out = retype(&out, i, out_type.clone());
        cols.push(Column {
            index: i,
            name: f.name().clone(),
            out_type,
            state,
        });
    }
    let schema = shared(out);
    Ok((
        Box::new(Fill {
            cols,
            schema: schema.clone(),
        }),
        schema,
    ))
}
