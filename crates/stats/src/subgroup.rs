//! Pre-specified subgroup effects with an interaction test.
//!
//! Each subgroup's effect is `lm_robust(y ~ z + x, fixed_effects = ~s)` on its rows. A stratum
//! holding a single unit of a subgroup is left out of that subgroup's fit: absorbed, it carries no
//! information, leaves df unchanged (one unit and one stratum fewer) and would give leverage 1. The interaction test fits
//! y ~ z + subgroup dummies + z × subgroup dummies + x with strata absorbed on all rows and tests
//! the interactions jointly with a robust Wald F test, F(levels − 1, df); with two subgroups it
//! equals the squared t of the interaction.

use crate::data::{Groups, Prepared, prepare};
use crate::dist::f_upper_tail;
use crate::linalg::spd_inverse;
use crate::ols::fit_prepared;
use crate::{Estimate, SeType, StatsError, TrialData};

#[derive(Clone, Debug)]
pub struct SubgroupEffect {
    pub subgroup: u32,
    pub effect: Estimate,
    pub n: usize,
}

#[derive(Clone, Debug)]
pub struct SubgroupAnalysis {
    pub effects: Vec<SubgroupEffect>,
    pub interaction_f: f64,
    pub interaction_df: (f64, f64),
    pub interaction_p_value: f64,
    pub n: usize,
    pub n_dropped: usize,
}

pub fn subgroup_effects(
    data: &TrialData,
    subgroup: &[Option<u32>],
    se: SeType,
    alpha: f64,
) -> Result<SubgroupAnalysis, StatsError> {
    let subgroup_column: Vec<f64> = subgroup
        .iter()
        .map(|s| s.map_or(f64::NAN, f64::from))
        .collect();
    let prepared = prepare(data, &[&subgroup_column])?;
    let labels: Vec<u32> = prepared.extra[0].iter().map(|&v| v as u32).collect();
    let levels = Groups::from_labels(labels.iter().copied());
    if levels.count() < 2 {
        return Err(StatsError::InvalidArgument(
            "subgroup analysis needs at least two subgroups".into(),
        ));
    }

    let mut effects = Vec::with_capacity(levels.count());
    for (level, &label) in levels.labels.iter().enumerate() {
        let subset = restrict(&prepared, |i| levels.of_unit[i] as usize == level);
        let regressors: Vec<Vec<f64>> = std::iter::once(subset.treatment.clone())
            .chain(subset.covariates.iter().cloned())
            .collect();
        let fit = fit_prepared(&subset, &regressors, se)?;
        effects.push(SubgroupEffect {
            subgroup: label,
            effect: Estimate::from_t(fit.coefficients[0], fit.std_error(0), fit.df, alpha),
            n: subset.n(),
        });
    }

    let dummies: Vec<Vec<f64>> = (1..levels.count())
        .map(|level| {
            levels
                .of_unit
                .iter()
                .map(|&g| (g as usize == level) as u8 as f64)
                .collect()
        })
        .collect();
    let interactions: Vec<Vec<f64>> = dummies
        .iter()
        .map(|d| {
            d.iter()
                .zip(&prepared.treatment)
                .map(|(d, z)| d * z)
                .collect()
        })
        .collect();
    let q = interactions.len();
    let regressors: Vec<Vec<f64>> = interactions
        .into_iter()
        .chain(std::iter::once(prepared.treatment.clone()))
        .chain(dummies)
        .chain(prepared.covariates.iter().cloned())
        .collect();
    let fit = fit_prepared(&prepared, &regressors, se)?;
    let k = fit.coefficients.len();
    let block: Vec<f64> = (0..q * q)
        .map(|index| fit.vcov[(index / q) * k + index % q])
        .collect();
    let inverse = spd_inverse(&block, q).ok_or(StatsError::SingularDesign)?;
    let b = &fit.coefficients[..q];
    let wald: f64 = (0..q)
        .map(|i| {
            (0..q)
                .map(|j| b[i] * inverse[i * q + j] * b[j])
                .sum::<f64>()
        })
        .sum();
    let interaction_f = wald / q as f64;
    Ok(SubgroupAnalysis {
        effects,
        interaction_f,
        interaction_df: (q as f64, fit.df),
        interaction_p_value: f_upper_tail(interaction_f, q as f64, fit.df),
        n: prepared.n(),
        n_dropped: prepared.n_dropped,
    })
}

/// The rows of `prepared` satisfying `keep`, minus strata left with a single unit.
fn restrict(prepared: &Prepared, keep: impl Fn(usize) -> bool) -> Prepared {
    let groups = &prepared.groups;
    let mut sizes = vec![0usize; groups.count()];
    for i in (0..prepared.n()).filter(|&i| keep(i)) {
        sizes[groups.of_unit[i] as usize] += 1;
    }
    let rows: Vec<usize> = (0..prepared.n())
        .filter(|&i| keep(i) && sizes[groups.of_unit[i] as usize] > 1)
        .collect();
    let take = |column: &[f64]| rows.iter().map(|&i| column[i]).collect::<Vec<f64>>();
    Prepared {
        rows: rows.iter().map(|&i| prepared.rows[i]).collect(),
        outcome: take(&prepared.outcome),
        treatment: take(&prepared.treatment),
        covariates: prepared.covariates.iter().map(|c| take(c)).collect(),
        extra: Vec::new(),
        groups: Groups::from_labels(
            rows.iter()
                .map(|&i| groups.labels[groups.of_unit[i] as usize]),
        ),
        stratified: prepared.stratified,
        n_dropped: 0,
    }
}
