//! Randomisation inference: re-draw the assignment with the trial's own design (complete, or
//! permuted within strata, keeping each stratum's number treated), recompute the statistic of
//! `lm_robust(y ~ z + x, fixed_effects = ~s)` (studentised by default) and report
//! p = (#{|T*| ≥ |T_obs|} + 1)/(draws + 1).
//!
//! Draws are seeded and split into chunks of 64 with their own random streams, so a seed gives the
//! same p-value on any number of threads. Without covariates, when the permutation keeps every
//! absorbed stratum's arm sizes, the statistic is computed from per-stratum sums of the treated
//! units' outcomes (O(treated) per draw); otherwise by Frisch–Waugh–Lovell from the residual of
//! the drawn assignment on the covariates (O(N·K) per draw, no refit).

use crate::data::{Groups, prepare};
use crate::linalg::spd_inverse;
use crate::multiple::romano_wolf;
use crate::ols::{
    cross_product, dot, fit_prepared, hc_weight, quadratic_form, residuals, solve_with,
};
use crate::rng::Rng;
use crate::{SeType, StatsError, TrialData};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Relative slack when comparing |T*| with |T_obs|, so that rounding in the identity permutation
/// still counts as a tie.
pub const TIE_TOLERANCE: f64 = 1e-10;
const DRAWS_PER_CHUNK: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RiDesign {
    /// Complete randomisation of the whole sample with its number treated.
    Complete,
    /// Permutation within strata, keeping each stratum's number treated (complete when unstratified).
    #[default]
    WithinStrata,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RiStatistic {
    /// The t statistic coefficient / robust SE.
    #[default]
    Studentized,
    /// The coefficient itself.
    Coefficient,
}

#[derive(Clone, Copy, Debug)]
pub struct RiOptions {
    pub draws: usize,
    pub seed: u64,
    pub design: RiDesign,
    pub statistic: RiStatistic,
    pub se: SeType,
    /// Worker threads; 0 uses every available core.
    pub threads: usize,
}

impl Default for RiOptions {
    fn default() -> Self {
        RiOptions {
            draws: 1000,
            seed: 1,
            design: RiDesign::default(),
            statistic: RiStatistic::default(),
            se: SeType::Hc2,
            threads: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RiResult {
    pub observed: f64,
    pub p_value: f64,
    pub draws: usize,
    pub n: usize,
    pub n_dropped: usize,
}

/// Several outcomes tested on the same draws; Romano–Wolf step-down p-values over them.
#[derive(Clone, Debug)]
pub struct MultipleRiResult {
    pub observed: Vec<f64>,
    pub p_values: Vec<f64>,
    pub romano_wolf: Vec<f64>,
    pub draws: usize,
    pub n: usize,
    pub n_dropped: usize,
}

/// Randomisation p-value of the treatment in `lm_robust(y ~ z + x, fixed_effects = ~s)`.
pub fn randomization_test(data: &TrialData, options: &RiOptions) -> Result<RiResult, StatsError> {
    let result = multiple_outcome_test(
        &[data.outcome],
        data.treatment,
        data.covariates,
        data.strata,
        options,
    )?;
    Ok(RiResult {
        observed: result.observed[0],
        p_value: result.p_values[0],
        draws: result.draws,
        n: result.n,
        n_dropped: result.n_dropped,
    })
}

/// Randomisation p-values for several outcomes on shared draws, with Romano–Wolf adjustment.
/// Rows missing any outcome (or other used column) are dropped for all outcomes.
pub fn multiple_outcome_test(
    outcomes: &[&[f64]],
    treatment: &[f64],
    covariates: &[&[f64]],
    strata: Option<&[Option<u32>]>,
    options: &RiOptions,
) -> Result<MultipleRiResult, StatsError> {
    if outcomes.is_empty() || options.draws == 0 {
        return Err(StatsError::InvalidArgument(
            "randomisation inference needs an outcome and at least one draw".into(),
        ));
    }
    let data = TrialData {
        outcome: outcomes[0],
        treatment,
        covariates,
        strata,
    };
    let prepared = prepare(&data, &outcomes[1..])?;
    let outcome_columns: Vec<&Vec<f64>> = std::iter::once(&prepared.outcome)
        .chain(&prepared.extra)
        .collect();
    let regressors: Vec<Vec<f64>> = std::iter::once(prepared.treatment.clone())
        .chain(prepared.covariates.iter().cloned())
        .collect();
    let model_groups = &prepared.groups;

    let mut observed = Vec::with_capacity(outcome_columns.len());
    for outcome in &outcome_columns {
        let single = crate::data::Prepared {
            outcome: (*outcome).clone(),
            ..prepared.clone()
        };
        observed.push(statistic_of(
            &fit_prepared(&single, &regressors, options.se)?,
            options.statistic,
        ));
    }

    let permutation_blocks = match options.design {
        RiDesign::WithinStrata => model_groups.clone(),
        RiDesign::Complete => Groups::single(prepared.n()),
    };
    let sampler = Sampler::new(&prepared.treatment, &permutation_blocks);
    let demeaned: Vec<Vec<f64>> = outcome_columns
        .iter()
        .map(|y| model_groups.demean(y))
        .collect();
    let width = outcome_columns.len();
    let keeps_model_arm_sizes = options.design == RiDesign::WithinStrata || !prepared.stratified;
    let draws = if prepared.covariates.is_empty() && keeps_model_arm_sizes {
        let model = StratumSumsModel::new(&prepared.treatment, model_groups, options.se)?;
        // Rows of the demeaned outcomes, laid out block by block: row i holds unit i's outcomes.
        let rows: Vec<f64> = sampler
            .order
            .iter()
            .flat_map(|&i| demeaned.iter().map(move |y| y[i as usize]))
            .collect();
        let totals: Vec<Vec<(f64, f64)>> = (0..width)
            .map(|o| {
                let column: Vec<f64> = rows.iter().skip(o).step_by(width).copied().collect();
                sampler.block_totals(&column)
            })
            .collect();
        let (rows, totals, model, sampler) = (&rows, &totals, &model, &sampler);
        run_chunks(options.draws, options.seed, width, options.threads, || {
            let mut working = rows.clone();
            let mut sums = vec![vec![(0.0, 0.0); sampler.blocks.len()]; width];
            let mut drawn = vec![(0.0, 0.0); width];
            move |rng: &mut Rng, chunk_start: bool, out: &mut [f64]| {
                if chunk_start {
                    working.copy_from_slice(rows);
                }
                // Partial Fisher–Yates on the rows themselves, summing the drawn rows as they land
                // (a tight loop of its own for the common single outcome).
                for (b, block) in sampler.blocks.iter().enumerate() {
                    let slice =
                        &mut working[block.start * width..(block.start + block.len) * width];
                    drawn.fill((0.0, 0.0));
                    if width == 1 {
                        let (mut sum, mut squares) = (0.0, 0.0);
                        for i in 0..block.selected {
                            let j = i + rng.below((block.len - i) as u32) as usize;
                            slice.swap(i, j);
                            let v = slice[i];
                            sum += v;
                            squares += v * v;
                        }
                        drawn[0] = (sum, squares);
                    } else {
                        for i in 0..block.selected {
                            let j = i + rng.below((block.len - i) as u32) as usize;
                            for o in 0..width {
                                slice.swap(i * width + o, j * width + o);
                                let v = slice[i * width + o];
                                drawn[o].0 += v;
                                drawn[o].1 += v * v;
                            }
                        }
                    }
                    for o in 0..width {
                        let total = totals[o][b];
                        sums[o][b] = if block.selected_are_treated {
                            drawn[o]
                        } else {
                            (total.0 - drawn[o].0, total.1 - drawn[o].1)
                        };
                    }
                }
                for o in 0..width {
                    out[o] = model.statistic(&sums[o], &totals[o], options.statistic);
                }
            }
        })
    } else {
        let covariate_columns: Vec<Vec<f64>> = prepared
            .covariates
            .iter()
            .map(|c| model_groups.demean(c))
            .collect();
        let model = PartialledModel::new(model_groups, covariate_columns, &demeaned, options.se)?;
        let model = &model;
        run_draws(
            &sampler,
            options.draws,
            options.seed,
            width,
            options.threads,
            || {
                let mut assignment = vec![0.0; prepared.n()];
                move |draw: &Draw, out: &mut [f64]| {
                    draw.treatment_into(&mut assignment);
                    model.statistics(&assignment, options.statistic, out);
                }
            },
        )
    };

    Ok(summarise_draws(
        observed,
        &draws,
        options.draws,
        prepared.n(),
        prepared.n_dropped,
    ))
}

/// Raw p-values p = (#{|T*| ≥ |T_obs|} + 1)/(draws + 1) and Romano–Wolf from
/// draws × outcomes statistics (row-major).
fn summarise_draws(
    observed: Vec<f64>,
    draws: &[f64],
    draw_count: usize,
    n: usize,
    n_dropped: usize,
) -> MultipleRiResult {
    let width = observed.len();
    let draw_rows: Vec<Vec<f64>> = draws.chunks(width).map(|row| row.to_vec()).collect();
    let p_values = (0..width)
        .map(|o| {
            let threshold = observed[o].abs() * (1.0 - TIE_TOLERANCE);
            let extreme = draw_rows
                .iter()
                .filter(|row| row[o].abs() >= threshold)
                .count();
            (extreme + 1) as f64 / (draw_count + 1) as f64
        })
        .collect();
    MultipleRiResult {
        romano_wolf: romano_wolf(&observed, &draw_rows),
        observed,
        p_values,
        draws: draw_count,
        n,
        n_dropped,
    }
}

/// Several outcomes measured on different units (attrition), tested on shared re-randomisations
/// of everyone randomised: each draw re-assigns the whole sample by the design, and each
/// outcome's statistic is recomputed on the units where that outcome was measured (missingness
/// taken as fixed). Raw p-values and Romano–Wolf come from the same draws, so the adjusted value
/// is never below the raw one. Rows missing the treatment, a covariate or the stratum are
/// dropped for every outcome; with no outcome missing this equals [`multiple_outcome_test`].
pub fn family_test(
    outcomes: &[&[f64]],
    treatment: &[f64],
    covariates: &[&[f64]],
    strata: Option<&[Option<u32>]>,
    options: &RiOptions,
) -> Result<MultipleRiResult, StatsError> {
    if outcomes.is_empty() || options.draws == 0 {
        return Err(StatsError::InvalidArgument(
            "randomisation inference needs an outcome and at least one draw".into(),
        ));
    }
    // The design sample: everyone with a treatment, covariates and stratum (outcomes aside).
    for found in outcomes.iter().map(|y| y.len()) {
        if found != treatment.len() {
            return Err(StatsError::LengthMismatch {
                expected: treatment.len(),
                found,
            });
        }
    }
    let always = vec![0.0; treatment.len()];
    let design = prepare(
        &TrialData {
            outcome: &always,
            treatment,
            covariates,
            strata,
        },
        &[],
    )?;
    let n = design.n();
    // Per outcome: the positions (in the design sample) where it was measured, and its model.
    let observed_at: Vec<Vec<usize>> = outcomes
        .iter()
        .map(|y| (0..n).filter(|&i| !y[design.rows[i]].is_nan()).collect())
        .collect();
    let groups: Vec<Groups> = observed_at
        .iter()
        .map(|at| Groups::from_labels(at.iter().map(|&i| design.groups.of_unit[i])))
        .collect();
    let mut models = Vec::with_capacity(outcomes.len());
    let mut observed = Vec::with_capacity(outcomes.len());
    for ((y, at), groups) in outcomes.iter().zip(&observed_at).zip(&groups) {
        let pick = |column: &[f64]| at.iter().map(|&i| column[i]).collect::<Vec<f64>>();
        let outcome: Vec<f64> = at.iter().map(|&i| y[design.rows[i]]).collect();
        let covariate_columns: Vec<Vec<f64>> = design
            .covariates
            .iter()
            .map(|c| groups.demean(&pick(c)))
            .collect();
        let model = PartialledModel::new(
            groups,
            covariate_columns,
            &[groups.demean(&outcome)],
            options.se,
        )?;
        let mut statistic = [0.0];
        model.statistics(&pick(&design.treatment), options.statistic, &mut statistic);
        if !statistic[0].is_finite() {
            return Err(StatsError::SingularDesign);
        }
        observed.push(statistic[0]);
        models.push(model);
    }
    let permutation_blocks = match options.design {
        RiDesign::WithinStrata => design.groups.clone(),
        RiDesign::Complete => Groups::single(n),
    };
    let sampler = Sampler::new(&design.treatment, &permutation_blocks);
    let width = outcomes.len();
    let (models, observed_at) = (&models, &observed_at);
    let draws = run_draws(
        &sampler,
        options.draws,
        options.seed,
        width,
        options.threads,
        || {
            let mut assignment = vec![0.0; n];
            let mut subset = Vec::with_capacity(n);
            move |draw: &Draw, out: &mut [f64]| {
                draw.treatment_into(&mut assignment);
                for (k, (model, at)) in models.iter().zip(observed_at).enumerate() {
                    subset.clear();
                    subset.extend(at.iter().map(|&i| assignment[i]));
                    model.statistics(&subset, options.statistic, &mut out[k..k + 1]);
                }
            }
        },
    );
    Ok(summarise_draws(
        observed,
        &draws,
        options.draws,
        n,
        design.n_dropped,
    ))
}

fn statistic_of(fit: &crate::ols::RobustFit, statistic: RiStatistic) -> f64 {
    match statistic {
        RiStatistic::Studentized => fit.t_stat(0),
        RiStatistic::Coefficient => fit.coefficients[0],
    }
}

#[derive(Clone, Copy, Debug)]
struct Block {
    start: usize,
    len: usize,
    /// Units drawn per block: the smaller arm, which is cheaper to sample.
    selected: usize,
    selected_are_treated: bool,
}

/// Units laid out block by block; a draw picks `selected` units of each block.
pub(crate) struct Sampler {
    /// Index (in the prepared sample) of the unit at each block-sorted position.
    order: Vec<u32>,
    blocks: Vec<Block>,
}

impl Sampler {
    pub fn new(treatment: &[f64], blocks: &Groups) -> Sampler {
        let mut starts = Vec::with_capacity(blocks.count());
        let mut next = 0;
        for &size in &blocks.sizes {
            starts.push(next);
            next += size;
        }
        let mut fill = starts.clone();
        let mut order = vec![0u32; treatment.len()];
        let mut treated = vec![0usize; blocks.count()];
        for (unit, &group) in blocks.of_unit.iter().enumerate() {
            order[fill[group as usize]] = unit as u32;
            fill[group as usize] += 1;
            treated[group as usize] += (treatment[unit] == 1.0) as usize;
        }
        let blocks = starts
            .iter()
            .zip(&blocks.sizes)
            .zip(&treated)
            .map(|((&start, &len), &treated)| Block {
                start,
                len,
                selected: treated.min(len - treated),
                selected_are_treated: treated <= len - treated,
            })
            .collect();
        Sampler { order, blocks }
    }

    /// Per block (Σ v, Σ v²) of values laid out in block-sorted order.
    fn block_totals(&self, sorted: &[f64]) -> Vec<(f64, f64)> {
        self.blocks
            .iter()
            .map(|b| {
                sorted[b.start..b.start + b.len]
                    .iter()
                    .fold((0.0, 0.0), |(s, q), v| (s + v, q + v * v))
            })
            .collect()
    }
}

/// One re-randomisation: in each block's slice of `positions`, the first `selected` are drawn.
pub(crate) struct Draw<'a> {
    positions: &'a [u32],
    sampler: &'a Sampler,
}

impl Draw<'_> {
    /// The drawn assignment as 0/1 in the prepared sample's order.
    pub fn treatment_into(&self, assignment: &mut [f64]) {
        for block in &self.sampler.blocks {
            let slice = &self.positions[block.start..block.start + block.len];
            let (drawn, rest) = slice.split_at(block.selected);
            let (drawn_value, rest_value) = if block.selected_are_treated {
                (1.0, 0.0)
            } else {
                (0.0, 1.0)
            };
            for &p in drawn {
                assignment[self.sampler.order[p as usize] as usize] = drawn_value;
            }
            for &p in rest {
                assignment[self.sampler.order[p as usize] as usize] = rest_value;
            }
        }
    }
}

/// Run `draws` re-randomisations on all threads. `make_worker` builds one worker per thread,
/// called as `worker(rng, chunk_start, out)` to make one draw and write `width` statistics; it
/// must restore its starting layout when `chunk_start` is true, so that each chunk's draws depend
/// only on (seed, chunk) and not on the number of threads. Returns draws × width, row-major.
fn run_chunks<F, W>(
    draws: usize,
    seed: u64,
    width: usize,
    threads: usize,
    make_worker: F,
) -> Vec<f64>
where
    F: Fn() -> W + Sync,
    W: FnMut(&mut Rng, bool, &mut [f64]),
{
    let chunks = draws.div_ceil(DRAWS_PER_CHUNK);
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if threads == 0 { available } else { threads }.clamp(1, chunks.max(1));
    let next_chunk = AtomicUsize::new(0);
    let work = || {
        let mut worker = make_worker();
        let mut finished = Vec::new();
        loop {
            let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
            if chunk >= chunks {
                break finished;
            }
            let mut rng = Rng::for_stream(seed, chunk as u64);
            let count = DRAWS_PER_CHUNK.min(draws - chunk * DRAWS_PER_CHUNK);
            let mut values = vec![0.0; count * width];
            for (index, out) in values.chunks_mut(width).enumerate() {
                worker(&mut rng, index == 0, out);
            }
            finished.push((chunk, values));
        }
    };
    let mut results = vec![0.0; draws * width];
    let per_thread: Vec<Vec<(usize, Vec<f64>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("randomisation worker panicked"))
            .collect()
    });
    for (chunk, values) in per_thread.into_iter().flatten() {
        let start = chunk * DRAWS_PER_CHUNK * width;
        results[start..start + values.len()].copy_from_slice(&values);
    }
    results
}

