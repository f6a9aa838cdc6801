//! Lee (2009) bounds on the effect among units whose outcome would be observed in either arm.
//!
//! q_d is the share observed in arm d. In the arm with the larger share, trim p = (q_big − q_small)
//! / q_big of its observed outcomes from the top (lower bound when that arm is treated) or the
//! bottom (upper bound). Trimming is exact: the trimmed mean is the mean of the empirical quantile
//! function over the kept fraction, so the boundary unit enters with a fractional weight instead
//! of rounding the number trimmed.

use crate::StatsError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeeBounds {
    pub lower: f64,
    pub upper: f64,
    /// Share p of the trimmed arm's observed outcomes removed.
    pub trimming_share: f64,
    pub observed_share_treated: f64,
    pub observed_share_control: f64,
    /// True when the treated arm was trimmed (it had the higher observation rate).
    pub trimmed_treated: bool,
    pub n: usize,
    pub n_dropped: usize,
}

/// `observed` is 1 where the outcome was measured and 0 where it is missing by attrition.
/// Rows with a missing treatment or indicator, or observed but without an outcome, are dropped.
pub fn lee_bounds(
    outcome: &[f64],
    treatment: &[f64],
    observed: &[f64],
) -> Result<LeeBounds, StatsError> {
    let n_rows = outcome.len();
    for found in [treatment.len(), observed.len()] {
        if found != n_rows {
            return Err(StatsError::LengthMismatch {
                expected: n_rows,
                found,
            });
        }
    }
    let mut arms = [(0usize, Vec::new()), (0usize, Vec::new())]; // (units, observed outcomes) by arm
    let mut n = 0;
    for row in 0..n_rows {
        let (y, z, o) = (outcome[row], treatment[row], observed[row]);
        if z.is_nan() || o.is_nan() || (o == 1.0 && y.is_nan()) {
            continue;
        }
        if z != 0.0 && z != 1.0 {
            return Err(StatsError::TreatmentNotBinary {
                row: row + 1,
                value: z,
            });
        }
        if o != 0.0 && o != 1.0 {
            return Err(StatsError::InvalidArgument(format!(
                "the observed indicator must be 0 or 1, found {o} in row {}",
                row + 1
            )));
        }
        let arm = &mut arms[z as usize];
        arm.0 += 1;
        if o == 1.0 {
            arm.1.push(y);
        }
        n += 1;
    }
    let [(control_units, mut control), (treated_units, mut treated)] = arms;
    if treated.is_empty() || control.is_empty() {
        return Err(StatsError::InvalidArgument(
            "each arm needs at least one observed outcome".into(),
        ));
    }
    let q1 = treated.len() as f64 / treated_units as f64;
    let q0 = control.len() as f64 / control_units as f64;
    treated.sort_by(f64::total_cmp);
    control.sort_by(f64::total_cmp);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (lower, upper, trimming_share) = if q1 >= q0 {
        let p = (q1 - q0) / q1;
        let control_mean = mean(&control);
        (
            trimmed_mean(&treated, p, false) - control_mean,
            trimmed_mean(&treated, p, true) - control_mean,
            p,
        )
    } else {
        let p = (q0 - q1) / q0;
        let treated_mean = mean(&treated);
        (
            treated_mean - trimmed_mean(&control, p, true),
            treated_mean - trimmed_mean(&control, p, false),
            p,
        )
    };
    Ok(LeeBounds {
        lower,
        upper,
        trimming_share,
        observed_share_treated: q1,
        observed_share_control: q0,
        trimmed_treated: q1 >= q0,
        n,
        n_dropped: n_rows - n,
    })
}

/// Mean of sorted `values` after removing the share `p` from the bottom (`drop_bottom`) or top.
fn trimmed_mean(sorted: &[f64], p: f64, drop_bottom: bool) -> f64 {
    let kept_mass = (1.0 - p) * sorted.len() as f64;
    let kept_first: Box<dyn Iterator<Item = &f64>> = if drop_bottom {
        Box::new(sorted.iter().rev())
    } else {
        Box::new(sorted.iter())
    };
    let mut remaining = kept_mass;
    let mut total = 0.0;
    for &value in kept_first {
        if remaining <= 0.0 {
            break;
        }
        let weight = remaining.min(1.0);
        total += weight * value;
        remaining -= weight;
    }
    total / kept_mass
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Treated: 10 units, all observed, outcomes 1..10. Control: 10 units, 8 observed with mean 3.
    /// q1 = 1, q0 = 0.8, p = 0.2: trim 2 of 10. Lower = mean(1..8) − 3 = 1.5; upper = mean(3..10) − 3 = 3.5.
    #[test]
    fn whole_unit_trimming_by_hand() {
        let mut y: Vec<f64> = (1..=10).map(f64::from).collect();
        y.extend([1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0, 4.0, f64::NAN, f64::NAN]);
        let z: Vec<f64> = (0..20).map(|i| (i < 10) as u8 as f64).collect();
        let o: Vec<f64> = y.iter().map(|v| (!v.is_nan()) as u8 as f64).collect();
        let bounds = lee_bounds(&y, &z, &o).unwrap();
        assert!((bounds.trimming_share - 0.2).abs() < 1e-15);
        assert!((bounds.lower - 1.5).abs() < 1e-12, "{bounds:?}");
        assert!((bounds.upper - 3.5).abs() < 1e-12, "{bounds:?}");
        assert_eq!((bounds.n, bounds.n_dropped), (20, 0));
    }

    /// Control 4 of 4 observed (0, 0, 0, 0); treated 3 of 4 observed (2, 4, 9):
    /// q0 = 1 > q1 = .75, p = .25, trim 1 of the 4 control outcomes — all zero, so both bounds are
    /// mean(2, 4, 9) = 5. Then fractional trimming: treated 1..10 with q1 = 1 against q0 = .75:
    /// p = .25 keeps 7.5 units: lower mean = (1 + … + 7 + .5·8)/7.5 = 32/7.5.
    #[test]
    fn fractional_and_control_side_trimming_by_hand() {
        let y = [2.0, 4.0, 9.0, f64::NAN, 0.0, 0.0, 0.0, 0.0];
        let z = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let o = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let bounds = lee_bounds(&y, &z, &o).unwrap();
        assert!(!bounds.trimmed_treated);
        assert!((bounds.lower - 5.0).abs() < 1e-12 && (bounds.upper - 5.0).abs() < 1e-12);

        let mut y: Vec<f64> = (1..=10).map(f64::from).collect();
        y.extend([0.0, 0.0, 0.0, f64::NAN]);
        let z: Vec<f64> = (0..14).map(|i| (i < 10) as u8 as f64).collect();
        let o: Vec<f64> = y.iter().map(|v| (!v.is_nan()) as u8 as f64).collect();
        let bounds = lee_bounds(&y, &z, &o).unwrap();
        assert!((bounds.lower - 32.0 / 7.5).abs() < 1e-12, "{bounds:?}");
        // Upper: top 7.5 units: (.5·3 + 4 + … + 10)/7.5 = (1.5 + 49)/7.5.
        assert!((bounds.upper - 50.5 / 7.5).abs() < 1e-12, "{bounds:?}");
    }
}
