"""Shared helpers of the abstat-py tests: comparisons at the core issues'
tolerances."""

import math

import numpy as np

# Hypothesis tests and p-values: relative 1e-10 (absolute 1e-300 near zero),
# the tolerance of the core fixture tests.
RTOL = 1e-10
ATOL = 1e-300


def close(actual, expected, rtol=RTOL, atol=ATOL):
    """Element-wise |a − e| <= atol + rtol·|e|, NaN equal to NaN."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert a.shape == e.shape, (a.shape, e.shape)
    ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True) | (a == e)
    assert ok.all(), f"{actual!r} != {expected!r} (rtol {rtol})"


def same_test(ours, ref, rtol=RTOL, fields=("statistic", "pvalue")):
    """Compare the named fields of two scipy-like results."""
    for f in fields:
        close(getattr(ours, f), getattr(ref, f), rtol=rtol)


def rng(seed):
    return np.random.default_rng(seed)


def isnan(x):
    return isinstance(x, float) and math.isnan(x)


def close_ci(actual, expected, center, rtol=RTOL):
    """Compare interval ends. They are estimate ± q·se: ends near zero lose
    relative precision by cancellation, so the tolerance is relative to the
    distance q·se from the estimate ``center`` (the quantity actually
    computed), as the core's fixture tests do with the width."""
    ends = [float(v) for v in expected]
    reach = max(abs(e - center) for e in ends if np.isfinite(e))
    close(actual, expected, rtol=rtol, atol=rtol * reach)
