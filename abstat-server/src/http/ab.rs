//! `POST /ab-tests/run/` (a job) and `POST /ab-tests/design/` (inline).

use abstat_api::{
    AbDesignRequest, AbDesignResponse, AbTestRequest, DesignMetric, DesignPlan, ErrorBody,
    JobResponse, WaitQuery,
};
use abstat_core::ab::design::{self as core_design, Baseline, DesignOptions};
use abstat_core::multitest::Correction;
use abstat_core::power::{PowerProblem, PowerSolution, PowerTest, cohen_h, solve_power};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::jobs::submit;
use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::{AnalysisRequest, Invalid};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/ab-tests/run/", post(run))
        .route("/ab-tests/design/", post(design))
}

/// Analyse an A/B/n experiment whose rows are units: every treatment
/// against the control on every metric (mean, proportion, ratio, CUPED),
/// with the frequentist, Bayesian or sequential engine, SRM check and
/// multiple-comparison correction, as a job. The result is an
/// `AbTestResult` (`kind = ab_test`).
#[utoipa::path(post, path = "/ab-tests/run/", tag = "ab-tests", security(("bearer" = [])),
    params(WaitQuery), request_body = AbTestRequest,
    responses((status = 202, description = "queued", body = JobResponse),
        (status = 200, description = "finished within ?wait= or cached", body = JobResponse),
        (status = 404, description = "no such dataset among yours", body = ErrorBody),
        (status = 422, description = "unknown_column, wrong_column_type, invalid_parameter or invalid_body", body = ErrorBody)))]
pub(super) async fn run(
    State(state): State<AppState>,
    user: AuthUser,
    Query(wait): Query<WaitQuery>,
    Json(request): Json<AbTestRequest>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    submit(&state, &user, AnalysisRequest::AbTest(request), wait).await
}

fn core_error(e: abstat_core::Error) -> ApiError {
    match e {
        abstat_core::Error::InvalidParameter {
            name,
            value,
            expected,
        } => Invalid::Parameter {
            name,
            value,
            expected,
        }
        .into(),
        other => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_parameter",
            other.to_string(),
        ),
    }
}

/// Plan a two-variant test: sample size, minimum detectable effect or
/// power (leave exactly one of `effect_size`, `nobs_per_variant`, `power`
/// out; `power` defaults to 0.8 when it is not what is solved for), and
/// the duration at `daily_units`.
#[utoipa::path(post, path = "/ab-tests/design/", tag = "ab-tests", security(("bearer" = [])),
    request_body = AbDesignRequest,
    responses((status = 200, body = AbDesignResponse),
        (status = 422, description = "invalid_parameter or invalid_body", body = ErrorBody)))]
pub(super) async fn design(
    _user: AuthUser,
    Json(r): Json<AbDesignRequest>,
) -> Result<Json<AbDesignResponse>, ApiError> {
    design_plan(&r).map(Json)
}

/// A design from the metric itself (abstat-core's `ab::design::design`).
fn metric_plan(r: &AbDesignRequest, plan: &DesignPlan) -> Result<AbDesignResponse, ApiError> {
    let given = [
        ("baseline", r.baseline.is_some()),
        ("effect_size", r.effect_size.is_some()),
        ("nobs_per_variant", r.nobs_per_variant.is_some()),
        ("ratio", r.ratio.is_some()),
    ];
    if let Some((name, _)) = given.iter().find(|(_, g)| *g) {
        return Err(Invalid::parameter(
            name,
            "given",
            "nothing next to a plan: the plan's baseline and MDE say it all",
        )
        .into());
    }
    let test = match (r.metric, plan.baseline) {
        (DesignMetric::Mean, Baseline::Mean { .. }) => PowerTest::TTestInd,
        (DesignMetric::Proportion, Baseline::Rate { .. }) => PowerTest::NormalInd,
        _ => {
            return Err(Invalid::parameter(
                "plan.baseline",
                "of the other kind",
                "a mean baseline for metric = mean, a rate for metric = proportion",
            )
            .into());
        }
    };
    let opts = DesignOptions {
        alpha: r.alpha,
        power: r.power.unwrap_or(0.8),
        alternative: r.alternative,
        variants: plan.variants,
        correction: (plan.variants > 2).then_some(Correction::Bonferroni),
        test,
    };
    let d =
        core_design::design(plan.baseline, plan.mde, &opts, r.daily_units).map_err(core_error)?;
    Ok(AbDesignResponse {
        solution: PowerSolution::Nobs1(d.exact_per_group),
        nobs_per_variant: Some(d.per_group),
        total_units: Some(d.total),
        days: d.days,
        detectable_rate: None,
        design: Some(d),
    })
}

