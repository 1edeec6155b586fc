//! CSV ingest.
//!
//! - `io_csv/read_path_1M_rows`: abstat-io reading a generated CSV
//!   (1,000,000 rows, 4 typed columns, ~33 MB) to Arrow batches, type
//!   inference included; benches/io_csv_peers.py times pandas and pyarrow
//!   on the same text.
//! - `io_ingest/ingest_path_{1M,10M}_rows`: the benchmark, an A/B
//!   export (`user_id` int, `variant` string, `pre` float, `revenue` float,
//!   `converted` int; ~315 MB at 10M rows) read, profiled and stored as
//!   zstd Parquet in a local store. The files are written to
//!   `target/bench-data/` (never committed) and io_csv_peers.py times Polars
//!   and pandas on the same files. The peak resident memory of one ingest
//!   is printed before the timings (the high-water mark is reset first).
//!
//! With `ABSTAT_INGEST_STAGES=<rows>` (1000000 or 10000000) the bench
//! instead prints a one-off breakdown of that ingest by stage, each stage
//! run alone on the previous stage's output held in memory (open = sniff
//! and the type-inference pass, parse = the second pass to Arrow,
//! profile, store = Parquet encode and crash-safe write), then the whole
//! ingest, and exits. The stages are those of `read_path`, which infers
//! the types by a pass of its own; `ingest_path` guesses them from the
//! first chunk instead (no open+infer stage unless a later row contradicts
//! the guess), so the whole ingest is less than the sum.
//!
//! With `ABSTAT_INGEST_ONCE=<rows>[,<runs>]` it instead ingests that A/B
//! file `runs` times (default 1) and prints, for each, the wall time, the
//! process CPU time (user + system, all threads, from `/proc/self/stat`)
//! and the peak resident memory, then exits: a before/after comparison
//! that alternating runs of two builds can share.

mod splitmix;

use std::io::Write;
use std::path::{Path, PathBuf};

use abstat::core::profile::ProfileOptions;
use abstat::io::ingest::ingest_path;
use abstat::io::{LocalStore, ReadOptions, read_path};
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

/// The A/B export of `rows` rows in `target/bench-data/`, written once:
/// user_id 100000000 + i, variant control/test by a SplitMix64 uniform
/// (seed 61), pre normal(100, 30) (seeds 62–63) and revenue normal(50, 20)
/// (seeds 64–65) with two decimals, converted 1 when a uniform (seed 66)
/// is below 0.1.
fn ab_csv(rows: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("ab_{rows}.csv"));
    if path.exists() {
        return path;
    }
    let tmp = path.with_extension("csv.tmp");
    let variant = splitmix::uniform(61, rows);
    let pre = splitmix::normal(62, rows, 100.0, 30.0);
    let revenue = splitmix::normal(64, rows, 50.0, 20.0);
    let converted = splitmix::uniform(66, rows);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    writeln!(f, "user_id,variant,pre,revenue,converted").unwrap();
    for i in 0..rows {
        let v = if variant[i] < 0.5 { "control" } else { "test" };
        let c = u8::from(converted[i] < 0.1);
        writeln!(
            f,
            "{},{v},{:.2},{:.2},{c}",
            100_000_000 + i,
            pre[i],
            revenue[i]
        )
        .unwrap();
    }
    f.into_inner().unwrap().sync_all().unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

fn ingest(path: &Path, store: &LocalStore, id: &str) -> u64 {
    let _ = abstat::io::DatasetStore::delete(store, id);
    let got = ingest_path(
        store,
        id,
        path,
        "ab.csv",
        &ReadOptions::default(),
        ProfileOptions::default(),
    )
    .unwrap();
    got.report.rows
}

/// Peak resident memory (kB) of `f` alone: the kernel's high-water mark is
/// reset first (Linux `clear_refs` 5).
fn peak_rss_kb(f: impl FnOnce()) -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    f();
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Seconds of `f` and its result.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = std::time::Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64(), v)
}

