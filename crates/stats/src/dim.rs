//! Difference in means, plain and blocked, as `estimatr::difference_in_means` 1.0.0 computes it.
//!
//! Plain: Neyman variance s1²/N1 + s0²/N0 with Welch–Satterthwaite df. Blocked: τ = Σ (N_j/N) τ_j,
//! V = Σ (N_j/N)² V_j, df = N − 2J. estimatr's rules for small blocks are followed: a block with a
//! single unit is an error; if every block is a pair (or pairs are mixed with larger blocks) the
//! matched-pairs variance Σ(τ_j − τ)²/(J(J − 1)) with df = J − 1 is used; a larger block with a
//! single unit in an arm is an error.

use crate::data::prepare;
use crate::{Estimate, StatsError, TrialData};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DimDesign {
    Standard,
    Blocked,
    MatchedPair,
}

#[derive(Clone, Debug)]
pub struct DimResult {
    pub effect: Estimate,
    pub design: DimDesign,
    pub n: usize,
    pub n_dropped: usize,
}

struct ArmSummary {
    mean_difference: f64,
    variance: f64,
    welch_df: f64,
    treated: usize,
    control: usize,
}

fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, variance)
}

fn summarise(treated: &[f64], control: &[f64]) -> ArmSummary {
    let (mean1, var1) = mean_and_variance(treated);
    let (mean0, var0) = mean_and_variance(control);
    let (n1, n0) = (treated.len() as f64, control.len() as f64);
    let (v1, v0) = (var1 / n1, var0 / n0);
    ArmSummary {
        mean_difference: mean1 - mean0,
        variance: v1 + v0,
        welch_df: (v1 + v0).powi(2) / (v1 * v1 / (n1 - 1.0) + v0 * v0 / (n0 - 1.0)),
        treated: treated.len(),
        control: control.len(),
    }
}

/// `difference_in_means(y ~ z, blocks = strata)`; plain when `data.strata` is `None`.
/// Covariates in `data` are ignored.
pub fn difference_in_means(data: &TrialData, alpha: f64) -> Result<DimResult, StatsError> {
    let data = TrialData {
        covariates: &[],
        ..*data
    };
    let prepared = prepare(&data, &[])?;
    let groups = &prepared.groups;
    let mut arms: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); groups.count()];
    for ((&group, &z), &y) in groups
        .of_unit
        .iter()
        .zip(&prepared.treatment)
        .zip(&prepared.outcome)
    {
        let (treated, control) = &mut arms[group as usize];
        if z == 1.0 {
            treated.push(y)
        } else {
            control.push(y)
        }
    }
    let n = prepared.n();
    if !prepared.stratified {
        let (treated, control) = &arms[0];
        if treated.len() < 2 || control.len() < 2 {
            return Err(StatsError::TooFewObservations {
                needed: 4,
                found: n,
            });
        }
        let summary = summarise(treated, control);
        let effect = Estimate::from_t(
            summary.mean_difference,
            summary.variance.sqrt(),
            summary.welch_df,
            alpha,
        );
        return Ok(DimResult {
            effect,
            design: DimDesign::Standard,
            n,
            n_dropped: prepared.n_dropped,
        });
    }

    let sizes = &groups.sizes;
    if let Some(single) = sizes.iter().position(|&size| size == 1) {
        return Err(StatsError::BlockTooSmall {
            block: groups.labels[single],
        });
    }
    let matched_pairs = sizes.contains(&2);
    let blocks = sizes.len() as f64;
    let mut effects = Vec::with_capacity(arms.len());
    for (index, (treated, control)) in arms.iter().enumerate() {
        let weight = sizes[index] as f64 / n as f64;
        if matched_pairs {
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            effects.push((weight, mean(treated) - mean(control), 0.0));
        } else {
            if treated.len() < 2 || control.len() < 2 {
                return Err(StatsError::BlockTooSmall {
                    block: groups.labels[index],
                });
            }
            let summary = summarise(treated, control);
            debug_assert_eq!(summary.treated + summary.control, sizes[index]);
            effects.push((weight, summary.mean_difference, summary.variance));
        }
    }
    let estimate: f64 = effects.iter().map(|(w, tau, _)| w * tau).sum();
    let (variance, df, design) = if matched_pairs {
        let spread: f64 = effects
            .iter()
            .map(|(_, tau, _)| (tau - estimate).powi(2))
            .sum();
        (
            spread / (blocks * (blocks - 1.0)),
            blocks - 1.0,
            DimDesign::MatchedPair,
        )
    } else {
        let variance = effects.iter().map(|(w, _, v)| w * w * v).sum();
        (variance, n as f64 - 2.0 * blocks, DimDesign::Blocked)
    };
    let effect = Estimate::from_t(estimate, variance.sqrt(), df, alpha);
    Ok(DimResult {
        effect,
        design,
        n,
        n_dropped: prepared.n_dropped,
    })
}
