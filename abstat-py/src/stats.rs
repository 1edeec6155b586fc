//! `abstat.stats`: the hypothesis tests, with scipy's argument names.

use abstat_core::anova::{AnovaOptions, FTestResult, f_oneway};
use abstat_core::bootstrap::{self, BootstrapMethod, BootstrapOptions};
use abstat_core::categorical::{
    ContingencyOptions, GoodnessOfFitOptions, PowerDivergence, chi2_contingency, chisquare,
    fisher_exact,
};
use abstat_core::correlation::{CorrelationOptions, kendall, pearson, spearman};
use abstat_core::nonparametric::{
    KsOptions, MannWhitneyOptions, PValueMethod, WilcoxonOptions, kruskal, ks_2samp,
    mann_whitney_u, wilcoxon, wilcoxon_paired,
};
use abstat_core::normality::{self, ShapiroOptions, shapiro, shapiro_with};
use abstat_core::ttest::{self, TTestOptions};
use abstat_core::variance::{Center, LeveneOptions, levene};
use abstat_core::{Alternative, Error, NanPolicy};
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{test_result, ttest_result};
use crate::errors::{compute, compute_sized, parse, to_pyerr};
use crate::input::{all_values, matrix, sample, samples};

fn ttest_opts(
    alternative: &str,
    nan_policy: &str,
    confidence_level: Option<f64>,
) -> PyResult<TTestOptions> {
    Ok(TTestOptions {
        alternative: parse(alternative)?,
        nan_policy: parse(nan_policy)?,
        confidence_level: confidence_level.unwrap_or(0.95),
    })
}

/// Read two samples and run `f` on their values, with the GIL released
/// unless they are small ([`compute_sized`]) and `always_release` is false.
fn two_samples_with<T: Send>(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    names: (&str, &str),
    always_release: bool,
    f: impl FnOnce(&[f64], &[f64]) -> abstat_core::Result<T> + Send,
) -> PyResult<T> {
    let (xs, ys) = (sample(x, names.0)?, sample(y, names.1)?);
    let (xv, yv) = (xs.values(names.0)?, ys.values(names.1)?);
    if always_release {
        compute(py, || f(&xv, &yv))
    } else {
        compute_sized(py, xv.len() + yv.len(), || f(&xv, &yv))
    }
}

/// [`two_samples_with`] for methods whose cost is at most O(n log n).
fn two_samples<T: Send>(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    names: (&str, &str),
    f: impl FnOnce(&[f64], &[f64]) -> abstat_core::Result<T> + Send,
) -> PyResult<T> {
    two_samples_with(py, x, y, names, false, f)
}

/// A t-test as a dict: the interval is computed now when
/// `confidence_level` is given, otherwise left to [`t_interval`] (the
/// Python `TtestResult.confidence_interval()`).
fn ttest_dict<'py>(
    py: Python<'py>,
    t: ttest::TTest,
    opts: &TTestOptions,
    alternative: &str,
    confidence_level: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let t = match confidence_level {
        Some(_) => ttest::TTest {
            result: t
                .clone()
                .with_interval(opts.confidence_level)
                .map_err(to_pyerr)?,
            ..t
        },
        None => t,
    };
    ttest_result(py, &t, alternative)
}

/// One-sample t-test of `mean(a) = popmean` (scipy `ttest_1samp`).
#[pyfunction]
#[pyo3(signature = (a, popmean, alternative="two-sided", nan_policy="propagate", confidence_level=None))]
fn ttest_1samp<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    popmean: f64,
    alternative: &str,
    nan_policy: &str,
    confidence_level: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = ttest_opts(alternative, nan_policy, confidence_level)?;
    let a = sample(a, "a")?;
    let a = a.values("a")?;
    let t = compute_sized(py, a.len(), || {
        ttest::ttest_1samp_deferred(&a, popmean, &opts)
    })?;
    ttest_dict(py, t, &opts, alternative, confidence_level)
}

