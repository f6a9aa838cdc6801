//! What the public transparency log serves of a trial, to anyone, without a
//! login: the commitment and the log's key, the signed heads, the leaf hashes
//! (tiles), witnesses' cosignatures, and after the reveal the design versions.
//! The entries and the trial key go only to a named recipient, logged
//! (`PublicLog::disclose_to`): an entry holds no CPR number and no name, but
//! its exact time, municipality and stratum, with a baseline hash that can be
//! brute-forced, single a person out; and with the key, whoever knows when a
//! person was drawn could work out their arm.

use super::*;
use spire_domain::TrialId;
use spire_trial::note::{Checkpoint, Cosignature, SignedNote, VerifierKey};

/// A trial as the public log shows it.
#[derive(Debug, Clone)]
pub struct PublicTrial {
    pub id: TrialId,
    pub public_id: String,
    /// 1: opened before the public log (commitment v1); 2: the commitment binds the head key.
    pub log_version: i64,
    pub commitment: [u8; 32],
    pub head_public_key: [u8; 32],
    /// The key was revealed (two people, logged): the designs are public.
    pub revealed: bool,
}

/// A witness's cosignature of the head of `size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCosignature {
    pub size: u64,
    pub witness: VerifierKey,
    pub cosignature: Cosignature,
}

