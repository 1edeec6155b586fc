"""Shared by the benches/<area>_peers.py scripts: time a Python callable and
compare it with the criterion estimate of the matching Rust benchmark
(run `cargo bench --bench <area>` first)."""

import json
import os
import sys
import timeit

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))

import common  # noqa: E402,F401  (re-exported for the peer scripts)


def ab_frame(n):
    """The A/B data of benches/in_process (jobs and server benches): variant
    = [u < 0.5] (seed 7), y ~ N(10, 3) (seed 11) + 0.05 for B."""
    import numpy as np
    import pandas as pd

    b = common.det_uniform(7, n) >= 0.5
    y = common.det_normal(11, n, 10.0, 3.0) + np.where(b, 0.05, 0.0)
    return pd.DataFrame({"variant": np.where(b, "B", "A"), "y": y})


def python_seconds(fn, min_time=1.0):
    """Mean seconds per call: the best of 5 repeats of enough calls to last min_time."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    return min(timer.repeat(repeat=5, number=number)) / number


def rust_seconds(group, name):
    path = os.path.join(ROOT, "target", "criterion", group, name, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)["mean"]["point_estimate"] * 1e-9


def report(group, rows):
    """rows: (criterion name, peer label, python callable)."""
    print(f"{'benchmark':42} {'peer':34} {'python':>11} {'rust':>11} {'speed-up':>9}")
    for name, label, fn in rows:
        py = python_seconds(fn)
        rs = rust_seconds(group, name)
        rs_txt = f"{rs * 1e6:9.1f}us" if rs else "    (none)"
        ratio = f"{py / rs:8.1f}x" if rs else "        -"
        print(f"{group + '/' + name:42} {label:34} {py * 1e6:9.1f}us {rs_txt} {ratio}")
