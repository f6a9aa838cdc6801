//! Balance table: baseline covariate means by arm, standardised differences
//! (x̄_T − x̄_C)/sqrt((s_T² + s_C²)/2) flagged above 0.1 and 0.25, and a joint (omnibus) test: the
//! robust Wald statistic of regressing the treatment on all covariates (strata absorbed), with
//! its p-value from re-randomising the treatment by the trial's design.

use crate::data::prepare;
use crate::linalg::spd_inverse;
use crate::ols::fit_demeaned;
use crate::ri::{Draw, RiDesign, Sampler, TIE_TOLERANCE, run_draws};
use crate::{SeType, StatsError, TrialData};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imbalance {
    /// |d| ≤ 0.1
    Negligible,
    /// 0.1 < |d| ≤ 0.25
    Notable,
    /// |d| > 0.25
    Large,
}

#[derive(Clone, Debug)]
pub struct BalanceRow {
    pub mean_treated: f64,
    pub mean_control: f64,
    pub sd_treated: f64,
    pub sd_control: f64,
    pub std_difference: f64,
    pub imbalance: Imbalance,
}

#[derive(Clone, Debug)]
pub struct BalanceTable {
    /// One row per covariate, in input order.
    pub rows: Vec<BalanceRow>,
    /// Robust (HC2) Wald statistic of z ~ covariates.
    pub joint_wald: f64,
    /// Randomisation p-value of the Wald statistic; `None` when no draws were asked for.
    pub joint_p_value: Option<f64>,
    pub n_treated: usize,
    pub n_control: usize,
    pub n_dropped: usize,
}

/// Rows missing any covariate are dropped (and counted) for the whole table.
pub fn balance_table(
    treatment: &[f64],
    covariates: &[&[f64]],
    strata: Option<&[Option<u32>]>,
    design: RiDesign,
    draws: usize,
    seed: u64,
) -> Result<BalanceTable, StatsError> {
    if covariates.is_empty() {
        return Err(StatsError::InvalidArgument(
            "a balance table needs at least one covariate".into(),
        ));
    }
    // The treatment stands in as the outcome: the joint test regresses it on the covariates.
    let data = TrialData {
        outcome: treatment,
        treatment,
        covariates,
        strata,
    };
    let prepared = prepare(&data, &[])?;
    let in_arm = |column: &[f64], arm: f64| -> Vec<f64> {
        column
            .iter()
            .zip(&prepared.treatment)
            .filter(|(_, z)| **z == arm)
            .map(|(v, _)| *v)
            .collect()
    };
    let rows = prepared
        .covariates
        .iter()
        .map(|x| {
            let (mean_treated, sd_treated) = mean_sd(&in_arm(x, 1.0));
            let (mean_control, sd_control) = mean_sd(&in_arm(x, 0.0));
            let std_difference = (mean_treated - mean_control)
                / ((sd_treated.powi(2) + sd_control.powi(2)) / 2.0).sqrt();
            let imbalance = match std_difference.abs() {
                d if d > 0.25 => Imbalance::Large,
                d if d > 0.1 => Imbalance::Notable,
                _ => Imbalance::Negligible,
            };
            BalanceRow {
                mean_treated,
                mean_control,
                sd_treated,
                sd_control,
                std_difference,
                imbalance,
            }
        })
        .collect();

    let groups = &prepared.groups;
    let columns: Vec<Vec<f64>> = prepared
        .covariates
        .iter()
        .map(|x| groups.demean(x))
        .collect();
    let wald = |assignment: &[f64]| -> f64 {
        fit_demeaned(&groups.demean(assignment), &columns, groups, SeType::Hc2)
            .ok()
            .and_then(|fit| {
                let k = fit.coefficients.len();
                let inverse = spd_inverse(&fit.vcov, k)?;
                Some(
                    (0..k)
                        .map(|i| {
                            (0..k)
                                .map(|j| {
                                    fit.coefficients[i] * inverse[i * k + j] * fit.coefficients[j]
                                })
                                .sum::<f64>()
                        })
                        .sum(),
                )
            })
            .unwrap_or(f64::NAN)
    };
    let joint_wald = wald(&prepared.treatment);
    if joint_wald.is_nan() {
        return Err(StatsError::SingularDesign);
    }
    let joint_p_value = (draws > 0).then(|| {
        let blocks = match design {
            RiDesign::WithinStrata => groups.clone(),
            RiDesign::Complete => crate::data::Groups::single(prepared.n()),
        };
        let sampler = Sampler::new(&prepared.treatment, &blocks);
        let statistics = run_draws(&sampler, draws, seed, 1, 0, || {
            let mut assignment = vec![0.0; prepared.n()];
            move |draw: &Draw, out: &mut [f64]| {
                draw.treatment_into(&mut assignment);
                out[0] = wald(&assignment);
            }
        });
        let extreme = statistics
            .iter()
            .filter(|&&w| w >= joint_wald * (1.0 - TIE_TOLERANCE))
            .count();
        (extreme + 1) as f64 / (draws + 1) as f64
    });
    let n_treated = prepared.treatment.iter().filter(|&&z| z == 1.0).count();
    Ok(BalanceTable {
        rows,
        joint_wald,
        joint_p_value,
        n_treated,
        n_control: prepared.n() - n_treated,
        n_dropped: prepared.n_dropped,
    })
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardised_difference_by_hand() {
        // Treated x: 2, 4, 6 (mean 4, sd 2); control x: 1, 2, 3 (mean 2, sd 1).
        let z = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let x = [2.0, 4.0, 6.0, 1.0, 2.0, 3.0];
        let covariates: [&[f64]; 1] = [&x];
        let table = balance_table(&z, &covariates, None, RiDesign::Complete, 0, 1).unwrap();
        let row = &table.rows[0];
        assert_eq!((row.mean_treated, row.mean_control), (4.0, 2.0));
        assert!((row.std_difference - 2.0 / 2.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(row.imbalance, Imbalance::Large);
        assert_eq!(table.joint_p_value, None);
    }

    #[test]
    fn joint_test_detects_an_imbalanced_covariate() {
        let n = 200;
        let z: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let balanced: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 10.0).collect();
        let shifted: Vec<f64> = balanced.iter().zip(&z).map(|(x, z)| x + 3.0 * z).collect();
        let fair: [&[f64]; 1] = [&balanced];
        let unfair: [&[f64]; 1] = [&shifted];
        let fair = balance_table(&z, &fair, None, RiDesign::Complete, 199, 5).unwrap();
        let unfair = balance_table(&z, &unfair, None, RiDesign::Complete, 199, 5).unwrap();
        assert!(
            fair.joint_p_value.unwrap() > 0.05,
            "{:?}",
            fair.joint_p_value
        );
        assert!((unfair.joint_p_value.unwrap() - 1.0 / 200.0).abs() < 1e-15);
    }
}
