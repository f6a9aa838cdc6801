//! Multiple outcomes: Bonferroni, Holm, Benjamini–Hochberg (as R `p.adjust`), and Romano–Wolf
//! step-down p-values from randomisation draws shared by all outcomes.

use crate::StatsError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    Bonferroni,
    Holm,
    BenjaminiHochberg,
}

impl std::str::FromStr for Adjustment {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "bonferroni" => Ok(Adjustment::Bonferroni),
            "holm" => Ok(Adjustment::Holm),
            "bh" | "fdr" | "benjamini-hochberg" => Ok(Adjustment::BenjaminiHochberg),
            _ => Err(StatsError::InvalidArgument(format!(
                "unknown adjustment `{s}` (use bonferroni, holm or bh)"
            ))),
        }
    }
}

/// Adjusted p-values in the input order; BH gives q-values.
pub fn adjust(p_values: &[f64], method: Adjustment) -> Result<Vec<f64>, StatsError> {
    if let Some(bad) = p_values.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(StatsError::InvalidArgument(format!(
            "p-value {bad} is not in [0, 1]"
        )));
    }
    let m = p_values.len() as f64;
    let mut order: Vec<usize> = (0..p_values.len()).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; p_values.len()];
    match method {
        Adjustment::Bonferroni => {
            for (a, p) in adjusted.iter_mut().zip(p_values) {
                *a = (p * m).min(1.0);
            }
        }
        Adjustment::Holm => {
            // Step down from the smallest p: (m − rank) · p, kept non-decreasing.
            let mut running_max: f64 = 0.0;
            for (rank, &index) in order.iter().enumerate() {
                running_max = running_max.max((m - rank as f64) * p_values[index]);
                adjusted[index] = running_max.min(1.0);
            }
        }
        Adjustment::BenjaminiHochberg => {
            // Step up from the largest p: m/rank · p, kept non-increasing.
            let mut running_min: f64 = 1.0;
            for (rank, &index) in order.iter().enumerate().rev() {
                running_min = running_min.min(m / (rank as f64 + 1.0) * p_values[index]);
                adjusted[index] = running_min;
            }
        }
    }
    Ok(adjusted)
}

/// Romano–Wolf (2005) step-down p-values. `observed[k]` is outcome k's statistic and
/// `draws[b][k]` its value under randomisation draw b (the same draw for every outcome).
/// p_(j) = (#{b : max_{l ∈ step j..} |T*_bl| ≥ |T_(j)|} + 1)/(B + 1), made non-decreasing.
pub fn romano_wolf(observed: &[f64], draws: &[Vec<f64>]) -> Vec<f64> {
    let outcomes = observed.len();
    let mut order: Vec<usize> = (0..outcomes).collect();
    order.sort_by(|&a, &b| observed[b].abs().total_cmp(&observed[a].abs()));
    let mut exceed = vec![0usize; outcomes];
    let mut tail_max = vec![0.0; outcomes];
    for draw in draws {
        // Maximum |T*| over the hypotheses still in play at each step (suffix maxima).
        let mut running: f64 = 0.0;
        for step in (0..outcomes).rev() {
            running = running.max(draw[order[step]].abs());
            tail_max[step] = running;
        }
        for step in 0..outcomes {
            if tail_max[step] >= observed[order[step]].abs() * (1.0 - crate::ri::TIE_TOLERANCE) {
                exceed[step] += 1;
            }
        }
    }
    let mut adjusted = vec![0.0; outcomes];
    let mut running_max: f64 = 0.0;
    for step in 0..outcomes {
        let p = (exceed[step] + 1) as f64 / (draws.len() + 1) as f64;
        running_max = running_max.max(p);
        adjusted[order[step]] = running_max;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romano_wolf_steps_down_and_is_monotone() {
        // Outcome 0 is extreme in every draw's frame; outcome 1 is ordinary.
        let observed = [5.0, 1.0];
        let draws = vec![
            vec![0.5, 2.0],
            vec![1.5, 0.2],
            vec![0.1, 0.9],
            vec![6.0, 0.1],
        ];
        let p = romano_wolf(&observed, &draws);
        // Step 1: max(|T*|) over both ≥ 5 only in draw 4 → (1 + 1)/5.
        assert!((p[0] - 0.4).abs() < 1e-15);
        // Step 2: |T*_1| ≥ 1 in draw 1 only → 2/5, then max with step 1 → 0.4.
        assert!((p[1] - 0.4).abs() < 1e-15);
    }
}
