//! Writes `test-vectors/v1.json`: inputs chosen here, outputs computed by the crate.
//! Run once per derivation version: `cargo run -p spire-trial --example make_vectors`.
//! A published file is never regenerated; a changed derivation gets a new version and file.

#[path = "../tests/it/vector_compute.rs"]
mod vector_compute;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use spire_trial::{Design, Imbalance, Method, Probability, Ratio};

const TRIAL: &str = "spire-test-vectors";

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn design(version: u32, ratio: Ratio, factors: &[&str], method: Method) -> String {
    let design = Design {
        trial_id: TRIAL.into(),
        version,
        ratio,
        factors: factors.iter().map(|f| f.to_string()).collect(),
        method,
    };
    design.validate().expect("valid");
    hex::encode(design.canonical_bytes())
}

fn stratum(pairs: &[(&str, &str)]) -> Value {
    json!(pairs.iter().map(|(f, l)| json!([f, l])).collect::<Vec<_>>())
}

fn arrivals(count: usize, with_readiness: bool) -> Vec<Value> {
    let municipalities = ["101", "147", "751"];
    let readiness = ["jobparat", "aktivitetsparat"];
    (0..count)
        .map(|i| {
            let municipality = municipalities[(i * 7 + i / 3) % 3];
            if with_readiness {
                stratum(&[
                    ("municipality", municipality),
                    ("readiness", readiness[(i * 5 + i / 4) % 2]),
                ])
            } else {
                stratum(&[("municipality", municipality)])
            }
        })
        .collect()
}

fn main() {
    let two_factors = ["municipality", "readiness"];
    let blocks = |multiples: Vec<u32>| Method::StratifiedBlocks {
        block_multiples: multiples,
    };
    let designs = vec![
        design(1, Ratio::EQUAL, &two_factors, blocks(vec![1, 2, 3])),
        design(
            1,
            Ratio {
                programme: 2,
                control: 1,
            },
            &["municipality"],
            blocks(vec![1, 2]),
        ),
        design(
            1,
            Ratio {
                programme: 2,
                control: 1,
            },
            &["municipality"],
            Method::Complete,
        ),
        design(
            1,
            Ratio::EQUAL,
            &two_factors,
            Method::Minimisation {
                weights: vec![2, 1],
                imbalance: Imbalance::Range,
                preferred_probability: Probability::DEFAULT_PREFERRED,
            },
        ),
        design(
            1,
            Ratio {
                programme: 3,
                control: 2,
            },
            &two_factors,
            Method::Minimisation {
                weights: vec![1, 1],
                imbalance: Imbalance::Variance,
                preferred_probability: Probability {
                    numerator: 7,
                    denominator: 10,
                },
            },
        ),
        // Design 0 amended: stratified by municipality only from version 2.
        design(2, Ratio::EQUAL, &["municipality"], blocks(vec![1, 2, 3])),
    ];
    let bounds = json!([6, 3, 2, 7, 2147483649u64, 1000, 4294967295u64, 1, 5, 6]);
    let inputs = json!({
        "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "designs": designs,
        "draw_streams": [
            { "trial_id": TRIAL, "design_version": 1, "stratum": stratum(&[("municipality", "101"), ("readiness", "jobparat")]), "block_number": 0, "bounds": bounds },
            { "trial_id": TRIAL, "design_version": 1, "stratum": stratum(&[("municipality", "101"), ("readiness", "jobparat")]), "block_number": 1, "bounds": bounds },
            { "trial_id": TRIAL, "design_version": 1, "allocation_number": 0, "bounds": bounds },
            { "trial_id": TRIAL, "design_version": 2, "allocation_number": 1099511627776u64, "bounds": bounds },
        ],
        "blocks": [
            { "design": 0, "stratum": stratum(&[("municipality", "101"), ("readiness", "jobparat")]), "blocks": 6 },
            { "design": 1, "stratum": stratum(&[("municipality", "147")]), "blocks": 6 },
        ],
        "allocation_sequences": [
            { "design": 0, "arrivals": arrivals(24, true) },
            { "design": 1, "arrivals": arrivals(24, false) },
            { "design": 2, "arrivals": arrivals(24, false) },
            { "design": 3, "arrivals": arrivals(24, true) },
            { "design": 4, "arrivals": arrivals(24, true) },
        ],
        "ledger": {
            "design": 0,
            "amendment": 5,
            "actor_id": "caseworker-17",
            "start_unix_seconds": 1767225600,
            "subjects": (0..6).map(|i| json!({
                "pseudonym": sha256_hex(&format!("subject-{i}")),
                "baseline_hash": sha256_hex(&format!("baseline-{i}")),
                "stratum": arrivals(6, true)[i],
            })).collect::<Vec<_>>(),
            "annotation_note_hash": sha256_hex("allocated in error: duplicate registration"),
            "head_signing_seed": sha256_hex("spire test vectors tree-head key"),
        },
    });
    let file = json!({
        "about": "Spire trial allocation test vectors, algorithm spire-trial-allocation/1. \
                  Byte layouts: crates/trial/README.md. Arms: P = programme, C = control. \
                  Positions: [allocation number] or [allocation number, block number, offset].",
        "inputs": inputs,
        "outputs": vector_compute::compute(&inputs),
    });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/v1.json");
    std::fs::write(
        path,
        serde_json::to_string_pretty(&file).expect("json") + "\n",
    )
    .expect("write vectors");
    println!("wrote {path}");
}
