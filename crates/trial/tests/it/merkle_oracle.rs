//! The Merkle tree against an independent RFC 6962 implementation (test-vectors/merkle_oracle.py,
//! Python hashlib, written from the RFC's recursive definitions).

use serde_json::Value;
use spire_trial::MerkleTree;
use spire_trial::merkle::{Hash, leaf_hash, root, verify_consistency, verify_inclusion};

fn oracle() -> Value {
    serde_json::from_str(include_str!("../../test-vectors/merkle-oracle.json")).expect("JSON")
}

fn hashes(value: &Value) -> Vec<Hash> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect()
}

fn tree() -> MerkleTree {
    MerkleTree::from_leaf_hashes(
        (0..1000)
            .map(|i| leaf_hash(format!("leaf-{i}").as_bytes()))
            .collect(),
    )
}

#[test]
fn roots_match_the_oracle() {
    let tree = tree();
    let oracle = oracle();
    for case in oracle["roots"].as_array().unwrap() {
        let size = case["size"].as_u64().unwrap();
        let expected = hex::encode(tree.root_at(size).unwrap());
        assert_eq!(case["root"].as_str().unwrap(), expected, "size {size}");
        assert_eq!(
            hex::encode(root(&tree.leaf_hashes()[..size as usize])),
            expected,
            "size {size}"
        );
    }
}

#[test]
fn inclusion_proofs_match_the_oracle_and_verify() {
    let tree = tree();
    let cases = oracle();
    let cases = cases["inclusion"].as_array().unwrap();
    assert!(cases.len() > 200);
    for case in cases {
        let (index, size) = (
            case["index"].as_u64().unwrap(),
            case["size"].as_u64().unwrap(),
        );
        let expected = hashes(&case["path"]);
        assert_eq!(
            tree.inclusion_proof(index, size).unwrap(),
            expected,
            "leaf {index} of {size}"
        );
        let leaf = tree.leaf_hashes()[index as usize];
        assert!(verify_inclusion(
            &leaf,
            index,
            size,
            &expected,
            &tree.root_at(size).unwrap()
        ));
    }
}

#[test]
fn consistency_proofs_match_the_oracle_and_verify() {
    let tree = tree();
    let cases = oracle();
    let cases = cases["consistency"].as_array().unwrap();
    assert!(cases.len() > 200);
    for case in cases {
        let (old, new) = (
            case["old_size"].as_u64().unwrap(),
            case["new_size"].as_u64().unwrap(),
        );
        let expected = hashes(&case["path"]);
        assert_eq!(
            tree.consistency_proof(old, new).unwrap(),
            expected,
            "{old} → {new}"
        );
        let (old_root, new_root) = (tree.root_at(old).unwrap(), tree.root_at(new).unwrap());
        assert!(
            verify_consistency(old, new, &old_root, &new_root, &expected),
            "{old} → {new}"
        );
    }
}
