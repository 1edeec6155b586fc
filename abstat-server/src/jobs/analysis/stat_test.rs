//! `POST /analytics/stat-tests/`: samples cut from columns, then one
//! abstat-core test.

use abstat_api::{SampleShape, StatTestKind, StatTestRequest, StatTestResult, TestOutcome};
use abstat_core::Error;
use abstat_core::anova::{AnovaOptions, f_oneway, welch_anova};
use abstat_core::categorical::{ContingencyOptions, chi2_contingency, fisher_exact};
use abstat_core::correlation::{CorrelationOptions, kendall, pearson, spearman};
use abstat_core::nonparametric::{
    KsOptions, MannWhitneyOptions, WilcoxonOptions, kruskal, ks_2samp, mann_whitney_u,
    wilcoxon_paired,
};
use abstat_core::normality::{ShapiroOptions, shapiro};
use abstat_core::ttest::{TTestOptions, ttest_1samp, ttest_ind, ttest_rel, welch};
use abstat_core::variance::{LeveneOptions, levene};
use arrow_array::RecordBatch;

use super::columns::{ColumnRole, group_values, labels, levels, numeric};
use super::{Invalid, RunError, check_alpha, required_column};

fn required<'a>(
    field: &'a Option<String>,
    name: &str,
    test: StatTestKind,
) -> Result<&'a str, Invalid> {
    required_column(field, name, &test_name(test))
}

fn test_name(test: StatTestKind) -> String {
    serde_json::to_value(test)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The parameters' checks; the columns the test needs and their roles.
pub(super) fn check(r: &StatTestRequest) -> Result<Vec<(String, ColumnRole)>, Invalid> {
    use ColumnRole::{Labels, Numeric};
    check_alpha(r.alpha)?;
    if r.popmean.is_some() && r.test != StatTestKind::Ttest1samp {
        return Err(Invalid::parameter(
            "popmean",
            r.popmean.unwrap_or_default(),
            "no popmean: only ttest_1samp takes one",
        ));
    }
    if let Some(m) = r.popmean
        && !m.is_finite()
    {
        return Err(Invalid::parameter("popmean", m, "a finite number"));
    }
    let col = |name: &str, role| (name.to_string(), role);
    Ok(match r.test.shape() {
        SampleShape::One => vec![col(&r.column, Numeric)],
        SampleShape::Paired => vec![
            col(&r.column, Numeric),
            col(required(&r.column_b, "column_b", r.test)?, Numeric),
        ],
        SampleShape::Two => match (&r.column_b, &r.group_column) {
            (Some(b), None) => vec![col(&r.column, Numeric), col(b, Numeric)],
            (None, Some(g)) => {
                if let Some(groups) = &r.groups
                    && groups.len() != 2
                {
                    return Err(Invalid::parameter(
                        "groups",
                        format!("{groups:?}"),
                        "exactly two group values",
                    ));
                }
                vec![col(&r.column, Numeric), col(g, Labels)]
            }
            _ => {
                return Err(Invalid::parameter(
                    "group_column",
                    "missing or given together with column_b",
                    format!(
                        "either group_column (split column into two groups) or column_b (a second sample), not both: {} compares two samples",
                        test_name(r.test)
                    ),
                ));
            }
        },
        SampleShape::Many => {
            if let Some(groups) = &r.groups
                && groups.len() < 2
            {
                return Err(Invalid::parameter(
                    "groups",
                    format!("{groups:?}"),
                    "at least two group values",
                ));
            }
            vec![
                col(&r.column, Numeric),
                col(required(&r.group_column, "group_column", r.test)?, Labels),
            ]
        }
        SampleShape::Table => vec![
            col(&r.column, Labels),
            col(required(&r.column_b, "column_b", r.test)?, Labels),
        ],
    })
}

/// `column` split by the labels of `group_column`: the chosen groups'
/// names and samples.
fn split(
    batch: &RecordBatch,
    r: &StatTestRequest,
    group_column: &str,
    exactly: Option<usize>,
) -> Result<(Vec<String>, Vec<Vec<f64>>), RunError> {
    let values = numeric(batch, &r.column)?;
    let keys = labels(batch, group_column)?;
    let available = levels(&keys);
    let names = match &r.groups {
        Some(g) => {
            if let Some(missing) = g.iter().find(|g| !available.contains(g)) {
                return Err(Error::invalid(
                    "groups",
                    missing,
                    format!(
                        "values of column '{group_column}': {}",
                        available.join(", ")
                    ),
                )
                .into());
            }
            g.clone()
        }
        None => available.clone(),
    };
    if let Some(n) = exactly
        && names.len() != n
    {
        return Err(Error::invalid(
            "groups",
            format!("{} groups in column '{group_column}'", names.len()),
            format!(
                "exactly {n}: choose them with \"groups\" among {}",
                available.join(", ")
            ),
        )
        .into());
    }
    let samples = group_values(&values, &keys, &names);
    Ok((names, samples))
}

/// Two samples: by group or from two columns.
fn two(batch: &RecordBatch, r: &StatTestRequest) -> Result<(Vec<String>, Vec<Vec<f64>>), RunError> {
    match (&r.column_b, &r.group_column) {
        (Some(b), _) => Ok((
            vec![r.column.clone(), b.clone()],
            vec![numeric(batch, &r.column)?, numeric(batch, b)?],
        )),
        (None, Some(g)) => split(batch, r, g, Some(2)),
        (None, None) => Err(RunError::Client("give column_b or group_column".into())),
    }
}

/// Counts of the cross-tabulation of two label columns (rows with a
/// missing label left out), with the level names.
fn crosstab(
    a: &[Option<String>],
    b: &[Option<String>],
) -> (Vec<String>, Vec<String>, Vec<Vec<f64>>) {
    let (ra, rb) = (levels(a), levels(b));
    let mut table = vec![vec![0.0; rb.len()]; ra.len()];
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            let i = ra.binary_search(x).unwrap_or_default();
            let j = rb.binary_search(y).unwrap_or_default();
            table[i][j] += 1.0;
        }
    }
    (ra, rb, table)
}

