//! The trial's evaluation (researchers and the programme office): the locked
//! pre-analysis plan, outcome imports keyed by study pseudonym, and the report
//! — recruitment against the target with the MDE, CONSORT, balance, the ITT
//! table with a forest plot, randomisation-inference and Romano–Wolf p-values,
//! the effect of participation, Lee bounds and subgroups. Printable as HTML
//! and downloadable as JSON; the JSON API serves the same report.

use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind, Refusal};
use crate::http::multipart;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::charts::{ForestRow, bar_chart, forest_plot};
use crate::ui::error_page::refused;
use crate::ui::fields::FieldMessages;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use spire_domain::TrialId;
use spire_domain::{FieldError, Problem};
use spire_evaluation::analysis::{EvaluationReport, evaluate};
use spire_evaluation::outcomes::ImportProblem;
use spire_evaluation::plan::{
    AnalysisPlan, BASELINE_COVARIATES, Estimator, Family, FixedEffects, PlannedOutcome, SUBGROUPS,
};
use spire_store::evaluation::LockedPlan;
use spire_store::{Consort, Scope, TrialOverview};

type Pairs = Vec<(String, String)>;

fn values<'a>(pairs: &'a Pairs, key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .collect()
}

fn value<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    values(pairs, key).into_iter().next()
}

/// "in_work_or_education: 6, 12" per line → planned outcomes.
fn parse_outcomes(text: &str) -> Result<Vec<PlannedOutcome>, FieldError> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, horizons) = line
                .split_once(':')
                .ok_or(FieldError::new("outcomes", Problem::OutcomeHorizon))?;
            let horizons_months = horizons
                .split([',', ';', ' '])
                .map(|h| h.trim().trim_end_matches('m'))
                .filter(|h| !h.is_empty())
                .map(|h| h.parse::<u32>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| FieldError::new("outcomes", Problem::OutcomeHorizon))?;
            Ok(PlannedOutcome {
                name: name.trim().to_string(),
                horizons_months,
            })
        })
        .collect()
}

