"""A/B/n experiment analysis (abstat's engine, which matches GrowthBook's
gbstats 0.8.0): Welch comparisons of every treatment with the control for
mean, proportion, ratio and CUPED metrics, absolute and relative lifts with
intervals, sample ratio mismatch, achieved power and MDE, corrections
across comparisons and a verdict per metric and treatment.

Give raw columns (:func:`analyze` with a DataFrame / dict of arrays and a
variant column) or sufficient statistics (:func:`analyze_stats` with
``n, sum, sum_squares`` per variant, as a SQL ``GROUP BY`` returns them).
The result converts to a pandas or polars DataFrame and renders as a table
in Jupyter. With ``segment=`` (a dimension column: country, platform, …)
:func:`analyze` also analyses every segment (:class:`SegmentedResult`).
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np

from abstat import _abstat

__all__ = ["analyze", "analyze_stats", "Metric", "ExperimentResult", "SegmentedResult", "Segment"]

_CORRECTIONS = {
    None: None,
    "none": None,
    "bonferroni": "bonferroni",
    "holm": "holm",
    "simes-hochberg": "simes-hochberg",
    "fdr_bh": "benjamini-hochberg",
    "fdr_by": "benjamini-yekutieli",
}


class Metric:
    """How to compute one metric from raw columns.

    ``kind``: 'mean' (of ``column``), 'proportion' (``column`` holds 0/1),
    'ratio' (Σ``column`` / Σ``denominator`` over units) or 'cuped' (mean of
    ``column`` adjusted by the pre-period ``covariate``).
    """

    def __init__(self, column: str, kind: str = "mean", *, name: str | None = None, denominator: str | None = None,
                 covariate: str | None = None, higher_is_better: bool = True):
        if kind not in ("mean", "proportion", "ratio", "cuped"):
            raise ValueError(f"invalid kind = {kind!r}: expected 'mean', 'proportion', 'ratio' or 'cuped'")
        if kind == "ratio" and denominator is None:
            raise ValueError("a ratio metric needs denominator=")
        if kind == "cuped" and covariate is None:
            raise ValueError("a cuped metric needs covariate=")
        self.column, self.kind, self.name = column, kind, name or column
        self.denominator, self.covariate, self.higher_is_better = denominator, covariate, higher_is_better


def _options(alpha, alternative, correction, sequential_tuning, control, srm_threshold, target_power, min_units):
    if correction not in _CORRECTIONS:
        raise ValueError(f"invalid correction = {correction!r}: expected one of {[c for c in _CORRECTIONS if c]}")
    alt = {"larger": "greater", "smaller": "less"}.get(alternative, alternative)
    return json.dumps(
        {
            "alpha": float(alpha),
            "alternative": alt,
            "engine": {"engine": "fixed"}
            if sequential_tuning is None
            else {"engine": "sequential", "tuning": float(sequential_tuning)},
            "correction": _CORRECTIONS[correction],
            "control": int(control),
            "srm_threshold": float(srm_threshold),
            "target_power": float(target_power),
            "min_units": int(min_units),
        }
    )


def _column(data, name):
    col = data[name]
    if hasattr(col, "to_numpy"):
        col = col.to_numpy()
    return np.asarray(col)


def analyze(
    data: Any,
    variant: str,
    metrics: Sequence[str | Metric],
    *,
    variants: Sequence | None = None,
    weights: Sequence[float] | None = None,
    nan_policy: str = "omit",
    segment: str | None = None,
    top: int = 10,
    min_segment_units: int = 0,
    **options: Any,
) -> "ExperimentResult | SegmentedResult":
    """Analyse raw per-unit data: ``data`` (pandas / polars DataFrame,
    pyarrow Table or dict of arrays) with one row per unit, ``variant`` the
    column of variant labels (control first in ``variants``, default:
    sorted labels), ``metrics`` column names (mean metrics) or
    :class:`Metric` specs. ``weights`` is the configured split (default
    equal). Other options as :func:`analyze_stats`.

    ``segment``: a dimension column; the experiment is then analysed for
    each of its ``top`` values with the most units (default 10) and for the
    rest merged into "other"; rows without a value (None, NaN, an empty
    string) form "(missing)". A value with fewer than ``min_segment_units``
    units joins "other" (named so because ``min_units`` is already the
    minimum per variant of a comparison). The correction runs over every
    segment × treatment × metric comparison (``abstat_core::ab::segments``).
    Returns a :class:`SegmentedResult`.
    """
    if hasattr(data, "column_names") and not hasattr(data, "columns"):  # pyarrow Table
        data = {n: data.column(n).to_numpy() for n in data.column_names}
    labels = _column(data, variant)
    if variants is None:
        variants, codes = np.unique(labels, return_inverse=True)
    else:
        lookup = {v: i for i, v in enumerate(variants)}
        try:
            codes = np.array([lookup[v] for v in labels.tolist()])
        except KeyError as e:
            raise ValueError(f"variant {e.args[0]!r} is not in variants={list(variants)}") from None
    codes = np.ascontiguousarray(codes, dtype=np.uint32).ravel()
    k = len(variants)
    specs = [Metric(m) if isinstance(m, str) else m for m in metrics]
    names = [str(v) for v in variants]
    if segment is None:
        units = np.bincount(codes, minlength=k).tolist()
        return _run(units, weights, _metric_inputs(data, specs, codes, k, nan_policy), names, options)
    # One pass per metric over (segment value, variant) cells.
    values, dim = _dimension(_column(data, segment))
    cells = np.ascontiguousarray(dim.astype(np.uint32) * np.uint32(k) + codes, dtype=np.uint32)
    units = np.bincount(cells, minlength=len(values) * k).reshape(len(values), k)
    inputs = _metric_inputs(data, specs, cells, len(values) * k, nan_policy)
    by_value = [
        {
            "value": value,
            "units": units[i].tolist(),
            "metrics": [dict(m, variants=m["variants"][i * k:(i + 1) * k]) for m in inputs],
        }
        for i, value in enumerate(values)
    ]
    o = _option_values(options)
    if weights is None:
        weights = [1.0 / k] * k
    raw, overall, per_segment = _abstat.ab_analyze_segments(
        json.dumps(by_value), [float(w) for w in weights], _options(**o), int(top), int(min_segment_units)
    )
    return SegmentedResult(raw, overall, per_segment, names)


def _metric_inputs(data, specs, codes, k, nan_policy):
    """The core's MetricInput of every metric, statistics per code."""
    inputs = []
    for m in specs:
        y = _column(data, m.column)
        if m.kind in ("mean", "proportion"):
            stats = [
                {"kind": m.kind, "n": n, "sum": s, "sum_squares": q}
                for n, s, q in _abstat.ab_moments(y, codes, k, nan_policy)
            ]
        else:
            x = _column(data, m.denominator if m.kind == "ratio" else m.covariate)
            joint = _abstat.ab_joint_moments(y, x, codes, k, nan_policy)
            kind = "ratio" if m.kind == "ratio" else "regression_adjusted"
            stats = [{"kind": kind, **j} for j in joint]
        inputs.append({"name": m.name, "higher_is_better": m.higher_is_better, "variants": stats})
    return inputs


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _dimension(column) -> tuple[list[str | None], np.ndarray]:
    """The distinct values of a dimension column as labels (None for rows
    without a value, all such rows in one group, last) and each row's index
    into them."""
    column = np.asarray(column).ravel()
    if column.dtype.kind == "f":
        missing = np.isnan(column)
        keys = column
    elif column.dtype.kind in "iubUS":
        missing = np.zeros(len(column), dtype=bool)
        keys = column
    else:  # objects: strings, numbers, None / NaN
        raw = column.tolist()
        missing = np.fromiter((_is_missing(v) for v in raw), dtype=bool, count=len(raw))
        keys = np.array([_label(v) for v in raw], dtype=object)
    present = ~missing
    uniq, inv = np.unique(keys[present], return_inverse=True)
    labels = [_label(u) for u in uniq.tolist()]
    # blank strings are rows without a value too
    blank = np.array([not lab.strip() for lab in labels], dtype=bool)
    kept = [lab for lab, b in zip(labels, blank) if not b]
    index = np.where(blank, len(kept), np.cumsum(~blank) - 1)
    dim = np.full(len(column), len(kept), dtype=np.int64)
    dim[present] = index[np.asarray(inv).ravel()]
    if missing.any() or blank.any():
        kept.append(None)
    return kept, dim