/// Paired t-test (scipy `ttest_rel`).
#[pyfunction]
#[pyo3(signature = (a, b, alternative="two-sided", nan_policy="propagate", confidence_level=None))]
fn ttest_rel<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    alternative: &str,
    nan_policy: &str,
    confidence_level: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = ttest_opts(alternative, nan_policy, confidence_level)?;
    let t = two_samples(py, a, b, ("a", "b"), |a, b| {
        ttest::ttest_rel_deferred(a, b, &opts)
    })?;
    ttest_dict(py, t, &opts, alternative, confidence_level)
}

/// Two-sample t-test, Student's or Welch's (scipy `ttest_ind`).
#[pyfunction]
#[pyo3(signature = (a, b, equal_var=true, alternative="two-sided", nan_policy="propagate", confidence_level=None))]
fn ttest_ind<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    equal_var: bool,
    alternative: &str,
    nan_policy: &str,
    confidence_level: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = ttest_opts(alternative, nan_policy, confidence_level)?;
    let t = two_samples(py, a, b, ("a", "b"), |a, b| {
        ttest::ttest_ind_deferred(a, b, equal_var, &opts)
    })?;
    ttest_dict(py, t, &opts, alternative, confidence_level)
}

/// The interval `estimate ± t quantile · standard_error` of a t-test at
/// `confidence_level` (scipy `TtestResult.confidence_interval`), from the
/// values a t-test dict carries.
#[pyfunction]
fn t_interval(
    estimate: f64,
    standard_error: f64,
    df: f64,
    confidence_level: f64,
    alternative: &str,
) -> PyResult<(f64, f64)> {
    Error::check_open_unit("confidence_level", confidence_level).map_err(to_pyerr)?;
    let ci = ttest::t_interval(
        estimate,
        standard_error,
        df,
        confidence_level,
        parse(alternative)?,
    );
    Ok((ci.lower, ci.upper))
}

/// Mann–Whitney U test (scipy `mannwhitneyu`).
#[pyfunction]
#[pyo3(signature = (x, y, use_continuity=true, alternative="two-sided", method="auto", nan_policy="propagate"))]
fn mannwhitneyu<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    use_continuity: bool,
    alternative: &str,
    method: &str,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = MannWhitneyOptions {
        alternative: parse(alternative)?,
        method: parse(method)?,
        use_continuity,
        nan_policy: parse(nan_policy)?,
    };
    // exact p-values can be slow on small samples: always release the GIL
    let r = two_samples_with(py, x, y, ("x", "y"), true, |x, y| {
        mann_whitney_u(x, y, &opts)
    })?;
    test_result(py, &r)
}

/// Wilcoxon signed-rank test of `x` (differences) or of `x − y`
/// (scipy `wilcoxon`); adds `zstatistic` for the asymptotic method.
#[pyfunction]
#[pyo3(signature = (x, y=None, zero_method="wilcox", correction=false, alternative="two-sided", method="auto", nan_policy="propagate"))]
#[allow(clippy::too_many_arguments)]
fn wilcoxon_test<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: Option<&Bound<'py, PyAny>>,
    zero_method: &str,
    correction: bool,
    alternative: &str,
    method: &str,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = WilcoxonOptions {
        zero_method: parse(zero_method)?,
        correction,
        alternative: parse(alternative)?,
        method: parse(method)?,
        nan_policy: parse(nan_policy)?,
    };
    let x_obj = x;
    let r = match y {
        None => {
            let xs = sample(x_obj, "x")?;
            let x = xs.values("x")?;
            compute(py, || wilcoxon(&x, &opts))?
        }
        Some(y) => two_samples_with(py, x_obj, y, ("x", "y"), true, |x, y| {
            wilcoxon_paired(x, y, &opts)
        })?,
    };
    let d = test_result(py, &r.test)?;
    d.set_item("zstatistic", r.z_statistic)?;
    Ok(d)
}

/// Two-sample Kolmogorov–Smirnov test (scipy `ks_2samp`); adds
/// `statistic_location` and `statistic_sign`.
#[pyfunction]
#[pyo3(signature = (data1, data2, alternative="two-sided", method="auto", nan_policy="propagate"))]
fn ks_2samp_test<'py>(
    py: Python<'py>,
    data1: &Bound<'py, PyAny>,
    data2: &Bound<'py, PyAny>,
    alternative: &str,
    method: &str,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = KsOptions {
        alternative: parse(alternative)?,
        method: parse(method)?,
        nan_policy: parse(nan_policy)?,
    };
    let r = two_samples_with(py, data1, data2, ("data1", "data2"), true, |x, y| {
        ks_2samp(x, y, &opts)
    })?;
    let d = test_result(py, &r.test)?;
    d.set_item("statistic_location", r.statistic_location)?;
    d.set_item("statistic_sign", r.statistic_sign)?;
    Ok(d)
}

