//! The administration log and log-ins that wait: an administrator sees every
//! change to users, roles, two-factor, tokens and municipalities; a team lead
//! sees those that concern their municipality (so an account made there is
//! shown to them) and lifts a wait for their own users.

use crate::http::context::Caller;
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use spire_store::{Actor, AdminLogEntry, BlockedLogin};
use utoipa::{OpenApi, ToSchema};

pub const PAGE: &str = "/admin/log";
/// The newest changes shown.
const SHOWN: i64 = 500;

#[derive(OpenApi)]
#[openapi(paths(log_api, unblock_api, approve_api))]
pub struct Api;

/// A row of the log, in words.
pub struct ChangeRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub municipality: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/log.html")]
pub struct LogView {
    pub ctx: PageCtx,
    /// Login, name, waits until.
    pub blocked: Vec<(String, String, String)>,
    /// Accounts waiting for approval: login, name, role, since.
    pub awaiting: Vec<(String, String, String, String)>,
    /// A team lead approves; an administrator only sees the list.
    pub can_approve: bool,
    pub changes: Vec<ChangeRow>,
    pub unblocked: bool,
    pub approved: bool,
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    unblocked: Option<String>,
    approved: Option<String>,
}

fn change_row(tr: Tr, entry: AdminLogEntry) -> ChangeRow {
    // A new user's detail is their role; show it by its name.
    let detail = if entry.action == "user-created" {
        tr.t(&format!("role-{}", entry.detail.replace('_', "-")))
    } else {
        entry.detail
    };
    ChangeRow {
        at: tr.datetime(entry.at),
        actor: entry.actor,
        action: tr.t(&format!("admin-action-{}", entry.action)),
        target: entry.target,
        municipality: entry.municipality_name.unwrap_or_default(),
        detail,
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<LogQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let scope = caller.scope();
    let blocked = state.db().blocked_logins(&scope).await?;
    let changes = state.db().admin_log(&scope, SHOWN).await?;
    let awaiting = state.db().awaiting_approval(&scope).await?;
    Ok(render(&LogView {
        awaiting: awaiting
            .into_iter()
            .map(|u| {
                let role = tr.t(&format!("role-{}", u.role.replace('_', "-")));
                (u.login, u.display_name, role, tr.datetime(u.since))
            })
            .collect(),
        can_approve: caller.role() == spire_domain::Role::TeamLead,
        ctx: caller.page(PAGE),
        blocked: blocked
            .into_iter()
            .map(|b| (b.login, b.display_name, tr.datetime(b.until)))
            .collect(),
        changes: changes.into_iter().map(|e| change_row(tr, e)).collect(),
        unblocked: query.unblocked.is_some(),
        approved: query.approved.is_some(),
    }))
}

/// The login whose wait to lift.
#[derive(Deserialize, ToSchema)]
pub struct UnblockForm {
    #[serde(default)]
    #[schema(required = true)]
    pub login: String,
}

async fn unblock(state: &AppState, caller: &Caller, login: &str) -> AppResult<()> {
    state
        .db()
        .unblock_user(&Actor::of(&caller.scope()), login.trim())
        .await?;
    Ok(())
}

/// Lifting a wait twice changes nothing more, so a reload is harmless; the
/// redirect makes it a plain page again.
pub async fn unblock_page(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<UnblockForm>,
) -> AppResult<Response> {
    unblock(&state, &caller, &form.login).await?;
    Ok(Redirect::to(&format!("{PAGE}?unblocked=1")).into_response())
}

/// Approves an account that waits (the municipality's team lead).
pub async fn approve_page(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<UnblockForm>,
) -> AppResult<Response> {
    approve(&state, &caller, &form.login).await?;
    Ok(Redirect::to(&format!("{PAGE}?approved=1")).into_response())
}

async fn approve(state: &AppState, caller: &Caller, login: &str) -> AppResult<()> {
    state
        .db()
        .approve_user(&Actor::of(&caller.scope()), login.trim())
        .await?;
    Ok(())
}

/// Approve an account that waits for the municipality's team lead (logged).
#[utoipa::path(post, path = "/api/v1/admin-log/approve", tag = "admin",
    request_body = UnblockForm,
    responses(
        (status = 204, description = "The account may log in"),
        (status = 400, description = "The body is not JSON of the expected shape", body = crate::http::error::ErrorBody),
    ))]
pub async fn approve_api(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<UnblockForm>, JsonRejection>,
) -> AppResult<StatusCode> {
    let Json(form) = body?;
    approve(&state, &caller, &form.login).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The log and the waiting log-ins, as the caller may see them.
#[derive(Serialize, ToSchema)]
pub struct AdminLog {
    pub blocked: Vec<BlockedLoginBody>,
    pub changes: Vec<ChangeBody>,
}

#[derive(Serialize, ToSchema)]
pub struct BlockedLoginBody {
    pub login: String,
    pub display_name: String,
    pub municipality_code: Option<i64>,
    /// Unix seconds when the wait ends.
    pub until: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeBody {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// The acting user's login, or the server command's name.
    pub actor: String,
    /// `user-created`, `user-approved`, `user-renamed`, `team-placed`, `login-linked`,
    /// `user-deactivated`, `user-reactivated`, `login-unblocked`, `two-factor-reset`,
    /// `token-created`, `token-revoked` or `municipality-saved`.
    pub action: String,
    /// The login or municipality code changed.
    pub target: String,
    pub municipality_code: Option<i64>,
    /// The new user's role, the token's label or the municipality's name.
    pub detail: String,
}

/// The administration log (newest first, at most 500) and the log-ins that wait.
#[utoipa::path(get, path = "/api/v1/admin-log", tag = "admin",
    responses((status = 200, description = "All for an administrator; the caller's municipality for a team lead", body = AdminLog)))]
pub async fn log_api(State(state): State<AppState>, caller: Caller) -> AppResult<Json<AdminLog>> {
    let scope = caller.scope();
    let blocked: Vec<BlockedLogin> = state.db().blocked_logins(&scope).await?;
    let changes = state.db().admin_log(&scope, SHOWN).await?;
    Ok(Json(AdminLog {
        blocked: blocked
            .into_iter()
            .map(|b| BlockedLoginBody {
                login: b.login,
                display_name: b.display_name,
                municipality_code: b.municipality_code,
                until: b.until,
            })
            .collect(),
        changes: changes
            .into_iter()
            .map(|e| ChangeBody {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                municipality_code: e.municipality_code,
                detail: e.detail,
            })
            .collect(),
    }))
}

/// Lift a user's log-in wait (logged in the administration log).
#[utoipa::path(post, path = "/api/v1/admin-log/unblock", tag = "admin",
    request_body = UnblockForm,
    responses(
        (status = 204, description = "The user may log in again"),
        (status = 400, description = "The body is not JSON of the expected shape", body = crate::http::error::ErrorBody),
    ))]
pub async fn unblock_api(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<UnblockForm>, JsonRejection>,
) -> AppResult<StatusCode> {
    let Json(form) = body?;
    unblock(&state, &caller, &form.login).await?;
    Ok(StatusCode::NO_CONTENT)
}