def _label(v) -> str:
    """A dimension value as the segment's name (1.0 and 1 are both "1")."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def analyze_stats(
    units: Sequence[int],
    metrics: Mapping[str, Mapping[str, Any]],
    *,
    weights: Sequence[float] | None = None,
    variants: Sequence[str] | None = None,
    **options: Any,
) -> "ExperimentResult":
    """Analyse sufficient statistics. ``units``: units per variant (control
    first); ``metrics``: name → ``{"kind": "mean" | "proportion", "n": [...],
    "sum": [...], "sum_squares": [...], "higher_is_better": True}``.

    Options: ``alpha`` (0.05), ``alternative`` ('two-sided'), ``correction``
    (None, 'bonferroni', 'holm', 'simes-hochberg', 'fdr_bh', 'fdr_by'),
    ``sequential_tuning`` (None = fixed horizon; a number = confidence
    sequences with that τ), ``control`` (0), ``srm_threshold`` (0.001),
    ``target_power`` (0.8), ``min_units`` (2).
    """
    inputs = []
    for name, m in metrics.items():
        kind = m.get("kind", "mean")
        if kind not in ("mean", "proportion"):
            raise ValueError(f"metric {name!r}: kind must be 'mean' or 'proportion' for sufficient statistics")
        n, s = m["n"], m["sum"]
        q = m.get("sum_squares", [0.0] * len(n))
        if not len(n) == len(s) == len(q) == len(units):
            raise ValueError(f"metric {name!r}: n, sum and sum_squares need one value per variant ({len(units)})")
        inputs.append(
            {
                "name": name,
                "higher_is_better": bool(m.get("higher_is_better", True)),
                "variants": [
                    {"kind": kind, "n": int(a), "sum": float(b), "sum_squares": float(c)} for a, b, c in zip(n, s, q)
                ],
            }
        )
    names = [str(v) for v in variants] if variants is not None else [f"variant {i}" for i in range(len(units))]
    return _run([int(u) for u in units], weights, inputs, names, options)


def _option_values(options):
    allowed = {"alpha", "alternative", "correction", "sequential_tuning", "control", "srm_threshold", "target_power",
               "min_units"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unexpected options {sorted(unknown)}; allowed: {sorted(allowed)}")
    return {"alpha": 0.05, "alternative": "two-sided", "correction": None, "sequential_tuning": None, "control": 0,
            "srm_threshold": 0.001, "target_power": 0.8, "min_units": 2} | options


def _run(units, weights, inputs, names, options):
    o = _option_values(options)
    if weights is None:
        weights = [1.0 / len(units)] * len(units)
    args = (list(units), [float(w) for w in weights], json.dumps(inputs), _options(**o))
    raw, verdicts = _abstat.ab_analyze(*args)
    res = ExperimentResult(raw, verdicts, names)
    res._inputs = args  # abstat.plot.forest re-runs the analysis natively
    return res


class _Table:
    """DataFrame conversions of a result's :meth:`rows`."""

    def rows(self) -> list[dict]:
        raise NotImplementedError

    def to_pandas(self):
        """The results as a pandas DataFrame (one row per :meth:`rows` entry)."""
        import pandas as pd

        return pd.DataFrame(self.rows()).astype({"p_value": float, "adjusted_p_value": float})

    def to_polars(self):
        """The results as a polars DataFrame (polars must be installed)."""
        import polars as pl

        return pl.DataFrame(self.rows())


