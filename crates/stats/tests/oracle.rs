//! Golden tests: every estimate, SE, df, p-value and CI against R estimatr 1.0.0 / pwr / p.adjust
//! on the fixtures made by `oracle/make_fixtures.R` (tolerance 1e-8 relative; MDE 1e-3).

use spire_stats::{SeType, TrialData, dim, iv, multiple, ols, power, subgroup};
use std::collections::HashMap;

mod common;
use common::{Table, assert_close, oracle_dir};

fn se_type(name: &str) -> SeType {
    if name.is_empty() {
        SeType::Hc2
    } else {
        name.parse().unwrap()
    }
}

#[test]
fn estimates_match_estimatr() {
    let expected = Table::read(oracle_dir().join("expected_estimates.csv"));
    let mut datasets: HashMap<String, Table> = HashMap::new();
    let mut checked = 0;
    for row in 0..expected.rows {
        let get = |name: &str| expected.text(name)[row].as_str();
        let number = |name: &str| get(name).parse::<f64>().unwrap();
        let name = get("dataset");
        if get("call").starts_with("subgroup") {
            continue; // checked in subgroup_effects_match_estimatr
        }
        let data = datasets
            .entry(name.to_string())
            .or_insert_with(|| Table::read(oracle_dir().join(format!("data/{name}.csv"))));
        let y = data.numbers("y");
        let z = data.numbers("z");
        let strata = data.strata();
        let covariate_columns: Vec<Vec<f64>> = get("covariates")
            .split('+')
            .filter(|c| !c.is_empty())
            .map(|c| data.numbers(c))
            .collect();
        let covariates: Vec<&[f64]> = covariate_columns.iter().map(|c| c.as_slice()).collect();
        let plain = TrialData::new(&y, &z).with_covariates(&covariates);
        let stratified = plain.with_strata(&strata);
        let se = se_type(get("se"));
        let term = get("term");
        let covariate_index = |term: &str| {
            get("covariates")
                .split('+')
                .position(|c| term.trim_end_matches("_c").ends_with(c))
        };
        let (estimate, n, n_dropped) = match get("call") {
            "lm_robust" | "lm_robust_fe" | "lm_lin" | "lm_lin_fe" | "iv" | "iv_fe" => {
                let data = if get("call").ends_with("_fe") {
                    stratified
                } else {
                    plain
                };
                let fit = match get("call") {
                    "lm_lin" | "lm_lin_fe" => ols::lm_lin(&data, se, 0.05),
                    "iv" | "iv_fe" => iv::iv_robust(&data, &data_takeup(&datasets, name), se, 0.05),
                    _ => ols::lm_robust(&data, se, 0.05),
                }
                .unwrap();
                let k = covariates.len();
                let index = match term {
                    "z" | "d" => 0,
                    t if t.starts_with("z:") => 1 + k + covariate_index(&t[2..]).unwrap(),
                    t => 1 + covariate_index(t).unwrap(),
                };
                (fit.terms[index], fit.n, fit.n_dropped)
            }
            "dim" | "dim_blocked" => {
                let data = if get("call") == "dim" {
                    TrialData::new(&y, &z)
                } else {
                    TrialData::new(&y, &z).with_strata(&strata)
                };
                let result = dim::difference_in_means(&data, 0.05).unwrap();
                (result.effect, result.n, result.n_dropped)
            }
            other => panic!("unknown call {other}"),
        };
        let what = format!(
            "{name} {} {} [{}] {term}",
            get("call"),
            get("se"),
            get("covariates")
        );
        assert_eq!(n as f64, number("n"), "{what}: n");
        assert_eq!(n + n_dropped, y.len(), "{what}: n + n_dropped");
        assert_close(
            &format!("{what} estimate"),
            estimate.estimate,
            number("estimate"),
            1e-8,
        );
        assert_close(
            &format!("{what} std_error"),
            estimate.std_error,
            number("std_error"),
            1e-8,
        );
        assert_close(&format!("{what} df"), estimate.df, number("df"), 1e-12);
        assert_close(
            &format!("{what} p_value"),
            estimate.p_value,
            number("p_value"),
            1e-8,
        );
        assert_close(
            &format!("{what} ci_lower"),
            estimate.ci_lower,
            number("ci_lower"),
            1e-8,
        );
        assert_close(
            &format!("{what} ci_upper"),
            estimate.ci_upper,
            number("ci_upper"),
            1e-8,
        );
        checked += 1;
    }
    assert!(checked >= 250, "only {checked} expected rows");
}

