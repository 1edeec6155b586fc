//! The ClickHouse dataset store against the real server started by
//! `scripts/services.sh start clickhouse` (Debian's 18.16): the same store
//! contract as the local store, hostile column names, a 1M-row round trip,
//! lineage, delete, the A/B push-down equal to the local reduction, and
//! clear errors.
//!
//! `ABSTAT_TEST_CLICKHOUSE` must name the server; unset is a failure, never
//! a skip:
//!
//! ```sh
//! scripts/services.sh start clickhouse && source target/services/env
//! cargo test -p abstat-io --features clickhouse --test clickhouse
//! ```
#![cfg(feature = "clickhouse")]

mod common;

use std::sync::Arc;

use abstat_core::ab::{ExperimentOptions, MetricInput, MetricStats, analyze};
use abstat_io::{
    ClickHouseStore, DatasetStore, Error, LABEL_KEY, LocalStore, MomentsQuery, ReadOptions,
    VariantMoments,
};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use common::{assert_column, expected, open};

fn server() -> String {
    match std::env::var("ABSTAT_TEST_CLICKHOUSE") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "ABSTAT_TEST_CLICKHOUSE is not set: run `scripts/services.sh start clickhouse` and \
             `source target/services/env` (or point it at a running ClickHouse HTTP port)"
        ),
    }
}

/// A store under a table prefix no earlier run has used, so reruns against
/// a long-lived server never see old datasets.
fn clickhouse_store() -> ClickHouseStore {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000_000;
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let prefix = format!("t{}_{nanos}_{n}_", std::process::id());
    ClickHouseStore::connect_with_prefix(&server(), &prefix)
        .unwrap_or_else(|e| panic!("connect to {}: {e}", server()))
}

fn collect(batches: abstat_io::StoredBatches) -> Vec<RecordBatch> {
    batches.collect::<abstat_io::Result<_>>().unwrap()
}

