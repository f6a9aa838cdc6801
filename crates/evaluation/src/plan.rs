//! The pre-analysis plan: what will be estimated, decided before any outcome
//! is seen. Locked as canonical JSON; its SHA-256 is what researchers register.

use serde::{Deserialize, Serialize};
use spire_domain::{FieldError, Problem};

/// Baseline covariates the analysis can use, derived from the frozen baseline
/// of every allocation (numbers; indicators are 0/1).
pub const BASELINE_COVARIATES: &[&str] = &[
    "age",
    "female",
    "kontanthjaelp",
    "aktivitetsparat",
    "has_qualification",
];

/// Baseline indicators that split the sample into pre-specified subgroups.
pub const SUBGROUPS: &[&str] = &["female", "kontanthjaelp", "aktivitetsparat", "under_25"];

/// How the effect of the offer is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Blocked difference in means (estimatr `difference_in_means`, blocks = fixed effects).
    DifferenceInMeans,
    /// `lm_robust(y ~ z + covariates, fixed_effects = ~strata)`, HC2.
    Ols,
    /// Lin (2013): covariates centred and interacted with the offer, HC2.
    Lin,
}

impl Estimator {
    pub const ALL: [Estimator; 3] = [Estimator::Ols, Estimator::Lin, Estimator::DifferenceInMeans];
    pub fn code(self) -> &'static str {
        match self {
            Estimator::DifferenceInMeans => "difference_in_means",
            Estimator::Ols => "ols",
            Estimator::Lin => "lin",
        }
    }
    pub fn from_code(code: &str) -> Option<Estimator> {
        Estimator::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// Which groups the strata fixed effects (and the re-randomisation) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixedEffects {
    /// The trial design's own strata.
    DesignStrata,
    /// The municipality (coarser; for designs with many small strata).
    Municipality,
    None,
}

impl FixedEffects {
    pub const ALL: [FixedEffects; 3] = [
        FixedEffects::DesignStrata,
        FixedEffects::Municipality,
        FixedEffects::None,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FixedEffects::DesignStrata => "design_strata",
            FixedEffects::Municipality => "municipality",
            FixedEffects::None => "none",
        }
    }
    pub fn from_code(code: &str) -> Option<FixedEffects> {
        FixedEffects::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// The multiple-testing family's correction over all planned outcomes and horizons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    RomanoWolf,
    Holm,
    Bonferroni,
    BenjaminiHochberg,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::RomanoWolf,
        Family::Holm,
        Family::Bonferroni,
        Family::BenjaminiHochberg,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Family::RomanoWolf => "romano_wolf",
            Family::Holm => "holm",
            Family::Bonferroni => "bonferroni",
            Family::BenjaminiHochberg => "benjamini_hochberg",
        }
    }
    pub fn from_code(code: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// One outcome measured at one or more horizons (months after allocation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedOutcome {
    pub name: String,
    pub horizons_months: Vec<u32>,
}

/// The pre-analysis plan. Field order is the canonical JSON order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisPlan {
    /// The trial's public id: set when the plan is locked, so the hash binds plan and trial.
    #[serde(default)]
    pub trial: String,
    /// The study whose pseudonyms key the outcome files (as in `spire trial export --study`).
    pub study: String,
    pub outcomes: Vec<PlannedOutcome>,
    pub covariates: Vec<String>,
    pub subgroups: Vec<String>,
    pub estimator: Estimator,
    pub fixed_effects: FixedEffects,
    pub family: Family,
    pub alpha: f64,
    pub ri_draws: u32,
    pub seed: u64,
    /// The smallest effect (in standard deviations) the trial is powered for.
    pub target_mde_sd: f64,
}

