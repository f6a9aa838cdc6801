//! `family_test`: several outcomes with their own missing values, tested on shared
//! re-randomisations of everyone randomised.

use spire_stats::ols::lm_robust;
use spire_stats::ri::{RiOptions, family_test, multiple_outcome_test};
use spire_stats::{SeType, TrialData};

struct Trial {
    z: Vec<f64>,
    age: Vec<f64>,
    female: Vec<f64>,
    strata: Vec<Option<u32>>,
    outcomes: Vec<Vec<f64>>,
}

fn trial(missing: bool) -> Trial {
    let n = 240;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let z: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    let age: Vec<f64> = (0..n).map(|_| 18.0 + (uniform() * 12.0).floor()).collect();
    let female: Vec<f64> = (0..n)
        .map(|_| f64::from(u8::from(uniform() < 0.45)))
        .collect();
    let strata = (0..n).map(|i| Some((i / 2 % 6) as u32)).collect();
    let mut outcomes: Vec<Vec<f64>> = vec![
        (0..n)
            .map(|i| f64::from(u8::from(uniform() < 0.3 + 0.15 * z[i])))
            .collect(),
        (0..n)
            .map(|i| 30.0 - 4.0 * z[i] + 0.3 * age[i] + uniform() * 25.0)
            .collect(),
        (0..n)
            .map(|_| f64::from(u8::from(uniform() < 0.4)))
            .collect(),
    ];
    if missing {
        // Attrition that differs by outcome and by arm.
        for (k, outcome) in outcomes.iter_mut().enumerate() {
            for (i, value) in outcome.iter_mut().enumerate() {
                let rate = if z[i] == 1.0 {
                    0.05
                } else {
                    0.12 + 0.04 * k as f64
                };
                if uniform() < rate {
                    *value = f64::NAN;
                }
            }
        }
    }
    Trial {
        z,
        age,
        female,
        strata,
        outcomes,
    }
}

#[test]
fn without_missing_values_it_is_the_multiple_outcome_test() {
    let t = trial(false);
    let outcomes: Vec<&[f64]> = t.outcomes.iter().map(Vec::as_slice).collect();
    let options = RiOptions {
        draws: 999,
        seed: 5,
        ..RiOptions::default()
    };
    let with: Vec<&[f64]> = vec![&t.age, &t.female];
    for covariates in [&[][..], &with[..]] {
        let family = family_test(&outcomes, &t.z, covariates, Some(&t.strata), &options).unwrap();
        let joint =
            multiple_outcome_test(&outcomes, &t.z, covariates, Some(&t.strata), &options).unwrap();
        for k in 0..3 {
            assert!((family.observed[k] - joint.observed[k]).abs() < 1e-9);
        }
        assert_eq!(family.p_values, joint.p_values);
        assert_eq!(family.romano_wolf, joint.romano_wolf);
    }
}

#[test]
fn with_attrition_each_outcome_keeps_its_units_and_romano_wolf_never_undercuts_the_raw_p() {
    let t = trial(true);
    let outcomes: Vec<&[f64]> = t.outcomes.iter().map(Vec::as_slice).collect();
    let covariates: Vec<&[f64]> = vec![&t.age, &t.female];
    let options = RiOptions {
        draws: 1999,
        seed: 9,
        ..RiOptions::default()
    };
    let family = family_test(&outcomes, &t.z, &covariates, Some(&t.strata), &options).unwrap();
    assert_eq!(family.n, 240, "nobody is dropped for a missing outcome");
    for (k, outcome) in outcomes.iter().enumerate() {
        // The observed statistic is the t of lm_robust on that outcome's own measured units
        // (lm_robust matches R estimatr to 1e-8 in the fixtures).
        let data = TrialData {
            outcome,
            treatment: &t.z,
            covariates: &covariates,
            strata: Some(&t.strata),
        };
        let fit = lm_robust(&data, SeType::Hc2, 0.05).unwrap();
        assert!(fit.n_dropped > 0);
        let t_stat = fit.treatment().t_stat;
        assert!(
            (family.observed[k] - t_stat).abs() < 1e-8 * t_stat.abs().max(1.0),
            "{k}"
        );
        assert!(family.romano_wolf[k] >= family.p_values[k]);
        assert!(family.p_values[k] > 0.0 && family.p_values[k] <= 1.0);
    }
    // The programme effect on the second outcome is strong; on the third there is none.
    assert!(family.romano_wolf[1] < 0.01, "{:?}", family.romano_wolf);
    assert!(family.p_values[2] > 0.05, "{:?}", family.p_values);
    // Reproducible and independent of the number of threads.
    let again = family_test(
        &outcomes,
        &t.z,
        &covariates,
        Some(&t.strata),
        &RiOptions {
            threads: 1,
            ..options
        },
    )
    .unwrap();
    assert_eq!(again.p_values, family.p_values);
}
