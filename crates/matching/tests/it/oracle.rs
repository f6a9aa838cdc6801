//! Differential test against the Python package `matching` 1.4.3 (fixtures made by
//! `tests/oracle/gen_fixtures.py`). Stable matchings that are youth-optimal (or company-optimal) are
//! unique, so the two implementations must agree exactly, youth by youth.

use serde_json::Value;
use spire_matching::{
    Company, Instance, Layout, check_stability, company_proposing, youth_proposing,
};

const FIXTURES: &str = include_str!("../oracle/hr_fixtures.json");

struct Case {
    seed: u64,
    /// The same instance in each rank layout.
    instances: [Instance; 2],
    youth_optimal: Vec<Option<Company>>,
    company_optimal: Vec<Option<Company>>,
}

fn int_lists(value: &Value) -> Vec<Vec<u32>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|list| {
            list.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u32)
                .collect()
        })
        .collect()
}

fn assignments(value: &Value) -> Vec<Option<Company>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().map(|c| Company(c as u32)))
        .collect()
}

fn cases() -> Vec<Case> {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("fixture is JSON");
    assert_eq!(
        fixtures["meta"]["matching"], "1.4.3",
        "fixtures come from the pinned oracle version"
    );
    let cases: Vec<Case> = fixtures["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let capacities: Vec<u32> = case["capacities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u32)
                .collect();
            let (youth, companies) = (
                int_lists(&case["youth_prefs"]),
                int_lists(&case["company_prefs"]),
            );
            let instance_in = |layout| {
                Instance::with_layout(
                    youth[..].into(),
                    companies[..].into(),
                    capacities.clone(),
                    layout,
                )
                .expect("fixture instance is valid")
            };
            Case {
                seed: case["seed"].as_u64().unwrap(),
                instances: [instance_in(Layout::Matrix), instance_in(Layout::Slots)],
                youth_optimal: assignments(&case["youth_optimal"]),
                company_optimal: assignments(&case["company_optimal"]),
            }
        })
        .collect();
    assert!(
        cases.len() >= 200,
        "the issue asks for at least 200 instances"
    );
    cases
}

#[test]
fn youth_proposing_equals_the_matching_package() {
    for case in cases() {
        for instance in &case.instances {
            let ours = youth_proposing(instance);
            assert_eq!(
                ours.assignments(),
                &case.youth_optimal[..],
                "seed {}",
                case.seed
            );
            assert_eq!(
                check_stability(instance, &ours),
                Ok(()),
                "seed {}",
                case.seed
            );
        }
    }
}

#[test]
fn company_proposing_equals_the_matching_package() {
    let cases = cases();
    for case in &cases {
        for instance in &case.instances {
            let ours = company_proposing(instance);
            assert_eq!(
                ours.assignments(),
                &case.company_optimal[..],
                "seed {}",
                case.seed
            );
        }
    }
    // The comparison is only informative if the two optimal matchings sometimes differ.
    let differing = cases
        .iter()
        .filter(|case| case.youth_optimal != case.company_optimal)
        .count();
    assert!(
        differing >= 20,
        "only {differing} fixtures separate the two sides"
    );
}
