"""abstat.regression against statsmodels 0.14.5 (params 1e-8 relative,
standard errors and p-values 1e-6, the regression issue's tolerances),
abstat.ml.metrics against scikit-learn 1.7.2 (exact counts, 1e-12), the
estimators' scikit-learn interface, abstat.ab against scipy's Welch test and
between its raw and sufficient-statistics entry points, and abstat.io
against pandas' readers."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.stats as ss
import sklearn.metrics as skm
import statsmodels.api as sm
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.model_selection import cross_val_score

import abstat
from abstat import ab, ml, regression
from abstat.ml import metrics

from _py_helpers import close, rng

PARAMS, SE = 1e-8, 1e-6


def _data(seed, n=300, k=3):
    r = rng(seed)
    X = r.normal(size=(n, k))
    y = X @ np.arange(1, k + 1) * 0.5 + r.normal(size=n)
    return X, y


def _same_fit(ours, ref, order=None):
    """``order``: positions of ours' terms in ref's (patsy puts categorical
    terms first, abstat keeps the order given)."""
    o = slice(None) if order is None else order
    close(ours.params, np.asarray(ref.params)[o], rtol=PARAMS, atol=1e-12)
    close(ours.bse, np.asarray(ref.bse)[o], rtol=SE)
    close(ours.tvalues, np.asarray(ref.tvalues)[o], rtol=SE)
    close(ours.pvalues, np.asarray(ref.pvalues)[o], rtol=SE, atol=1e-300)
    close(ours.conf_int(), np.asarray(ref.conf_int())[o], rtol=SE, atol=1e-12)
    close(ours.conf_int(0.1), np.asarray(ref.conf_int(0.1))[o], rtol=SE, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC3"])
def test_ols_matches_statsmodels(seed, cov_type):
    X, y = _data(seed)
    Xc = sm.add_constant(X)
    ours = regression.ols(y, Xc, cov_type=cov_type)
    ref = sm.OLS(y, Xc).fit(cov_type=cov_type)
    _same_fit(ours, ref)
    for name in ("rsquared", "rsquared_adj", "llf", "aic", "bic"):
        close(getattr(ours, name), getattr(ref, name), rtol=SE)
    close(ours.fvalue, ref.fvalue, rtol=SE)
    close(ours.resid, ref.resid, rtol=SE, atol=1e-10)
    close(ours.predict(Xc[:5]), ref.predict(Xc[:5]), rtol=PARAMS)
    assert "R-squared" in str(ours.summary()) and "<table>" in ours.summary()._repr_html_()


def test_wls_matches_statsmodels():
    X, y = _data(2)
    w = rng(3).uniform(0.5, 2.0, len(y))
    Xc = sm.add_constant(X)
    _same_fit(regression.wls(y, Xc, w), sm.WLS(y, Xc, weights=w).fit())


def test_ols_from_dataframe_codes_categories_like_a_formula():
    import statsmodels.formula.api as smf

    X, y = _data(4)
    df = pd.DataFrame({"y": y, "a": X[:, 0], "b": X[:, 1], "g": rng(5).choice(["lo", "mid", "hi"], len(y))})
    df.loc[3, "a"] = np.nan  # dropped, as patsy does
    ours = regression.ols("y", ["a", "b", "g"], data=df)
    ref = smf.ols("y ~ a + b + g", data=df).fit()
    assert sorted(ours.model_names) == sorted(ref.params.index)
    _same_fit(ours, ref, order=[list(ref.params.index).index(n) for n in ours.model_names])
    assert ours.nobs == ref.nobs
    same = regression.ols("y", ["a", "b", "g"], data=pa.Table.from_pandas(df))
    close(same.params, ours.params)


def test_logit_matches_statsmodels():
    X, y = _data(6)
    yb = (y + rng(7).normal(size=len(y)) > 0).astype(float)
    Xc = sm.add_constant(X)
    ours = regression.logit(yb, Xc)
    ref = sm.Logit(yb, Xc).fit(disp=0)
    _same_fit(ours, ref)
    for name in ("llf", "llnull", "prsquared", "llr_pvalue"):
        close(getattr(ours, name), getattr(ref, name), rtol=SE)
    close(ours.predict(Xc[:5]), ref.predict(Xc[:5]), rtol=SE)


def test_regression_errors():
    X, y = _data(8)
    collinear = np.column_stack([np.ones(len(y)), X[:, 0], 2 * X[:, 0]])
    with pytest.raises(abstat.AbstatError, match="collinear|rank|singular"):
        regression.ols(y, collinear)
    with pytest.raises(abstat.LengthMismatchError):
        regression.ols(y[:-1], X)
    with pytest.raises(abstat.MissingValuesError):
        regression.ols(np.r_[np.nan, y[1:]], X)
    with pytest.raises(abstat.InvalidParameterError, match="cov_type"):
        regression.ols(y, X, cov_type="HC9")
    separated = (X[:, 0] > 0).astype(float)
    with pytest.raises(abstat.AbstatError, match="separat"):
        regression.logit(separated, sm.add_constant(X))


# --- classification ----------------------------------------------------------


def _labels(seed, n=200, k=3):
    r = rng(seed)
    t = r.integers(0, k, n)
    p = np.where(r.uniform(size=n) < 0.7, t, r.integers(0, k, n))
    return t, p


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_sklearn(seed):
    t, p = _labels(seed)
    close(metrics.accuracy_score(t, p), skm.accuracy_score(t, p), rtol=1e-12)
    close(metrics.balanced_accuracy_score(t, p), skm.balanced_accuracy_score(t, p), rtol=1e-12)
    for avg in ("macro", "micro", "weighted"):
        for ours, ref in [(metrics.precision_score, skm.precision_score), (metrics.recall_score, skm.recall_score),
                          (metrics.f1_score, skm.f1_score)]:
            close(ours(t, p, average=avg), ref(t, p, average=avg), rtol=1e-12)
    assert (metrics.confusion_matrix(t, p) == skm.confusion_matrix(t, p)).all()
    names = np.array(["cat", "dog", "eel"])
    assert (metrics.confusion_matrix(names[t], names[p]) == skm.confusion_matrix(names[t], names[p])).all()
    tb, pb = t % 2, p % 2
    for ours, ref in [(metrics.precision_score, skm.precision_score), (metrics.f1_score, skm.f1_score)]:
        close(ours(tb, pb), ref(tb, pb), rtol=1e-12)
        close(ours(tb, pb, pos_label=0), ref(tb, pb, pos_label=0), rtol=1e-12)
    score = rng(seed).uniform(size=len(tb)) + 0.3 * tb
    close(metrics.roc_auc_score(tb, score), skm.roc_auc_score(tb, score), rtol=1e-12)
    proba = rng(seed + 1).dirichlet(np.ones(3), len(t))
    close(metrics.log_loss(t, proba), skm.log_loss(t, proba), rtol=1e-12)


def test_metric_errors():
    with pytest.raises(ValueError, match="pos_label"):
        metrics.precision_score([0, 1, 1], [0, 1, 0], pos_label=2)
    with pytest.raises(ValueError):
        metrics.accuracy_score([0, 1], [0, 1, 1])


@pytest.mark.parametrize(
    "model",
    [
        ml.LogisticRegression(max_iter=1000),
        ml.GaussianNB(),
        ml.DecisionTreeClassifier(max_depth=5, random_state=0),
        ml.RandomForestClassifier(n_estimators=30, random_state=0),
        ml.KNeighborsClassifier(),
        ml.GradientBoostingClassifier(n_estimators=30),
        ml.LinearSVC(),
    ],
    ids=lambda m: type(m).__name__,
)
def test_estimators_follow_the_sklearn_interface(model):
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    assert model.get_params() == type(model)(**model.get_params()).get_params()
    fitted = model.fit(X, names)
    assert fitted is model
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    pred = model.predict(X)
    assert pred.dtype == names.dtype and set(pred) <= set(names)
    assert model.score(X, names) > 0.85
    if hasattr(model, "predict_proba"):
        p = model.predict_proba(X)
        assert p.shape == (150, 3)
        close(p.sum(axis=1), np.ones(150), rtol=1e-9)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2])


def test_logistic_regression_accuracy_close_to_sklearn():
    # abstat's models are its own implementations, checked (as in the core
    # tests) by 5-fold accuracy within 2 points of scikit-learn's
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    idx = np.arange(len(y)) % 5
    ours = np.mean([ml.LogisticRegression().fit(X[idx != f], y[idx != f]).score(X[idx == f], y[idx == f])
                    for f in range(5)])
    ref = np.mean([SkLogistic().fit(X[idx != f], y[idx != f]).score(X[idx == f], y[idx == f]) for f in range(5)])
    assert abs(ours - ref) < 0.02
    assert cross_val_score(SkLogistic(), X, y).mean() > 0.9


@pytest.mark.parametrize("multiclass", [False, True])
def test_logistic_coef_and_intercept_match_sklearn(multiclass):
    # Both minimise the same penalised loss (C = 1). scikit-learn's L-BFGS
    # stops at a relative loss decrease of 64 eps, which leaves its
    # minimiser loose along flat directions (up to ~5e-6 relative on the
    # standardised breast-cancer data): ours must reach a loss at least as
    # low, and the coefficients agree to 1e-4.
    X, y = load_iris(return_X_y=True) if multiclass else load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    ours = ml.LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    ref = SkLogistic(tol=1e-10, max_iter=10_000).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape == ((3, 4) if multiclass else (1, 30))
    assert ours.intercept_.shape == ref.intercept_.shape == ((3,) if multiclass else (1,))

    def loss(coef, intercept):
        z = X @ coef.T + intercept
        if not multiclass:
            return np.sum(np.logaddexp(0, z[:, 0]) - y * z[:, 0]) + 0.5 * np.sum(coef ** 2)
        top = z.max(1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(z - top).sum(1))
        return np.sum(lse - z[np.arange(len(y)), y]) + 0.5 * np.sum(coef ** 2)

    assert loss(ours.coef_, ours.intercept_) <= loss(ref.coef_, ref.intercept_) * (1 + 1e-13)
    close(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-8)
    close(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-8)
    # the probabilities are the logistic (softmax) of X coef' + intercept
    z = X @ ours.coef_.T + ours.intercept_
    if multiclass:
        e = np.exp(z - z.max(1, keepdims=True))
        want = e / e.sum(1, keepdims=True)
    else:
        p = 1 / (1 + np.exp(-z[:, 0]))
        want = np.column_stack([1 - p, p])
    close(ours.predict_proba(X), want, rtol=1e-9, atol=1e-12)


def test_linear_svc_coefficients_give_its_decision_values():
    X, y = load_iris(return_X_y=True)
    model = ml.LinearSVC(random_state=0).fit(X, y)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    close(model.decision_function(X), X @ model.coef_.T + model.intercept_, rtol=1e-9, atol=1e-9)
    with pytest.raises(AttributeError, match="not fitted"):
        ml.LinearSVC().coef_
    assert not hasattr(ml.GaussianNB().fit(X, y), "coef_")


@pytest.mark.parametrize("y", [
    np.array([0, 1, 1, 0]),
    np.array([3, 7, 3, 9], dtype=np.int8),
    np.array([-128, 127, 0, 127], dtype=np.int8),
    np.array([2**63 + 5, 2**63 + 7, 2**63 + 5], dtype=np.uint64),
    np.array([0, 10**12, 0]),
    np.arange(-50, 50, dtype=np.int16)[::-1].repeat(3),
    np.array([True, False, True]),
    np.array(["b", "a", "b"]),
    np.array([1.5, 0.5, 1.5]),
])
def test_labels_are_encoded_as_numpy_unique_does(y):
    # integer labels take a counting shortcut (np.bincount); every kind of
    # label must give np.unique's classes (values and dtype) and codes
    classes, codes = ml._encode_labels(y)
    ref_classes, ref_codes = np.unique(y, return_inverse=True)
    assert classes.dtype == ref_classes.dtype
    np.testing.assert_array_equal(classes, ref_classes)
    np.testing.assert_array_equal(codes, ref_codes)
    X = np.linspace(-1.0, 1.0, len(y))[:, None]
    if len(ref_classes) > 1:
        fitted = ml.LogisticRegression().fit(X, y)
        np.testing.assert_array_equal(fitted.classes_, ref_classes)
        assert fitted.classes_.dtype == ref_classes.dtype
        assert set(fitted.predict(X)) <= set(ref_classes)


def test_unfitted_and_bad_labels():
    with pytest.raises(AttributeError, match="not fitted"):
        ml.GaussianNB().predict([[1.0]])
    with pytest.raises(abstat.DegenerateDataError, match="one class"):
        ml.GaussianNB().fit([[1.0], [2.0]], [1, 1])
    with pytest.raises(ValueError, match="invalid parameter"):
        ml.GaussianNB().set_params(alpha=1)


# --- A/B ----------------------------------------------------------------------------


def _experiment(seed, n=3000):
    r = rng(seed)
    v = r.choice(["A", "B", "C"], n)
    rev = r.exponential(10, n) * np.where(v == "B", 1.08, 1.0)
    conv = (r.uniform(size=n) < np.where(v == "C", 0.3, 0.25)).astype(float)
    return pd.DataFrame({"variant": v, "revenue": rev, "converted": conv, "pre": rev * 0.5 + r.normal(size=n)})


@pytest.mark.parametrize("seed", [0, 1])
def test_ab_mean_metric_is_welchs_test(seed):
    df = _experiment(seed)
    res = ab.analyze(df, "variant", ["revenue"])
    control = df.revenue[df.variant == "A"]
    for row in res.rows():
        treat = df.revenue[df.variant == row["variant"]]
        ref = ss.ttest_ind(treat, control, equal_var=False)
        close(row["p_value"], ref.pvalue)
        close(row["absolute_effect"], treat.mean() - control.mean(), rtol=1e-12)
        lo, hi = ref.confidence_interval()
        close([row["ci_low"], row["ci_high"]], [lo, hi], rtol=1e-9)


def test_ab_raw_and_sufficient_statistics_agree():
    df = _experiment(2)
    raw = ab.analyze(df, "variant", ["revenue", ab.Metric("converted", "proportion")], correction="holm")
    g = df.groupby("variant")
    stats_in = {
        "revenue": {"n": g.revenue.count().tolist(), "sum": g.revenue.sum().tolist(),
                    "sum_squares": (df.revenue**2).groupby(df.variant).sum().tolist()},
        "converted": {"kind": "proportion", "n": g.converted.count().tolist(), "sum": g.converted.sum().tolist()},
    }
    suff = ab.analyze_stats(g.size().tolist(), stats_in, variants=["A", "B", "C"], correction="holm")
    a, b = raw.to_pandas(), suff.to_pandas()
    close(a.p_value, b.p_value, rtol=1e-9)
    close(a.adjusted_p_value, b.adjusted_p_value, rtol=1e-9)
    assert list(a.verdict) == list(b.verdict)
    assert "<table" in raw._repr_html_()
    assert set(raw.verdicts) == {"revenue", "converted"}


def test_ab_ratio_cuped_and_errors():
    df = _experiment(3)
    res = ab.analyze(
        df, "variant",
        [ab.Metric("revenue", "cuped", covariate="pre", name="rev_cuped"),
         ab.Metric("revenue", "ratio", denominator="pre", name="rev_per_pre")],
        sequential_tuning=5000,
    )
    assert {r["metric"] for r in res.rows()} == {"rev_cuped", "rev_per_pre"}
    with pytest.raises(ValueError, match="denominator"):
        ab.Metric("revenue", "ratio")
    with pytest.raises(abstat.InvalidParameterError):
        ab.analyze(df, "variant", ["revenue"], alpha=2.0)
    with pytest.raises(TypeError, match="unexpected options"):
        ab.analyze(df, "variant", ["revenue"], alhpa=0.1)


# --- io -------------------------------------------------------------------------------


def test_readers_match_pandas(tmp_path):
    df = pd.DataFrame({"id": [1, 2, 3], "price": [1.5, 2.25, None], "city": ["Москва", "Omsk", "Tver"]})
    csv = tmp_path / "d.csv"
    df.to_csv(csv, index=False, sep=";", encoding="windows-1251")
    t = abstat.io.read_csv(csv)
    assert isinstance(t, pa.Table)
    assert t.column("city").to_pylist() == ["Москва", "Omsk", "Tver"]
    assert t.column("price").to_pylist() == [1.5, 2.25, None]
    # abstat-io reads zstd (and uncompressed) Parquet, not snappy
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "d.parquet", compression="zstd")
    assert abstat.io.read_parquet(tmp_path / "d.parquet").column("id").to_pylist() == [1, 2, 3]
    df.to_excel(tmp_path / "d.xlsx", index=False)
    assert abstat.io.read_excel(tmp_path / "d.xlsx").column("city").to_pylist() == ["Москва", "Omsk", "Tver"]
    with pytest.raises(abstat.AbstatError, match="could not read"):
        abstat.io.read_csv(tmp_path / "missing.csv")
    # a read table feeds the tests directly (Arrow in, zero-copy)
    res = abstat.stats.ttest_1samp(t.column("price").combine_chunks(), 1.0, nan_policy="omit")
    close(res.pvalue, ss.ttest_1samp([1.5, 2.25], 1.0).pvalue)
