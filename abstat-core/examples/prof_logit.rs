//! Scratch profiler (not committed).
use abstat_core::classification::{Fit, LogisticParams};
use abstat_core::regression::{Design, Logit, LogitOptions};
use ndarray::Array2;
use std::time::Instant;

fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u, v) = (next(), next());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        })
        .collect()
}

fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best * 1e3, out.unwrap())
}

fn main() {
    let n = 100_000;
    let cols: Vec<Vec<f64>> = (0..4).map(|j| normals(j + 1, n)).collect();
    let noise = normals(9, n);
    let beta = [0.5, -0.2, 0.1, 0.3];
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let l: f64 = (0..4).map(|j| cols[j][i] * beta[j]).sum::<f64>() + noise[i] * 1.5;
            f64::from(u8::from(l > 0.0))
        })
        .collect();
    let slices: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let names = ["a", "b", "c", "d"];
    let only_lr = std::env::args().nth(1).is_some();
    let (t, d) = best(if only_lr { 1 } else { 20 }, || {
        Design::from_columns(y.clone(), &slices, &names, true).unwrap()
    });
    println!("design {t:.3} ms");
    let (t, fit) = best(if only_lr { 1 } else { 20 }, || {
        Logit::new(LogitOptions::default()).fit(&d).unwrap()
    });
    println!("logit fit {t:.3} ms, iterations {}", fit.iterations);
    println!("params {:?}", fit.estimates.params());

    let nm = 20_000;
    let xs: Vec<Vec<f64>> = (0..10).map(|j| normals(100 + j, nm)).collect();
    let mut x = Array2::<f64>::zeros((nm, 10));
    for i in 0..nm {
        for j in 0..10 {
            x[[i, j]] = xs[j][i];
        }
    }
    let nz = normals(200, nm);
    let yl: Vec<usize> = (0..nm)
        .map(|i| usize::from(xs[0][i] + 0.5 * xs[1][i] + nz[i] > 0.0))
        .collect();
    let p = LogisticParams {
        c: 1.0,
        tol: 1e-4,
        max_iter: 100,
    };
    let (t, m) = best(if only_lr { 200 } else { 20 }, || {
        p.fit(x.view(), &yl, 2).unwrap()
    });
    println!(
        "logreg fit {t:.3} ms coef {:?} b {:?}",
        m.coef.iter().map(|c| c[0]).collect::<Vec<_>>(),
        m.intercept
    );
}
