//! Benchmarks at the trial's national scale (N = 50,000, 100 strata), timed with
//! `std::time::Instant`; each figure is the median of several runs. Run with
//! `cargo bench -p spire-stats --bench stats`; `peer.sh` runs R estimatr and numpy alongside.

use spire_stats::ri::{RiDesign, RiOptions, RiStatistic, randomization_test};
use spire_stats::{SeType, TrialData, dim, ols};
use std::time::{Duration, Instant};

/// Same shape as the peers' data: s ~ U{1..100}, z ~ Bernoulli(.5) balanced within strata,
/// x ~ N(0,1), y = .2z + s/100 + .5x + N(0,1).
struct Trial {
    y: Vec<f64>,
    z: Vec<f64>,
    x: Vec<f64>,
    s: Vec<Option<u32>>,
}

fn synthetic_trial(n: usize, strata: u32, seed: u64) -> Trial {
    let mut state = seed;
    let mut uniform = move || {
        // xorshift64*: plenty for benchmark data.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let normal = move |u: &mut dyn FnMut() -> f64| {
        (-2.0 * u().max(1e-300).ln()).sqrt() * (2.0 * std::f64::consts::PI * u()).cos()
    };
    let s: Vec<Option<u32>> = (0..n)
        .map(|_| Some((uniform() * strata as f64) as u32))
        .collect();
    // Alternate arms within each stratum: half treated, as a blocked design would.
    let mut seen = vec![0u32; strata as usize];
    let z: Vec<f64> = s
        .iter()
        .map(|s| {
            let count = &mut seen[s.unwrap() as usize];
            *count += 1;
            (*count % 2) as f64
        })
        .collect();
    let x: Vec<f64> = (0..n).map(|_| normal(&mut uniform)).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| 0.2 * z[i] + s[i].unwrap() as f64 / 100.0 + 0.5 * x[i] + normal(&mut uniform))
        .collect();
    Trial { y, z, x, s }
}

fn median_time<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(std::hint::black_box(work()));
        times.push(start.elapsed());
    }
    times.sort();
    (times[runs / 2], last.unwrap())
}

fn main() {
    let trial = synthetic_trial(50_000, 100, 2026);
    let covariates: [&[f64]; 1] = [&trial.x];
    let data = TrialData::new(&trial.y, &trial.z)
        .with_covariates(&covariates)
        .with_strata(&trial.s);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("spire-stats benchmarks, N = 50,000, 100 strata, {cores} cores");

    let (time, fit) = median_time(21, || ols::lm_robust(&data, SeType::Hc2, 0.05).unwrap());
    println!(
        "lm_robust HC2, y ~ z + x, 100 strata absorbed: median {:.3} ms (se {:.6})",
        ms(time),
        fit.treatment().std_error
    );

    let blocked = TrialData::new(&trial.y, &trial.z).with_strata(&trial.s);
    let (time, result) = median_time(21, || dim::difference_in_means(&blocked, 0.05).unwrap());
    println!(
        "difference_in_means blocked, 100 blocks: median {:.3} ms (se {:.6})",
        ms(time),
        result.effect.std_error
    );

    let studentised = TrialData::new(&trial.y, &trial.z).with_strata(&trial.s);
    let options = RiOptions {
        draws: 10_000,
        seed: 1,
        design: RiDesign::WithinStrata,
        ..Default::default()
    };
    let (time, ri) = median_time(5, || randomization_test(&studentised, &options).unwrap());
    println!(
        "randomisation inference, 10,000 draws within strata, studentised HC2: median {:.3} s (p = {:.4})",
        time.as_secs_f64(),
        ri.p_value
    );

    // One thread: the work per core, free of the other core's load.
    let one_thread = RiOptions {
        threads: 1,
        ..options
    };
    let (time, _) = median_time(3, || randomization_test(&studentised, &one_thread).unwrap());
    println!("  the same on 1 thread: median {:.3} s", time.as_secs_f64());

    let complete = TrialData::new(&trial.y, &trial.z);
    let options = RiOptions {
        draws: 10_000,
        seed: 1,
        design: RiDesign::Complete,
        ..Default::default()
    };
    let (time, ri) = median_time(5, || randomization_test(&complete, &options).unwrap());
    println!(
        "randomisation inference, 10,000 draws complete, studentised HC2: median {:.3} s (p = {:.4})",
        time.as_secs_f64(),
        ri.p_value
    );

    let options = RiOptions {
        statistic: RiStatistic::Coefficient,
        ..options
    };
    let (time, ri) = median_time(5, || randomization_test(&complete, &options).unwrap());
    println!(
        "randomisation inference, 10,000 draws complete, difference in means (numpy's task): median {:.3} s (p = {:.4})",
        time.as_secs_f64(),
        ri.p_value
    );

    let options = RiOptions {
        draws: 10_000,
        seed: 1,
        design: RiDesign::WithinStrata,
        ..Default::default()
    };
    let (time, ri) = median_time(3, || randomization_test(&data, &options).unwrap());
    println!(
        "randomisation inference, 10,000 draws within strata, with a covariate: median {:.3} s (p = {:.4})",
        time.as_secs_f64(),
        ri.p_value
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
