//! The plan form: what a researcher types into it, read into an analysis
//! plan (every problem on its field), and the locked plan in words.

use super::report::*;
use crate::i18n::{Arg, Tr};
use spire_domain::{FieldError, Problem};
use spire_evaluation::plan::{
    AnalysisPlan, BASELINE_COVARIATES, Estimator, Family, FixedEffects, PlannedOutcome, SUBGROUPS,
};
use spire_store::evaluation::LockedPlan;

pub(super) type Pairs = Vec<(String, String)>;

pub(super) fn values<'a>(pairs: &'a Pairs, key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .collect()
}

pub(super) fn value<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    values(pairs, key).into_iter().next()
}

/// "in_work_or_education: 6, 12" per line → planned outcomes.
pub(super) fn parse_outcomes(text: &str) -> Result<Vec<PlannedOutcome>, FieldError> {
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

pub(super) fn outcomes_text(outcomes: &[PlannedOutcome]) -> String {
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
pub(super) fn decimal(field: &'static str, text: Option<&str>) -> Result<f64, FieldError> {
    crate::http::params::decimal(field, text.unwrap_or(""))
}

pub(super) fn whole<T: std::str::FromStr>(
    field: &'static str,
    text: Option<&str>,
) -> Result<T, FieldError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(FieldError::new(field, Problem::Required)),
        Some(t) => t
            .parse::<T>()
            .map_err(|_| FieldError::new(field, Problem::WholeNumber)),
    }
}

pub(super) fn choice<T>(
    field: &'static str,
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    text.and_then(parse)
        .ok_or(FieldError::new(field, Problem::OutOfRange))
}

/// The plan form → a plan; every field's problem at once.
pub(super) fn parse_plan(pairs: &Pairs) -> Result<AnalysisPlan, Vec<FieldError>> {
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

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub(super) fn choices<T: Copy + PartialEq>(
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

pub(super) fn name_choices(tr: Tr, all: &[&'static str], selected: &[String]) -> Vec<Choice> {
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
    pub(super) fn of(tr: Tr, plan: &AnalysisPlan) -> PlanForm {
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
    pub(super) fn typed(tr: Tr, pairs: &Pairs) -> PlanForm {
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

pub(super) fn plan_summary(tr: Tr, locked: &LockedPlan) -> PlanSummary {
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
