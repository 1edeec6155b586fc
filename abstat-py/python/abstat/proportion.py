"""Tests and intervals for proportions, as ``statsmodels.stats.proportion``."""

from __future__ import annotations

import numpy as np

from abstat import _abstat
from abstat.power import _alternative, proportion_effectsize

__all__ = ["proportions_ztest", "proportion_confint", "proportion_effectsize"]


def _counts(x, what):
    # Python ints (the usual call) skip numpy: its conversions and checks
    # were most of a call's cost (bool is an int subclass, and excluded)
    if type(x) is int:
        if x >= 0:
            return [x]
    elif type(x) in (list, tuple) and 1 <= len(x) <= 2 and all(type(v) is int and v >= 0 for v in x):
        return list(x)
    arr = np.atleast_1d(np.asarray(x))
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.floor(arr)):
        raise ValueError(f"{what} must be one or two non-negative whole numbers")
    return [int(v) for v in arr]


def proportions_ztest(count, nobs, value=None, alternative="two-sided", prop_var=False):
    """z-test for one proportion or for the difference of two
    (``statsmodels.stats.proportion.proportions_ztest``); returns
    ``(zstat, pvalue)``.

    One sample: the variance uses the sample proportion, or ``value`` when
    ``prop_var`` equals it. Two samples: the pooled proportion, H₀
    ``p₁ − p₂ = value`` (default 0). A ``prop_var`` other than False or
    ``value`` is not supported.
    """
    counts, nobss = _counts(count, "count"), _counts(nobs, "nobs")
    if len(counts) == 1:
        if value is None:
            raise ValueError("value must be given for a one-sample test")
        if prop_var is not False and prop_var != value:
            raise ValueError("prop_var must be False or equal to value")
        null_variance = prop_var is not False
    else:
        if prop_var is not False:
            raise ValueError("prop_var is only supported for one sample")
        value = 0.0 if value is None else value
        null_variance = False
    return _abstat.proportions_ztest(counts, nobss, float(value), _alternative(alternative), null_variance)


_CI_METHODS = {
    "normal": "normal",
    "wilson": "wilson",
    "agresti_coull": "agresti_coull",
    "beta": "beta",
    "clopper-pearson": "beta",
    "jeffreys": "jeffreys",
}


def proportion_confint(count, nobs, alpha=0.05, method="normal"):
    """Two-sided ``1 − alpha`` interval for ``count / nobs``
    (``statsmodels.stats.proportion.proportion_confint``): 'normal',
    'wilson', 'agresti_coull', 'beta' (Clopper–Pearson) or 'jeffreys'.
    Returns ``(low, upp)``; scalars only."""
    m = _CI_METHODS.get(method, method)
    c, n = _counts(count, "count"), _counts(nobs, "nobs")
    if len(c) != 1 or len(n) != 1:
        raise ValueError("count and nobs must be scalars")
    return _abstat.proportion_ci(c[0], n[0], 1.0 - float(alpha), m)
