//! Delimited text from the corpus: encodings, dialects, inference, bad
//! rows, hostile names, limits.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use abstat_io::{
    BadRows, ColumnType, Error, LABEL_KEY, Limits, ReadOptions, ReadReport, arrow_type,
};
use arrow_array::RecordBatch;
use common::{assert_column, expected, open, read};

fn check_basic(file: &str, encoding: &str, delimiter: char, bom: bool) {
    let exp = expected();
    let (batches, report) = read(file, &ReadOptions::default());
    assert_eq!(report.encoding.as_deref(), Some(encoding), "{file}");
    assert_eq!(report.delimiter, Some(delimiter), "{file}");
    assert_eq!(report.bom, bom, "{file}");
    assert_eq!(report.has_header, Some(true));
    assert_eq!(report.rows, 8);
    let schema = batches[0].schema();
    for (name, t) in exp["basic"]["types"].as_object().unwrap() {
        let t: ColumnType = serde_json::from_value(t.clone()).unwrap();
        let field = schema.field_with_name(name).unwrap();
        assert_eq!(field.data_type(), &arrow_type(t), "{file}: type of {name}");
        assert_column(&batches, name, &exp["basic"]["values"][name]);
    }
}

#[test]
fn utf8_comma_csv_reads_every_type() {
    check_basic("basic.csv", "UTF-8", ',', false);
}

#[test]
fn utf8_with_bom_is_detected_and_stripped() {
    check_basic("basic_bom.csv", "UTF-8", ',', true);
}

#[test]
fn utf16_le_and_be_with_bom_decode() {
    check_basic("basic_utf16le.csv", "UTF-16LE", ',', true);
    check_basic("basic_utf16be.tsv", "UTF-16BE", '\t', true);
}

#[test]
fn pipe_delimiter_is_sniffed() {
    check_basic("basic_pipe.txt", "UTF-8", '|', false);
}

#[test]
fn cp1251_semicolons_and_decimal_commas() {
    let exp = expected();
    let (batches, report) = read("sales_cp1251.csv", &ReadOptions::default());
    assert_eq!(report.encoding.as_deref(), Some("windows-1251"));
    assert_eq!(report.delimiter, Some(';'));
    assert_eq!(report.decimal, Some(','));
    assert_eq!(report.rows, 4);
    for (name, values) in exp["sales_cp1251"]["values"].as_object().unwrap() {
        assert_column(&batches, name, values);
    }
    let schema = batches[0].schema();
    assert_eq!(
        schema.field_with_name("Gorod").unwrap().metadata()[LABEL_KEY],
        "Город"
    );
    assert_eq!(
        schema.field_with_name("Kolichestvo").unwrap().data_type(),
        &arrow_type(ColumnType::Integer)
    );
    assert_eq!(
        schema.field_with_name("Data").unwrap().data_type(),
        &arrow_type(ColumnType::Date)
    );
}

#[test]
fn hostile_names_become_safe_unique_identifiers_with_labels() {
    let exp = expected();
    let (batches, report) = read("hostile_names.csv", &ReadOptions::default());
    let schema = batches[0].schema();
    let originals = exp["hostile"]["originals"].as_array().unwrap();
    let safe = exp["hostile"]["safe"].as_array().unwrap();
    assert_eq!(schema.fields().len(), safe.len());
    for (f, (o, s)) in schema.fields().iter().zip(originals.iter().zip(safe)) {
        assert_eq!(f.name(), s.as_str().unwrap());
        assert_eq!(f.metadata()[LABEL_KEY], o.as_str().unwrap());
    }
    let renamed: Vec<&str> = report.renamed.iter().map(|r| r.name.as_str()).collect();
    assert!(
        !renamed.contains(&"id"),
        "an already safe name is not renamed"
    );
    assert_eq!(renamed.len(), safe.len() - 1);
}

#[test]
fn ragged_rows_fail_with_the_line_number() {
    let err = open("ragged.csv", &ReadOptions::default()).unwrap_err();
    match err {
        Error::MalformedRow { line, ref reason } => {
            assert_eq!(line, 3);
            assert!(reason.contains("expected 3 fields"), "{reason}");
        }
        other => panic!("expected MalformedRow, got {other:?}"),
    }
    assert!(err.to_string().contains("BadRows::Skip"));
}

#[test]
fn ragged_rows_are_skipped_and_reported_when_asked() {
    let exp = expected();
    let opts = ReadOptions {
        bad_rows: BadRows::Skip,
        ..Default::default()
    };
    let (batches, report) = read("ragged.csv", &opts);
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    let want: Vec<u64> = serde_json::from_value(exp["ragged_bad_lines"].clone()).unwrap();
    assert_eq!(lines, want);
    assert_eq!(report.skipped_rows, 2);
    assert_eq!(report.rows, 3);
    assert_column(&batches, "a", &serde_json::json!([1, 6, 13]));
    assert_column(&batches, "b", &serde_json::json!(["2", "x\ny", "14"]));
}