impl Db {
    /// The trial of a public id (any status), or `NotFound`.
    pub async fn public_trial(&self, public_id: &str) -> Result<PublicTrial> {
        let row: Option<(i64, String, i64, Vec<u8>, Vec<u8>, bool)> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.public_id, t.log_version, t.commitment, t.head_public_key, \
                 EXISTS (SELECT 1 FROM trial_reveals r WHERE r.trial_id = t.id) \
                 FROM trials t WHERE t.public_id = $1",
            )
            .bind(public_id)
            .fetch_optional(pool)
            .await?
        });
        let (id, public_id, log_version, commitment, key, revealed) = row.ok_or(Error::NotFound)?;
        Ok(PublicTrial {
            id: TrialId::new(id),
            public_id,
            log_version,
            commitment: hash32(&commitment, "the commitment")?,
            head_public_key: hash32(&key, "the head public key")?,
            revealed,
        })
    }

    /// The leaf hashes of the entries `from..to`, in order.
    pub async fn trial_leaf_hashes(
        &self,
        trial: TrialId,
        from: u64,
        to: u64,
    ) -> Result<Vec<[u8; 32]>> {
        let trial_id = trial.get();
        let hashes: Vec<Vec<u8>> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT leaf_hash FROM trial_ledger WHERE trial_id = $1 AND ledger_index >= $2 \
                 AND ledger_index < $3 ORDER BY ledger_index",
            )
            .bind(trial_id)
            .bind(i64::try_from(from).unwrap_or(i64::MAX))
            .bind(i64::try_from(to).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?
        });
        hashes
            .iter()
            .map(|hash| hash32(hash, "a leaf hash"))
            .collect()
    }

    /// Every stored head up to `size`, by size (a malformed one is an error).
    pub async fn trial_heads(&self, trial: TrialId, size: u64) -> Result<Vec<SignedTreeHead>> {
        let public_id = self.public_trial_id(trial).await?;
        let rows: Vec<super::evidence::HeadColumns> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT tree_size, root, unix_seconds, nanos, signature, checkpoint_signature \
                 FROM trial_heads WHERE trial_id = $1 AND tree_size <= $2 ORDER BY tree_size",
            )
            .bind(trial.get())
            .bind(i64::try_from(size).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|columns| {
                let size = columns.0;
                columns
                    .into_head(&public_id)
                    .ok_or_else(|| Error::Corrupt(format!("the head of size {size}")))
            })
            .collect()
    }

    /// The canonical leaf bytes of the entries `from..to`, in order.
    pub async fn trial_entries(&self, trial: TrialId, from: u64, to: u64) -> Result<Vec<Vec<u8>>> {
        if from >= to {
            return Ok(Vec::new());
        }
        let public = self.public_trial_id(trial).await?;
        let (rows, unreadable) = self
            .read_ledger_chunk(trial.get(), &public, from as i64, to as i64 - 1)
            .await?;
        if let Some(reason) = unreadable.first() {
            return Err(Error::Corrupt(format!("ledger {reason}")));
        }
        Ok(rows.iter().map(|row| row.leaf.encode()).collect())
    }

    async fn public_trial_id(&self, trial: TrialId) -> Result<String> {
        on_db!(self, |pool| {
            sqlx::query_scalar("SELECT public_id FROM trials WHERE id = $1")
                .bind(trial.get())
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)
        })
    }

    /// Every design version's canonical document, version 1 first.
    pub async fn trial_design_documents(&self, trial: TrialId) -> Result<Vec<Vec<u8>>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT document FROM trial_designs WHERE trial_id = $1 ORDER BY version",
            )
            .bind(trial.get())
            .fetch_all(pool)
            .await?)
        })
    }

    /// The trial key once two people revealed it; `None` before.
    pub async fn revealed_trial_key(
        &self,
        key: &ServerKey,
        trial: &PublicTrial,
    ) -> Result<Option<TrialKey>> {
        if !trial.revealed {
            return Ok(None);
        }
        self.decrypt_trial_key(key, trial.id.get()).await.map(Some)
    }

    /// Every cosignature kept, by head size.
    pub async fn trial_cosignatures(&self, trial: TrialId) -> Result<Vec<StoredCosignature>> {
        let rows: Vec<(i64, String, i64, Vec<u8>)> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT tree_size, witness_key, cosigned_at, signature FROM trial_cosignatures \
                 WHERE trial_id = $1 ORDER BY tree_size, witness_key",
            )
            .bind(trial.get())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(size, witness, time, signature)| {
                let corrupt = || Error::Corrupt(format!("the cosignature of size {size}"));
                Ok(StoredCosignature {
                    size: u64::try_from(size).map_err(|_| corrupt())?,
                    witness: VerifierKey::parse(&witness).map_err(|_| corrupt())?,
                    cosignature: Cosignature {
                        time: u64::try_from(time).map_err(|_| corrupt())?,
                        signature: signature.as_slice().try_into().map_err(|_| corrupt())?,
                    },
                })
            })
            .collect()
    }

    /// Keeps a witness's cosignature from a cosigned checkpoint (the signed note
    /// the witness returned). Refused unless the checkpoint is one of this
    /// trial's stored heads and the witness's line verifies under `witness`.
    /// Adding the same cosignature again changes nothing. Returns the head size.
    pub async fn add_trial_cosignature(
        &self,
        trial: TrialId,
        witness: &VerifierKey,
        note: &str,
    ) -> Result<u64> {
        let refused = |why: &str| Error::Refused(why.to_string());
        if witness.key_type != spire_trial::note::COSIGNATURE_KEY {
            return Err(refused(
                "the witness key is not a cosignature key (type 0x04, C2SP tlog-cosignature)",
            ));
        }
        let note = SignedNote::parse(note).map_err(|e| refused(&e.to_string()))?;
        let checkpoint = Checkpoint::parse(&note.text).map_err(|e| refused(&e.to_string()))?;
        let head = self
            .trial_head(trial, Some(checkpoint.size))
            .await?
            .filter(|head| head.head.checkpoint() == checkpoint)
            .ok_or_else(|| refused("the checkpoint is not one of this trial's signed heads"))?;
        let cosignature = note
            .signatures
            .iter()
            .find_map(|line| Cosignature::from_note_signature(line, witness, &checkpoint))
            .ok_or_else(|| {
                refused("no cosignature of this witness verifies over the checkpoint")
            })?;
        let time =
            i64::try_from(cosignature.time).map_err(|_| refused("the cosignature's time"))?;
        on_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO trial_cosignatures (trial_id, tree_size, witness_key, cosigned_at, signature, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
                .bind(trial.get())
                .bind(head.head.size as i64)
                .bind(witness.to_string())
                .bind(time)
                .bind(cosignature.signature.as_slice())
                .bind(crate::now())
                .execute(pool)
                .await?;
        });
        Ok(head.head.size)
    }
}

/// How a disclosure of the ledger's entries is named among the trial's exports.
pub const LEDGER_DISCLOSURE: &str = "ledger entries (audit bundle)";

