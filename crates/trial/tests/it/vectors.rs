//! The published test vectors: the derivation must reproduce them bit for bit, forever.

use crate::vector_compute::compute;
use serde_json::Value;

fn vectors() -> Value {
    let text = include_str!("../../test-vectors/v1.json");
    serde_json::from_str(text).expect("test-vectors/v1.json is JSON")
}

#[test]
fn the_crate_reproduces_every_published_vector() {
    let vectors = vectors();
    let recomputed = compute(&vectors["inputs"]);
    for section in [
        "designs",
        "draw_streams",
        "blocks",
        "allocation_sequences",
        "ledger",
    ] {
        assert_eq!(
            recomputed[section], vectors["outputs"][section],
            "section {section} differs"
        );
    }
}

#[test]
fn the_vectors_cover_every_design_and_entry_kind() {
    let vectors = vectors();
    let methods: Vec<&str> = vectors["outputs"]["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["method"].as_str().unwrap())
        .collect();
    for method in ["complete", "stratified_blocks", "minimisation"] {
        assert!(methods.contains(&method), "{method} missing");
    }
    let leaves = vectors["outputs"]["ledger"]["leaves"].as_array().unwrap();
    let kinds: Vec<_> = leaves
        .iter()
        .map(|leaf| {
            let bytes = hex::decode(leaf["bytes"].as_str().unwrap()).unwrap();
            spire_trial::LedgerLeaf::decode(&bytes).unwrap().kind()
        })
        .collect();
    for kind in [
        spire_trial::EntryKind::Allocation,
        spire_trial::EntryKind::Annotation,
        spire_trial::EntryKind::Amendment,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing");
    }
}

/// The independent Python re-implementation (written from the README) must agree with the
/// published file too, so the file cannot drift to whatever the Rust code does.
#[test]
fn the_independent_python_oracle_reproduces_the_published_vectors() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/derivation_oracle.py"
    );
    match std::process::Command::new("python3").arg(script).output() {
        Err(_) => println!("python3 not found: the independent derivation oracle was not run"),
        Ok(output) => assert!(
            output.status.success(),
            "derivation_oracle.py failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
