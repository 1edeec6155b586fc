"""pandas + matplotlib / openpyxl on the data of benches/server.rs:
100,000 rows (variant A/B, metric y). The peers of the server routes are
what their jobs do after the request is validated:
- chart: read column y from the stored Parquet file, histogram with
  numpy's "auto" bins and a Gaussian KDE curve (scipy), draw with
  matplotlib and save a 1280x800 PNG;
- clean preview: read the file, winsorize y at the 1% and 99% quantiles
  (pandas quantile + clip) and count the changed cells;
- export: the A/B result table (one row, 17 columns) written as XLSX.
Prints the ratio to abstat's criterion estimates when `cargo bench --bench
server` has been run."""

import io
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import common  # noqa: E402

N = 100_000


def data():
    b = common.det_uniform(7, N) >= 0.5
    y = common.det_normal(11, N, 10.0, 3.0) + np.where(b, 0.05, 0.0)
    return pd.DataFrame({"variant": np.where(b, "B", "A"), "y": y})


def chart(path):
    y = pd.read_parquet(path, columns=["y"]).y.to_numpy()
    fig, ax = plt.subplots(figsize=(12.8, 8.0), dpi=100)
    ax.hist(y, bins="auto", density=True)
    grid = np.linspace(y.min(), y.max(), 200)
    ax.plot(grid, stats.gaussian_kde(y)(grid))
    ax.set_title("Distribution of y")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def clean(path):
    df = pd.read_parquet(path)
    lo, hi = df.y.quantile([0.01, 0.99])
    capped = df.y.clip(lo, hi)
    return int((capped != df.y).sum())


def export():
    row = {name: [0.123456789] for name in [
        "control_n", "control_mean", "treatment_n", "treatment_mean", "absolute_effect",
        "absolute_ci_lower", "absolute_ci_upper", "p_value", "adjusted_p_value",
        "relative_effect", "relative_ci_lower", "relative_ci_upper"]}
    df = pd.DataFrame({"metric": ["y"], "variant": ["B"], "control": ["A"], **row,
                       "verdict": ["inconclusive"], "error": [None]})
    buf = io.BytesIO()
    df.to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ab.parquet")
        data().to_parquet(path, compression="zstd")
        report("server", [
            ("chart_histogram_1e5", "read_parquet + matplotlib hist+kde", lambda: chart(path)),
            ("clean_preview_1e5", "read_parquet + quantile + clip", lambda: clean(path)),
            ("export_ab_xlsx", "pandas to_excel (openpyxl)", export),
        ])


if __name__ == "__main__":
    main()
