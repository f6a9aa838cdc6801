//! Teams of consultants and psychologists, with each member's FTE and caseload.

use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewTeamMember {
    pub user_id: i64,
    pub fte: f64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TeamMemberRow {
    pub team_name: String,
    pub user_id: i64,
    pub display_name: String,
    pub role: String,
    pub fte: f64,
    /// Youth with this member as their consultant.
    pub caseload: i64,
}

impl Db {
    /// Creates a team in a municipality with its members (set-up and demo).
    pub async fn create_team(
        &self,
        municipality_code: i64,
        name: &str,
        members: &[NewTeamMember],
    ) -> Result<i64> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO teams (municipality_code, name) VALUES ($1, $2) RETURNING id",
            )
            .bind(municipality_code)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            for member in members {
                sqlx::query("INSERT INTO team_members (team_id, user_id, fte) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(member.user_id)
                    .bind(member.fte)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The team of the scope's municipality with FTE and caseload per member.
    pub async fn team_members(&self, scope: &Scope) -> Result<Vec<TeamMemberRow>> {
        let Some(municipality) = scope
            .municipality
            .filter(|_| scope.role.is_programme_staff())
        else {
            return Err(Error::NotFound);
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, TeamMemberRow>(
                "SELECT t.name AS team_name, u.id AS user_id, u.display_name, u.role, tm.fte, \
                 (SELECT COUNT(*) FROM youth y WHERE y.consultant_id = u.id) AS caseload \
                 FROM teams t JOIN team_members tm ON tm.team_id = t.id JOIN users u ON u.id = tm.user_id \
                 WHERE t.municipality_code = $1 ORDER BY u.role, u.display_name",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?)
        })
    }
}
