//! The verifier finds what a tampering administrator or a faulty store would leave behind.

use crate::support::*;
use spire_trial::{
    Allocator, Arm, BlockSlot, Design, Entry, Finding, LedgerEvidence, LedgerRow, Position,
    Problem, Revealed, SignedTreeHead, verify_ledger,
};

fn verify(
    rows: &[LedgerRow],
    heads: &[SignedTreeHead],
    designs: Option<&[Design]>,
) -> Vec<Finding> {
    let key = key();
    verify_ledger(&LedgerEvidence {
        trial_id: TRIAL,
        rows,
        heads,
        saved: &[],
        head_public_key: &signer().public_key(),
        revealed: designs.map(|designs| Revealed { key: &key, designs }),
    })
}

fn problems(findings: &[Finding]) -> Vec<(Option<u64>, Problem)> {
    findings
        .iter()
        .map(|f| (f.ledger_index, f.problem.clone()))
        .collect()
}

/// Rewrites a row's fields and its stored hash, as someone with write access to the table would.
fn rewrite(row: &mut LedgerRow, change: impl FnOnce(&mut spire_trial::LedgerLeaf)) {
    change(&mut row.leaf);
    row.stored_leaf_hash = row.leaf.hash();
}

fn set_arm(row: &mut LedgerRow, new_arm: Arm) {
    rewrite(row, |leaf| {
        if let Entry::Allocation { arm, .. } = &mut leaf.entry {
            *arm = new_arm;
        }
    });
}

fn arm_of(row: &LedgerRow) -> Arm {
    match row.leaf.entry {
        Entry::Allocation { arm, .. } => arm,
        _ => panic!("not an allocation"),
    }
}

#[test]
fn honest_ledgers_of_every_design_verify_clean_with_and_without_the_key() {
    for design in [blocks_design(), complete_design(), minimisation_design()] {
        let (ledger, heads) = ledger(&design, 120);
        assert_eq!(
            verify(ledger.rows(), &heads, None),
            vec![],
            "{}",
            design.method.name()
        );
        let designs = [design.clone()];
        assert_eq!(
            verify(ledger.rows(), &heads, Some(&designs)),
            vec![],
            "{}",
            design.method.name()
        );
    }
}

#[test]
fn annotations_and_amendments_verify_and_never_free_a_slot() {
    let key = key();
    let version_1 = blocks_design();
    let version_2 = Design {
        version: 2,
        factors: vec!["municipality".into()],
        ..blocks_design()
    };
    let mut ledger = spire_trial::InMemoryLedger::new(TRIAL);
    let first = Allocator::new(&key, &version_1).unwrap();
    for i in 0..5 {
        ledger
            .allocate(&first, &stratum(i), subject(i), [1; 32], made(i))
            .unwrap();
    }
    ledger.annotate(2, subject(2), [9; 32], made(5));
    ledger.amend(&version_2, made(6));
    let second = Allocator::new(&key, &version_2).unwrap();
    let mut numbers = Vec::new();
    for i in 7..12 {
        let stratum = spire_trial::StratumKey::new([("municipality", "101")]);
        let allocation = ledger
            .allocate(&second, &stratum, subject(i), [1; 32], made(i))
            .unwrap();
        numbers.push(allocation.position.allocation_number);
    }
    assert_eq!(
        numbers,
        vec![5, 6, 7, 8, 9],
        "the annotated allocation keeps its number"
    );
    let heads = [ledger.sign_head(&signer(), time(12))];
    assert_eq!(
        verify(
            ledger.rows(),
            &heads,
            Some(&[version_1.clone(), version_2.clone()])
        ),
        vec![]
    );

    let other_version_2 = Design {
        ratio: spire_trial::Ratio {
            programme: 2,
            control: 1,
        },
        ..version_2
    };
    let findings = verify(ledger.rows(), &heads, Some(&[version_1, other_version_2]));
    assert!(
        problems(&findings).contains(&(Some(6), Problem::AmendmentDigestMismatch { version: 2 })),
        "{findings:?}"
    );
}

#[test]
fn a_changed_field_shows_as_a_leaf_hash_mismatch_and_breaks_the_signed_heads() {
    let (ledger, heads) = ledger(&blocks_design(), 40);
    let mut rows = ledger.rows().to_vec();
    rows[13].leaf.actor_id = "someone-else".into();
    let findings = problems(&verify(&rows, &heads, None));
    assert!(
        matches!(findings[0], (Some(13), Problem::LeafHashMismatch { .. })),
        "{findings:?}"
    );
    assert!(findings.contains(&(None, Problem::HeadRootMismatch { size: 20 })));
    assert!(findings.contains(&(None, Problem::HeadRootMismatch { size: 40 })));
    assert!(
        !findings.contains(&(None, Problem::HeadRootMismatch { size: 10 })),
        "earlier heads still hold"
    );
}

