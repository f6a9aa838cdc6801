//! A user's own API tokens: make one (shown once), see each with its expiry
//! and last use, revoke one. A token is made only by a signed-in person (the
//! guard has checked two-factor log-in); the API cannot make tokens.

use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use spire_store::{Actor, ApiTokenRow, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, NewToken, TokenCreated};
use utoipa::{OpenApi, ToSchema};

pub const PAGE: &str = "/account/tokens";

#[derive(OpenApi)]
#[openapi(paths(list_api, revoke_api))]
pub struct Api;

/// A token in the list, in words.
pub struct TokenLine {
    pub id: String,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub status: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
pub struct TokensView {
    pub ctx: PageCtx,
    pub tokens: Vec<TokenLine>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    /// A fresh form's one-time value (a reload of the form makes no second token).
    pub nonce: String,
    /// The secret just made, shown once.
    pub secret: Option<String>,
    /// The same form was sent again: nothing new was made.
    pub already_made: bool,
    pub revoked: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct TokenForm {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub nonce: String,
}

#[derive(Deserialize, Default)]
pub struct TokensQuery {
    revoked: Option<String>,
}

fn line(tr: Tr, token: ApiTokenRow, now: i64) -> TokenLine {
    let (status, active) = match (token.revoked_at, token.expires_at <= now) {
        (Some(at), _) => (
            tr.t_args(
                "tokens-revoked-at",
                &[("at", crate::i18n::Arg::Text(tr.datetime(at)))],
            ),
            false,
        ),
        (None, true) => (tr.t("tokens-expired"), false),
        (None, false) => (tr.t("tokens-active"), true),
    };
    TokenLine {
        id: token.id,
        label: token.label,
        created: tr.datetime(token.created_at),
        expires: tr.date(token.expires_at),
        last_used: token
            .last_used_at
            .map_or_else(|| tr.t("tokens-never-used"), |at| tr.datetime(at)),
        status,
        active,
    }
}

struct Shown {
    secret: Option<String>,
    already_made: bool,
    revoked: bool,
}

async fn view(
    state: &AppState,
    caller: &Caller,
    form: &TokenForm,
    messages: &FieldMessages,
    shown: Shown,
) -> AppResult<TokensView> {
    let tr = caller.tr();
    let now = spire_store::now();
    let tokens = state
        .db()
        .list_api_tokens(caller.user.user.id)
        .await?
        .into_iter()
        .map(|t| line(tr, t, now))
        .collect();
    let days = if form.days.is_empty() {
        DEFAULT_TOKEN_DAYS.to_string()
    } else {
        form.days.clone()
    };
    Ok(TokensView {
        ctx: caller.page(PAGE),
        tokens,
        fields: vec![
            FormField::new(tr, "label", "text", &form.label, messages)
                .required()
                .max_length(100)
                .hint(tr.t("hint-token-label")),
            FormField::new(tr, "days", "integer", &days, messages)
                .required()
                .hint(tr.t_args(
                    "hint-token-days",
                    &[("max", crate::i18n::Arg::Number(MAX_TOKEN_DAYS))],
                )),
        ],
        banner: messages.banner(),
        // A refused form keeps its value, so sending it again still counts once.
        nonce: if form.nonce.is_empty() || shown.secret.is_some() || shown.already_made {
            spire_store::crypto::random_token()
        } else {
            form.nonce.clone()
        },
        secret: shown.secret,
        already_made: shown.already_made,
        revoked: shown.revoked,
    })
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<TokensQuery>,
) -> AppResult<Response> {
    let shown = Shown {
        secret: None,
        already_made: false,
        revoked: query.revoked.is_some(),
    };
    let (form, messages) = (TokenForm::default(), FieldMessages::default());
    Ok(render(
        &view(&state, &caller, &form, &messages, shown).await?,
    ))
}

/// Makes a token and shows its secret once, on this answer only; sending the
/// same form again (a reload) makes no second token.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let days = form.days.trim().parse::<i64>().unwrap_or(0);
    // The page's one-time value (a form sent without one still works, once).
    let nonce = Some(form.nonce.trim()).filter(|n| (1..=64).contains(&n.len()));
    let token = NewToken {
        label: &form.label,
        days,
        form_nonce: nonce,
    };
    let made = state
        .db()
        .create_api_token(&Actor::of(&caller.scope()), &caller.user.user.login, &token)
        .await
        .map_err(AppError::from);
    let (status, shown, messages) = match made {
        Ok(TokenCreated::New(secret)) => (
            StatusCode::CREATED,
            Shown {
                secret: Some(secret.0),
                already_made: false,
                revoked: false,
            },
            FieldMessages::default(),
        ),
        Ok(TokenCreated::AlreadyMade) => (
            StatusCode::OK,
            Shown {
                secret: None,
                already_made: true,
                revoked: false,
            },
            FieldMessages::default(),
        ),
        Err(AppError(crate::http::error::ErrorKind::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Shown {
                secret: None,
                already_made: false,
                revoked: false,
            },
            FieldMessages::from_errors(caller.tr(), &errors),
        ),
        Err(other) => return Err(other),
    };
    let form = if status == StatusCode::UNPROCESSABLE_ENTITY {
        form
    } else {
        TokenForm::default()
    };
    let view = view(&state, &caller, &form, &messages, shown).await?;
    Ok((status, render(&view)).into_response())
}

/// The token to revoke, by the id in the list.
#[derive(Deserialize, ToSchema)]
pub struct RevokeForm {
    #[serde(default)]
    #[schema(required = true)]
    pub id: String,
}

/// Revokes one of the caller's own tokens; an id they have no token with is
/// a mistake in the field, not a missing page.
async fn revoke(state: &AppState, caller: &Caller, id: &str) -> AppResult<()> {
    let login = &caller.user.user.login;
    match state
        .db()
        .revoke_api_token(&Actor::of(&caller.scope()), login, id)
        .await
    {
        Err(spire_store::Error::NotFound) => {
            Err(AppError::invalid(vec![spire_domain::FieldError::new(
                "id",
                spire_domain::Problem::UnknownToken,
            )]))
        }
        done => Ok(done?),
    }
}

pub async fn revoke_page(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<RevokeForm>,
) -> AppResult<Response> {
    revoke(&state, &caller, &form.id).await?;
    Ok(Redirect::to(&format!("{PAGE}?revoked=1")).into_response())
}

/// One of the caller's tokens (never the secret).
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Names the token for revoking.
    pub id: String,
    pub label: String,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The caller's API tokens, newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account",
    responses((status = 200, description = "Revoked and expired ones too", body = [TokenBody])))]
pub async fn list_api(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<Vec<TokenBody>>> {
    let tokens = state.db().list_api_tokens(caller.user.user.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenBody {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Revoke one of the caller's tokens (this one too, if named).
#[utoipa::path(post, path = "/api/v1/tokens/revoke", tag = "account",
    request_body = RevokeForm,
    responses(
        (status = 204, description = "Revoked (or already)"),
        (status = 400, description = "The body is not JSON of the expected shape", body = crate::http::error::ErrorBody),
        (status = 422, description = "The caller has no token with this id", body = crate::http::error::InvalidBody),
    ))]
pub async fn revoke_api(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RevokeForm>, JsonRejection>,
) -> AppResult<StatusCode> {
    let Json(form) = body?;
    revoke(&state, &caller, &form.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