#[test]
fn every_null_spelling_is_null() {
    let (batches, _) = read("nulls.csv", &ReadOptions::default());
    assert_column(
        &batches,
        "v",
        &serde_json::json!([null, null, null, null, null, null, null, 1.5]),
    );
    // Null spellings are configurable: without "-" the column is text.
    let opts = ReadOptions {
        null_values: vec!["".into()],
        ..Default::default()
    };
    let (batches, _) = read("nulls.csv", &opts);
    assert_eq!(
        batches[0].schema().field(1).data_type(),
        &arrow_type(ColumnType::String)
    );
}

#[test]
fn empty_file_is_refused() {
    let err = open("empty.csv", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err:?}");
    let err =
        abstat_io::read_bytes(&b"  \n\n"[..], "blank.csv", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err:?}");
}

#[test]
fn header_only_file_gives_columns_and_no_rows() {
    let reader = open("header_only.csv", &ReadOptions::default()).unwrap();
    let schema = reader.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let (batches, report) = reader.read_all().unwrap();
    assert!(batches.is_empty());
    assert_eq!((report.rows, report.delimiter), (0, Some(';')));
}

#[test]
fn headerless_numbers_get_generated_names() {
    let (batches, report) = read("no_header.csv", &ReadOptions::default());
    assert_eq!(report.has_header, Some(false));
    assert_column(&batches, "column_1", &serde_json::json!([1, 3, 5]));
    assert_column(&batches, "column_2", &serde_json::json!([2.5, 4.5, 6.5]));
    assert_column(&batches, "column_3", &serde_json::json!(["x", "y", "z"]));
}

#[test]
fn limits_refuse_files_that_exceed_them() {
    let cases = [
        (
            Limits {
                max_rows: 5,
                ..Default::default()
            },
            "rows",
        ),
        (
            Limits {
                max_columns: 3,
                ..Default::default()
            },
            "columns",
        ),
        (
            Limits {
                max_bytes: 100,
                ..Default::default()
            },
            "bytes",
        ),
        (
            Limits {
                max_cell_bytes: 5,
                ..Default::default()
            },
            "bytes in one cell",
        ),
    ];
    for (limits, what) in cases {
        let opts = ReadOptions {
            limits,
            ..Default::default()
        };
        let err = open("basic.csv", &opts)
            .and_then(|r| r.read_all())
            .unwrap_err();
        match err {
            Error::LimitExceeded { limit, .. } => assert_eq!(limit, what),
            other => panic!("expected the {what} limit, got {other:?}"),
        }
    }
}

#[test]
fn type_overrides_apply_and_bad_values_are_reported() {
    let mut overrides = BTreeMap::new();
    overrides.insert("id".to_string(), ColumnType::String);
    overrides.insert("city".to_string(), ColumnType::Integer);
    let opts = ReadOptions {
        type_overrides: overrides.clone(),
        ..Default::default()
    };
    let err = open("basic.csv", &opts).unwrap().read_all().unwrap_err();
    match err {
        Error::BadValue {
            line,
            ref column,
            ref value,
            ..
        } => assert_eq!(
            (line, column.as_str(), value.as_str()),
            (2, "city", "Moscow")
        ),
        other => panic!("expected BadValue, got {other:?}"),
    }
    let opts = ReadOptions {
        type_overrides: overrides,
        bad_rows: BadRows::Skip,
        ..Default::default()
    };
    let (batches, report) = read("basic.csv", &opts);
    // Only the row whose city is empty (null) fits an integer city.
    assert_eq!(report.rows, 1);
    assert_eq!(report.skipped_rows, 7);
    assert_column(&batches, "id", &serde_json::json!(["3"]));

    let mut unknown = BTreeMap::new();
    unknown.insert("nope".to_string(), ColumnType::Float);
    let opts = ReadOptions {
        type_overrides: unknown,
        ..Default::default()
    };
    assert!(matches!(
        open("basic.csv", &opts).unwrap_err(),
        Error::UnknownColumn { .. }
    ));
}

#[test]
fn small_batches_stream_the_same_values_and_report_progress() {
    let exp = expected();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = ReadOptions {
        batch_size: 3,
        progress: Some(Arc::new(move |p| sink.lock().unwrap().push(p))),
        ..Default::default()
    };
    let (batches, _) = read("basic.csv", &opts);
    assert_eq!(
        batches.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
        [3, 3, 2]
    );
    assert_column(&batches, "price", &exp["basic"]["values"]["price"]);
    let seen = seen.lock().unwrap();
    let last = seen.last().unwrap();
    let len = std::fs::metadata(common::corpus("basic.csv"))
        .unwrap()
        .len();
    assert_eq!(
        (last.rows_read, last.bytes_read, last.scanning),
        (8, len, false)
    );
}

