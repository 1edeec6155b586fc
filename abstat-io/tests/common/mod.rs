//! Shared helpers for abstat-io's integration tests: the committed corpus
//! (made by `scripts/make_io_corpus.py`) and its `expected.json`.

#![allow(dead_code)]

use std::path::PathBuf;

use abstat_io::{DatasetReader, ReadOptions, ReadReport, read_path};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use serde_json::Value;

pub fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
}

pub fn expected() -> Value {
    let text = std::fs::read_to_string(corpus("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn open(name: &str, opts: &ReadOptions) -> abstat_io::Result<DatasetReader> {
    read_path(corpus(name), opts)
}

pub fn read(name: &str, opts: &ReadOptions) -> (Vec<RecordBatch>, ReadReport) {
    open(name, opts).unwrap().read_all().unwrap()
}

/// One column over all batches as JSON values: numbers, booleans, text;
/// dates as "YYYY-MM-DD", timestamps as "YYYY-MM-DD HH:MM:SS".
pub fn column(batches: &[RecordBatch], name: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for b in batches {
        let a = b
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", b.schema()));
        for i in 0..a.len() {
            if a.is_null(i) {
                out.push(Value::Null);
                continue;
            }
            out.push(match a.data_type() {
                DataType::Int64 => Value::from(a.as_primitive::<Int64Type>().value(i)),
                DataType::Float64 => Value::from(a.as_primitive::<Float64Type>().value(i)),
                DataType::Boolean => Value::from(a.as_boolean().value(i)),
                DataType::Utf8 => Value::from(a.as_string::<i32>().value(i)),
                DataType::LargeUtf8 => Value::from(a.as_string::<i64>().value(i)),
                DataType::Date32 => {
                    let d = a.as_primitive::<Date32Type>().value_as_date(i).unwrap();
                    Value::from(d.format("%Y-%m-%d").to_string())
                }
                DataType::Timestamp(_, _) => {
                    let t = a
                        .as_primitive::<TimestampMicrosecondType>()
                        .value_as_datetime(i)
                        .unwrap();
                    Value::from(t.format("%Y-%m-%d %H:%M:%S").to_string())
                }
                other => panic!("unexpected type {other}"),
            });
        }
    }
    out
}

/// Compare a read column with expected JSON values; numbers as f64
/// exactly (the corpus writes them with repr(), which round-trips).
pub fn assert_column(batches: &[RecordBatch], name: &str, expected: &Value) {
    let got = column(batches, name);
    let want = expected.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "column {name}: row count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        match (g.as_f64(), w.as_f64()) {
            (Some(a), Some(b)) => assert_eq!(a, b, "column {name} row {i}"),
            _ => assert_eq!(g, w, "column {name} row {i}"),
        }
    }
}
