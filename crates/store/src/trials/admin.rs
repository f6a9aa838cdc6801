//! Ledger entries after allocation (annotations, strata amendments) and the
//! two-person reveal of the trial key.

use super::*;
use spire_domain::{AllocationId, TrialId};

/// Who may take part in revealing a trial key.
const REVEALERS: &[Role] = &[Role::ProgrammeOffice, Role::Researcher, Role::Admin];

/// An annotation or amendment in the ledger, as the trial page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerNote {
    pub ledger_index: i64,
    /// "annotation" or "amendment".
    pub kind: String,
    /// The annotated allocation's ledger index (annotations).
    pub annotated_index: Option<i64>,
    pub design_version: i64,
    pub reason: String,
    pub unix_seconds: i64,
    /// The annotation's text hashes to the hash in its leaf (always true for
    /// amendments, whose reason is not in the leaf).
    pub matches_ledger: bool,
}

impl Db {
    /// The trial's annotations and amendments, oldest first.
    pub async fn trial_ledger_notes(&self, trial: TrialId) -> Result<Vec<LedgerNote>> {
        let trial_id = trial.get();
        #[derive(sqlx::FromRow)]
        struct NoteRow {
            ledger_index: i64,
            kind: String,
            annotated_index: Option<i64>,
            design_version: i64,
            note: Option<String>,
            note_hash: Option<Vec<u8>>,
            unix_seconds: i64,
        }
        let rows: Vec<NoteRow> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT ledger_index, kind, annotated_index, design_version, note, note_hash, unix_seconds \
                 FROM trial_ledger WHERE trial_id = $1 AND kind IN ('annotation', 'amendment') \
                 ORDER BY ledger_index",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| {
                let note = row.note.unwrap_or_default();
                let (reason, matches_ledger) = match row.note_hash {
                    Some(hash) => (
                        serde_json::from_str::<serde_json::Value>(&note)
                            .ok()
                            .and_then(|v| v["reason"].as_str().map(str::to_string))
                            .unwrap_or_default(),
                        sha256(note.as_bytes()).as_slice() == hash.as_slice(),
                    ),
                    None => (note, true),
                };
                LedgerNote {
                    ledger_index: row.ledger_index,
                    kind: row.kind,
                    annotated_index: row.annotated_index,
                    design_version: row.design_version,
                    reason,
                    unix_seconds: row.unix_seconds,
                    matches_ledger,
                }
            })
            .collect())
    }

    /// Annotates an allocation, e.g. "allocated in error": a new ledger entry
    /// with the reason, who and when. Nothing is deleted and no slot is freed.
    /// The programme office annotates. Returns the annotation's ledger index.
    pub async fn annotate_allocation(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        allocation: AllocationId,
        reason: &str,
    ) -> Result<i64> {
        let trial_id = trial.get();
        let allocation_id = allocation.get();
        if scope.role != Role::ProgrammeOffice {
            return Err(Error::NotFound);
        }
        let reason = spire_domain::validation::required_text("reason", reason, 500)
            .map_err(Error::Invalid)?;
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let trial = sqlx::query_as::<_, LockedTrial>(LOCK_TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let (annotated_index, subject): (i64, Vec<u8>) = sqlx::query_as(
                "SELECT ledger_index, subject FROM trial_ledger WHERE trial_id = $1 AND id = $2 AND kind = 'allocation'",
            )
            .bind(trial_id)
            .bind(allocation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            let time = entry_time(now_utc(), &trial);
            let note = serde_json::json!({
                "reason": reason,
                "actor": scope.user_id,
                "unix_seconds": time.unix_seconds,
            })
            .to_string();
            let note_hash = sha256(note.as_bytes());
            let ledger_index = trial.ledger_size;
            let leaf = LedgerLeaf {
                ledger_index: ledger_index as u64,
                trial_id: trial.public_id.clone(),
                design_version: trial.design_version as u32,
                time,
                actor_id: scope.user_id.to_string(),
                entry: Entry::Annotation {
                    annotated_index: annotated_index as u64,
                    subject: SubjectPseudonym(hash32(&subject, "the subject")?),
                    note_hash,
                },
            };
            let leaf_hash = leaf.hash();
            sqlx::query(
                "INSERT INTO trial_ledger (trial_id, ledger_index, design_version, unix_seconds, nanos, actor_id, kind, \
                 subject, annotated_index, note_hash, note, leaf_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'annotation', $7, $8, $9, $10, $11)",
            )
            .bind(trial_id)
            .bind(ledger_index)
            .bind(trial.design_version)
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind(&leaf.actor_id)
            .bind(&subject)
            .bind(annotated_index)
            .bind(note_hash.as_slice())
            .bind(&note)
            .bind(leaf_hash.as_slice())
            .execute(&mut *tx)
            .await?;
            let head = next_head(key, &trial, leaf_hash, time)?;
            store_head!(&mut tx, trial_id, &trial, &head, 0);
            tx.commit().await?;
            Ok(ledger_index)
        })
    }

    /// A strata amendment: the design `design` becomes version (in force + 1)
    /// of its trial, in force from the entry after the amendment. One write
    /// transaction appends the `Amendment` leaf (the new design's digest, under
    /// the new version), stores the design and a signed head, and moves the
    /// trial to the new version. The design's own `version` is ignored; its
    /// trial id names the trial, its custom factors must be the trial's.
    /// Nothing is edited: earlier versions and their slots stay as they were.
    /// Refused (`InvalidTrial`) for a closed trial or an invalid design.
    /// Returns the new version and the amendment's ledger index.
    pub async fn amend_trial_design(
        &self,
        key: &ServerKey,
        design: &Design,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<(u32, i64)> {
        let invalid = |reason: String| Error::InvalidTrial(reason);
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 500) {
            return Err(invalid("the reason is longer than 500 characters".into()));
        }
        let trial_id = match self.trial_id_by_public_id(&design.trial_id).await {
            Err(Error::NotFound) => {
                return Err(invalid(format!("no trial {:?}", design.trial_id)));
            }
            other => other?.get(),
        };
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let trial = sqlx::query_as::<_, LockedTrial>(LOCK_TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            if trial.status != "open" {
                return Err(invalid(format!(
                    "the trial {:?} is {}: a closed trial is not amended",
                    trial.public_id, trial.status
                )));
            }
            let version = u32::try_from(trial.design_version + 1)
                .map_err(|_| Error::Corrupt("the design version".into()))?;
            let amended = Design {
                version,
                ..design.clone()
            };
            amended
                .validate()
                .map_err(|e| invalid(format!("the amended design: {e}")))?;
            settings_of(&trial.settings)?
                .validate(&amended)
                .map_err(|e| invalid(format!("the amended design: {e}")))?;
            let digest = amended.digest();
            // Log version 2 seals the amendment's hash under the trial key (see
            // `Design::sealed_digest`): the public leaf hash must not give the design away.
            let leaf_digest = if trial.log_version >= 2 {
                let trial_key = TrialKey::from_bytes(hash32(
                    &key.decrypt(TRIAL_KEY_AAD, &trial.key_ciphertext)?,
                    "the trial key",
                )?);
                amended.sealed_digest(&trial_key)
            } else {
                digest
            };
            let time = entry_time(now_utc(), &trial);
            let ledger_index = trial.ledger_size;
            let leaf = LedgerLeaf {
                ledger_index: ledger_index as u64,
                trial_id: trial.public_id.clone(),
                design_version: version,
                time,
                actor_id: actor.to_string(),
                entry: Entry::Amendment {
                    design_digest: leaf_digest,
                },
            };
            let leaf_hash = leaf.hash();
            sqlx::query(
                "INSERT INTO trial_designs (trial_id, version, document, digest, from_index) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(trial_id)
            .bind(i64::from(version))
            .bind(amended.canonical_bytes())
            .bind(digest.as_slice())
            .bind(ledger_index + 1)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO trial_ledger (trial_id, ledger_index, design_version, unix_seconds, nanos, actor_id, kind, \
                 design_digest, note, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, 'amendment', $7, $8, $9)",
            )
            .bind(trial_id)
            .bind(ledger_index)
            .bind(i64::from(version))
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind(&leaf.actor_id)
            .bind(leaf_digest.as_slice())
            .bind(reason)
            .bind(leaf_hash.as_slice())
            .execute(&mut *tx)
            .await?;
            let head = next_head(key, &trial, leaf_hash, time)?;
            store_head!(&mut tx, trial_id, &trial, &head, 0);
            sqlx::query("UPDATE trials SET design_version = $1 WHERE id = $2")
                .bind(i64::from(version))
                .bind(trial_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((version, ledger_index))
        })
    }

    /// The two-person reveal at the end of the trial: two different users of
    /// the programme office, research or administration, both authenticated
    /// by the caller. Logged, and it closes the trial: once the key is out,
    /// nobody may be allocated with it.
    pub async fn reveal_trial_key(
        &self,
        key: &ServerKey,
        trial: TrialId,
        first: &crate::UserRow,
        second: &crate::UserRow,
    ) -> Result<TrialKey> {
        let trial_id = trial.get();
        if first.id == second.id {
            return Err(Error::Refused(
                "the reveal needs two different people".into(),
            ));
        }
        if !REVEALERS.contains(&first.role()) || !REVEALERS.contains(&second.role()) {
            return Err(Error::Refused(
                "only the programme office, researchers and administrators may reveal the key"
                    .into(),
            ));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let closed = sqlx::query("UPDATE trials SET status = 'closed' WHERE id = $1")
                .bind(trial_id)
                .execute(&mut *tx)
                .await?;
            if closed.rows_affected() == 0 {
                return Err(Error::NotFound);
            }
            sqlx::query(
                "INSERT INTO trial_reveals (trial_id, first_user_id, second_user_id, at) VALUES ($1, $2, $3, $4)",
            )
            .bind(trial_id)
            .bind(first.id)
            .bind(second.id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.decrypt_trial_key(key, trial_id).await
    }
}
