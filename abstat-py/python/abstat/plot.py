"""Charts as PNG or SVG bytes that display inline in Jupyter.

Every function summarises the data in Rust (histogram bins, densities, box
statistics, QQ points, ROC points…, checked against numpy / scipy /
scikit-learn) and returns a :class:`Chart`: the last expression of a
notebook cell shows it, ``chart.data`` is the encoded image,
``chart.save("lift.png")`` writes it, and ``chart.spec`` holds the
summarised numbers the picture was drawn from. Rendering needs no
matplotlib and no system fonts (DejaVu Sans is embedded, Cyrillic
included: ``lang='ru'`` puts the chart's own words in Russian).

Inputs are what the rest of abstat takes: numpy arrays, lists, pandas /
polars Series, pyarrow arrays; a column name plus ``data=`` (a DataFrame,
pyarrow Table or dict of arrays) picks a column.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from abstat import _abstat

__all__ = [
    "Chart",
    "histogram",
    "box",
    "bars",
    "proportions",
    "scatter",
    "correlation",
    "qq",
    "distributions",
    "roc",
    "confusion",
    "forest",
    "power_curve",
    "residuals",
    "coefficients",
]

_FORMATS = ("png", "svg")


class Chart:
    """A chart rendered as ``format`` ('png' or 'svg') of ``width`` ×
    ``height`` pixels.

    ``data`` is the image (bytes), ``spec`` the chart's numbers as plain
    values, ``kind`` its kind; :meth:`save` writes it and :meth:`render`
    gives it again in another format or size. In Jupyter it shows as one
    image (``_repr_png_`` or ``_repr_svg_``, whichever ``format`` is).
    """

    def __init__(self, native: Any, format: str = "png", width: int = 800, height: int = 500, lang: str | None = None):
        if format not in _FORMATS:
            raise ValueError(f"invalid format = {format!r}: expected 'png' or 'svg'")
        self._native = native
        self.format, self.width, self.height, self.lang = format, int(width), int(height), lang
        self._data: bytes | None = None

    @property
    def kind(self) -> str:
        """The kind of chart: 'histogram', 'box_plot', 'forest', …"""
        return self._native.kind()

    @property
    def spec(self) -> dict:
        """The summarised data and words the chart draws (non-finite numbers
        as None), e.g. ``spec["histogram"]["bins"]["edges"]``."""
        return self._native.spec()

    @property
    def data(self) -> bytes:
        """The encoded image (PNG bytes or SVG text as UTF-8 bytes)."""
        if self._data is None:
            self._data = self.render(self.format, self.width, self.height)
        return self._data

    def render(self, format: str | None = None, width: int | None = None, height: int | None = None) -> bytes:
        """The chart encoded as ``format`` at ``width`` × ``height`` (each
        side 200–4096 pixels); the chart's own settings by default."""
        return self._native.render(
            format or self.format, int(width or self.width), int(height or self.height), self.lang
        )

    def save(self, path: str | os.PathLike, format: str | None = None) -> None:
        """Write the image to ``path``; the format is ``format``, else the
        file's extension (.png / .svg), else the chart's."""
        if format is None:
            ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
            format = ext if ext in _FORMATS else self.format
        data = self.data if format == self.format else self.render(format)
        with open(path, "wb") as f:
            f.write(data)

    def _repr_png_(self) -> bytes | None:
        return self.data if self.format == "png" else None

    def _repr_svg_(self) -> str | None:
        return self.data.decode("utf-8") if self.format == "svg" else None

    def __repr__(self) -> str:
        return f"Chart(kind={self.kind!r}, format={self.format!r}, width={self.width}, height={self.height})"


def _chart(native, format, width, height, lang) -> Chart:
    return Chart(native, format, width, height, lang)


def _column(x: Any, data: Any, default: str) -> tuple[Any, str]:
    """``(values, name)`` of ``x``, a column of ``data`` when a string."""
    if isinstance(x, str):
        if data is None:
            raise ValueError(f"{x!r} is a column name: pass data= (a DataFrame, pyarrow Table or dict of arrays)")
        col = data[x] if not hasattr(data, "column_names") or hasattr(data, "columns") else data.column(x)
        return _values(col), x
    name = getattr(x, "name", None)
    return _values(x), str(name) if isinstance(name, str) and name else default


def _values(col: Any) -> Any:
    """A column as something the native module reads: pyarrow / polars
    arrays pass through (the Arrow C interface), pandas to numpy (nulls as
    NaN)."""
    if hasattr(col, "__arrow_c_array__") or hasattr(col, "__arrow_c_stream__") or isinstance(col, np.ndarray):
        return col  # polars Series, pyarrow (Chunked)Array: the Arrow C interface
    if hasattr(col, "to_numpy"):
        return col.to_numpy(dtype=np.float64, na_value=np.nan) if _is_pandas(col) else col.to_numpy()
    return col


