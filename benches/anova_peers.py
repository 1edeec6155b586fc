"""Python peers of benches/anova.rs on the same data."""

import warnings

from scipy import stats
from statsmodels.stats.oneway import anova_oneway

from peer_timing import common, report

warnings.simplefilter("ignore")
g = [common.det_normal(1, 10_000, 0.0, 1.0), common.det_normal(3, 10_000, 0.05, 1.2),
     common.det_normal(5, 10_000, -0.02, 0.9)]
report("anova", [
    ("f_oneway_3x10000", "scipy.stats.f_oneway", lambda: stats.f_oneway(*g)),
    ("welch_anova_3x10000", "statsmodels anova_oneway(unequal)", lambda: anova_oneway(g, use_var="unequal")),
    ("levene_median_3x10000", "scipy.stats.levene", lambda: stats.levene(*g)),
])
