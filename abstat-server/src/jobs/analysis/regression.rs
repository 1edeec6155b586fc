//! `POST /analytics/regression/`: abstat-core's design matrix from the
//! columns, then OLS/WLS or logit.

use abstat_api::{RegressionModel, RegressionRequest, RegressionResult};
use abstat_core::regression::Design;
use abstat_core::regression::{CovType, DesignSpec, Logit, LogitOptions, Ols, OlsOptions};
use arrow_array::RecordBatch;

use super::columns::ColumnRole;
use super::{Invalid, RunError, check_alpha};

/// The parameters' checks; the columns and their roles.
pub(super) fn check(r: &RegressionRequest) -> Result<Vec<(String, ColumnRole)>, Invalid> {
    check_alpha(r.alpha)?;
    if r.predictors.is_empty() {
        return Err(Invalid::parameter(
            "predictors",
            "[]",
            "at least one column",
        ));
    }
    match (r.model, &r.weights) {
        (RegressionModel::Wls, None) => {
            return Err(Invalid::parameter(
                "weights",
                "missing",
                "a numeric column of weights: wls needs one",
            ));
        }
        (RegressionModel::Ols | RegressionModel::Logit, Some(_)) => {
            return Err(Invalid::parameter(
                "weights",
                "given",
                "no weights for ols or logit; use model = wls",
            ));
        }
        _ => {}
    }
    if r.model == RegressionModel::Logit && r.cov_type != CovType::NonRobust {
        return Err(Invalid::parameter(
            "cov_type",
            format!("{:?}", r.cov_type),
            "nonrobust: robust covariances are offered for ols and wls",
        ));
    }
    if let Some(bad) = r.reference.keys().find(|c| !r.predictors.contains(c)) {
        return Err(Invalid::parameter(
            "reference",
            bad,
            "levels only for columns listed in predictors",
        ));
    }
    let mut needs = vec![(r.target.clone(), ColumnRole::Numeric)];
    needs.extend(r.predictors.iter().map(|p| (p.clone(), ColumnRole::Labels)));
    if let Some(w) = &r.weights {
        needs.push((w.clone(), ColumnRole::Numeric));
    }
    Ok(needs)
}

/// Fit the model, keeping the per-row residuals and fitted values.
pub(super) fn fit(
    batch: &RecordBatch,
    r: &RegressionRequest,
) -> Result<RegressionResult, RunError> {
    let mut spec = DesignSpec::new(&r.target, &r.predictors).with_intercept(r.intercept);
    for (column, level) in &r.reference {
        spec = spec.with_reference(column, level);
    }
    if let Some(w) = &r.weights {
        spec = spec.with_weights(w);
    }
    let design = Design::from_batch(batch, &spec)?;
    Ok(match r.model {
        RegressionModel::Ols | RegressionModel::Wls => {
            let fit = Ols::new(OlsOptions {
                cov_type: r.cov_type,
                alpha: r.alpha,
                use_t: None,
            })
            .fit(&design)?;
            RegressionResult::LeastSquares(fit)
        }
        RegressionModel::Logit => RegressionResult::Logit(
            Logit::new(LogitOptions {
                alpha: r.alpha,
                ..Default::default()
            })
            .fit(&design)?,
        ),
    })
}

/// Fit the model for a result: without the per-row vectors, which would
/// make it as large as the data.
pub(super) fn run(
    batch: &RecordBatch,
    r: &RegressionRequest,
) -> Result<RegressionResult, RunError> {
    let mut result = fit(batch, r)?;
    if let RegressionResult::LeastSquares(f) = &mut result {
        f.resid = Vec::new();
        f.fitted = Vec::new();
    }
    Ok(result)
}
