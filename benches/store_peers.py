"""pandas on the data of benches/store.rs: the per-variant sufficient
statistics (n, sum y, sum y^2, sum x, sum x^2, sum xy) of a 10,000,000-unit
experiment with a text variant column, by groupby; once from a DataFrame in
memory (the best case for pandas, no I/O) and once after reading the three
columns from a zstd Parquet file (as LocalStore does). Prints the ratio to
abstat's criterion estimates when `cargo bench --features clickhouse --bench
store` has been run: the ClickHouse push-down is compared with the in-memory
groupby, the local store with the Parquet one."""

import os
import sys
import tempfile

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import common  # noqa: E402

N = 10_000_000


def data():
    u = common.det_uniform(7, N)
    treated = u >= 0.5
    x = common.det_normal(11, N, 10.0, 3.0)
    y = 2.0 + 0.8 * x + 0.01 * treated + common.det_normal(13, N, 0.0, 1.5)
    variant = np.where(treated, "treatment", "control")
    return pd.DataFrame({"variant": variant, "x": x, "y": y})


def moments(df):
    return (
        df.assign(yy=df.y * df.y, xx=df.x * df.x, xy=df.x * df.y)
        .groupby("variant")
        .agg(n=("y", "size"), sum_y=("y", "sum"), sum_yy=("yy", "sum"),
             sum_x=("x", "sum"), sum_xx=("xx", "sum"), sum_xy=("xy", "sum"))
    )


def main():
    df = data()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "exp.parquet")
        df.to_parquet(path, compression="zstd", index=False)
        report("store", [
            ("clickhouse_push_down_1e7", "pandas groupby (in memory)", lambda: moments(df)),
            ("local_parquet_1e7", "pandas read_parquet + groupby",
             lambda: moments(pd.read_parquet(path, columns=["variant", "x", "y"]))),
        ])


if __name__ == "__main__":
    main()
