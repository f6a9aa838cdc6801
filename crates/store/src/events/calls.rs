//! The call: each pair of the match is a task for the company's contact,
//! with the young person's first name and phone number (seen by the company
//! only from the match on). The contact records what came of it; an agreed
//! call plans the internship within the law, for the consultant to complete.

use super::*;
use crate::internships::insert_planned_internship;
use spire_domain::event::{CALL_NOTE_MAX, CallOutcome};
use spire_domain::{CallId, InternshipId};

pub(crate) const INSERT_CALL_SQL: &str = "INSERT INTO event_calls (event_id, run_id, youth_id, company_id, status, created_at) \
     VALUES ($1, $2, $3, $4, 'open', $5)";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CallRow {
    pub id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub youth_id: i64,
    pub first_name: String,
    pub phone: Option<String>,
    pub company_id: i64,
    pub company_name: String,
    /// `open`, `reached`, `not_reached` or `agreed`.
    pub status: String,
    pub note: String,
    pub internship_id: Option<i64>,
}

/// What the contact says came of the call; an agreed call carries the
/// internship they agreed on.
#[derive(Debug, Clone)]
pub struct CallUpdate {
    pub outcome: CallOutcome,
    pub note: String,
    pub internship: Option<crate::NewInternship>,
}

/// A call the viewer may see: $1 the call, $2 municipality, $3 the company
/// (a contact): its youth, company and status.
const VISIBLE_CALL_SQL: &str = "SELECT k.youth_id, k.company_id, k.status FROM event_calls k JOIN events e ON e.id = k.event_id \
     WHERE k.id = $1 AND e.municipality_code = $2 AND k.status <> 'withdrawn' \
     AND (CAST($3 AS BIGINT) IS NULL OR k.company_id = $3)";

/// Calls a viewer may see: $1 municipality, $2 the company (a contact), $3
/// the event (or every event).
const CALLS_SQL: &str = "SELECT k.id, k.event_id, e.title AS event_title, k.youth_id, y.first_name, y.phone, \
     k.company_id, c.name AS company_name, k.status, k.note, k.internship_id \
     FROM event_calls k JOIN events e ON e.id = k.event_id JOIN youth y ON y.id = k.youth_id \
     JOIN companies c ON c.id = k.company_id \
     WHERE e.municipality_code = $1 AND k.status <> 'withdrawn' \
     AND (CAST($2 AS BIGINT) IS NULL OR k.company_id = $2) AND (CAST($3 AS BIGINT) IS NULL OR k.event_id = $3) \
     ORDER BY k.status = 'open' DESC, e.event_date DESC, y.first_name, k.id";

impl Db {
    /// The calls the scope may see: a company contact their company's, staff
    /// every call of the municipality (of one event, or all).
    pub async fn calls(&self, scope: &Scope, event: Option<EventId>) -> Result<Vec<CallRow>> {
        let rows: Vec<CallRow> = on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let company = match viewer {
                Viewer::Staff { .. } => None,
                Viewer::Company { company, .. } => Some(company),
                Viewer::Youth { .. } => return Err(Error::NotFound),
            };
            sqlx::query_as(CALLS_SQL)
                .bind(viewer.municipality())
                .bind(company)
                .bind(event.map(|e| e.get()))
                .fetch_all(&mut *conn)
                .await?
        });
        let ids: Vec<i64> = rows.iter().map(|r| r.youth_id).collect();
        self.log_reads(scope, AccessAction::Read, &ids, "event call")
            .await?;
        Ok(rows)
    }

    /// Records what came of a call, once. An agreed call plans the internship
    /// (the law's limits apply; a refusal names the field) and returns it.
    pub async fn record_call(
        &self,
        scope: &Scope,
        call: CallId,
        update: &CallUpdate,
    ) -> Result<Option<InternshipId>> {
        let mut problems = Vec::new();
        let note = optional_text("note", &update.note, CALL_NOTE_MAX)
            .unwrap_or_else(|e| {
                problems.push(e);
                None
            })
            .unwrap_or_default();
        if let Some(plan) = &update.internship
            && let Err(e) = required_text(
                "function",
                &plan.function,
                spire_domain::internship::FUNCTION_MAX,
            )
        {
            problems.push(e);
        }
        refuse(problems)?;
        let rules = self.programme_rules().await?.internship;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let viewer = viewer!(&mut *tx, scope);
            let company = match viewer {
                Viewer::Staff { .. } => None,
                Viewer::Company { company, .. } => Some(company),
                Viewer::Youth { .. } => return Err(Error::NotFound),
            };
            sqlx::query("UPDATE event_calls SET id = id WHERE id = $1")
                .bind(call.get())
                .execute(&mut *tx)
                .await?;
            let row: (i64, i64, String) = sqlx::query_as(VISIBLE_CALL_SQL)
                .bind(call.get())
                .bind(viewer.municipality())
                .bind(company)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let (youth_id, company_id, status) = row;
            // A call not answered may be tried again; an agreed one is done.
            if status == "agreed" {
                return Err(one("outcome", Problem::CallRecorded));
            }
            let internship = match (update.outcome, &update.internship) {
                (CallOutcome::Agreed, Some(plan)) => {
                    let contact: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM company_contacts WHERE user_id = $1 AND company_id = $2",
                    )
                    .bind(scope.user_id)
                    .bind(company_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let new = crate::NewInternship {
                        youth: YouthId::new(youth_id),
                        company: CompanyId::new(company_id),
                        contact_id: contact,
                        ..plan.clone()
                    };
                    let municipality = viewer.municipality();
                    Some(insert_planned_internship!(
                        &mut tx,
                        scope,
                        municipality,
                        rules,
                        new
                    ))
                }
                (CallOutcome::Agreed, None) => {
                    return Err(one("function", Problem::Required));
                }
                _ => None,
            };
            if let Some(internship) = internship {
                // The consultant completes what the company and the youth agreed.
                sqlx::query(
                    "INSERT INTO tasks (municipality_code, youth_id, assignee_id, kind, internship_id, due_date, created_at) \
                     SELECT municipality_code, id, consultant_id, 'event_internship', $1, $2, $3 FROM youth WHERE id = $4",
                )
                .bind(internship)
                .bind(crate::networks::today())
                .bind(now)
                .bind(youth_id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE event_calls SET status = $1, note = $2, recorded_by = $3, recorded_at = $4, internship_id = $5 \
                 WHERE id = $6",
            )
            .bind(update.outcome.code())
            .bind(&note)
            .bind(scope.user_id)
            .bind(now)
            .bind(internship)
            .bind(call.get())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth_id),
                Some("event call")
            )?;
            tx.commit().await?;
            Ok(internship.map(InternshipId::new))
        })
    }

    /// Not found unless the scope may see the call (its company's contact, or staff).
    pub async fn require_call_visible(&self, scope: &Scope, call: CallId) -> Result<()> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let company = match viewer {
                Viewer::Staff { .. } => None,
                Viewer::Company { company, .. } => Some(company),
                Viewer::Youth { .. } => return Err(Error::NotFound),
            };
            sqlx::query_as::<_, (i64, i64, String)>(VISIBLE_CALL_SQL)
                .bind(call.get())
                .bind(viewer.municipality())
                .bind(company)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(Error::NotFound)?;
            Ok(())
        })
    }
}