/// The Shapiro–Wilk coefficients for one sample size, kept by
/// `abstat.stats` (a few, by n) and passed back to [`shapiro_test`].
#[pyclass(frozen, module = "abstat._abstat")]
pub struct ShapiroWeights {
    weights: normality::ShapiroWeights,
}

#[pymethods]
impl ShapiroWeights {
    /// The coefficients for samples of `n` values (n ≥ 3).
    #[new]
    fn new(n: usize) -> PyResult<Self> {
        Ok(Self {
            weights: normality::ShapiroWeights::new(n).map_err(to_pyerr)?,
        })
    }

    /// The sample size the coefficients are for.
    #[getter]
    fn n(&self) -> usize {
        self.weights.n()
    }
}

/// Shapiro–Wilk test (scipy `shapiro`), with precomputed coefficients when
/// `weights` are given (used when they fit the sample size after NaN
/// handling; the result is the same bits either way).
#[pyfunction]
#[pyo3(signature = (x, nan_policy="propagate", weights=None))]
fn shapiro_test<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    nan_policy: &str,
    weights: Option<&Bound<'py, ShapiroWeights>>,
) -> PyResult<(f64, f64, usize)> {
    let opts = ShapiroOptions {
        nan_policy: parse(nan_policy)?,
    };
    let xs = sample(x, "x")?;
    let x = xs.values("x")?;
    let weights = weights.map(|w| &w.get().weights);
    let r = compute_sized(py, x.len(), || match weights {
        Some(w) => shapiro_with(&x, &opts, w),
        None => shapiro(&x, &opts),
    })?;
    Ok((r.statistic, r.p_value, r.n))
}

fn f_result(r: FTestResult) -> (f64, f64, f64, f64) {
    (r.statistic, r.p_value, r.df_num, r.df_denom)
}

/// Levene's / Brown–Forsythe test of equal variances (scipy `levene`).
#[pyfunction]
#[pyo3(signature = (groups, center="median", proportiontocut=0.05, nan_policy="propagate"))]
fn levene_test<'py>(
    py: Python<'py>,
    groups: Vec<Bound<'py, PyAny>>,
    center: &str,
    proportiontocut: f64,
    nan_policy: &str,
) -> PyResult<(f64, f64, f64, f64)> {
    let center = match center {
        "mean" => Center::Mean,
        "median" => Center::Median,
        "trimmed" => Center::Trimmed(proportiontocut),
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid center = {other}: expected one of 'mean', 'median', 'trimmed'"
            )));
        }
    };
    let opts = LeveneOptions {
        center,
        nan_policy: parse(nan_policy)?,
    };
    let held = samples(&groups, "group")?;
    let values = all_values(&held, "group")?;
    let total = values.iter().map(|v| v.len()).sum();
    compute_sized(py, total, || levene(&values, &opts)).map(f_result)
}

/// One-way ANOVA (scipy `f_oneway`).
#[pyfunction]
#[pyo3(signature = (groups, nan_policy="propagate"))]
fn f_oneway_test<'py>(
    py: Python<'py>,
    groups: Vec<Bound<'py, PyAny>>,
    nan_policy: &str,
) -> PyResult<(f64, f64, f64, f64)> {
    let opts = AnovaOptions {
        nan_policy: parse(nan_policy)?,
    };
    let held = samples(&groups, "group")?;
    let values = all_values(&held, "group")?;
    let total = values.iter().map(|v| v.len()).sum();
    compute_sized(py, total, || f_oneway(&values, &opts)).map(f_result)
}

