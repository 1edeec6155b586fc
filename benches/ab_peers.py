"""pandas + scipy on the data of benches/ab.rs: a 10,000,000-unit A/B
experiment (two variants, metric y with covariate x). Times what abstat's
bench does from the raw columns: per-variant aggregation (pandas groupby),
SRM (scipy chisquare), Welch's t-test on y and CUPED (theta pooled, Welch on
the adjusted metric), and prints the ratio to abstat's criterion estimate
when `cargo bench --bench ab` has been run. Also: the Beta-binomial
comparison (chance and loss only, as a scipy user would; and everything
abstat computes, both credible intervals by brentq over quad), and the
segmented analysis of benches/ab.rs (pandas groupby per segment, scipy
ttest_ind and chisquare, statsmodels multipletests)."""

import os
import sys

import numpy as np
import pandas as pd
from scipy import integrate, optimize, stats
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import report  # noqa: E402
from peer_timing import common  # noqa: E402

N = 10_000_000


def data():
    variant = (common.det_uniform(7, N) >= 0.5).astype(np.int64)
    x = common.det_normal(11, N, 10.0, 3.0)
    y = 2.0 + 0.8 * x + 0.01 * variant + common.det_normal(13, N, 0.0, 1.5)
    return pd.DataFrame({"variant": variant, "x": x, "y": y})


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


def beta_binomial_all():
    # what abstat computes: also the credible intervals of p_B - p_A and
    # p_B / p_A - 1 (cdfs by quad over the control, ends by brentq), as the
    # fixture generator gen_ab_beta_binomial.py does
    pa, pb = (10_001, 90_001), (10_401, 89_601)
    chance, loss = beta_binomial()
    lo, hi = stats.beta.ppf(1e-15, *pa), stats.beta.isf(1e-15, *pa)

    def quad(g):
        return integrate.quad(lambda x: stats.beta.pdf(x, *pa) * g(x), lo, hi)[0]

    def solve(cdf, p, a, b):
        return optimize.brentq(lambda v: cdf(v) - p, a, b, xtol=1e-15, rtol=1e-10)

    def cdf_abs(d):
        return quad(lambda x: stats.beta.cdf(min(x + d, 1.0), *pb))

    def cdf_rel(r):
        return quad(lambda x: stats.beta.cdf(min((1 + r) * x, 1.0), *pb))

    ma, mb = pa[0] / sum(pa), pb[0] / sum(pb)
    sd = np.sqrt(stats.beta.var(*pa) + stats.beta.var(*pb))
    ci_abs = [solve(cdf_abs, p, mb - ma - 12 * sd, mb - ma + 12 * sd) for p in (0.025, 0.975)]
    ci_rel = [solve(cdf_rel, p, (mb - 12 * sd) / ma - 1, (mb + 12 * sd) / (ma - 12 * sd) - 1) for p in (0.025, 0.975)]
    return chance, loss, ci_abs, ci_rel


SEGMENT_ROWS = 1_000_000
COUNTRIES = [("US", 12), ("DE", 9), ("FR", 7), ("BR", 5), ("IN", 4), ("JP", 3), ("MX", 2), ("GB", 2), ("ES", 2),
             ("IT", 1), ("PL", 1), ("NL", 1)]


def segment_data():
    bucket = np.array([c for c, k in COUNTRIES for _ in range(k)] + [None], dtype=object)
    country = bucket[(common.det_uniform(17, SEGMENT_ROWS) * 50).astype(int)]
    variant = (common.det_uniform(19, SEGMENT_ROWS) >= 0.5).astype(np.int64)
    x = common.det_normal(23, SEGMENT_ROWS, 10.0, 3.0)
    y = 2.0 + 0.8 * x + common.det_normal(29, SEGMENT_ROWS, 0.0, 1.5)
    return pd.DataFrame({"country": country, "variant": variant, "x": x, "y": y})


def welch_and_cuped(g):
    """Per-variant units and SRM, Welch on y, CUPED (theta pooled, Welch on
    the adjusted metric) with intervals: the whole experiment, or one segment."""
    units = g.groupby("variant").size().reindex([0, 1], fill_value=0).to_numpy()
    srm = stats.chisquare(units, np.full(2, units.sum() / 2))
    a, b = g[g.variant == 0], g[g.variant == 1]
    welch = stats.ttest_ind(b.y, a.y, equal_var=False)
    theta = np.cov(g.x, g.y)[0, 1] / g.x.var()
    adj = g.y - theta * (g.x - g.x.mean())
    cuped = stats.ttest_ind(adj[g.variant == 1], adj[g.variant == 0], equal_var=False)
    return srm, welch, welch.confidence_interval(), cuped, cuped.confidence_interval()


def segments_peer(df):
    # top 5 countries by units, the rest "other", missing apart; every
    # segment and the whole analysed; Holm across segments x metrics
    missing = df.country.isna()
    counts = df.country.value_counts()
    keep = [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    segment = df.country.where(df.country.isin(keep), "other").where(~missing, "(missing)")
    out = {name: welch_and_cuped(g) for name, g in df.groupby(segment)}
    p = [r[k].pvalue for r in out.values() for k in (1, 3)]
    return welch_and_cuped(df), out, multipletests(p, method="holm")[1]


def main():
    df = data()
    report("ab", [("welch_cuped_srm_1e7", "pandas groupby + scipy ttest_ind", lambda: welch_and_cuped(df)),
                  ("capping_p99_1e7", "np.quantile + clip + groupby", lambda: capping(df))])
    report("ab_small", [("beta_binomial_1e5", "scipy quad (chance + loss only)", beta_binomial),
                        ("beta_binomial_1e5", "scipy quad + brentq (all, as abstat)", beta_binomial_all)])
    seg = segment_data()
    report("ab_segments", [("segments_top5_1e6", "pandas groupby + scipy + statsmodels", lambda: segments_peer(seg))])


if __name__ == "__main__":
    main()