/// One file of the public log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    pub bytes: Vec<u8>,
    /// Never changes once served (full tiles and bundles, the revealed material).
    pub immutable: bool,
}

/// What a path of the public log holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLookup {
    Found(LogFile),
    Missing,
    /// Public only after the reveal: the design versions.
    Concealed,
    /// Never public: the entries and the trial key, given only to a named recipient.
    Withheld,
}

/// A trial's public log as of its latest signed head, read once and served
/// file by file (the web server per request, `spire trial bundle` all at once).
pub struct PublicLog<'a> {
    db: &'a Db,
    server_key: &'a ServerKey,
    pub trial: PublicTrial,
    /// The latest signed head: every file describes the tree of its size.
    pub head: Option<SignedTreeHead>,
    /// The canonical design documents, version 1 first: read only once revealed.
    designs: Vec<Vec<u8>>,
    tree: Option<MerkleTree>,
    /// The entries were disclosed to a named recipient (logged): they are in the files.
    disclosed: bool,
}

impl<'a> PublicLog<'a> {
    pub async fn open(db: &'a Db, server_key: &'a ServerKey, public_id: &str) -> Result<Self> {
        let trial = db.public_trial(public_id).await?;
        let head = db.trial_head(trial.id, None).await?;
        let designs = match trial.revealed {
            true => db.trial_design_documents(trial.id).await?,
            false => Vec::new(),
        };
        Ok(PublicLog {
            db,
            server_key,
            trial,
            head,
            designs,
            tree: None,
            disclosed: false,
        })
    }

    pub fn size(&self) -> u64 {
        self.head.as_ref().map_or(0, |head| head.head.size)
    }

