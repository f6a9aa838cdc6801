//! Input columns, complete-case selection, treatment validation and strata as dense groups.

use crate::StatsError;

/// One trial dataset as equal-length columns. `NaN` marks a missing number, `None` a missing
/// stratum. The treatment must be 0 (control) or 1 (programme arm).
#[derive(Clone, Copy, Debug)]
pub struct TrialData<'a> {
    pub outcome: &'a [f64],
    pub treatment: &'a [f64],
    pub covariates: &'a [&'a [f64]],
    pub strata: Option<&'a [Option<u32>]>,
}

impl<'a> TrialData<'a> {
    pub fn new(outcome: &'a [f64], treatment: &'a [f64]) -> Self {
        TrialData {
            outcome,
            treatment,
            covariates: &[],
            strata: None,
        }
    }

    pub fn with_covariates(self, covariates: &'a [&'a [f64]]) -> Self {
        TrialData { covariates, ..self }
    }

    pub fn with_strata(self, strata: &'a [Option<u32>]) -> Self {
        TrialData {
            strata: Some(strata),
            ..self
        }
    }
}

/// Units partitioned into groups (strata), numbered densely in the order of their labels.
#[derive(Clone, Debug)]
pub(crate) struct Groups {
    pub of_unit: Vec<u32>,
    pub sizes: Vec<usize>,
    pub labels: Vec<u32>,
}

impl Groups {
    /// Everyone in one group: demeaning within it is the same as fitting an intercept.
    pub fn single(n: usize) -> Groups {
        Groups {
            of_unit: vec![0; n],
            sizes: vec![n],
            labels: vec![0],
        }
    }

    pub fn from_labels(labels: impl Iterator<Item = u32>) -> Groups {
        let mut of_unit: Vec<u32> = labels.collect();
        let largest = of_unit.iter().copied().max().unwrap_or(0) as usize;
        // Labels → dense numbers in label order: through a table indexed by
        // label when the labels are small (strata codes are), else by a
        // search in the sorted distinct labels.
        let labels = if largest <= 4 * of_unit.len() + 1024 {
            let mut table = vec![u32::MAX; largest + 1];
            for &label in &of_unit {
                table[label as usize] = 0;
            }
            let mut labels = Vec::new();
            for (label, slot) in table.iter_mut().enumerate() {
                if *slot == 0 {
                    *slot = labels.len() as u32;
                    labels.push(label as u32);
                }
            }
            for label in &mut of_unit {
                *label = table[*label as usize];
            }
            labels
        } else {
            let mut labels = of_unit.clone();
            labels.sort_unstable();
            labels.dedup();
            for label in &mut of_unit {
                *label = labels.binary_search(label).expect("a label of the data") as u32;
            }
            labels
        };
        let mut sizes = vec![0; labels.len()];
        for &group in &of_unit {
            sizes[group as usize] += 1;
        }
        Groups {
            of_unit,
            sizes,
            labels,
        }
    }

    pub fn count(&self) -> usize {
        self.sizes.len()
    }

    pub fn means(&self, values: &[f64]) -> Vec<f64> {
        let mut sums = vec![0.0; self.count()];
        for (&group, &value) in self.of_unit.iter().zip(values) {
            sums[group as usize] += value;
        }
        sums.iter()
            .zip(&self.sizes)
            .map(|(sum, &size)| sum / size as f64)
            .collect()
    }

    /// [`Groups::demean`] without a copy.
    pub fn demean_in_place(&self, values: &mut [f64]) {
        let means = self.means(values);
        for (&group, value) in self.of_unit.iter().zip(values) {
            *value -= means[group as usize];
        }
    }

    /// Values minus their group mean: absorbs the group fixed effects.
    pub fn demean(&self, values: &[f64]) -> Vec<f64> {
        let means = self.means(values);
        self.of_unit
            .iter()
            .zip(values)
            .map(|(&group, &value)| value - means[group as usize])
            .collect()
    }
}

/// The rows an estimator can use, with the used columns copied out and validated.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// Original row index (0-based) of each kept row.
    pub rows: Vec<usize>,
    pub outcome: Vec<f64>,
    pub treatment: Vec<f64>,
    pub covariates: Vec<Vec<f64>>,
    pub extra: Vec<Vec<f64>>,
    /// Strata of the kept rows; a single group when the data have none.
    pub groups: Groups,
    pub stratified: bool,
    pub n_dropped: usize,
}

impl Prepared {
    pub fn n(&self) -> usize {
        self.rows.len()
    }
}

