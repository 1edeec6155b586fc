"""Time abstat's Python functions against their peers (scipy 1.16.3,
statsmodels 0.14.5, scikit-learn 1.7.2) on the same arrays in one run and
print the ratios: a large input (where the computation dominates; goal
>= 3x) and a small one (where call overhead dominates; goal: abstat not
slower, overhead <= 5 us).

Run with the release build installed: `pip install ./abstat-py` into the
venv, then `python benches/py_peers.py` (about two minutes).
"""

import os
import sys
import timeit
import warnings

import numpy as np
import scipy.stats as ss
import sklearn.linear_model as sklm
import statsmodels.api as sm
import statsmodels.stats.multitest as smm
import statsmodels.stats.power as smp
import statsmodels.stats.proportion as smprop

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
from common import det_normal  # noqa: E402  (the benches' deterministic data)

import abstat  # noqa: E402
from abstat import ml, multitest, power, proportion, regression, stats  # noqa: E402

warnings.simplefilter("ignore")


def seconds(fn, min_time=0.3):
    """Best of 5 repeats of enough calls to last about min_time, per call."""
    timer = timeit.Timer(fn)
    number, t = timer.autorange()
    number = max(1, int(number * min_time / max(t, 1e-9)))
    return min(timer.repeat(repeat=5, number=number)) / number


def fmt(s):
    return f"{s * 1e6:10.1f} us" if s < 1e-3 else f"{s * 1e3:10.2f} ms"


N = 1_000_000
a, b = det_normal(1, N, 0.0, 1.0), det_normal(3, N, 0.01, 1.5)
c = det_normal(5, N, 0.02, 1.0)
n_small = 50
sa, sb, sc = a[:n_small], b[:n_small], c[:n_small]
table = np.array([[1200, 800], [1100, 950]])
table3 = np.array([[120, 80, 45], [110, 95, 60], [90, 70, 88]])
counts = np.round(np.abs(a[:1000]) * 100) + 1
pv_large = np.abs(ss.norm.sf(a[:100_000]))
pv_small = pv_large[:20]
n_reg = 100_000
X = np.column_stack([a[:n_reg], b[:n_reg], c[:n_reg], a[N - n_reg:]])
Xc = sm.add_constant(X)
y_lin = X @ [0.5, -0.2, 0.1, 0.3] + c[N - n_reg:]
y_bin = (y_lin + b[N - n_reg:] > 0).astype(float)
Xs_c, ys_lin, ys_bin = Xc[:200], y_lin[:200], y_bin[:200]
n_ml = 20_000
X_ml = np.column_stack([a[i * n_ml:(i + 1) * n_ml] for i in range(10)])
y_ml = (X_ml[:, 0] + 0.5 * X_ml[:, 1] + b[:n_ml] > 0).astype(int)

