//! Nobody enters the programme around an open trial. While a trial is open
//! in a municipality: a young person drawn to control is neither registered
//! nor given a course there — only a crossover, decided and recorded by the
//! team lead with a reason, gives them the programme (counted in CONSORT and
//! as participation in the analysis); one drawn to the programme enters by
//! accepting the offer; anyone else registered directly says why they are
//! outside the target group; and screening flags a young person who is
//! already registered (already treated), whose draw then needs the
//! programme's decision and its reason, kept with the draw (`decide.rs`).

use super::*;
use spire_domain::eligibility::OutsideTrial;
use spire_domain::{AllocationId, TrialId};

/// Where a young person (by CPR look-up hash) stands in the open trials that
/// cover a municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrialStanding {
    NoOpenTrial,
    /// An open trial covers the municipality; not drawn in it.
    NotDrawn {
        min_age: i32,
        max_age: i32,
    },
    Control,
    /// Drawn to control, and given the programme by a recorded crossover.
    CrossedOver,
    Programme,
    /// Drawn in another municipality: told only that, never the arm.
    Elsewhere {
        home: i64,
    },
}

/// `trial_standing!(conn, municipality, subject)`: the young person's
/// standing in the open trials covering the municipality.
macro_rules! trial_standing {
    ($conn:expr, $municipality:expr, $subject:expr) => {{
        use $crate::trials::TrialStanding;
        let open: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, settings FROM trials WHERE status = 'open' ORDER BY id")
                .fetch_all(&mut *$conn)
                .await?;
        let mut standing = TrialStanding::NoOpenTrial;
        for (trial_id, settings) in open {
            let settings = $crate::trials::stored_settings(&settings)?;
            if !settings.municipalities.is_empty()
                && !settings.municipalities.contains(&$municipality)
            {
                continue;
            }
            let drawn: Option<(i64, String, i64)> = sqlx::query_as(
                "SELECT ledger_index, arm, municipality_code FROM trial_ledger WHERE trial_id = $1 \
                 AND subject = $2 AND kind = 'allocation'",
            )
            .bind(trial_id)
            .bind($subject)
            .fetch_optional(&mut *$conn)
            .await?;
            standing = match drawn {
                Some((_, _, home)) if home != $municipality => TrialStanding::Elsewhere { home },
                Some((index, arm, _)) if arm == "control" => {
                    let crossed: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM trial_decisions WHERE trial_id = $1 AND ledger_index = $2 \
                         AND kind = 'crossover'",
                    )
                    .bind(trial_id)
                    .bind(index)
                    .fetch_optional(&mut *$conn)
                    .await?;
                    if crossed.is_some() {
                        TrialStanding::CrossedOver
                    } else {
                        TrialStanding::Control
                    }
                }
                Some(_) => TrialStanding::Programme,
                None => TrialStanding::NotDrawn {
                    min_age: settings.min_age,
                    max_age: settings.max_age,
                },
            };
            if !matches!(standing, TrialStanding::NotDrawn { .. }) {
                break;
            }
        }
        standing
    }};
}
pub(crate) use trial_standing;

/// What a direct registration may store as its reason for being outside
/// the trial, or why it is refused.
pub(crate) fn registration_outside_trial(
    standing: TrialStanding,
    cpr: &Cpr,
    outside: Option<&OutsideTrial>,
    today: time::Date,
) -> Result<Option<String>> {
    let refuse = |field, problem| Err(Error::Invalid(FieldError::new(field, problem)));
    match standing {
        TrialStanding::NoOpenTrial | TrialStanding::CrossedOver => Ok(None),
        TrialStanding::Control => refuse("cpr", Problem::TrialControlArm),
        TrialStanding::Programme => refuse("cpr", Problem::TrialProgrammeArm),
        TrialStanding::Elsewhere { .. } => refuse("cpr", Problem::CprElsewhere),
        TrialStanding::NotDrawn { min_age, max_age } => match outside {
            None => refuse("outside_trial", Problem::OutsideTrialReasonNeeded),
            Some(OutsideTrial::Age) if (min_age..=max_age).contains(&cpr.age_on(today)) => {
                refuse("outside_trial", Problem::InsideTrialAgeBand)
            }
            Some(reason) => Ok(Some(reason.stored())),
        },
    }
}

