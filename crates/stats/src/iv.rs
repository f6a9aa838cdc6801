//! Effect of participation (LATE/TOT): 2SLS with the random offer instrumenting take-up, strata
//! absorbed, robust variance as `estimatr::iv_robust(y ~ d + x | z + x, fixed_effects = ~s)`:
//! the sandwich is built on the first-stage fitted values with residuals y − Xβ from the actual
//! take-up.

use crate::data::prepare;
use crate::linalg::spd_inverse;
use crate::ols::{
    Regression, RobustFit, cross_product, residual_df, residuals, sandwich, solve_with,
};
use crate::{SeType, StatsError, TrialData};

/// 2SLS where `data.treatment` is the instrument (the offer) and `takeup` the endogenous
/// participation. Terms: take-up first, then the covariates.
pub fn iv_robust(
    data: &TrialData,
    takeup: &[f64],
    se: SeType,
    alpha: f64,
) -> Result<Regression, StatsError> {
    let prepared = prepare(data, &[takeup])?;
    let groups = &prepared.groups;
    let needed = 2 + prepared.covariates.len() + groups.count();
    if prepared.n() < needed {
        return Err(StatsError::TooFewObservations {
            needed,
            found: prepared.n(),
        });
    }
    let y = groups.demean(&prepared.outcome);
    let covariates: Vec<Vec<f64>> = prepared
        .covariates
        .iter()
        .map(|c| groups.demean(c))
        .collect();
    let endogenous = groups.demean(&prepared.extra[0]);
    let instrument = groups.demean(&prepared.treatment);

    // First stage: take-up on instrument and covariates.
    let first_stage: Vec<Vec<f64>> = std::iter::once(instrument)
        .chain(covariates.iter().cloned())
        .collect();
    let first_bread = spd_inverse(&cross_product(&first_stage), first_stage.len())
        .ok_or(StatsError::SingularDesign)?;
    let first_coefficients = solve_with(&first_bread, &first_stage, &endogenous);
    let fitted_takeup: Vec<f64> = (0..y.len())
        .map(|i| {
            first_stage
                .iter()
                .zip(&first_coefficients)
                .map(|(c, b)| c[i] * b)
                .sum()
        })
        .collect();

    // Second stage on fitted values; residuals use the actual take-up.
    let fitted_design: Vec<Vec<f64>> = std::iter::once(fitted_takeup)
        .chain(covariates.iter().cloned())
        .collect();
    let actual_design: Vec<Vec<f64>> = std::iter::once(endogenous).chain(covariates).collect();
    let bread = spd_inverse(&cross_product(&fitted_design), fitted_design.len())
        .ok_or(StatsError::SingularDesign)?;
    let coefficients = solve_with(&bread, &fitted_design, &y);
    let structural_residuals = residuals(&y, &actual_design, &coefficients);
    let vcov = sandwich(&fitted_design, &bread, &structural_residuals, groups, se)?;
    let fit = RobustFit {
        coefficients,
        vcov,
        df: residual_df(y.len(), fitted_design.len(), groups),
    };
    Ok(fit.into_regression(alpha, prepared.n(), prepared.n_dropped))
}