/// The design's arithmetic (statsmodels' `solve_power` in abstat-core).
fn design_plan(r: &AbDesignRequest) -> Result<AbDesignResponse, ApiError> {
    if let Some(plan) = &r.plan {
        return metric_plan(r, plan);
    }
    let baseline = match (r.metric, r.baseline) {
        (DesignMetric::Proportion, Some(p)) if p > 0.0 && p < 1.0 => Some(p),
        (DesignMetric::Proportion, b) => {
            return Err(Invalid::parameter(
                "baseline",
                b.map_or("missing".into(), |b| b.to_string()),
                "the control conversion rate, strictly between 0 and 1",
            )
            .into());
        }
        (DesignMetric::Mean, Some(_)) => {
            return Err(Invalid::parameter(
                "baseline",
                "given",
                "no baseline for a mean metric: give effect_size as Cohen's d",
            )
            .into());
        }
        (DesignMetric::Mean, None) => None,
    };
    let effect = match (baseline, r.effect_size) {
        (Some(p), Some(lift)) => Some(cohen_h(p + lift, p).map_err(core_error)?),
        (_, e) => e,
    };
    let unknowns = [
        effect.is_none(),
        r.nobs_per_variant.is_none(),
        r.power.is_none(),
    ]
    .iter()
    .filter(|&&u| u)
    .count();
    // power defaults to 0.8 unless it is the one unknown
    let power = match (r.power, unknowns) {
        (Some(p), _) => Some(p),
        (None, 1) => None,
        (None, _) => Some(0.8),
    };
    let ratio = r.ratio.unwrap_or(1.0);
    let problem = PowerProblem {
        test: match r.metric {
            DesignMetric::Mean => PowerTest::TTestInd,
            DesignMetric::Proportion => PowerTest::NormalInd,
        },
        effect_size: effect,
        nobs1: r.nobs_per_variant,
        alpha: Some(r.alpha),
        power,
        ratio: Some(ratio),
        alternative: r.alternative,
    };
    let solution = solve_power(&problem).map_err(core_error)?;
    let nobs = match solution {
        PowerSolution::Nobs1(n) => Some(n),
        _ => r.nobs_per_variant,
    }
    .map(|n| n.ceil() as u64);
    let total = nobs.map(|n| n + (n as f64 * ratio).ceil() as u64);
    let days = match (total, r.daily_units) {
        (Some(t), Some(d)) if d > 0.0 && d.is_finite() => Some((t as f64 / d).ceil() as u64),
        (_, Some(d)) if !(d > 0.0 && d.is_finite()) => {
            return Err(
                Invalid::parameter("daily_units", d, "a positive number of units per day").into(),
            );
        }
        _ => None,
    };
    // invert Cohen's h = 2·asin√p₁ − 2·asin√p₀ for the detectable rate
    let detectable_rate = match (solution, baseline) {
        (PowerSolution::EffectSize(h), Some(p)) => Some(
            (((h + 2.0 * p.sqrt().asin()) / 2.0).min(std::f64::consts::FRAC_PI_2))
                .sin()
                .powi(2),
        ),
        _ => None,
    };
    Ok(AbDesignResponse {
        solution,
        nobs_per_variant: nobs,
        total_units: total,
        days,
        detectable_rate,
        design: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use abstat_core::ab::design::{Mde, design};

    fn plan_request(metric: DesignMetric, plan: DesignPlan) -> AbDesignRequest {
        AbDesignRequest {
            metric,
            baseline: None,
            effect_size: None,
            nobs_per_variant: None,
            power: Some(0.9),
            alpha: 0.05,
            ratio: None,
            alternative: Default::default(),
            daily_units: Some(1000.0),
            plan: Some(plan),
        }
    }

    #[test]
    fn a_metric_plan_is_core_s_design_with_bonferroni_over_the_variants() {
        let plan = DesignPlan {
            baseline: Baseline::Mean {
                mean: 10.0,
                std_dev: 4.0,
            },
            mde: Mde::Relative(0.05),
            variants: 3,
        };
        let got = design_plan(&plan_request(DesignMetric::Mean, plan)).unwrap();
        let opts = DesignOptions {
            power: 0.9,
            variants: 3,
            correction: Some(Correction::Bonferroni),
            test: PowerTest::TTestInd,
            ..DesignOptions::default()
        };
        let want = design(plan.baseline, plan.mde, &opts, Some(1000.0)).unwrap();
        assert_eq!(got.design, Some(want));
        assert_eq!(got.nobs_per_variant, Some(want.per_group));
        assert_eq!(got.total_units, Some(want.total));
        assert_eq!(got.days, want.days);

        let rate = DesignPlan {
            baseline: Baseline::Rate { rate: 0.1 },
            mde: Mde::Absolute(0.01),
            variants: 2,
        };
        let got = design_plan(&plan_request(DesignMetric::Proportion, rate)).unwrap();
        let opts = DesignOptions {
            power: 0.9,
            ..DesignOptions::default()
        };
        let want = design(rate.baseline, rate.mde, &opts, Some(1000.0)).unwrap();
        assert_eq!(got.design, Some(want));

        // a rate plan for a mean metric, or a plan next to an effect size
        assert!(design_plan(&plan_request(DesignMetric::Mean, rate)).is_err());
        let mut both = plan_request(DesignMetric::Proportion, rate);
        both.effect_size = Some(0.2);
        assert!(design_plan(&both).is_err());
    }
}
