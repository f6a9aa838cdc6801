//! One meeting of a youth group: its page (the agenda in the group's order,
//! the register for staff), the youth-owned agenda, attendance with the
//! absence task, meeting stability, and the shared notes.

use super::*;

/// Up to this many youth, meeting stability is read youth by youth (through
/// the index on their marks); more, and one pass over the municipality.
const FEW_YOUTH: usize = 60;

impl Db {
    /// One meeting: the agenda in the group's order with whose each item
    /// is, and for staff the register of the members on its date (logged).
    pub async fn meeting(&self, scope: &Scope, id: MeetingId) -> Result<MeetingDetail> {
        let (municipality, youth_user) = network_viewer(scope)?;
        let detail = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let meeting = sqlx::query_as::<_, MeetingRow>(concat!(
                "SELECT ",
                meeting_columns!(),
                " FROM group_meetings x WHERE x.id = $1 AND ",
                meeting_visible!()
            ))
            .bind(id.get())
            .bind(municipality)
            .bind(youth_user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            let group_name: String =
                sqlx::query_scalar("SELECT name FROM youth_groups WHERE id = $1")
                    .bind(meeting.group_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let agenda = sqlx::query_as::<_, AgendaRow>(
                "SELECT a.id, a.text, a.position, a.youth_id, \
                 COALESCE(y.first_name, u.display_name) AS proposer \
                 FROM agenda_items a JOIN users u ON u.id = a.proposed_by LEFT JOIN youth y ON y.id = a.youth_id \
                 WHERE a.meeting_id = $1 ORDER BY a.position, a.id",
            )
            .bind(id.get())
            .fetch_all(&mut *tx)
            .await?;
            let (attendance, own_youth, moved_up) = match youth_user {
                None => {
                    let rows = sqlx::query_as::<_, AttendanceRow>(
                        "SELECT y.id AS youth_id, y.first_name || ' ' || y.last_name AS name, t.mark, t.reason \
                         FROM group_members m JOIN youth y ON y.id = m.youth_id \
                         LEFT JOIN attendance t ON t.meeting_id = $1 AND t.youth_id = y.id \
                         WHERE m.group_id = $2 AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on >= $3) \
                         ORDER BY y.first_name, y.last_name, y.id",
                    )
                    .bind(id.get())
                    .bind(meeting.group_id)
                    .bind(&meeting.date)
                    .fetch_all(&mut *tx)
                    .await?;
                    (rows, None, None)
                }
                Some(user) => {
                    let own: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM youth WHERE user_id = $1 AND municipality_code = $2",
                    )
                    .bind(user)
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let moved: Option<i64> = sqlx::query_scalar(
                        "SELECT item_id FROM agenda_moves WHERE meeting_id = $1 AND youth_id = $2",
                    )
                    .bind(id.get())
                    .bind(own)
                    .fetch_optional(&mut *tx)
                    .await?;
                    (Vec::new(), own, moved)
                }
            };
            tx.commit().await?;
            MeetingDetail {
                meeting,
                group_name,
                agenda,
                attendance,
                own_youth,
                moved_up,
            }
        });
        if detail.attendance.is_empty() {
            self.log_read(
                scope,
                AccessAction::Read,
                detail.own_youth,
                Some("group meeting"),
            )
            .await?;
        } else {
            // The register shows each member's mark and reason: one row each.
            let ids: Vec<i64> = detail.attendance.iter().map(|a| a.youth_id).collect();
            self.log_reads(scope, AccessAction::Read, &ids, "meeting register")
                .await?;
        }
        Ok(detail)
    }

    /// Puts an item on the agenda, last: a youth of the group proposes it,
    /// or staff add it (and it shows as theirs).
    pub async fn propose_agenda_item(
        &self,
        scope: &Scope,
        meeting: MeetingId,
        text: &str,
    ) -> Result<AgendaItemId> {
        let (municipality, youth_user) = network_viewer(scope)?;
        let text = required_text("text", text, AGENDA_ITEM_MAX).map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let (date, cancelled) = lock_meeting!(tx, meeting, municipality, youth_user);
            if cancelled {
                return Err(invalid("text", Problem::MeetingCancelled));
            }
            if agenda_closed!(&mut *tx, meeting) {
                return Err(invalid("text", Problem::MeetingHeld));
            }
            let youth = match youth_user {
                Some(user) => Some(current_member!(&mut *tx, meeting, user, &date, "text")),
                None => None,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO agenda_items (meeting_id, text, proposed_by, youth_id, position, created_at) \
                 VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $1), $5) RETURNING id",
            )
            .bind(meeting.get())
            .bind(&text)
            .bind(scope.user_id)
            .bind(youth)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
            if youth.is_some() {
                log_access!(
                    &mut *tx,
                    scope,
                    AccessAction::Create,
                    youth,
                    Some("agenda item")
                )?;
            }
            tx.commit().await?;
            Ok(AgendaItemId::new(id))
        })
    }

    /// A youth of the group moves an item one place up: once per meeting
    /// each (the order is the group's, not the facilitator's).
    pub async fn move_agenda_item_up(&self, scope: &Scope, item: AgendaItemId) -> Result<()> {
        let (municipality, youth_user) = network_viewer(scope)?;
        let user = youth_user.ok_or(Error::NotFound)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let meeting: i64 =
                sqlx::query_scalar("SELECT meeting_id FROM agenda_items WHERE id = $1")
                    .bind(item.get())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(Error::NotFound)?;
            let meeting = MeetingId::new(meeting);
            let (date, cancelled) = lock_meeting!(tx, meeting, municipality, Some(user));
            if cancelled {
                return Err(invalid("item", Problem::MeetingCancelled));
            }
            if agenda_closed!(&mut *tx, meeting) {
                return Err(invalid("item", Problem::MeetingHeld));
            }
            let youth = current_member!(&mut *tx, meeting, user, &date, "item");
            let order: Vec<(i64, i64)> =
                sqlx::query_as("SELECT id, position FROM agenda_items WHERE meeting_id = $1")
                    .bind(meeting.get())
                    .fetch_all(&mut *tx)
                    .await?;
            let slots: Vec<AgendaSlot> = order
                .into_iter()
                .map(|(item, position)| AgendaSlot { item, position })
                .collect();
            let (moved, other) =
                move_up(&slots, item.get()).map_err(|problem| invalid("item", problem))?;
            sqlx::query(
                "INSERT INTO agenda_moves (meeting_id, youth_id, item_id, moved_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(meeting.get())
            .bind(youth)
            .bind(item.get())
            .bind(crate::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "item", Problem::AlreadyMovedUp))?;
            for slot in [moved, other] {
                sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2")
                    .bind(slot.position)
                    .bind(slot.item)
                    .execute(&mut *tx)
                    .await?;
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth),
                Some("agenda order")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Registers one youth at a meeting (again: the mark is replaced). Three
    /// absences without notice in a row make a task for their consultant;
    /// returns whether one was made.
    pub async fn record_attendance(
        &self,
        scope: &Scope,
        meeting: MeetingId,
        youth: YouthId,
        mark: Mark,
        reason: Option<&str>,
    ) -> Result<bool> {
        let municipality = staff_only(scope)?;
        let reason = match reason {
            Some(reason) if mark == Mark::AbsentWithReason => {
                optional_text("reason", reason, REASON_MAX).map_err(Error::Invalid)?
            }
            _ => None,
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let (date, cancelled) = lock_meeting!(tx, meeting, municipality, None::<i64>);
            if cancelled {
                return Err(invalid("mark", Problem::MeetingCancelled));
            }
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT m.youth_id FROM group_members m JOIN group_meetings x ON x.group_id = m.group_id \
                 WHERE x.id = $1 AND m.youth_id = $2 AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on >= $3)",
            )
            .bind(meeting.get())
            .bind(youth.get())
            .bind(&date)
            .fetch_optional(&mut *tx)
            .await?;
            member.ok_or(invalid("youth_id", Problem::NotInGroup))?;
            // One youth's marks change one at a time (two meetings registered
            // at once must not both miss, or both make, the task).
            sqlx::query(crate::internships::LOCK_YOUTH_SQL)
                .bind(youth.get())
                .execute(&mut *tx)
                .await?;
            let before: Option<String> = sqlx::query_scalar(
                "SELECT mark FROM attendance WHERE meeting_id = $1 AND youth_id = $2",
            )
            .bind(meeting.get())
            .bind(youth.get())
            .fetch_optional(&mut *tx)
            .await?;
            let now = crate::now();
            sqlx::query("DELETE FROM attendance WHERE meeting_id = $1 AND youth_id = $2")
                .bind(meeting.get())
                .bind(youth.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO attendance (meeting_id, youth_id, mark, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(meeting.get())
            .bind(youth.get())
            .bind(mark.code())
            .bind(reason)
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let mut task = false;
            // Only a mark that newly becomes a no-show counts: registering the
            // same meeting again makes no second task.
            if mark == Mark::AbsentWithoutNotice && before.as_deref() != Some(mark.code()) {
                // The whole streak, so the 6th, 9th … no-show in a row count too.
                let marks = recent_marks!(&mut *tx, youth.get(), STREAK_LIMIT);
                let open: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM tasks WHERE youth_id = $1 AND kind = 'network_absences' AND done_at IS NULL",
                )
                .bind(youth.get())
                .fetch_one(&mut *tx)
                .await?;
                if absences_call_for_task(&marks) && open == 0 {
                    sqlx::query(
                        "INSERT INTO tasks (municipality_code, youth_id, assignee_id, kind, due_date, created_at) \
                         SELECT municipality_code, id, consultant_id, 'network_absences', $1, $2 FROM youth WHERE id = $3",
                    )
                    .bind(&date)
                    .bind(now)
                    .bind(youth.get())
                    .execute(&mut *tx)
                    .await?;
                    task = true;
                }
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("network attendance")
            )?;
            tx.commit().await?;
            Ok(task)
        })
    }

    /// The shared notes after a meeting, which the group can read.
    pub async fn write_meeting_notes(
        &self,
        scope: &Scope,
        meeting: MeetingId,
        notes: &str,
    ) -> Result<()> {
        let municipality = staff_only(scope)?;
        let notes = optional_text("notes", notes, MEETING_NOTES_MAX)
            .map_err(Error::Invalid)?
            .unwrap_or_default();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let changed = sqlx::query(
                "UPDATE group_meetings SET notes = $1, notes_by = $2, notes_at = $3 WHERE id = $4 AND municipality_code = $5",
            )
            .bind(&notes)
            .bind(scope.user_id)
            .bind(crate::now())
            .bind(meeting.get())
            .bind(municipality)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Meeting stability per youth of a municipality: the share of their
    /// last 8 registered meetings they attended (`None`: none registered
    /// yet). One query for the lot (a team lead's week lists hundreds).
    pub(crate) async fn meeting_stability(
        &self,
        municipality: Option<i64>,
        youth: &[i64],
        consultant: Option<i64>,
    ) -> Result<std::collections::HashMap<i64, Option<f64>>> {
        if youth.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        // A consultant's own youth: one pass over their marks.
        if let Some(consultant) = consultant {
            let rows: Vec<(i64, String)> = on_db!(self, |pool| {
                let mut tx = pool.begin_across().await?;
                sqlx::query_as(
                    "SELECT youth_id, mark FROM (SELECT t.youth_id, t.mark, ROW_NUMBER() OVER \
                     (PARTITION BY t.youth_id ORDER BY x.date DESC, x.start_time DESC, x.id DESC) AS n \
                     FROM youth y JOIN attendance t ON t.youth_id = y.id JOIN group_meetings x ON x.id = t.meeting_id \
                     WHERE y.consultant_id = $1 AND NOT x.cancelled) r WHERE n <= $2 ORDER BY youth_id, n",
                )
                .bind(consultant)
                .bind(STABILITY_WINDOW as i64)
                .fetch_all(&mut *tx)
                .await?
            });
            return stabilities(youth, rows);
        }
        // A few youth (a page, a group): each one's own newest marks through
        // their index; a whole municipality: one pass over it.
        if youth.len() <= FEW_YOUTH {
            let mut out = std::collections::HashMap::new();
            for &id in youth {
                let list = on_db!(self, |pool| {
                    let mut tx = pool.begin_across().await?;
                    recent_marks!(&mut *tx, id, STABILITY_WINDOW)
                });
                out.insert(id, stability(&list));
            }
            return Ok(out);
        }
        let rows: Vec<(i64, String)> = on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            sqlx::query_as(
                "SELECT youth_id, mark FROM (SELECT t.youth_id, t.mark, ROW_NUMBER() OVER \
                 (PARTITION BY t.youth_id ORDER BY x.date DESC, x.start_time DESC, x.id DESC) AS n \
                 FROM attendance t JOIN group_meetings x ON x.id = t.meeting_id \
                 WHERE x.municipality_code = $1 AND NOT x.cancelled) r WHERE n <= $2 ORDER BY youth_id, n",
            )
            .bind(municipality)
            .bind(STABILITY_WINDOW as i64)
            .fetch_all(&mut *tx)
            .await?
        });
        stabilities(youth, rows)
    }

    /// One youth's meeting stability, for their page (staff or the youth).
    pub async fn youth_meeting_stability(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Option<f64>> {
        network_viewer(scope)?;
        self.require_youth_visible(scope, youth).await?;
        let stability = self
            .meeting_stability(scope.municipality, &[youth.get()], None)
            .await?;
        self.log_read(
            scope,
            AccessAction::Read,
            Some(youth.get()),
            Some("meeting stability"),
        )
        .await?;
        Ok(stability.get(&youth.get()).copied().flatten())
    }
}

/// Each of `youth`'s stability from their newest marks (`rows` by youth,
/// newest first; youth without marks have none).
fn stabilities(
    youth: &[i64],
    rows: Vec<(i64, String)>,
) -> Result<std::collections::HashMap<i64, Option<f64>>> {
    let mut marks: std::collections::HashMap<i64, Vec<Mark>> =
        youth.iter().map(|id| (*id, Vec::new())).collect();
    for (id, code) in rows {
        if let Some(list) = marks.get_mut(&id) {
            list.push(
                Mark::from_code(&code).ok_or_else(|| {
                    Error::Corrupt(format!("an unknown attendance mark: {code:?}"))
                })?,
            );
        }
    }
    Ok(marks
        .into_iter()
        .map(|(id, list)| (id, stability(&list)))
        .collect())
}
