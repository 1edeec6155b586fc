//! The local dataset store: create from a stream, read projections, list,
//! describe, versions with lineage, delete, and failures that leave no
//! trace.

mod common;

use abstat_io::{DatasetStore, Error, LABEL_KEY, LocalStore, ReadOptions};
use common::{assert_column, expected, open};

fn store_basic(store: &LocalStore, id: &str, file: &str) {
    let mut reader = open(file, &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    store.create(id, schema, &mut reader).unwrap();
}

#[test]
fn create_read_projection_list_describe_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_basic(&store, "basic", "basic.csv");
    store_basic(&store, "sales", "sales_cp1251.csv");

    let exp = expected();
    let (schema, batches) = store
        .read("basic", None, Some(&["price", "city"]), 3)
        .unwrap();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["price", "city"]);
    let batches: Vec<_> = batches.collect::<abstat_io::Result<_>>().unwrap();
    assert_eq!(batches.len(), 3);
    assert_column(&batches, "price", &exp["basic"]["values"]["price"]);
    assert_column(&batches, "city", &exp["basic"]["values"]["city"]);

    // Original names survive as labels in the stored schema and manifest.
    let (schema, _) = store.read("sales", None, None, 1024).unwrap();
    assert_eq!(
        schema.field_with_name("Gorod").unwrap().metadata()[LABEL_KEY],
        "Город"
    );
    let info = store.describe("sales").unwrap();
    let v1 = info.latest().unwrap();
    assert_eq!((v1.version, v1.rows, v1.parent), (1, 4, None));
    assert_eq!(v1.columns[0].label.as_deref(), Some("Город"));

    let ids: Vec<String> = store.list().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["basic", "sales"]);
    store.delete("basic").unwrap();
    assert!(matches!(
        store.describe("basic"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn versions_keep_their_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_basic(&store, "ds", "basic.csv");
    let (schema, batches) = store.read("ds", Some(1), Some(&["id"]), 1024).unwrap();
    let kept: Vec<_> = batches.map(|b| b.map(|b| b.slice(0, 2))).collect();
    let v2 = store
        .add_version(
            "ds",
            1,
            "clean: first two rows",
            schema,
            &mut kept.into_iter(),
        )
        .unwrap();
    assert_eq!((v2.version, v2.parent, v2.rows), (2, Some(1), 2));
    let (_, latest) = store.read("ds", None, None, 1024).unwrap();
    assert_column(
        &latest.collect::<abstat_io::Result<Vec<_>>>().unwrap(),
        "id",
        &serde_json::json!([1, 2]),
    );
    let (_, first) = store.read("ds", Some(1), None, 1024).unwrap();
    assert_eq!(first.map(|b| b.unwrap().num_rows()).sum::<usize>(), 8);
    assert!(matches!(
        store.read("ds", Some(9), None, 10),
        Err(Error::NotFound {
            version: Some(9),
            ..
        })
    ));
}

#[test]
fn bad_ids_columns_and_duplicates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    for id in ["", "../etc", "A", "x/y", ".hidden"] {
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
    store_basic(&store, "ds", "basic.csv");
    let mut reader = open("basic.csv", &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    assert!(matches!(
        store.create("ds", schema, &mut reader),
        Err(Error::InvalidOption { .. })
    ));
    assert!(matches!(
        store.read("ds", None, Some(&["nope"]), 10),
        Err(Error::NoSuchColumn { .. })
    ));
}

#[test]
fn a_failed_write_leaves_no_version_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store_basic(&store, "ds", "basic.csv");
    // A stream that fails midway, as a bad upload would.
    let (schema, batches) = store.read("ds", None, None, 3).unwrap();
    let failing = batches
        .take(1)
        .chain(std::iter::once(Err(Error::Empty { name: "x".into() })));
    let err = store.add_version("ds", 1, "broken", schema, &mut failing.into_iter());
    assert!(err.is_err());
    assert_eq!(store.describe("ds").unwrap().versions.len(), 1);
    let files: Vec<String> = std::fs::read_dir(dir.path().join("ds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut files = files;
    files.sort();
    assert_eq!(files, ["manifest.json", "v1.parquet"]);
}
