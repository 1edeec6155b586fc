//! Time `ingest_path` on a generated CSV of the benchmark's shape:
//! `cargo run --release -p abstat-io --example ingest_csv -- ROWS [PATH]`.

use std::io::Write;
use std::time::Instant;

use abstat_core::profile::ProfileOptions;
use abstat_io::ingest::ingest_path;
use abstat_io::{LocalStore, ReadOptions};

fn main() {
    let rows: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |s| s.parse().expect("rows"));
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(2)
            .unwrap_or_else(|| "target/ingest-example".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("ab_{rows}.csv"));
    if !path.exists() {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "user_id,variant,pre,revenue,converted").unwrap();
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..rows {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let v = ["control", "treatment"][(z & 1) as usize];
            let pre = (z >> 11) as f64 / (1u64 << 53) as f64 * 200.0;
            let rev = ((z >> 20) % 100_000) as f64 / 37.0;
            writeln!(
                f,
                "{},{v},{pre:.2},{rev:.2},{}",
                1_000_000 + i,
                (z >> 40) & 1
            )
            .unwrap();
        }
    }
    let store_dir = dir.join("store");
    let _ = std::fs::remove_dir_all(&store_dir);
    let store = LocalStore::open(&store_dir).unwrap();
    let t = Instant::now();
    let got = ingest_path(
        &store,
        "bench",
        &path,
        "ab.csv",
        &ReadOptions::default(),
        ProfileOptions::default(),
    )
    .unwrap();
    println!(
        "{} rows in {:.3} s ({} bytes stored)",
        got.report.rows,
        t.elapsed().as_secs_f64(),
        got.info.latest().unwrap().bytes
    );
}
