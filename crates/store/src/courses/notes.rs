//! Psychologist notes: a separate record, psychologists only, every read logged.

use crate::access_log::{AccessAction, log_access};
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::course::PSYCHOLOGIST_NOTE_MAX;
use spire_domain::validation::required_text;
use spire_domain::{Role, YouthId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub note: String,
    pub written_by_name: String,
    pub written_at: i64,
}

impl Db {
    /// A psychologist's notes on a youth: readable and writable by
    /// psychologists only; every read is in the access log.
    pub async fn psychologist_notes(&self, scope: &Scope, youth: YouthId) -> Result<Vec<NoteRow>> {
        if scope.role != Role::Psychologist {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, NoteRow>(
                "SELECT n.id, n.note, u.display_name AS written_by_name, n.written_at FROM psychologist_notes n \
                 JOIN users u ON u.id = n.written_by WHERE n.youth_id = $1 AND n.municipality_code = $2 ORDER BY n.id DESC",
            )
            .bind(youth.get())
            .bind(scope.municipality)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("psychologist-notes"),
            )
            .await?;
            Ok(rows)
        })
    }

    pub async fn add_psychologist_note(
        &self,
        scope: &Scope,
        youth: YouthId,
        note: &str,
    ) -> Result<()> {
        if scope.role != Role::Psychologist {
            return Err(Error::NotFound);
        }
        required_text("note", note, PSYCHOLOGIST_NOTE_MAX).map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO psychologist_notes (municipality_code, youth_id, note, written_by, written_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(note.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(youth.get()),
                Some("psychologist-notes")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}
