"""The Python peers of benches/io_csv.rs, timed in one run, with abstat's
ratios from criterion's estimates (run `cargo bench --bench io_csv` first:
it also writes the A/B files this script reads).

- read_path_1M_rows: pandas.read_csv and pyarrow.csv.read_csv on the same
  generated text (written here by the same rule as the Rust bench).
- ingest_path_{1M,10M}_rows: Polars (read_csv, then write_parquet with zstd
  level 1, as abstat stores) and pandas (read_csv alone) on
  target/bench-data/ab_{rows}.csv, with each peer's peak resident memory
  measured in a child process.
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd
import pyarrow.csv as pacsv

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import ROOT, rust_seconds  # noqa: E402

ROWS = 1_000_000


def write_csv(path):
    start = dt.date(2024, 1, 1)
    days = [(start + dt.timedelta(days=k)).isoformat() for k in range(365)]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("id,value,group,day\n")
        for i in range(ROWS):
            v = (i * 7919 % 100_000) / 100.0
            f.write(f"{i},{v:.2f},g{i % 3},{days[i % 365]}\n")


def median_of(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


PEER = {
    "polars": (
        "import polars as pl, sys\n"
        "pl.read_csv(sys.argv[1]).write_parquet(sys.argv[2], compression='zstd', compression_level=1)\n"
    ),
    "pandas": "import pandas as pd, sys\npd.read_csv(sys.argv[1])\n",
}


def peer_run(kind, csv, out):
    """Seconds and peak RSS (MB) of one peer run in a fresh interpreter;
    the time covers the read (and write) only, not the imports."""
    code = (
        "import resource, time\nt = time.perf_counter()\n"
        + PEER[kind]
        + "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    res = subprocess.run([sys.executable, "-c", code, csv, out], capture_output=True, text=True, check=True)
    secs, kb = res.stdout.split()
    return float(secs), int(kb) / 1024


def ratio(name, peer_s):
    ours = rust_seconds(name.split("/")[0], name.split("/")[1])
    if ours is None:
        return "abstat: no criterion estimate yet"
    return f"abstat {ours:.3f} s -> {peer_s / ours:.2f}x"


def main():
    path = os.path.join(tempfile.gettempdir(), "abstat-bench-io", "ingest_peer.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_csv(path)
    size = os.path.getsize(path)
    pandas_s = median_of(lambda: pd.read_csv(path, parse_dates=["day"]))
    arrow_s = median_of(lambda: pacsv.read_csv(path))
    print(f"read_path_1M_rows: file {size / 1e6:.1f} MB")
    print(f"  pandas.read_csv (parse_dates): {pandas_s:.3f} s; {ratio('io_csv/read_path_1M_rows', pandas_s)} pandas")
    print(f"  pyarrow.csv.read_csv (threads): {arrow_s:.3f} s; {ratio('io_csv/read_path_1M_rows', arrow_s)} pyarrow")

    data = os.path.join(ROOT, "target", "bench-data")
    for rows, name in [(1_000_000, "ingest_path_1M_rows"), (10_000_000, "ingest_path_10M_rows")]:
        csv = os.path.join(data, f"ab_{rows}.csv")
        if not os.path.exists(csv):
            print(f"{name}: {csv} missing (run cargo bench --bench io_csv first)")
            continue
        print(f"{name}: file {os.path.getsize(csv) / 1e6:.1f} MB")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.parquet")
            for kind, label in [("polars", "Polars read_csv + write_parquet"), ("pandas", "pandas read_csv")]:
                runs = [peer_run(kind, csv, out) for _ in range(3)]
                secs = sorted(r[0] for r in runs)[1]
                peak = max(r[1] for r in runs)
                print(f"  {label}: {secs:.3f} s, peak RSS {peak:.0f} MB; {ratio('io_ingest/' + name, secs)} {kind}")


if __name__ == "__main__":
    main()
