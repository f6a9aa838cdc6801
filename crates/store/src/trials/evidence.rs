//! Reading the ledger back: receipts, the evidence for `trial verify`, signed
//! heads and inclusion proofs, and the CONSORT and balance report.

use super::*;

impl Db {
    /// One allocation's receipt by its id (for proofs and the receipt page).
    pub async fn trial_receipt(&self, trial_id: i64, allocation_id: i64) -> Result<Receipt> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_ID_SQL)
                .bind(trial_id)
                .bind(allocation_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
                .into())
        })
    }

    /// Everything `spire trial verify` needs, read from the tables.
    pub async fn trial_evidence(&self, trial_id: i64) -> Result<TrialEvidence> {
        let (public_id, public_key): (String, Vec<u8>) = on_db!(self, |pool| {
            sqlx::query_as("SELECT public_id, head_public_key FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        let (ledger, heads, designs) = on_db!(self, |pool| {
            let ledger = sqlx::query_as::<_, LedgerColumns>(
                "SELECT ledger_index, design_version, unix_seconds, nanos, actor_id, kind, stratum, allocation_number, \
                 block_number, block_offset, subject, arm, baseline_hash, annotated_index, note_hash, design_digest, \
                 leaf_hash FROM trial_ledger WHERE trial_id = $1 ORDER BY ledger_index, id",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let heads: Vec<(i64, Vec<u8>, i64, i64, Vec<u8>)> = sqlx::query_as(HEADS_TO_VERIFY_SQL)
                .bind(trial_id)
                .fetch_all(pool)
                .await?;
            let designs: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT document FROM trial_designs WHERE trial_id = $1 ORDER BY version",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            (ledger, heads, designs)
        });
        let mut evidence = TrialEvidence {
            public_id: public_id.clone(),
            head_public_key: hash32(&public_key, "the head public key")?,
            rows: Vec::with_capacity(ledger.len()),
            unreadable: Vec::new(),
            heads: Vec::with_capacity(heads.len()),
            designs: Vec::new(),
        };
        for columns in ledger {
            let index = columns.ledger_index;
            match columns.into_row(&public_id) {
                Ok(row) => evidence.rows.push(row),
                Err(reason) => evidence.unreadable.push(format!("index {index}: {reason}")),
            }
        }
        for (size, root, seconds, nanos, signature) in heads {
            let (Ok(root), Ok(signature)) = (
                <[u8; 32]>::try_from(root.as_slice()),
                <[u8; 64]>::try_from(signature.as_slice()),
            ) else {
                evidence
                    .unreadable
                    .push(format!("ledger: the head of size {size} is malformed"));
                continue;
            };
            evidence.heads.push(SignedTreeHead {
                head: TreeHead {
                    trial_id: public_id.clone(),
                    size: size as u64,
                    root,
                    time: UtcTime {
                        unix_seconds: seconds,
                        nanos: nanos as u32,
                    },
                },
                signature,
            });
        }
        for document in designs {
            evidence.designs.push(
                Design::from_canonical_bytes(&document)
                    .map_err(|e| Error::Corrupt(format!("design document: {e}")))?,
            );
        }
        Ok(evidence)
    }

    /// Verifies the trial's ledger: every finding as one line; empty when all holds.
    /// With the revealed key, every allocation is also replayed.
    pub async fn verify_trial(
        &self,
        trial_id: i64,
        revealed_key: Option<&TrialKey>,
    ) -> Result<Vec<String>> {
        let evidence = self.trial_evidence(trial_id).await?;
        Ok(evidence.findings(revealed_key))
    }

    /// The trial key, decrypted: only for the two-person reveal and tests.
    pub(crate) async fn decrypt_trial_key(
        &self,
        key: &ServerKey,
        trial_id: i64,
    ) -> Result<TrialKey> {
        let ciphertext: Vec<u8> = on_db!(self, |pool| {
            sqlx::query_scalar("SELECT key_ciphertext FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        Ok(TrialKey::from_bytes(hash32(
            &key.decrypt(TRIAL_KEY_AAD, &ciphertext)?,
            "the trial key",
        )?))
    }

    /// The signed head of `size` entries, or the latest one when `size` is `None`.
    pub async fn trial_head(
        &self,
        trial_id: i64,
        size: Option<u64>,
    ) -> Result<Option<SignedTreeHead>> {
        let evidence_head = on_db!(self, |pool| {
            let row: Option<(String, i64, Vec<u8>, i64, i64, Vec<u8>)> = sqlx::query_as(
                "SELECT t.public_id, h.tree_size, h.root, h.unix_seconds, h.nanos, h.signature FROM trial_heads h \
                 JOIN trials t ON t.id = h.trial_id WHERE h.trial_id = $1 \
                 AND (CAST($2 AS BIGINT) IS NULL OR h.tree_size = $2) ORDER BY h.tree_size DESC LIMIT 1",
            )
            .bind(trial_id)
            .bind(size.map(|s| s as i64))
            .fetch_optional(pool)
            .await?;
            row
        });
        evidence_head
            .map(|(public_id, size, root, seconds, nanos, signature)| {
                Ok(SignedTreeHead {
                    head: TreeHead {
                        trial_id: public_id,
                        size: size as u64,
                        root: hash32(&root, "a head root")?,
                        time: UtcTime {
                            unix_seconds: seconds,
                            nanos: nanos as u32,
                        },
                    },
                    signature: signature
                        .as_slice()
                        .try_into()
                        .map_err(|_| Error::Corrupt("a head signature".into()))?,
                })
            })
            .transpose()
    }

    /// An inclusion proof of one allocation in the latest signed tree.
    pub async fn trial_inclusion_proof(
        &self,
        trial_id: i64,
        allocation_id: i64,
    ) -> Result<InclusionProof> {
        let receipt = self.trial_receipt(trial_id, allocation_id).await?;
        let head = self
            .trial_head(trial_id, None)
            .await?
            .ok_or(Error::NotFound)?;
        let hashes: Vec<Vec<u8>> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT leaf_hash FROM trial_ledger WHERE trial_id = $1 AND ledger_index < $2 ORDER BY ledger_index",
            )
            .bind(trial_id)
            .bind(head.head.size as i64)
            .fetch_all(pool)
            .await?
        });
        let hashes = hashes
            .iter()
            .map(|h| hash32(h, "a leaf hash"))
            .collect::<Result<Vec<_>>>()?;
        let tree = MerkleTree::from_leaf_hashes(hashes);
        let path = tree
            .inclusion_proof(receipt.ledger_index as u64, head.head.size)
            .ok_or_else(|| Error::Corrupt("the ledger is shorter than its head".into()))?;
        Ok(InclusionProof {
            receipt,
            head,
            path,
        })
    }

    /// CONSORT counts, balance by arm and stratum, and predictability: what
    /// the programme office sees instead of the sequence.
    pub async fn trial_report(&self, trial_id: i64) -> Result<TrialReport> {
        let design = self.trial_design(trial_id).await?;
        let (screenings, allocations, take_up) = on_db!(self, |pool| {
            let screenings: Vec<(Vec<u8>, bool, String)> = sqlx::query_as(
                "SELECT subject, eligible, reasons FROM trial_screenings WHERE trial_id = $1 ORDER BY id",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let allocations: Vec<(Vec<u8>, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT subject, stratum, arm, municipality_code FROM trial_ledger \
                 WHERE trial_id = $1 AND kind = 'allocation' ORDER BY ledger_index",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let take_up: Vec<bool> =
                sqlx::query_scalar("SELECT accepted FROM trial_take_up WHERE trial_id = $1")
                    .bind(trial_id)
                    .fetch_all(pool)
                    .await?;
            (screenings, allocations, take_up)
        });
        Ok(TrialReport::compute(
            &design,
            &screenings,
            &allocations,
            &take_up,
        ))
    }
}

/// A ledger row's columns, before they are turned back into a leaf.
#[derive(sqlx::FromRow)]
struct LedgerColumns {
    ledger_index: i64,
    design_version: i64,
    unix_seconds: i64,
    nanos: i64,
    actor_id: String,
    kind: String,
    stratum: Option<String>,
    allocation_number: Option<i64>,
    block_number: Option<i64>,
    block_offset: Option<i64>,
    subject: Option<Vec<u8>>,
    arm: Option<String>,
    baseline_hash: Option<Vec<u8>>,
    annotated_index: Option<i64>,
    note_hash: Option<Vec<u8>>,
    design_digest: Option<Vec<u8>>,
    leaf_hash: Vec<u8>,
}

impl LedgerColumns {
    fn into_row(self, trial_id: &str) -> Result<LedgerRow, String> {
        let need = |value: Option<Vec<u8>>, what: &str| -> Result<[u8; 32], String> {
            value
                .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
                .ok_or_else(|| format!("{what} is missing or malformed"))
        };
        let entry = match EntryKind::from_name(&self.kind) {
            Some(EntryKind::Allocation) => Entry::Allocation {
                stratum: self
                    .stratum
                    .as_deref()
                    .and_then(parse_stratum)
                    .ok_or("the stratum is missing or malformed")?,
                position: Position {
                    allocation_number: self
                        .allocation_number
                        .ok_or("the allocation number is missing")?
                        as u64,
                    block: match (self.block_number, self.block_offset) {
                        (Some(block_number), Some(offset)) => Some(BlockSlot {
                            block_number: block_number as u64,
                            offset: offset as u32,
                        }),
                        _ => None,
                    },
                },
                subject: SubjectPseudonym(need(self.subject, "the subject")?),
                arm: self
                    .arm
                    .as_deref()
                    .and_then(Arm::from_name)
                    .ok_or("the arm is missing or unknown")?,
                baseline_hash: need(self.baseline_hash, "the baseline hash")?,
            },
            Some(EntryKind::Annotation) => Entry::Annotation {
                annotated_index: self
                    .annotated_index
                    .ok_or("the annotated index is missing")?
                    as u64,
                subject: SubjectPseudonym(need(self.subject, "the subject")?),
                note_hash: need(self.note_hash, "the note hash")?,
            },
            Some(EntryKind::Amendment) => Entry::Amendment {
                design_digest: need(self.design_digest, "the design digest")?,
            },
            None => return Err(format!("unknown entry kind {:?}", self.kind)),
        };
        Ok(LedgerRow {
            leaf: LedgerLeaf {
                ledger_index: self.ledger_index as u64,
                trial_id: trial_id.to_string(),
                design_version: self.design_version as u32,
                time: UtcTime {
                    unix_seconds: self.unix_seconds,
                    nanos: self.nanos as u32,
                },
                actor_id: self.actor_id,
                entry,
            },
            stored_leaf_hash: need(Some(self.leaf_hash), "the leaf hash")?,
        })
    }
}

/// A trial's ledger as the database holds it, ready for the pure verifier.
#[derive(Debug, Clone)]
pub struct TrialEvidence {
    pub public_id: String,
    pub head_public_key: [u8; 32],
    pub rows: Vec<LedgerRow>,
    /// Rows that could not even be read back into a leaf, one line each.
    pub unreadable: Vec<String>,
    pub heads: Vec<SignedTreeHead>,
    pub designs: Vec<Design>,
}

impl TrialEvidence {
    /// Every finding as one line ("index 17: …"); empty when everything holds.
    pub fn findings(&self, revealed_key: Option<&TrialKey>) -> Vec<String> {
        let findings = spire_trial::verify_ledger(&spire_trial::LedgerEvidence {
            trial_id: &self.public_id,
            rows: &self.rows,
            heads: &self.heads,
            head_public_key: &self.head_public_key,
            revealed: revealed_key.map(|key| spire_trial::Revealed {
                key,
                designs: &self.designs,
            }),
        });
        self.unreadable
            .iter()
            .cloned()
            .chain(findings.iter().map(|f| f.to_string()))
            .collect()
    }
}

/// A receipt with the audit path to the latest signed head.
#[derive(Debug, Clone)]
pub struct InclusionProof {
    pub receipt: Receipt,
    pub head: SignedTreeHead,
    pub path: Vec<[u8; 32]>,
}

/// CONSORT flow counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Consort {
    /// Distinct youth screened.
    pub assessed: i64,
    /// Screened, never randomised, not eligible at their last screening.
    pub excluded: i64,
    /// (reason code, youth) among the excluded, in the order of `Ineligibility::ALL`.
    pub excluded_by_reason: Vec<(String, i64)>,
    /// Eligible at screening but not (yet) randomised.
    pub eligible_not_randomised: i64,
    pub randomised: i64,
    pub programme: i64,
    pub control: i64,
    pub took_up: i64,
    pub declined: i64,
}