fn store_file(store: &dyn DatasetStore, id: &str, file: &str) {
    let mut reader = open(file, &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    store.create(id, schema, &mut reader).unwrap();
}

/// Everything a `DatasetStore` promises, run on any backend. Returns what
/// was read, so two backends can be compared batch by batch.
fn store_contract(store: &dyn DatasetStore) -> Vec<Vec<RecordBatch>> {
    let mut seen = Vec::new();
    store_file(store, "basic", "basic.csv");
    store_file(store, "sales", "sales_cp1251.csv");

    // Projection, in the order asked, batches of at most 3 rows.
    let exp = expected();
    let (schema, batches) = store
        .read("basic", None, Some(&["city", "price"]), 3)
        .unwrap();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["city", "price"]);
    let batches = collect(batches);
    assert_eq!(batches[0].schema(), schema);
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [3, 3, 2]
    );
    assert_column(&batches, "price", &exp["basic"]["values"]["price"]);
    assert_column(&batches, "city", &exp["basic"]["values"]["city"]);
    seen.push(batches);

    // Every type, nulls included, comes back as written.
    let (_, all) = store.read("basic", None, None, usize::MAX).unwrap();
    let all = collect(all);
    assert_eq!(all.len(), 1);
    for column in ["id", "price", "flag", "day", "ts", "city"] {
        assert_column(&all, column, &exp["basic"]["values"][column]);
    }
    seen.push(all);

    // Original names survive as labels in the schema and the description.
    let (schema, sales) = store.read("sales", None, None, 1024).unwrap();
    assert_eq!(
        schema.field_with_name("Gorod").unwrap().metadata()[LABEL_KEY],
        "Город"
    );
    seen.push(collect(sales));
    let info = store.describe("sales").unwrap();
    let v1 = info.latest().unwrap();
    assert_eq!((v1.version, v1.rows, v1.parent), (1, 4, None));
    assert_eq!(v1.columns[0].label.as_deref(), Some("Город"));

    // Lineage: a derived version names its parent; both stay readable.
    let (schema, batches) = store.read("basic", Some(1), Some(&["id"]), 1024).unwrap();
    let kept: Vec<_> = batches.map(|b| b.map(|b| b.slice(0, 2))).collect();
    let v2 = store
        .add_version(
            "basic",
            1,
            "clean: first two rows",
            schema,
            &mut kept.into_iter(),
        )
        .unwrap();
    assert_eq!((v2.version, v2.parent, v2.rows), (2, Some(1), 2));
    assert_eq!(v2.note, "clean: first two rows");
    let (_, latest) = store.read("basic", None, None, 1024).unwrap();
    let latest = collect(latest);
    assert_column(&latest, "id", &serde_json::json!([1, 2]));
    seen.push(latest);
    let (_, first) = store.read("basic", Some(1), None, 1024).unwrap();
    assert_eq!(
        collect(first)
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        8
    );
    let versions: Vec<(u32, Option<u32>)> = store
        .describe("basic")
        .unwrap()
        .versions
        .iter()
        .map(|v| (v.version, v.parent))
        .collect();
    assert_eq!(versions, [(1, None), (2, Some(1))]);

    // Refusals.
    assert!(matches!(
        store.read("basic", Some(9), None, 10),
        Err(Error::NotFound {
            version: Some(9),
            ..
        })
    ));
    assert!(matches!(
        store.add_version(
            "basic",
            7,
            "x",
            Arc::new(Schema::empty()),
            &mut std::iter::empty()
        ),
        Err(Error::NotFound {
            version: Some(7),
            ..
        })
    ));
    assert!(matches!(
        store.read("basic", None, Some(&["nope"]), 10),
        Err(Error::NoSuchColumn { .. })
    ));
    assert!(matches!(
        store.describe("nothing"),
        Err(Error::NotFound { .. })
    ));
    for id in ["", "../etc", "A", "x/y", ".hidden", "a`b"] {
        let mut reader = open("basic.csv", &ReadOptions::default()).unwrap();
        let schema = reader.schema();
        assert!(
            matches!(
                store.create(id, schema, &mut reader),
                Err(Error::InvalidId { .. })
            ),
            "{id}"
        );
    }
    let mut reader = open("basic.csv", &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    assert!(matches!(
        store.create("basic", schema, &mut reader),
        Err(Error::InvalidOption { .. })
    ));

    // A stream that fails midway leaves no version.
    let (schema, batches) = store.read("sales", None, None, 2).unwrap();
    let failing = batches
        .take(1)
        .chain(std::iter::once(Err(Error::Empty { name: "x".into() })));
    assert!(
        store
            .add_version("sales", 1, "broken", schema, &mut failing.into_iter())
            .is_err()
    );
    assert_eq!(store.describe("sales").unwrap().versions.len(), 1);

    // List and delete; a deleted id can be used again.
    let ids: Vec<String> = store.list().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["basic", "sales"]);
    store.delete("basic").unwrap();
    assert!(matches!(
        store.describe("basic"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(store.delete("basic"), Err(Error::NotFound { .. })));
    assert_eq!(store.list().unwrap().len(), 1);
    store_file(store, "basic", "basic.csv");
    assert_eq!(store.describe("basic").unwrap().versions.len(), 1);
    seen
}

#[test]
fn both_backends_keep_the_store_contract_and_read_back_the_same_batches() {
    let dir = tempfile::tempdir().unwrap();
    let local = store_contract(&LocalStore::open(dir.path()).unwrap());
    let remote = store_contract(&clickhouse_store());
    assert_eq!(local, remote);
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema, columns).unwrap()
}