/// Outcome column names: short, lower-case, safe in any CSV tool.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl AnalysisPlan {
    /// The plan a new trial is offered: the programme's own outcomes (in work
    /// or education at 6 and 12 months, weeks on benefit within 12 months),
    /// HC2 OLS with municipality fixed effects, Romano–Wolf over the family.
    pub fn suggested() -> AnalysisPlan {
        AnalysisPlan {
            trial: String::new(),
            study: "nextwork-evaluation".into(),
            outcomes: vec![
                PlannedOutcome {
                    name: "in_work_or_education".into(),
                    horizons_months: vec![6, 12],
                },
                PlannedOutcome {
                    name: "weeks_on_benefit".into(),
                    horizons_months: vec![12],
                },
            ],
            covariates: vec!["age".into(), "female".into(), "kontanthjaelp".into()],
            subgroups: vec!["female".into()],
            estimator: Estimator::Ols,
            fixed_effects: FixedEffects::Municipality,
            family: Family::RomanoWolf,
            alpha: 0.05,
            ri_draws: 1999,
            seed: 2026,
            target_mde_sd: 0.2,
        }
    }

    /// The column an outcome file holds for one outcome at one horizon.
    pub fn column(outcome: &str, horizon_months: u32) -> String {
        format!("{outcome}_{horizon_months}m")
    }

    /// Every planned (outcome, horizon) column, in plan order: the testing family.
    pub fn columns(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .flat_map(|o| {
                o.horizons_months
                    .iter()
                    .map(|&h| AnalysisPlan::column(&o.name, h))
            })
            .collect()
    }

    /// Checks the plan; the first refused field is named.
    pub fn validate(&self) -> Result<(), FieldError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every refused field, in form order.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found = Vec::new();
        let mut refuse = |field, problem| found.push(FieldError::new(field, problem));
        let study = self.study.trim();
        if study.is_empty() {
            refuse("study", Problem::Required);
        } else if study.chars().count() > 200 || study != self.study {
            refuse("study", Problem::TooLong);
        }
        if let Some(problem) = self.outcome_problem() {
            refuse("outcomes", problem);
        }
        if self
            .covariates
            .iter()
            .any(|c| !BASELINE_COVARIATES.contains(&c.as_str()))
        {
            refuse("covariates", Problem::UnknownCovariate);
        }
        if self
            .subgroups
            .iter()
            .any(|s| !SUBGROUPS.contains(&s.as_str()))
        {
            refuse("subgroups", Problem::UnknownCovariate);
        }
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            refuse("alpha", Problem::AlphaRange);
        }
        if !(99..=100_000).contains(&self.ri_draws) {
            refuse("ri_draws", Problem::DrawsRange);
        }
        if !(self.target_mde_sd > 0.0 && self.target_mde_sd <= 5.0) {
            refuse("target_mde_sd", Problem::MdeRange);
        }
        found
    }

    fn outcome_problem(&self) -> Option<Problem> {
        if self.outcomes.is_empty() {
            return Some(Problem::Required);
        }
        let mut seen = std::collections::HashSet::new();
        for outcome in &self.outcomes {
            if !valid_name(&outcome.name) {
                return Some(Problem::OutcomeName);
            }
            if outcome.horizons_months.is_empty()
                || outcome.horizons_months.iter().any(|&h| h == 0 || h > 240)
            {
                return Some(Problem::OutcomeHorizon);
            }
            for &h in &outcome.horizons_months {
                if !seen.insert(AnalysisPlan::column(&outcome.name, h)) {
                    return Some(Problem::OutcomeTwice);
                }
            }
        }
        (seen.len() > 40).then_some(Problem::TooLong)
    }

    /// The canonical document that is hashed and stored.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a plan serialises")
    }

    pub fn digest(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(self.canonical_json().as_bytes()).into()
    }

    /// The covariates the estimator adjusts for (none for the difference in means).
    pub fn covariates_used(&self) -> &[String] {
        match self.estimator {
            Estimator::DifferenceInMeans => &[],
            Estimator::Ols | Estimator::Lin => &self.covariates,
        }
    }

    /// What an analysis run with `other`'s settings changes from this plan, one
    /// line per deviation (codes, comma-separated for lists; the page translates them).
    pub fn deviations(&self, other: &AnalysisPlan) -> Vec<Deviation> {
        let mut found = Vec::new();
        let mut differs = |field: &'static str, planned: String, used: String| {
            if planned != used {
                found.push(Deviation {
                    field,
                    planned,
                    used,
                });
            }
        };
        differs(
            "estimator",
            self.estimator.code().into(),
            other.estimator.code().into(),
        );
        differs(
            "fixed_effects",
            self.fixed_effects.code().into(),
            other.fixed_effects.code().into(),
        );
        differs(
            "covariates",
            self.covariates_used().join(","),
            other.covariates_used().join(","),
        );
        differs(
            "subgroups",
            self.subgroups.join(","),
            other.subgroups.join(","),
        );
        differs(
            "family",
            self.family.code().into(),
            other.family.code().into(),
        );
        differs("alpha", self.alpha.to_string(), other.alpha.to_string());
        differs(
            "ri_draws",
            self.ri_draws.to_string(),
            other.ri_draws.to_string(),
        );
        differs("seed", self.seed.to_string(), other.seed.to_string());
        found
    }
}

