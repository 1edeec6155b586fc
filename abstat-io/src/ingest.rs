//! One upload, end to end: read any supported file, profile it and store it
//! as version 1 of a new dataset, in a single streaming pass.
//!
//! A delimited text's column types are guessed from its first chunk of
//! rows and verified while reading ([`Inference::Guess`]), which spares a
//! whole pass over the file. When a later cell contradicts the guess (an
//! integer column meets `1.5`, a column empty so far gets a value), the
//! half-written dataset is dropped — the store shows nothing until
//! complete — and the file is ingested again with the exact pass, so the
//! result is always what the exact pass gives. The progress callback then
//! starts again from the first byte.

use abstat_core::profile::{DatasetProfile, ProfileOptions, Profiler};
use arrow_array::RecordBatch;

use crate::reader::{DatasetReader, Inference, open};
use crate::report::ReadReport;
use crate::source::Source;
use crate::store::{DatasetInfo, DatasetStore};
use crate::{ReadOptions, Result};

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
    ingest(store, id, Source::Bytes(bytes.into()), name, read, profile)
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
    ingest(
        store,
        id,
        Source::Path(path.to_path_buf()),
        name,
        read,
        profile,
    )
}

/// Ingest with guessed types, and again with exact ones if the guess is
/// contradicted.
fn ingest(
    store: &dyn DatasetStore,
    id: &str,
    source: Source,
    name: &str,
    read: &ReadOptions,
    profile: ProfileOptions,
) -> Result<Ingested> {
    let mut reader = open(source.clone(), name, read, Inference::Guess)?;
    match ingest_from(store, id, &mut reader, profile.clone()) {
        Err(_) if reader.guess_contradicted() => {
            let mut reader = open(source, name, read, Inference::Exact)?;
            ingest_from(store, id, &mut reader, profile)
        }
        done => done,
    }
}

