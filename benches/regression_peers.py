"""statsmodels on the data of benches/regression.rs: OLS and Logit on
1,000,000 x 10 (an intercept and nine normal predictors from the shared
SplitMix64 generators). Times the fit plus the result attributes abstat
computes in its fit, best of 3, and prints the ratio to abstat's criterion
estimate when `cargo bench --bench regression` has been run."""

import json
import os
import sys
import time

import numpy as np
import statsmodels.api as sm
from statsmodels.stats.stattools import durbin_watson, jarque_bera, omni_normtest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
from common import det_normal, det_uniform  # noqa: E402

N = 1_000_000


def columns():
    return np.column_stack([np.ones(N)] + [det_normal(11 + 2 * j, N) for j in range(9)])


def ols_peer(X, y):
    res = sm.OLS(y, X).fit()
    (res.params, res.bse, res.tvalues, res.pvalues, res.conf_int(), res.rsquared,
     res.rsquared_adj, res.fvalue, res.f_pvalue, res.llf, res.aic, res.bic, res.condition_number)
    durbin_watson(res.wresid), jarque_bera(res.wresid), omni_normtest(res.wresid)
    return res


def logit_peer(X, y):
    res = sm.Logit(y, X).fit(disp=0)
    (res.params, res.bse, res.tvalues, res.pvalues, res.conf_int(), res.llf, res.llnull,
     res.prsquared, res.llr, res.llr_pvalue, res.aic, res.bic)
    return res


def best_of(f, *args, repeat=3):
    """Best wall time and best process CPU time (all BLAS threads) of `repeat` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        f(*args)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def rust_seconds(name):
    path = os.path.join(ROOT, "target", "criterion", "regression", name, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)["mean"]["point_estimate"] / 1e9


def main():
    X = columns()
    beta = np.array([1.0] + [(j + 1) * 0.1 for j in range(9)])
    y_ols = X @ beta + det_normal(101, N)
    eta = X @ np.array([-0.5] + [(j - 4) * 0.1 for j in range(9)])
    y_logit = (det_uniform(103, N) < 1 / (1 + np.exp(-eta))).astype(float)
    for name, f, y in [("ols_1e6x10", ols_peer, y_ols), ("logit_1e6x10", logit_peer, y_logit)]:
        py, py_cpu = best_of(f, X, y)
        rs = rust_seconds(name)
        head = f"{name}: statsmodels {py:.3f} s wall ({py_cpu:.3f} s CPU)"
        if rs is None:
            print(f"{head} (run cargo bench --bench regression for the ratio)")
        else:
            print(f"{head}, abstat {rs:.3f} s wall (criterion mean), abstat is {py / rs:.1f}x faster")


if __name__ == "__main__":
    main()