/// Draws as explicit assignments: `make_evaluator` builds one evaluator per thread that reads a
/// [`Draw`] and writes `width` statistics.
pub(crate) fn run_draws<F, E>(
    sampler: &Sampler,
    draws: usize,
    seed: u64,
    width: usize,
    threads: usize,
    make_evaluator: F,
) -> Vec<f64>
where
    F: Fn() -> E + Sync,
    E: FnMut(&Draw, &mut [f64]),
{
    let identity: Vec<u32> = (0..sampler.order.len() as u32).collect();
    let identity = &identity;
    run_chunks(draws, seed, width, threads, || {
        let mut evaluate = make_evaluator();
        let mut positions = identity.clone();
        move |rng: &mut Rng, chunk_start: bool, out: &mut [f64]| {
            if chunk_start {
                positions.copy_from_slice(identity);
            }
            for block in &sampler.blocks {
                let slice = &mut positions[block.start..block.start + block.len];
                for i in 0..block.selected {
                    slice.swap(i, i + rng.below((block.len - i) as u32) as usize);
                }
            }
            evaluate(
                &Draw {
                    positions: &positions,
                    sampler,
                },
                out,
            );
        }
    })
}

/// y ~ z + x with absorbed strata for any draw. By Frisch–Waugh–Lovell the coefficient of z and
/// its HC variance need only r, the residual of the demeaned draw on the demeaned covariates, and
/// the outcomes' residuals on the covariates (fixed across draws): h_ii = h_ii(x) + r_i²/Σr².
struct PartialledModel<'a> {
    groups: &'a Groups,
    covariates: Vec<Vec<f64>>,
    bread: Vec<f64>,
    /// Leverage of each unit in the model without z: covariates plus strata.
    covariate_leverage: Vec<f64>,
    outcome_residuals: Vec<Vec<f64>>,
    se: SeType,
    hc1_scale: f64,
}

