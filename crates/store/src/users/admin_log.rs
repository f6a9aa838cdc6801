//! The administration log: who changed users, roles, log-in blocks,
//! two-factor, API tokens and municipalities, and when. Written in the same
//! transaction as the change (so no change goes unrecorded) and append-only
//! by trigger. An administrator sees all of it; a team lead sees what
//! concerns their municipality — so an account made there is shown to them.

use crate::{BeginWrite, Db, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::Role;

/// Who makes an administrative change.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) user_id: Option<i64>,
    pub(crate) command: Option<String>,
    pub(crate) request_id: String,
    /// A municipal actor (a team lead) may change only their own
    /// municipality's users.
    pub(crate) municipality: Option<i64>,
    /// The acting user's role (none for a command).
    pub(crate) role: Option<Role>,
}

impl Actor {
    /// A signed-in user, acting in their scope.
    pub fn of(scope: &Scope) -> Actor {
        Actor {
            user_id: Some(scope.user_id),
            command: None,
            request_id: scope.request_id.clone(),
            municipality: scope.municipality,
            role: Some(scope.role),
        }
    }

    /// A command run on the server by whoever operates it (`spire user add`,
    /// `spire demo`): recorded by its name.
    pub fn command(command: &str) -> Actor {
        Actor {
            user_id: None,
            command: Some(command.to_string()),
            request_id: String::new(),
            municipality: None,
            role: None,
        }
    }
}

/// What was changed; stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    UserCreated,
    UserApproved,
    LoginUnblocked,
    TwoFactorReset,
    TokenCreated,
    TokenRevoked,
    MunicipalitySaved,
    UserRenamed,
    TeamPlaced,
    LoginLinked,
    UserDeactivated,
    UserReactivated,
}

impl AdminAction {
    pub fn code(self) -> &'static str {
        match self {
            AdminAction::UserCreated => "user-created",
            AdminAction::UserApproved => "user-approved",
            AdminAction::LoginUnblocked => "login-unblocked",
            AdminAction::TwoFactorReset => "two-factor-reset",
            AdminAction::TokenCreated => "token-created",
            AdminAction::TokenRevoked => "token-revoked",
            AdminAction::MunicipalitySaved => "municipality-saved",
            AdminAction::UserRenamed => "user-renamed",
            AdminAction::TeamPlaced => "team-placed",
            AdminAction::LoginLinked => "login-linked",
            AdminAction::UserDeactivated => "user-deactivated",
            AdminAction::UserReactivated => "user-reactivated",
        }
    }
}

/// Records one change in the administration log inside the change's own
/// transaction: `record_admin_change!(tx, actor, action, target, municipality, detail)`.
macro_rules! record_admin_change {
    ($tx:expr, $actor:expr, $action:expr, $target:expr, $municipality:expr, $detail:expr) => {
        sqlx::query(
            "INSERT INTO admin_log (at, actor_user_id, actor_command, action, target, municipality_code, detail, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($crate::now())
        .bind($actor.user_id)
        .bind($actor.command.as_deref())
        .bind($crate::users::admin_log::AdminAction::code($action))
        .bind($target)
        .bind($municipality)
        .bind($detail)
        .bind(&$actor.request_id)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use record_admin_change;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AdminLogEntry {
    pub id: i64,
    pub at: i64,
    /// The acting user's login, or the command's name.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub municipality_code: Option<i64>,
    pub municipality_name: Option<String>,
    pub detail: String,
}

impl Db {
    /// The newest changes first (at most `limit`): all of them for an
    /// administrator, the scope's municipality's for a team lead.
    pub async fn admin_log(&self, scope: &Scope, limit: i64) -> Result<Vec<AdminLogEntry>> {
        let municipality = match scope.role {
            Role::Admin => None,
            Role::TeamLead => Some(scope.municipality.ok_or(crate::Error::NotFound)?),
            _ => return Err(crate::Error::NotFound),
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, AdminLogEntry>(
                "SELECT l.id, l.at, COALESCE(u.login, l.actor_command, '') AS actor, l.action, l.target, \
                 l.municipality_code, m.name AS municipality_name, l.detail \
                 FROM admin_log l LEFT JOIN users u ON u.id = l.actor_user_id \
                 LEFT JOIN municipalities m ON m.code = l.municipality_code \
                 WHERE ($1 IS NULL OR l.municipality_code = $1) ORDER BY l.id DESC LIMIT $2",
            )
            .bind(municipality)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?)
        })
    }
}