# (name, abstat large, peer large, abstat small, peer small)
CASES = [
    ("ttest_1samp", lambda: stats.ttest_1samp(a, 0.0), lambda: ss.ttest_1samp(a, 0.0),
     lambda: stats.ttest_1samp(sa, 0.0), lambda: ss.ttest_1samp(sa, 0.0)),
    ("ttest_rel", lambda: stats.ttest_rel(a, b), lambda: ss.ttest_rel(a, b),
     lambda: stats.ttest_rel(sa, sb), lambda: ss.ttest_rel(sa, sb)),
    ("ttest_ind(equal_var=False)", lambda: stats.ttest_ind(a, b, equal_var=False),
     lambda: ss.ttest_ind(a, b, equal_var=False),
     lambda: stats.ttest_ind(sa, sb, equal_var=False), lambda: ss.ttest_ind(sa, sb, equal_var=False)),
    ("mannwhitneyu", lambda: stats.mannwhitneyu(a, b), lambda: ss.mannwhitneyu(a, b),
     lambda: stats.mannwhitneyu(sa, sb), lambda: ss.mannwhitneyu(sa, sb)),
    ("wilcoxon", lambda: stats.wilcoxon(a, b), lambda: ss.wilcoxon(a, b),
     lambda: stats.wilcoxon(sa, sb), lambda: ss.wilcoxon(sa, sb)),
    ("ks_2samp", lambda: stats.ks_2samp(a, b), lambda: ss.ks_2samp(a, b),
     lambda: stats.ks_2samp(sa, sb), lambda: ss.ks_2samp(sa, sb)),
    ("shapiro (n=5000 / 50)", lambda: stats.shapiro(a[:5000]), lambda: ss.shapiro(a[:5000]),
     lambda: stats.shapiro(sa), lambda: ss.shapiro(sa)),
    ("levene", lambda: stats.levene(a, b, c), lambda: ss.levene(a, b, c),
     lambda: stats.levene(sa, sb, sc), lambda: ss.levene(sa, sb, sc)),
    ("f_oneway", lambda: stats.f_oneway(a, b, c), lambda: ss.f_oneway(a, b, c),
     lambda: stats.f_oneway(sa, sb, sc), lambda: ss.f_oneway(sa, sb, sc)),
    ("kruskal", lambda: stats.kruskal(a, b, c), lambda: ss.kruskal(a, b, c),
     lambda: stats.kruskal(sa, sb, sc), lambda: ss.kruskal(sa, sb, sc)),
    ("chisquare (k=1000 / 10)", lambda: stats.chisquare(counts), lambda: ss.chisquare(counts),
     lambda: stats.chisquare(counts[:10]), lambda: ss.chisquare(counts[:10])),
    ("chi2_contingency (3x3 / 2x2)", lambda: stats.chi2_contingency(table3), lambda: ss.chi2_contingency(table3),
     lambda: stats.chi2_contingency(table), lambda: ss.chi2_contingency(table)),
    ("fisher_exact (n=4050 / 20)", lambda: stats.fisher_exact(table), lambda: ss.fisher_exact(table),
     lambda: stats.fisher_exact([[8, 2], [1, 9]]), lambda: ss.fisher_exact([[8, 2], [1, 9]])),
    ("pearsonr", lambda: stats.pearsonr(a, b), lambda: ss.pearsonr(a, b),
     lambda: stats.pearsonr(sa, sb), lambda: ss.pearsonr(sa, sb)),
    ("spearmanr", lambda: stats.spearmanr(a, b), lambda: ss.spearmanr(a, b),
     lambda: stats.spearmanr(sa, sb), lambda: ss.spearmanr(sa, sb)),
    ("kendalltau", lambda: stats.kendalltau(a, b), lambda: ss.kendalltau(a, b),
     lambda: stats.kendalltau(sa, sb), lambda: ss.kendalltau(sa, sb)),
    ("bootstrap mean BCa (n=2000 / 50, 9999)",
     lambda: stats.bootstrap((a[:2000],), np.mean, rng=0), lambda: ss.bootstrap((a[:2000],), np.mean, rng=0),
     lambda: stats.bootstrap((sa,), np.mean, rng=0), lambda: ss.bootstrap((sa,), np.mean, rng=0)),
    ("tt_ind_solve_power (nobs1)", lambda: power.tt_ind_solve_power(0.05, None, 0.05, 0.8),
     lambda: smp.tt_ind_solve_power(0.05, None, 0.05, 0.8),
     lambda: power.TTestIndPower().power(0.3, 50, 0.05), lambda: smp.TTestIndPower().power(0.3, 50, 0.05)),
    ("zt_ind_solve_power (effect)", lambda: power.zt_ind_solve_power(None, 1000, 0.05, 0.8),
     lambda: smp.zt_ind_solve_power(None, 1000, 0.05, 0.8),
     lambda: power.NormalIndPower().power(0.3, 50, 0.05), lambda: smp.NormalIndPower().power(0.3, 50, 0.05)),
    ("proportions_ztest", lambda: proportion.proportions_ztest([1200, 1100], [20000, 20000]),
     lambda: smprop.proportions_ztest(np.array([1200, 1100]), np.array([20000, 20000])),
     lambda: proportion.proportions_ztest(30, 200, 0.1), lambda: smprop.proportions_ztest(30, 200, 0.1)),
    ("proportion_confint (beta / wilson)", lambda: proportion.proportion_confint(130, 1000, method="beta"),
     lambda: smprop.proportion_confint(130, 1000, method="beta"),
     lambda: proportion.proportion_confint(13, 100, method="wilson"),
     lambda: smprop.proportion_confint(13, 100, method="wilson")),
    ("multipletests fdr_bh (1e5 / 20)", lambda: multitest.multipletests(pv_large, method="fdr_bh"),
     lambda: smm.multipletests(pv_large, method="fdr_bh"),
     lambda: multitest.multipletests(pv_small, method="fdr_bh"), lambda: smm.multipletests(pv_small, method="fdr_bh")),
    ("ols (1e5 x 5 / 200 x 5)", lambda: regression.ols(y_lin, Xc), lambda: sm.OLS(y_lin, Xc).fit(),
     lambda: regression.ols(ys_lin, Xs_c), lambda: sm.OLS(ys_lin, Xs_c).fit()),
    ("logit (1e5 x 5 / 200 x 5)", lambda: regression.logit(y_bin, Xc), lambda: sm.Logit(y_bin, Xc).fit(disp=0),
     lambda: regression.logit(ys_bin, Xs_c), lambda: sm.Logit(ys_bin, Xs_c).fit(disp=0)),
    ("LogisticRegression fit (2e4 x 10 / 200)", lambda: ml.LogisticRegression().fit(X_ml, y_ml),
     lambda: sklm.LogisticRegression().fit(X_ml, y_ml),
     lambda: ml.LogisticRegression().fit(X_ml[:200], y_ml[:200]),
     lambda: sklm.LogisticRegression().fit(X_ml[:200], y_ml[:200])),
]


def main():
    only = set(sys.argv[1:])
    print(f"abstat {abstat.__version__} vs scipy / statsmodels / scikit-learn; large n = {N:,} unless stated, small n = {n_small}")
    print(f"{'function':42} {'abstat large':>13} {'peer large':>13} {'ratio':>7}   {'abstat small':>13} {'peer small':>13} {'ratio':>7}")
    for name, ours_l, peer_l, ours_s, peer_s in CASES:
        if only and not any(o in name for o in only):
            continue
        ol, pl = seconds(ours_l), seconds(peer_l)
        os_, ps = seconds(ours_s), seconds(peer_s)
        print(f"{name:42} {fmt(ol)} {fmt(pl)} {pl / ol:6.1f}x   {fmt(os_)} {fmt(ps)} {ps / os_:6.1f}x", flush=True)
    # the binding's own cost: a call that does almost no computation
    tiny = np.array([1.0, 2.0, 3.0, 4.5])
    raw = seconds(lambda: abstat._abstat.ttest_1samp(tiny, 0.0))
    wrapped = seconds(lambda: stats.ttest_1samp(tiny, 0.0))
    print(f"call overhead (ttest_1samp on 4 values): native {fmt(raw)}, with the scipy-shaped result {fmt(wrapped)}")


if __name__ == "__main__":
    main()