/// Kruskal–Wallis H test (scipy `kruskal`).
#[pyfunction]
#[pyo3(signature = (groups, nan_policy="propagate"))]
fn kruskal_test<'py>(
    py: Python<'py>,
    groups: Vec<Bound<'py, PyAny>>,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let policy: NanPolicy = parse(nan_policy)?;
    let held = samples(&groups, "group")?;
    let values = all_values(&held, "group")?;
    let slices: Vec<&[f64]> = values.iter().map(|v| v.as_ref()).collect();
    let total = slices.iter().map(|v| v.len()).sum();
    let r = compute_sized(py, total, || kruskal(&slices, policy))?;
    test_result(py, &r)
}

/// scipy's `lambda_` argument: a name (parsed by the core) or a number.
fn power_divergence(lambda_: Option<&Bound<'_, PyAny>>) -> PyResult<PowerDivergence> {
    match lambda_ {
        None => Ok(PowerDivergence::Pearson),
        Some(l) => match l.extract::<f64>() {
            Ok(v) => Ok(PowerDivergence::Lambda(v)),
            Err(_) => parse(&l.extract::<String>()?),
        },
    }
}

/// Chi-square goodness-of-fit test (scipy `chisquare` / `power_divergence`).
#[pyfunction]
#[pyo3(signature = (f_obs, f_exp=None, ddof=0, lambda_=None, nan_policy="propagate"))]
fn chisquare_test<'py>(
    py: Python<'py>,
    f_obs: &Bound<'py, PyAny>,
    f_exp: Option<&Bound<'py, PyAny>>,
    ddof: usize,
    lambda_: Option<&Bound<'py, PyAny>>,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = GoodnessOfFitOptions {
        ddof,
        lambda: power_divergence(lambda_)?,
        nan_policy: parse(nan_policy)?,
    };
    let obs = sample(f_obs, "f_obs")?;
    let obs = obs.values("f_obs")?;
    let exp_held = f_exp.map(|e| sample(e, "f_exp")).transpose()?;
    let exp = exp_held.as_ref().map(|e| e.values("f_exp")).transpose()?;
    let r = compute_sized(py, obs.len(), || chisquare(&obs, exp.as_deref(), &opts))?;
    test_result(py, &r)
}

/// Chi-square test of independence (scipy `chi2_contingency`): returns
/// `(statistic, pvalue, dof, expected_freq)`.
#[pyfunction]
#[pyo3(signature = (observed, correction=true, lambda_=None))]
fn chi2_contingency_test<'py>(
    py: Python<'py>,
    observed: &Bound<'py, PyAny>,
    correction: bool,
    lambda_: Option<&Bound<'py, PyAny>>,
) -> PyResult<(f64, f64, usize, Bound<'py, PyAny>)> {
    let opts = ContingencyOptions {
        correction,
        lambda: power_divergence(lambda_)?,
    };
    let table = matrix(observed, "observed")?;
    let view = table.as_array();
    let rows: Vec<Vec<f64>> = view.rows().into_iter().map(|r| r.to_vec()).collect();
    let r = compute_sized(py, view.len(), || chi2_contingency(&rows, &opts))?;
    let (nr, nc) = (r.expected.len(), r.expected.first().map_or(0, Vec::len));
    let flat: Vec<f64> = r.expected.into_iter().flatten().collect();
    let expected = flat.into_pyarray(py).reshape([nr, nc])?.into_any();
    Ok((r.statistic, r.p_value, r.dof, expected))
}

/// Fisher's exact test of a 2×2 table (scipy `fisher_exact`).
#[pyfunction]
#[pyo3(signature = (table, alternative="two-sided"))]
fn fisher_exact_test<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    alternative: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let alternative: Alternative = parse(alternative)?;
    let t = matrix(table, "table")?;
    let v = t.as_array();
    if v.shape() != [2, 2] {
        return Err(PyValueError::new_err(format!(
            "table must be 2x2, got shape {:?}",
            v.shape()
        )));
    }
    let mut cells = [[0u64; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            let c = v[[i, j]];
            if !(c >= 0.0 && c.fract() == 0.0 && c.is_finite()) {
                return Err(to_pyerr(Error::invalid(
                    "table",
                    c,
                    "non-negative integer counts",
                )));
            }
            cells[i][j] = c as u64;
        }
    }
    let r = compute(py, || fisher_exact(cells, alternative))?;
    test_result(py, &r)
}

