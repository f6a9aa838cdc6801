//! OLS with heteroskedasticity-robust variance and strata fixed effects absorbed by demeaning;
//! Lin (2013) regression adjustment. Matches `estimatr::lm_robust(y ~ z + x, fixed_effects = ~s)`
//! and `estimatr::lm_lin`.
//!
//! With one absorbed factor the full-model leverage is h_ii = x̃_i'(X̃'X̃)⁻¹x̃_i + 1/n_g(i), where x̃
//! is demeaned within strata; without strata the intercept is absorbed as a single group.

use crate::data::{Groups, Prepared, prepare};
use crate::linalg::{mat_mul, spd_inverse};
use crate::{Estimate, SeType, StatsError, TrialData};

/// A fitted regression: the treatment first, then the covariates (or Lin's terms) in order.
/// Absorbed effects (strata, intercept) are not reported.
#[derive(Clone, Debug)]
pub struct Regression {
    pub terms: Vec<Estimate>,
    /// Robust variance of the reported terms, row-major.
    pub vcov: Vec<f64>,
    pub n: usize,
    pub n_dropped: usize,
    pub df: f64,
}

impl Regression {
    pub fn treatment(&self) -> Estimate {
        self.terms[0]
    }
}

/// Coefficients and robust variance of a fit on demeaned data.
#[derive(Clone, Debug)]
pub(crate) struct RobustFit {
    pub coefficients: Vec<f64>,
    pub vcov: Vec<f64>,
    /// Residual degrees of freedom: N − regressors − absorbed groups.
    pub df: f64,
}

impl RobustFit {
    pub fn std_error(&self, term: usize) -> f64 {
        self.vcov[term * self.coefficients.len() + term].sqrt()
    }

    pub fn t_stat(&self, term: usize) -> f64 {
        self.coefficients[term] / self.std_error(term)
    }

    pub fn into_regression(self, alpha: f64, n: usize, n_dropped: usize) -> Regression {
        let terms = (0..self.coefficients.len())
            .map(|j| Estimate::from_t(self.coefficients[j], self.std_error(j), self.df, alpha))
            .collect();
        Regression {
            terms,
            vcov: self.vcov,
            n,
            n_dropped,
            df: self.df,
        }
    }
}

/// Cross-product X'X of column vectors, row-major.
pub(crate) fn cross_product(columns: &[Vec<f64>]) -> Vec<f64> {
    let k = columns.len();
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let value = dot(&columns[i], &columns[j]);
            out[i * k + j] = value;
            out[j * k + i] = value;
        }
    }
    out
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// OLS of already-demeaned `y` on already-demeaned `columns`.
pub(crate) fn fit_demeaned(
    y: &[f64],
    columns: &[Vec<f64>],
    groups: &Groups,
    se: SeType,
) -> Result<RobustFit, StatsError> {
    let bread =
        spd_inverse(&cross_product(columns), columns.len()).ok_or(StatsError::SingularDesign)?;
    let coefficients = solve_with(&bread, columns, y);
    let residuals = residuals(y, columns, &coefficients);
    let vcov = sandwich(columns, &bread, &residuals, groups, se)?;
    Ok(RobustFit {
        coefficients,
        vcov,
        df: residual_df(y.len(), columns.len(), groups),
    })
}

/// β = (X'X)⁻¹ X'y given the inverse.
pub(crate) fn solve_with(bread: &[f64], columns: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let k = columns.len();
    let xty: Vec<f64> = columns.iter().map(|c| dot(c, y)).collect();
    (0..k)
        .map(|i| (0..k).map(|j| bread[i * k + j] * xty[j]).sum())
        .collect()
}

pub(crate) fn residuals(y: &[f64], columns: &[Vec<f64>], coefficients: &[f64]) -> Vec<f64> {
    let mut residuals = y.to_vec();
    for (column, &b) in columns.iter().zip(coefficients) {
        for (e, &x) in residuals.iter_mut().zip(column) {
            *e -= b * x;
        }
    }
    residuals
}

pub(crate) fn residual_df(n: usize, regressors: usize, groups: &Groups) -> f64 {
    n as f64 - regressors as f64 - groups.count() as f64
}