#[test]
fn hostile_column_names_are_just_columns() {
    let store = clickhouse_store();
    let names = [
        "x`); DROP TABLE y; --",
        "x'); DROP TABLE y; --",
        "a\"b",
        "back\\slash`",
        "new\nline\r\ttab",
        "what? and ??",
        "💰 revenue",
        "Выручка",
        "a.b",
        " ",
    ];
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Int64, true))
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = (0..names.len() as i64)
        .map(|i| Arc::new(Int64Array::from(vec![Some(i), None, Some(-i)])) as ArrayRef)
        .collect();
    let written = batch(schema.clone(), columns);
    store
        .create("hostile", schema, &mut std::iter::once(Ok(written.clone())))
        .unwrap();
    let (_, back) = store.read("hostile", None, None, 100).unwrap();
    assert_eq!(collect(back), std::slice::from_ref(&written));
    let (_, one) = store
        .read("hostile", None, Some(&[names[0], names[5]]), 100)
        .unwrap();
    assert_eq!(collect(one)[0].column(1), written.column(5));
    // Push-down with hostile names on every side of the query.
    let q = MomentsQuery::new(names[1], names[0]).with_covariate(names[5]);
    let got = store.variant_moments("hostile", None, &q).unwrap();
    let labels: Vec<&str> = got.iter().map(|v| v.variant.as_str()).collect();
    assert_eq!(labels, ["-1", "1"]);

    // The reader's normalised names and their labels, from a hostile header.
    store_file(&store, "hostile_csv", "hostile_names.csv");
    let (schema, rows) = store.read("hostile_csv", None, None, 10).unwrap();
    let local_dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(local_dir.path()).unwrap();
    store_file(&local, "hostile_csv", "hostile_names.csv");
    let (local_schema, local_rows) = local.read("hostile_csv", None, None, 10).unwrap();
    assert_eq!(schema, local_schema);
    assert_eq!(collect(rows), collect(local_rows));
    assert!(store.list().unwrap().iter().any(|d| d.id == "hostile"));
}

/// Deterministic test data (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn experiment_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("variant", DataType::Utf8, true),
        Field::new("pre", DataType::Float64, true),
        Field::new("revenue", DataType::Float64, true),
        Field::new("converted", DataType::Boolean, true),
        Field::new("clicks", DataType::Int64, true),
    ]))
}

/// `rows` users in batches of 100 000: three variants, a pre-period
/// covariate and revenue (positive, so sums are well conditioned), with
/// NULL and NaN values sprinkled in metric and covariate and a few NULL
/// variants.
fn experiment(rows: usize, seed: u64) -> Vec<RecordBatch> {
    let mut rng = Rng(seed);
    let schema = experiment_schema();
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows {
        let n = (rows - start).min(100_000);
        let (mut id, mut var, mut pre, mut rev, mut conv, mut clicks) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in start..start + n {
            let v = rng.next() % 3;
            let p = 10.0 + 20.0 * rng.uniform();
            let r = 0.8 * p + 5.0 * rng.uniform() + v as f64 * 0.05;
            let u = rng.uniform();
            id.push(i as i64);
            var.push(match (u < 0.001, v) {
                (true, _) => None,
                (_, 0) => Some("control"),
                (_, 1) => Some("treatment"),
                _ => Some("вариант 3"),
            });
            pre.push(if u > 0.99 { None } else { Some(p) });
            rev.push(match u {
                u if (0.5..0.51).contains(&u) => None,
                u if (0.6..0.605).contains(&u) => Some(f64::NAN),
                _ => Some(r),
            });
            conv.push(if u > 0.995 { None } else { Some(r > 17.0) });
            clicks.push(Some((r * 3.0) as i64));
        }
        out.push(batch(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(id)),
                Arc::new(StringArray::from(var)),
                Arc::new(Float64Array::from(pre)),
                Arc::new(Float64Array::from(rev)),
                Arc::new(BooleanArray::from(conv)),
                Arc::new(Int64Array::from(clicks)),
            ],
        ));
        start += n;
    }
    out
}

fn assert_same_moments(local: &[VariantMoments], remote: &[VariantMoments]) {
    assert_eq!(local.len(), remote.len());
    for (l, r) in local.iter().zip(remote) {
        assert_eq!(
            (&l.variant, l.rows, l.moments.n),
            (&r.variant, r.rows, r.moments.n)
        );
        let (a, b) = (l.moments, r.moments);
        for (x, y) in [
            (a.sum, b.sum),
            (a.sum_squares, b.sum_squares),
            (a.sum_x, b.sum_x),
            (a.sum_x_squares, b.sum_x_squares),
            (a.sum_xy, b.sum_xy),
        ] {
            // Both are f64 sums of the same values in different orders
            // (parallel chunks here, the server's threads there): rounding
            // differs by ~√n·ε relative on positive data.
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "{}: {x} vs {y}",
                l.variant
            );
        }
    }
}

