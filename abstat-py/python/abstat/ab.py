"""A/B/n experiment analysis (abstat's engine, which matches GrowthBook's
gbstats 0.8.0): Welch comparisons of every treatment with the control for
mean, proportion, ratio and CUPED metrics, absolute and relative lifts with
intervals, sample ratio mismatch, achieved power and MDE, corrections
across comparisons and a verdict per metric and treatment.

Give raw columns (:func:`analyze` with a DataFrame / dict of arrays and a
variant column) or sufficient statistics (:func:`analyze_stats` with
``n, sum, sum_squares`` per variant, as a SQL ``GROUP BY`` returns them).
The result converts to a pandas or polars DataFrame and renders as a table
in Jupyter.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np

from abstat import _abstat

__all__ = ["analyze", "analyze_stats", "Metric", "ExperimentResult"]

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
    **options: Any,
) -> "ExperimentResult":
    """Analyse raw per-unit data: ``data`` (pandas / polars DataFrame,
    pyarrow Table or dict of arrays) with one row per unit, ``variant`` the
    column of variant labels (control first in ``variants``, default:
    sorted labels), ``metrics`` column names (mean metrics) or
    :class:`Metric` specs. ``weights`` is the configured split (default
    equal). Other options as :func:`analyze_stats`.
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
    codes = np.ascontiguousarray(codes, dtype=np.uint32)
    k = len(variants)
    units = np.bincount(codes, minlength=k).tolist()
    specs = [Metric(m) if isinstance(m, str) else m for m in metrics]
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
    return _run(units, weights, inputs, [str(v) for v in variants], options)


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


def _run(units, weights, inputs, names, options):
    allowed = {"alpha", "alternative", "correction", "sequential_tuning", "control", "srm_threshold", "target_power",
               "min_units"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unexpected options {sorted(unknown)}; allowed: {sorted(allowed)}")
    o = {"alpha": 0.05, "alternative": "two-sided", "correction": None, "sequential_tuning": None, "control": 0,
         "srm_threshold": 0.001, "target_power": 0.8, "min_units": 2} | options
    if weights is None:
        weights = [1.0 / len(units)] * len(units)
    args = (list(units), [float(w) for w in weights], json.dumps(inputs), _options(**o))
    raw, verdicts = _abstat.ab_analyze(*args)
    res = ExperimentResult(raw, verdicts, names)
    res._inputs = args  # abstat.plot.forest re-runs the analysis natively
    return res


class ExperimentResult:
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

    def to_pandas(self):
        """The results as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows()).astype({"p_value": float, "adjusted_p_value": float})

    def to_polars(self):
        """The results as a polars DataFrame (polars must be installed)."""
        import polars as pl

        return pl.DataFrame(self.rows())

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
