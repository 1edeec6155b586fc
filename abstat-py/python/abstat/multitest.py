"""Multiple-testing corrections, as ``statsmodels.stats.multitest``."""

from __future__ import annotations

import numpy as np

from abstat import _abstat

__all__ = ["multipletests"]


def multipletests(pvals, alpha=0.05, method="holm", is_sorted=False, returnsorted=False):
    """Adjusted p-values and reject decisions
    (``statsmodels.stats.multitest.multipletests``); returns
    ``(reject, pvals_corrected, alphacSidak, alphacBonf)``.

    Methods: 'bonferroni', 'holm', 'simes-hochberg', 'fdr_bh', 'fdr_by'.
    Deviation from statsmodels: the default is 'holm' ('hs', Holm–Šidák,
    and 'sidak' are not implemented); NaN p-values are set aside and stay
    NaN rather than raising.
    """
    p = np.asarray(pvals, dtype=np.float64).ravel()
    reject, corrected, m = _abstat.multipletests_adjust(p, float(alpha), method)
    if returnsorted:
        order = np.argsort(p, kind="stable")
        reject, corrected = reject[order], corrected[order]
    alpha_sidak = 1.0 - (1.0 - alpha) ** (1.0 / m) if m else np.nan
    alpha_bonf = alpha / m if m else np.nan
    return reject, corrected, alpha_sidak, alpha_bonf
