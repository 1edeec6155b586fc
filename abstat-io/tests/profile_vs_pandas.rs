//! abstat-core's profile of corpus files, read with abstat-io, against
//! pandas' describe()/nunique()/value_counts()/duplicated() on the same
//! file (expected.json, written by scripts/make_io_corpus.py with pandas
//! 2.3.3).

mod common;

use abstat_core::profile::{ColumnKind, ProfileOptions, Profiler, profile};
use abstat_io::ReadOptions;
use common::{expected, read};

/// Relative 1e-12: pandas sums in a different order (its mean and std are
/// two-pass over the whole column; ours merge per-batch two-pass moments
/// with Chan et al.'s update), so the last few bits may differ.
const RTOL: f64 = 1e-12;

fn close(got: f64, want: f64, what: &str) {
    let tol = RTOL * want.abs().max(1e-300);
    assert!((got - want).abs() <= tol, "{what}: {got} vs pandas {want}");
}

fn check(opts: &ReadOptions) {
    let exp = &expected()["profile"];
    let (batches, _) = read("profile.csv", opts);
    let schema = batches[0].schema();
    // Profile in two halves merged, to exercise the streaming path.
    let mid = batches.len() / 2;
    let mut a = Profiler::new(&schema, ProfileOptions::default()).unwrap();
    let mut b = Profiler::new(&schema, ProfileOptions::default()).unwrap();
    batches[..mid].iter().for_each(|x| a.update(x).unwrap());
    batches[mid..].iter().for_each(|x| b.update(x).unwrap());
    a.merge(&b).unwrap();
    let p = a.finish();

    assert_eq!(p.rows, exp["rows"].as_u64().unwrap());
    assert_eq!(p.duplicate_rows, exp["duplicate_rows"].as_u64().unwrap());
    assert!(p.duplicate_rows_exact);
    for c in &p.columns {
        let e = &exp["columns"][&c.name];
        assert_eq!(c.count, e["count"].as_u64().unwrap(), "{} count", c.name);
        assert_eq!(c.nulls, e["nulls"].as_u64().unwrap(), "{} nulls", c.name);
        assert_eq!(
            c.distinct,
            e["distinct"].as_u64().unwrap(),
            "{} distinct",
            c.name
        );
        assert!(c.distinct_exact);
        match c.kind {
            ColumnKind::Numeric => {
                let n = c.numeric.as_ref().unwrap();
                close(
                    n.mean,
                    e["mean"].as_f64().unwrap(),
                    &format!("{} mean", c.name),
                );
                close(
                    n.std.unwrap(),
                    e["std"].as_f64().unwrap(),
                    &format!("{} std", c.name),
                );
                close(
                    n.min,
                    e["min"].as_f64().unwrap(),
                    &format!("{} min", c.name),
                );
                close(
                    n.max,
                    e["max"].as_f64().unwrap(),
                    &format!("{} max", c.name),
                );
                for (q, key) in n.quantiles.iter().zip(["25%", "50%", "75%"]) {
                    close(
                        q.value,
                        e[key].as_f64().unwrap(),
                        &format!("{} {key}", c.name),
                    );
                }
            }
            ColumnKind::Text => {
                let top = e["top"].as_array().unwrap();
                for (got, want) in c.top.iter().zip(top) {
                    // Counts must agree in order; values too unless pandas
                    // had a tie (its order among ties is unspecified).
                    assert_eq!(got.count, want[1].as_u64().unwrap(), "{} top", c.name);
                    let tied = top.iter().filter(|t| t[1] == want[1]).count() > 1;
                    if !tied {
                        assert_eq!(got.value, want[0].as_str().unwrap(), "{} top", c.name);
                    }
                }
            }
            other => panic!("unexpected kind {other:?} for {}", c.name),
        }
    }
}

#[test]
fn profile_matches_pandas_describe_and_nunique() {
    check(&ReadOptions::default());
}

#[test]
fn profile_is_the_same_over_small_batches() {
    check(&ReadOptions {
        batch_size: 97,
        ..Default::default()
    });
}

#[test]
fn approximate_distinct_and_quantiles_beyond_the_exact_limits() {
    let exp = &expected()["profile"];
    let (batches, _) = read("profile.csv", &ReadOptions::default());
    let options = ProfileOptions {
        exact_distinct_limit: 100,
        exact_quantile_limit: 100,
        exact_row_limit: 100,
        sketch_k: 256,
        ..Default::default()
    };
    let p = profile(&batches[0].schema(), &batches, options).unwrap();
    let u = p.columns.iter().find(|c| c.name == "u").unwrap();
    assert!(!u.distinct_exact);
    let want = exp["columns"]["u"]["distinct"].as_f64().unwrap();
    // HyperLogLog p = 14: standard error 0.81 %; allow three.
    assert!(
        (u.distinct as f64 - want).abs() / want < 0.025,
        "{} vs {want}",
        u.distinct
    );
    let x = p.columns.iter().find(|c| c.name == "x").unwrap();
    let n = x.numeric.as_ref().unwrap();
    assert!(!n.quantiles_exact);
    // The sketch's rank error at k = 256 over ~2000 values is a few
    // ranks; the data's spread (std ≈ 3) makes 0.15 a loose bound.
    let median = exp["columns"]["x"]["50%"].as_f64().unwrap();
    assert!(
        (n.quantiles[1].value - median).abs() < 0.15,
        "{}",
        n.quantiles[1].value
    );
    let dup = exp["duplicate_rows"].as_f64().unwrap();
    assert!(!p.duplicate_rows_exact);
    assert!((p.duplicate_rows as f64 - dup).abs() <= 0.025 * p.rows as f64);
}