impl<'a> PartialledModel<'a> {
    fn new(
        groups: &'a Groups,
        covariates: Vec<Vec<f64>>,
        outcomes: &[Vec<f64>],
        se: SeType,
    ) -> Result<Self, StatsError> {
        let k = covariates.len();
        let bread =
            spd_inverse(&cross_product(&covariates), k).ok_or(StatsError::SingularDesign)?;
        let n = groups.of_unit.len();
        let mut row = vec![0.0; k];
        let covariate_leverage = (0..n)
            .map(|i| {
                row.iter_mut()
                    .zip(&covariates)
                    .for_each(|(value, column)| *value = column[i]);
                quadratic_form(&bread, &row) + 1.0 / groups.sizes[groups.of_unit[i] as usize] as f64
            })
            .collect();
        let outcome_residuals = outcomes
            .iter()
            .map(|y| residuals(y, &covariates, &solve_with(&bread, &covariates, y)))
            .collect();
        let hc1_scale = n as f64 / (n as f64 - k as f64 - 1.0 - groups.count() as f64);
        Ok(PartialledModel {
            groups,
            covariates,
            bread,
            covariate_leverage,
            outcome_residuals,
            se,
            hc1_scale,
        })
    }

    /// The statistic of each outcome for one drawn assignment (NaN when it cannot be fitted).
    fn statistics(&self, assignment: &[f64], statistic: RiStatistic, out: &mut [f64]) {
        let demeaned = self.groups.demean(assignment);
        let r = residuals(
            &demeaned,
            &self.covariates,
            &solve_with(&self.bread, &self.covariates, &demeaned),
        );
        let sum_r2 = dot(&r, &r);
        for (value, e) in out.iter_mut().zip(&self.outcome_residuals) {
            if !(sum_r2 > 1e-12 * dot(&demeaned, &demeaned)) {
                *value = f64::NAN; // the draw is collinear with the covariates
                continue;
            }
            let beta = dot(&r, e) / sum_r2;
            if statistic == RiStatistic::Coefficient {
                *value = beta;
                continue;
            }
            let mut meat = 0.0;
            for i in 0..r.len() {
                let residual = e[i] - beta * r[i];
                let leverage = || self.covariate_leverage[i] + r[i] * r[i] / sum_r2;
                match hc_weight(self.se, residual * residual, self.hc1_scale, leverage) {
                    Some(weight) => meat += r[i] * r[i] * weight,
                    None => {
                        meat = f64::NAN;
                        break;
                    }
                }
            }
            *value = beta / (meat.sqrt() / sum_r2);
        }
    }
}

