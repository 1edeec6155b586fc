"""abstat.power, abstat.proportion and abstat.multitest against statsmodels
0.14.5 on the same inputs, at 1e-10 relative (solved sample sizes and
effects at the root finders' tolerance, stated where used)."""

import numpy as np
import pytest
import statsmodels.stats.multitest as smm
import statsmodels.stats.power as smp
import statsmodels.stats.proportion as smprop

import abstat
from abstat import multitest, power, proportion

from _py_helpers import close, rng

ALTERNATIVES = ["two-sided", "larger", "smaller"]


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("effect,nobs1,ratio", [(0.2, 100, 1.0), (0.5, 30, 2.0), (0.8, 12.5, 0.5)])
def test_power_matches_statsmodels(alternative, effect, nobs1, ratio):
    for ours, ref in [(power.TTestIndPower(), smp.TTestIndPower()), (power.NormalIndPower(), smp.NormalIndPower())]:
        # relative 1e-10 and absolute 1e-14: the noncentral t tail is
        # accurate to 1e-14 absolute (abstat-core nct.rs), as in the core tests
        close(
            ours.power(effect, nobs1, 0.05, ratio=ratio, alternative=alternative),
            ref.power(effect, nobs1, 0.05, ratio=ratio, alternative=alternative),
            atol=1e-14,
        )


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_solve_power_matches_statsmodels(alternative):
    # statsmodels' own solutions stop at its brentq xtol (about 1e-5), so
    # they are compared at 1e-4 absolute, as in the core tests; the tight
    # check is that statsmodels' power function, evaluated at abstat's
    # solution, gives back the target power to 1e-8 relative.
    cases = [
        dict(nobs1=50, power=0.8, alpha=0.05),
        dict(effect_size=0.4, nobs1=60, alpha=0.05),
        dict(effect_size=0.4, nobs1=60, power=0.7),
    ]
    # for 'smaller' the effect solved for is negative, as statsmodels'
    cases.append(dict(effect_size=None, nobs1=40, power=0.8, alpha=0.05, ratio=2.0))
    # a sample size for an effect in the tested direction
    sign = -1 if alternative == "smaller" else 1
    cases.append(dict(effect_size=0.3 * sign, power=0.8, alpha=0.05))
    for kw in cases:
        for ours, ref, cls in [
            (power.tt_ind_solve_power, smp.tt_ind_solve_power, smp.TTestIndPower),
            (power.zt_ind_solve_power, smp.zt_ind_solve_power, smp.NormalIndPower),
        ]:
            got = ours(alternative=alternative, **kw)
            close(got, ref(alternative=alternative, **kw), rtol=0, atol=1e-4)
            full = {"effect_size": None, "nobs1": None, "alpha": None, "power": None} | kw
            unknown = next(k for k, v in full.items() if v is None)
            full[unknown] = got
            target = full.pop("power")
            if unknown != "power":
                close(cls().power(alternative=alternative, **full), target, rtol=1e-8)


def test_solve_power_needs_exactly_one_unknown():
    with pytest.raises(abstat.InvalidParameterError):
        power.tt_ind_solve_power(effect_size=0.3, nobs1=10, power=0.8, alpha=0.05)
    with pytest.raises(abstat.InvalidParameterError):
        power.tt_ind_solve_power(effect_size=0.3)
    with pytest.raises(ValueError, match="alternative"):
        power.tt_ind_solve_power(effect_size=0.3, power=0.8, alpha=0.05, alternative="up")


def test_proportion_effectsize_matches_statsmodels():
    close(power.proportion_effectsize(0.12, 0.1), smprop.proportion_effectsize(0.12, 0.1))
    close(
        proportion.proportion_effectsize([0.2, 0.5, 0.9], 0.3),
        smprop.proportion_effectsize(np.array([0.2, 0.5, 0.9]), 0.3),
    )
    with pytest.raises(abstat.InvalidParameterError):
        power.proportion_effectsize(1.2, 0.1)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_proportions_ztest_matches_statsmodels(alternative):
    for count, nobs, value in [([120, 150], [1000, 1000], None), ([45, 30], [300, 310], 0.02), (30, 200, 0.1)]:
        close(
            proportion.proportions_ztest(count, nobs, value=value, alternative=alternative),
            smprop.proportions_ztest(np.asarray(count), np.asarray(nobs), value=value, alternative=alternative),
        )
    close(
        proportion.proportions_ztest(30, 200, value=0.1, prop_var=0.1, alternative=alternative),
        smprop.proportions_ztest(30, 200, value=0.1, prop_var=0.1, alternative=alternative),
    )


