//! The capacity and referral forecast: a municipality's caseload per
//! consultant for the next months, with a band, from what the work records.
//!
//! The method, in words (the page says the same): each month, the young
//! people who start a course are the screenings of a month like the recent
//! ones (one of the last months drawn at random), of which the eligible
//! share is randomised, the programme arm's share of those is offered the
//! programme, and the take-up share accepts (each young person a draw); each
//! young person in a course ends it in a given month with probability
//! 1 / the typical course length in months. 2,000 such futures from a fixed
//! seed give the median and the 10th–90th percentile band of the caseload
//! per consultant, month by month.

/// What the forecast starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastInput {
    /// Screenings per month, the most recent months (oldest first).
    pub screenings_per_month: Vec<u32>,
    /// The share of screenings that were eligible and randomised.
    pub randomised_share: f64,
    /// The programme arm's share of the allocation (0.5 for 1:1).
    pub programme_share: f64,
    /// The share of programme offers accepted.
    pub take_up: f64,
    /// The typical length of a course, in months (at least 1).
    pub course_months: f64,
    /// Young people in a course now.
    pub caseload: u32,
    /// Consultants now (at least 1 for a per-consultant figure).
    pub consultants: u32,
}

/// One month ahead: the median caseload per consultant and its band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastMonth {
    /// 1 = next month.
    pub month: u32,
    pub low: f64,
    pub median: f64,
    pub high: f64,
}

pub const PATHS: usize = 2000;

/// A small, fixed pseudo-random stream (SplitMix64), so the same data give
/// the same forecast on every page view and in tests.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A binomial draw: one Bernoulli draw each for small `n`; the normal
    /// approximation (with continuity correction) once `n·p·(1−p)` is at
    /// least 9, where it is close and a hundred times cheaper.
    fn binomial(&mut self, n: u32, p: f64) -> u32 {
        let variance = f64::from(n) * p * (1.0 - p);
        if variance < 9.0 {
            return (0..n).filter(|_| self.unit() < p).count() as u32;
        }
        // Box–Muller: a standard normal from two uniforms.
        let (u, v) = (self.unit().max(f64::MIN_POSITIVE), self.unit());
        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        (f64::from(n) * p + z * variance.sqrt())
            .round()
            .clamp(0.0, f64::from(n)) as u32
    }
}

/// The forecast for `months` months ahead. With no screenings recorded, the
/// inflow is nothing (and the page says so).
pub fn forecast(input: &ForecastInput, months: u32) -> Vec<ForecastMonth> {
    let clamp = |p: f64| {
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let start_share =
        clamp(input.randomised_share) * clamp(input.programme_share) * clamp(input.take_up);
    let exit = clamp(1.0 / input.course_months.max(1.0));
    let consultants = f64::from(input.consultants.max(1));
    let mut stream = Stream(0x5EED_2752);
    let mut paths: Vec<Vec<f64>> = vec![Vec::with_capacity(months as usize); months as usize];
    for _ in 0..PATHS {
        let mut caseload = input.caseload;
        for values in paths.iter_mut() {
            let screened = if input.screenings_per_month.is_empty() {
                0
            } else {
                let pick = (stream.next() % input.screenings_per_month.len() as u64) as usize;
                input.screenings_per_month[pick]
            };
            let starts = stream.binomial(screened, start_share);
            let ends = stream.binomial(caseload, exit);
            caseload = caseload - ends + starts;
            values.push(f64::from(caseload) / consultants);
        }
    }
    paths
        .into_iter()
        .enumerate()
        .map(|(m, mut values)| {
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((q * (values.len() - 1) as f64).round()) as usize];
            ForecastMonth {
                month: m as u32 + 1,
                low: at(0.1),
                median: at(0.5),
                high: at(0.9),
            }
        })
        .collect()
}

/// What the forecast means for the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Even the band's top stays below 80 % of the norm: too few referrals.
    TooFewReferrals,
    /// The median passes the norm: the team must grow (to `consultants`).
    TeamMustGrow { consultants: u32 },
    /// Within the norm.
    OnTrack,
}