fn numbers(v: &serde_json::Value, path: String, out: &mut Vec<(String, f64)>) {
    match v {
        serde_json::Value::Number(n) => out.push((path, n.as_f64().unwrap())),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| numbers(x, format!("{path}[{i}]"), out)),
        serde_json::Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| numbers(x, format!("{path}.{k}"), out)),
        _ => {}
    }
}

#[test]
fn a_million_rows_round_trip_and_push_down_equals_the_local_reduction() {
    let data = experiment(1_000_000, 42);
    let store = clickhouse_store();
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    for s in [&store as &dyn DatasetStore, &local] {
        let info = s
            .create(
                "exp",
                experiment_schema(),
                &mut data.clone().into_iter().map(Ok),
            )
            .unwrap();
        assert_eq!(info.latest().unwrap().rows, 1_000_000);
    }

    // Round trip: same values, same order, batches of the size asked for.
    let (schema, back) = store.read("exp", None, None, 100_000).unwrap();
    assert_eq!(schema, experiment_schema());
    assert_eq!(collect(back), data);
    let (_, back) = store.read("exp", None, Some(&["clicks"]), 300_000).unwrap();
    let sizes: Vec<usize> = collect(back).iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes, [300_000, 300_000, 300_000, 100_000]);

    // Push-down against the local one-pass reduction on the same data.
    let queries = [
        MomentsQuery::new("variant", "revenue").with_covariate("pre"),
        MomentsQuery::new("variant", "revenue"),
        MomentsQuery::new("variant", "converted"),
        MomentsQuery::new("variant", "clicks").with_covariate("revenue"),
        MomentsQuery::new("converted", "revenue"),
        MomentsQuery::new("clicks", "pre"),
    ];
    let mut results = Vec::new();
    for q in &queries {
        let l = local.variant_moments("exp", None, q).unwrap();
        let r = store.variant_moments("exp", None, q).unwrap();
        assert_same_moments(&l, &r);
        results.push((l, r));
    }
    let (l, r) = &results[0];
    assert_eq!(
        l.iter().map(|v| v.variant.as_str()).collect::<Vec<_>>(),
        ["control", "treatment", "вариант 3"]
    );
    // NULL variants are not counted; NULL/NaN metric or covariate rows are
    // counted as rows but not in the moments.
    let total: u64 = r.iter().map(|v| v.rows).sum();
    assert!(total < 1_000_000 && total > 998_000, "{total}");
    assert!(r.iter().all(|v| v.moments.n < v.rows));
    let (l_bool, _) = &results[4];
    assert_eq!(
        l_bool
            .iter()
            .map(|v| v.variant.as_str())
            .collect::<Vec<_>>(),
        ["false", "true"]
    );

    // The same analysis from either set of sums.
    let analysis = |m: &[VariantMoments]| {
        let units: Vec<u64> = m.iter().map(|v| v.rows).collect();
        let weights = vec![1.0 / 3.0; 3];
        let inputs = [
            MetricInput {
                name: "revenue".into(),
                higher_is_better: true,
                variants: m.iter().map(|v| MetricStats::Mean(v.moments.y())).collect(),
            },
            MetricInput {
                name: "revenue (CUPED)".into(),
                higher_is_better: true,
                variants: m
                    .iter()
                    .map(|v| MetricStats::RegressionAdjusted(v.moments))
                    .collect(),
            },
        ];
        let result = analyze(&units, &weights, &inputs, &ExperimentOptions::default()).unwrap();
        let mut out = Vec::new();
        numbers(
            &serde_json::to_value(&result).unwrap(),
            String::new(),
            &mut out,
        );
        out
    };
    let (a, b) = (analysis(l), analysis(r));
    assert_eq!(a.len(), b.len());
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        // Sums agree to ~1e-15 relative, and so do means, variances and the
        // z statistics (to ~1e-13 after the variance's cancellation). A tail
        // p-value ~ exp(−z²/2) turns a relative change δ of z into z²·δ, so
        // p-values below 1e-6 are compared as log p.
        let (x, y) = if *x > 0.0 && *x < 1e-6 && *y > 0.0 {
            (x.ln(), y.ln())
        } else {
            (*x, *y)
        };
        assert!(
            (x - y).abs() <= 1e-10 * x.abs().max(y.abs()) || (x.is_nan() && y.is_nan()),
            "{path}: {x} vs {y}"
        );
    }
}

