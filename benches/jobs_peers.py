"""pandas + scipy on the data of benches/jobs.rs: 100,000 rows (variant A/B,
metric y). The peer of one analysis job is what abstat's worker does after
the request is validated: read the two columns from the stored Parquet file
and run Welch's t-test by group. (The cached path has no Python peer: it is
a lookup.) Prints the ratio to abstat's criterion estimate when `cargo bench
--bench jobs` has been run."""

import os
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import common  # noqa: E402

N = 100_000


def data():
    b = common.det_uniform(7, N) >= 0.5
    y = common.det_normal(11, N, 10.0, 3.0) + np.where(b, 0.05, 0.0)
    return pd.DataFrame({"variant": np.where(b, "B", "A"), "y": y})


def peer(path):
    df = pd.read_parquet(path, columns=["variant", "y"])
    a, b = df.y[df.variant == "A"], df.y[df.variant == "B"]
    return stats.ttest_ind(a, b, equal_var=False)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ab.parquet")
        data().to_parquet(path, compression="zstd")
        report("jobs", [("welch_job_1e5", "pandas read_parquet + scipy Welch", lambda: peer(path))])


if __name__ == "__main__":
    main()
