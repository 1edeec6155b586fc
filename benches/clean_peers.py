"""Time pandas on the table and plan of benches/clean.rs (1,000,000 rows:
drop_duplicates, dropna, median fillna, IQR clip, str.strip().str.lower(),
mean fillna, a filter, rename) and print abstat's ratio from criterion's
estimate (run `cargo bench --bench clean` first)."""

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import python_seconds, rust_seconds  # noqa: E402
from peer_timing import common  # noqa: E402

ROWS = 1_000_000
VARIANTS = np.array(["A", "B", " a", "b ", "A  ", "control"], dtype=object)


def table():
    """Row for row what benches/clean.rs builds (SplitMix64 streams)."""
    u = common.det_uniform(31, ROWS)
    v = common.det_uniform(32, ROWS)
    revenue = common.det_normal(33, ROWS, 100.0, 30.0)
    pre = common.det_normal(35, ROWS, 90.0, 25.0)
    user = (u * 900_000.0).astype(np.int64)
    i = np.arange(ROWS)
    src = np.where((i % 7 == 0) & (i > 0) & (user % 2 == 0), i - 1, i)
    variant = VARIANTS[(v[src] * 6.0).astype(np.int64)]
    variant[src % 50 == 0] = None
    rev = np.where(src % 1000 == 1, revenue[src] * 50.0, revenue[src])
    rev[src % 20 == 0] = np.nan
    pre = pre[src].copy()
    pre[src % 30 == 0] = np.nan
    return pd.DataFrame({"user_id": user[src], "variant": variant, "revenue": rev, "pre": pre})


def plan(df):
    df = df.drop_duplicates()
    df = df.dropna(subset=["variant"])
    df = df.assign(revenue=df.revenue.fillna(df.revenue.median()))
    q1, q3 = df.revenue.quantile(0.25), df.revenue.quantile(0.75)
    df = df.assign(revenue=df.revenue.clip(q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)))
    df = df.assign(variant=df.variant.str.strip().str.lower())
    df = df.assign(pre=df.pre.fillna(df.pre.mean()))
    df = df[df.user_id >= 1000]
    return df.rename(columns={"pre": "pre_period"})


def main():
    df = table()
    out = plan(df)
    print(f"pandas {pd.__version__}: {len(df):,} rows -> {len(out):,} rows")
    py = python_seconds(lambda: plan(df), min_time=3.0)
    rs = rust_seconds("clean", "typical_plan_1M_rows")
    print(f"pandas typical plan: {py * 1e3:.1f} ms")
    if rs:
        print(f"abstat typical plan: {rs * 1e3:.1f} ms -> {py / rs:.2f}x pandas speed")
    else:
        print("abstat: no criterion estimate yet (cargo bench --bench clean)")


if __name__ == "__main__":
    main()
