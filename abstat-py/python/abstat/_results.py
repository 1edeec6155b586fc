"""Result objects shaped like scipy's: they unpack as tuples
(``statistic, pvalue = res``) and carry the extra fields as attributes."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple


class ConfidenceInterval(NamedTuple):
    """A confidence interval, as scipy's ``ConfidenceInterval(low, high)``."""

    low: float
    high: float


class TestResult:
    """A hypothesis-test result.

    Unpacks into the fields named in ``_fields`` (``statistic, pvalue`` for
    most tests) like scipy's result tuples; every other value the test
    reports (``df``, ``estimate``, ``effect_size``, ``n``, ``method``) is an
    attribute.
    """

    __test__ = False  # not a pytest test class
    _fields: tuple[str, ...] = ("statistic", "pvalue")

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    @classmethod
    def _wrap(cls, values: dict) -> "TestResult":
        """Adopt the native module's dict as the attributes, without
        copying (this is on every call's path)."""
        obj = cls.__new__(cls)
        obj.__dict__ = values
        return obj

    def _astuple(self) -> tuple:
        return tuple(getattr(self, f) for f in self._fields)

    def __iter__(self):
        return iter(self._astuple())

    def __len__(self) -> int:
        return len(self._fields)

    def __getitem__(self, i):
        return self._astuple()[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple):
            return self._astuple() == other
        if isinstance(other, TestResult):
            return self.__dict__ == other.__dict__
        return NotImplemented

    _repr_fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        names = self._fields + tuple(f for f in self._repr_fields if f not in self._fields)
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in names)
        return f"{type(self).__name__}({inner})"


class TtestResult(TestResult):
    """Result of the t-tests, as scipy's ``TtestResult``: ``statistic``,
    ``pvalue``, ``df`` and :meth:`confidence_interval`.

    As in scipy the interval is computed only when asked for (two inverse-t
    evaluations, most of the cost of a test on a few values); ``ci`` is the
    95 % interval, computed on first use."""

    _repr_fields = ("df",)

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """The interval for the mean (difference) at ``confidence_level``;
        NaN bounds when a NaN propagated (as scipy)."""
        from abstat import _abstat

        if self.df is None:
            return ConfidenceInterval(float("nan"), float("nan"))
        return ConfidenceInterval(
            *_abstat.t_interval(
                self.estimate, self._standard_error, self.df, float(confidence_level), self._alternative
            )
        )

    @property
    def ci(self) -> tuple[float, float] | None:
        """``(low, high)`` at 95 % (None when a NaN propagated)."""
        if self.df is None:
            return None
        got = self.__dict__.get("ci")
        if got is None:
            got = self.__dict__["ci"] = tuple(self.confidence_interval(0.95))
        return got


class PearsonRResult(TestResult):
    """Result of :func:`abstat.stats.pearsonr`: ``statistic`` (r),
    ``pvalue`` and :meth:`confidence_interval` (Fisher z)."""

    def __init__(self, recompute: Callable[[float], dict], level: float, **values: Any) -> None:
        super().__init__(**values)
        self._recompute = recompute
        self._level = level

    def confidence_interval(self, confidence_level: float = 0.95, method: Any = None) -> ConfidenceInterval:
        """Fisher-z interval for ρ; ``method`` must be None (scipy's
        bootstrap interval is not offered)."""
        if method is not None:
            raise ValueError("only the Fisher-z interval (method=None) is available")
        ci = self.ci if confidence_level == self._level else self._recompute(confidence_level)["ci"]
        return ConfidenceInterval(*ci)


def _make(cls: type, d: dict, **extra: Any) -> Any:
    d.update(extra)
    return cls(**d)
