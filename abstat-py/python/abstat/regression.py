"""Linear and logistic regression with statsmodels-like results.

``ols(y, X)`` / ``wls(y, X, weights)`` / ``logit(y, X)`` take arrays, as
``sm.OLS(y, X).fit()`` (no constant unless ``add_constant=True``), or a
DataFrame (pandas, polars, pyarrow Table) with column names:
``ols("revenue", ["price", "region"], data=df)`` adds an intercept and
codes text columns as treatment dummies, like the formula ``revenue ~ price +
region``; rows with missing values are dropped and counted.

Deviations from statsmodels: a rank-deficient design or a separated logit is
an error (statsmodels returns a pseudo-inverse solution or warns).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from abstat import _abstat

__all__ = ["ols", "wls", "logit", "RegressionResults", "LogitResults"]


def _batch(data: Any, columns: Sequence[str]):
    import pyarrow as pa

    if isinstance(data, pa.Table):
        table = data.select(list(columns))
    elif hasattr(data, "to_arrow"):  # polars
        table = data.select(list(columns)).to_arrow()
    else:  # pandas
        table = pa.Table.from_pandas(data[list(columns)], preserve_index=False)
    return table.combine_chunks().to_batches()[0] if table.num_rows else pa.RecordBatch.from_pylist([], schema=table.schema)


def _arrays(exog, add_constant):
    names = None
    if hasattr(exog, "columns"):
        names = [str(c) for c in exog.columns]
    x = np.asarray(exog, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if names is None:
        names = [f"x{i + 1}" for i in range(x.shape[1])]
    return x, names


def _prepare(endog, exog, data, add_constant, weights=None):
    """(y, x, names, intercept, weights) for the native fit."""
    if data is not None:
        predictors = [exog] if isinstance(exog, str) else list(exog)
        cols = [endog, *predictors] + ([weights] if isinstance(weights, str) else [])
        return endog, _batch(data, cols), predictors, True if add_constant is None else add_constant, weights
    x, names = _arrays(exog, add_constant)
    return endog, x, names, bool(add_constant), weights


class _Results:
    _native: Any
    _summary: dict

    def __init__(self, native, refit):
        self._native = native
        self._refit = refit
        s = native.summary()
        self._summary = s
        rows = s["coefficients"]
        self.model_names = [r["name"] for r in rows]
        self.params = np.array([_f(r["coef"]) for r in rows])
        self.bse = np.array([_f(r["se"]) for r in rows])
        self.tvalues = np.array([_f(r["statistic"]) for r in rows])
        self.pvalues = np.array([_f(r["p_value"]) for r in rows])
        self._ci = np.array([[_f(r["ci_low"]), _f(r["ci_high"])] for r in rows])
        self.alpha = s["alpha"]
        self.nobs = s["nobs"]
        self.df_model = s["df_model"]
        self.df_resid = s["df_resid"]
        k = len(rows)
        self._cov = np.array([_f(v) for v in s["cov_params"]]).reshape(k, k)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """``(k, 2)`` array of the ``1 − alpha`` confidence intervals."""
        if alpha == self.alpha:
            return self._ci.copy()
        return self._refit(alpha).conf_int(alpha)

    def cov_params(self) -> np.ndarray:
        """Covariance matrix of the estimates."""
        return self._cov.copy()

    def params_frame(self):
        """The summary table as a pandas DataFrame indexed by term."""
        import pandas as pd

        return pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                self._stat_name: self.tvalues,
                f"P>|{self._stat_name}|": self.pvalues,
                "[0.025": self._ci[:, 0],
                "0.975]": self._ci[:, 1],
            },
            index=self.model_names,
        )

    def summary(self) -> "Summary":
        """A printable summary (text, and HTML in Jupyter)."""
        return Summary(self)


def _f(v):
    return np.nan if v is None else float(v)


class RegressionResults(_Results):
    """An OLS / WLS fit, with statsmodels' attribute names: ``params``,
    ``bse``, ``tvalues``, ``pvalues``, ``conf_int()``, ``cov_params()``,
    ``rsquared``, ``rsquared_adj``, ``fvalue``, ``f_pvalue``, ``llf``,
    ``aic``, ``bic``, ``ssr``, ``ess``, ``scale``, ``resid``,
    ``fittedvalues``, ``condition_number`` and ``predict(exog)``."""

    _stat_name = "t"

    def __init__(self, native, refit):
        super().__init__(native, refit)
        s = self._summary
        self.method = s["method"]
        for name in ("rsquared", "rsquared_adj", "fvalue", "f_pvalue", "llf", "aic", "bic", "scale", "ssr", "ess",
                     "centered_tss", "condition_number"):
            setattr(self, name, _f(s[name]))
        self.cov_type = s["cov_type"]
        self.diagnostics = s["diagnostics"]
        self.resid = native.resid()
        self.fittedvalues = native.fitted()

    def predict(self, exog) -> np.ndarray:
        """Predicted means for the rows of ``exog`` (the design's columns in
        order, constant included)."""
        return np.array([p["mean"] for p in self._native.predict(np.atleast_2d(np.asarray(exog, dtype=float)), self.alpha)])


class LogitResults(_Results):
    """A logistic fit, with statsmodels' ``params``, ``bse``, ``tvalues``
    (z), ``pvalues``, ``conf_int()``, ``llf``, ``llnull``, ``prsquared``,
    ``llr``, ``llr_pvalue``, ``aic``, ``bic``, ``odds_ratios`` and
    ``predict(exog)`` (probabilities)."""

    _stat_name = "z"

    def __init__(self, native, refit):
        super().__init__(native, refit)
        s = self._summary
        self.method = "Logit"
        for name in ("llf", "llnull", "prsquared", "llr", "llr_pvalue", "aic", "bic"):
            setattr(self, name, _f(s[name]))
        self.converged = s["converged"]
        self.iterations = s["iterations"]
        self.odds_ratios = s["odds_ratios"]

    def predict(self, exog) -> np.ndarray:
        """Predicted probabilities for the rows of ``exog``."""
        return self._native.predict(np.atleast_2d(np.asarray(exog, dtype=float)))


class Summary:
    """The coefficient table and fit statistics; ``str()`` gives text,
    Jupyter shows HTML."""

    def __init__(self, res: _Results):
        self._res = res

    def _stats(self):
        r = self._res
        if isinstance(r, RegressionResults):
            return [("Model", r.method), ("No. Observations", r.nobs), ("R-squared", r.rsquared),
                    ("Adj. R-squared", r.rsquared_adj), ("F-statistic", r.fvalue), ("Prob (F-statistic)", r.f_pvalue),
                    ("Log-Likelihood", r.llf), ("AIC", r.aic), ("BIC", r.bic), ("Covariance Type", r.cov_type)]
        return [("Model", "Logit"), ("No. Observations", r.nobs), ("Pseudo R-squ.", r.prsquared),
                ("Log-Likelihood", r.llf), ("LL-Null", r.llnull), ("LLR p-value", r.llr_pvalue),
                ("converged", r.converged)]

    def __str__(self) -> str:
        r = self._res
        lines = [f"{k:<20} {v:.6g}" if isinstance(v, float) else f"{k:<20} {v}" for k, v in self._stats()]
        s = r._stat_name
        lines.append("")
        lines.append(f"{'':<16}{'coef':>12}{'std err':>12}{s:>10}{'P>|' + s + '|':>10}{'[lo':>12}{'hi]':>12}")
        for name, c, e, t, p, (lo, hi) in zip(r.model_names, r.params, r.bse, r.tvalues, r.pvalues, r._ci):
            lines.append(f"{name[:16]:<16}{c:>12.4f}{e:>12.4f}{t:>10.3f}{p:>10.3f}{lo:>12.4f}{hi:>12.4f}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<tr><th>{k}</th><td>{v:.6g}</td></tr>" if isinstance(v, float) else f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in self._stats())
        return f"<table>{head}</table>" + self._res.params_frame().to_html(float_format=lambda v: f"{v:.4f}")


def ols(endog, exog, *, data=None, add_constant=None, weights=None, cov_type="nonrobust", alpha=0.05) -> RegressionResults:
    """Ordinary least squares (``sm.OLS(endog, exog).fit(cov_type=...)``),
    or weighted least squares when ``weights`` is given (an array, or a
    column name with ``data``). ``cov_type``: 'nonrobust', 'HC0' … 'HC3'."""
    y, x, names, intercept, w = _prepare(endog, exog, data, add_constant, weights)
    if data is None and w is not None:
        w = np.asarray(w, dtype=np.float64)

    def fit(a):
        return RegressionResults(_abstat.ols_fit(y, x, names, intercept, w, cov_type, a), fit)

    return fit(alpha)


def wls(endog, exog, weights, **kwargs) -> RegressionResults:
    """Weighted least squares (``sm.WLS(endog, exog, weights).fit()``)."""
    return ols(endog, exog, weights=weights, **kwargs)


def logit(endog, exog, *, data=None, add_constant=None, alpha=0.05, maxiter=35, tol=1e-8) -> LogitResults:
    """Logistic regression by Newton's method (``sm.Logit(endog,
    exog).fit()``); ``endog`` holds 0/1."""
    y, x, names, intercept, _ = _prepare(endog, exog, data, add_constant)

    def fit(a):
        return LogitResults(_abstat.logit_fit(y, x, names, intercept, a, int(maxiter), float(tol)), fit)

    return fit(alpha)