class ExperimentResult(_Table):
    """The analysis: ``srm`` (sample ratio mismatch check), ``verdicts``
    (metric → treatment → verdict), ``raw`` (every number, as plain
    values), :meth:`to_pandas` / :meth:`to_polars` (one row per metric and
    treatment) and an HTML table in Jupyter."""

    def __init__(self, raw: dict, verdicts: list, variant_names: list[str]):
        self.raw = raw
        self.srm = raw["srm"]
        self.variant_names = variant_names
        self.verdicts = {
            m["name"]: {variant_names[t["variant"]]: v for t, v in zip(m["treatments"], vs)}
            for m, vs in zip(raw["metrics"], verdicts)
        }

    def rows(self) -> list[dict]:
        """One dict per metric × treatment."""
        out = []
        for m in self.raw["metrics"]:
            for t in m["treatments"]:
                c = t["comparison"] or {}
                a = c.get("absolute") or {}
                r = c.get("relative") or {}
                name = self.variant_names[t["variant"]]
                out.append(
                    {
                        "metric": m["name"],
                        "variant": name,
                        "control_mean": (c.get("control") or {}).get("mean"),
                        "variant_mean": (c.get("treatment") or {}).get("mean"),
                        "absolute_effect": a.get("estimate"),
                        "ci_low": (a.get("ci") or {}).get("lower"),
                        "ci_high": (a.get("ci") or {}).get("upper"),
                        "relative_effect": r.get("estimate"),
                        "relative_ci_low": (r.get("ci") or {}).get("lower"),
                        "relative_ci_high": (r.get("ci") or {}).get("upper"),
                        "p_value": a.get("p_value"),
                        "adjusted_p_value": t["adjusted_p_value"],
                        "power": (t.get("power") or {}).get("achieved"),
                        "mde": (t.get("power") or {}).get("mde"),
                        "verdict": self.verdicts[m["name"]][name],
                        "error": t.get("error"),
                    }
                )
        return out

    def _repr_html_(self) -> str:
        srm = self.srm
        flag = "mismatch!" if srm["p_value"] is not None and srm["p_value"] < srm["threshold"] else "ok"
        head = f"<p><b>Sample ratio</b>: p = {srm['p_value']:.4g} ({flag})</p>" if srm["p_value"] is not None else ""
        return head + self.to_pandas().to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")

    def __repr__(self) -> str:
        lines = [f"ExperimentResult(srm p={self.srm['p_value']})"]
        for r in self.rows():
            lines.append(
                f"  {r['metric']} / {r['variant']}: effect {r['absolute_effect']} "
                f"p={r['p_value']} -> {r['verdict']}"
            )
        return "\n".join(lines)


