"""Python peers of benches/bootstrap.rs on the same data (9999 resamples,
scipy's default batch)."""

import numpy as np
from scipy import stats

from peer_timing import common, report

x = common.det_normal(31, 1000, 0.0, 1.0)
a, b = common.det_normal(33, 500, 0.0, 1.0), common.det_normal(35, 500, 0.1, 1.0)
rng = np.random.default_rng(0)


def mean(v, axis=-1):
    return np.mean(v, axis=axis)


def mean_difference(u, v, axis=-1):
    return np.mean(u, axis=axis) - np.mean(v, axis=axis)


report("bootstrap", [
    ("bca_mean_1000x9999", "scipy.stats.bootstrap(BCa)", lambda: stats.bootstrap((x,), mean, rng=rng)),
    ("percentile_mean_1000x9999", "scipy.stats.bootstrap(percentile)",
     lambda: stats.bootstrap((x,), mean, method="percentile", rng=rng)),
    ("bca_mean_difference_500_500x9999", "scipy.stats.bootstrap(BCa, 2 samples)",
     lambda: stats.bootstrap((a, b), mean_difference, rng=rng)),
])