/// Settings as stored, for the macro above (callers outside this module).
pub(crate) fn stored_settings(json: &str) -> Result<TrialSettings> {
    settings_of(json)
}

/// A control-arm allocation of the team lead's municipality, and its
/// crossover once recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ControlAllocation {
    pub trial_id: i64,
    pub trial_name: String,
    pub allocation_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub allocated_at: i64,
    pub crossover_reason: Option<String>,
    pub crossover_by: Option<String>,
    pub crossed_at: Option<i64>,
}

/// The INSERT of one decision, binding (trial, kind, subject, ledger index,
/// municipality, reason, decided by, recorded by, recorded at).
pub(super) const INSERT_DECISION_SQL: &str = "INSERT INTO trial_decisions (trial_id, kind, subject, \
     ledger_index, municipality_code, reason, decided_by, recorded_by, recorded_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// The longest reason a decision keeps.
pub const DECISION_REASON_MAX: usize = 2000;

/// A decision's reason, kept for good: required, at most
/// `DECISION_REASON_MAX` characters, and never a CPR number.
pub(super) fn decision_reason(field: &'static str, text: &str) -> Result<String, FieldError> {
    let reason = spire_domain::validation::required_text(field, text, DECISION_REASON_MAX)?;
    if spire_domain::contains_cpr(&reason) {
        return Err(FieldError::new(field, Problem::ContainsCpr));
    }
    Ok(reason)
}

/// The open trial a caseworker brings young people to, and how many of the
/// caseworker's own programme offers still wait for an answer.
#[derive(Debug, Clone)]
pub struct IntakeSummary {
    pub trial_id: i64,
    pub trial_name: String,
    pub offers_awaiting: i64,
}