class Segment:
    """One segment: ``name`` (the value, "other" or "(missing)"), ``kind``
    ('value', 'other', 'missing'), ``values`` (the dimension values it
    holds), ``units`` per variant, ``notes`` (plain-words remarks) and
    ``result`` (an :class:`ExperimentResult` whose adjusted p-values are
    those of the whole segments × treatments × metrics family)."""

    def __init__(self, raw: dict, verdicts: list, variant_names: list[str]):
        self.name, self.kind = raw["name"], raw["kind"]
        self.values, self.units, self.notes = raw["values"], raw["units"], raw["notes"]
        self.result = ExperimentResult(raw["analysis"], verdicts, variant_names)

    def __repr__(self) -> str:
        return f"Segment({self.name!r}, kind={self.kind!r}, units={self.units})"


class SegmentedResult(_Table):
    """An experiment analysed per segment: ``overall`` (the whole
    experiment, an :class:`ExperimentResult` with its own correction),
    ``segments`` (a list of :class:`Segment`: the top values by units, then
    "other", then "(missing)"), ``family`` (the correction's family: its m
    is ``family["comparisons"]``), :meth:`segment` by name, :meth:`to_pandas`
    / :meth:`to_polars` (one row per segment, metric and treatment) and an
    HTML table in Jupyter."""

    def __init__(self, raw: dict, overall_verdicts: list, segment_verdicts: list, variant_names: list[str]):
        self.raw = raw
        self.family = raw["family"]
        self.variant_names = variant_names
        self.overall = ExperimentResult(raw["overall"], overall_verdicts, variant_names)
        self.segments = [Segment(s, v, variant_names) for s, v in zip(raw["segments"], segment_verdicts)]

    def segment(self, name: str, kind: str | None = None) -> Segment:
        """The segment called ``name`` (of ``kind`` when a value is itself
        named "other" or "(missing)")."""
        for s in self.segments:
            if s.name == name and (kind is None or s.kind == kind):
                return s
        raise KeyError(f"no segment {name!r}; segments: {[s.name for s in self.segments]}")

    def rows(self) -> list[dict]:
        """One dict per segment × metric × treatment, with the segment's
        name, kind and SRM p-value before the columns of
        :meth:`ExperimentResult.rows`."""
        out = []
        for s in self.segments:
            head = {"segment": s.name, "segment_kind": s.kind, "units": sum(s.units),
                    "srm_p_value": s.result.srm["p_value"]}
            out.extend(head | r for r in s.result.rows())
        return out

    def _repr_html_(self) -> str:
        f = self.family
        head = (f"<p><b>Segments</b>: {f['segments']}; correction {f['correction'] or 'none'} over "
                f"{f['comparisons']} comparisons</p>")
        return head + self.to_pandas().to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")

    def __repr__(self) -> str:
        lines = [f"SegmentedResult({len(self.segments)} segments, {self.family['comparisons']} comparisons)"]
        for r in self.rows():
            lines.append(
                f"  [{r['segment']}] {r['metric']} / {r['variant']}: effect {r['absolute_effect']} "
                f"p={r['p_value']} adj={r['adjusted_p_value']} -> {r['verdict']}"
            )
        return "\n".join(lines)
