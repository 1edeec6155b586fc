//! One upload, end to end: read any supported file, profile it and store it
//! as version 1 of a new dataset, in a single streaming pass.

use abstat_core::profile::{DatasetProfile, ProfileOptions, Profiler};
use arrow_array::RecordBatch;

use crate::reader::DatasetReader;
use crate::report::ReadReport;
use crate::store::{DatasetInfo, DatasetStore};
use crate::{ReadOptions, Result, read_bytes, read_path_as};

/// What [`ingest_bytes`] produced.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The stored dataset.
    pub info: DatasetInfo,
    /// Its profile.
    pub profile: DatasetProfile,
    /// What the reader detected and skipped.
    pub report: ReadReport,
}

/// Read `bytes` (a file called `name`, which helps format detection), profile
/// every batch as it streams past, and store it under `id`. Nothing is stored
/// when reading fails: the store's writes only become visible when complete.
pub fn ingest_bytes(
    store: &dyn DatasetStore,
    id: &str,
    bytes: impl Into<bytes::Bytes>,
    name: &str,
    read: &ReadOptions,
    profile: ProfileOptions,
) -> Result<Ingested> {
    ingest(store, id, read_bytes(bytes, name, read)?, profile)
}

/// [`ingest_bytes`] for a file on disk (an upload spooled to a temporary
/// file, so memory stays bounded by the batch size, not the file size).
/// `name` is the user's file name, which helps format detection.
pub fn ingest_path(
    store: &dyn DatasetStore,
    id: &str,
    path: &std::path::Path,
    name: &str,
    read: &ReadOptions,
    profile: ProfileOptions,
) -> Result<Ingested> {
    ingest(store, id, read_path_as(path, name, read)?, profile)
}

fn ingest(
    store: &dyn DatasetStore,
    id: &str,
    mut reader: DatasetReader,
    profile: ProfileOptions,
) -> Result<Ingested> {
    let schema = reader.schema();
    let mut profiler = Profiler::new(&schema, profile)?;
    // The profile is computed on a thread of its own while the store
    // writes, a few batches behind; both see every batch in order.
    let (info, profiler) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(PROFILE_QUEUE);
        let profiling = scope.spawn(move || -> Result<Profiler> {
            for batch in rx {
                profiler.update(&batch)?;
            }
            Ok(profiler)
        });
        let mut profiled = (&mut reader).map(|batch| {
            let batch = batch?;
            // A closed channel means the profiler failed: its error is
            // returned below.
            let _ = tx.send(batch.clone());
            Ok(batch)
        });
        let stored = store.create(id, schema, &mut profiled);
        drop(profiled);
        drop(tx);
        let profiled = profiling
            .join()
            .expect("the profiling thread does not panic");
        (stored, profiled)
    });
    let (info, profiler) = (info?, profiler?);
    Ok(Ingested {
        info,
        profile: profiler.finish(),
        report: reader.report().clone(),
    })
}

/// Batches queued between the reader and the profiling thread.
const PROFILE_QUEUE: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LocalStore;

    #[test]
    fn a_csv_upload_is_stored_profiled_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let csv = "variant;revenue\nA;1,5\nB;2,5\nA;3,0\n";
        let got = ingest_bytes(
            &store,
            "d1",
            csv.as_bytes().to_vec(),
            "exp.csv",
            &ReadOptions::default(),
            ProfileOptions::default(),
        )
        .unwrap();
        assert_eq!(got.info.latest().unwrap().rows, 3);
        assert_eq!(got.profile.rows, 3);
        assert_eq!(store.describe("d1").unwrap(), got.info);
        assert_eq!(got.report.rows, 3);
    }

    #[test]
    fn a_spooled_file_is_detected_by_the_user_s_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path().join("store")).unwrap();
        let spooled = dir.path().join("upload-0001.tmp");
        std::fs::write(&spooled, "a\tb\n1\t2\n3\t4\n").unwrap();
        let got = ingest_path(
            &store,
            "d1",
            &spooled,
            "data.tsv",
            &ReadOptions::default(),
            ProfileOptions::default(),
        )
        .unwrap();
        let v = got.info.latest().unwrap();
        assert_eq!((v.rows, v.columns.len()), (2, 2));
    }

    #[test]
    fn a_file_that_cannot_be_read_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let err = ingest_bytes(
            &store,
            "d1",
            Vec::new(),
            "empty.csv",
            &ReadOptions::default(),
            ProfileOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().to_lowercase().contains("empty"), "{err}");
        assert!(store.list().unwrap().is_empty());
    }
}