fn outcomes_text(outcomes: &[PlannedOutcome]) -> String {
    outcomes
        .iter()
        .map(|o| {
            let horizons: Vec<String> = o.horizons_months.iter().map(u32::to_string).collect();
            format!("{}: {}", o.name, horizons.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A decimal number typed with a point or a comma.
fn decimal(field: &'static str, text: Option<&str>) -> Result<f64, FieldError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(FieldError::new(field, Problem::Required)),
        Some(t) => t
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(FieldError::new(field, Problem::NotANumber)),
    }
}

fn whole<T: std::str::FromStr>(field: &'static str, text: Option<&str>) -> Result<T, FieldError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(FieldError::new(field, Problem::Required)),
        Some(t) => t
            .parse::<T>()
            .map_err(|_| FieldError::new(field, Problem::WholeNumber)),
    }
}

fn choice<T>(
    field: &'static str,
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    text.and_then(parse)
        .ok_or(FieldError::new(field, Problem::OutOfRange))
}

/// The plan form → a plan; every field's problem at once.
fn parse_plan(pairs: &Pairs) -> Result<AnalysisPlan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut keep = |result: Result<(), FieldError>| {
        if let Err(e) = result {
            errors.push(e)
        }
    };
    let mut plan = AnalysisPlan::suggested();
    plan.study = value(pairs, "study").unwrap_or_default().to_string();
    keep(parse_outcomes(value(pairs, "outcomes").unwrap_or_default()).map(|o| plan.outcomes = o));
    plan.covariates = values(pairs, "covariates")
        .iter()
        .map(|s| s.to_string())
        .collect();
    plan.subgroups = values(pairs, "subgroups")
        .iter()
        .map(|s| s.to_string())
        .collect();
    keep(
        choice("estimator", value(pairs, "estimator"), Estimator::from_code)
            .map(|v| plan.estimator = v),
    );
    keep(
        choice(
            "fixed_effects",
            value(pairs, "fixed_effects"),
            FixedEffects::from_code,
        )
        .map(|v| plan.fixed_effects = v),
    );
    keep(choice("family", value(pairs, "family"), Family::from_code).map(|v| plan.family = v));
    keep(decimal("alpha", value(pairs, "alpha")).map(|v| plan.alpha = v));
    keep(whole("ri_draws", value(pairs, "ri_draws")).map(|v| plan.ri_draws = v));
    keep(whole("seed", value(pairs, "seed")).map(|v| plan.seed = v));
    keep(decimal("target_mde_sd", value(pairs, "target_mde_sd")).map(|v| plan.target_mde_sd = v));
    if value(pairs, "confirm") != Some("yes") {
        errors.push(FieldError::new("confirm", Problem::ConfirmLock));
    }
    // The plan's own rules, for the fields that parsed.
    for problem in plan.problems() {
        if !errors.iter().any(|e| e.field == problem.field) {
            errors.push(problem);
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// An exploratory analysis: the locked plan with the choices in the query
/// string (`explore=1`); the report lists every deviation.
fn analysis_from_query(plan: &AnalysisPlan, query: Option<&str>) -> Result<AnalysisPlan, AppError> {
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
fn problem_text(tr: Tr, problem: &spire_evaluation::analysis::Problem) -> String {
    tr.t(&format!(
        "evaluation-problem-{}",
        problem.code.replace('_', "-")
    ))
}

/// A deviation's value (codes, comma-separated) in words.
fn deviation_value(tr: Tr, field: &str, codes: &str) -> String {
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

fn import_message(tr: Tr, problem: &ImportProblem) -> String {
    let (message_id, args) = problem.message();
    refused(
        tr,
        &Refusal {
            field: "file",
            message_id,
            args,
        },
    )
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
async fn compute_report(
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

// ---------------------------------------------------------------- the page

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Copy + PartialEq>(
    tr: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    prefix: &str,
    selected: &[T],
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: code(item),
            label: tr.t(&format!("{prefix}-{}", code(item).replace('_', "-"))),
            selected: selected.contains(&item),
        })
        .collect()
}

fn name_choices(tr: Tr, all: &[&'static str], selected: &[String]) -> Vec<Choice> {
    all.iter()
        .map(|&name| Choice {
            value: name,
            label: tr.t(&format!("covariate-{}", name.replace('_', "-"))),
            selected: selected.iter().any(|s| s == name),
        })
        .collect()
}

/// The plan form's fields and options (for locking, or for exploring).
pub struct PlanForm {
    pub study: String,
    pub outcomes: String,
    pub covariates: Vec<Choice>,
    pub subgroups: Vec<Choice>,
    pub estimators: Vec<Choice>,
    pub fixed_effects: Vec<Choice>,
    pub families: Vec<Choice>,
    pub alpha: String,
    pub ri_draws: String,
    pub seed: String,
    pub target_mde_sd: String,
}

impl PlanForm {
    fn of(tr: Tr, plan: &AnalysisPlan) -> PlanForm {
        PlanForm {
            study: plan.study.clone(),
            outcomes: outcomes_text(&plan.outcomes),
            covariates: name_choices(tr, BASELINE_COVARIATES, &plan.covariates),
            subgroups: name_choices(tr, SUBGROUPS, &plan.subgroups),
            estimators: choices(
                tr,
                &Estimator::ALL,
                Estimator::code,
                "estimator",
                &[plan.estimator],
            ),
            fixed_effects: choices(
                tr,
                &FixedEffects::ALL,
                FixedEffects::code,
                "fixed-effects",
                &[plan.fixed_effects],
            ),
            families: choices(tr, &Family::ALL, Family::code, "family", &[plan.family]),
            alpha: plan.alpha.to_string(),
            ri_draws: plan.ri_draws.to_string(),
            seed: plan.seed.to_string(),
            target_mde_sd: plan.target_mde_sd.to_string(),
        }
    }

    /// The numeric fields: (name, label id, value).
    pub fn numbers(&self) -> Vec<(&'static str, &'static str, &str)> {
        vec![
            ("alpha", "field-alpha", &self.alpha),
            ("ri_draws", "field-ri-draws", &self.ri_draws),
            ("seed", "field-seed", &self.seed),
            ("target_mde_sd", "field-target-mde-sd", &self.target_mde_sd),
        ]
    }

    /// What the user typed, kept when the form comes back with problems.
    fn typed(tr: Tr, pairs: &Pairs) -> PlanForm {
        let mut form = PlanForm::of(tr, &AnalysisPlan::suggested());
        let text = |key| value(pairs, key).unwrap_or_default().to_string();
        form.study = text("study");
        form.outcomes = text("outcomes");
        form.alpha = text("alpha");
        form.ri_draws = text("ri_draws");
        form.seed = text("seed");
        form.target_mde_sd = text("target_mde_sd");
        let chosen = |key| {
            values(pairs, key)
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        form.covariates = name_choices(tr, BASELINE_COVARIATES, &chosen("covariates"));
        form.subgroups = name_choices(tr, SUBGROUPS, &chosen("subgroups"));
        form
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

pub struct PlanSummary {
    pub digest: String,
    pub locked: String,
    pub study: String,
    pub outcomes: Vec<String>,
    pub covariates: String,
    pub subgroups: String,
    pub estimator: String,
    pub fixed_effects: String,
    pub family: String,
    pub alpha: String,
    pub ri: String,
    pub target_mde: String,
}

pub struct Line {
    pub cells: Vec<String>,
    /// A row that could not be estimated: the reason, shown across the row.
    pub note: Option<String>,
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

#[derive(Template)]
#[template(path = "evaluation/page.html")]
pub struct EvaluationView {
    pub ctx: PageCtx,
    /// Researchers lock the plan and import outcomes; the programme office reads.
    pub may_write: bool,
    pub generated: String,
    pub trial: TrialOverview,
    pub flow: String,
    pub plan: Option<PlanSummary>,
    pub plan_form: PlanForm,
    pub explore_form: PlanForm,
    pub errors: FieldMessages,
    pub notice: Option<(bool, String)>,
    pub imports: Vec<ImportLine>,
    pub report: Option<ReportView>,
}

fn outcome_label(tr: Tr, outcome: &str, months: u32) -> String {
    tr.t_args(
        "evaluation-outcome-label",
        &[
            ("outcome", Arg::Text(tr.named("outcome", outcome))),
            ("months", Arg::Number(months as i64)),
        ],
    )
}

fn optional_p(tr: Tr, p: Option<f64>) -> String {
    p.map_or_else(|| "–".into(), |p| tr.p_value(p))
}

fn plan_summary(tr: Tr, locked: &LockedPlan) -> PlanSummary {
    let plan = &locked.plan;
    let names = |list: &[String]| {
        if list.is_empty() {
            tr.t("evaluation-none")
        } else {
            list.iter()
                .map(|n| tr.t(&format!("covariate-{}", n.replace('_', "-"))))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    PlanSummary {
        digest: locked.digest.clone(),
        locked: tr.t_args(
            "evaluation-plan-locked-by",
            &[
                ("name", Arg::Text(locked.locked_by.clone())),
                ("when", Arg::Text(tr.datetime(locked.locked_at))),
            ],
        ),
        study: plan.study.clone(),
        outcomes: plan
            .outcomes
            .iter()
            .flat_map(|o| {
                o.horizons_months
                    .iter()
                    .map(|&h| outcome_label(tr, &o.name, h))
            })
            .collect(),
        covariates: names(&plan.covariates),
        subgroups: names(&plan.subgroups),
        estimator: tr.t(&format!(
            "estimator-{}",
            plan.estimator.code().replace('_', "-")
        )),
        fixed_effects: tr.t(&format!(
            "fixed-effects-{}",
            plan.fixed_effects.code().replace('_', "-")
        )),
        family: tr.t(&format!("family-{}", plan.family.code().replace('_', "-"))),
        alpha: tr.number(plan.alpha, 3),
        ri: tr.t_args(
            "evaluation-ri-draws",
            &[
                ("draws", Arg::Number(plan.ri_draws as i64)),
                ("seed", Arg::Text(plan.seed.to_string())),
            ],
        ),
        target_mde: tr.number(plan.target_mde_sd, 2),
    }
}

fn report_view(
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
fn replaced_columns(tr: Tr, imports: &[spire_store::evaluation::OutcomeImport]) -> Vec<String> {
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
fn imported_id(query: Option<&str>) -> Option<i64> {
    let pairs: Pairs = serde_urlencoded::from_str(query.unwrap_or_default()).ok()?;
    value(&pairs, "imported")?.parse().ok()
}

struct PageInput<'a> {
    query: Option<&'a str>,
    errors: Vec<FieldError>,
    typed: Option<&'a Pairs>,
    notice: Option<(bool, String)>,
}

async fn page_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    trial_id: TrialId,
    input: PageInput<'_>,
) -> AppResult<EvaluationView> {
    let tr = Tr::new(context.lang);
    let scope = user.scope(context);
    let trial = state.db().trial_overview(trial_id).await?;
    let consort = state.db().trial_report(trial_id).await?.consort;
    let locked = state.db().evaluation_plan(&scope, trial_id).await?;
    let raw_imports = state.db().outcome_imports(&scope, trial_id).await?;
    let replaced = replaced_columns(tr, &raw_imports);
    let imported_notice = imported_id(input.query).and_then(|id| {
        raw_imports.iter().find(|i| i.id == id).map(|import| {
            (
                false,
                tr.t_args(
                    "evaluation-imported",
                    &[
                        ("rows", Arg::Number(import.row_count)),
                        ("columns", Arg::Text(import.columns.replace(',', ", "))),
                    ],
                ),
            )
        })
    });
    let imports = raw_imports
        .into_iter()
        .map(|i| ImportLine {
            sha256: i.file_sha256(),
            file_name: i.file_name,
            rows: i.row_count,
            columns: i.columns.replace(',', ", "),
            by: i.imported_by,
            at: tr.datetime(i.imported_at),
        })
        .collect();
    let (report, explore_form) = match &locked {
        Some(locked) => {
            let analysis = analysis_from_query(&locked.plan, input.query)?;
            let report = compute_report(state, &scope, trial_id, locked, analysis.clone()).await?;
            let mut view = report_view(tr, trial_id, &report, input.query);
            view.replaced = replaced;
            (Some(view), PlanForm::of(tr, &analysis))
        }
        None => (None, PlanForm::of(tr, &AnalysisPlan::suggested())),
    };
    Ok(EvaluationView {
        ctx: PageCtx::for_user(tr, user, &format!("/trials/{trial_id}/evaluation")),
        may_write: user.user.role() == spire_domain::Role::Researcher,
        generated: tr.datetime(time::OffsetDateTime::now_utc().unix_timestamp()),
        flow: crate::trials::consort::consort_svg(tr, &consort),
        plan: locked.as_ref().map(|l| plan_summary(tr, l)),
        plan_form: match input.typed {
            Some(pairs) => PlanForm::typed(tr, pairs),
            // The study name suggested is the trial's own, never another trial's.
            None => PlanForm::of(
                tr,
                &AnalysisPlan {
                    study: format!("{}-evaluation", trial.public_id),
                    ..AnalysisPlan::suggested()
                },
            ),
        },
        explore_form,
        errors: FieldMessages::from_errors(tr, &input.errors),
        notice: input.notice.or(imported_notice),
        imports,
        report,
        trial,
    })
}

pub async fn evaluation_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let input = PageInput {
        query: query.as_deref(),
        errors: Vec::new(),
        typed: None,
        notice: None,
    };
    Ok(render(
        &page_view(&state, &context, &user, id, input).await?,
    ))
}

pub async fn lock_plan(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let locked = match parse_plan(&pairs) {
        Ok(plan) => state
            .db()
            .lock_evaluation_plan(&user.scope(&context), id, &plan)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    match locked {
        Ok(_) => Ok(Redirect::to(&format!("/trials/{id}/evaluation")).into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let input = PageInput {
                query: None,
                errors,
                typed: Some(&pairs),
                notice: None,
            };
            let view = page_view(&state, &context, &user, id, input).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The uploaded file's name and bytes from a multipart body.
async fn uploaded_file(content_type: Option<&str>, body: Bytes) -> Option<(String, Bytes)> {
    let boundary = multipart::boundary(content_type?)?;
    multipart::parts(body, &boundary)
        .await?
        .into_iter()
        .find(|part| part.name == "file")
        .map(|part| {
            (
                part.file_name.unwrap_or_else(|| "outcomes.csv".into()),
                part.data,
            )
        })
}

pub async fn import_outcomes(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    request: Request,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(request.into_body(), multipart::MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| AppError(ErrorKind::BadRequest))?;
    let imported = match uploaded_file(content_type.as_deref(), body).await {
        Some((file_name, bytes)) => {
            state
                .db()
                .import_outcomes(&user.scope(&context), state.key(), id, &file_name, &bytes)
                .await
        }
        None => Err(spire_store::Error::Invalid(FieldError::new(
            "file",
            Problem::Required,
        ))),
    };
    let (status, notice) = match imported {
        // Post/redirect/get: a reload does not import the file again.
        Ok(import) => {
            return Ok(
                Redirect::to(&format!("/trials/{id}/evaluation?imported={}", import.id))
                    .into_response(),
            );
        }
        Err(spire_store::Error::Import(problem)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, import_message(tr, &problem)),
        ),
        Err(spire_store::Error::Invalid(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.field_error(&error)),
        ),
        Err(other) => return Err(other.into()),
    };
    let input = PageInput {
        query: None,
        errors: Vec::new(),
        typed: None,
        notice: Some(notice),
    };
    let view = page_view(&state, &context, &user, id, input).await?;
    Ok((status, render(&view)).into_response())
}

/// The report as a JSON file to keep with the analysis.
pub async fn evaluation_json(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TrialId>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let document = document(&state, &caller.scope(), id, query.as_deref()).await?;
    let file_name = format!("evaluation-{}.json", document.trial);
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )],
        Json(document),
    )
        .into_response())
}
