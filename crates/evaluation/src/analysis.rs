//! The evaluation report: recruitment against the target with the MDE at
//! today's N, baseline balance, and per planned outcome and horizon the ITT
//! effect with randomisation-inference and multiplicity-adjusted p-values, the
//! effect of participation (IV), Lee bounds where outcomes are missing and the
//! planned subgroups. Pure: every number comes from `spire-stats`.

use crate::plan::{AnalysisPlan, Deviation, Estimator, Family, FixedEffects};
use serde::Serialize;
use spire_stats::balance::{Imbalance, balance_table};
use spire_stats::multiple::{Adjustment, adjust};
use spire_stats::power::{PowerDesign, mde_sd, required_n};
use spire_stats::ri::{RiDesign, RiOptions, family_test, randomization_test};
use spire_stats::{Estimate, SeType, StatsError, TrialData};
use std::collections::{BTreeMap, HashMap};

/// One randomised youth as the analysis sees it: no name, no CPR number.
#[derive(Debug, Clone)]
pub struct Unit {
    pub ledger_index: i64,
    pub allocated_on: time::Date,
    pub programme: bool,
    pub stratum: String,
    pub municipality_code: i64,
    pub age: f64,
    pub female: bool,
    pub kontanthjaelp: bool,
    pub aktivitetsparat: bool,
    pub has_qualification: bool,
    /// Took part in the programme: accepted the offer (programme arm), or
    /// was given it by a recorded crossover (control arm) — the actual
    /// participation the IV estimate uses.
    pub took_up: bool,
}

impl Unit {
    fn covariate(&self, name: &str) -> f64 {
        let indicator = |b: bool| if b { 1.0 } else { 0.0 };
        match name {
            "age" => self.age,
            "female" => indicator(self.female),
            "kontanthjaelp" => indicator(self.kontanthjaelp),
            "aktivitetsparat" => indicator(self.aktivitetsparat),
            "has_qualification" => indicator(self.has_qualification),
            "under_25" => indicator(self.age < 25.0),
            _ => f64::NAN,
        }
    }
}

/// Everything the report is computed from.
#[derive(Debug, Clone)]
pub struct EvaluationData {
    pub units: Vec<Unit>,
    pub target_size: i64,
    /// Imported outcome column → value per unit in `units` order (NaN: missing).
    pub outcomes: HashMap<String, Vec<f64>>,
}

/// Why something could not be computed: a code the page translates, and the
/// statistics library's own words for researchers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub detail: String,
}

