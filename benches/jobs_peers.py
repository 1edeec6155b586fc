"""pandas + scipy on the data of benches/jobs.rs: 100,000 rows (variant A/B,
metric y). The peer of one analysis job is what abstat's worker does after
the request is validated: read the two columns from the stored Parquet file
and run Welch's t-test by group. (The cached path has no Python peer: it is
a lookup.) Prints the ratio to abstat's criterion estimate when `cargo bench
--bench jobs` has been run."""

import os
import sys
import tempfile

import pandas as pd
from scipy import stats

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import ab_frame  # noqa: E402

N = 100_000


def peer(path):
    df = pd.read_parquet(path, columns=["variant", "y"])
    a, b = df.y[df.variant == "A"], df.y[df.variant == "B"]
    return stats.ttest_ind(a, b, equal_var=False)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ab.parquet")
        ab_frame(N).to_parquet(path, compression="zstd")
        report("jobs", [("welch_job_1e5", "pandas read_parquet + scipy Welch", lambda: peer(path))])


if __name__ == "__main__":
    main()