/// Run the test.
pub(super) fn run(batch: &RecordBatch, r: &StatTestRequest) -> Result<StatTestResult, RunError> {
    use StatTestKind as K;
    let level = 1.0 - r.alpha;
    let t_opts = TTestOptions {
        alternative: r.alternative,
        nan_policy: r.nan_policy,
        confidence_level: level,
    };
    let corr = CorrelationOptions {
        alternative: r.alternative,
        nan_policy: r.nan_policy,
        confidence_level: level,
        ..Default::default()
    };
    let paired = || -> Result<_, RunError> {
        let b = r.column_b.as_deref().unwrap_or_default();
        Ok((
            vec![r.column.clone(), b.to_string()],
            numeric(batch, &r.column)?,
            numeric(batch, b)?,
        ))
    };
    let (samples, outcome) = match r.test {
        K::Ttest1samp | K::Shapiro => {
            let x = numeric(batch, &r.column)?;
            let out = if r.test == K::Shapiro {
                TestOutcome::Shapiro(shapiro(
                    &x,
                    &ShapiroOptions {
                        nan_policy: r.nan_policy,
                    },
                )?)
            } else {
                TestOutcome::Test(ttest_1samp(&x, r.popmean.unwrap_or(0.0), &t_opts)?)
            };
            (vec![r.column.clone()], out)
        }
        K::TtestRel | K::Wilcoxon | K::Pearson | K::Spearman | K::Kendall => {
            let (names, x, y) = paired()?;
            let out = match r.test {
                K::TtestRel => TestOutcome::Test(ttest_rel(&x, &y, &t_opts)?),
                K::Wilcoxon => TestOutcome::SignedRank(wilcoxon_paired(
                    &x,
                    &y,
                    &WilcoxonOptions {
                        alternative: r.alternative,
                        nan_policy: r.nan_policy,
                        ..Default::default()
                    },
                )?),
                K::Pearson => TestOutcome::Test(pearson(&x, &y, &corr)?),
                K::Spearman => TestOutcome::Test(spearman(&x, &y, &corr)?),
                _ => TestOutcome::Test(kendall(&x, &y, &corr)?),
            };
            (names, out)
        }
        K::TtestInd | K::Welch | K::MannWhitney | K::Ks2samp => {
            let (names, s) = two(batch, r)?;
            let (x, y) = (&s[0], &s[1]);
            let out = match r.test {
                K::TtestInd => TestOutcome::Test(ttest_ind(x, y, true, &t_opts)?),
                K::Welch => TestOutcome::Test(welch(x, y, &t_opts)?),
                K::MannWhitney => TestOutcome::Test(mann_whitney_u(
                    x,
                    y,
                    &MannWhitneyOptions {
                        alternative: r.alternative,
                        nan_policy: r.nan_policy,
                        ..Default::default()
                    },
                )?),
                _ => TestOutcome::Ks(ks_2samp(
                    x,
                    y,
                    &KsOptions {
                        alternative: r.alternative,
                        nan_policy: r.nan_policy,
                        ..Default::default()
                    },
                )?),
            };
            (names, out)
        }
        K::Anova | K::WelchAnova | K::Kruskal | K::Levene => {
            let g = r.group_column.as_deref().unwrap_or_default();
            let (names, s) = split(batch, r, g, None)?;
            let anova = AnovaOptions {
                nan_policy: r.nan_policy,
            };
            let out = match r.test {
                K::Anova => TestOutcome::F(f_oneway(&s, &anova)?),
                K::WelchAnova => TestOutcome::F(welch_anova(&s, &anova)?),
                K::Levene => TestOutcome::F(levene(
                    &s,
                    &LeveneOptions {
                        nan_policy: r.nan_policy,
                        ..Default::default()
                    },
                )?),
                _ => {
                    let refs: Vec<&[f64]> = s.iter().map(Vec::as_slice).collect();
                    TestOutcome::Test(kruskal(&refs, r.nan_policy)?)
                }
            };
            (names, out)
        }
        K::Chi2Contingency | K::FisherExact => {
            let b = r.column_b.as_deref().unwrap_or_default();
            let (ra, rb, table) = crosstab(&labels(batch, &r.column)?, &labels(batch, b)?);
            let out = if r.test == K::FisherExact {
                if table.len() != 2 || table[0].len() != 2 {
                    return Err(Error::invalid(
                        "table",
                        format!("{}×{} (levels {:?} by {:?})", ra.len(), rb.len(), ra, rb),
                        "a 2×2 table: fisher_exact needs two levels in each column; use chi2_contingency for larger tables",
                    )
                    .into());
                }
                let c = |i: usize, j: usize| table[i][j] as u64;
                TestOutcome::Test(fisher_exact(
                    [[c(0, 0), c(0, 1)], [c(1, 0), c(1, 1)]],
                    r.alternative,
                )?)
            } else {
                TestOutcome::Contingency(chi2_contingency(&table, &ContingencyOptions::default())?)
            };
            (vec![r.column.clone(), b.to_string()], out)
        }
    };
    let reject = outcome.p_value() <= r.alpha;
    Ok(StatTestResult {
        test: r.test,
        samples,
        alpha: r.alpha,
        reject,
        outcome,
    })
}
