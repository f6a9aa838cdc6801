//! The evaluation report against R estimatr 1.0.0 (tests/oracle/
//! make_evaluation_fixture.R): the ITT under each planned estimator and the
//! effect of participation, on a synthetic trial with attrition, must match to
//! 1e-8 relative. This checks the report's own wiring (arms, fixed effects,
//! covariate coding, take-up, dropping missing outcomes), not only the crate.

use spire_evaluation::analysis::{EstimateSummary, EvaluationData, Unit, evaluate};
use spire_evaluation::plan::{AnalysisPlan, Estimator, Family, FixedEffects, PlannedOutcome};
use std::collections::HashMap;

const ORACLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle");

fn read(name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(format!("{ORACLE}/{name}")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn dataset() -> EvaluationData {
    let rows = read("evaluation.csv");
    let number = |row: &HashMap<String, String>, column: &str| -> f64 {
        let cell = &row[column];
        if cell.is_empty() {
            f64::NAN
        } else {
            cell.parse().unwrap()
        }
    };
    let units = rows
        .iter()
        .enumerate()
        .map(|(i, row)| Unit {
            ledger_index: i as i64,
            allocated_on: time::macros::date!(2026 - 03 - 01),
            programme: number(row, "z") == 1.0,
            stratum: format!("stratum-{}", row["municipality"]),
            municipality_code: number(row, "municipality") as i64,
            age: number(row, "age"),
            female: number(row, "female") == 1.0,
            kontanthjaelp: number(row, "kontanthjaelp") == 1.0,
            aktivitetsparat: number(row, "aktivitetsparat") == 1.0,
            has_qualification: false,
            took_up: number(row, "d") == 1.0,
        })
        .collect();
    let outcomes = ["work_6m", "weeks_12m"]
        .into_iter()
        .map(|column| {
            (
                column.to_string(),
                rows.iter().map(|r| number(r, column)).collect(),
            )
        })
        .collect();
    EvaluationData {
        units,
        target_size: 400,
        outcomes,
    }
}

fn plan(estimator: Estimator) -> AnalysisPlan {
    AnalysisPlan {
        trial: String::new(),
        study: "oracle".into(),
        outcomes: vec![
            PlannedOutcome {
                name: "work".into(),
                horizons_months: vec![6],
            },
            PlannedOutcome {
                name: "weeks".into(),
                horizons_months: vec![12],
            },
        ],
        covariates: vec!["age".into(), "female".into(), "kontanthjaelp".into()],
        subgroups: vec!["female".into()],
        estimator,
        fixed_effects: FixedEffects::Municipality,
        family: Family::Holm,
        alpha: 0.05,
        ri_draws: 199,
        seed: 7,
        target_mde_sd: 0.2,
    }
}

fn assert_close(what: &str, found: f64, expected: &str) {
    let expected: f64 = expected.parse().unwrap();
    let relative = (found - expected).abs() / expected.abs().max(1e-300);
    assert!(relative < 1e-8, "{what}: {found} vs estimatr {expected}");
}

fn assert_matches(what: &str, found: &EstimateSummary, row: &HashMap<String, String>) {
    assert_close(
        &format!("{what} estimate"),
        found.estimate,
        &row["estimate"],
    );
    assert_close(
        &format!("{what} std_error"),
        found.std_error,
        &row["std_error"],
    );
    assert_close(&format!("{what} p_value"), found.p_value, &row["p_value"]);
    assert_close(
        &format!("{what} ci_lower"),
        found.ci_lower,
        &row["ci_lower"],
    );
    assert_close(
        &format!("{what} ci_upper"),
        found.ci_upper,
        &row["ci_upper"],
    );
    assert_close(&format!("{what} df"), found.df, &row["df"]);
}

#[test]
fn the_report_matches_estimatr_for_every_estimator_and_the_iv_effect() {
    let data = dataset();
    let expected = read("evaluation_expected.csv");
    let locked = plan(Estimator::Ols);
    let mut checked = 0;
    for estimator in [Estimator::Ols, Estimator::Lin, Estimator::DifferenceInMeans] {
        let report = evaluate(&data, &locked, &plan(estimator));
        assert_eq!(report.follows_plan, estimator == Estimator::Ols);
        for outcome in &report.outcomes {
            let row = |name: &str| {
                expected
                    .iter()
                    .find(|r| r["outcome"] == outcome.column && r["estimator"] == name)
                    .unwrap()
            };
            let what = format!("{} {}", outcome.column, estimator.code());
            assert_matches(&what, outcome.itt.as_ref().unwrap(), row(estimator.code()));
            assert_matches(
                &format!("{what} iv"),
                outcome.participation.as_ref().unwrap(),
                row("iv"),
            );
            assert!(outcome.n_missing > 0 && outcome.lee_bounds.is_some());
            checked += 2;
        }
    }
    assert_eq!(checked, 12);
}

#[test]
fn the_report_states_the_plan_it_followed_and_each_deviation() {
    let data = dataset();
    let locked = plan(Estimator::Ols);
    let report = evaluate(&data, &locked, &locked);
    assert!(report.follows_plan && report.deviations.is_empty());
    assert_eq!(report.plan_digest, hex::encode(locked.digest()));
    // Holm over the two outcomes: the smaller p doubled, the larger at least that.
    let p: Vec<f64> = report
        .outcomes
        .iter()
        .map(|o| o.itt.as_ref().unwrap().p_value)
        .collect();
    let adjusted: Vec<f64> = report
        .outcomes
        .iter()
        .map(|o| o.adjusted_p_value.unwrap())
        .collect();
    let (small, large) = if p[0] < p[1] { (0, 1) } else { (1, 0) };
    assert!((adjusted[small] - 2.0 * p[small]).abs() < 1e-12);
    assert!(adjusted[large] >= adjusted[small] && adjusted[large] >= p[large]);
    for outcome in &report.outcomes {
        let rw = outcome.romano_wolf_p_value.unwrap();
        let ri = outcome.ri_p_value.unwrap();
        assert!(
            rw >= ri - 1e-12 && rw <= 1.0,
            "Romano–Wolf never below the raw RI p"
        );
        assert_eq!(outcome.subgroups.len(), 1);
        assert!(outcome.subgroups[0].interaction_p_value.is_some());
    }
    assert_eq!(report.recruitment.randomised, 300);
    assert_eq!(report.recruitment.required_n, Some(788));

    let mut exploratory = locked.clone();
    exploratory.fixed_effects = FixedEffects::None;
    let report = evaluate(&data, &locked, &exploratory);
    assert!(!report.follows_plan);
    assert_eq!(report.deviations.len(), 1);
    assert_eq!(report.deviations[0].field, "fixed_effects");
}