impl From<StatsError> for Problem {
    fn from(error: StatsError) -> Problem {
        let code = match &error {
            StatsError::TooFewObservations { .. } => "too_few",
            StatsError::TreatmentConstant | StatsError::TreatmentNotBinary { .. } => "one_arm_only",
            StatsError::StratumWithOneArm { .. } | StatsError::BlockTooSmall { .. } => {
                "stratum_one_arm"
            }
            StatsError::SingularDesign => "collinear",
            StatsError::LeverageOne { .. } => "stratum_single_unit",
            StatsError::LengthMismatch { .. } | StatsError::InvalidArgument(_) => "invalid",
        };
        Problem {
            code,
            detail: error.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EstimateSummary {
    pub estimate: f64,
    pub std_error: f64,
    pub df: f64,
    pub p_value: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

impl From<Estimate> for EstimateSummary {
    fn from(e: Estimate) -> Self {
        EstimateSummary {
            estimate: e.estimate,
            std_error: e.std_error,
            df: e.df,
            p_value: e.p_value,
            ci_lower: e.ci_lower,
            ci_upper: e.ci_upper,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Recruitment {
    pub randomised: usize,
    pub programme: usize,
    pub control: usize,
    pub target: i64,
    /// Randomised so far per month (YYYY-MM), cumulative.
    pub cumulative_by_month: Vec<(String, usize)>,
    /// The minimum detectable effect (SD units, 80 % power, the plan's alpha) at today's N and at the target.
    pub mde_sd_now: Option<f64>,
    pub mde_sd_at_target: Option<f64>,
    /// The N that detects the plan's target MDE.
    pub required_n: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BalanceLine {
    pub covariate: String,
    pub mean_programme: f64,
    pub mean_control: f64,
    pub std_difference: f64,
    /// negligible (|d| ≤ 0.1), notable (≤ 0.25) or large
    pub imbalance: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Balance {
    pub lines: Vec<BalanceLine>,
    /// The randomisation-inference p-value of the joint test.
    pub joint_p_value: Option<f64>,
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeeSummary {
    pub lower: f64,
    pub upper: f64,
    pub trimming_share: f64,
    pub observed_share_programme: f64,
    pub observed_share_control: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubgroupLine {
    pub subgroup: String,
    /// The effect where the indicator is 0, then where it is 1.
    pub effect_without: Option<EstimateSummary>,
    pub effect_with: Option<EstimateSummary>,
    pub interaction_p_value: Option<f64>,
    pub error: Option<Problem>,
}

/// One planned outcome at one horizon.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeResult {
    pub column: String,
    pub outcome: String,
    pub horizon_months: u32,
    /// False until a file with this column is imported.
    pub imported: bool,
    pub n: usize,
    pub n_missing: usize,
    pub mean_programme: Option<f64>,
    pub mean_control: Option<f64>,
    /// Every measured value is 0 or 1 (a share: effects read as percentage points).
    pub binary: bool,
    /// The control arm's standard deviation: the unit of the forest plot, so
    /// outcomes on different scales can be compared.
    pub sd_control: Option<f64>,
    pub itt: Option<EstimateSummary>,
    pub ri_p_value: Option<f64>,
    /// The plan's family correction (Holm, Bonferroni or BH) over the estimated columns.
    pub adjusted_p_value: Option<f64>,
    pub romano_wolf_p_value: Option<f64>,
    /// The effect of taking part, the offer instrumenting take-up (2SLS).
    pub participation: Option<EstimateSummary>,
    pub lee_bounds: Option<LeeSummary>,
    pub subgroups: Vec<SubgroupLine>,
    /// Why the ITT could not be estimated.
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationReport {
    pub plan_digest: String,
    pub follows_plan: bool,
    pub deviations: Vec<Deviation>,
    pub analysis: AnalysisPlan,
    pub recruitment: Recruitment,
    pub balance: Balance,
    pub outcomes: Vec<OutcomeResult>,
}

const SE: SeType = SeType::Hc2;

/// Computes the report for `analysis` (the locked plan, or an exploratory
/// variant whose deviations the report lists).
pub fn evaluate(
    data: &EvaluationData,
    plan: &AnalysisPlan,
    analysis: &AnalysisPlan,
) -> EvaluationReport {
    let deviations = plan.deviations(analysis);
    let treatment: Vec<f64> = data
        .units
        .iter()
        .map(|u| if u.programme { 1.0 } else { 0.0 })
        .collect();
    let groups = fixed_effect_groups(&data.units, analysis.fixed_effects);
    let strata = groups.as_deref();
    let covariate_columns: Vec<Vec<f64>> = analysis
        .covariates
        .iter()
        .map(|name| data.units.iter().map(|u| u.covariate(name)).collect())
        .collect();
    let covariates: Vec<&[f64]> = covariate_columns.iter().map(Vec::as_slice).collect();
    let ri = RiOptions {
        draws: analysis.ri_draws as usize,
        seed: analysis.seed,
        design: RiDesign::WithinStrata,
        ..RiOptions::default()
    };
    let takeup: Vec<f64> = data
        .units
        .iter()
        .map(|u| if u.took_up { 1.0 } else { 0.0 })
        .collect();

    let mut outcomes = Vec::new();
    for planned in &analysis.outcomes {
        for &horizon in &planned.horizons_months {
            let column = AnalysisPlan::column(&planned.name, horizon);
            let mut result = OutcomeResult {
                column: column.clone(),
                outcome: planned.name.clone(),
                horizon_months: horizon,
                imported: false,
                n: 0,
                n_missing: 0,
                mean_programme: None,
                mean_control: None,
                binary: false,
                sd_control: None,
                itt: None,
                ri_p_value: None,
                adjusted_p_value: None,
                romano_wolf_p_value: None,
                participation: None,
                lee_bounds: None,
                subgroups: Vec::new(),
                error: None,
            };
            if let Some(y) = data.outcomes.get(&column) {
                result.imported = true;
                estimate_outcome(
                    &mut result,
                    y,
                    &treatment,
                    &takeup,
                    &covariates,
                    strata,
                    &data.units,
                    analysis,
                );
            }
            outcomes.push(result);
        }
    }
    adjust_family(
        &mut outcomes,
        data,
        &treatment,
        &covariates,
        strata,
        analysis,
        &ri,
    );

    EvaluationReport {
        plan_digest: hex::encode(plan.digest()),
        follows_plan: deviations.is_empty(),
        deviations,
        analysis: analysis.clone(),
        recruitment: recruitment(data, analysis),
        balance: balance(data, &treatment, strata, analysis),
        outcomes,
    }
}

/// Dense group labels for the fixed effects (and the re-randomisation).
fn fixed_effect_groups(units: &[Unit], fixed_effects: FixedEffects) -> Option<Vec<Option<u32>>> {
    let label = |u: &Unit| match fixed_effects {
        FixedEffects::DesignStrata => u.stratum.clone(),
        FixedEffects::Municipality => u.municipality_code.to_string(),
        FixedEffects::None => String::new(),
    };
    if fixed_effects == FixedEffects::None {
        return None;
    }
    let mut codes: BTreeMap<String, u32> = units.iter().map(|u| (label(u), 0)).collect();
    for (code, slot) in codes.values_mut().enumerate() {
        *slot = code as u32;
    }
    Some(units.iter().map(|u| Some(codes[&label(u)])).collect())
}

/// The observed values of one arm.
fn arm_values(values: &[f64], treatment: &[f64], arm: f64) -> Vec<f64> {
    values
        .iter()
        .zip(treatment)
        .filter(|(v, t)| !v.is_nan() && **t == arm)
        .map(|(v, _)| *v)
        .collect()
}

/// An arm's mean and sample standard deviation (None when it cannot be computed).
fn arm_mean_sd(values: &[f64], treatment: &[f64], arm: f64) -> (Option<f64>, Option<f64>) {
    let chosen = arm_values(values, treatment, arm);
    let n = chosen.len() as f64;
    if chosen.is_empty() {
        return (None, None);
    }
    let mean = chosen.iter().sum::<f64>() / n;
    let variance = chosen.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (
        Some(mean),
        (chosen.len() > 1 && variance > 0.0).then(|| variance.sqrt()),
    )
}

#[allow(clippy::too_many_arguments)]
fn estimate_outcome(
    result: &mut OutcomeResult,
    y: &[f64],
    treatment: &[f64],
    takeup: &[f64],
    covariates: &[&[f64]],
    strata: Option<&[Option<u32>]>,
    units: &[Unit],
    analysis: &AnalysisPlan,
) {
    result.n_missing = y.iter().filter(|v| v.is_nan()).count();
    result.n = y.len() - result.n_missing;
    result.mean_programme = arm_mean_sd(y, treatment, 1.0).0;
    (result.mean_control, result.sd_control) = arm_mean_sd(y, treatment, 0.0);
    result.binary = y.iter().all(|v| v.is_nan() || *v == 0.0 || *v == 1.0);
    let data = TrialData {
        outcome: y,
        treatment,
        covariates,
        strata,
    };
    let unadjusted = TrialData {
        covariates: &[],
        ..data
    };
    let itt = match analysis.estimator {
        Estimator::Ols => {
            spire_stats::ols::lm_robust(&data, SE, analysis.alpha).map(|r| r.treatment())
        }
        Estimator::Lin => {
            spire_stats::ols::lm_lin(&data, SE, analysis.alpha).map(|r| r.treatment())
        }
        Estimator::DifferenceInMeans => {
            spire_stats::dim::difference_in_means(&unadjusted, analysis.alpha).map(|r| r.effect)
        }
    };
    match itt {
        Ok(estimate) => result.itt = Some(estimate.into()),
        Err(error) => {
            result.error = Some(error.into());
            return;
        }
    }
    result.participation = spire_stats::iv::iv_robust(&data, takeup, SE, analysis.alpha)
        .ok()
        .map(|r| r.treatment().into());
    if result.n_missing > 0 {
        let observed: Vec<f64> = y
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { 1.0 })
            .collect();
        result.lee_bounds = spire_stats::lee::lee_bounds(y, treatment, &observed)
            .ok()
            .map(|b| LeeSummary {
                lower: b.lower,
                upper: b.upper,
                trimming_share: b.trimming_share,
                observed_share_programme: b.observed_share_treated,
                observed_share_control: b.observed_share_control,
            });
    }
    for name in &analysis.subgroups {
        let labels: Vec<Option<u32>> = units
            .iter()
            .map(|u| Some(u.covariate(name) as u32))
            .collect();
        // The subgroup's own indicator cannot also be a covariate (it would be collinear).
        let others: Vec<&[f64]> = covariates
            .iter()
            .zip(&analysis.covariates)
            .filter(|(_, covariate)| *covariate != name)
            .map(|(column, _)| *column)
            .collect();
        let within = TrialData {
            covariates: &others,
            ..data
        };
        let line =
            match spire_stats::subgroup::subgroup_effects(&within, &labels, SE, analysis.alpha) {
                Ok(found) => {
                    let effect = |level: u32| {
                        found
                            .effects
                            .iter()
                            .find(|e| e.subgroup == level)
                            .map(|e| e.effect.into())
                    };
                    SubgroupLine {
                        subgroup: name.clone(),
                        effect_without: effect(0),
                        effect_with: effect(1),
                        interaction_p_value: Some(found.interaction_p_value),
                        error: None,
                    }
                }
                Err(error) => SubgroupLine {
                    subgroup: name.clone(),
                    effect_without: None,
                    effect_with: None,
                    interaction_p_value: None,
                    error: Some(error.into()),
                },
            };
        result.subgroups.push(line);
    }
}

/// Randomisation inference over the family of estimated columns: one set of
/// re-randomisations of everyone randomised, each outcome's studentised
/// coefficient on its own measured units, so the raw RI p-values and the
/// Romano–Wolf p-values are coherent. Then the plan's family correction.
fn adjust_family(
    outcomes: &mut [OutcomeResult],
    data: &EvaluationData,
    treatment: &[f64],
    covariates: &[&[f64]],
    strata: Option<&[Option<u32>]>,
    analysis: &AnalysisPlan,
    ri: &RiOptions,
) {
    let estimated: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].itt.is_some())
        .collect();
    if estimated.is_empty() {
        return;
    }
    let p_values: Vec<f64> = estimated
        .iter()
        .map(|&i| outcomes[i].itt.as_ref().map_or(1.0, |e| e.p_value))
        .collect();
    let columns: Vec<&[f64]> = estimated
        .iter()
        .map(|&i| data.outcomes[&outcomes[i].column].as_slice())
        .collect();
    // The re-randomised statistic is the studentised OLS coefficient, with the
    // planned covariates unless the estimator is the plain difference in means.
    let ri_covariates = if analysis.estimator == Estimator::DifferenceInMeans {
        &[][..]
    } else {
        covariates
    };
    let family = family_test(&columns, treatment, ri_covariates, strata, ri);
    for (slot, &i) in estimated.iter().enumerate() {
        match &family {
            Ok(family) => {
                outcomes[i].ri_p_value = Some(family.p_values[slot]);
                outcomes[i].romano_wolf_p_value = Some(family.romano_wolf[slot]);
            }
            // One column the joint test cannot take: test each alone, no Romano–Wolf.
            Err(_) => {
                let alone = TrialData {
                    outcome: columns[slot],
                    treatment,
                    covariates: ri_covariates,
                    strata,
                };
                outcomes[i].ri_p_value = randomization_test(&alone, ri).ok().map(|r| r.p_value);
            }
        }
    }
    let adjusted = match analysis.family {
        Family::Bonferroni => adjust(&p_values, Adjustment::Bonferroni).ok(),
        Family::Holm => adjust(&p_values, Adjustment::Holm).ok(),
        Family::BenjaminiHochberg => adjust(&p_values, Adjustment::BenjaminiHochberg).ok(),
        Family::RomanoWolf => None,
    };
    for (slot, &i) in estimated.iter().enumerate() {
        outcomes[i].adjusted_p_value = match analysis.family {
            Family::RomanoWolf => outcomes[i].romano_wolf_p_value,
            _ => adjusted.as_ref().map(|p| p[slot]),
        };
    }
}

fn recruitment(data: &EvaluationData, analysis: &AnalysisPlan) -> Recruitment {
    let programme = data.units.iter().filter(|u| u.programme).count();
    let randomised = data.units.len();
    let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
    for unit in &data.units {
        let month = format!(
            "{:04}-{:02}",
            unit.allocated_on.year(),
            u8::from(unit.allocated_on.month())
        );
        *by_month.entry(month).or_default() += 1;
    }
    let mut total = 0;
    let cumulative_by_month = by_month
        .into_iter()
        .map(|(month, count)| {
            total += count;
            (month, total)
        })
        .collect();
    let share = if randomised > 0 {
        programme as f64 / randomised as f64
    } else {
        0.5
    };
    let design = |n: f64| PowerDesign {
        n,
        treated_share: if share > 0.0 && share < 1.0 {
            share
        } else {
            0.5
        },
        alpha: analysis.alpha,
        ..PowerDesign::default()
    };
    Recruitment {
        randomised,
        programme,
        control: randomised - programme,
        target: data.target_size,
        cumulative_by_month,
        mde_sd_now: mde_sd(&design(randomised as f64)).ok(),
        mde_sd_at_target: mde_sd(&design(data.target_size as f64)).ok(),
        required_n: required_n(&design(0.0), analysis.target_mde_sd).ok(),
    }
}

fn balance(
    data: &EvaluationData,
    treatment: &[f64],
    strata: Option<&[Option<u32>]>,
    analysis: &AnalysisPlan,
) -> Balance {
    let names = crate::plan::BASELINE_COVARIATES;
    let columns: Vec<Vec<f64>> = names
        .iter()
        .map(|name| data.units.iter().map(|u| u.covariate(name)).collect())
        .collect();
    // A covariate nobody varies on (e.g. qualification when it excludes) cannot enter the joint test.
    let varying: Vec<usize> = (0..names.len())
        .filter(|&i| columns[i].iter().any(|&v| v != columns[i][0]))
        .collect();
    let used: Vec<&[f64]> = varying.iter().map(|&i| columns[i].as_slice()).collect();
    match balance_table(
        treatment,
        &used,
        strata,
        RiDesign::WithinStrata,
        analysis.ri_draws as usize,
        analysis.seed,
    ) {
        Ok(table) => Balance {
            lines: varying
                .iter()
                .zip(&table.rows)
                .map(|(&i, row)| BalanceLine {
                    covariate: names[i].to_string(),
                    mean_programme: row.mean_treated,
                    mean_control: row.mean_control,
                    std_difference: row.std_difference,
                    imbalance: match row.imbalance {
                        Imbalance::Negligible => "negligible",
                        Imbalance::Notable => "notable",
                        Imbalance::Large => "large",
                    },
                })
                .collect(),
            joint_p_value: table.joint_p_value,
            error: None,
        },
        Err(error) => Balance {
            lines: Vec::new(),
            joint_p_value: None,
            error: Some(error.into()),
        },
    }
}
