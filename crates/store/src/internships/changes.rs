//! Changes to internships, each within the law and each a row of the
//! append-only history: planning one, a new function, an extension, a new
//! status (the youth ending their own), a weekly check-in.

use super::*;

/// Plans an internship inside the caller's transaction, after the caller has
/// checked who may: the youth's row locked, the law's limits for their
/// readiness, the company of the municipality, no overlap; the history's
/// first row and the access log written. Used by the consultant's form and by
/// a company's agreed call after an event.
macro_rules! insert_planned_internship {
    ($tx:expr, $scope:expr, $municipality:expr, $rules:expr, $new:expr) => {{
        let youth_id = $new.youth.get();
        let now = $crate::now();
        sqlx::query($crate::internships::LOCK_YOUTH_SQL)
            .bind(youth_id)
            .execute(&mut **$tx)
            .await?;
        let readiness = $crate::internships::readiness_of(
            sqlx::query_scalar($crate::internships::OPEN_READINESS_SQL)
                .bind(youth_id)
                .fetch_optional(&mut **$tx)
                .await?,
        )?;
        let mut problems = $rules.check(&spire_domain::internship::Plan {
            readiness,
            start: $new.start,
            end: $new.end,
            hours_per_week: $new.hours_per_week,
        });
        let company: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM companies WHERE id = $1 AND municipality_code = $2",
        )
        .bind($new.company.get())
        .bind($municipality)
        .fetch_optional(&mut **$tx)
        .await?;
        if company.is_none() {
            problems.push(spire_domain::FieldError::new("company_id", spire_domain::Problem::UnknownCompany));
        } else if let Some(contact) = $new.contact_id {
            let known: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM company_contacts WHERE id = $1 AND company_id = $2",
            )
            .bind(contact)
            .bind($new.company.get())
            .fetch_optional(&mut **$tx)
            .await?;
            if known.is_none() {
                problems.push(spire_domain::FieldError::new("contact_id", spire_domain::Problem::UnknownContact));
            }
        }
        if $new.start <= $new.end
            && $crate::internships::overlaps_open_internship!(&mut **$tx, youth_id, -1_i64, ($new.start, $new.end))
        {
            problems.push(spire_domain::FieldError::new("start_date", spire_domain::Problem::OverlapsInternship));
        }
        $crate::internships::invalid(problems)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO internships (municipality_code, youth_id, company_id, contact_id, function, start_date, \
             end_date, hours_per_week, schedule, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned', $10, $11) RETURNING id",
        )
        .bind($municipality)
        .bind(youth_id)
        .bind($new.company.get())
        .bind($new.contact_id)
        .bind(&$new.function)
        .bind($new.start.to_string())
        .bind($new.end.to_string())
        .bind($new.hours_per_week)
        .bind(&$new.schedule)
        .bind($scope.user_id)
        .bind(now)
        .fetch_one(&mut **$tx)
        .await?;
        sqlx::query($crate::internships::EVENT_SQL)
            .bind(id)
            .bind("created")
            .bind($new.start.to_string())
            .bind(&$new.function)
            .bind(None::<&str>)
            .bind(None::<&str>)
            .bind(None::<&str>)
            .bind($scope.user_id)
            .bind(now)
            .execute(&mut **$tx)
            .await?;
        $crate::access_log::log_access!(
            &mut **$tx,
            $scope,
            $crate::AccessAction::Create,
            Some(youth_id),
            Some("internship")
        )?;
        id
    }};
}
pub(crate) use insert_planned_internship;

