//! Speed of the matching engine on the two yardsticks. Std-only (no criterion) to keep
//! build times down on 2 cores: each figure is the median of repeated runs.
//!
//!     cargo bench -p spire-matching --bench deferred_acceptance [-- --write-json DIR]
//!
//! `--write-json DIR` also writes both instances as `spire match` input, so the Python peer
//! (`benches/peer.py`) and the whole CLI can be timed on exactly the same rankings.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use spire_matching::{
    Instance, Language, RotationRequest, check_stability, company_proposing, explain_all,
    plan_rotation, youth_proposing,
};

/// SplitMix64: tiny, deterministic, good enough for benchmark data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (((self.next() >> 32) * u64::from(n)) >> 32) as u32
    }

    fn shuffle(&mut self, items: &mut [u32]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}

struct Lists {
    name: &'static str,
    youth: Vec<Vec<u32>>,
    companies: Vec<Vec<u32>>,
    capacities: Vec<u32>,
}

/// Every youth ranks every company and every company every youth, in random orders.
fn full_lists(youth: u32, companies: u32, capacity: u32, seed: u64) -> Lists {
    let mut rng = Rng(seed);
    let permutation = |n: u32, rng: &mut Rng| {
        let mut items: Vec<u32> = (0..n).collect();
        rng.shuffle(&mut items);
        items
    };
    Lists {
        name: "full_2000x200",
        youth: (0..youth)
            .map(|_| permutation(companies, &mut rng))
            .collect(),
        companies: (0..companies)
            .map(|_| permutation(youth, &mut rng))
            .collect(),
        capacities: vec![capacity; companies as usize],
    }
}

/// Each youth ranks `length` companies drawn at random; each company ranks, in random order,
/// exactly the youth who ranked it.
fn short_lists(youth: u32, companies: u32, length: usize, capacity: u32, seed: u64) -> Lists {
    let mut rng = Rng(seed);
    let mut youth_lists = Vec::with_capacity(youth as usize);
    let mut applicants = vec![Vec::new(); companies as usize];
    for y in 0..youth {
        let mut list: Vec<u32> = Vec::with_capacity(length);
        while list.len() < length {
            let company = rng.below(companies);
            if !list.contains(&company) {
                list.push(company);
                applicants[company as usize].push(y);
            }
        }
        youth_lists.push(list);
    }
    for list in &mut applicants {
        rng.shuffle(list);
    }
    Lists {
        name: "lists20_100000x10000",
        youth: youth_lists,
        companies: applicants,
        capacities: vec![capacity; companies as usize],
    }
}

fn median_of<T>(runs: usize, mut work: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn report(lists: &Lists, runs: usize) {
    let index = median_of(runs, || {
        Instance::new(&lists.youth, &lists.companies, lists.capacities.clone()).unwrap()
    });
    let instance = Instance::new(&lists.youth, &lists.companies, lists.capacities.clone()).unwrap();
    let youth_side = median_of(runs, || youth_proposing(&instance));
    let company_side = median_of(runs, || company_proposing(&instance));
    let matching = youth_proposing(&instance);
    let stability = median_of(runs, || check_stability(&instance, &matching));
    let explain = median_of(runs, || {
        let names: Vec<String> = (0..instance.company_count())
            .map(|c| format!("c{c}"))
            .collect();
        explain_all(&instance, &matching)
            .unwrap()
            .iter()
            .map(|e| e.render(Language::Danish, |c| &names[c.index()]).len())
            .sum::<usize>()
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{:<22} runs {runs:>3} | build instance {:>8.3} ms | youth-proposing DA {:>8.3} ms | company-proposing DA {:>8.3} ms | \
         stability check {:>7.3} ms | explanations (da) {:>8.3} ms | matched {}",
        lists.name,
        ms(index),
        ms(youth_side),
        ms(company_side),
        ms(stability),
        ms(explain),
        matching.pairs().count()
    );
}

/// The `spire match` input format, written by hand to keep serde out of the benchmark.
fn write_json(lists: &Lists, dir: &std::path::Path) {
    let mut text = String::from("{\"youth\":[");
    for (y, list) in lists.youth.iter().enumerate() {
        let prefs: Vec<String> = list.iter().map(|c| format!("\"c{c}\"")).collect();
        let _ = write!(
            text,
            "{}{{\"id\":\"y{y}\",\"prefs\":[{}]}}",
            if y > 0 { "," } else { "" },
            prefs.join(",")
        );
    }
    text.push_str("],\"companies\":[");
    for (c, list) in lists.companies.iter().enumerate() {
        let prefs: Vec<String> = list.iter().map(|y| format!("\"y{y}\"")).collect();
        let _ = write!(
            text,
            "{}{{\"id\":\"c{c}\",\"capacity\":{},\"prefs\":[{}]}}",
            if c > 0 { "," } else { "" },
            lists.capacities[c],
            prefs.join(",")
        );
    }
    text.push_str("]}\n");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(format!("{}.json", lists.name));
    std::fs::write(&path, text).unwrap();
    println!("wrote {}", path.display());
}

/// A large event: 200 youth with 1–3 interests among 10 industries, 50 companies with 1–3
/// industries and 2–4 tables, 6 rounds, 4 meetings each.
fn report_rotation() {
    let mut rng = Rng(5);
    let some_industries = |rng: &mut Rng| {
        let mut industries: Vec<u32> = (0..10).collect();
        rng.shuffle(&mut industries);
        industries.truncate(1 + rng.below(3) as usize);
        industries
    };
    let request = RotationRequest {
        rounds: 6,
        meetings_per_youth: 4,
        youth_interests: (0..200).map(|_| some_industries(&mut rng)).collect(),
        company_industries: (0..50).map(|_| some_industries(&mut rng)).collect(),
        company_tables: (0..50).map(|_| 2 + rng.below(3)).collect(),
    };
    let time = median_of(11, || plan_rotation(&request));
    let plan = plan_rotation(&request);
    println!(
        "rotation_200x50x6      runs  11 | plan {:>8.3} ms | meetings {} | youth short of 4: {}",
        time.as_secs_f64() * 1e3,
        plan.meetings.len(),
        plan.shortfalls.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_dir = args
        .iter()
        .position(|a| a == "--write-json")
        .map(|i| PathBuf::from(&args[i + 1]));
    let full = full_lists(2_000, 200, 10, 7);
    report(&full, 51);
    let short = short_lists(100_000, 10_000, 20, 10, 11);
    report(&short, 11);
    report_rotation();
    if let Some(dir) = json_dir {
        write_json(&full, &dir);
        write_json(&short, &dir);
    }
}
