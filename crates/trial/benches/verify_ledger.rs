//! Verifying a 1,000,000-entry ledger, and the Merkle root of 1,000,000 leaves.
//! Run: `cargo bench -p spire-trial --bench verify_ledger` (prints medians of 3 runs), for a
//! stratified-blocks trial and a minimisation trial over 784 strata, with a head signed every 1,000.

use spire_trial::merkle::root;
use spire_trial::{
    Allocator, Design, HeadSigner, Imbalance, InMemoryLedger, LedgerEvidence, Made, Method,
    Probability, Revealed, StratumKey, SubjectPseudonym, TreeHead, TrialKey, UtcTime,
    verify_ledger,
};
use std::time::{Duration, Instant};

const ENTRIES: u64 = 1_000_000;
const HEAD_EVERY: u64 = 1_000;
const TRIAL: &str = "bench-trial";

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time_it<T>(label: &str, mut work: impl FnMut() -> T) -> T {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let start = Instant::now();
        last = Some(std::hint::black_box(work()));
        runs.push(start.elapsed());
    }
    println!(
        "{label}: median {:.3} s of 3 runs",
        median(runs).as_secs_f64()
    );
    last.expect("ran")
}

fn main() {
    let factors = ["municipality", "readiness", "age_band"];
    let blocks = Design::stratified_blocks(TRIAL, &factors);
    let minimisation = Design {
        method: Method::Minimisation {
            weights: vec![1, 1, 1],
            imbalance: Imbalance::Range,
            preferred_probability: Probability::DEFAULT_PREFERRED,
        },
        ..blocks.clone()
    };
    for design in [blocks, minimisation] {
        bench_design(&design);
    }
    bench_head_signatures();
    bench_every_head();
}

/// What `trial verify` pays for checking every stored head (one per entry), both signatures,
/// on every core: the cost that grows with the ledger now that no head is skipped.
fn bench_every_head() {
    let signer = HeadSigner::from_seed([7; 32]);
    let public_key = signer.public_key();
    let leaves: Vec<_> = (0..10_000u32)
        .map(|n| spire_trial::merkle::leaf_hash(&n.to_be_bytes()))
        .collect();
    let tree = spire_trial::MerkleTree::from_leaf_hashes(leaves);
    let heads: Vec<_> = (1..=tree.len())
        .map(|size| {
            signer.sign(TreeHead {
                trial_id: TRIAL.into(),
                size,
                root: tree.root_at(size).expect("within the tree"),
                time: UtcTime {
                    unix_seconds: 1_767_225_600 + size as i64,
                    nanos: 0,
                },
            })
        })
        .collect();
    let findings = time_it(
        "verify_heads: 10,000 heads, both signatures each, on every core",
        || spire_trial::verify_heads(TRIAL, &heads, &[], &public_key, &tree),
    );
    assert!(findings.is_empty(), "{findings:?}");
}

/// What one signed head costs the verifier: decides how many heads a store should keep.
fn bench_head_signatures() {
    let signer = HeadSigner::from_seed([7; 32]);
    let public_key = signer.public_key();
    let heads: Vec<_> = (0..10_000u64)
        .map(|size| {
            let time = UtcTime {
                unix_seconds: 1_767_225_600 + size as i64,
                nanos: 0,
            };
            signer.sign(TreeHead {
                trial_id: TRIAL.into(),
                size,
                root: [9; 32],
                time,
            })
        })
        .collect();
    let valid = time_it("verify 10,000 signed tree heads", || {
        heads.iter().filter(|head| head.verify(&public_key)).count()
    });
    assert_eq!(valid, heads.len());
}

fn bench_design(design: &Design) {
    println!("design {}:", design.method.name());
    let key = TrialKey::from_bytes([42; 32]);
    let signer = HeadSigner::from_seed([7; 32]);
    let allocator = Allocator::new(&key, design).expect("valid design");
    // 98 municipalities × 4 readiness categories × 2 age bands = 784 strata.
    let strata: Vec<StratumKey> = (0..784u32)
        .map(|s| {
            StratumKey::new([
                ("municipality", format!("{}", 101 + s / 8)),
                (
                    "readiness",
                    [
                        "jobparat",
                        "aktivitetsparat",
                        "uddannelsesparat",
                        "aabenlyst",
                    ][(s % 4) as usize]
                        .to_string(),
                ),
                (
                    "age_band",
                    ["18-24", "25-29"][(s / 4 % 2) as usize].to_string(),
                ),
            ])
        })
        .collect();

    let start = Instant::now();
    let mut ledger = InMemoryLedger::new(TRIAL);
    let mut heads = Vec::new();
    for i in 0..ENTRIES {
        let mut pseudonym = [0u8; 32];
        pseudonym[..8].copy_from_slice(&i.to_be_bytes());
        let time = UtcTime {
            unix_seconds: 1_767_225_600 + i as i64,
            nanos: 0,
        };
        let stratum = &strata[(i.wrapping_mul(2_654_435_761) % 784) as usize];
        let made = Made {
            actor_id: "caseworker-1",
            time,
        };
        ledger
            .allocate(
                &allocator,
                stratum,
                SubjectPseudonym(pseudonym),
                [0xBA; 32],
                made,
            )
            .expect("allocates");
        if (i + 1) % HEAD_EVERY == 0 {
            heads.push(ledger.sign_head(&signer, time));
        }
    }
    let built = start.elapsed();
    println!(
        "  built {ENTRIES} allocations with {} signed heads in {:.3} s ({:.1} µs per allocation incl. leaf, tree append and signing)",
        heads.len(),
        built.as_secs_f64(),
        built.as_secs_f64() * 1e6 / ENTRIES as f64
    );

    let leaf_hashes: Vec<_> = ledger
        .rows()
        .iter()
        .map(|row| row.stored_leaf_hash)
        .collect();
    time_it("  Merkle root of 1,000,000 leaf hashes", || {
        root(&leaf_hashes)
    });

    let public_key = signer.public_key();
    let evidence = |revealed| LedgerEvidence {
        trial_id: TRIAL,
        rows: ledger.rows(),
        heads: &heads,
        saved: &[],
        head_public_key: &public_key,
        revealed,
    };
    let findings = time_it("  verify 1,000,000 entries without the key", || {
        verify_ledger(&evidence(None))
    });
    assert!(
        findings.is_empty(),
        "{:?}",
        &findings[..findings.len().min(5)]
    );
    let designs = [design.clone()];
    let revealed = Some(Revealed {
        key: &key,
        designs: &designs,
    });
    let findings = time_it(
        "  verify 1,000,000 entries with the key (full replay)",
        || verify_ledger(&evidence(revealed)),
    );
    assert!(
        findings.is_empty(),
        "{:?}",
        &findings[..findings.len().min(5)]
    );
}
