//! Shared fixtures: designs, keys and ledgers made the way the store makes them.

use spire_trial::{
    Allocator, Design, HeadSigner, Imbalance, InMemoryLedger, Made, Method, Probability, Ratio,
    SignedTreeHead, StratumKey, SubjectPseudonym, TrialKey, UtcTime,
};

pub const TRIAL: &str = "trial-2026";

pub fn key() -> TrialKey {
    TrialKey::from_bytes(*b"spire test key: never in use....")
}

pub fn signer() -> HeadSigner {
    HeadSigner::from_seed([0x5E; 32])
}

pub fn blocks_design() -> Design {
    Design::stratified_blocks(TRIAL, &["municipality", "readiness"])
}

pub fn complete_design() -> Design {
    Design {
        method: Method::Complete,
        ratio: Ratio {
            programme: 2,
            control: 1,
        },
        ..blocks_design()
    }
}

pub fn minimisation_design() -> Design {
    Design {
        method: Method::Minimisation {
            weights: vec![1, 2],
            imbalance: Imbalance::Range,
            preferred_probability: Probability::DEFAULT_PREFERRED,
        },
        ..blocks_design()
    }
}

pub fn stratum(i: u64) -> StratumKey {
    let municipality = ["101", "147", "751", "851"][(i * 7 % 4) as usize];
    let readiness = ["jobparat", "aktivitetsparat", "uddannelsesparat"][(i * 5 % 3) as usize];
    StratumKey::new([("municipality", municipality), ("readiness", readiness)])
}

pub fn subject(i: u64) -> SubjectPseudonym {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&i.to_be_bytes());
    bytes[31] = 0xEE;
    SubjectPseudonym(bytes)
}

pub fn time(i: u64) -> UtcTime {
    UtcTime {
        unix_seconds: 1_767_225_600 + 60 * i as i64,
        nanos: 0,
    }
}

pub fn made(i: u64) -> Made<'static> {
    Made {
        actor_id: "caseworker-7",
        time: time(i),
    }
}

/// A ledger of `count` allocations under `design`, with a head signed every 10 entries and at the end.
pub fn ledger(design: &Design, count: u64) -> (InMemoryLedger, Vec<SignedTreeHead>) {
    let key = key();
    let allocator = Allocator::new(&key, design).unwrap();
    let mut ledger = InMemoryLedger::new(TRIAL);
    let mut heads = Vec::new();
    for i in 0..count {
        ledger
            .allocate(&allocator, &stratum(i), subject(i), [0xBA; 32], made(i))
            .unwrap();
        if i % 10 == 9 {
            heads.push(ledger.sign_head(&signer(), time(i)));
        }
    }
    heads.push(ledger.sign_head(&signer(), time(count)));
    (ledger, heads)
}
