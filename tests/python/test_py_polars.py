"""polars inputs: Series (through the Arrow C stream interface, nulls as
NaN) and DataFrames give the same results as numpy arrays of the same
values, and results convert to polars DataFrames."""

import numpy as np
import polars as pl
import pytest

import abstat
from abstat import ab, plot, regression, stats

from _py_helpers import close, rng


def test_polars_series_equal_numpy_arrays():
    r = rng(21)
    a, b = r.normal(size=300), r.normal(0.2, 1.3, size=250)
    pa_, pb = pl.Series("a", a), pl.Series("b", b)
    for f in (lambda x, y: stats.ttest_ind(x, y, equal_var=False), stats.mannwhitneyu, stats.ks_2samp,
              lambda x, y: stats.kruskal(x, y)):
        ours, ref = f(pa_, pb), f(a, b)
        close(ours.statistic, ref.statistic, rtol=0)
        close(ours.pvalue, ref.pvalue, rtol=0)
    close(stats.pearsonr(pa_, pl.Series(a * 2 + b[:1].repeat(300))).statistic, 1.0, rtol=1e-12)


def test_polars_nulls_are_nan_and_chunks_are_joined():
    s = pl.concat([pl.Series("x", [1.0, 2.0, None]), pl.Series("x", [4.0, 8.0, 3.5])], rechunk=False)
    assert s.n_chunks() == 2
    x = np.array([1.0, 2.0, np.nan, 4.0, 8.0, 3.5])
    ours = stats.ttest_1samp(s, 1.0, nan_policy="omit")
    ref = stats.ttest_1samp(x, 1.0, nan_policy="omit")
    assert ours.statistic == ref.statistic and ours.pvalue == ref.pvalue
    with pytest.raises(abstat.MissingValuesError):
        stats.ttest_1samp(s, 1.0, nan_policy="raise")
    ints = pl.Series("n", [1, 2, 3, 4, 6], dtype=pl.Int32)
    close(stats.ttest_1samp(ints, 0.0).statistic, stats.ttest_1samp(np.array([1, 2, 3, 4, 6.0]), 0.0).statistic, rtol=0)


def test_polars_dataframes_in_ab_regression_and_plot():
    r = rng(22)
    n = 2000
    df = pl.DataFrame({
        "variant": np.where(r.random(n) < 0.5, "control", "test"),
        "revenue": r.exponential(10.0, n),
        "visits": r.poisson(3.0, n).astype(float),
    })
    res = ab.analyze(df, "variant", ["revenue"])
    same = ab.analyze(df.to_pandas(), "variant", ["revenue"])
    assert res.rows() == same.rows()
    table = res.to_polars()
    assert isinstance(table, pl.DataFrame) and table.height == 1
    hist = plot.histogram("revenue", data=df)
    counts, _ = np.histogram(df["revenue"].to_numpy(), bins="auto")
    assert hist.spec["histogram"]["counts"] == counts.tolist()
    assert plot.correlation(df).spec["matrix"]["names"] == ["revenue", "visits"]
    fit = regression.ols(df["revenue"], np.column_stack([np.ones(n), df["visits"].to_numpy()]))
    ref = regression.ols(df["revenue"].to_numpy(), np.column_stack([np.ones(n), df["visits"].to_numpy()]))
    close(fit.params, ref.params, rtol=0)
