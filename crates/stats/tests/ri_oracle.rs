//! Randomisation-inference p-values (and Romano–Wolf) against an independent numpy permutation
//! loop (`oracle/ri_oracle.py`, 20,000 draws). Both are Monte-Carlo estimates of the same exact
//! p-value, so they must agree within 4.5 standard errors of their difference.

use spire_stats::ri::{RiDesign, RiOptions, multiple_outcome_test};
use std::collections::HashMap;

mod common;
use common::{Table, oracle_dir};

const DRAWS: usize = 20_000;

fn within_monte_carlo_error(what: &str, ours: f64, oracle: f64, oracle_draws: f64) {
    let p = 0.5 * (ours + oracle);
    let standard_error = (p * (1.0 - p) * (1.0 / DRAWS as f64 + 1.0 / oracle_draws)).sqrt();
    assert!(
        (ours - oracle).abs() <= 4.5 * standard_error + 1e-4,
        "{what}: ours {ours}, numpy {oracle}, MC SE {standard_error}"
    );
}

#[test]
fn p_values_agree_with_a_numpy_permutation_loop() {
    let expected = Table::read(oracle_dir().join("expected_ri.csv"));
    let mut cases: Vec<(String, String, String, String)> = Vec::new();
    for row in 0..expected.rows {
        let key =
            ["dataset", "outcomes", "covariates", "design"].map(|c| expected.text(c)[row].clone());
        let key = (
            key[0].clone(),
            key[1].clone(),
            key[2].clone(),
            key[3].clone(),
        );
        if !cases.contains(&key) {
            cases.push(key);
        }
    }
    assert_eq!(cases.len(), 4);
    let mut datasets: HashMap<String, Table> = HashMap::new();
    for (dataset, outcomes, covariates, design) in &cases {
        let data = datasets
            .entry(dataset.clone())
            .or_insert_with(|| Table::read(oracle_dir().join(format!("data/{dataset}.csv"))));
        let outcome_columns: Vec<Vec<f64>> = outcomes.split('+').map(|o| data.numbers(o)).collect();
        let outcome_slices: Vec<&[f64]> = outcome_columns.iter().map(|c| c.as_slice()).collect();
        let covariate_columns: Vec<Vec<f64>> = covariates
            .split('+')
            .filter(|c| !c.is_empty())
            .map(|c| data.numbers(c))
            .collect();
        let covariate_slices: Vec<&[f64]> =
            covariate_columns.iter().map(|c| c.as_slice()).collect();
        let strata = data.strata();
        let options = RiOptions {
            draws: DRAWS,
            seed: 42,
            design: if design == "complete" {
                RiDesign::Complete
            } else {
                RiDesign::WithinStrata
            },
            ..Default::default()
        };
        let result = multiple_outcome_test(
            &outcome_slices,
            &data.numbers("z"),
            &covariate_slices,
            Some(&strata),
            &options,
        )
        .unwrap();
        for row in (0..expected.rows).filter(|&r| {
            expected.text("dataset")[r] == *dataset
                && expected.text("outcomes")[r] == *outcomes
                && expected.text("design")[r] == *design
        }) {
            let number = |c: &str| expected.text(c)[row].parse::<f64>().unwrap();
            let k = outcomes
                .split('+')
                .position(|o| o == expected.text("outcome")[row])
                .unwrap();
            let what = format!("{dataset} {outcomes} {design} outcome {k}");
            assert_eq!(result.n as f64, number("n"), "{what}: n");
            // The observed statistic is deterministic: it must equal numpy's to rounding.
            assert!(
                (result.observed[k] - number("t_observed")).abs()
                    < 1e-9 * number("t_observed").abs(),
                "{what}: t"
            );
            within_monte_carlo_error(
                &format!("{what} p"),
                result.p_values[k],
                number("p_value"),
                number("draws"),
            );
            within_monte_carlo_error(
                &format!("{what} Romano–Wolf"),
                result.romano_wolf[k],
                number("romano_wolf"),
                number("draws"),
            );
        }
    }
}