/// Keep rows with every used column present; check the treatment is 0/1, not constant, and that
/// each stratum holds both arms. `extra` columns (e.g. take-up) are carried along.
pub(crate) fn prepare(data: &TrialData, extra: &[&[f64]]) -> Result<Prepared, StatsError> {
    let n = data.outcome.len();
    let lengths = std::iter::once(data.treatment.len())
        .chain(data.covariates.iter().map(|c| c.len()))
        .chain(extra.iter().map(|c| c.len()))
        .chain(data.strata.map(|s| s.len()));
    for found in lengths {
        if found != n {
            return Err(StatsError::LengthMismatch { expected: n, found });
        }
    }
    let complete = |row: usize| {
        !data.outcome[row].is_nan()
            && !data.treatment[row].is_nan()
            && data.covariates.iter().all(|c| !c[row].is_nan())
            && extra.iter().all(|c| !c[row].is_nan())
            && data.strata.is_none_or(|s| s[row].is_some())
    };
    let rows: Vec<usize> = (0..n).filter(|&row| complete(row)).collect();
    let take = |column: &[f64]| rows.iter().map(|&row| column[row]).collect::<Vec<f64>>();
    let treatment = take(data.treatment);
    check_binary(&treatment, &rows)?;
    let groups = match data.strata {
        Some(strata) => {
            Groups::from_labels(rows.iter().map(|&row| strata[row].unwrap_or_default()))
        }
        None => Groups::single(rows.len()),
    };
    check_both_arms_per_group(&treatment, &groups)?;
    Ok(Prepared {
        outcome: take(data.outcome),
        covariates: data.covariates.iter().map(|c| take(c)).collect(),
        extra: extra.iter().map(|c| take(c)).collect(),
        treatment,
        groups,
        stratified: data.strata.is_some(),
        n_dropped: n - rows.len(),
        rows,
    })
}

fn check_binary(treatment: &[f64], rows: &[usize]) -> Result<(), StatsError> {
    if let Some((&value, &row)) = treatment
        .iter()
        .zip(rows)
        .find(|(z, _)| **z != 0.0 && **z != 1.0)
    {
        return Err(StatsError::TreatmentNotBinary {
            row: row + 1,
            value,
        });
    }
    let treated = treatment.iter().filter(|&&z| z == 1.0).count();
    if treated == 0 || treated == treatment.len() {
        return Err(StatsError::TreatmentConstant);
    }
    Ok(())
}

fn check_both_arms_per_group(treatment: &[f64], groups: &Groups) -> Result<(), StatsError> {
    let mut treated = vec![0usize; groups.count()];
    for (&group, &z) in groups.of_unit.iter().zip(treatment) {
        treated[group as usize] += (z == 1.0) as usize;
    }
    for (group, (&t, &size)) in treated.iter().zip(&groups.sizes).enumerate() {
        if t == 0 || t == size {
            return Err(StatsError::StratumWithOneArm {
                stratum: groups.labels[group],
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_missing_a_used_column_are_dropped_and_counted() {
        let y = [1.0, f64::NAN, 3.0, 4.0, 5.0];
        let z = [0.0, 1.0, 1.0, 0.0, 1.0];
        let x = [1.0, 1.0, 1.0, f64::NAN, 2.0];
        let covariates: [&[f64]; 1] = [&x];
        let prepared = prepare(&TrialData::new(&y, &z).with_covariates(&covariates), &[]).unwrap();
        assert_eq!(prepared.rows, vec![0, 2, 4]);
        assert_eq!(prepared.n_dropped, 2);
        assert_eq!(prepared.outcome, vec![1.0, 3.0, 5.0]);
    }

    #[test]
    fn treatment_must_be_binary_and_vary() {
        let y = [1.0, 2.0, 3.0];
        let error = prepare(&TrialData::new(&y, &[0.0, 2.0, 1.0]), &[]).unwrap_err();
        assert_eq!(error, StatsError::TreatmentNotBinary { row: 2, value: 2.0 });
        let error = prepare(&TrialData::new(&y, &[1.0, 1.0, 1.0]), &[]).unwrap_err();
        assert_eq!(error, StatsError::TreatmentConstant);
    }

    #[test]
    fn a_stratum_with_one_arm_is_named() {
        let y = [1.0, 2.0, 3.0, 4.0];
        let strata = [Some(7), Some(7), Some(9), Some(9)];
        let data = TrialData::new(&y, &[0.0, 1.0, 1.0, 1.0]).with_strata(&strata);
        assert_eq!(
            prepare(&data, &[]).unwrap_err(),
            StatsError::StratumWithOneArm { stratum: 9 }
        );
    }

    #[test]
    fn groups_are_numbered_in_label_order_small_labels_or_large() {
        for labels in [[5, 3, 5, 9], [u32::MAX, 3, u32::MAX, 9]] {
            let groups = Groups::from_labels(labels.into_iter());
            let mut sorted = labels.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            let rank = |label| sorted.iter().position(|&l| l == label).unwrap() as u32;
            assert_eq!(groups.of_unit, labels.map(rank));
            assert_eq!(groups.labels, sorted);
            assert_eq!(
                groups.sizes,
                [0, 1, 2].map(|g| labels.map(rank).iter().filter(|&&r| r == g).count())
            );
        }
    }

    #[test]
    fn demeaning_removes_group_means() {
        let groups = Groups::from_labels([5, 3, 5, 3].into_iter());
        assert_eq!(groups.labels, vec![3, 5]);
        assert_eq!(
            groups.demean(&[1.0, 10.0, 3.0, 20.0]),
            vec![-1.0, -5.0, 1.0, 5.0]
        );
    }
}