    /// Every path the log holds now: what a bundle writes.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = ["info", "key", "checkpoint", "heads", "cosignatures"]
            .map(String::from)
            .to_vec();
        paths.extend(
            spire_trial::tiles::tiles_of(self.size())
                .iter()
                .filter(|tile| tile.level.is_some() || self.disclosed)
                .map(|tile| tile.path()),
        );
        if self.trial.revealed {
            paths.extend((1..=self.designs.len()).map(|v| format!("design/{v}")));
        }
        if self.disclosed {
            paths.push("trial-key".into());
        }
        paths
    }

    /// The file at `path`.
    pub async fn file(&mut self, path: &str) -> Result<LogLookup> {
        let found = |bytes: Vec<u8>, immutable| Ok(LogLookup::Found(LogFile { bytes, immutable }));
        let trial_id = self.trial.public_id.clone();
        let key = spire_trial::note::log_key(&trial_id, self.trial.head_public_key);
        match path {
            "info" => found(self.info(&key).into_bytes(), false),
            "key" => found(format!("{key}\n").into_bytes(), true),
            "checkpoint" => {
                let Some(head) = &self.head else {
                    return Ok(LogLookup::Missing);
                };
                let Some(signature) = head.checkpoint_signature else {
                    return Ok(LogLookup::Missing);
                };
                let cosignatures = self.db.trial_cosignatures(self.trial.id).await?;
                let note = spire_trial::public_log::checkpoint_note(
                    head,
                    &key,
                    signature,
                    cosignatures
                        .iter()
                        .filter(|c| c.size == head.head.size)
                        .map(|c| (&c.witness, &c.cosignature)),
                );
                found(note.into_bytes(), false)
            }
            "heads" => {
                let heads = self.db.trial_heads(self.trial.id, self.size()).await?;
                found(
                    spire_trial::public_log::heads_text(&heads).into_bytes(),
                    false,
                )
            }
            "cosignatures" => {
                let cosignatures = self.db.trial_cosignatures(self.trial.id).await?;
                let text = spire_trial::public_log::cosignatures_text(
                    cosignatures
                        .iter()
                        .map(|c| (c.size, &c.witness, &c.cosignature)),
                );
                found(text.into_bytes(), false)
            }
            "trial-key" if !self.disclosed => Ok(LogLookup::Withheld),
            "trial-key" => match self
                .db
                .revealed_trial_key(self.server_key, &self.trial)
                .await?
            {
                Some(trial_key) => found(format!("{}\n", trial_key.to_hex()).into_bytes(), true),
                None => Ok(LogLookup::Concealed),
            },
            _ => match path.strip_prefix("design/") {
                Some(_) if !self.trial.revealed => Ok(LogLookup::Concealed),
                Some(version) => Ok(version
                    .parse::<usize>()
                    .ok()
                    .filter(|v| v.to_string() == version)
                    .and_then(|v| self.designs.get(v.checked_sub(1)?))
                    .map_or(LogLookup::Missing, |document| {
                        LogLookup::Found(LogFile {
                            bytes: document.clone(),
                            immutable: true,
                        })
                    })),
                None => self.tile(path).await,
            },
        }
    }

    async fn tile(&mut self, path: &str) -> Result<LogLookup> {
        let Some(tile) = spire_trial::tiles::Tile::parse(path) else {
            return Ok(LogLookup::Missing);
        };
        if !tile.within(self.size()) {
            return Ok(LogLookup::Missing);
        }
        let immutable = u64::from(tile.width) == spire_trial::tiles::TILE_WIDTH;
        if tile.level.is_none() {
            if !self.disclosed {
                return Ok(LogLookup::Withheld);
            }
            let range = tile.leaf_range();
            let entries = self
                .db
                .trial_entries(self.trial.id, range.start, range.end)
                .await?;
            let bytes = spire_trial::tiles::entry_bundle(entries.iter().map(Vec::as_slice))
                .ok_or_else(|| Error::Corrupt("an entry longer than 65,535 bytes".into()))?;
            return Ok(LogLookup::Found(LogFile { bytes, immutable }));
        }
        let bytes = match &self.tree {
            Some(tree) => spire_trial::tiles::tile_hashes(tree, &tile),
            None => {
                // Only the leaves under this tile: its first leaf starts a subtree of
                // 256^(L+1), so the subtrees of the slice are the tree's.
                let range = tile.leaf_range();
                let hashes = self
                    .db
                    .trial_leaf_hashes(self.trial.id, range.start, range.end)
                    .await?;
                let slice = MerkleTree::from_leaf_hashes(hashes);
                spire_trial::tiles::tile_hashes(
                    &slice,
                    &spire_trial::tiles::Tile { index: 0, ..tile },
                )
            }
        };
        Ok(match bytes {
            Some(bytes) => LogLookup::Found(LogFile { bytes, immutable }),
            None => LogLookup::Missing,
        })
    }

    /// Puts the entries and the trial key into the files for `recipient` (an auditor, a
    /// journal), for `purpose`: only after the reveal, and logged with the
    /// trial's exports.
    pub async fn disclose_to(&mut self, recipient: &str, purpose: &str) -> Result<()> {
        let (recipient, purpose) = (recipient.trim(), purpose.trim());
        if recipient.is_empty() {
            return Err(crate::invalid("recipient", spire_domain::Problem::Required));
        }
        if purpose.is_empty() {
            return Err(crate::invalid("purpose", spire_domain::Problem::Required));
        }
        if !self.trial.revealed {
            return Err(Error::Refused(
                "the entries are disclosed only after the two-person reveal".into(),
            ));
        }
        on_db!(self.db, |pool| {
            sqlx::query(
                "INSERT INTO trial_exports (trial_id, study, recipient, purpose, row_count, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.trial.id.get())
            .bind(LEDGER_DISCLOSURE)
            .bind(recipient)
            .bind(purpose)
            .bind(self.size() as i64)
            .bind(crate::now())
            .execute(pool)
            .await?;
        });
        self.disclosed = true;
        Ok(())
    }

    /// Reads every leaf hash once, for answering every tile (a bundle); a
    /// single request reads only the leaves under its tile.
    pub async fn read_tree(&mut self) -> Result<()> {
        let hashes = self
            .db
            .trial_leaf_hashes(self.trial.id, 0, self.size())
            .await?;
        self.tree = Some(MerkleTree::from_leaf_hashes(hashes));
        Ok(())
    }

    fn info(&self, key: &spire_trial::note::VerifierKey) -> String {
        spire_trial::public_log::Info {
            trial: self.trial.public_id.clone(),
            log_version: self.trial.log_version as u32,
            commitment: self.trial.commitment,
            key: key.clone(),
            revealed: self.trial.revealed,
            size: self.size(),
        }
        .to_text()
    }
}
