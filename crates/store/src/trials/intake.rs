//! Intake: screening a youth for a trial and the randomisation entry point
//! (the allocation itself is `batch.rs` and `decide.rs`).

use super::*;
use spire_domain::TrialId;

pub(super) const INSERT_SCREENING_SQL: &str = "INSERT INTO trial_screenings (trial_id, at, user_id, municipality_code, subject, eligible, \
     reasons, outcome, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub(super) fn intake_municipality(scope: &Scope, intake: &Intake) -> Result<i64> {
    // A caseworker randomises youth of their own municipality only.
    let own = scope.youth_municipality()?;
    if own == intake.municipality_code {
        Ok(own)
    } else {
        Err(Error::Invalid(FieldError::new(
            "municipality_code",
            Problem::UnknownMunicipality,
        )))
    }
}

pub(super) fn candidate(intake: &Intake) -> Candidate<'_> {
    Candidate {
        cpr: &intake.cpr,
        municipality_code: intake.municipality_code,
        benefit: intake.benefit,
        readiness: intake.readiness,
        has_qualification: intake.has_qualification,
        intake_date: intake.intake_date,
    }
}

pub(super) fn reason_codes(reasons: &[Ineligibility]) -> String {
    reasons
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(",")
}

impl Db {
    /// The screening step: checks eligibility, shows an earlier allocation,
    /// and writes the screening log row. Allocates nothing.
    pub async fn screen_for_trial(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        intake: &Intake,
    ) -> Result<Screening> {
        let trial_id = trial.get();
        let municipality = intake_municipality(scope, intake)?;
        let subject = key.cpr_lookup(&intake.cpr);
        let design = self.trial_design(trial).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::cpr_elsewhere::refuse_over_elsewhere_limit!(&mut *tx, scope);
            let settings: String = sqlx::query_scalar("SELECT settings FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let settings = settings_of(&settings)?;
            let stratum = stratum_for(&design, &settings, intake).map_err(Error::Invalid)?;
            let existing = sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_SUBJECT_SQL)
                .bind(trial_id)
                .bind(&subject)
                .fetch_optional(&mut *tx)
                .await?
                .map(Receipt::from);
            // Randomised in another municipality: told only that (below).
            let elsewhere = existing
                .as_ref()
                .map(|r| r.municipality_code)
                .filter(|&home| home != municipality);
            let existing = existing.filter(|_| elsewhere.is_none());
            // Driven from the (few) trials, one look-up each on the ledger's
            // (trial, subject) index of allocations.
            let other_trials: Vec<String> = sqlx::query_scalar(
                "SELECT t.name FROM trials t WHERE t.id <> $1 AND EXISTS (SELECT 1 FROM trial_ledger l \
                 WHERE l.trial_id = t.id AND l.subject = $2 AND l.kind = 'allocation') ORDER BY t.id",
            )
            .bind(trial_id)
            .bind(&subject)
            .fetch_all(&mut *tx)
            .await?;
            let already_registered: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM youth WHERE cpr_lookup = $1 AND municipality_code = $2",
            )
            .bind(&subject)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            let reasons = settings.eligibility().check(&candidate(intake));
            let outcome = match (&existing, reasons.is_empty()) {
                (Some(_), _) => "already_randomised",
                (None, _) if elsewhere.is_some() => "already_randomised",
                (None, true) => "screened",
                (None, false) => "excluded",
            };
            sqlx::query(INSERT_SCREENING_SQL)
                .bind(trial_id)
                .bind(crate::now())
                .bind(scope.user_id)
                .bind(municipality)
                .bind(&subject)
                .bind(reasons.is_empty())
                .bind(reason_codes(&reasons))
                .bind(outcome)
                .bind(scope.request_id.as_str())
                .execute(&mut *tx)
                .await?;
            if let Some(home) = elsewhere {
                crate::cpr_elsewhere::log_found_elsewhere!(tx, scope, home, None::<i64>);
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Read,
                None::<i64>,
                Some("trial screening")
            )?;
            tx.commit().await?;
            Ok(Screening {
                reasons,
                stratum: stratum.to_string(),
                already_registered: already_registered.is_some() && existing.is_none(),
                existing,
                elsewhere: elsewhere.is_some(),
                other_trials,
            })
        })
    }

    /// Randomises a youth: see the module documentation for the transaction.
    /// Returns only after the allocation has been committed.
    pub async fn randomise(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        intake: &Intake,
        idempotency_key: Option<&str>,
    ) -> Result<Randomisation> {
        self.randomise_when(scope, key, trial, intake, idempotency_key, None)
            .await
    }

    /// Randomises as if the intake happened at `at` (never before the ledger's
    /// last entry): only for `spire demo`'s year of synthetic history. The
    /// server and the API always randomise now.
    #[doc(hidden)]
    pub async fn randomise_backdated(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        intake: &Intake,
        at: time::OffsetDateTime,
    ) -> Result<Randomisation> {
        let at = UtcTime {
            unix_seconds: at.unix_timestamp(),
            nanos: at.nanosecond(),
        };
        self.randomise_when(scope, key, trial, intake, None, Some(at))
            .await
    }

    async fn randomise_when(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        intake: &Intake,
        idempotency_key: Option<&str>,
        at: Option<UtcTime>,
    ) -> Result<Randomisation> {
        let trial_id = trial.get();
        let municipality = intake_municipality(scope, intake)?;
        let subject_bytes = key.cpr_lookup(&intake.cpr);
        let subject = SubjectPseudonym(hash32(&subject_bytes, "the CPR look-up hash")?);
        let idempotency_key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if idempotency_key.is_some_and(|k| k.len() > 200) {
            return Err(Error::Invalid(FieldError::new(
                "idempotency_key",
                Problem::TooLong,
            )));
        }
        let request = batch::Request {
            scope: scope.clone(),
            key: key.clone(),
            intake: intake.clone(),
            idempotency_key: idempotency_key.map(str::to_string),
            municipality,
            subject_bytes,
            subject,
            at,
        };
        self.randomise_queued(trial_id, request).await
    }
}