impl Db {
    /// For the caseworker's home page: the open trial covering their
    /// municipality and the count of their offers awaiting an answer (a
    /// number only: nobody's data is shown, so nothing is logged).
    pub async fn intake_summary(&self, scope: &Scope) -> Result<Option<IntakeSummary>> {
        let Some(municipality) = scope.municipality else {
            return Ok(None);
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let open: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, name, settings FROM trials WHERE status = 'open' ORDER BY id",
            )
            .fetch_all(&mut *tx)
            .await?;
            for (trial_id, trial_name, settings) in open {
                let settings = stored_settings(&settings)?;
                if !settings.municipalities.is_empty()
                    && !settings.municipalities.contains(&municipality)
                {
                    continue;
                }
                let offers_awaiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                     LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                     WHERE l.trial_id = $1 AND l.municipality_code = $2 AND l.kind = 'allocation' \
                     AND l.arm = 'programme' AND b.created_by = $3 AND t.id IS NULL",
                )
                .bind(trial_id)
                .bind(municipality)
                .bind(scope.user_id)
                .fetch_one(&mut *tx)
                .await?;
                return Ok(Some(IntakeSummary {
                    trial_id,
                    trial_name,
                    offers_awaiting,
                }));
            }
            Ok(None)
        })
    }

    /// The age band of an open trial covering the scope's municipality, if
    /// one does: the registration form then asks why a young person is
    /// outside the trial's target group.
    pub async fn open_trial_age_band(&self, scope: &Scope) -> Result<Option<(i32, i32)>> {
        let Some(municipality) = scope.municipality else {
            return Ok(None);
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            match trial_standing!(tx, municipality, &[] as &[u8]) {
                TrialStanding::NotDrawn { min_age, max_age } => Ok(Some((min_age, max_age))),
                _ => Ok(None),
            }
        })
    }

    /// The control-arm allocations of the team lead's municipality in open
    /// trials, with any crossover: where a crossover is decided. Personal
    /// data: logged.
    pub async fn control_allocations(&self, scope: &Scope) -> Result<Vec<ControlAllocation>> {
        if scope.role != Role::TeamLead {
            return Err(Error::NotFound);
        }
        let municipality = scope.youth_municipality()?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let rows = sqlx::query_as::<_, ControlAllocation>(
                "SELECT t.id AS trial_id, t.name AS trial_name, l.id AS allocation_id, b.first_name, b.last_name, \
                 l.unix_seconds AS allocated_at, d.reason AS crossover_reason, d.decided_by AS crossover_by, \
                 d.recorded_at AS crossed_at FROM trial_ledger l JOIN trials t ON t.id = l.trial_id \
                 JOIN trial_baselines b ON b.ledger_id = l.id \
                 LEFT JOIN trial_decisions d ON d.trial_id = l.trial_id AND d.ledger_index = l.ledger_index \
                 AND d.kind = 'crossover' \
                 WHERE t.status = 'open' AND l.municipality_code = $1 AND l.kind = 'allocation' \
                 AND l.arm = 'control' ORDER BY t.id, l.ledger_index DESC LIMIT 500",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Search,
                None::<i64>,
                Some("trial control arm")
            )?;
            tx.commit().await?;
            Ok(rows)
        })
    }

    /// A crossover: the team lead gives a control-arm young person of their
    /// municipality the programme, with the reason; recorded (once, for
    /// good) and counted in CONSORT and as participation in the analysis.
    /// Registers the young person (unless they are already) and starts the
    /// course on `start`; returns the youth's id.
    pub async fn record_crossover(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        allocation: AllocationId,
        reason: &str,
        start: time::Date,
    ) -> Result<i64> {
        let trial_id = trial.get();
        if scope.role != Role::TeamLead {
            return Err(Error::NotFound);
        }
        let municipality = scope.youth_municipality()?;
        let reason = decision_reason("reason", reason).map_err(Error::Invalid)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            #[allow(clippy::type_complexity)]
            let allocation: Option<(i64, String, Vec<u8>, Vec<u8>, String, String, String, i64)> =
                sqlx::query_as(
                    "SELECT l.ledger_index, l.arm, b.subject, b.cpr_ciphertext, b.first_name, b.last_name, \
                     b.baseline, l.unix_seconds FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                     WHERE l.trial_id = $1 AND l.id = $2 AND l.municipality_code = $3",
                )
                .bind(trial_id)
                .bind(allocation.get())
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?;
            let (
                ledger_index,
                arm,
                subject,
                cpr_ciphertext,
                first_name,
                last_name,
                baseline,
                drawn_at,
            ) = allocation.ok_or(Error::NotFound)?;
            // The course cannot start before the draw it crosses.
            let drawn_on = time::OffsetDateTime::from_unix_timestamp(drawn_at)
                .map_err(|e| Error::Corrupt(e.to_string()))?
                .date();
            if start < drawn_on {
                return Err(Error::Invalid(FieldError::new(
                    "start_date",
                    Problem::DateBeforeAllocation,
                )));
            }
            if arm != "control" {
                return Err(Error::Invalid(FieldError::new(
                    "allocation_id",
                    Problem::CrossoverNotControl,
                )));
            }
            let decided_by: String =
                sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                    .bind(scope.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(INSERT_DECISION_SQL)
                .bind(trial_id)
                .bind("crossover")
                .bind(&subject)
                .bind(ledger_index)
                .bind(municipality)
                .bind(&reason)
                .bind(&decided_by)
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    crate::unique_violation_as(
                        e,
                        "allocation_id",
                        Problem::CrossoverAlreadyRecorded,
                    )
                })?;
            let (youth, _) = super::take_up::start_programme!(
                &mut *tx,
                key,
                scope,
                trial_id,
                municipality,
                &subject,
                &cpr_ciphertext,
                &first_name,
                &last_name,
                &baseline,
                start,
                now
            );
            // Registered in another municipality: not this team lead's to give.
            let youth = youth.ok_or(Error::NotFound)?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(youth),
                Some("trial crossover")
            )?;
            tx.commit().await?;
            Ok(youth)
        })
    }
}
