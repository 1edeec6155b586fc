"""abstat.plot: every chart renders as a valid PNG / SVG of the requested
size, the numbers it draws equal numpy's / scipy's / scikit-learn's on the
same data, it displays as exactly one image in Jupyter, and bad input is an
exception with a clear message."""

import struct
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.stats as ss
from sklearn.metrics import confusion_matrix, roc_auc_score

import abstat
from abstat import plot

from _py_helpers import close, rng


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature
    and every chunk's CRC (a truncated or corrupt file fails)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, size, chunks = 8, None, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        chunks.append(kind)
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and b"IDAT" in chunks
    return size


def svg_size(data: bytes) -> tuple[int, int]:
    root = ET.fromstring(data.decode("utf-8"))
    assert root.tag.endswith("svg")
    return int(root.get("width")), int(root.get("height"))


def x_normal(n=3000, seed=0):
    return rng(seed).normal(10.0, 2.0, size=n)


def every_chart():
    r = rng(7)
    x, y = x_normal(), r.normal(size=3000)
    df = pd.DataFrame({"revenue": x, "visits": x * 0.3 + y, "group": np.where(y > 0, "new", "old")})
    ab = abstat.ab.analyze(
        pd.DataFrame({"variant": np.repeat(["control", "test"], 1500), "revenue": np.r_[x[:1500], x[1500:] + 0.5]}),
        "variant",
        ["revenue"],
    )
    fit = abstat.regression.ols("revenue", ["visits"], data=df)
    return {
        "histogram": lambda **k: plot.histogram(x, **k),
        "box_plot": lambda **k: plot.box(df, "revenue", by="group", **k),
        "bars": lambda **k: plot.bars(["a", "b", "a", "c"], **k),
        "scatter": lambda **k: plot.scatter("visits", "revenue", data=df, **k),
        "heatmap": lambda **k: plot.correlation(df, **k),
        "qq": lambda **k: plot.qq(x, **k),
        "distributions": lambda **k: plot.distributions(x[:1500], x[1500:], metric="revenue", **k),
        "roc": lambda **k: plot.roc(y > 0, y + r.normal(size=3000), **k),
        "confusion": lambda **k: plot.confusion([0, 1, 1, 0, 2], [0, 1, 0, 0, 2], **k),
        "forest": lambda **k: plot.forest(ab, **k),
        "power_curve": lambda **k: plot.power_curve(0.5, 2.0, current=1000, **k),
        "residuals": lambda **k: plot.residuals(fit, **k),
        "coefficients": lambda **k: plot.coefficients(fit, **k),
    }


CHARTS = every_chart()


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_every_chart_is_a_valid_image_of_the_requested_size(kind):
    png = CHARTS[kind](width=640, height=400)
    assert png.kind == kind
    assert png_size(png.data) == (640, 400)
    svg = CHARTS[kind](format="svg", width=900, height=700, lang="ru")
    assert svg_size(svg.data) == (900, 700)
    # the same chart again in the other format and size
    assert png_size(svg.render("png", 300, 200)) == (300, 200)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_chart_displays_as_exactly_one_image(fmt):
    chart = plot.histogram(x_normal(), format=fmt)
    shown = [r for r in (chart._repr_png_(), chart._repr_svg_()) if r is not None]
    assert len(shown) == 1
    assert "Chart(kind='histogram'" in repr(chart)


def test_save_picks_the_format_from_the_extension(tmp_path):
    chart = plot.qq(x_normal())
    chart.save(tmp_path / "qq.svg")
    chart.save(tmp_path / "qq.png")
    chart.save(tmp_path / "qq.bin", format="svg")
    assert svg_size((tmp_path / "qq.svg").read_bytes()) == (800, 500)
    assert png_size((tmp_path / "qq.png").read_bytes()) == (800, 500)
    assert (tmp_path / "qq.bin").read_bytes() == (tmp_path / "qq.svg").read_bytes()
    assert (tmp_path / "qq.png").read_bytes() == chart.data


# --- the numbers drawn equal the reference libraries' -----------------------


@pytest.mark.parametrize("n", [7, 250, 3000])
def test_histogram_bins_and_counts_are_numpys(n):
    x = x_normal(n, seed=n)
    spec = plot.histogram(x).spec["histogram"]
    counts, edges = np.histogram(x, bins="auto")
    close(spec["bins"]["edges"], edges, rtol=1e-12)
    assert spec["counts"] == counts.tolist()
    # the density curve is scipy's gaussian_kde (Scott's rule) where drawn
    d = plot.histogram(x).spec["density"]
    kde = ss.gaussian_kde(x)
    close(d["y"], kde(np.asarray(d["x"])), rtol=1e-10)


