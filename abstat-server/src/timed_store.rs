//! A [`DatasetStore`] that times every read of the store it wraps into
//! `abstat_dataset_read_duration_seconds{backend}`: the Data dashboard's
//! "Dataset store reads" panel. Writes, listings and deletions pass
//! through untimed.
//!
//! A read is lazy (its batches come as the caller iterates), so it is timed
//! from opening to the moment the caller drops the batches, having read all
//! of them or given up; an A/B `variant_moments` (a `GROUP BY` on
//! ClickHouse) is timed as one call.

use std::sync::Arc;
use std::time::Instant;

use abstat_io::Result;
use abstat_io::{
    DatasetInfo, DatasetStore, MomentsQuery, StoredBatches, VariantMoments, VersionInfo,
};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::jobs::worker::Datasets;
use crate::metrics::Metrics;

/// The wrapped store, its backend label and where the timings go.
pub struct TimedStore {
    inner: Datasets,
    backend: &'static str,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for TimedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedStore")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl TimedStore {
    /// Time the reads of `inner` under `backend` (`local`, `clickhouse`).
    pub fn wrap(inner: Datasets, backend: &'static str, metrics: Arc<Metrics>) -> Datasets {
        metrics.dataset_backend(backend);
        Arc::new(TimedStore {
            inner,
            backend,
            metrics,
        })
    }

    fn observe(&self, started: Instant) {
        self.metrics
            .dataset_read(self.backend, started.elapsed().as_secs_f64());
    }
}

/// Batches that report their read time when dropped.
struct TimedBatches {
    batches: StoredBatches,
    started: Instant,
    backend: &'static str,
    metrics: Arc<Metrics>,
}

impl Iterator for TimedBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.batches.next()
    }
}

impl Drop for TimedBatches {
    fn drop(&mut self) {
        self.metrics
            .dataset_read(self.backend, self.started.elapsed().as_secs_f64());
    }
}

impl DatasetStore for TimedStore {
    fn create(
        &self,
        id: &str,
        schema: SchemaRef,
        batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    ) -> Result<DatasetInfo> {
        self.inner.create(id, schema, batches)
    }

    fn add_version(
        &self,
        id: &str,
        parent: u32,
        note: &str,
        schema: SchemaRef,
        batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
    ) -> Result<VersionInfo> {
        self.inner.add_version(id, parent, note, schema, batches)
    }

    fn read(
        &self,
        id: &str,
        version: Option<u32>,
        columns: Option<&[&str]>,
        batch_size: usize,
    ) -> Result<(SchemaRef, StoredBatches)> {
        let started = Instant::now();
        let (schema, batches) = self
            .inner
            .read(id, version, columns, batch_size)
            .inspect_err(|_| self.observe(started))?;
        let timed = TimedBatches {
            batches,
            started,
            backend: self.backend,
            metrics: Arc::clone(&self.metrics),
        };
        Ok((schema, Box::new(timed)))
    }

    fn list(&self) -> Result<Vec<DatasetInfo>> {
        self.inner.list()
    }

    fn describe(&self, id: &str) -> Result<DatasetInfo> {
        self.inner.describe(id)
    }

    fn delete(&self, id: &str) -> Result<()> {
        self.inner.delete(id)
    }

    fn variant_moments(
        &self,
        id: &str,
        version: Option<u32>,
        query: &MomentsQuery,
    ) -> Result<Vec<VariantMoments>> {
        // The inner store's own implementation: ClickHouse pushes it down.
        let started = Instant::now();
        let moments = self.inner.variant_moments(id, version, query);
        self.observe(started);
        moments
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Float64Array;
    use arrow_schema::{DataType, Field, Schema};

    fn reads(m: &Metrics) -> f64 {
        crate::metrics::samples(&m.render())
            .get("abstat_dataset_read_duration_seconds_count{backend=\"local\"}")
            .copied()
            .unwrap_or(0.0)
    }

    #[test]
    fn a_read_counts_once_its_batches_are_dropped_and_writes_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let local = abstat_io::LocalStore::open(dir.path()).unwrap();
        let metrics = Arc::new(Metrics::new());
        let store = TimedStore::wrap(Arc::new(local), "local", Arc::clone(&metrics));
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, false)]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Float64Array::from(vec![1.0, 2.0]))],
        )
        .unwrap();
        store
            .create("d1", schema, &mut std::iter::once(Ok(batch)))
            .unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
        assert_eq!(
            reads(&metrics),
            0.0,
            "the series exists from the start, at zero"
        );
        assert!(
            metrics
                .render()
                .contains("abstat_dataset_read_duration_seconds_count{backend=\"local\"} 0")
        );

        let (_, batches) = store.read("d1", None, None, 10).unwrap();
        assert_eq!(reads(&metrics), 0.0, "timed until the batches are dropped");
        let rows: usize = batches.map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows, 2);
        assert_eq!(reads(&metrics), 1.0);

        // a failed read is a read too
        assert!(store.read("missing", None, None, 10).is_err());
        assert_eq!(reads(&metrics), 2.0);
    }
}