def _is_pandas(col: Any) -> bool:
    return type(col).__module__.startswith("pandas")


def _columns(data: Any, columns: Sequence[str] | None) -> tuple[list[str], list[Any]]:
    """Named columns of a DataFrame / Table / dict, or of a 2-D array."""
    if isinstance(data, np.ndarray) or (isinstance(data, (list, tuple)) and not isinstance(data, Mapping)):
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 2:
            raise ValueError("data must be two-dimensional (rows × columns), a DataFrame or a dict of arrays")
        names = list(columns) if columns is not None else [f"x{i}" for i in range(arr.shape[1])]
        if len(names) != arr.shape[1]:
            raise ValueError(f"{len(names)} column names for {arr.shape[1]} columns")
        return names, [np.ascontiguousarray(arr[:, i]) for i in range(arr.shape[1])]
    if columns is None:
        if hasattr(data, "column_names") and not hasattr(data, "columns"):
            columns = list(data.column_names)
        elif hasattr(data, "columns"):
            columns = [str(c) for c in data.columns]
        else:
            columns = list(data.keys())
        columns = [c for c in columns if _numeric(_column_raw(c, data))]
    return list(columns), [_column(c, data, c)[0] for c in columns]


def _numeric(values: Any) -> bool:
    return np.asarray(values).dtype.kind in "biuf"


def histogram(x, *, data=None, label: str | None = None, lang="en", format="png", width=800, height=500) -> Chart:
    """Histogram with numpy's 'auto' bins (``np.histogram_bin_edges(x,
    'auto')``) and a Gaussian kernel density (scipy ``gaussian_kde``);
    NaN left out. ``x`` is an array or a column name of ``data``."""
    values, name = _column(x, data, "x")
    return _chart(_abstat.chart_histogram(values, label or name, lang), format, width, height, lang)


def box(data, value: str | None = None, by: str | None = None, *, labels: Sequence[str] | None = None,
        lang="en", format="png", width=800, height=500) -> Chart:
    """Box plot (matplotlib's whiskers at 1.5 IQR) of several groups:
    ``data`` a dict name → values, a list of arrays (named by ``labels``),
    or a DataFrame — ``value`` split by the column ``by``, or every numeric
    column as a group."""
    group_name = by or ""
    if value is not None:
        if by is None:
            names, groups = [value], [_column(value, data, value)[0]]
        else:
            v = np.asarray(_column(value, data, value)[0], dtype=np.float64)
            keys = np.asarray(_column_raw(by, data))
            uniq = np.unique(keys)
            names = [str(k) for k in uniq]
            groups = [np.ascontiguousarray(v[keys == k]) for k in uniq]
    elif isinstance(data, Mapping):
        names, groups = [str(k) for k in data], [_values(v) for v in data.values()]
    elif isinstance(data, (list, tuple)):
        names = list(labels) if labels is not None else [str(i + 1) for i in range(len(data))]
        groups = [_values(v) for v in data]
    else:
        names, groups = _columns(data, labels)
    return _chart(_abstat.chart_box(names, groups, value or "", group_name, lang), format, width, height, lang)


def _column_raw(name: str, data: Any) -> Any:
    col = data[name] if not hasattr(data, "column_names") or hasattr(data, "columns") else data.column(name)
    return col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)


def bars(labels: Sequence, counts: Sequence[int] | None = None, *, label: str = "", lang="en", format="png",
         width=800, height=500) -> Chart:
    """Bars of counts per category; with ``counts=None`` the categories of
    ``labels`` (one value per row) are counted, in order of first sight."""
    if counts is None:
        values, idx, cnt = np.unique(np.asarray(labels), return_index=True, return_counts=True)
        order = np.argsort(idx)
        labels, counts = [str(v) for v in values[order]], cnt[order]
    return _chart(
        _abstat.chart_counts([str(v) for v in labels], [int(c) for c in counts], label, lang), format, width, height, lang
    )


def proportions(labels: Sequence, successes: Sequence[int], totals: Sequence[int], *, metric: str = "",
                confidence_level=0.95, lang="en", format="png", width=800, height=500) -> Chart:
    """Bars of ``successes / totals`` per category with Wilson intervals
    (statsmodels ``proportion_confint(method='wilson')``)."""
    native = _abstat.chart_proportions(
        [str(v) for v in labels], [int(s) for s in successes], [int(t) for t in totals], metric,
        float(confidence_level), lang,
    )
    return _chart(native, format, width, height, lang)


def scatter(x, y, *, data=None, lang="en", format="png", width=800, height=500) -> Chart:
    """Scatter of ``y`` against ``x`` with the least-squares line; above
    5000 points, counts on an 80 × 50 grid."""
    (xv, xn), (yv, yn) = _column(x, data, "x"), _column(y, data, "y")
    return _chart(_abstat.chart_scatter(xv, yv, xn, yn, lang), format, width, height, lang)