/// Allocations by arm in one stratum (or one municipality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmBalance {
    pub label: String,
    pub programme: i64,
    pub control: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrialReport {
    pub consort: Consort,
    pub by_stratum: Vec<ArmBalance>,
    pub by_municipality: Vec<ArmBalance>,
    /// The share of allocations a caseworker remembering the stratum's history
    /// could have guessed, and what pure chance gives.
    pub predictability_share: f64,
    pub predictability_chance: f64,
}

impl TrialReport {
    fn compute(
        design: &Design,
        screenings: &[(Vec<u8>, bool, String)],
        allocations: &[(Vec<u8>, String, String, Option<i64>)],
        take_up: &[bool],
    ) -> TrialReport {
        let randomised: HashSet<&[u8]> = allocations.iter().map(|a| a.0.as_slice()).collect();
        let mut last_screening: HashMap<&[u8], (bool, &str)> = HashMap::new();
        for (subject, eligible, reasons) in screenings {
            last_screening.insert(subject.as_slice(), (*eligible, reasons.as_str()));
        }
        let mut consort = Consort {
            assessed: last_screening.len() as i64,
            randomised: allocations.len() as i64,
            took_up: take_up.iter().filter(|&&a| a).count() as i64,
            declined: take_up.iter().filter(|&&a| !a).count() as i64,
            ..Consort::default()
        };
        let mut by_reason: BTreeMap<usize, i64> = BTreeMap::new();
        for (subject, (eligible, reasons)) in &last_screening {
            if randomised.contains(subject) {
                continue;
            }
            if *eligible {
                consort.eligible_not_randomised += 1;
                continue;
            }
            consort.excluded += 1;
            for code in reasons.split(',') {
                if let Some(at) = Ineligibility::ALL.iter().position(|r| r.code() == code) {
                    *by_reason.entry(at).or_default() += 1;
                }
            }
        }
        consort.excluded_by_reason = by_reason
            .into_iter()
            .map(|(at, n)| (Ineligibility::ALL[at].code().to_string(), n))
            .collect();
        let mut by_stratum: BTreeMap<&str, ArmBalance> = BTreeMap::new();
        let mut by_municipality: BTreeMap<i64, ArmBalance> = BTreeMap::new();
        let mut sequence = Vec::with_capacity(allocations.len());
        for (_, stratum, arm, municipality) in allocations {
            let arm = Arm::from_name(arm).unwrap_or(Arm::Control);
            let count = |balance: &mut ArmBalance| match arm {
                Arm::Programme => balance.programme += 1,
                Arm::Control => balance.control += 1,
            };
            match arm {
                Arm::Programme => consort.programme += 1,
                Arm::Control => consort.control += 1,
            }
            count(
                by_stratum
                    .entry(stratum.as_str())
                    .or_insert_with(|| ArmBalance {
                        label: stratum.clone(),
                        programme: 0,
                        control: 0,
                    }),
            );
            let code = municipality.unwrap_or_default();
            count(by_municipality.entry(code).or_insert_with(|| ArmBalance {
                label: code.to_string(),
                programme: 0,
                control: 0,
            }));
            sequence.push((parse_stratum(stratum).unwrap_or_default(), arm));
        }
        let predictability = spire_trial::convergence_predictability(
            design.ratio,
            sequence.iter().map(|(stratum, arm)| (stratum, *arm)),
        );
        TrialReport {
            consort,
            by_stratum: by_stratum.into_values().collect(),
            by_municipality: by_municipality.into_values().collect(),
            predictability_share: predictability.share_guessed,
            predictability_chance: predictability.chance,
        }
    }
}