/// One pass: read, profile and store. After an error the reader tells
/// whether the guessed types were contradicted.
fn ingest_from(
    store: &dyn DatasetStore,
    id: &str,
    reader: &mut DatasetReader,
    profile: ProfileOptions,
) -> Result<Ingested> {
    let schema = reader.schema();
    let mut profiler = Profiler::new(&schema, profile)?;
    // The profile is computed on a thread of its own while the store
    // writes, a few batches behind; both see every batch in order. It
    // does all its work on that thread: its per-batch tasks on rayon's
    // pool queued behind the parsing and encoding jobs there, and the
    // reading waited on the profile (on the 10M-row bench, 0.85 s of a
    // 1.0 s ingest blocked sending it batches).
    let (info, profiler) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(PROFILE_QUEUE);
        let profiling = scope.spawn(move || -> Result<Profiler> {
            for batch in rx {
                profiler.update_serial(&batch)?;
            }
            Ok(profiler)
        });
        let mut profiled = reader.by_ref().map(|batch| {
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

/// Batches queued between the reader and the profiling thread: enough for
/// the profile to fall behind by a row group (16 batches of the default
/// size) without holding up the reading; the queued batches share their
/// buffers with the row group being written.
const PROFILE_QUEUE: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BadRows;
    use crate::store::LocalStore;

    /// Bytes per chunk in the guessing tests: the first chunk holds a few
    /// rows, so every contradiction below comes chunks later.
    const TINY_BLOCK: usize = 200;

    /// `rows` lines `i,<pre>,<x>,<day>` (integer, float, the column under
    /// test, date), with `late` as `x` of row `at` and `early` elsewhere.
    fn late_csv(rows: usize, at: usize, early: &str, late: &str) -> String {
        let mut text = String::from("id,pre,x,day\n");
        for i in 0..rows {
            let x = if i == at { late } else { early };
            let day = 1 + i % 28;
            text.push_str(&format!("{i},{}.25,{x},2024-02-{day:02}\n", i % 97));
        }
        text
    }

    /// Whether reading `text` with types guessed from a tiny first chunk
    /// stops at a contradiction (so the ingest had to read it again).
    fn guess_is_contradicted(text: &str, read: &ReadOptions) -> bool {
        crate::csv::with_block_bytes(TINY_BLOCK, || {
            let source = Source::Bytes(text.as_bytes().to_vec().into());
            let mut reader = open(source, "t.csv", read, Inference::Guess).unwrap();
            let failed = reader.by_ref().any(|b| b.is_err());
            failed && reader.guess_contradicted()
        })
    }

    /// Everything an ingest gives, as comparable text: the stored schema and
    /// rows, the profile and the report, or the error.
    fn outcome(got: Result<Ingested>, store: &LocalStore) -> String {
        let got = match got {
            Ok(g) => g,
            Err(e) => return format!("error: {e}"),
        };
        let (schema, batches) = store.read("d", None, None, 1 << 20).unwrap();
        let batches: Vec<RecordBatch> = batches.map(|b| b.unwrap()).collect();
        let data = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
        format!(
            "{schema:?}\n{data:?}\n{:?}\n{:?}\nrows {:?}",
            got.profile,
            got.report,
            got.info.latest().map(|v| v.rows)
        )
    }

    /// The ingest of `text` with guessed types is the ingest with the
    /// exact pass (both in tiny chunks: the profile's floating-point sums
    /// follow the batches).
    fn same_as_exact(text: &str, read: &ReadOptions) {
        same_file_as_exact(text.as_bytes(), "t.csv", read);
    }

    /// [`same_as_exact`] for any file called `name`.
    fn same_file_as_exact(bytes: &[u8], name: &str, read: &ReadOptions) {
        let source = || Source::Bytes(bytes.to_vec().into());
        let exact = crate::csv::with_block_bytes(TINY_BLOCK, || {
            let dir = tempfile::tempdir().unwrap();
            let store = LocalStore::open(dir.path()).unwrap();
            let got = open(source(), name, read, Inference::Exact)
                .and_then(|mut r| ingest_from(&store, "d", &mut r, ProfileOptions::default()));
            outcome(got, &store)
        });
        let guessed = crate::csv::with_block_bytes(TINY_BLOCK, || {
            let dir = tempfile::tempdir().unwrap();
            let store = LocalStore::open(dir.path()).unwrap();
            let got = ingest_bytes(
                &store,
                "d",
                bytes.to_vec(),
                name,
                read,
                ProfileOptions::default(),
            );
            let out = outcome(got, &store);
            if out.starts_with("error") {
                assert!(store.list().unwrap().is_empty(), "{out}");
            }
            out
        });
        assert_eq!(guessed, exact, "{name}");
    }

    #[test]
    fn every_corpus_file_is_ingested_as_with_the_exact_pass() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files = 0;
        for entry in std::fs::read_dir(corpus).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "expected.json" {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for bad_rows in [BadRows::Fail, BadRows::Skip] {
                let read = ReadOptions {
                    bad_rows,
                    ..Default::default()
                };
                same_file_as_exact(&bytes, &name, &read);
            }
            files += 1;
        }
        assert!(files > 20);
    }

    #[test]
    fn a_late_cell_that_widens_a_guessed_type_gives_the_exact_types() {
        let read = ReadOptions::default();
        // (values of the first rows, the late value): integer to float,
        // float to string, date to datetime and to string, boolean to
        // string, a column empty so far to integer and to string.
        for (early, late) in [
            ("7", "1.5"),
            ("0.5", "abc"),
            ("2024-01-05", "2024-01-05 10:30:00"),
            ("2024-01-05", "2024-13-45"),
            ("true", "maybe"),
            ("", "42"),
            ("NA", "text"),
        ] {
            let text = late_csv(2_000, 1_500, early, late);
            assert!(guess_is_contradicted(&text, &read), "{early} -> {late}");
            same_as_exact(&text, &read);
        }
    }

    #[test]
    fn a_guess_that_holds_is_not_read_twice() {
        let read = ReadOptions::default();
        for (early, late) in [("7", "-3"), ("0.5", "2"), ("", "NA"), ("x", "7")] {
            let text = late_csv(2_000, 1_500, early, late);
            assert!(!guess_is_contradicted(&text, &read), "{early} -> {late}");
            same_as_exact(&text, &read);
        }
    }

    #[test]
    fn errors_and_skipped_rows_after_a_contradiction_name_the_exact_lines() {
        let mut text = late_csv(2_000, 1_500, "7", "1.5");
        // A ragged row after the contradiction: the exact pass fails on it
        // (or skips it) with its line number.
        text.push_str("1,2\n");
        text.push_str(&late_csv(300, 0, "8", "9")["id,pre,x,day\n".len()..]);
        for bad_rows in [BadRows::Fail, BadRows::Skip] {
            let read = ReadOptions {
                bad_rows,
                ..Default::default()
            };
            assert!(guess_is_contradicted(&text, &read));
            same_as_exact(&text, &read);
        }
    }

    #[test]
    fn a_late_bad_value_under_an_override_gives_the_exact_outcome() {
        // `x` is overridden to integer; row 1500 holds text. With a ragged
        // row further on, the exact pass fails there first (or skips both).
        let mut text = late_csv(2_000, 1_500, "7", "seven");
        text.push_str("1,2\n");
        for bad_rows in [BadRows::Fail, BadRows::Skip] {
            let read = ReadOptions {
                bad_rows,
                type_overrides: [("x".to_string(), crate::ColumnType::Integer)].into(),
                ..Default::default()
            };
            assert!(guess_is_contradicted(&text, &read));
            same_as_exact(&text, &read);
        }
        // Overridden to float, a column empty at first is decided: its late
        // values do not make the ingest read the file again.
        let text = late_csv(2_000, 1_500, "", "2.5");
        let read = ReadOptions {
            type_overrides: [("x".to_string(), crate::ColumnType::Float)].into(),
            ..Default::default()
        };
        assert!(!guess_is_contradicted(&text, &read));
        same_as_exact(&text, &read);
    }

    #[test]
    fn decimal_commas_and_null_spellings_are_guessed_as_the_exact_pass_reads_them() {
        let mut text = String::from("id;x;y\n");
        for i in 0..2_000 {
            let x = if i % 7 == 0 {
                "N/A".to_string()
            } else {
                format!("{i},5")
            };
            let y = if i == 1_900 {
                "1 234,5"
            } else if i % 3 == 0 {
                "-"
            } else {
                "12"
            };
            text.push_str(&format!("{i};{x};{y}\n"));
        }
        let read = ReadOptions::default();
        assert!(guess_is_contradicted(&text, &read));
        same_as_exact(&text, &read);
    }

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