/// y ~ z with absorbed strata when draws keep each stratum's arm sizes: the demeaned treatment
/// takes two values per stratum (1 − p_g treated, −p_g control), so the coefficient and its HC
/// variance follow from the per-stratum sums of the treated units' demeaned outcomes and squares.
struct StratumSumsModel {
    strata: Vec<StratumConstants>,
    sum_z2: f64,
}

struct StratumConstants {
    treated_value: f64,
    control_value: f64,
    treated: f64,
    control: f64,
    treated_weight: f64,
    control_weight: f64,
}

impl StratumSumsModel {
    fn new(treatment: &[f64], groups: &Groups, se: SeType) -> Result<StratumSumsModel, StatsError> {
        let shares = groups.means(treatment);
        let sum_z2: f64 = shares
            .iter()
            .zip(&groups.sizes)
            .map(|(p, &n)| n as f64 * p * (1.0 - p))
            .sum();
        let n = treatment.len() as f64;
        let hc1_scale = n / (n - 1.0 - groups.count() as f64);
        let weight = |value: f64, size: usize| -> Result<f64, StatsError> {
            hc_weight(se, 1.0, hc1_scale, || {
                value * value / sum_z2 + 1.0 / size as f64
            })
            .ok_or(StatsError::LeverageOne { row: 0 })
        };
        let strata = shares
            .iter()
            .zip(&groups.sizes)
            .map(|(&p, &size)| {
                Ok(StratumConstants {
                    treated_value: 1.0 - p,
                    control_value: -p,
                    treated: p * size as f64,
                    control: (1.0 - p) * size as f64,
                    treated_weight: weight(1.0 - p, size)?,
                    control_weight: weight(-p, size)?,
                })
            })
            .collect::<Result<_, StatsError>>()?;
        Ok(StratumSumsModel { strata, sum_z2 })
    }