impl Db {
    /// Creates a planned internship for a youth with an open course, within
    /// the law: every problem is refused with its field, never saved quietly.
    pub async fn create_internship(
        &self,
        scope: &Scope,
        new: &NewInternship,
    ) -> Result<InternshipId> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let municipality = scope.municipality.ok_or(Error::NotFound)?;
        let rules = self.programme_rules().await?.internship;
        let youth_id = new.youth.get();
        let mut problems = Vec::new();
        if let Err(e) = required_text("function", &new.function, FUNCTION_MAX) {
            problems.push(e);
        }
        if let Err(e) = optional_text("schedule", &new.schedule, SCHEDULE_MAX) {
            problems.push(e);
        }
        invalid(problems)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth_id);
            let id = insert_planned_internship!(&mut tx, scope, municipality, rules, new);
            tx.commit().await?;
            Ok(InternshipId::new(id))
        })
    }

    /// Changes what the youth does in the company from a date; the earlier
    /// function stays in the history.
    pub async fn change_internship_function(
        &self,
        scope: &Scope,
        internship: InternshipId,
        function: &str,
        from: Date,
    ) -> Result<()> {
        self.change_internship(scope, internship, |row, _rules, _readiness| {
            let start = stored_date(&row.start_date)?;
            let end = stored_date(&row.end_date)?;
            if from < start || from > end {
                return Err(Error::Invalid(FieldError::new(
                    "from_date",
                    Problem::OutOfRange,
                )));
            }
            if !Status::from_code(&row.status).is_some_and(Status::is_open) {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            required_text("function", function, FUNCTION_MAX).map_err(Error::Invalid)?;
            Ok(Change {
                new_range: None,
                set_sql: "UPDATE internships SET function = $1 WHERE id = $2",
                set_value: function.to_string(),
                kind: "function",
                effective_date: Some(from.to_string()),
                detail: function.to_string(),
                previous: Some(row.function.clone()),
                reason: None,
                decided_by: None,
            })
        })
        .await
    }

    /// Extends an internship beyond its limit: a later end, a reason and who
    /// decided, within the extended limit of the law.
    pub async fn extend_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        new_end: Date,
        reason: &str,
        decided_by: &str,
    ) -> Result<()> {
        self.change_internship(scope, internship, |row, rules, readiness| {
            if !Status::from_code(&row.status).is_some_and(Status::is_open) {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            let plan = Plan {
                readiness,
                start: stored_date(&row.start_date)?,
                end: stored_date(&row.end_date)?,
                hours_per_week: row.hours_per_week,
            };
            let mut problems = rules.check_extension(&plan, new_end, reason, decided_by);
            if let Err(e) = optional_text("reason", reason, REASON_MAX) {
                problems.push(e);
            }
            if let Err(e) = optional_text("decided_by", decided_by, DECIDED_BY_MAX) {
                problems.push(e);
            }
            invalid(problems)?;
            Ok(Change {
                new_range: Some((plan.start, new_end)),
                set_sql: "UPDATE internships SET end_date = $1 WHERE id = $2",
                set_value: new_end.to_string(),
                kind: "extension",
                effective_date: Some(new_end.to_string()),
                detail: new_end.to_string(),
                previous: Some(row.end_date.clone()),
                reason: Some(reason.trim().to_string()),
                decided_by: Some(decided_by.trim().to_string()),
            })
        })
        .await
    }

    /// Moves an internship to its next status (the state machine decides),
    /// with a reason for an interruption.
    pub async fn transition_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        transition: Transition,
        reason: &str,
    ) -> Result<()> {
        if scope.role == Role::Youth || scope.role == Role::CompanyContact {
            return Err(Error::NotFound);
        }
        self.apply_transition(scope, internship, transition, reason, false)
            .await
    }

    /// The youth ends an internship that is wrong for them (power shift): it
    /// is interrupted by the youth, and their consultant gets a task.
    pub async fn end_own_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        reason: &str,
    ) -> Result<()> {
        if scope.role != Role::Youth {
            return Err(Error::NotFound);
        }
        self.apply_transition(
            scope,
            internship,
            Transition::Interrupt(spire_domain::internship::EndedBy::Youth),
            reason,
            true,
        )
        .await
    }

    async fn apply_transition(
        &self,
        scope: &Scope,
        internship: InternshipId,
        transition: Transition,
        reason: &str,
        task_for_consultant: bool,
    ) -> Result<()> {
        let reason = reason.trim();
        if matches!(transition, Transition::Interrupt(_)) && reason.is_empty() {
            return Err(Error::Invalid(FieldError::new("reason", Problem::Required)));
        }
        optional_text("reason", reason, REASON_MAX).map_err(Error::Invalid)?;
        let visibility = self.internship_visibility(scope).await?;
        let now = crate::now();
        let today = time::OffsetDateTime::now_utc().date();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query(LOCK_YOUTH_OF_INTERNSHIP_SQL)
                .bind(internship.get())
                .execute(&mut *tx)
                .await?;
            let row = visible_internship!(&mut *tx, visibility, internship);
            let from = Status::from_code(&row.status)
                .ok_or_else(|| Error::Corrupt(format!("internship status {:?}", row.status)))?;
            let next = from.after(transition).map_err(Error::Invalid)?;
            let (ended_by, converted_to) = match transition {
                Transition::Interrupt(by) => (Some(by.code()), None),
                Transition::Convert(to) => (None, Some(to.code())),
                _ => (None, None),
            };
            let changed = sqlx::query(
                "UPDATE internships SET status = $1, ended_by = $2, converted_to = $3, status_reason = $4 \
                 WHERE id = $5 AND status = $6",
            )
            .bind(next.code())
            .bind(ended_by)
            .bind(converted_to)
            .bind((!reason.is_empty()).then_some(reason))
            .bind(internship.get())
            .bind(from.code())
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            let detail = match (ended_by, converted_to) {
                (Some(by), _) => format!("{}:{by}", next.code()),
                (_, Some(to)) => format!("{}:{to}", next.code()),
                _ => next.code().to_string(),
            };
            sqlx::query(EVENT_SQL)
                .bind(internship.get())
                .bind("status")
                .bind(today.to_string())
                .bind(&detail)
                .bind(from.code())
                .bind((!reason.is_empty()).then_some(reason))
                .bind(None::<&str>)
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if task_for_consultant {
                sqlx::query(
                    "INSERT INTO tasks (municipality_code, youth_id, assignee_id, kind, internship_id, due_date, created_at) \
                     SELECT y.municipality_code, y.id, y.consultant_id, 'internship_ended_by_youth', $1, $2, $3 \
                     FROM youth y WHERE y.id = $4",
                )
                .bind(internship.get())
                .bind(today.to_string())
                .bind(now)
                .bind(row.youth_id)
                .execute(&mut *tx)
                .await?;
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("internship")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A weekly check-in note on an internship.
    pub async fn check_in_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        note: &str,
    ) -> Result<()> {
        let today = time::OffsetDateTime::now_utc().date();
        self.change_internship(scope, internship, |_row, _rules, _readiness| {
            required_text("note", note, NOTE_MAX).map_err(Error::Invalid)?;
            Ok(Change {
                new_range: None,
                set_sql: "",
                set_value: String::new(),
                kind: "check_in",
                effective_date: Some(today.to_string()),
                detail: note.trim().to_string(),
                previous: None,
                reason: None,
                decided_by: None,
            })
        })
        .await
    }

    /// A change by programme staff to one internship: `decide` looks at the
    /// current row (and the rules and the youth's readiness) and says what to
    /// write; the change and its history row go in one transaction.
    async fn change_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        decide: impl FnOnce(&InternshipRow, &InternshipRules, Readiness) -> Result<Change>,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let visibility = self.internship_visibility(scope).await?;
        let rules = self.programme_rules().await?.internship;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query(LOCK_YOUTH_OF_INTERNSHIP_SQL)
                .bind(internship.get())
                .execute(&mut *tx)
                .await?;
            let row = visible_internship!(&mut *tx, visibility, internship);
            let readiness: Option<String> = sqlx::query_scalar(
                "SELECT readiness FROM courses WHERE youth_id = $1 ORDER BY exit_date IS NULL DESC, id DESC LIMIT 1",
            )
            .bind(row.youth_id)
            .fetch_optional(&mut *tx)
            .await?;
            let change = decide(&row, &rules, readiness_of(readiness)?)?;
            if let Some(range) = change.new_range
                && overlaps_open_internship!(&mut *tx, row.youth_id, row.id, range)
            {
                return Err(Error::Invalid(FieldError::new(
                    "new_end_date",
                    Problem::OverlapsInternship,
                )));
            }
            if !change.set_sql.is_empty() {
                sqlx::query(change.set_sql)
                    .bind(&change.set_value)
                    .bind(internship.get())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(EVENT_SQL)
                .bind(internship.get())
                .bind(change.kind)
                .bind(change.effective_date.as_deref())
                .bind(&change.detail)
                .bind(change.previous.as_deref())
                .bind(change.reason.as_deref())
                .bind(change.decided_by.as_deref())
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("internship")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}

/// What one change writes: a column update (or none) and a history row; a
/// new date range is checked against the youth's other open internships.
struct Change {
    new_range: Option<(Date, Date)>,
    set_sql: &'static str,
    set_value: String,
    kind: &'static str,
    effective_date: Option<String>,
    detail: String,
    previous: Option<String>,
    reason: Option<String>,
    decided_by: Option<String>,
}