/// The `ABSTAT_INGEST_STAGES` breakdown (see the module docs).
fn stages(rows: usize) {
    let csv = ab_csv(rows);
    let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target")).unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let opts = ReadOptions::default();
    let (open_s, reader) = timed(|| read_path(&csv, &opts).unwrap());
    let schema = reader.schema();
    let (parse_s, (batches, _)) = timed(|| reader.read_all().unwrap());
    let (profile_s, _) = timed(|| {
        abstat::core::profile::profile(&schema, &batches, ProfileOptions::default()).unwrap()
    });
    let (store_s, info) = timed(|| {
        let mut it = batches.iter().cloned().map(Ok);
        abstat::io::DatasetStore::create(&store, "staged", schema.clone(), &mut it).unwrap()
    });
    drop(batches);
    let (all_s, _) = timed(|| ingest(&csv, &store, "ab"));
    let bytes = info.latest().map_or(0, |v| v.bytes);
    eprintln!(
        "stages of ingest_path at {rows} rows (s): open+infer {open_s:.3}, parse {parse_s:.3}, \
         profile {profile_s:.3}, store {store_s:.3} (Parquet {:.1} MB); sum {:.3}; \
         whole ingest {all_s:.3}",
        bytes as f64 / 1e6,
        open_s + parse_s + profile_s + store_s
    );
}

/// CPU seconds of this process so far, all threads, user + system
/// (`/proc/self/stat` fields 14 and 15, in ticks of 1/100 s on Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The `ABSTAT_INGEST_ONCE` runs (see the module docs).
fn once(spec: &str) {
    let mut parts = spec.split(',');
    let rows: usize = parts.next().unwrap().parse().expect("a row count");
    let runs: usize = parts.next().map_or(1, |r| r.parse().expect("a run count"));
    let csv = ab_csv(rows);
    let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target")).unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    for run in 1..=runs {
        let cpu0 = cpu_seconds().unwrap_or(f64::NAN);
        let mut wall = 0.0;
        let peak = peak_rss_kb(|| {
            let (s, n) = timed(|| ingest(&csv, &store, "ab"));
            assert_eq!(n, rows as u64);
            wall = s;
        });
        let cpu = cpu_seconds().unwrap_or(f64::NAN) - cpu0;
        eprintln!(
            "ingest_path {rows} rows, run {run}: wall {wall:.3} s, CPU {cpu:.2} s, peak RSS {}",
            peak.map_or("unknown".into(), |kb| format!(
                "{:.0} MB",
                kb as f64 / 1024.0
            ))
        );
    }
}

fn bench(c: &mut Criterion) {
    if let Ok(spec) = std::env::var("ABSTAT_INGEST_ONCE") {
        once(&spec);
        std::process::exit(0);
    }
    if let Ok(rows) = std::env::var("ABSTAT_INGEST_STAGES") {
        stages(rows.parse().expect("ABSTAT_INGEST_STAGES is a row count"));
        std::process::exit(0);
    }
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

    let store_dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .expect("a store folder under target/");
    let store = LocalStore::open(store_dir.path()).unwrap();
    let mut g = c.benchmark_group("io_ingest");
    g.sample_size(10);
    for (rows, name) in [
        (1_000_000, "ingest_path_1M_rows"),
        (10_000_000, "ingest_path_10M_rows"),
    ] {
        let csv = ab_csv(rows);
        let bytes = std::fs::metadata(&csv).unwrap().len();
        let peak = peak_rss_kb(|| assert_eq!(ingest(&csv, &store, "ab"), rows as u64));
        eprintln!(
            "io_ingest/{name}: {:.1} MB of CSV, peak RSS of one ingest {}",
            bytes as f64 / 1e6,
            peak.map_or("unknown".into(), |kb| format!(
                "{:.0} MB",
                kb as f64 / 1024.0
            ))
        );
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(name, |b| b.iter(|| ingest(&csv, &store, "ab")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