    /// `treated[g]` = (Σ ỹ, Σ ỹ²) over the drawn treated units of stratum g; `totals[g]` over all.
    fn statistic(
        &self,
        treated: &[(f64, f64)],
        totals: &[(f64, f64)],
        statistic: RiStatistic,
    ) -> f64 {
        let cross: f64 = self
            .strata
            .iter()
            .zip(treated.iter().zip(totals))
            .map(|(c, (t, total))| c.treated_value * t.0 + c.control_value * (total.0 - t.0))
            .sum();
        let beta = cross / self.sum_z2;
        if statistic == RiStatistic::Coefficient {
            return beta;
        }
        let mut meat = 0.0;
        for (c, (t, total)) in self.strata.iter().zip(treated.iter().zip(totals)) {
            // Σ over an arm of (ỹ − β z̃)² with z̃ constant in the arm, expanded in the sums.
            let arm = |value: f64, count: f64, sum: f64, squares: f64| {
                squares - 2.0 * beta * value * sum + count * beta * beta * value * value
            };
            meat += c.treated_value
                * c.treated_value
                * c.treated_weight
                * arm(c.treated_value, c.treated, t.0, t.1);
            meat += c.control_value
                * c.control_value
                * c.control_weight
                * arm(c.control_value, c.control, total.0 - t.0, total.1 - t.1);
        }
        beta / (meat.sqrt() / self.sum_z2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (Vec<f64>, Vec<f64>, Vec<Option<u32>>) {
        let n = 90;
        let strata: Vec<Option<u32>> = (0..n).map(|i| Some((i % 3) as u32)).collect();
        let treatment: Vec<f64> = (0..n).map(|i| ((i / 3) % 3 == 0) as u32 as f64).collect();
        let outcome: Vec<f64> = (0..n)
            .map(|i| ((i * 37) % 11) as f64 * 0.3 + 0.5 * treatment[i] + (i % 3) as f64)
            .collect();
        (outcome, treatment, strata)
    }

    #[test]
    fn fast_statistic_equals_the_refitted_regression() {
        let (y, z, strata) = example();
        let data = TrialData::new(&y, &z).with_strata(&strata);
        for se in [SeType::Hc0, SeType::Hc1, SeType::Hc2, SeType::Hc3] {
            let prepared = prepare(&data, &[]).unwrap();
            let fit =
                fit_prepared(&prepared, std::slice::from_ref(&prepared.treatment), se).unwrap();
            let sampler = Sampler::new(&prepared.treatment, &prepared.groups);
            let sorted: Vec<f64> = {
                let demeaned = prepared.groups.demean(&prepared.outcome);
                sampler
                    .order
                    .iter()
                    .map(|&i| demeaned[i as usize])
                    .collect()
            };
            let totals = sampler.block_totals(&sorted);
            // The identity draw: treated units are those actually treated.
            let treated: Vec<(f64, f64)> = sampler
                .blocks
                .iter()
                .map(|b| {
                    sampler.order[b.start..b.start + b.len]
                        .iter()
                        .zip(&sorted[b.start..b.start + b.len])
                        .filter(|(i, _)| prepared.treatment[**i as usize] == 1.0)
                        .fold((0.0, 0.0), |(s, q), (_, v)| (s + v, q + v * v))
                })
                .collect();
            let model = StratumSumsModel::new(&prepared.treatment, &prepared.groups, se).unwrap();
            let fast = model.statistic(&treated, &totals, RiStatistic::Studentized);
            assert!(
                (fast - fit.t_stat(0)).abs() < 1e-10 * fit.t_stat(0).abs(),
                "{se:?}: {fast} vs {}",
                fit.t_stat(0)
            );
        }
    }

    #[test]
    fn partialled_statistic_equals_the_full_refit() {
        let (y, z, strata) = example();
        let x: Vec<f64> = (0..y.len())
            .map(|i| ((i * 13) % 7) as f64 - 0.1 * z[i])
            .collect();
        let covariates: [&[f64]; 1] = [&x];
        let data = TrialData::new(&y, &z)
            .with_covariates(&covariates)
            .with_strata(&strata);
        let prepared = prepare(&data, &[]).unwrap();
        let groups = &prepared.groups;
        // An assignment that changes the strata's arm sizes, as complete randomisation would.
        let drawn: Vec<f64> = (0..y.len())
            .map(|i| ((i * 7) % 5 < 2) as u8 as f64)
            .collect();
        let refit = crate::data::Prepared {
            treatment: drawn.clone(),
            ..prepared.clone()
        };
        for se in [SeType::Hc0, SeType::Hc1, SeType::Hc2, SeType::Hc3] {
            let full =
                fit_prepared(&refit, &[drawn.clone(), prepared.covariates[0].clone()], se).unwrap();
            let model =
                PartialledModel::new(groups, vec![groups.demean(&x)], &[groups.demean(&y)], se)
                    .unwrap();
            let mut out = [0.0];
            model.statistics(&drawn, RiStatistic::Studentized, &mut out);
            assert!(
                (out[0] - full.t_stat(0)).abs() < 1e-10 * full.t_stat(0).abs(),
                "{se:?}: {} vs {}",
                out[0],
                full.t_stat(0)
            );
            model.statistics(&drawn, RiStatistic::Coefficient, &mut out);
            assert!((out[0] - full.coefficients[0]).abs() < 1e-12 * full.coefficients[0].abs());
        }
    }

    #[test]
    fn same_seed_same_p_value_on_any_number_of_threads() {
        let (y, z, strata) = example();
        let data = TrialData::new(&y, &z).with_strata(&strata);
        let options = RiOptions {
            draws: 500,
            seed: 9,
            threads: 1,
            ..Default::default()
        };
        let one = randomization_test(&data, &options).unwrap();
        let two = randomization_test(
            &data,
            &RiOptions {
                threads: 2,
                ..options
            },
        )
        .unwrap();
        assert_eq!(one.p_value, two.p_value);
        let other_seed = randomization_test(
            &data,
            &RiOptions {
                seed: 10,
                ..options
            },
        )
        .unwrap();
        assert_eq!(one.observed, other_seed.observed);
    }

    #[test]
    fn permutations_keep_each_strata_arm_sizes() {
        let (_, z, strata) = example();
        let groups = Groups::from_labels(strata.iter().map(|s| s.unwrap()));
        let sampler = Sampler::new(&z, &groups);
        let draws = run_draws(&sampler, 100, 3, z.len(), 2, || {
            |draw: &Draw, out: &mut [f64]| draw.treatment_into(out)
        });
        for assignment in draws.chunks(z.len()) {
            for g in 0..3 {
                let treated = (0..z.len())
                    .filter(|&i| groups.of_unit[i] == g && assignment[i] == 1.0)
                    .count();
                assert_eq!(treated, 10);
            }
        }
        assert!(
            draws.chunks(z.len()).any(|a| a != z.as_slice()),
            "draws must move units"
        );
    }
}