def test_proportions_ztest_input_types_agree():
    # Python ints skip numpy; every other form goes through it
    want = proportion.proportions_ztest(np.array([120, 150]), np.array([1000, 1000]))
    for count, nobs in [([120, 150], [1000, 1000]), ((120, 150), (1000, 1000)),
                        ([120.0, 150.0], [1000, 1000]), (np.int64(120), None)]:
        if nobs is None:
            continue
        assert proportion.proportions_ztest(count, nobs) == want
    one = proportion.proportions_ztest(30, 200, 0.1)
    assert proportion.proportions_ztest(np.int64(30), [200], 0.1) == one
    assert proportion.proportions_ztest([30], np.array([200]), 0.1) == one


def test_proportions_ztest_errors():
    with pytest.raises(abstat.ZeroVarianceError):
        proportion.proportions_ztest([0, 0], [10, 10])
    for bad in ([-1, 3], -1, [1, 2, 3], [2.5, 3], []):
        with pytest.raises(ValueError):
            proportion.proportions_ztest(bad, [10, 10])
    with pytest.raises(ValueError, match="value"):
        proportion.proportions_ztest(3, 10)


@pytest.mark.parametrize("method", ["normal", "wilson", "agresti_coull", "beta", "jeffreys"])
@pytest.mark.parametrize("count,nobs", [(0, 20), (7, 20), (20, 20), (130, 1000)])
def test_proportion_confint_matches_statsmodels(method, count, nobs):
    for alpha in (0.05, 0.1):
        close(
            proportion.proportion_confint(count, nobs, alpha=alpha, method=method),
            smprop.proportion_confint(count, nobs, alpha=alpha, method=method),
            atol=1e-15,  # ends at 0 or 1 computed as 1e-17 vs 0
        )


MULTITEST_METHODS = ["bonferroni", "sidak", "holm-sidak", "hs", "holm", "simes-hochberg", "hommel", "fdr_bh",
                     "fdr_by", "fdr_tsbh", "fdr_tsbky", "fdr_gbs"]


@pytest.mark.parametrize("method", MULTITEST_METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_multipletests_matches_statsmodels(method, seed, alpha):
    p = rng(seed).uniform(0, 0.2, 25) ** 2
    ours = multitest.multipletests(p, alpha=alpha, method=method)
    ref = smm.multipletests(p, alpha=alpha, method=method)
    assert (ours[0] == ref[0]).all()
    close(ours[1], ref[1])
    close(ours[2], ref[2])
    close(ours[3], ref[3])
    sorted_ours = multitest.multipletests(p, alpha=alpha, method=method, returnsorted=True)
    close(sorted_ours[1], smm.multipletests(p, alpha=alpha, method=method, returnsorted=True)[1])


@pytest.mark.parametrize("method", ["fdr_bh", "fdr_by"])
def test_multipletests_fdr_on_a_large_family_with_ties(method):
    # the fused in-place path at 2e5 p-values (radix passes, truncated-key
    # ties settled by value): exact ties, 0 and 1, near-ties in the last bits
    r = rng(7)
    p = r.uniform(0, 1, 200_000) ** 3
    p[::7] = np.round(p[::7], 2)
    p[::11] = 0.0
    p[::13] = 1.0
    p[::17] = np.nextafter(0.01, 1.0)
    p[1::17] = 0.01
    for alpha in (0.05, 0.5):
        ours = multitest.multipletests(p, alpha=alpha, method=method)
        ref = smm.multipletests(p, alpha=alpha, method=method)
        assert (ours[0] == ref[0]).all()
        close(ours[1], ref[1])


def test_multipletests_default_is_statsmodels_holm_sidak():
    p = rng(3).uniform(0, 0.1, 12)
    ours, ref = multitest.multipletests(p), smm.multipletests(p)
    assert (ours[0] == ref[0]).all()
    close(ours[1], ref[1])


def test_multipletests_errors():
    with pytest.raises(abstat.InvalidParameterError, match="method"):
        multitest.multipletests([0.1, 0.2], method="fdr_xx")
    with pytest.raises(ValueError, match="maxiter"):
        multitest.multipletests([0.1, 0.2], method="fdr_tsbh", maxiter=3)
    with pytest.raises(abstat.InvalidParameterError, match="alpha"):
        multitest.multipletests([0.1, 0.2], alpha=1.5)
    with pytest.raises(abstat.InvalidParameterError):
        multitest.multipletests([0.1, 1.2])
