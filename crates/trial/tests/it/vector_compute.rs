//! Computes the published test vectors' outputs from their inputs. Shared by the test that checks
//! `test-vectors/v1.json` bit for bit and by `examples/make_vectors.rs`, which wrote that file once.
//! An independent implementation reads the same inputs and must produce the same outputs.

use serde_json::{Value, json};
use spire_trial::merkle::root;
use spire_trial::{
    Allocator, Arm, Design, DrawContext, DrawStream, HeadSigner, InMemoryLedger, Made, StratumKey,
    SubjectPseudonym, TrialKey, TrialState, UtcTime, commitment, draw::stream_seed,
};

fn text(value: &Value) -> &str {
    value.as_str().expect("a string")
}

fn number(value: &Value) -> u64 {
    value.as_u64().expect("a number")
}

fn bytes32(value: &Value) -> [u8; 32] {
    let mut bytes = [0; 32];
    hex::decode_to_slice(text(value), &mut bytes).expect("32 bytes of hex");
    bytes
}

fn stratum(value: &Value) -> StratumKey {
    let pairs = value.as_array().expect("pairs");
    StratumKey::new(
        pairs
            .iter()
            .map(|pair| (text(&pair[0]).to_owned(), text(&pair[1]).to_owned())),
    )
}

fn arms(arms: impl IntoIterator<Item = Arm>) -> String {
    arms.into_iter()
        .map(|arm| if arm == Arm::Programme { 'P' } else { 'C' })
        .collect()
}

fn design(value: &Value) -> Design {
    Design::from_canonical_bytes(&hex::decode(text(value)).expect("hex"))
        .expect("a canonical design")
}

pub fn compute(inputs: &Value) -> Value {
    let key = TrialKey::from_bytes(bytes32(&inputs["key"]));
    let designs: Vec<Design> = inputs["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(design)
        .collect();

    let design_outputs: Vec<Value> = designs
        .iter()
        .map(|design| {
            json!({
                "method": design.method.name(),
                "digest": hex::encode(design.digest()),
                "commitment": hex::encode(commitment(&key, design)),
            })
        })
        .collect();

    let streams: Vec<Value> = inputs["draw_streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|spec| {
            let trial_id = text(&spec["trial_id"]);
            let design_version = number(&spec["design_version"]) as u32;
            let block_stratum = spec.get("stratum").map(stratum);
            let context = match &block_stratum {
                Some(stratum) => DrawContext::Block {
                    trial_id,
                    design_version,
                    stratum,
                    block_number: number(&spec["block_number"]),
                },
                None => DrawContext::Allocation {
                    trial_id,
                    design_version,
                    allocation_number: number(&spec["allocation_number"]),
                },
            };
            let mut raw = DrawStream::new(&key, &context);
            let mut bounded = DrawStream::new(&key, &context);
            let mut shuffled = DrawStream::new(&key, &context);
            let mut permutation: Vec<u64> = (0..10).collect();
            shuffled.shuffle(&mut permutation);
            json!({
                "context": hex::encode(context.encode()),
                "seed": hex::encode(stream_seed(&key, &context)),
                "first_u32": (0..16).map(|_| raw.next_u32()).collect::<Vec<_>>(),
                "below": spec["bounds"].as_array().unwrap().iter()
                    .map(|bound| bounded.below(number(bound) as u32)).collect::<Vec<_>>(),
                "shuffle_0_to_9": permutation,
            })
        })
        .collect();

    let blocks: Vec<Value> = inputs["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|spec| {
            let design = &designs[number(&spec["design"]) as usize];
            let allocator = Allocator::new(&key, design).unwrap();
            let stratum = stratum(&spec["stratum"]);
            let blocks: Vec<String> = (0..number(&spec["blocks"]))
                .map(|b| arms(allocator.block(&stratum, b)))
                .collect();
            json!(blocks)
        })
        .collect();

    let sequences: Vec<Value> = inputs["allocation_sequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|spec| {
            let design = &designs[number(&spec["design"]) as usize];
            let allocator = Allocator::new(&key, design).unwrap();
            let mut state = TrialState::new();
            let allocations: Vec<_> = spec["arrivals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|arrival| state.allocate(&allocator, &stratum(arrival)).unwrap())
                .collect();
            let positions: Vec<Value> = allocations
                .iter()
                .map(|a| match a.position.block {
                    Some(slot) => {
                        json!([a.position.allocation_number, slot.block_number, slot.offset])
                    }
                    None => json!([a.position.allocation_number]),
                })
                .collect();
            json!({ "arms": arms(allocations.iter().map(|a| a.arm)), "positions": positions })
        })
        .collect();

    json!({
        "designs": design_outputs,
        "draw_streams": streams,
        "blocks": blocks,
        "allocation_sequences": sequences,
        "ledger": ledger(&key, &designs, &inputs["ledger"]),
    })
}

/// A small ledger: allocations under design `design`, an annotation and an amendment to `amendment`.
fn ledger(key: &TrialKey, designs: &[Design], spec: &Value) -> Value {
    let design = &designs[number(&spec["design"]) as usize];
    let amended = &designs[number(&spec["amendment"]) as usize];
    let allocator = Allocator::new(key, design).unwrap();
    let mut ledger = InMemoryLedger::new(&design.trial_id);
    let start = spec["start_unix_seconds"].as_i64().unwrap();
    let made = |i: usize| Made {
        actor_id: text(&spec["actor_id"]),
        time: UtcTime {
            unix_seconds: start + 3600 * i as i64,
            nanos: 250_000_000,
        },
    };
    let subjects = spec["subjects"].as_array().unwrap();
    for (i, entry) in subjects.iter().enumerate() {
        let subject = SubjectPseudonym(bytes32(&entry["pseudonym"]));
        let baseline_hash = bytes32(&entry["baseline_hash"]);
        ledger
            .allocate(
                &allocator,
                &stratum(&entry["stratum"]),
                subject,
                baseline_hash,
                made(i),
            )
            .unwrap();
    }
    let annotated = &subjects[0];
    let note_hash = bytes32(&spec["annotation_note_hash"]);
    ledger.annotate(
        0,
        SubjectPseudonym(bytes32(&annotated["pseudonym"])),
        note_hash,
        made(subjects.len()),
    );
    ledger.amend(amended, made(subjects.len() + 1));

    let leaf_hashes: Vec<_> = ledger
        .rows()
        .iter()
        .map(|row| row.stored_leaf_hash)
        .collect();
    let tree = ledger.tree();
    let size = tree.len();
    let signer = HeadSigner::from_seed(bytes32(&spec["head_signing_seed"]));
    let head = ledger.sign_head(&signer, made(subjects.len() + 2).time);
    json!({
        "leaves": ledger.rows().iter().map(|row| json!({
            "bytes": hex::encode(row.leaf.encode()),
            "leaf_hash": hex::encode(row.stored_leaf_hash),
        })).collect::<Vec<_>>(),
        "roots": (0..=size).map(|n| hex::encode(root(&leaf_hashes[..n as usize]))).collect::<Vec<_>>(),
        "inclusion_proofs": (0..size).map(|i| json!({
            "index": i, "size": size,
            "path": tree.inclusion_proof(i, size).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "consistency_proofs": (1..size).map(|old| json!({
            "old_size": old, "new_size": size,
            "path": tree.consistency_proof(old, size).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "signed_head": {
            "public_key": hex::encode(signer.public_key()),
            "signed_bytes": hex::encode(head.head.signed_bytes()),
            "signature": hex::encode(head.signature),
        },
    })
}
