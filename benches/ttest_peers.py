"""Time scipy.stats.ttest_ind(a, b, equal_var=False) on the same two
5,000,000-element arrays as benches/ttest.rs and print the ratio to the
Rust figure (criterion's estimate, if `cargo bench --bench ttest` has run)."""

import json
import os
import sys
import timeit

import numpy as np
from scipy import stats

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
from common import det_normal  # noqa: E402

N = 5_000_000
a = det_normal(1, N, 0.0, 1.0)
b = det_normal(3, N, 0.01, 1.5)
r = stats.ttest_ind(a, b, equal_var=False)
runs = timeit.repeat(lambda: stats.ttest_ind(a, b, equal_var=False), number=1, repeat=15)
scipy_ms = float(np.median(runs)) * 1e3
print(f"scipy ttest_ind(equal_var=False), n = 2 x {N:,}: median {scipy_ms:.1f} ms (t = {r.statistic:.6f})")

est = os.path.join(ROOT, "target", "criterion", "welch_ttest_5e6", "new", "estimates.json")
if os.path.exists(est):
    with open(est) as f:
        rust_ms = json.load(f)["median"]["point_estimate"] / 1e6
    print(f"abstat welch: median {rust_ms:.1f} ms -> {scipy_ms / rust_ms:.1f}x faster than scipy")
else:
    print("run `cargo bench --bench ttest` first for the ratio")
