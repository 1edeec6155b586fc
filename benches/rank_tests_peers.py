"""scipy on the data of benches/rank_tests.rs, and the ratio to abstat.

Run `cargo bench --bench rank_tests` first; this script times scipy on the
same 10^6-element samples (SplitMix64 normals, scripts/fixtures/common.py),
reads criterion's median for each benchmark and prints scipy / abstat.
"""

import json
import os
import sys
import time

from scipy import stats

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
from common import det_normal  # noqa: E402

N = 1_000_000
x = det_normal(1, N, 0.0)
y = det_normal(3, N, 0.002)

PEERS = {
    "mannwhitneyu_1e6": lambda: stats.mannwhitneyu(x, y),
    "ks_2samp_1e6": lambda: stats.ks_2samp(x, y),
    "spearmanr_1e6": lambda: stats.spearmanr(x, y),
    "kendalltau_1e6": lambda: stats.kendalltau(x, y),
}


def median_seconds(f, repeats=7):
    f()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def criterion_median(name):
    path = os.path.join(ROOT, "target", "criterion", "rank_tests", name, "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["median"]["point_estimate"] / 1e9
    except FileNotFoundError:
        return None


print(f"{'benchmark':<20} {'scipy ms':>10} {'abstat ms':>10} {'ratio':>8}")
for name, f in PEERS.items():
    peer = median_seconds(f)
    ours = criterion_median(name)
    if ours is None:
        print(f"{name:<20} {peer * 1e3:10.1f} {'(run cargo bench)':>19}")
    else:
        print(f"{name:<20} {peer * 1e3:10.1f} {ours * 1e3:10.1f} {peer / ours:7.1f}x")
