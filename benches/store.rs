//! Per-variant A/B sufficient statistics of a stored 10,000,000-unit
//! experiment (variant text "control"/"treatment", covariate x ~ N(10, 3),
//! metric y = 2 + 0.8x + 0.01·B + noise, the data of benches/ab.rs), three
//! ways:
//!
//! - `clickhouse_push_down_1e7`: `ClickHouseStore::variant_moments`, one
//!   `GROUP BY` on the server (ClickHouse 18.16 from scripts/services.sh,
//!   address in `ABSTAT_TEST_CLICKHOUSE`; unset is a failure);
//! - `local_parquet_1e7`: `LocalStore::variant_moments`, three columns read
//!   from zstd Parquet and reduced by abstat-core's one-pass reduction;
//! - `clickhouse_insert_1e6`: storing 1,000,000 rows of it in ClickHouse
//!   (create, then delete, per iteration).
//!
//! The peer (benches/store_peers.py) runs pandas' groupby on the same
//! numbers, from memory and from Parquet.
//!
//! ```sh
//! scripts/services.sh start clickhouse && source target/services/env
//! cargo bench --features clickhouse --bench store
//! ```

#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use abstat::io::{ClickHouseStore, DatasetStore, LocalStore, MomentsQuery};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use criterion::{Criterion, criterion_group, criterion_main};

const N: usize = 10_000_000;
const BATCH: usize = 1 << 16;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("variant", DataType::Utf8, false),
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Float64, false),
    ]))
}

/// As `data()` in benches/ab.rs and the peer script, in batches.
fn data(n: usize) -> Vec<RecordBatch> {
    let u = common::det_uniform(7, n);
    let x = common::det_normal(11, n, 10.0, 3.0);
    let noise = common::det_normal(13, n, 0.0, 1.5);
    (0..n)
        .step_by(BATCH)
        .map(|start| {
            let r = start..(start + BATCH).min(n);
            let variant: StringArray = u[r.clone()]
                .iter()
                .map(|&u| Some(if u >= 0.5 { "treatment" } else { "control" }))
                .collect();
            let y: Float64Array = r
                .clone()
                .map(|i| 2.0 + 0.8 * x[i] + 0.01 * f64::from(u8::from(u[i] >= 0.5)) + noise[i])
                .map(Some)
                .collect();
            let columns: Vec<ArrayRef> = vec![
                Arc::new(variant),
                Arc::new(Float64Array::from(x[r].to_vec())),
                Arc::new(y),
            ];
            RecordBatch::try_new(schema(), columns).unwrap()
        })
        .collect()
}

fn clickhouse(prefix: &str) -> ClickHouseStore {
    let url = std::env::var("ABSTAT_TEST_CLICKHOUSE").expect(
        "ABSTAT_TEST_CLICKHOUSE is not set: scripts/services.sh start clickhouse, then source target/services/env",
    );
    ClickHouseStore::connect_with_prefix(&url, prefix).unwrap()
}

fn bench(c: &mut Criterion) {
    let batches = data(N);
    let stamp = std::process::id();
    let remote = clickhouse(&format!("bench{stamp}_"));
    remote
        .create("exp", schema(), &mut batches.clone().into_iter().map(Ok))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    local
        .create("exp", schema(), &mut batches.into_iter().map(Ok))
        .unwrap();
    let query = MomentsQuery::new("variant", "y").with_covariate("x");

    let mut g = c.benchmark_group("store");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("clickhouse_push_down_1e7", |b| {
        b.iter(|| remote.variant_moments("exp", None, &query).unwrap())
    });
    g.bench_function("local_parquet_1e7", |b| {
        b.iter(|| local.variant_moments("exp", None, &query).unwrap())
    });
    let small = data(1_000_000);
    let mut k = 0u32;
    g.bench_function("clickhouse_insert_1e6", |b| {
        b.iter(|| {
            k += 1;
            let id = format!("ins{k}");
            remote
                .create(&id, schema(), &mut small.clone().into_iter().map(Ok))
                .unwrap();
            remote.delete(&id).unwrap();
        })
    });
    g.finish();
    remote.delete("exp").unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