#[test]
fn a_re_rolled_arm_is_found_by_the_replay_even_after_the_heads_are_re_signed() {
    // The worst case: an insider with the signing key rewrites a row and re-signs every head.
    for design in [blocks_design(), complete_design(), minimisation_design()] {
        let (ledger, _) = ledger(&design, 60);
        let mut rows = ledger.rows().to_vec();
        let flipped = arm_of(&rows[31]).other();
        set_arm(&mut rows[31], flipped);
        let tree = spire_trial::MerkleTree::from_leaf_hashes(
            rows.iter().map(|r| r.stored_leaf_hash).collect(),
        );
        let head = signer().sign(spire_trial::TreeHead {
            trial_id: TRIAL.into(),
            size: tree.len(),
            root: tree.root(),
            time: time(61),
        });
        assert_eq!(
            verify(&rows, std::slice::from_ref(&head), None),
            vec![],
            "without the key the forgery is consistent"
        );
        let findings = problems(&verify(&rows, &[head], Some(std::slice::from_ref(&design))));
        assert_eq!(
            findings.first(),
            Some(&(
                Some(31),
                Problem::ArmNotInSequence {
                    recorded: flipped,
                    sequence: flipped.other()
                }
            )),
            "{}: {findings:?}",
            design.method.name()
        );
        if !matches!(design.method, spire_trial::Method::Minimisation { .. }) {
            // Minimisation's later draws depend on the counts, so a flip may echo; the others must not.
            assert_eq!(findings.len(), 1, "{findings:?}");
        }
    }
}

#[test]
fn a_deleted_row_shows_as_a_gap_and_a_head_beyond_the_ledger() {
    let (ledger, heads) = ledger(&blocks_design(), 30);
    let mut rows = ledger.rows().to_vec();
    rows.remove(29);
    rows.remove(17);
    let findings = problems(&verify(&rows, &heads, None));
    assert!(
        findings.contains(&(Some(18), Problem::IndexGap { expected: 17 })),
        "{findings:?}"
    );
    assert!(findings.contains(&(
        None,
        Problem::HeadBeyondLedger {
            size: 30,
            ledger_size: 28
        }
    )));
    assert!(findings.contains(&(None, Problem::HeadRootMismatch { size: 20 })));
}

#[test]
fn reordered_rows_are_found() {
    let (ledger, heads) = ledger(&complete_design(), 30);
    let mut rows = ledger.rows().to_vec();
    rows.swap(5, 6);
    let findings = problems(&verify(&rows, &heads, None));
    assert!(
        findings.contains(&(Some(6), Problem::IndexOutOfOrder { expected: 6 }))
            || findings.contains(&(Some(6), Problem::IndexGap { expected: 5 })),
        "{findings:?}"
    );
    assert!(findings.contains(&(Some(5), Problem::TimeWentBack { previous: time(6) })));
    assert!(findings.contains(&(None, Problem::HeadRootMismatch { size: 10 })));

    // Renumbering the swapped rows (and rehashing them) leaves the allocation numbers out of order.
    let mut renumbered = ledger.rows().to_vec();
    renumbered.swap(5, 6);
    rewrite(&mut renumbered[5], |leaf| leaf.ledger_index = 5);
    rewrite(&mut renumbered[6], |leaf| leaf.ledger_index = 6);
    let findings = problems(&verify(&renumbered, &heads, None));
    assert!(
        findings.contains(&(
            Some(5),
            Problem::AllocationNumberSkipped {
                expected: 5,
                found: 6
            }
        )),
        "{findings:?}"
    );
    assert!(findings.contains(&(
        Some(6),
        Problem::AllocationNumberReused {
            expected: 7,
            found: 5
        }
    )));
}

#[test]
fn a_subject_allocated_twice_is_found_without_the_key() {
    let (ledger, heads) = ledger(&blocks_design(), 20);
    let mut rows = ledger.rows().to_vec();
    let first_subject = match &rows[3].leaf.entry {
        Entry::Allocation { subject, .. } => *subject,
        _ => unreachable!(),
    };
    rewrite(&mut rows[12], |leaf| {
        if let Entry::Allocation { subject, .. } = &mut leaf.entry {
            *subject = first_subject;
        }
    });
    let findings = problems(&verify(&rows, &heads, None));
    assert!(
        findings.contains(&(Some(12), Problem::SubjectAllocatedTwice { first_index: 3 })),
        "{findings:?}"
    );
}

