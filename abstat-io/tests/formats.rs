//! Parquet, Arrow IPC, Feather, JSON and spreadsheets from the corpus, and
//! format detection.

mod common;

use abstat_io::{ColumnType, Error, Format, ReadOptions, arrow_type, read_bytes};
use common::{assert_column, corpus, expected, open, read};

/// The basic table in a typed format: `types` overrides the expected types
/// of columns the format stores differently (JSON has no date type).
fn check(file: &str, format: Format, columns: &[&str], types: &[(&str, ColumnType)]) {
    let exp = expected();
    let (batches, report) = read(file, &ReadOptions::default());
    assert_eq!(report.format, format, "{file}");
    assert_eq!(report.rows, 8, "{file}");
    let schema = batches[0].schema();
    for &name in columns {
        let t: ColumnType = types
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .unwrap_or_else(|| {
                serde_json::from_value(exp["basic"]["types"][name].clone()).unwrap()
            });
        assert_eq!(
            schema.field_with_name(name).unwrap().data_type(),
            &arrow_type(t),
            "{file}: type of {name}"
        );
        assert_column(&batches, name, &exp["basic"]["values"][name]);
    }
}

const ALL: [&str; 6] = ["id", "price", "flag", "day", "ts", "city"];

#[test]
fn parquet_zstd() {
    check("basic.parquet", Format::Parquet, &ALL, &[]);
}

#[test]
fn parquet_with_the_codecs_pyarrow_and_pandas_write() {
    // snappy is what pyarrow and pandas write unless told otherwise.
    for file in [
        "basic_snappy.parquet",
        "basic_gzip.parquet",
        "basic_lz4.parquet",
    ] {
        check(file, Format::Parquet, &ALL, &[]);
    }
}

#[test]
fn arrow_ipc_file_stream_and_feather() {
    check("basic.arrow", Format::ArrowFile, &ALL, &[]);
    check("basic.arrows", Format::ArrowStream, &ALL, &[]);
    check("basic.feather", Format::ArrowFile, &ALL, &[]);
}

#[test]
fn json_lines_and_arrays_of_objects() {
    let text = [("day", ColumnType::String), ("ts", ColumnType::String)];
    check("basic.jsonl", Format::Json, &ALL, &text);
    check("basic_array.json", Format::Json, &ALL, &text);
}

#[test]
fn spreadsheets_first_sheet() {
    let cols = ["id", "price", "flag", "day", "city"];
    for (file, format) in [
        ("basic.xlsx", Format::Xlsx),
        ("basic.xls", Format::Xls),
        ("basic.ods", Format::Ods),
    ] {
        check(file, format, &cols, &[]);
    }
    let (_, report) = read("basic.xlsx", &ReadOptions::default());
    assert_eq!(report.sheet.as_deref(), Some("Data"));
}

#[test]
fn spreadsheet_sheet_by_name() {
    let opts = ReadOptions {
        sheet: Some("Notes".into()),
        ..Default::default()
    };
    let (batches, _) = read("basic.xlsx", &opts);
    assert_column(&batches, "note", &serde_json::json!(["second sheet"]));
    let opts = ReadOptions {
        sheet: Some("Nope".into()),
        ..Default::default()
    };
    match open("basic.xlsx", &opts).unwrap_err() {
        Error::NoSuchSheet { available, .. } => assert_eq!(available, "Data, Notes"),
        other => panic!("expected NoSuchSheet, got {other:?}"),
    }
}

#[test]
fn xlsx_zip_bomb_is_refused_before_inflating() {
    match open("bomb.xlsx", &ReadOptions::default()).unwrap_err() {
        Error::ArchiveBomb {
            entry,
            uncompressed,
            ..
        } => {
            assert_eq!(entry, "xl/worksheets/sheet1.xml");
            assert!(uncompressed > 30 << 20);
        }
        other => panic!("expected ArchiveBomb, got {other:?}"),
    }
}

#[test]
fn xlsx_bomb_that_lies_about_its_size_is_refused_while_inflating() {
    match open("bomb_lying.xlsx", &ReadOptions::default()).unwrap_err() {
        Error::ArchiveBomb {
            entry,
            uncompressed,
            ..
        } => {
            assert_eq!(entry, "xl/worksheets/sheet1.xml");
            // Refused at the first byte past the declared 1000.
            assert_eq!(uncompressed, 1001);
        }
        other => panic!("expected ArchiveBomb, got {other:?}"),
    }
}

#[test]
fn magic_bytes_decide_the_format_whatever_the_name() {
    for (file, format) in [
        ("basic.parquet", Format::Parquet),
        ("basic.arrow", Format::ArrowFile),
        ("basic.arrows", Format::ArrowStream),
        ("basic.xlsx", Format::Xlsx),
        ("basic.xls", Format::Xls),
        ("basic.ods", Format::Ods),
        ("basic.jsonl", Format::Json),
        ("basic.csv", Format::Csv),
    ] {
        let bytes = std::fs::read(corpus(file)).unwrap();
        let reader = read_bytes(bytes, "upload", &ReadOptions::default()).unwrap();
        assert_eq!(reader.report().format, format, "{file}");
        let (_, report) = reader.read_all().unwrap();
        assert_eq!(report.rows, 8, "{file}");
    }
    let err = read_bytes(&[0u8, 1, 2, 3][..], "blob", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::UnknownFormat { .. }), "{err:?}");
}

#[test]
fn typed_formats_obey_limits_and_batch_size() {
    let opts = ReadOptions {
        batch_size: 3,
        ..Default::default()
    };
    let (batches, _) = read("basic.arrow", &opts);
    assert_eq!(
        batches.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
        [3, 3, 2]
    );
    let opts = ReadOptions {
        limits: abstat_io::Limits {
            max_rows: 4,
            ..Default::default()
        },
        ..Default::default()
    };
    for file in ["basic.parquet", "basic.jsonl", "basic.xlsx"] {
        let err = open(file, &opts).and_then(|r| r.read_all()).unwrap_err();
        assert!(
            matches!(err, Error::LimitExceeded { limit: "rows", .. }),
            "{file}: {err:?}"
        );
    }
}