#[test]
fn invalid_options_are_refused_before_reading() {
    let opts = ReadOptions {
        decimal: Some(';'),
        ..Default::default()
    };
    assert!(matches!(
        open("basic.csv", &opts).unwrap_err(),
        Error::InvalidOption {
            name: "decimal",
            ..
        }
    ));
}

#[test]
fn limited_inference_reports_a_later_value_of_another_type() {
    let opts = ReadOptions {
        infer_rows: Some(2),
        ..Default::default()
    };
    let reader = abstat_io::read_bytes(&b"a,b\n1,x\n2,y\n3.5,z\n"[..], "t.csv", &opts).unwrap();
    match reader.read_all().unwrap_err() {
        Error::BadValue { line, column, .. } => assert_eq!((line, column.as_str()), (4, "a")),
        other => panic!("expected BadValue, got {other:?}"),
    }
    // Inferring from every row (the default) sees the float.
    let (batches, _) = abstat_io::read_bytes(
        &b"a,b\n1,x\n2,y\n3.5,z\n"[..],
        "t.csv",
        &ReadOptions::default(),
    )
    .unwrap()
    .read_all()
    .unwrap();
    assert_column(&batches, "a", &serde_json::json!([1.0, 2.0, 3.5]));
}

/// ~7 MB of ASCII text (several parallel chunks): quoted fields with
/// delimiters and line breaks, null spellings, a column that turns float
/// late, and a ragged row and a bad value far into the file.
fn many_records() -> Vec<u8> {
    let mut t = String::from("id,price,note,flag\n");
    for i in 0..200_000u64 {
        let price = if i == 190_000 {
            "12.5".to_string()
        } else {
            (i % 977).to_string()
        };
        let note = match i % 5 {
            0 => format!("\"a, \"\"quoted\"\"\nnote {i}\""),
            1 => "NA".to_string(),
            _ => format!("n{i}"),
        };
        t.push_str(&format!("{i},{price},{note},{}\n", i % 2 == 0));
        if i == 150_000 {
            t.push_str("1,2\n");
        }
    }
    t.into_bytes()
}

fn read_text(text: &[u8], opts: &ReadOptions) -> abstat_io::Result<(RecordBatch, ReadReport)> {
    let reader = abstat_io::read_bytes(text.to_vec(), "many.csv", opts)?;
    let schema = reader.schema();
    let (batches, report) = reader.read_all()?;
    let all = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
    Ok((all, report))
}

#[test]
fn parallel_chunks_read_exactly_as_the_serial_reader() {
    let text = many_records();
    // windows-1251 decodes this ASCII text unchanged but takes the serial,
    // decoding path; UTF-8 takes the parallel one.
    let serial = |opts: ReadOptions| ReadOptions {
        encoding: Some("windows-1251".into()),
        ..opts
    };
    let skip = ReadOptions {
        bad_rows: BadRows::Skip,
        ..Default::default()
    };
    let (par, par_report) = read_text(&text, &skip).unwrap();
    let (ser, ser_report) = read_text(&text, &serial(skip.clone())).unwrap();
    assert_eq!(par_report.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(par.schema(), ser.schema());
    assert_eq!(par, ser);
    assert_eq!(par.num_rows(), 200_000);
    assert_eq!(
        par.schema().field(1).data_type(),
        &arrow_type(ColumnType::Float)
    );
    assert_eq!(par_report.skipped, ser_report.skipped);
    assert_eq!(par_report.skipped.len(), 1);
    // Failing on the ragged row names the same line either way.
    let fail = ReadOptions::default();
    let par_err = read_text(&text, &fail).unwrap_err();
    let ser_err = read_text(&text, &serial(fail)).unwrap_err();
    assert!(matches!(par_err, Error::MalformedRow { .. }), "{par_err:?}");
    assert_eq!(format!("{par_err:?}"), format!("{ser_err:?}"));
    // A value that does not fit an overridden type, deep in the file.
    let mut overrides = BTreeMap::new();
    overrides.insert("price".to_string(), ColumnType::Integer);
    let typed = ReadOptions {
        type_overrides: overrides,
        bad_rows: BadRows::Skip,
        ..Default::default()
    };
    let (par, par_report) = read_text(&text, &typed).unwrap();
    let (ser, ser_report) = read_text(&text, &serial(typed)).unwrap();
    assert_eq!(par, ser);
    assert_eq!(par_report.skipped, ser_report.skipped);
    assert_eq!(par_report.skipped.len(), 2);
}
