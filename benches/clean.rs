//! Cleaning 1,000,000 rows with a typical plan (duplicates, missing values,
//! median fill, IQR capping, text normalisation, mean fill, a filter, a
//! rename), streamed in batches of 65,536 rows: fit passes included.
//! benches/clean_peers.py times pandas on the same table and plan.

mod splitmix;

use std::sync::Arc;

use abstat::core::clean::{CleanPlan, clean_batches};
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ROWS: usize = 1_000_000;
const BATCH: usize = 65_536;
const VARIANTS: [&str; 6] = ["A", "B", " a", "b ", "A  ", "control"];

/// The table clean_peers.py builds: user_id = ⌊u·900 000⌋ (so about 10 %
/// repeats, many of them whole-row duplicates), variant from VARIANTS
/// (missing every 50th row), revenue normal(100, 30) with every 20th row
/// missing and every 1000th ×50, pre normal(90, 25) with every 30th missing.
fn table() -> (Arc<Schema>, Vec<RecordBatch>) {
    let u = splitmix::uniform(31, ROWS);
    let v = splitmix::uniform(32, ROWS);
    let revenue = splitmix::normal(33, ROWS, 100.0, 30.0);
    let pre = splitmix::normal(35, ROWS, 90.0, 25.0);
    let user: Vec<i64> = u.iter().map(|x| (x * 900_000.0) as i64).collect();
    // Duplicate rows: row i copies row i − 1 when its user id is even and
    // i is a multiple of 7.
    let src = |i: usize| {
        if i.is_multiple_of(7) && i > 0 && user[i] % 2 == 0 {
            i - 1
        } else {
            i
        }
    };
    let variant: Vec<Option<&str>> = (0..ROWS)
        .map(|i| {
            let j = src(i);
            (j % 50 != 0).then(|| VARIANTS[(v[j] * 6.0) as usize])
        })
        .collect();
    let rev: Vec<Option<f64>> = (0..ROWS)
        .map(|i| {
            let j = src(i);
            (j % 20 != 0).then(|| {
                if j % 1000 == 1 {
                    revenue[j] * 50.0
                } else {
                    revenue[j]
                }
            })
        })
        .collect();
    let pre: Vec<Option<f64>> = (0..ROWS)
        .map(&src)
        .map(|j| (j % 30 != 0).then_some(pre[j]))
        .collect();
    let user: Vec<i64> = (0..ROWS).map(|i| user[src(i)]).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Int64, true),
        Field::new("variant", DataType::Utf8, true),
        Field::new("revenue", DataType::Float64, true),
        Field::new("pre", DataType::Float64, true),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(user)),
        Arc::new(StringArray::from(variant)),
        Arc::new(Float64Array::from(rev)),
        Arc::new(Float64Array::from(pre)),
    ];
    let all = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let batches = (0..ROWS)
        .step_by(BATCH)
        .map(|o| all.slice(o, BATCH.min(ROWS - o)))
        .collect();
    (schema, batches)
}

fn plan() -> CleanPlan {
    serde_json::from_str(
        r#"{"ops": [
            {"op": "drop_duplicates"},
            {"op": "drop_missing", "columns": ["variant"]},
            {"op": "fill_missing", "columns": ["revenue"], "method": "median"},
            {"op": "outliers_iqr", "columns": ["revenue"], "k": 1.5, "action": "cap"},
            {"op": "normalize_text", "columns": ["variant"], "case": "lower"},
            {"op": "fill_missing", "columns": ["pre"], "method": "mean"},
            {"op": "filter", "column": "user_id", "cmp": ">=", "value": 1000},
            {"op": "rename", "columns": {"pre": "pre_period"}}
        ]}"#,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let (schema, batches) = table();
    let plan = plan();
    let (_, report) = clean_batches(&plan, schema.clone(), &batches).unwrap();
    eprintln!("clean bench: {}", report.summary());
    let mut g = c.benchmark_group("clean");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("typical_plan_1M_rows", |b| {
        b.iter(|| {
            clean_batches(&plan, schema.clone(), &batches)
                .unwrap()
                .1
                .rows_out
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
