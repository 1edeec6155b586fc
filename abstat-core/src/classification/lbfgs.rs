//! A small L-BFGS minimiser (Nocedal & Wright, *Numerical Optimization*,
//! 2nd ed., Algorithm 7.4 two-loop recursion) with a backtracking Armijo
//! line search, for the smooth convex losses of the linear models.

use crate::{Error, Result};

/// Minimise `f` from `x0`; `f` returns the value and writes the gradient.
/// Stops when the largest gradient component is below `gtol`, or when an
/// accepted step no longer lowers `f` at all (the minimiser is then found
/// to machine precision; scipy's L-BFGS-B, as scikit-learn calls it, stops
/// earlier, at a relative decrease of `64 ε`).
pub(crate) fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    gtol: f64,
    max_iter: usize,
    what: &str,
) -> Result<Vec<f64>> {
    const M: usize = 10;
    let d = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; d];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let max_abs = |a: &[f64]| a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut g_new = vec![0.0; d];
    for _ in 0..max_iter {
        if max_abs(&g) <= gtol {
            return Ok(x);
        }
        // two-loop recursion: direction = −H·g
        let mut q = g.clone();
        let mut alpha = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            alpha[i] = rho * dot(&s_hist[i], &q);
            for (qj, yj) in q.iter_mut().zip(&y_hist[i]) {
                *qj -= alpha[i] * yj;
            }
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / max_abs(&g).max(1.0),
        };
        for qj in &mut q {
            *qj *= gamma;
        }
        for i in 0..s_hist.len() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            let beta = rho * dot(&y_hist[i], &q);
            for (qj, sj) in q.iter_mut().zip(&s_hist[i]) {
                *qj += (alpha[i] - beta) * sj;
            }
        }
        let dir: Vec<f64> = q.iter().map(|v| -v).collect();
        let slope = dot(&g, &dir);
        let (dir, slope) = if slope < 0.0 {
            (dir, slope)
        } else {
            // not a descent direction: restart from steepest descent
            s_hist.clear();
            y_hist.clear();
            (g.iter().map(|v| -v).collect(), -dot(&g, &g))
        };
        let mut step = 1.0;
        let mut x_new = vec![0.0; d];
        let mut accepted = false;
        let f_old = fx;
        for _ in 0..60 {
            for j in 0..d {
                x_new[j] = x[j] + step * dir[j];
            }
            let f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                fx = f_new;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // no decrease possible at machine precision: as good as it gets
            return Ok(x);
        }
        if fx >= f_old {
            return Ok(x_new);
        }
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
            if s_hist.len() == M {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
    }
    if max_abs(&g) <= gtol * 100.0 {
        return Ok(x);
    }
    Err(Error::NoConvergence {
        what: what.into(),
        iterations: max_iter,
    })
}
