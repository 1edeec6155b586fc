//! Deterministic benchmark inputs: the SplitMix64 uniforms and Box–Muller
//! normals of `scripts/fixtures/common.py` (`det_uniform`, `det_normal`),
//! so the `*_peers.py` scripts time the Python peers on the same numbers.
#![allow(dead_code)]

/// n uniforms in [0, 1) from SplitMix64 started at `seed`.
pub fn uniform(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed;
    std::iter::repeat_with(|| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    })
    .take(n)
    .collect()
}

/// n normals (loc, scale) from the streams `seed` and `seed + 1`.
pub fn normal(seed: u64, n: usize, loc: f64, scale: f64) -> Vec<f64> {
    let radius = uniform(seed, n);
    let angle = uniform(seed + 1, n);
    radius
        .into_iter()
        .zip(angle)
        .map(|(a, b)| {
            loc + scale * (-2.0 * (-a).ln_1p()).sqrt() * (std::f64::consts::TAU * b).cos()
        })
        .collect()
}