type CorrelationFn =
    fn(&[f64], &[f64], &CorrelationOptions) -> abstat_core::Result<abstat_core::TestResult>;

fn correlation<'py>(
    py: Python<'py>,
    f: CorrelationFn,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    opts: CorrelationOptions,
) -> PyResult<Bound<'py, PyDict>> {
    let r = two_samples(py, x, y, ("x", "y"), |x, y| f(x, y, &opts))?;
    test_result(py, &r)
}

/// Pearson's r with its test and Fisher-z interval (scipy `pearsonr`).
#[pyfunction]
#[pyo3(signature = (x, y, alternative="two-sided", nan_policy="propagate", confidence_level=0.95))]
fn pearsonr<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    alternative: &str,
    nan_policy: &str,
    confidence_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = CorrelationOptions {
        alternative: parse(alternative)?,
        nan_policy: parse(nan_policy)?,
        confidence_level,
        ..Default::default()
    };
    correlation(py, pearson, x, y, opts)
}

/// Spearman's ρ (scipy `spearmanr` of two 1-D samples).
#[pyfunction]
#[pyo3(signature = (x, y, alternative="two-sided", nan_policy="propagate"))]
fn spearmanr<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    alternative: &str,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = CorrelationOptions {
        alternative: parse(alternative)?,
        nan_policy: parse(nan_policy)?,
        ..Default::default()
    };
    correlation(py, spearman, x, y, opts)
}

/// Kendall's τ-b (scipy `kendalltau`).
#[pyfunction]
#[pyo3(signature = (x, y, alternative="two-sided", nan_policy="propagate", method="auto"))]
fn kendalltau<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    alternative: &str,
    nan_policy: &str,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = CorrelationOptions {
        alternative: parse(alternative)?,
        nan_policy: parse(nan_policy)?,
        method: parse::<PValueMethod>(method)?,
        ..Default::default()
    };
    correlation(py, kendall, x, y, opts)
}

/// Bootstrap interval of a built-in statistic (scipy `bootstrap`):
/// `statistic` is "mean", "median" or "std" (ddof 0) of one sample, or their difference
/// for two. Returns `(low, high, standard_error, distribution, estimate)`.
#[pyfunction]
#[pyo3(signature = (data, statistic, n_resamples=9999, confidence_level=0.95, method="BCa", alternative="two-sided", seed=0))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn bootstrap_ci<'py>(
    py: Python<'py>,
    data: Vec<Bound<'py, PyAny>>,
    statistic: &str,
    n_resamples: usize,
    confidence_level: f64,
    method: &str,
    alternative: &str,
    seed: u64,
) -> PyResult<(f64, f64, f64, Bound<'py, PyAny>, f64)> {
    let opts = bootstrap_opts(n_resamples, confidence_level, method, alternative, seed)?;
    let f: fn(&[f64]) -> f64 = match statistic {
        "mean" => bootstrap::mean,
        "median" => bootstrap::median,
        "std" => bootstrap::std,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid statistic = {other:?}: expected 'mean', 'median' or 'std'"
            )));
        }
    };
    let held = samples(&data, "sample")?;
    let values = all_values(&held, "sample")?;
    let r = match values.as_slice() {
        [x] => compute(py, || bootstrap::bootstrap(x, f, &opts))?,
        [x, y] => compute(py, || {
            bootstrap::bootstrap_two(x, y, |a: &[f64], b: &[f64]| f(a) - f(b), &opts)
        })?,
        _ => {
            return Err(PyValueError::new_err(format!(
                "data must hold one or two samples, got {}",
                values.len()
            )));
        }
    };
    let dist = r.bootstrap_distribution.into_pyarray(py).into_any();
    Ok((r.ci.lower, r.ci.upper, r.standard_error, dist, r.estimate))
}