/// Robust sandwich (X'X)⁻¹ X' diag(ω) X (X'X)⁻¹ for demeaned `columns`; `bread` = (X'X)⁻¹.
/// Used by OLS and, with the first-stage fitted values as `columns`, by 2SLS.
pub(crate) fn sandwich(
    columns: &[Vec<f64>],
    bread: &[f64],
    residuals: &[f64],
    groups: &Groups,
    se: SeType,
) -> Result<Vec<f64>, StatsError> {
    let k = columns.len();
    let n = residuals.len();
    let mut meat = vec![0.0; k * k];
    let mut row = vec![0.0; k];
    let hc1_scale = n as f64 / residual_df(n, k, groups);
    for i in 0..n {
        for (value, column) in row.iter_mut().zip(columns) {
            *value = column[i];
        }
        let e2 = residuals[i] * residuals[i];
        let weight = hc_weight(se, e2, hc1_scale, || {
            quadratic_form(bread, &row) + 1.0 / groups.sizes[groups.of_unit[i] as usize] as f64
        })
        .ok_or(StatsError::LeverageOne { row: i + 1 })?;
        for a in 0..k {
            let wa = weight * row[a];
            for b in 0..=a {
                meat[a * k + b] += wa * row[b];
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            meat[b * k + a] = meat[a * k + b];
        }
    }
    Ok(mat_mul(&mat_mul(bread, &meat, k), bread, k))
}

/// The HC weight ω_i of a unit with squared residual `e2`; `leverage` (the full model's h_ii) is
/// evaluated only for HC2/HC3. `None` when h_ii is 1 and the weight undefined.
pub(crate) fn hc_weight(
    se: SeType,
    e2: f64,
    hc1_scale: f64,
    leverage: impl FnOnce() -> f64,
) -> Option<f64> {
    match se {
        SeType::Hc0 => Some(e2),
        SeType::Hc1 => Some(e2 * hc1_scale),
        SeType::Hc2 | SeType::Hc3 => {
            let leverage = leverage();
            if leverage >= 1.0 - 1e-10 {
                return None;
            }
            let power = if se == SeType::Hc2 { 1 } else { 2 };
            Some(e2 / (1.0 - leverage).powi(power))
        }
    }
}

pub(crate) fn quadratic_form(matrix: &[f64], v: &[f64]) -> f64 {
    let k = v.len();
    let mut sum = 0.0;
    for i in 0..k {
        let mut inner = 0.0;
        for j in 0..k {
            inner += matrix[i * k + j] * v[j];
        }
        sum += v[i] * inner;
    }
    sum
}

/// N must exceed the regressors plus the absorbed groups.
fn check_enough(n: usize, regressors: usize, groups: &Groups) -> Result<(), StatsError> {
    let needed = regressors + groups.count() + 1;
    if n < needed {
        return Err(StatsError::TooFewObservations { needed, found: n });
    }
    Ok(())
}

/// Demean outcome and regressors within strata and fit.
pub(crate) fn fit_prepared(
    prepared: &Prepared,
    regressors: &[Vec<f64>],
    se: SeType,
) -> Result<RobustFit, StatsError> {
    let groups = &prepared.groups;
    check_enough(prepared.n(), regressors.len(), groups)?;
    let y = groups.demean(&prepared.outcome);
    let columns: Vec<Vec<f64>> = regressors.iter().map(|c| groups.demean(c)).collect();
    fit_demeaned(&y, &columns, groups, se)
}

/// `lm_robust(y ~ z + x1 + …, fixed_effects = ~strata, se_type = se)`.
pub fn lm_robust(data: &TrialData, se: SeType, alpha: f64) -> Result<Regression, StatsError> {
    // As `fit_prepared`, demeaning the prepared columns in place (no copies:
    // fresh memory is much of the time on 50,000 rows).
    let Prepared {
        mut outcome,
        treatment,
        covariates,
        groups,
        n_dropped,
        ..
    } = prepare(data, &[])?;
    let n = outcome.len();
    check_enough(n, 1 + covariates.len(), &groups)?;
    groups.demean_in_place(&mut outcome);
    let columns: Vec<Vec<f64>> = std::iter::once(treatment)
        .chain(covariates)
        .map(|mut column| {
            groups.demean_in_place(&mut column);
            column
        })
        .collect();
    Ok(fit_demeaned(&outcome, &columns, &groups, se)?.into_regression(alpha, n, n_dropped))
}

/// Lin (2013): y ~ z + x_c + z·x_c with covariates centred at their full-sample mean; matches
/// `estimatr::lm_lin`. With strata the strata are absorbed additively (the same as
/// `lm_robust(y ~ z * x_c, fixed_effects = ~s)`). Terms: z, then x_c…, then z·x_c….
pub fn lm_lin(data: &TrialData, se: SeType, alpha: f64) -> Result<Regression, StatsError> {
    let prepared = prepare(data, &[])?;
    let regressors = lin_regressors(&prepared.treatment, &prepared.covariates);
    Ok(fit_prepared(&prepared, &regressors, se)?.into_regression(
        alpha,
        prepared.n(),
        prepared.n_dropped,
    ))
}

pub(crate) fn lin_regressors(treatment: &[f64], covariates: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let centred: Vec<Vec<f64>> = covariates
        .iter()
        .map(|x| {
            let mean = x.iter().sum::<f64>() / x.len() as f64;
            x.iter().map(|v| v - mean).collect()
        })
        .collect();
    let interactions: Vec<Vec<f64>> = centred
        .iter()
        .map(|x| x.iter().zip(treatment).map(|(v, z)| v * z).collect())
        .collect();
    std::iter::once(treatment.to_vec())
        .chain(centred)
        .chain(interactions)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collinear_covariate_is_a_singular_design() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 7.0];
        let z = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let doubled: Vec<f64> = z.iter().map(|v| 2.0 * v).collect();
        let covariates: [&[f64]; 1] = [&doubled];
        let error = lm_robust(
            &TrialData::new(&y, &z).with_covariates(&covariates),
            SeType::Hc2,
            0.05,
        )
        .unwrap_err();
        assert_eq!(error, StatsError::SingularDesign);
    }
}
