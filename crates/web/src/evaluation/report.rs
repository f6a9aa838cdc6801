//! The report: computed from the locked plan (or an exploratory choice),
//! as the JSON document and as the page's view with its tables and charts.

use super::plan_form::*;
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::charts::{ForestRow, bar_chart, forest_plot};
use spire_domain::TrialId;
use spire_domain::{FieldError, Problem};
use spire_evaluation::analysis::{EvaluationReport, evaluate};
use spire_evaluation::plan::{AnalysisPlan, Estimator, Family, FixedEffects};
use spire_store::evaluation::LockedPlan;
use spire_store::{Consort, Scope};

/// An exploratory analysis: the locked plan with the choices in the query
/// string (`explore=1`); the report lists every deviation.
pub(super) fn analysis_from_query(
    plan: &AnalysisPlan,
    query: Option<&str>,
) -> Result<AnalysisPlan, AppError> {
    let pairs: Pairs = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError(ErrorKind::BadRequest))?;
    if value(&pairs, "explore").is_none() {
        return Ok(plan.clone());
    }
    let mut analysis = plan.clone();
    let mut errors = Vec::new();
    match choice(
        "estimator",
        value(&pairs, "estimator"),
        Estimator::from_code,
    ) {
        Ok(v) => analysis.estimator = v,
        Err(e) => errors.push(e),
    }
    match choice(
        "fixed_effects",
        value(&pairs, "fixed_effects"),
        FixedEffects::from_code,
    ) {
        Ok(v) => analysis.fixed_effects = v,
        Err(e) => errors.push(e),
    }
    analysis.covariates = values(&pairs, "covariates")
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Err(e) = analysis.validate() {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(analysis)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// Why a number could not be computed, in the reader's language.
pub(super) fn problem_text(tr: Tr, problem: &spire_evaluation::analysis::Problem) -> String {
    tr.t(&format!(
        "evaluation-problem-{}",
        problem.code.replace('_', "-")
    ))
}

/// A deviation's value (codes, comma-separated) in words.
pub(super) fn deviation_value(tr: Tr, field: &str, codes: &str) -> String {
    let prefix = match field {
        "estimator" => "estimator",
        "fixed_effects" => "fixed-effects",
        "family" => "family",
        "covariates" | "subgroups" => "covariate",
        _ => {
            return codes.replace(
                '.',
                if tr.lang == crate::i18n::Lang::Da {
                    ","
                } else {
                    "."
                },
            );
        }
    };
    if codes.is_empty() {
        return tr.t("evaluation-none");
    }
    codes
        .split(',')
        .map(|code| tr.t(&format!("{prefix}-{}", code.replace('_', "-"))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the evaluation JSON holds: the trial, its CONSORT counts and the report.
#[derive(serde::Serialize)]
pub struct EvaluationDocument {
    pub trial: String,
    pub trial_name: String,
    pub generated_at: String,
    pub plan_locked_at: String,
    pub consort: ConsortCounts,
    #[serde(flatten)]
    pub report: EvaluationReport,
}

/// Loads the data and computes the report off the async threads (randomisation
/// inference is CPU work).
pub(super) async fn compute_report(
    state: &AppState,
    scope: &Scope,
    trial_id: TrialId,
    locked: &LockedPlan,
    analysis: AnalysisPlan,
) -> AppResult<EvaluationReport> {
    let data = state.db().evaluation_data(scope, trial_id).await?;
    let plan = locked.plan.clone();
    tokio::task::spawn_blocking(move || evaluate(&data, &plan, &analysis))
        .await
        .map_err(|_| AppError(ErrorKind::Internal))
}

pub(super) async fn document(
    state: &AppState,
    scope: &Scope,
    trial_id: TrialId,
    query: Option<&str>,
) -> AppResult<EvaluationDocument> {
    let trial = state.db().trial_overview(trial_id).await?;
    let locked = state
        .db()
        .evaluation_plan(scope, trial_id)
        .await?
        .ok_or_else(|| AppError::invalid(vec![FieldError::new("plan", Problem::PlanNotLocked)]))?;
    let analysis = analysis_from_query(&locked.plan, query)?;
    let report = compute_report(state, scope, trial_id, &locked, analysis).await?;
    let consort = state.db().trial_report(trial_id).await?.consort;
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok(EvaluationDocument {
        trial: trial.public_id,
        trial_name: trial.name,
        generated_at: rfc3339(time::OffsetDateTime::now_utc()),
        plan_locked_at: time::OffsetDateTime::from_unix_timestamp(locked.locked_at)
            .map(rfc3339)
            .unwrap_or_default(),
        consort: consort.into(),
        report,
    })
}

/// The CONSORT flow's counts, as the evaluation document carries them.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Consort)]
pub struct ConsortCounts {
    /// Distinct youth screened.
    pub assessed: i64,
    /// Screened, never randomised, not eligible at their last screening.
    pub excluded: i64,
    /// (reason code, youth) among the excluded.
    pub excluded_by_reason: Vec<(String, i64)>,
    /// Eligible at screening but not (yet) randomised.
    pub eligible_not_randomised: i64,
    pub randomised: i64,
    pub programme: i64,
    pub control: i64,
    pub took_up: i64,
    pub declined: i64,
}

impl From<Consort> for ConsortCounts {
    fn from(c: Consort) -> ConsortCounts {
        ConsortCounts {
            assessed: c.assessed,
            excluded: c.excluded,
            excluded_by_reason: c.excluded_by_reason,
            eligible_not_randomised: c.eligible_not_randomised,
            randomised: c.randomised,
            programme: c.programme,
            control: c.control,
            took_up: c.took_up,
            declined: c.declined,
        }
    }
}

impl ReportView {
    /// Columns of the ITT table (the family's own column only when it is not Romano–Wolf).
    pub fn itt_columns(&self) -> usize {
        if self.adjusted_label.is_some() {
            11
        } else {
            10
        }
    }
}

pub struct ImportLine {
    pub file_name: String,
    pub rows: i64,
    pub columns: String,
    pub by: String,
    pub at: String,
    pub sha256: String,
}

pub struct ReportView {
    /// The plan family's correction when it is not Romano–Wolf (shown in its own column).
    pub adjusted_label: Option<String>,
    /// Some outcome column was imported more than once: later values replaced earlier ones.
    pub replaced: Vec<String>,
    pub follows_plan: bool,
    pub deviations: Vec<String>,
    pub recruitment_chart: String,
    pub recruitment_text: String,
    pub mde_text: String,
    /// The MDE in percentage points for the first yes/no outcome (empty when there is none).
    pub mde_points: String,
    pub balance: Vec<Line>,
    pub balance_note: String,
    pub itt: Vec<Line>,
    pub forest: Option<String>,
    pub participation: Vec<Line>,
    pub lee: Vec<Line>,
    pub subgroups: Vec<Line>,
    pub json_href: String,
}

pub(super) fn outcome_label(tr: Tr, outcome: &str, months: u32) -> String {
    tr.t_args(
        "evaluation-outcome-label",
        &[
            ("outcome", Arg::Text(tr.named("outcome", outcome))),
            ("months", Arg::Number(months as i64)),
        ],
    )
}

pub(super) fn optional_p(tr: Tr, p: Option<f64>) -> String {
    p.map_or_else(|| "–".into(), |p| tr.p_value(p))
}

pub(super) fn report_view(
    tr: Tr,
    trial_id: TrialId,
    report: &EvaluationReport,
    query: Option<&str>,
) -> ReportView {
    let recruitment = &report.recruitment;
    let months: Vec<(String, f64)> = recruitment
        .cumulative_by_month
        .iter()
        .map(|(month, n)| (tr.year_month(month), *n as f64))
        .collect();
    let target_label = tr.t_args(
        "evaluation-target",
        &[("n", Arg::Number(recruitment.target))],
    );
    let recruitment_chart = bar_chart(
        &tr.t("evaluation-recruitment-chart"),
        &months,
        Some((recruitment.target as f64, &target_label)),
    );
    let deviations = report
        .deviations
        .iter()
        .map(|d| {
            tr.t_args(
                "evaluation-deviation",
                &[
                    (
                        "field",
                        Arg::Text(tr.t(&format!("field-{}", d.field.replace('_', "-")))),
                    ),
                    (
                        "planned",
                        Arg::Text(deviation_value(tr, d.field, &d.planned)),
                    ),
                    ("used", Arg::Text(deviation_value(tr, d.field, &d.used))),
                ],
            )
        })
        .collect();
    let mut itt = Vec::new();
    let mut forest_rows = Vec::new();
    let mut participation = Vec::new();
    let mut lee = Vec::new();
    let mut subgroups = Vec::new();
    for outcome in &report.outcomes {
        let label = outcome_label(tr, &outcome.outcome, outcome.horizon_months);
        if !outcome.imported {
            itt.push(Line {
                cells: vec![label],
                note: Some(tr.t("evaluation-not-imported")),
            });
            continue;
        }
        // A yes/no outcome reads as shares and percentage points; others in their own unit.
        let binary = outcome.binary;
        let mean = |m: Option<f64>| {
            m.map_or_else(
                || "–".into(),
                |m| {
                    if binary {
                        format!("{} %", tr.number(m * 100.0, 1))
                    } else {
                        tr.number(m, 2)
                    }
                },
            )
        };
        let effect = |v: f64| {
            if binary {
                tr.t_args(
                    "evaluation-pp",
                    &[("value", Arg::Text(tr.number(v * 100.0, 1)))],
                )
            } else {
                tr.number(v, 2)
            }
        };
        let effect_interval =
            |lower: f64, upper: f64| format!("[{}; {}]", effect(lower), effect(upper));
        let mut cells = vec![
            label.clone(),
            outcome.n.to_string(),
            outcome.n_missing.to_string(),
            mean(outcome.mean_programme),
            mean(outcome.mean_control),
        ];
        match &outcome.itt {
            Some(e) => {
                cells.extend([
                    effect(e.estimate),
                    effect_interval(e.ci_lower, e.ci_upper),
                    tr.p_value(e.p_value),
                    optional_p(tr, outcome.ri_p_value),
                ]);
                if report.analysis.family != Family::RomanoWolf {
                    cells.push(optional_p(tr, outcome.adjusted_p_value));
                }
                cells.push(optional_p(tr, outcome.romano_wolf_p_value));
                if let Some(sd) = outcome.sd_control {
                    forest_rows.push(ForestRow {
                        label: label.clone(),
                        estimate: e.estimate / sd,
                        lower: e.ci_lower / sd,
                        upper: e.ci_upper / sd,
                    });
                }
                itt.push(Line { cells, note: None });
            }
            None => itt.push(Line {
                cells,
                note: outcome
                    .error
                    .as_ref()
                    .map(|problem| problem_text(tr, problem)),
            }),
        }
        if let Some(e) = &outcome.participation {
            participation.push(Line {
                cells: vec![
                    label.clone(),
                    effect(e.estimate),
                    effect_interval(e.ci_lower, e.ci_upper),
                    tr.p_value(e.p_value),
                ],
                note: None,
            });
        }
        if let Some(b) = &outcome.lee_bounds {
            lee.push(Line {
                cells: vec![
                    label.clone(),
                    format!("{} %", tr.number(b.observed_share_programme * 100.0, 1)),
                    format!("{} %", tr.number(b.observed_share_control * 100.0, 1)),
                    format!("{} %", tr.number(b.trimming_share * 100.0, 1)),
                    effect_interval(b.lower, b.upper),
                ],
                note: None,
            });
        }
        for s in &outcome.subgroups {
            let with_interval = |e: &Option<spire_evaluation::analysis::EstimateSummary>| {
                e.as_ref().map_or_else(
                    || "–".into(),
                    |e| {
                        format!(
                            "{} {}",
                            effect(e.estimate),
                            effect_interval(e.ci_lower, e.ci_upper)
                        )
                    },
                )
            };
            subgroups.push(Line {
                cells: vec![
                    label.clone(),
                    tr.t(&format!("covariate-{}", s.subgroup.replace('_', "-"))),
                    with_interval(&s.effect_without),
                    with_interval(&s.effect_with),
                    optional_p(tr, s.interaction_p_value),
                ],
                note: s.error.as_ref().map(|problem| problem_text(tr, problem)),
            });
        }
    }
    let balance = report
        .balance
        .lines
        .iter()
        .map(|b| Line {
            cells: vec![
                tr.t(&format!("covariate-{}", b.covariate.replace('_', "-"))),
                tr.number(b.mean_programme, 3),
                tr.number(b.mean_control, 3),
                tr.number(b.std_difference, 3),
                tr.t(&format!("imbalance-{}", b.imbalance)),
            ],
            note: None,
        })
        .collect();
    let balance_note = match (&report.balance.error, report.balance.joint_p_value) {
        (Some(problem), _) => problem_text(tr, problem),
        (None, Some(p)) => tr.t_args(
            "evaluation-balance-joint",
            &[("p", Arg::Text(tr.p_value(p)))],
        ),
        (None, None) => String::new(),
    };
    let mde = |m: Option<f64>| m.map_or_else(|| "–".into(), |m| tr.number(m, 3));
    // For a manager: the MDE of the first yes/no outcome in percentage points,
    // at its control-group share p (one SD of a share is sqrt(p(1 − p))).
    let mde_in_points = report
        .outcomes
        .iter()
        .find(|o| o.binary && o.mean_control.is_some_and(|p| p > 0.0 && p < 1.0))
        .zip(recruitment.mde_sd_now)
        .map(|(outcome, mde_sd)| {
            let p = outcome.mean_control.unwrap_or_default();
            tr.t_args(
                "evaluation-mde-pp",
                &[
                    (
                        "outcome",
                        Arg::Text(outcome_label(tr, &outcome.outcome, outcome.horizon_months)),
                    ),
                    ("share", Arg::Text(format!("{} %", tr.number(p * 100.0, 0)))),
                    (
                        "points",
                        Arg::Text(tr.number(mde_sd * (p * (1.0 - p)).sqrt() * 100.0, 1)),
                    ),
                ],
            )
        })
        .unwrap_or_default();
    ReportView {
        adjusted_label: (report.analysis.family != Family::RomanoWolf).then(|| {
            tr.t(&format!(
                "family-{}",
                report.analysis.family.code().replace('_', "-")
            ))
        }),
        replaced: Vec::new(),
        follows_plan: report.follows_plan,
        deviations,
        recruitment_chart,
        recruitment_text: tr.t_args(
            "evaluation-recruitment-text",
            &[
                ("n", Arg::Number(recruitment.randomised as i64)),
                ("target", Arg::Number(recruitment.target)),
                ("programme", Arg::Number(recruitment.programme as i64)),
                ("control", Arg::Number(recruitment.control as i64)),
            ],
        ),
        mde_points: mde_in_points,
        mde_text: tr.t_args(
            "evaluation-mde-text",
            &[
                ("now", Arg::Text(mde(recruitment.mde_sd_now))),
                ("target", Arg::Text(mde(recruitment.mde_sd_at_target))),
                (
                    "goal",
                    Arg::Text(tr.number(report.analysis.target_mde_sd, 2)),
                ),
                (
                    "needed",
                    Arg::Text(
                        recruitment
                            .required_n
                            .map_or_else(|| "–".into(), |n| n.to_string()),
                    ),
                ),
            ],
        ),
        balance,
        balance_note,
        forest: (!forest_rows.is_empty()).then(|| {
            forest_plot(&tr.t("evaluation-forest-title"), &forest_rows, &|v| {
                tr.number(v, 2)
            })
        }),
        itt,
        participation,
        lee,
        subgroups,
        json_href: match query.filter(|q| !q.is_empty()) {
            Some(q) => format!("/trials/{trial_id}/evaluation.json?{q}"),
            None => format!("/trials/{trial_id}/evaluation.json"),
        },
    }
}

/// Columns imported by more than one file: the newest values are in effect.
pub(super) fn replaced_columns(
    tr: Tr,
    imports: &[spire_store::evaluation::OutcomeImport],
) -> Vec<String> {
    let mut by_column: std::collections::BTreeMap<
        &str,
        Vec<&spire_store::evaluation::OutcomeImport>,
    > = std::collections::BTreeMap::new();
    for import in imports {
        for column in import.columns.split(',') {
            by_column.entry(column).or_default().push(import);
        }
    }
    by_column
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(column, files)| {
            let newest = files[files.len() - 1];
            tr.t_args(
                "evaluation-replaced",
                &[
                    ("column", Arg::Text(column.to_string())),
                    ("files", Arg::Number(files.len() as i64)),
                    ("file", Arg::Text(newest.file_name.clone())),
                    ("when", Arg::Text(tr.datetime(newest.imported_at))),
                ],
            )
        })
        .collect()
}

/// `imported=ID` in the query string: the import just made (after the redirect).
pub(super) fn imported_id(query: Option<&str>) -> Option<i64> {
    let pairs: Pairs = serde_urlencoded::from_str(query.unwrap_or_default()).ok()?;
    value(&pairs, "imported")?.parse().ok()
}
