"""Hypothesis tests with the names, arguments and results of ``scipy.stats``.

Inputs are one-dimensional: numpy arrays (borrowed without copying when
they are contiguous float64), lists, pandas Series, pyarrow arrays and
polars Series (through the Arrow C Data Interface; nulls count as NaN).
The computation runs in Rust with the GIL released (on inputs of 1024
values or more; below that releasing it costs more than the test).

Deviations from scipy (each documented on the function): no ``axis`` /
``keepdims`` (one-dimensional samples only), some degenerate inputs raise
an :class:`abstat.AbstatError` subclass where scipy returns NaN with a
warning, and :func:`bootstrap` runs Python statistics one resample at a
time (np.mean, np.median and np.std run in Rust).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from abstat import _abstat
from abstat._results import ConfidenceInterval, PearsonRResult, TestResult, TtestResult

__all__ = [
    "ttest_1samp",
    "ttest_rel",
    "ttest_ind",
    "mannwhitneyu",
    "wilcoxon",
    "ks_2samp",
    "shapiro",
    "levene",
    "f_oneway",
    "kruskal",
    "chisquare",
    "chi2_contingency",
    "fisher_exact",
    "pearsonr",
    "spearmanr",
    "kendalltau",
    "bootstrap",
    "TestResult",
    "TtestResult",
    "PearsonRResult",
    "ConfidenceInterval",
]


def ttest_1samp(a, popmean, *, nan_policy="propagate", alternative="two-sided") -> TtestResult:
    """One-sample t-test that the mean of ``a`` is ``popmean``
    (``scipy.stats.ttest_1samp``).

    Returns a :class:`TtestResult` (``statistic, pvalue = res``, ``res.df``,
    ``res.confidence_interval(confidence_level)`` for the mean). Fewer than
    two observations raise :class:`abstat.TooFewObservationsError` and a
    constant sample :class:`abstat.ZeroVarianceError` (scipy: NaN).
    """
    return TtestResult._wrap(_abstat.ttest_1samp(a, float(popmean), alternative, nan_policy))


def ttest_rel(a, b, *, nan_policy="propagate", alternative="two-sided") -> TtestResult:
    """Paired t-test of ``a − b`` (``scipy.stats.ttest_rel``); the interval is
    for the mean difference."""
    return TtestResult._wrap(_abstat.ttest_rel(a, b, alternative, nan_policy))


def ttest_ind(a, b, *, equal_var=True, nan_policy="propagate", alternative="two-sided") -> TtestResult:
    """Two-sample t-test (``scipy.stats.ttest_ind``): Student's with
    ``equal_var=True``, Welch's otherwise. The interval is for
    ``mean(a) − mean(b)``; ``res.estimate`` is that difference and
    ``res.effect_size`` Cohen's d."""
    return TtestResult._wrap(_abstat.ttest_ind(a, b, bool(equal_var), alternative, nan_policy))


def mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", *, method="auto", nan_policy="propagate") -> TestResult:
    """Mann–Whitney U test (``scipy.stats.mannwhitneyu``); ``statistic`` is
    U of ``x``. ``method`` is 'auto', 'exact' or 'asymptotic'."""
    d = _abstat.mannwhitneyu(
        x, y, use_continuity=bool(use_continuity), alternative=alternative, method=method, nan_policy=nan_policy
    )
    return TestResult._wrap(d)


def wilcoxon(
    x, y=None, zero_method="wilcox", correction=False, alternative="two-sided", method="auto", *, nan_policy="propagate"
) -> TestResult:
    """Wilcoxon signed-rank test of ``x`` (the differences) or of ``x − y``
    (``scipy.stats.wilcoxon``). With ``method='approx'`` the result also has
    ``zstatistic``, as scipy's."""
    if method == "approx":
        method = "asymptotic"
    d = _abstat.wilcoxon_test(
        x,
        y,
        zero_method=zero_method,
        correction=bool(correction),
        alternative=alternative,
        method=method,
        nan_policy=nan_policy,
    )
    return TestResult._wrap(d)


class KstestResult(TestResult):
    """``statistic, pvalue = res``; also ``statistic_location`` and
    ``statistic_sign`` as scipy's ``KstestResult``."""


def ks_2samp(data1, data2, alternative="two-sided", method="auto", *, nan_policy="propagate") -> KstestResult:
    """Two-sample Kolmogorov–Smirnov test (``scipy.stats.ks_2samp``);
    ``method`` is 'auto', 'exact' or 'asymp'."""
    d = _abstat.ks_2samp_test(data1, data2, alternative=alternative, method=method, nan_policy=nan_policy)
    return KstestResult._wrap(d)


