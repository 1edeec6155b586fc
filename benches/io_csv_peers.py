"""Time pandas.read_csv and pyarrow.csv.read_csv on the CSV that
benches/io_csv.rs reads (same generator), and print abstat's ratio when
its median time (seconds) is given: python benches/io_csv_peers.py [ABSTAT_S]
"""

import datetime as dt
import os
import sys
import tempfile
import time

import pandas as pd
import pyarrow.csv as pacsv

ROWS = 1_000_000


def write_csv(path):
    start = dt.date(2024, 1, 1)
    days = [(start + dt.timedelta(days=k)).isoformat() for k in range(365)]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("id,value,group,day\n")
        for i in range(ROWS):
            v = (i * 7919 % 100_000) / 100.0
            f.write(f"{i},{v:.2f},g{i % 3},{days[i % 365]}\n")


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def main():
    path = os.path.join(tempfile.gettempdir(), "abstat-bench-io", "ingest_peer.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_csv(path)
    size = os.path.getsize(path)
    pandas_s = best_of(lambda: pd.read_csv(path, parse_dates=["day"]))
    arrow_s = best_of(lambda: pacsv.read_csv(path))
    print(f"file: {size / 1e6:.1f} MB, {ROWS} rows")
    print(f"pandas.read_csv (parse_dates): median {pandas_s:.3f} s ({size / pandas_s / 1e6:.0f} MB/s)")
    print(f"pyarrow.csv.read_csv (multi-threaded): median {arrow_s:.3f} s ({size / arrow_s / 1e6:.0f} MB/s)")
    if len(sys.argv) > 1:
        ours = float(sys.argv[1])
        print(f"abstat {ours:.3f} s: {pandas_s / ours:.2f}x pandas speed, {arrow_s / ours:.2f}x pyarrow speed")


if __name__ == "__main__":
    main()
