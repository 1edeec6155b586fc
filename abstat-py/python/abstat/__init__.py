"""abstat: statistics for A/B tests with scipy / statsmodels / scikit-learn
compatible names, computed by a Rust core.

Submodules: :mod:`abstat.stats` (hypothesis tests, as ``scipy.stats``),
:mod:`abstat.power` and :mod:`abstat.proportion` (as statsmodels'),
:mod:`abstat.multitest` (``multipletests``), :mod:`abstat.regression`,
:mod:`abstat.ml`, :mod:`abstat.ab` (A/B analysis), :mod:`abstat.io` and
:mod:`abstat.plot` (charts as PNG / SVG).

Every error abstat raises derives from :class:`AbstatError`, itself a
:class:`ValueError`; each kind of problem has its own subclass.
"""

from abstat._abstat import (
    AbstatError,
    DegenerateDataError,
    InvalidParameterError,
    LengthMismatchError,
    MissingValuesError,
    NoConvergenceError,
    TooFewObservationsError,
    UnsupportedTypeError,
    ZeroVarianceError,
)
from abstat import ab, io, ml, multitest, plot, power, proportion, regression, stats

__version__ = "0.1.0"

__all__ = [
    "AbstatError",
    "DegenerateDataError",
    "InvalidParameterError",
    "LengthMismatchError",
    "MissingValuesError",
    "NoConvergenceError",
    "TooFewObservationsError",
    "UnsupportedTypeError",
    "ZeroVarianceError",
    "ab",
    "io",
    "ml",
    "multitest",
    "plot",
    "power",
    "proportion",
    "regression",
    "stats",
]