/// Bootstrap interval of an arbitrary Python statistic (scipy `bootstrap`
/// semantics): `statistic(*resamples)` is called with one 1-D float64 array
/// per sample, on every resample and (BCa) every jackknife sample, from the
/// core's resampling threads, each taking the GIL for its call. Returns as
/// [`bootstrap_ci`].
#[pyfunction]
#[pyo3(signature = (data, statistic, n_resamples=9999, confidence_level=0.95, method="BCa", alternative="two-sided", seed=0))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn bootstrap_callable<'py>(
    py: Python<'py>,
    data: Vec<Bound<'py, PyAny>>,
    statistic: Bound<'py, PyAny>,
    n_resamples: usize,
    confidence_level: f64,
    method: &str,
    alternative: &str,
    seed: u64,
) -> PyResult<(f64, f64, f64, Bound<'py, PyAny>, f64)> {
    let opts = bootstrap_opts(n_resamples, confidence_level, method, alternative, seed)?;
    let held = samples(&data, "sample")?;
    let values = all_values(&held, "sample")?;
    let stat = statistic.unbind();
    let failure: std::sync::Mutex<Option<PyErr>> = std::sync::Mutex::new(None);
    let call = |s: &[&[f64]]| -> f64 {
        Python::attach(|py| {
            let args = s.iter().map(|x| numpy::PyArray1::from_slice(py, x));
            let r = pyo3::types::PyTuple::new(py, args)
                .and_then(|t| stat.bind(py).call1(t))
                .and_then(|v| v.extract::<f64>());
            r.unwrap_or_else(|e| {
                failure.lock().unwrap().get_or_insert(e);
                f64::NAN
            })
        })
    };
    let slices: Vec<&[f64]> = values.iter().map(|v| v.as_ref()).collect();
    let r = py.detach(|| bootstrap::bootstrap_many(&slices, call, &opts));
    if let Some(e) = failure.into_inner().unwrap() {
        return Err(e);
    }
    let r = r.map_err(to_pyerr)?;
    let dist = r.bootstrap_distribution.into_pyarray(py).into_any();
    Ok((r.ci.lower, r.ci.upper, r.standard_error, dist, r.estimate))
}

fn bootstrap_opts(
    n_resamples: usize,
    confidence_level: f64,
    method: &str,
    alternative: &str,
    seed: u64,
) -> PyResult<BootstrapOptions> {
    let method = match method.to_ascii_lowercase().as_str() {
        "bca" => BootstrapMethod::Bca,
        "percentile" => BootstrapMethod::Percentile,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid method = {other:?}: expected 'BCa' or 'percentile' \
                 (scipy's 'basic' is not implemented)"
            )));
        }
    };
    Ok(BootstrapOptions {
        n_resamples,
        confidence_level,
        method,
        alternative: parse(alternative)?,
        seed,
    })
}

/// Register the functions on `m` (the Python wrappers keep scipy's names;
/// the native names of functions that clash with core names end in
/// `_test`).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ttest_1samp, m)?)?;
    m.add_function(wrap_pyfunction!(ttest_rel, m)?)?;
    m.add_function(wrap_pyfunction!(ttest_ind, m)?)?;
    m.add_function(wrap_pyfunction!(t_interval, m)?)?;
    m.add_function(wrap_pyfunction!(mannwhitneyu, m)?)?;
    m.add_function(wrap_pyfunction!(wilcoxon_test, m)?)?;
    m.add_function(wrap_pyfunction!(ks_2samp_test, m)?)?;
    m.add_function(wrap_pyfunction!(shapiro_test, m)?)?;
    m.add_class::<ShapiroWeights>()?;
    m.add_function(wrap_pyfunction!(levene_test, m)?)?;
    m.add_function(wrap_pyfunction!(f_oneway_test, m)?)?;
    m.add_function(wrap_pyfunction!(kruskal_test, m)?)?;
    m.add_function(wrap_pyfunction!(chisquare_test, m)?)?;
    m.add_function(wrap_pyfunction!(chi2_contingency_test, m)?)?;
    m.add_function(wrap_pyfunction!(fisher_exact_test, m)?)?;
    m.add_function(wrap_pyfunction!(pearsonr, m)?)?;
    m.add_function(wrap_pyfunction!(spearmanr, m)?)?;
    m.add_function(wrap_pyfunction!(kendalltau, m)?)?;
    m.add_function(wrap_pyfunction!(bootstrap_ci, m)?)?;
    m.add_function(wrap_pyfunction!(bootstrap_callable, m)?)?;
    Ok(())
}
