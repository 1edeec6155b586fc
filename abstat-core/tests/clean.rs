//! Cleaning operations against pandas 2.3.3 (scripts/fixtures/gen_clean.py),
//! streaming equivalence (tiny batches = one batch) and error paths.

mod common;

use std::sync::Arc;

use abstat_core::Error;
use abstat_core::clean::quantile::ExactQuantiles;
use abstat_core::clean::{CleanPlan, CleanReport, Cleaner, clean_batches};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_cast::display::array_value_to_string;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde_json::{Value, json};

fn input() -> (SchemaRef, RecordBatch) {
    let cases = common::cases("clean");
    let cols = cases[0]["columns"].as_array().unwrap();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in cols {
        let name = c["name"].as_str().unwrap();
        let v = c["values"].as_array().unwrap();
        let (t, a): (DataType, ArrayRef) = match c["type"].as_str().unwrap() {
            "float" => (
                DataType::Float64,
                Arc::new(Float64Array::from(common::data(&c["values"]))),
            ),
            "int" => (
                DataType::Int64,
                Arc::new(Int64Array::from(
                    v.iter().map(|x| x.as_i64()).collect::<Vec<_>>(),
                )),
            ),
            "bool" => (
                DataType::Boolean,
                Arc::new(BooleanArray::from(
                    v.iter().map(|x| x.as_bool()).collect::<Vec<_>>(),
                )),
            ),
            "str" => (
                DataType::Utf8,
                Arc::new(StringArray::from(
                    v.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                )),
            ),
            other => panic!("input type {other}"),
        };
        fields.push(Field::new(name, t, true));
        arrays.push(a);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    (schema, batch)
}

fn split(batch: &RecordBatch, size: usize) -> Vec<RecordBatch> {
    (0..batch.num_rows())
        .step_by(size)
        .map(|o| batch.slice(o, size.min(batch.num_rows() - o)))
        .collect()
}

fn run(
    plan: &CleanPlan,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> (RecordBatch, CleanReport) {
    let (out, report) = clean_batches(plan, schema.clone(), batches).unwrap();
    let schema_out = Cleaner::new(plan, schema.clone()).unwrap().output_schema();
    let all = arrow_select::concat::concat_batches(&schema_out, &out).unwrap();
    (all, report)
}

/// [`run`] with the fit cache off: every pass reads the batches again.
fn run_uncached(
    plan: &CleanPlan,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> (RecordBatch, CleanReport) {
    let mut c = Cleaner::new(plan, schema.clone())
        .unwrap()
        .with_fit_cache(0);
    c.fit(|| Ok::<_, Error>(batches.iter().cloned().map(Ok)))
        .unwrap();
    let out: Vec<RecordBatch> = batches.iter().map(|b| c.apply(b).unwrap()).collect();
    let all = arrow_select::concat::concat_batches(&c.output_schema(), &out).unwrap();
    (all, c.report())
}

fn data_type(kind: &str) -> DataType {
    match kind {
        "float" => DataType::Float64,
        "int" => DataType::Int64,
        "str" => DataType::Utf8,
        "bool" => DataType::Boolean,
        "date" => DataType::Date32,
        "datetime" => DataType::Timestamp(TimeUnit::Microsecond, None),
        other => panic!("type {other}"),
    }
}

/// Compare one output column with the expected JSON values.
fn check_column(a: &dyn Array, kind: &str, expected: &[Value], rtol: f64, what: &str) {
    assert_eq!(a.len(), expected.len(), "{what}: length");
    for (i, e) in expected.iter().enumerate() {
        let w = format!("{what}[{i}]");
        match kind {
            "float" => {
                let got = if a.is_null(i) {
                    f64::NAN
                } else {
                    a.as_primitive::<Float64Type>().value(i)
                };
                common::assert_close(got, common::num(e), rtol, 0.0, &w);
            }
            "int" => {
                let got = (!a.is_null(i)).then(|| a.as_primitive::<Int64Type>().value(i));
                assert_eq!(got, e.as_i64(), "{w}");
            }
            "bool" => {
                let got = (!a.is_null(i)).then(|| a.as_boolean().value(i));
                assert_eq!(got, e.as_bool(), "{w}");
            }
            _ => {
                let got = (!a.is_null(i)).then(|| array_value_to_string(a, i).unwrap());
                assert_eq!(got.as_deref(), e.as_str(), "{w}");
            }
        }
    }
}

#[test]
fn operations_match_pandas_and_stream_identically() {
    let (schema, batch) = input();
    let inputs = &common::cases("clean")[0]["columns"];
    let mut checked = 0;
    for case in common::cases("clean")
        .iter()
        .filter(|c| c.get("plan").is_some())
    {
        let name = case["name"].as_str().unwrap();
        let plan: CleanPlan = serde_json::from_value(case["plan"].clone())
            .unwrap_or_else(|e| panic!("{name}: plan does not parse: {e}"));
        let (out, report) = run(&plan, &schema, std::slice::from_ref(&batch));
        for size in [1, 7, 64] {
            let (o, r) = run(&plan, &schema, &split(&batch, size));
            assert_eq!(o, out, "{name}: batches of {size} give another result");
            assert_eq!(r, report, "{name}: batches of {size} give another report");
        }
        let (o, r) = run_uncached(&plan, &schema, &split(&batch, 7));
        assert_eq!(
            o, out,
            "{name}: fitting without the cache gives another result"
        );
        assert_eq!(
            r, report,
            "{name}: fitting without the cache gives another report"
        );
        // Means and standard deviations are merged across batches (Chan et
        // al.) while pandas sums pairwise: the last bits may differ, so
        // mean fills and z-score caps are compared to 1e-12. Everything else
        // (quantiles included) reproduces pandas bit for bit.
        let text = case["plan"].to_string();
        let rtol = if text.contains("\"mean\"") || text.contains("outliers_zscore") {
            1e-12
        } else {
            0.0
        };

        let exp = &case["expected"];
        let rows: Vec<u64> = exp["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_u64().unwrap())
            .collect();
        assert_eq!(out.num_rows(), rows.len(), "{name}: rows");
        let cols = exp["columns"].as_array().unwrap();
        assert_eq!(out.num_columns(), cols.len(), "{name}: columns");
        for (i, c) in cols.iter().enumerate() {
            let cname = c["name"].as_str().unwrap();
            let kind = c["type"].as_str().unwrap();
            let field = out.schema().field(i).clone();
            assert_eq!(field.name(), cname, "{name}: column {i}");
            assert_eq!(
                field.data_type(),
                &data_type(kind),
                "{name}: type of {cname}"
            );
            let values: Vec<Value> = match c.get("values") {
                Some(v) => v.as_array().unwrap().clone(),
                None => {
                    let from = c["from"].as_str().unwrap();
                    let src = inputs
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|x| x["name"] == from)
                        .unwrap();
                    rows.iter()
                        .map(|&r| src["values"][r as usize].clone())
                        .collect()
                }
            };
            check_column(
                out.column(i).as_ref(),
                kind,
                &values,
                rtol,
                &format!("{name}: {cname}"),
            );
        }
        let steps = case["steps"].as_array().unwrap();
        assert_eq!(report.ops.len(), steps.len());
        let mut before = batch.num_rows() as u64;
        for (op, s) in report.ops.iter().zip(steps) {
            assert_eq!(op.rows_before, before, "{name}: {} rows before", op.op);
            assert_eq!(
                op.rows_after,
                s["rows_after"].as_u64().unwrap(),
                "{name}: {} rows after",
                op.op
            );
            assert_eq!(
                op.cells_changed,
                s["cells_changed"].as_u64().unwrap(),
                "{name}: {} cells changed",
                op.op
            );
            assert_eq!(
                op.failures,
                s["failures"].as_u64().unwrap(),
                "{name}: {} failures",
                op.op
            );
            before = op.rows_after;
        }
        assert_eq!(report.rows_in, batch.num_rows() as u64);
        assert_eq!(report.rows_out, rows.len() as u64);
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases");
}

#[test]
fn streaming_quantiles_are_exact_on_large_inputs() {
    for case in common::cases("clean")
        .iter()
        .filter(|c| c.get("qs").is_some())
    {
        let x = common::data(&case["data"]);
        let qs = common::data(&case["qs"]);
        let mut e = ExactQuantiles::new(&qs);
        let mut passes = 0;
        while e.needs_pass() {
            for chunk in x.chunks(65_536) {
                chunk.iter().for_each(|&v| e.observe(v));
            }
            e.end_pass();
            passes += 1;
        }
        assert!(passes <= 5);
        let name = case["name"].as_str().unwrap();
        // numpy's interpolation is reproduced operation for operation: exact.
        for (q, want) in qs.iter().zip(common::data(&case["quantiles"])) {
            common::assert_close(
                e.quantile(*q, "x").unwrap(),
                want,
                0.0,
                0.0,
                &format!("{name} q={q}"),
            );
        }
        common::assert_close(
            e.median("x").unwrap(),
            common::num(&case["median"]),
            0.0,
            0.0,
            name,
        );
    }
}

fn plan(ops: Value) -> CleanPlan {
    serde_json::from_value(json!({ "ops": ops })).unwrap()
}

fn refuse(ops: Value) -> String {
    let (schema, _) = input();
    Cleaner::new(&plan(ops), schema).unwrap_err().to_string()
}

#[test]
fn bad_plans_are_refused_with_the_allowed_values() {
    let bad = |v: Value| {
        serde_json::from_value::<CleanPlan>(v)
            .unwrap_err()
            .to_string()
    };
    let e = bad(json!({"ops": [{"op": "drop_nulls"}]}));
    assert!(e.contains("drop_missing") && e.contains("winsorize"), "{e}");
    let e = bad(json!({"ops": [{"op": "fill_missing", "columns": ["x"], "method": "average"}]}));
    assert!(e.contains("median") && e.contains("ffill"), "{e}");
    let e = bad(json!({"ops": [{"op": "drop_missing", "colums": ["x"]}]}));
    assert!(e.contains("colums"), "{e}");
    let e = bad(json!({"ops": [{"op": "filter", "column": "x", "cmp": "=~", "value": 1}]}));
    assert!(e.contains("not_in"), "{e}");
}

#[test]
fn bad_columns_and_parameters_are_named() {
    let e = refuse(json!([{"op": "drop_duplicates", "columns": ["revenu"]}]));
    assert!(
        e.contains("ops[0]") && e.contains("'revenu'") && e.contains("x, k, n, g"),
        "{e}"
    );
    let e = refuse(
        json!([{"op": "rename", "columns": {"x": "y"}}, {"op": "fill_missing", "columns": ["x"], "method": "ffill"}]),
    );
    assert!(
        e.contains("ops[1]") && e.contains("'x'") && e.contains("y, k"),
        "{e}"
    );
    let e = refuse(json!([{"op": "fill_missing", "columns": ["g"], "method": "mean"}]));
    assert!(e.contains("column 'g'") && e.contains("numeric"), "{e}");
    let e = refuse(json!([{"op": "outliers_iqr", "columns": ["x"], "k": -1}]));
    assert!(e.contains("ops[0] (outliers_iqr).k"), "{e}");
    let e = refuse(json!([{"op": "outliers_zscore", "columns": ["x"], "threshold": 0}]));
    assert!(e.contains("threshold"), "{e}");
    let e = refuse(json!([{"op": "winsorize", "columns": ["x"], "lower": 0.9, "upper": 0.1}]));
    assert!(e.contains("lower"), "{e}");
    let e = refuse(json!([{"op": "winsorize", "columns": ["x"], "lower": 5, "upper": 95}]));
    assert!(e.contains("[0, 1]"), "{e}");
    let e = refuse(json!([{"op": "fill_missing", "columns": ["x"], "method": "constant"}]));
    assert!(e.contains("value"), "{e}");
    let e = refuse(
        json!([{"op": "fill_missing", "columns": ["n"], "method": "constant", "value": 2.5}]),
    );
    assert!(e.contains("column 'n'"), "{e}");
    let e = refuse(json!([{"op": "fill_missing", "columns": ["x"], "method": "mean", "value": 1}]));
    assert!(e.contains("constant"), "{e}");
    let e = refuse(json!([{"op": "filter", "column": "x", "cmp": ">", "value": "abc"}]));
    assert!(e.contains("a number") && e.contains("'x'"), "{e}");
    let e = refuse(json!([{"op": "filter", "column": "g", "cmp": "in", "value": "a"}]));
    assert!(e.contains("list"), "{e}");
    let e = refuse(json!([{"op": "filter", "column": "g", "cmp": "=="}]));
    assert!(e.contains("value"), "{e}");
    let e = refuse(json!([{"op": "filter", "column": "g", "cmp": "is_null", "value": "a"}]));
    assert!(e.contains("no value"), "{e}");
    let e = refuse(
        json!([{"op": "drop_columns", "columns": ["x", "k", "n", "g", "b", "s", "d", "t"]}]),
    );
    assert!(e.contains("remain"), "{e}");
    let e = refuse(json!([{"op": "rename", "columns": {"x": "k"}}]));
    assert!(e.contains("'k'"), "{e}");
    let e = refuse(json!([{"op": "normalize_text", "columns": ["x"]}]));
    assert!(e.contains("text column"), "{e}");
    let e = refuse(json!([{"op": "drop_missing", "columns": []}]));
    assert!(e.contains("at least one"), "{e}");
    let e = refuse(json!([{"op": "cast", "columns": ["x", "x"], "to": "int"}]));
    assert!(e.contains("twice"), "{e}");
}

fn one_column(values: Vec<Option<f64>>) -> (SchemaRef, RecordBatch) {
    let schema = Arc::new(Schema::new(vec![Field::new("v", DataType::Float64, true)]));
    let b =
        RecordBatch::try_new(schema.clone(), vec![Arc::new(Float64Array::from(values))]).unwrap();
    (schema, b)
}

#[test]
fn degenerate_data_gives_errors_not_panics() {
    let (schema, b) = one_column(vec![None, Some(f64::NAN)]);
    for (ops, needle) in [
        (
            json!([{"op": "fill_missing", "columns": ["v"], "method": "mean"}]),
            "mean fill",
        ),
        (
            json!([{"op": "fill_missing", "columns": ["v"], "method": "median"}]),
            "median fill",
        ),
        (
            json!([{"op": "fill_missing", "columns": ["v"], "method": "mode"}]),
            "mode fill",
        ),
        (
            json!([{"op": "outliers_iqr", "columns": ["v"]}]),
            "column 'v'",
        ),
        (
            json!([{"op": "outliers_zscore", "columns": ["v"]}]),
            "column 'v'",
        ),
    ] {
        let e = clean_batches(&plan(ops), schema.clone(), std::slice::from_ref(&b)).unwrap_err();
        assert!(matches!(e, Error::TooFewObservations { .. }), "{e}");
        assert!(e.to_string().contains(needle), "{e}");
    }
    // No rows at all: the same answer, and plans without statistics pass.
    let e = clean_batches(
        &plan(json!([{"op": "outliers_iqr", "columns": ["v"]}])),
        schema.clone(),
        &[],
    )
    .unwrap_err();
    assert!(matches!(e, Error::TooFewObservations { .. }), "{e}");
    let (out, report) = clean_batches(
        &plan(json!([{"op": "filter", "column": "v", "cmp": ">", "value": 1}])),
        schema.clone(),
        &[],
    )
    .unwrap();
    assert!(out.is_empty());
    assert_eq!(report.rows_out, 0);

    let (schema, b) = one_column(vec![Some(2.0), Some(2.0), None]);
    let e = clean_batches(
        &plan(json!([{"op": "outliers_zscore", "columns": ["v"]}])),
        schema.clone(),
        &[b],
    )
    .unwrap_err();
    assert!(matches!(e, Error::ZeroVariance { .. }), "{e}");
}

#[test]
fn a_failing_cast_names_the_value_when_asked_to_fail() {
    let (schema, batch) = input();
    let p = plan(json!([{"op": "cast", "columns": ["s"], "to": "float", "on_error": "fail"}]));
    let e = clean_batches(&p, schema.clone(), std::slice::from_ref(&batch)).unwrap_err();
    assert!(matches!(e, Error::CastFailed { .. }), "{e}");
    assert!(
        e.to_string().contains("column 's'") && e.to_string().contains("float"),
        "{e}"
    );
    // Values that all convert pass under on_error = fail.
    let p = plan(json!([{"op": "cast", "columns": ["n"], "to": "float", "on_error": "fail"}]));
    let (_, r) = clean_batches(&p, schema, &[batch]).unwrap();
    assert_eq!(r.ops[0].failures, 0);
}

#[test]
fn apply_before_fit_is_refused() {
    let (schema, batch) = input();
    let mut c = Cleaner::new(&plan(json!([{"op": "drop_duplicates"}])), schema).unwrap();
    assert!(c.needs_fit());
    assert!(c.apply(&batch).is_err());
}

#[test]
fn duplicates_are_compared_exactly_not_by_hash_alone() {
    // Many distinct rows and their exact copies, in batches of 3: the
    // result keeps each distinct row once, in first-seen order.
    let vals: Vec<Option<f64>> = (0..5000).map(|i| Some((i % 2500) as f64)).collect();
    let (schema, b) = one_column(vals);
    let (out, r) = clean_batches(
        &plan(json!([{"op": "drop_duplicates"}])),
        schema,
        &split(&b, 3),
    )
    .unwrap();
    assert_eq!(r.rows_out, 2500);
    let all = arrow_select::concat::concat_batches(&out[0].schema(), &out).unwrap();
    let v = all.column(0).as_primitive::<Float64Type>();
    assert!(v.values().iter().enumerate().all(|(i, &x)| x == i as f64));
}

#[test]
fn plans_round_trip_through_json() {
    let case = common::cases("clean")
        .into_iter()
        .find(|c| c["name"] == "typical_plan")
        .unwrap();
    let p: CleanPlan = serde_json::from_value(case["plan"].clone()).unwrap();
    let back: CleanPlan = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(p, back);
    let (schema, batch) = input();
    let (_, report) = clean_batches(&p, schema, &[batch]).unwrap();
    assert!(
        report.summary().contains("drop_duplicates: 125 → 120 rows"),
        "{}",
        report.summary()
    );
    assert!(
        report.ops[2].details[0].starts_with("x: filled with"),
        "{:?}",
        report.ops[2].details
    );
}
