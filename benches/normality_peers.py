"""Python peer of benches/normality.rs on the same data."""

from scipy import stats

from peer_timing import common, report

x = common.det_normal(21, 5000, 0.0, 1.0)
report("normality", [("shapiro_5000", "scipy.stats.shapiro", lambda: stats.shapiro(x))])
