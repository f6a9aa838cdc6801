//! `spire-stats`: the statistics of a randomised trial, pure (no IO, no async).
//!
//! Every estimator reproduces R `estimatr` 1.0.0 (or the named reference) to 1e-8 relative; the
//! golden fixtures in `tests/oracle/` were produced by independent implementations.
//!
//! Input is a [`TrialData`]: equal-length columns where `NaN` marks a missing number and `None` a
//! missing stratum. Rows missing any column an estimator uses are dropped and counted
//! (`n_dropped`).

// `!(x > limit)` is used on purpose: it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod balance;
mod data;
pub mod dim;
pub mod dist;
mod error;
pub mod iv;
pub mod lee;
mod linalg;
pub mod multiple;
pub mod ols;
pub mod power;
pub mod ri;
mod rng;
pub mod subgroup;

pub use data::TrialData;
pub use error::StatsError;

/// Heteroskedasticity-consistent variance estimator (MacKinnon–White); HC2 is estimatr's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SeType {
    Hc0,
    Hc1,
    #[default]
    Hc2,
    Hc3,
}

impl std::str::FromStr for SeType {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hc0" => Ok(SeType::Hc0),
            "hc1" => Ok(SeType::Hc1),
            "hc2" => Ok(SeType::Hc2),
            "hc3" => Ok(SeType::Hc3),
            _ => Err(StatsError::InvalidArgument(format!(
                "unknown standard error type `{s}` (use hc0, hc1, hc2 or hc3)"
            ))),
        }
    }
}

/// One coefficient with its t-based inference, as estimatr reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub estimate: f64,
    pub std_error: f64,
    pub df: f64,
    pub t_stat: f64,
    pub p_value: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

impl Estimate {
    /// t statistic, two-sided p-value and a (1 - alpha) confidence interval from the t(df) law.
    pub fn from_t(estimate: f64, std_error: f64, df: f64, alpha: f64) -> Estimate {
        let t_stat = estimate / std_error;
        let critical = dist::t_quantile(1.0 - alpha / 2.0, df);
        Estimate {
            estimate,
            std_error,
            df,
            t_stat,
            p_value: dist::t_two_sided_p(t_stat, df),
            ci_lower: estimate - critical * std_error,
            ci_upper: estimate + critical * std_error,
        }
    }
}
