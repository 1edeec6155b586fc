//! Cleaning stored datasets: a new version with lineage, the source left
//! untouched, streaming over several batches equal to one batch in memory,
//! and refusals that store nothing.

mod common;

use std::sync::Arc;

use abstat_core::clean::{CleanPlan, clean_batches};
use abstat_io::clean::{CLEAN_BATCH_ROWS, clean_dataset};
use abstat_io::{DatasetStore, Error, LABEL_KEY, LocalStore, ReadOptions};
use arrow_array::{Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use serde_json::json;

fn plan(ops: serde_json::Value) -> CleanPlan {
    serde_json::from_value(json!({ "ops": ops })).unwrap()
}

fn store_file(store: &LocalStore, id: &str, file: &str) {
    let mut reader = common::open(file, &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    store.create(id, schema, &mut reader).unwrap();
}

fn read_all(store: &LocalStore, id: &str, version: u32) -> Vec<RecordBatch> {
    let (_, b) = store.read(id, Some(version), None, 1 << 20).unwrap();
    b.collect::<abstat_io::Result<_>>().unwrap()
}

#[test]
fn a_clean_run_is_a_new_version_and_the_source_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_file(&store, "basic", "basic.csv");
    let v1_file = dir.path().join("basic/v1.parquet");
    let v1_bytes = std::fs::read(&v1_file).unwrap();

    let p = plan(json!([
        {"op": "drop_missing", "columns": ["city"]},
        {"op": "fill_missing", "columns": ["price"], "method": "median"},
        {"op": "rename", "columns": {"price": "unit_price"}}
    ]));
    let (v, report) = clean_dataset(&store, "basic", None, &p).unwrap();
    assert_eq!((v.version, v.parent), (2, Some(1)));
    assert!(
        v.note
            .starts_with("clean: drop_missing, fill_missing, rename; plan {"),
        "{}",
        v.note
    );
    assert_eq!(v.rows, report.rows_out);
    assert_eq!(report.ops.len(), 3);
    assert_eq!(
        std::fs::read(&v1_file).unwrap(),
        v1_bytes,
        "the source file changed"
    );

    // The stored result is what the core computes on the data in memory.
    let source = read_all(&store, "basic", 1);
    let (want, want_report) = clean_batches(&p, source[0].schema(), &source).unwrap();
    let got = read_all(&store, "basic", 2);
    assert_eq!(arrow_select_concat(&got), arrow_select_concat(&want));
    assert_eq!(report, want_report);

    // Cleaning the cleaned version continues the lineage.
    let (v3, _) = clean_dataset(
        &store,
        "basic",
        Some(2),
        &plan(json!([{"op": "drop_duplicates"}])),
    )
    .unwrap();
    assert_eq!((v3.version, v3.parent), (3, Some(2)));
    let info = store.describe("basic").unwrap();
    assert_eq!(info.versions.len(), 3);
    assert_eq!(info.versions[0].note, "upload");
}

fn arrow_select_concat(b: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&b[0].schema(), b).unwrap()
}

#[test]
fn streaming_over_stored_batches_equals_one_batch_in_memory() {
    // Several store batches, duplicates across batch borders, outliers.
    let n = 2 * CLEAN_BATCH_ROWS + 1234;
    let schema = Arc::new(Schema::new(vec![
        Field::new("user", DataType::Int64, true),
        Field::new("revenue", DataType::Float64, true),
    ]));
    let user: Vec<i64> = (0..n as i64).map(|i| i % 100_000).collect();
    let revenue: Vec<Option<f64>> = (0..n)
        .map(|i| match i % 97 {
            0 => None,
            _ => Some(
                ((i % 100_000) as f64 * 0.37).sin() * 50.0 + if i % 1000 == 1 { 1e4 } else { 0.0 },
            ),
        })
        .collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(user)),
            Arc::new(Float64Array::from(revenue)),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store
        .create(
            "big",
            schema.clone(),
            &mut std::iter::once(Ok(batch.clone())),
        )
        .unwrap();
    let p = plan(json!([
        {"op": "drop_duplicates"},
        {"op": "fill_missing", "columns": ["revenue"], "method": "mean"},
        {"op": "outliers_iqr", "columns": ["revenue"], "k": 3.0},
        {"op": "winsorize", "columns": ["revenue"], "lower": 0.01, "upper": 0.99}
    ]));
    let (v, report) = clean_dataset(&store, "big", Some(1), &p).unwrap();
    let (want, want_report) = clean_batches(&p, schema, &[batch]).unwrap();
    assert_eq!(report, want_report);
    assert_eq!(
        v.rows,
        want.iter().map(|b| b.num_rows() as u64).sum::<u64>()
    );
    let got = read_all(&store, "big", 2);
    assert_eq!(arrow_select_concat(&got), arrow_select_concat(&want));
    assert!(
        report.ops[0].rows_after < n as u64,
        "duplicates across batches were dropped"
    );
}

#[test]
fn refused_plans_and_unclean_data_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_file(&store, "basic", "basic.csv");

    let e = clean_dataset(
        &store,
        "basic",
        None,
        &plan(json!([{"op": "drop_columns", "columns": ["prize"]}])),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Clean(_)), "{e}");
    assert!(
        e.to_string().contains("'prize'") && e.to_string().contains("price"),
        "{e}"
    );

    // Data the statistics cannot use: a column with no values after a filter.
    let e = clean_dataset(
        &store,
        "basic",
        None,
        &plan(json!([
            {"op": "filter", "column": "price", "cmp": "is_null"},
            {"op": "fill_missing", "columns": ["price"], "method": "mean"}
        ])),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Clean(_)), "{e}");
    assert!(e.to_string().starts_with("cannot clean"), "{e}");

    let e = clean_dataset(&store, "basic", Some(7), &plan(json!([]))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotFound {
                version: Some(7),
                ..
            }
        ),
        "{e}"
    );
    let e = clean_dataset(&store, "nope", None, &plan(json!([]))).unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert_eq!(store.describe("basic").unwrap().versions.len(), 1);
}

#[test]
fn renamed_columns_lose_their_original_label_and_others_keep_it() {
    assert_eq!(abstat_core::clean::LABEL_KEY, LABEL_KEY);
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_file(&store, "h", "hostile_names.csv");
    let (schema, _) = store.read("h", None, None, 16).unwrap();
    let labelled = schema
        .fields()
        .iter()
        .find(|f| f.metadata().contains_key(LABEL_KEY))
        .unwrap()
        .clone();
    let p: CleanPlan = serde_json::from_value(
        json!({"ops": [{"op": "rename", "columns": {labelled.name().clone(): "renamed"}}]}),
    )
    .unwrap();
    clean_dataset(&store, "h", None, &p).unwrap();
    let (out, _) = store.read("h", Some(2), None, 16).unwrap();
    assert!(
        !out.field_with_name("renamed")
            .unwrap()
            .metadata()
            .contains_key(LABEL_KEY)
    );
    let names = |s: &Schema| {
        s.fields()
            .iter()
            .map(|f| f.name().clone())
            .collect::<Vec<_>>()
    };
    let renamed: Vec<String> = names(&schema)
        .into_iter()
        .map(|n| {
            if &n == labelled.name() {
                "renamed".into()
            } else {
                n
            }
        })
        .collect();
    assert_eq!(names(&out), renamed);
    let others = out
        .fields()
        .iter()
        .filter(|f| f.metadata().contains_key(LABEL_KEY))
        .count();
    let before = schema
        .fields()
        .iter()
        .filter(|f| f.metadata().contains_key(LABEL_KEY))
        .count();
    assert_eq!(others, before - 1);
}
