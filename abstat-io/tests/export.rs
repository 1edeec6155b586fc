//! Export round trips: CSV (delimiters, BOM), Parquet and XLSX written by
//! abstat-io and read back by abstat-io's own readers give the same table;
//! headers are the original labels. With `ABSTAT_EXPORT_DIR` set, the files
//! are also left there for tests/python/test_export_pandas.py to read with
//! pandas and openpyxl.

mod common;

use std::io::Cursor;
use std::sync::Arc;

use abstat_io::export::{ExportFormat, ExportOptions, export_batches, export_version};
use abstat_io::{DatasetStore, Error, LABEL_KEY, LocalStore, ReadOptions, read_bytes};
use arrow_array::{Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use serde_json::Value;

fn export(file: &str, options: &ExportOptions) -> (Vec<u8>, Vec<RecordBatch>) {
    let mut reader = common::open(file, &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    let mut out = Vec::new();
    let rows = export_batches(&schema, &mut reader, &mut out, options).unwrap();
    let (batches, report) = common::read(file, &ReadOptions::default());
    assert_eq!(rows, report.rows);
    if let Ok(dir) = std::env::var("ABSTAT_EXPORT_DIR") {
        let stem = file.split('.').next().unwrap();
        let name = format!(
            "{stem}_{}{}.{}",
            options.delimiter as u32,
            if options.bom { "_bom" } else { "" },
            options.format.extension()
        );
        std::fs::write(std::path::Path::new(&dir).join(name), &out).unwrap();
    }
    (out, batches)
}

/// Every column of the file as JSON values, by name.
fn values(batches: &[RecordBatch]) -> Vec<(String, Vec<Value>)> {
    let schema = batches[0].schema();
    schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), common::column(batches, f.name())))
        .collect()
}

fn read_back(bytes: Vec<u8>, name: &str) -> Vec<RecordBatch> {
    read_bytes(bytes, name, &ReadOptions::default())
        .unwrap()
        .read_all()
        .unwrap()
        .0
}

#[test]
fn csv_round_trips_with_any_delimiter_and_bom() {
    for (delimiter, bom) in [(',', false), (';', true), ('\t', false), ('|', true)] {
        let options = ExportOptions {
            format: ExportFormat::Csv,
            delimiter,
            bom,
        };
        let (bytes, original) = export("basic.csv", &options);
        assert_eq!(bytes.starts_with("\u{feff}".as_bytes()), bom);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.trim_start_matches('\u{feff}')
                .starts_with(&format!("id{delimiter}price{delimiter}")),
            "{text}"
        );
        let back = read_back(bytes, "export.csv");
        assert_eq!(values(&back), values(&original), "delimiter {delimiter:?}");
    }
}

#[test]
fn headers_are_the_original_labels() {
    let (original, _) = common::read("hostile_names.csv", &ReadOptions::default());
    let labels: Vec<String> = original[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.metadata().get(LABEL_KEY).unwrap_or(f.name()).clone())
        .collect();
    assert!(
        labels.iter().any(|l| l.contains('\n')),
        "the corpus file has a newline in a name"
    );
    let (bytes, _) = export("hostile_names.csv", &ExportOptions::default());
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = r
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, labels);
    // Read back, the labels come back as labels and the safe names as names.
    let back = read_back(bytes, "export.csv");
    assert_eq!(back[0].schema(), original[0].schema());

    let (xlsx, _) = export(
        "hostile_names.csv",
        &ExportOptions {
            format: ExportFormat::Xlsx,
            ..Default::default()
        },
    );
    let back = read_back(xlsx, "export.xlsx");
    let back_labels: Vec<String> = back[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.metadata().get(LABEL_KEY).unwrap_or(f.name()).clone())
        .collect();
    assert_eq!(back_labels, labels);
}

#[test]
fn parquet_round_trips_exactly() {
    let options = ExportOptions {
        format: ExportFormat::Parquet,
        ..Default::default()
    };
    for file in ["basic.csv", "sales_cp1251.csv", "hostile_names.csv"] {
        let (bytes, original) = export(file, &options);
        let back = read_back(bytes, "export.parquet");
        assert_eq!(back[0].schema(), original[0].schema(), "{file}");
        assert_eq!(values(&back), values(&original), "{file}");
    }
}

#[test]
fn xlsx_round_trips_numbers_text_booleans_and_dates() {
    let options = ExportOptions {
        format: ExportFormat::Xlsx,
        ..Default::default()
    };
    let (bytes, original) = export("basic.csv", &options);
    let back = read_back(bytes, "export.xlsx");
    let (got, want) = (values(&back), values(&original));
    assert_eq!(got.len(), want.len());
    for ((gn, gv), (wn, wv)) in got.iter().zip(&want) {
        assert_eq!(gn, wn);
        assert_eq!(gv, wv, "column {gn}");
    }
    let (bytes, original) = export("sales_cp1251.csv", &options);
    assert_eq!(values(&read_back(bytes, "export.xlsx")), values(&original));
}

#[test]
fn stored_versions_export_and_refusals_explain() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let mut reader = common::open("basic.csv", &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    store.create("basic", schema, &mut reader).unwrap();
    let mut out = Vec::new();
    let rows = export_version(&store, "basic", None, &mut out, &ExportOptions::default()).unwrap();
    assert_eq!(rows, store.describe("basic").unwrap().versions[0].rows);

    let e = export_version(
        &store,
        "basic",
        Some(9),
        Vec::new(),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let bad = ExportOptions {
        delimiter: 'x',
        ..Default::default()
    };
    let e = export_version(&store, "basic", None, Vec::new(), &bad).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidOption {
                name: "delimiter",
                ..
            }
        ),
        "{e}"
    );
    let e: Result<ExportOptions, _> = serde_json::from_str(r#"{"format": "xls"}"#);
    assert!(e.unwrap_err().to_string().contains("xlsx"));

    // More rows than a sheet holds: refused before anything is written.
    let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
    let big = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Int64Array::from_iter_values(0..1_048_576))],
    )
    .unwrap();
    let xlsx = ExportOptions {
        format: ExportFormat::Xlsx,
        ..Default::default()
    };
    let e = export_batches(
        &schema,
        &mut std::iter::once(Ok(big)),
        Cursor::new(Vec::new()),
        &xlsx,
    )
    .unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    assert!(e.to_string().contains("CSV or Parquet"), "{e}");
}
