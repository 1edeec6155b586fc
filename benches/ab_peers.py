"""pandas + scipy on the data of benches/ab.rs: a 10,000,000-unit A/B
experiment (two variants, metric y with covariate x). Times what abstat's
bench does from the raw columns: per-variant aggregation (pandas groupby),
SRM (scipy chisquare), Welch's t-test on y and CUPED (theta pooled, Welch on
the adjusted metric), and prints the ratio to abstat's criterion estimate
when `cargo bench --bench ab` has been run."""

import os
import sys

import numpy as np
import pandas as pd
from scipy import integrate, stats

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import common  # noqa: E402

N = 10_000_000


def data():
    variant = (common.det_uniform(7, N) >= 0.5).astype(np.int64)
    x = common.det_normal(11, N, 10.0, 3.0)
    y = 2.0 + 0.8 * x + 0.01 * variant + common.det_normal(13, N, 0.0, 1.5)
    return pd.DataFrame({"variant": variant, "x": x, "y": y})


def peer(df):
    units = df.groupby("variant").size().to_numpy()
    srm = stats.chisquare(units, np.full(2, units.sum() / 2))
    a, b = df[df.variant == 0], df[df.variant == 1]
    welch = stats.ttest_ind(b.y, a.y, equal_var=False)
    theta = np.cov(df.x, df.y)[0, 1] / df.x.var()
    adj = df.y - theta * (df.x - df.x.mean())
    cuped = stats.ttest_ind(adj[df.variant == 1], adj[df.variant == 0], equal_var=False)
    return srm, welch, welch.confidence_interval(), cuped, cuped.confidence_interval()


def capping(df):
    capped = np.clip(df.y.to_numpy(), None, np.quantile(df.y.to_numpy(), 0.99))
    return pd.Series(capped).groupby(df.variant.to_numpy()).agg(["count", "sum", lambda v: (v * v).sum()])


def beta_binomial():
    # chance to beat control and expected loss by scipy quadrature (the
    # fixtures' reference; abstat also computes both credible intervals)
    pa, pb = (10_001, 90_001), (10_401, 89_601)
    lo, hi = stats.beta.ppf(1e-15, *pa), stats.beta.isf(1e-15, *pa)
    chance = integrate.quad(lambda x: stats.beta.pdf(x, *pa) * stats.beta.sf(x, *pb), lo, hi)[0]
    mb = pb[0] / sum(pb)
    loss = integrate.quad(lambda x: stats.beta.pdf(x, *pa) * (x * stats.beta.cdf(x, *pb)
                          - mb * stats.beta.cdf(x, pb[0] + 1, pb[1])), lo, hi)[0]
    return chance, loss


def main():
    df = data()
    report("ab", [("welch_cuped_srm_1e7", "pandas groupby + scipy ttest_ind", lambda: peer(df)),
                  ("capping_p99_1e7", "np.quantile + clip + groupby", lambda: capping(df))])
    report("ab_small", [("beta_binomial_1e5", "scipy quad (chance + loss only)", beta_binomial)])


if __name__ == "__main__":
    main()