def shapiro(x, *, nan_policy="propagate") -> TestResult:
    """Shapiro–Wilk test of normality (``scipy.stats.shapiro``); ``x`` is
    flattened as in scipy. Fewer than three values raise
    :class:`abstat.TooFewObservationsError`."""
    x = np.ravel(np.asarray(x, dtype=np.float64)) if isinstance(x, (list, tuple, np.ndarray)) else x
    w, p, n = _abstat.shapiro_test(x, nan_policy=nan_policy, weights=_shapiro_weights(len(x)) if hasattr(x, "__len__") else None)
    return TestResult(statistic=w, pvalue=p, n=n, method="Shapiro-Wilk test")


# The Shapiro-Wilk coefficients depend only on n (n normal quantiles and two
# sums): the last few sizes' are kept (least recently used dropped).
_SHAPIRO_CACHE: dict = {}
_SHAPIRO_CACHE_SIZE = 8


def _shapiro_weights(n):
    w = _SHAPIRO_CACHE.pop(n, None)
    if w is None:
        if n < 3:
            return None  # the core reports the error
        w = _abstat.ShapiroWeights(n)
        if len(_SHAPIRO_CACHE) >= _SHAPIRO_CACHE_SIZE:
            del _SHAPIRO_CACHE[next(iter(_SHAPIRO_CACHE))]
    _SHAPIRO_CACHE[n] = w
    return w


def _f_test(stat: float, p: float, df_num: float, df_denom: float, method: str) -> TestResult:
    return TestResult(statistic=stat, pvalue=p, df=(df_num, df_denom), method=method)


def levene(*samples, center="median", proportiontocut=0.05, nan_policy="propagate") -> TestResult:
    """Levene's test (``center='mean'``) or the Brown–Forsythe test
    (``'median'``, the default; ``'trimmed'``) of equal variances
    (``scipy.stats.levene``)."""
    return _f_test(
        *_abstat.levene_test(list(samples), center=center, proportiontocut=float(proportiontocut), nan_policy=nan_policy),
        "Levene's test",
    )


def f_oneway(*samples, nan_policy="propagate") -> TestResult:
    """One-way ANOVA F test (``scipy.stats.f_oneway``); ``res.df`` is
    ``(df_between, df_within)``."""
    return _f_test(*_abstat.f_oneway_test(list(samples), nan_policy=nan_policy), "one-way ANOVA")


def kruskal(*samples, nan_policy="propagate") -> TestResult:
    """Kruskal–Wallis H test (``scipy.stats.kruskal``)."""
    return TestResult._wrap(_abstat.kruskal_test(list(samples), nan_policy=nan_policy))


def chisquare(f_obs, f_exp=None, ddof=0, *, lambda_=None, nan_policy="propagate") -> TestResult:
    """Chi-square goodness-of-fit test (``scipy.stats.chisquare``; with
    ``lambda_`` the Cressie–Read power divergence of
    ``scipy.stats.power_divergence``). Negative counts, zero expected
    counts and ``ddof >= k − 1`` raise an error (scipy: NaN/inf)."""
    return TestResult._wrap(_abstat.chisquare_test(f_obs, f_exp, int(ddof), lambda_, nan_policy))


class Chi2ContingencyResult(TestResult):
    """``statistic, pvalue, dof, expected_freq = res``, as scipy's."""

    _fields = ("statistic", "pvalue", "dof", "expected_freq")


def chi2_contingency(observed, correction=True, lambda_=None) -> Chi2ContingencyResult:
    """Chi-square test of independence of an r×c table of counts
    (``scipy.stats.chi2_contingency``), with Yates' correction when
    ``dof == 1`` and ``correction``. Two-dimensional tables only."""
    stat, p, dof, expected = _abstat.chi2_contingency_test(observed, correction=bool(correction), lambda_=lambda_)
    return Chi2ContingencyResult(statistic=stat, pvalue=p, dof=dof, expected_freq=expected)


def fisher_exact(table, alternative="two-sided") -> TestResult:
    """Fisher's exact test of a 2×2 table (``scipy.stats.fisher_exact``);
    ``statistic`` is the sample odds ratio."""
    return TestResult._wrap(_abstat.fisher_exact_test(table, alternative))