fn data_takeup(datasets: &HashMap<String, Table>, name: &str) -> Vec<f64> {
    let table = &datasets[name];
    assert!(table.has("d"), "{name} has no take-up column");
    table.numbers("d")
}

#[test]
fn mde_matches_pwr_within_1e3() {
    let expected = Table::read(oracle_dir().join("expected_power.csv"));
    for row in 0..expected.rows {
        let number = |name: &str| expected.text(name)[row].parse::<f64>().unwrap();
        let design = power::PowerDesign {
            n: number("n"),
            treated_share: number("treated_share"),
            alpha: number("alpha"),
            power: number("power"),
            r_squared: 0.0,
        };
        let mde = power::mde_sd(&design).unwrap();
        assert!(
            (mde - number("mde_sd")).abs() < 1e-3,
            "row {row}: {mde} vs pwr {}",
            number("mde_sd")
        );
    }
}

#[test]
fn required_n_matches_pwr_within_one_percent() {
    let expected = Table::read(oracle_dir().join("expected_required_n.csv"));
    for row in 0..expected.rows {
        let number = |name: &str| expected.text(name)[row].parse::<f64>().unwrap();
        let design = power::PowerDesign {
            n: 0.0,
            treated_share: 0.5,
            alpha: 0.05,
            power: 0.8,
            r_squared: 0.0,
        };
        let n = power::required_n(&design, number("mde_sd")).unwrap() as f64;
        assert!(
            (n - number("n_total")).abs() <= 0.01 * number("n_total") + 2.0,
            "row {row}: {n} vs pwr {}",
            number("n_total")
        );
    }
}

#[test]
fn adjusted_p_values_match_r_p_adjust() {
    let expected = Table::read(oracle_dir().join("expected_adjust.csv"));
    let p = expected.numbers("p");
    for (method, column) in [
        (multiple::Adjustment::Bonferroni, "bonferroni"),
        (multiple::Adjustment::Holm, "holm"),
        (multiple::Adjustment::BenjaminiHochberg, "bh"),
    ] {
        let adjusted = multiple::adjust(&p, method).unwrap();
        for (a, e) in adjusted.iter().zip(expected.numbers(column)) {
            assert_close(column, *a, e, 1e-12);
        }
    }
}

#[test]
fn subgroup_effects_match_estimatr() {
    let expected = Table::read(oracle_dir().join("expected_estimates.csv"));
    let data = Table::read(oracle_dir().join("data/unbalanced.csv"));
    let (y, z, x1, strata) = (
        data.numbers("y"),
        data.numbers("z"),
        data.numbers("x1"),
        data.strata(),
    );
    let subgroups: Vec<Option<u32>> = data
        .numbers("x2")
        .iter()
        .map(|v| (!v.is_nan()).then_some(*v as u32))
        .collect();
    let covariates: [&[f64]; 1] = [&x1];
    let trial = TrialData::new(&y, &z)
        .with_covariates(&covariates)
        .with_strata(&strata);
    let analysis = subgroup::subgroup_effects(&trial, &subgroups, SeType::Hc2, 0.05).unwrap();
    let mut checked = 0;
    for row in 0..expected.rows {
        let get = |name: &str| expected.text(name)[row].as_str();
        let number = |name: &str| get(name).parse::<f64>().unwrap();
        match get("call") {
            "subgroup_x2_0" | "subgroup_x2_1" => {
                let level = if get("call").ends_with('0') { 0 } else { 1 };
                let effect = &analysis.effects[level];
                assert_eq!(effect.subgroup, level as u32);
                assert_eq!(effect.n as f64, number("n"));
                assert_close(
                    "subgroup estimate",
                    effect.effect.estimate,
                    number("estimate"),
                    1e-8,
                );
                assert_close(
                    "subgroup std_error",
                    effect.effect.std_error,
                    number("std_error"),
                    1e-8,
                );
                assert_close("subgroup df", effect.effect.df, number("df"), 1e-12);
                assert_close(
                    "subgroup p_value",
                    effect.effect.p_value,
                    number("p_value"),
                    1e-8,
                );
            }
            "subgroup_interaction" => {
                let t = number("estimate") / number("std_error");
                assert_close("interaction F = t²", analysis.interaction_f, t * t, 1e-8);
                assert_close(
                    "interaction p",
                    analysis.interaction_p_value,
                    number("p_value"),
                    1e-8,
                );
                assert_eq!(analysis.interaction_df, (1.0, number("df")));
            }
            _ => continue,
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
}
