//! Column profiles: streaming and merging give the one-pass answer, and
//! degenerate columns are answers, not panics. The numbers themselves are
//! checked against pandas in abstat-io/tests/profile_vs_pandas.rs, on
//! files read by abstat-io.

use std::sync::Arc;

use abstat_core::Error;
use abstat_core::profile::{ColumnKind, ProfileOptions, Profiler, profile};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, true),
        Field::new("n", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("b", DataType::Boolean, true),
        Field::new("d", DataType::Date32, true),
    ]))
}

fn batch(rows: std::ops::Range<i64>) -> RecordBatch {
    let x: Float64Array = rows
        .clone()
        .map(|i| {
            (i % 7 != 3).then(|| {
                if i % 11 == 0 {
                    f64::NAN
                } else {
                    (i as f64).sin() * 10.0
                }
            })
        })
        .collect();
    let n: Int64Array = rows.clone().map(|i| Some(i % 13)).collect();
    let s: StringArray = rows
        .clone()
        .map(|i| (i % 5 != 0).then(|| format!("v{}", i % 4)))
        .collect();
    let b: BooleanArray = rows.clone().map(|i| Some(i % 3 == 0)).collect();
    let d: Date32Array = rows.map(|i| Some((i % 100) as i32 + 19_000)).collect();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(x),
        Arc::new(n),
        Arc::new(s),
        Arc::new(b),
        Arc::new(d),
    ];
    RecordBatch::try_new(schema(), cols).unwrap()
}

#[test]
fn batches_and_merged_chunks_give_the_one_batch_profile() {
    let whole = profile(&schema(), &[batch(0..1000)], ProfileOptions::default()).unwrap();
    let parts: Vec<RecordBatch> = (0..10).map(|k| batch(k * 100..(k + 1) * 100)).collect();
    let streamed = profile(&schema(), &parts, ProfileOptions::default()).unwrap();
    let mut a = Profiler::new(&schema(), ProfileOptions::default()).unwrap();
    let mut b = Profiler::new(&schema(), ProfileOptions::default()).unwrap();
    parts[..3].iter().for_each(|p| a.update(p).unwrap());
    parts[3..].iter().for_each(|p| b.update(p).unwrap());
    a.merge(&b).unwrap();
    let merged = a.finish();
    for p in [&streamed, &merged] {
        assert_eq!(p.rows, whole.rows);
        assert_eq!(p.duplicate_rows, whole.duplicate_rows);
        for (c, w) in p.columns.iter().zip(&whole.columns) {
            assert_eq!(
                (c.count, c.nulls, c.distinct),
                (w.count, w.nulls, w.distinct),
                "{}",
                c.name
            );
            assert_eq!(c.top, w.top, "{}", c.name);
            assert_eq!(c.temporal, w.temporal, "{}", c.name);
            if let (Some(a), Some(b)) = (&c.numeric, &w.numeric) {
                // Summation order differs between one batch and merged
                // chunks: agreement to 1e-12 relative is rounding only.
                assert!((a.mean - b.mean).abs() <= 1e-12 * b.mean.abs().max(1.0));
                assert!((a.std.unwrap() - b.std.unwrap()).abs() <= 1e-12 * b.std.unwrap());
                assert_eq!((a.min, a.max, &a.quantiles), (b.min, b.max, &b.quantiles));
            }
        }
    }
}

#[test]
fn a_profile_updated_on_the_calling_thread_is_the_parallel_one_bit_for_bit() {
    // past the exact limits, so the sketches and estimates take part too
    let options = ProfileOptions {
        exact_distinct_limit: 50,
        exact_quantile_limit: 300,
        exact_row_limit: 400,
        ..Default::default()
    };
    let parts: Vec<RecordBatch> = (0..12).map(|k| batch(k * 250..(k + 1) * 250)).collect();
    let mut parallel = Profiler::new(&schema(), options.clone()).unwrap();
    let mut serial = Profiler::new(&schema(), options).unwrap();
    for p in &parts {
        parallel.update(p).unwrap();
        serial.update_serial(p).unwrap();
    }
    let (parallel, serial) = (parallel.finish(), serial.finish());
    assert_eq!(parallel.rows, 3_000);
    assert!(!parallel.duplicate_rows_exact);
    assert_eq!(format!("{serial:?}"), format!("{parallel:?}"));
}

#[test]
fn nan_counts_as_null_and_kinds_are_named() {
    let p = profile(&schema(), &[batch(0..1000)], ProfileOptions::default()).unwrap();
    let x = &p.columns[0];
    // Nulls at i % 7 == 3, NaN at i % 11 == 0 (and not i % 7 == 3).
    let want_nulls = (0..1000).filter(|i| i % 7 == 3 || i % 11 == 0).count() as u64;
    assert_eq!((x.nulls, x.count), (want_nulls, 1000 - want_nulls));
    let kinds: Vec<ColumnKind> = p.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ColumnKind::Numeric,
            ColumnKind::Numeric,
            ColumnKind::Text,
            ColumnKind::Boolean,
            ColumnKind::Temporal
        ]
    );
    assert_eq!(p.columns[1].distinct, 13);
    let b = &p.columns[3];
    assert_eq!(b.top[0].value, "false");
    assert_eq!(b.top[0].count + b.top[1].count, 1000);
    assert_eq!(p.columns[4].temporal.unwrap().min, 19_000);
}

#[test]
fn empty_all_null_and_single_value_columns_are_answers() {
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
    let empty = profile(&schema, &[], ProfileOptions::default()).unwrap();
    assert_eq!((empty.rows, empty.columns[0].count), (0, 0));
    assert!(empty.columns[0].numeric.is_none());
    let nulls = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Float64Array::from(vec![None, None]))],
    )
    .unwrap();
    let p = profile(&schema, &[nulls], ProfileOptions::default()).unwrap();
    assert_eq!(
        (p.columns[0].nulls, p.columns[0].distinct, p.duplicate_rows),
        (2, 0, 1)
    );
    let one = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Float64Array::from(vec![2.5]))],
    )
    .unwrap();
    let n = profile(&schema, &[one], ProfileOptions::default())
        .unwrap()
        .columns[0]
        .numeric
        .clone()
        .unwrap();
    assert_eq!(
        (n.mean, n.std, n.min, n.quantiles[1].value),
        (2.5, None, 2.5, 2.5)
    );
}

#[test]
fn wrong_schema_and_bad_options_are_errors() {
    let mut p = Profiler::new(&schema(), ProfileOptions::default()).unwrap();
    let other = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
    let b = RecordBatch::try_new(other, vec![Arc::new(Float64Array::from(vec![1.0]))]).unwrap();
    assert!(matches!(p.update(&b), Err(Error::InvalidParameter { .. })));
    for bad in [
        ProfileOptions {
            hll_precision: 30,
            ..Default::default()
        },
        ProfileOptions {
            quantiles: vec![1.5],
            ..Default::default()
        },
        ProfileOptions {
            top_k: 0,
            ..Default::default()
        },
    ] {
        assert!(matches!(
            Profiler::new(&schema(), bad),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