#[test]
fn skipped_and_reused_block_slots_are_found_with_and_without_the_key() {
    let (ledger, heads) = ledger(&blocks_design(), 40);
    let design = blocks_design();
    let find_later_in_same_stratum = |rows: &[LedgerRow], index: usize| {
        let stratum_of = |row: &LedgerRow| match &row.leaf.entry {
            Entry::Allocation { stratum, .. } => stratum.clone(),
            _ => unreachable!(),
        };
        (index + 1..rows.len())
            .find(|&j| stratum_of(&rows[j]) == stratum_of(&rows[index]))
            .unwrap()
    };
    let mut rows = ledger.rows().to_vec();
    let later = find_later_in_same_stratum(&rows, 0);
    // The later entry claims the slot of entry 0 again.
    rewrite(&mut rows[later], |leaf| {
        if let Entry::Allocation { position, .. } = &mut leaf.entry {
            position.block = Some(BlockSlot::FIRST);
        }
    });
    for designs in [None, Some(&[design.clone()][..])] {
        let findings = problems(&verify(&rows, &heads, designs));
        assert!(
            findings
                .iter()
                .any(|(at, p)| *at == Some(later as u64)
                    && matches!(p, Problem::BlockSlotReused { .. })),
            "{findings:?}"
        );
    }
    let mut rows = ledger.rows().to_vec();
    rewrite(&mut rows[0], |leaf| {
        if let Entry::Allocation { position, .. } = &mut leaf.entry {
            *position = Position {
                block: Some(BlockSlot {
                    block_number: 0,
                    offset: 1,
                }),
                ..*position
            };
        }
    });
    for designs in [None, Some(&[design.clone()][..])] {
        let findings = problems(&verify(&rows, &heads, designs));
        assert!(
            findings
                .iter()
                .any(|(at, p)| *at == Some(0) && matches!(p, Problem::BlockSlotSkipped { .. })),
            "{findings:?}"
        );
    }
}

#[test]
fn the_wrong_key_or_design_does_not_replay() {
    let (ledger, heads) = ledger(&blocks_design(), 60);
    let wrong = Design {
        method: spire_trial::Method::StratifiedBlocks {
            block_multiples: vec![1, 2],
        },
        ..blocks_design()
    };
    let findings = verify(ledger.rows(), &heads, Some(&[wrong]));
    assert!(
        findings
            .iter()
            .filter(|f| matches!(f.problem, Problem::ArmNotInSequence { .. }))
            .count()
            > 5
    );
}

#[test]
fn heads_must_be_signed_by_the_server_and_cover_the_ledger() {
    let (ledger, mut heads) = ledger(&blocks_design(), 25);
    heads[1].signature[0] ^= 0x80;
    let last = heads.pop().unwrap();
    let findings = problems(&verify(ledger.rows(), &heads, None));
    assert_eq!(
        findings,
        vec![
            (None, Problem::HeadSignatureInvalid { size: 20 }),
            (None, Problem::UnsignedEntries { from: 10, to: 25 }),
        ]
    );
    let forged = spire_trial::HeadSigner::from_seed([1; 32]).sign(last.head.clone());
    let findings = problems(&verify(ledger.rows(), &[last, forged], None));
    assert_eq!(
        findings,
        vec![(None, Problem::HeadSignatureInvalid { size: 25 })]
    );
}

#[test]
fn findings_read_as_one_line_each() {
    let (ledger, heads) = ledger(&blocks_design(), 12);
    let mut rows = ledger.rows().to_vec();
    let flipped = arm_of(&rows[4]).other();
    set_arm(&mut rows[4], flipped);
    let lines: Vec<String> = verify(&rows, &heads, Some(&[blocks_design()]))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        lines.contains(&format!(
            "index 4: arm is {flipped}, the committed sequence says {}",
            flipped.other()
        )),
        "{lines:?}"
    );
    assert!(
        lines.contains(
            &"ledger: signed tree head of size 10 does not match the ledger's first 10 entries"
                .to_string()
        )
    );
    assert!(lines.iter().all(|line| !line.contains('\n')));
}

#[test]
fn a_missing_design_version_is_reported_once() {
    let (ledger, heads) = ledger(&blocks_design(), 30);
    let other_version = Design {
        version: 2,
        ..blocks_design()
    };
    let findings = problems(&verify(ledger.rows(), &heads, Some(&[other_version])));
    assert_eq!(
        findings,
        vec![(Some(0), Problem::DesignVersionUnknown { version: 1 })]
    );
}

#[test]
fn a_position_without_a_block_slot_does_not_fit_a_block_design() {
    let (ledger, heads) = ledger(&blocks_design(), 20);
    let mut rows = ledger.rows().to_vec();
    rewrite(&mut rows[7], |leaf| {
        if let Entry::Allocation { position, .. } = &mut leaf.entry {
            position.block = None;
        }
    });
    let findings = verify(&rows, &heads, Some(&[blocks_design()]));
    let at_seven: Vec<String> = findings
        .iter()
        .filter(|f| f.ledger_index == Some(7))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        at_seven,
        vec!["index 7: its position does not fit the stratified_blocks design"]
    );
}

#[test]
fn a_revealed_design_for_another_trial_is_refused() {
    let (ledger, heads) = ledger(&blocks_design(), 5);
    let foreign = Design {
        trial_id: "another-trial".into(),
        ..blocks_design()
    };
    let findings = problems(&verify(ledger.rows(), &heads, Some(&[foreign])));
    assert!(
        matches!(
            findings[0],
            (Some(0), Problem::DesignVersionUnknown { version: 1 })
        ),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|(_, p)| matches!(p, Problem::DesignInvalid { version: 1, .. }))
    );
}
