//! Shared helpers for the fixture tests: loading the JSON written by
//! `scripts/fixtures/gen_*.py`, rebuilding generated data, and comparing
//! numbers with a stated tolerance.
#![allow(dead_code)]

use serde_json::Value;

/// Load `tests/fixtures/<area>.json` and return its `cases` array.
pub fn cases(area: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{area}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; regenerate with scripts/fixtures/gen_{area}.py"));
    let doc: Value = serde_json::from_str(&text).expect("fixture is valid JSON");
    let cases = doc["cases"].as_array().expect("fixture has cases").clone();
    assert!(!cases.is_empty(), "{path} has no cases");
    cases
}

/// A float from a fixture value ("nan", "inf" and "-inf" are strings).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("number"),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("not a number: {other}"),
        },
        Value::Null => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

/// A vector of floats: a JSON array, or a `{"gen": ...}` spec to rebuild.
pub fn data(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(num).collect(),
        Value::Object(o) if o.contains_key("gen") => from_spec(v),
        other => panic!("not data: {other}"),
    }
}

/// SplitMix64 uniforms in [0, 1), identical to `det_uniform` in common.py.
pub fn det_uniform(seed: u64, n: usize) -> Vec<f64> {
    (1..=n as u64)
        .map(|i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        })
        .collect()
}

/// Box–Muller normals, identical to `det_normal` in common.py.
pub fn det_normal(seed: u64, n: usize, loc: f64, scale: f64) -> Vec<f64> {
    let u1 = det_uniform(seed, n);
    let u2 = det_uniform(seed + 1, n);
    u1.iter()
        .zip(&u2)
        .map(|(&a, &b)| {
            let r = (-2.0 * (-a).ln_1p()).sqrt();
            loc + scale * r * (2.0 * std::f64::consts::PI * b).cos()
        })
        .collect()
}

/// Rebuild data from a `{"gen": ...}` spec.
pub fn from_spec(spec: &Value) -> Vec<f64> {
    let seed = spec["seed"].as_u64().expect("seed");
    let n = spec["n"].as_u64().expect("n") as usize;
    let get = |k: &str, d: f64| spec.get(k).map_or(d, num);
    match spec["gen"].as_str().expect("gen") {
        "uniform" => {
            let (lo, hi) = (get("low", 0.0), get("high", 1.0));
            det_uniform(seed, n)
                .into_iter()
                .map(|u| lo + (hi - lo) * u)
                .collect()
        }
        "normal" => det_normal(seed, n, get("loc", 0.0), get("scale", 1.0)),
        other => panic!("unknown generator {other}"),
    }
}

/// Assert `actual` ≈ `expected`: |a − e| ≤ atol + rtol·|e|. NaN matches NaN and
/// infinities match themselves.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, rtol: f64, atol: f64, what: &str) {
    if expected.is_nan() {
        assert!(actual.is_nan(), "{what}: expected NaN, got {actual}");
        return;
    }
    if expected.is_infinite() {
        assert_eq!(actual, expected, "{what}");
        return;
    }
    let diff = (actual - expected).abs();
    assert!(
        diff <= atol + rtol * expected.abs(),
        "{what}: got {actual:e}, expected {expected:e} (|diff| = {diff:e}, rtol = {rtol:e}, atol = {atol:e})"
    );
}