def correlation(data, columns: Sequence[str] | None = None, *, lang="en", format="png", width=800,
                height=800) -> Chart:
    """Heatmap of Pearson correlations between the numeric columns of
    ``data`` (a DataFrame, Table, dict of arrays or a 2-D array), rows
    with NaN left out pairwise."""
    names, cols = _columns(data, columns)
    return _chart(_abstat.chart_correlation(names, cols, lang), format, width, height, lang)


def qq(x, *, data=None, label: str | None = None, lang="en", format="png", width=800, height=500) -> Chart:
    """Normal QQ plot (``scipy.stats.probplot``) with its fitted line; at
    most 2000 points are drawn."""
    values, name = _column(x, data, "x")
    return _chart(_abstat.chart_qq(values, label or name, lang), format, width, height, lang)


def distributions(control, treatment, *, data=None, metric: str = "", lang="en", format="png", width=800,
                  height=500) -> Chart:
    """Control and treatment distributions on shared bins, with their
    densities."""
    (c, _), (t, _) = _column(control, data, "control"), _column(treatment, data, "treatment")
    return _chart(_abstat.chart_distributions(c, t, metric, lang), format, width, height, lang)


def roc(y_true, y_score, *, lang="en", format="png", width=800, height=800) -> Chart:
    """ROC curve(s) (scikit-learn ``roc_curve``, AUC in the legend):
    ``y_score`` one array of scores, or a dict model name → scores. The
    positive class is the larger of two labels (True / 1). Above 100 000
    rows the curve is read at 20 000 score bins instead (no sort of the
    scores): ``chart.spec["curves"][i]["roc"]["binned"]`` is then True and
    the legend shows "AUC ≈"."""
    y = np.asarray(y_true)
    classes = np.unique(y)
    if len(classes) > 2:
        raise ValueError(f"y_true must have two classes, got {len(classes)}")
    positive = np.ascontiguousarray(y == classes[-1])
    models = y_score if isinstance(y_score, Mapping) else {"model": y_score}
    names = [str(k) for k in models]
    native = _abstat.chart_roc(names, [positive] * len(names), [_values(v) for v in models.values()], lang)
    return _chart(native, format, width, height, lang)


def confusion(y_true, y_pred, *, lang="en", format="png", width=800, height=800) -> Chart:
    """Confusion matrix (true class by row, predicted by column) over the
    sorted union of the labels, as scikit-learn's ``confusion_matrix``."""
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    if yt.shape != yp.shape:
        raise ValueError(f"y_true and y_pred have different lengths ({yt.size} and {yp.size})")
    labels = np.unique(np.concatenate([yt, yp]))
    ti, pi = np.searchsorted(labels, yt), np.searchsorted(labels, yp)
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(counts, (ti, pi), 1)
    native = _abstat.chart_confusion([str(v) for v in labels], counts.tolist(), lang)
    return _chart(native, format, width, height, lang)


def forest(result, *, lang="en", format="png", width=800, height=500) -> Chart:
    """Forest plot of an :func:`abstat.ab.analyze` result: the relative
    lift of every treatment on every metric with its interval (corrected
    when the analysis was), coloured when it excludes zero."""
    inputs = getattr(result, "_inputs", None)
    if inputs is None:
        raise ValueError("forest() takes the result of abstat.ab.analyze or abstat.ab.analyze_stats")
    native = _abstat.chart_forest(*inputs, list(result.variant_names), lang)
    return _chart(native, format, width, height, lang)


def power_curve(effect: float, std: float, *, alpha=0.05, target=0.8, current: float | None = None, metric="",
                lang="en", format="png", width=800, height=500) -> Chart:
    """Power of the two-sided two-sample z-test against the sample size per
    arm for an absolute ``effect`` with per-unit standard deviation ``std``;
    the size reaching ``target`` (or ``current``) is marked."""
    native = _abstat.chart_power_curve(
        float(effect), float(std), float(alpha), float(target), None if current is None else float(current),
        metric, lang,
    )
    return _chart(native, format, width, height, lang)


def residuals(fit, *, lang="en", format="png", width=800, height=500) -> Chart:
    """Residuals against fitted values of an :func:`abstat.regression.ols`
    / ``wls`` result."""
    native = getattr(fit, "_native", None)
    if native is None or not hasattr(native, "chart_residuals"):
        raise ValueError("residuals() takes the result of abstat.regression.ols or wls")
    return _chart(native.chart_residuals(lang), format, width, height, lang)


def coefficients(fit, *, lang="en", format="png", width=800, height=500) -> Chart:
    """Coefficients with their confidence intervals (the intercept left
    out) of an :mod:`abstat.regression` result."""
    native = getattr(fit, "_native", None)
    if native is None or not hasattr(native, "chart_coefficients"):
        raise ValueError("coefficients() takes the result of abstat.regression.ols, wls or logit")
    return _chart(native.chart_coefficients(lang), format, width, height, lang)