def pearsonr(x, y, *, alternative="two-sided", nan_policy="propagate") -> PearsonRResult:
    """Pearson's r and the test of ρ = 0 (``scipy.stats.pearsonr``), with
    ``res.confidence_interval(confidence_level)`` (Fisher z). Constant input
    raises :class:`abstat.ZeroVarianceError` (scipy: NaN and a warning)."""
    native = _abstat.pearsonr
    d = native(x, y, alternative=alternative, nan_policy=nan_policy)
    d["_recompute"] = lambda level: native(x, y, alternative=alternative, nan_policy=nan_policy, confidence_level=level)
    d["_level"] = 0.95
    return PearsonRResult._wrap(d)


def spearmanr(a, b=None, *, alternative="two-sided", nan_policy="propagate") -> TestResult:
    """Spearman's rank correlation of two samples (``scipy.stats.spearmanr``
    for 1-D ``a`` and ``b``; a 2-D ``a`` with two columns is split)."""
    if b is None:
        arr = np.asarray(a, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError("spearmanr needs two samples: pass a and b, or a 2-D a with two columns")
        a, b = arr[:, 0], arr[:, 1]
    return TestResult._wrap(_abstat.spearmanr(a, b, alternative, nan_policy))


def kendalltau(x, y, *, nan_policy="propagate", method="auto", variant="b", alternative="two-sided") -> TestResult:
    """Kendall's τ-b and its test (``scipy.stats.kendalltau``); only
    ``variant='b'``. ``method`` is 'auto', 'exact' or 'asymptotic'."""
    if variant != "b":
        raise ValueError("only variant='b' (Kendall's tau-b) is implemented")
    return TestResult._wrap(_abstat.kendalltau(x, y, alternative, nan_policy, method))


class BootstrapResult:
    """As scipy's: ``confidence_interval`` (low, high),
    ``bootstrap_distribution`` and ``standard_error``; plus ``estimate``,
    the statistic on the data."""

    def __init__(self, low, high, standard_error, distribution, estimate):
        self.confidence_interval = ConfidenceInterval(low, high)
        self.standard_error = standard_error
        self.bootstrap_distribution = distribution
        self.estimate = estimate

    def __repr__(self) -> str:
        return (
            f"BootstrapResult(confidence_interval={self.confidence_interval!r}, "
            f"standard_error={self.standard_error!r})"
        )


_STATISTICS = {"mean": "mean", "median": "median", "std": "std", np.mean: "mean", np.median: "median",
               np.std: "std"}


def bootstrap(
    data: Sequence,
    statistic,
    *,
    n_resamples=9999,
    vectorized=None,
    paired=False,
    axis=0,
    confidence_level=0.95,
    method="BCa",
    alternative="two-sided",
    random_state=None,
    rng=None,
) -> BootstrapResult:
    """Bootstrap confidence interval (``scipy.stats.bootstrap``) of
    ``statistic`` over independent samples ``data=(x,)`` or ``(x, y, …)``.

    ``statistic`` is any callable taking one 1-D array per sample and
    returning a number, as in scipy. ``np.mean``, ``np.median`` and
    ``np.std`` (or their names) run entirely in Rust; for two samples they
    bootstrap the difference ``f(x) − f(y)`` (scipy would pass both samples
    to the function). Any other callable is called once per resample (and
    per jackknife sample for BCa) with the GIL taken for the call, so it
    costs what the Python function costs; ``vectorized`` is accepted for
    compatibility and the calls are always one resample at a time.

    Deviations from scipy: ``method`` is 'BCa' or 'percentile';
    ``paired=True`` and ``axis`` other than 0 are not supported;
    ``rng`` / ``random_state`` is an integer seed, and abstat's random
    streams differ from numpy's, so intervals agree with scipy's to Monte
    Carlo error, not digit for digit.
    """
    if paired:
        raise ValueError("paired=True is not implemented: bootstrap independent samples")
    if axis != 0:
        raise ValueError("only one-dimensional samples (axis=0) are supported")
    try:
        name = _STATISTICS.get(statistic)
    except TypeError:  # unhashable
        name = None
    if name is None and not callable(statistic):
        raise ValueError("statistic must be a callable (e.g. np.mean) or one of 'mean', 'median', 'std'")
    seed = rng if rng is not None else random_state
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    elif not isinstance(seed, (int, np.integer)):
        raise ValueError("rng / random_state must be an integer seed")
    kw = dict(
        n_resamples=int(n_resamples),
        confidence_level=float(confidence_level),
        method=method,
        alternative=alternative,
        seed=int(seed),
    )
    if name is None:
        return BootstrapResult(*_abstat.bootstrap_callable(list(data), statistic, **kw))
    return BootstrapResult(*_abstat.bootstrap_ci(list(data), name, **kw))