def test_histogram_takes_a_dataframe_column_and_leaves_nan_out():
    x = x_normal(500)
    with_nan = x.copy()
    with_nan[::10] = np.nan
    df = pd.DataFrame({"revenue": with_nan})
    spec = plot.histogram("revenue", data=df).spec
    counts, edges = np.histogram(with_nan[~np.isnan(with_nan)], bins="auto")
    assert spec["histogram"]["counts"] == counts.tolist()
    assert spec["x_label"] == "revenue"
    assert plot.histogram(pa.array(with_nan)).spec["histogram"]["counts"] == counts.tolist()
    assert plot.histogram(df["revenue"]).spec["x_label"] == "revenue"


def test_qq_points_and_line_are_scipys_probplot():
    x = x_normal(1500, seed=3)
    spec = plot.qq(x).spec["qq"]
    (osm, osr), (slope, intercept, r) = ss.probplot(x)
    close(spec["theoretical"], osm, rtol=1e-10)
    close(spec["sample"], osr, rtol=1e-15)
    close([spec["fit"]["slope"], spec["fit"]["intercept"], spec["fit"]["r"]], [slope, intercept, r], rtol=1e-10)


def test_correlation_matrix_is_numpys_corrcoef():
    r = rng(4)
    m = r.normal(size=(400, 3))
    m[:, 1] += m[:, 0]
    spec = plot.correlation(m, ["a", "b", "c"]).spec["matrix"]
    assert spec["names"] == ["a", "b", "c"]
    close(spec["r"], np.corrcoef(m, rowvar=False), rtol=1e-12)
    # a DataFrame keeps only its numeric columns
    df = pd.DataFrame({"a": m[:, 0], "label": ["x"] * 400, "b": m[:, 1]})
    assert plot.correlation(df).spec["matrix"]["names"] == ["a", "b"]


def test_box_statistics_are_numpys_quartiles():
    r = rng(5)
    groups = {"a": r.normal(size=301), "b": r.exponential(size=120)}
    spec = plot.box(groups).spec["groups"]
    assert [g["name"] for g in spec] == ["a", "b"]
    for g, x in zip(spec, groups.values()):
        s = g["stats"]
        close([s["q1"], s["median"], s["q3"]], np.percentile(x, [25, 50, 75]), rtol=1e-12)
        close(s["mean"], np.mean(x), rtol=1e-12)
        assert s["n"] == len(x)


def test_roc_auc_and_confusion_counts_are_sklearns():
    r = rng(6)
    y = r.integers(0, 2, 800)
    score = y + r.normal(size=800)
    curves = plot.roc(y, {"m1": score, "m2": -score}).spec["curves"]
    assert [c["name"] for c in curves] == ["m1", "m2"]
    close(curves[0]["roc"]["auc"], roc_auc_score(y, score), rtol=1e-12)
    close(curves[1]["roc"]["auc"], roc_auc_score(y, -score), rtol=1e-12)
    yt, yp = r.integers(0, 3, 100), r.integers(0, 3, 100)
    spec = plot.confusion(yt, yp).spec
    assert spec["counts"] == confusion_matrix(yt, yp).tolist()
    assert spec["labels"] == ["0", "1", "2"]


def test_forest_rows_are_the_ab_results_lifts():
    res = abstat.ab.analyze_stats(
        [1000, 1000, 1000],
        {"revenue": {"n": [1000, 1000, 1000], "sum": [5000.0, 5400.0, 4900.0], "sum_squares": [40000.0, 45000.0, 39000.0]}},
        variants=["A", "B", "C"],
    )
    rows = plot.forest(res).spec["rows"]
    assert [r["label"] for r in rows] == ["revenue · B", "revenue · C"]
    table = res.to_pandas()
    close([r["estimate"] for r in rows], table["relative_effect"].to_numpy(), rtol=1e-15)
    close([r["lower"] for r in rows], table["relative_ci_low"].to_numpy(), rtol=1e-15)


# --- errors ------------------------------------------------------------------


def test_bad_input_is_a_clear_exception():
    with pytest.raises(abstat.TooFewObservationsError):
        plot.histogram([])
    with pytest.raises(abstat.AbstatError, match="between 200 and 4096"):
        plot.histogram(x_normal(), width=50).data
    with pytest.raises(ValueError, match="'png' or 'svg'"):
        plot.histogram(x_normal(), format="jpeg")
    with pytest.raises(ValueError, match="'en' or 'ru'"):
        plot.histogram(x_normal(), lang="de")
    with pytest.raises(ValueError, match="column name"):
        plot.histogram("revenue")
    with pytest.raises(ValueError, match="abstat.ab.analyze"):
        plot.forest(object())
    with pytest.raises(ValueError, match="two classes"):
        plot.roc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(abstat.LengthMismatchError):
        plot.scatter([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(abstat.InvalidParameterError):
        plot.power_curve(0.0, 1.0)
