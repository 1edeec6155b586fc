"""Python peers of benches/categorical.rs on the same data."""

import numpy as np
from scipy import stats

from peer_timing import common, report

counts = np.floor(50 + 100 * common.det_uniform(11, 100))
table = np.floor(20 + 80 * common.det_uniform(12, 100)).reshape(10, 10)
report("categorical", [
    ("chisquare_100", "scipy.stats.chisquare", lambda: stats.chisquare(counts)),
    ("chi2_contingency_10x10", "scipy.stats.chi2_contingency", lambda: stats.chi2_contingency(table)),
    ("fisher_exact_40k", "scipy.stats.fisher_exact", lambda: stats.fisher_exact([[10512, 10003], [9950, 10101]])),
])
