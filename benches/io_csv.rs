//! CSV ingest: abstat-io reading a generated CSV (1,000,000 rows, 4 typed
//! columns, ~33 MB) to Arrow batches, type-inference pass included.
//! The peer (pandas.read_csv, pyarrow.csv.read_csv) is timed on the same
//! file by benches/io_csv_peers.py. The later goal is 10M rows / 320 MB
//! in ≤ 1 s.

use std::io::Write;
use std::path::Path;

use abstat::io::{ReadOptions, read_path};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ROWS: u64 = 1_000_000;

/// Row i: `i, (i·7919 mod 100000)/100 with two decimals, g{i mod 3},
/// 2024-01-01 + (i mod 365) days` — the same text io_csv_peers.py writes.
fn write_csv(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "id,value,group,day").unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..ROWS {
        let v = (i * 7919 % 100_000) as f64 / 100.0;
        let d = start + chrono::Days::new(i % 365);
        writeln!(f, "{i},{v:.2},g{},{}", i % 3, d.format("%Y-%m-%d")).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("abstat-bench-io");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ingest.csv");
    write_csv(&path);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut g = c.benchmark_group("io_csv");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("read_path_1M_rows", |b| {
        b.iter(|| {
            let (batches, report) = read_path(&path, &ReadOptions::default())
                .unwrap()
                .read_all()
                .unwrap();
            assert_eq!(report.rows, ROWS);
            batches.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