#[test]
fn values_clickhouse_cannot_hold_are_refused_by_name() {
    let store = clickhouse_store();
    let refuse = |field: Field, column: ArrayRef| {
        let schema = Arc::new(Schema::new(vec![field]));
        let b = batch(schema.clone(), vec![column]);
        let err = store
            .create("refused", schema, &mut std::iter::once(Ok(b)))
            .unwrap_err();
        assert!(matches!(err, Error::NotStorable { .. }), "{err}");
        assert!(store.list().unwrap().is_empty());
        err.to_string()
    };
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    let msg = refuse(
        Field::new("when", ts.clone(), false),
        Arc::new(TimestampMicrosecondArray::from(vec![1_500_000])),
    );
    assert!(
        msg.contains("'when'") && msg.contains("whole seconds"),
        "{msg}"
    );
    refuse(
        Field::new("before_1970", ts, false),
        Arc::new(TimestampMicrosecondArray::from(vec![-1_000_000])),
    );
    refuse(
        Field::new("day", DataType::Date32, false),
        Arc::new(Date32Array::from(vec![-1])),
    );
    let msg = refuse(
        Field::new("small", DataType::Int32, false),
        Arc::new(Int32Array::from(vec![1])),
    );
    assert!(msg.contains("Int32"), "{msg}");
    refuse(
        Field::new("_abstat_row", DataType::Int64, false),
        Arc::new(Int64Array::from(vec![1])),
    );
}

#[test]
fn push_down_refuses_unusable_columns() {
    let store = clickhouse_store();
    store_file(&store, "basic", "basic.csv");
    let bad_metric = MomentsQuery::new("id", "city");
    assert!(matches!(
        store.variant_moments("basic", None, &bad_metric),
        Err(Error::InvalidOption { name: "metric", .. })
    ));
    let bad_variant = MomentsQuery::new("price", "id");
    assert!(matches!(
        store.variant_moments("basic", None, &bad_variant),
        Err(Error::InvalidOption {
            name: "variant",
            ..
        })
    ));
    let missing = MomentsQuery::new("flag", "price").with_covariate("nope");
    assert!(matches!(
        store.variant_moments("basic", None, &missing),
        Err(Error::NoSuchColumn { .. })
    ));
    assert!(matches!(
        store.variant_moments("gone", None, &missing),
        Err(Error::NotFound { .. })
    ));
    // And the local default says the same.
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    store_file(&local, "basic", "basic.csv");
    assert!(matches!(
        local.variant_moments("basic", None, &bad_metric),
        Err(Error::InvalidOption { name: "metric", .. })
    ));
    // Small data, every type of variant: both paths agree exactly.
    for q in [
        MomentsQuery::new("flag", "price").with_covariate("id"),
        MomentsQuery::new("city", "id"),
        MomentsQuery::new("id", "flag"),
    ] {
        assert_eq!(
            store.variant_moments("basic", None, &q).unwrap(),
            local.variant_moments("basic", None, &q).unwrap()
        );
    }
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there.
    let err = ClickHouseStore::connect("http://abstat:s3cret@127.0.0.1:1/db").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Unreachable { .. }), "{msg}");
    assert!(msg.contains("http://abstat:***@127.0.0.1:1/db"), "{msg}");
    assert!(!msg.contains("s3cret"), "{msg}");
    assert!(msg.contains("ABSTAT_CLICKHOUSE_URL"), "{msg}");
    for bad in ["127.0.0.1:8123", "ftp://x:1", "http://"] {
        assert!(
            matches!(
                ClickHouseStore::connect(bad),
                Err(Error::InvalidOption { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        ClickHouseStore::connect_with_prefix(&server(), "Bad-Prefix"),
        Err(Error::InvalidOption { .. })
    ));
}
