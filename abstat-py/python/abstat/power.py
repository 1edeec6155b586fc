"""Power and sample size, as ``statsmodels.stats.power``.

``alternative`` takes statsmodels' spellings ('two-sided', 'larger',
'smaller') and scipy's ('greater', 'less').
"""

from __future__ import annotations

import numpy as np

from abstat import _abstat

__all__ = [
    "tt_ind_solve_power",
    "zt_ind_solve_power",
    "TTestIndPower",
    "NormalIndPower",
    "proportion_effectsize",
]

_ALTERNATIVES = {
    "two-sided": "two-sided",
    "2s": "two-sided",
    "larger": "greater",
    "greater": "greater",
    "smaller": "less",
    "less": "less",
}


def _alternative(alternative: str) -> str:
    try:
        return _ALTERNATIVES[alternative]
    except KeyError:
        raise ValueError(
            f"invalid alternative = {alternative!r}: expected 'two-sided', 'larger' or 'smaller'"
        ) from None


def _opt(v):
    return None if v is None else float(v)


class _IndPower:
    _test = ""

    def power(self, effect_size, nobs1, alpha, ratio=1, alternative="two-sided"):
        """The power of the test for the given effect size, first-sample
        size, significance level and ``ratio = nobs2 / nobs1``."""
        return _abstat.power_of(
            self._test, float(effect_size), float(nobs1), float(alpha), float(ratio), _alternative(alternative)
        )

    def solve_power(self, effect_size=None, nobs1=None, alpha=None, power=None, ratio=1.0, alternative="two-sided"):
        """Solve for the one argument left as None (statsmodels
        ``solve_power``): the effect size, ``nobs1`` (fractional, round up
        for a design), ``alpha``, ``power`` or ``ratio``."""
        _, value = _abstat.power_solve(
            self._test,
            _opt(effect_size),
            _opt(nobs1),
            _opt(alpha),
            _opt(power),
            _opt(ratio),
            _alternative(alternative),
        )
        return value


class TTestIndPower(_IndPower):
    """Power of the two-sample t-test with pooled variance
    (``statsmodels.stats.power.TTestIndPower``)."""

    _test = "ttest_ind"


class NormalIndPower(_IndPower):
    """Power of the two-sample z-test (``statsmodels.stats.power.NormalIndPower``);
    ``ratio=0`` gives the one-sample test."""

    _test = "normal_ind"


def tt_ind_solve_power(effect_size=None, nobs1=None, alpha=None, power=None, ratio=1.0, alternative="two-sided"):
    """``TTestIndPower().solve_power(...)``, as statsmodels' function."""
    return TTestIndPower().solve_power(effect_size, nobs1, alpha, power, ratio, alternative)


def zt_ind_solve_power(effect_size=None, nobs1=None, alpha=None, power=None, ratio=1.0, alternative="two-sided"):
    """``NormalIndPower().solve_power(...)``, as statsmodels' function."""
    return NormalIndPower().solve_power(effect_size, nobs1, alpha, power, ratio, alternative)


def proportion_effectsize(prop1, prop2, method="normal"):
    """Cohen's h, ``2·asin(√p₁) − 2·asin(√p₂)``
    (``statsmodels.stats.proportion.proportion_effectsize``); arrays are
    taken element-wise."""
    if method != "normal":
        raise ValueError("only method='normal' is available, as in statsmodels")
    if np.ndim(prop1) == 0 and np.ndim(prop2) == 0:
        return _abstat.cohen_h_effect(float(prop1), float(prop2))
    p1, p2 = np.broadcast_arrays(np.asarray(prop1, dtype=float), np.asarray(prop2, dtype=float))
    return np.array([_abstat.cohen_h_effect(a, b) for a, b in zip(p1.ravel(), p2.ravel())]).reshape(p1.shape)