/// One way an analysis differs from the locked plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deviation {
    pub field: &'static str,
    pub planned: String,
    pub used: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn plan() -> AnalysisPlan {
        AnalysisPlan {
            trial: String::new(),
            study: "nextwork-evaluation".into(),
            outcomes: vec![PlannedOutcome {
                name: "in_work_or_education".into(),
                horizons_months: vec![6, 12],
            }],
            covariates: vec!["age".into(), "female".into()],
            subgroups: vec!["female".into()],
            estimator: Estimator::Ols,
            fixed_effects: FixedEffects::Municipality,
            family: Family::RomanoWolf,
            alpha: 0.05,
            ri_draws: 999,
            seed: 2026,
            target_mde_sd: 0.2,
        }
    }

    #[test]
    fn the_hash_is_of_the_canonical_document_and_changes_with_any_field() {
        let a = plan();
        assert_eq!(a.digest(), a.clone().digest());
        let round_trip: AnalysisPlan = serde_json::from_str(&a.canonical_json()).unwrap();
        assert_eq!(round_trip.canonical_json(), a.canonical_json());
        let mut b = a.clone();
        b.seed = 2027;
        assert_ne!(a.digest(), b.digest());
        assert_eq!(
            a.columns(),
            ["in_work_or_education_6m", "in_work_or_education_12m"]
        );
    }

    #[test]
    fn bad_plans_name_the_field() {
        type Breaks = fn(&mut AnalysisPlan);
        let cases: Vec<(Breaks, &str, Problem)> = vec![
            (|p| p.study = " ".into(), "study", Problem::Required),
            (|p| p.outcomes.clear(), "outcomes", Problem::Required),
            (
                |p| p.outcomes[0].name = "Employed!".into(),
                "outcomes",
                Problem::OutcomeName,
            ),
            (
                |p| p.outcomes[0].horizons_months = vec![0],
                "outcomes",
                Problem::OutcomeHorizon,
            ),
            (
                |p| p.outcomes[0].horizons_months = vec![6, 6],
                "outcomes",
                Problem::OutcomeTwice,
            ),
            (
                |p| p.covariates.push("income".into()),
                "covariates",
                Problem::UnknownCovariate,
            ),
            (
                |p| p.subgroups.push("age".into()),
                "subgroups",
                Problem::UnknownCovariate,
            ),
            (|p| p.alpha = 0.0, "alpha", Problem::AlphaRange),
            (|p| p.ri_draws = 10, "ri_draws", Problem::DrawsRange),
            (
                |p| p.target_mde_sd = f64::NAN,
                "target_mde_sd",
                Problem::MdeRange,
            ),
        ];
        assert!(plan().validate().is_ok());
        for (break_it, field, problem) in cases {
            let mut p = plan();
            break_it(&mut p);
            assert_eq!(p.validate(), Err(FieldError::new(field, problem)));
        }
    }

    #[test]
    fn deviations_list_each_changed_choice() {
        let planned = plan();
        assert!(planned.deviations(&planned).is_empty());
        let mut used = plan();
        used.estimator = Estimator::Lin;
        used.covariates = vec!["age".into()];
        let found = planned.deviations(&used);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].field, "estimator");
        assert_eq!(
            (found[1].planned.as_str(), found[1].used.as_str()),
            ("age,female", "age")
        );
        // The difference in means adjusts for nothing: its covariates are no deviation of their own.
        let mut plain = plan();
        plain.estimator = Estimator::DifferenceInMeans;
        let mut plain_other = plain.clone();
        plain_other.covariates.clear();
        assert!(plain.deviations(&plain_other).is_empty());
    }

    #[test]
    fn every_refused_field_is_named_at_once() {
        let mut bad = plan();
        bad.study.clear();
        bad.alpha = 2.0;
        bad.outcomes.clear();
        let fields: Vec<&str> = bad.problems().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["study", "outcomes", "alpha"]);
    }
}
