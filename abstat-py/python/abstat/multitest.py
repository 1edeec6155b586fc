"""Multiple-testing corrections, as ``statsmodels.stats.multitest``."""

from __future__ import annotations

import numpy as np

from abstat import _abstat

__all__ = ["multipletests"]


def multipletests(pvals, alpha=0.05, method="hs", maxiter=1, is_sorted=False, returnsorted=False):
    """Adjusted p-values and reject decisions
    (``statsmodels.stats.multitest.multipletests``); returns
    ``(reject, pvals_corrected, alphacSidak, alphacBonf)``.

    Methods (and statsmodels' aliases): 'bonferroni', 'sidak',
    'holm-sidak' ('hs', the default, as statsmodels'), 'holm',
    'simes-hochberg', 'hommel', 'fdr_bh', 'fdr_by', 'fdr_tsbh',
    'fdr_tsbky', 'fdr_gbs'. The two-stage methods' adjusted p-values hold
    for the given ``alpha`` only, as in statsmodels.

    Deviations from statsmodels: NaN p-values are set aside and stay NaN
    rather than being sorted last; ``maxiter`` must be 1 (the two-stage
    procedure); ``is_sorted`` is accepted and not needed.
    """
    if maxiter not in (1, False):
        raise ValueError("only maxiter=1 (the two-stage procedure) is implemented")
    p = np.asarray(pvals, dtype=np.float64).ravel()
    reject, corrected, m = _abstat.multipletests_adjust(p, float(alpha), method)
    if returnsorted:
        order = np.argsort(p, kind="stable")
        reject, corrected = reject[order], corrected[order]
    alpha_sidak = 1.0 - (1.0 - alpha) ** (1.0 / m) if m else np.nan
    alpha_bonf = alpha / m if m else np.nan
    return reject, corrected, alpha_sidak, alpha_bonf