/// Judges the last month of the forecast against the norm.
pub fn verdict(last: &ForecastMonth, norm: f64, consultants: u32) -> Verdict {
    if last.median > norm {
        let caseload = last.median * f64::from(consultants.max(1));
        Verdict::TeamMustGrow {
            consultants: (caseload / norm).ceil() as u32,
        }
    } else if last.high < 0.8 * norm {
        Verdict::TooFewReferrals
    } else {
        Verdict::OnTrack
    }
}

/// The programme's scaling ladder: 3 consultants, then 4, then 5.
pub fn ladder_step(consultants_needed: u32) -> u32 {
    consultants_needed.clamp(3, 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ForecastInput {
        ForecastInput {
            screenings_per_month: vec![20, 24, 16, 20, 22, 18],
            randomised_share: 0.8,
            programme_share: 0.5,
            take_up: 0.75,
            course_months: 10.0,
            caseload: 45,
            consultants: 3,
        }
    }

    #[test]
    fn the_median_follows_the_balance_of_starts_and_ends() {
        // 20 screenings × 0.8 × 0.5 × 0.75 = 6 starts a month; the steady
        // state is 6 × 10 = 60 in a course, 20 a consultant; from 45 (15) the
        // expected path is 60 − 15 × 0.9^m: 46.5 (15.5 a consultant) next
        // month, after 6 months 60 − 15 × 0.531 = 52.0 (17.3).
        let f = forecast(&input(), 6);
        assert_eq!(f.len(), 6);
        assert!((f[0].median - 15.5).abs() <= 0.5, "{:?}", f[0]);
        assert!((f[5].median - 17.3).abs() <= 0.6, "{:?}", f[5]);
        for m in &f {
            assert!(m.low <= m.median && m.median <= m.high, "{m:?}");
        }
        assert!(
            f[5].high - f[5].low > f[0].high - f[0].low,
            "the band widens"
        );
        assert_eq!(f, forecast(&input(), 6), "the same data, the same forecast");
    }

    #[test]
    fn the_binomial_draw_has_its_mean_and_spread() {
        for (n, p) in [(10, 0.3), (400, 0.1), (5000, 0.5)] {
            let mut stream = Stream(7);
            let draws: Vec<f64> = (0..20_000)
                .map(|_| f64::from(stream.binomial(n, p)))
                .collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let (want_mean, want_var) = (f64::from(n) * p, f64::from(n) * p * (1.0 - p));
            assert!(
                (mean - want_mean).abs() < 0.02 * want_mean + 0.05,
                "{n} {p}: mean {mean}"
            );
            assert!(
                (var - want_var).abs() < 0.05 * want_var + 0.05,
                "{n} {p}: variance {var}"
            );
        }
    }

    #[test]
    fn without_referrals_the_caseload_only_falls() {
        let mut quiet = input();
        quiet.screenings_per_month = vec![];
        let f = forecast(&quiet, 6);
        assert!(f[5].high < 15.0 * 0.9, "{:?}", f[5]);
        assert_eq!(verdict(&f[5], 15.0, 3), Verdict::TooFewReferrals);
    }

    #[test]
    fn verdicts_at_their_boundaries() {
        let month = |median: f64, high: f64| ForecastMonth {
            month: 6,
            low: 0.0,
            median,
            high,
        };
        assert_eq!(verdict(&month(15.0, 16.0), 15.0, 3), Verdict::OnTrack);
        assert_eq!(
            verdict(&month(15.1, 16.0), 15.0, 3),
            Verdict::TeamMustGrow { consultants: 4 }
        );
        assert_eq!(
            verdict(&month(10.0, 11.9), 15.0, 3),
            Verdict::TooFewReferrals
        );
        assert_eq!(verdict(&month(10.0, 12.0), 15.0, 3), Verdict::OnTrack);
        assert_eq!(ladder_step(2), 3);
        assert_eq!(ladder_step(7), 5);
    }
}
