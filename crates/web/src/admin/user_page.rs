//! One account's page for the administrator: its name, its team and FTE, the
//! record its login opens (a young person's or a company's), and
//! deactivating it. Each form posts, redirects and gets, and a refused form
//! comes back with what was typed.

use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::params::{decimal, required_id};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::after_form;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::{Problem, Role};
use spire_store::{Actor, TEAM_NAME_MAX, TeamPlace, UserDetail};

/// What every form on the page may send; each form sends its own fields.
#[derive(Default, Clone, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub team_name: String,
    #[serde(default)]
    pub fte: String,
    #[serde(default)]
    pub youth_record: String,
    #[serde(default)]
    pub company_id: String,
}

/// The cards of the page, each with its own form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Card {
    Name,
    Team,
    Link,
    Access,
}

/// After a save: which one, and what deactivating ended.
#[derive(Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
    sessions: Option<u64>,
    youth: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPageView {
    pub ctx: PageCtx,
    pub id: i64,
    pub detail: UserDetail,
    pub role_label: String,
    pub state_label: String,
    pub notice: Option<String>,
    pub name_fields: Vec<FormField>,
    pub team_fields: Vec<FormField>,
    pub link_fields: Vec<FormField>,
    pub banner: FormBanner,
    pub is_self: bool,
}

async fn view(
    state: &AppState,
    caller: &Caller,
    id: i64,
    typed: Option<(Card, &AccountForm)>,
    messages: &FieldMessages,
    notice: Option<String>,
) -> AppResult<UserPageView> {
    let tr = caller.tr();
    let detail = state.db().user_detail(id).await?;
    let role = detail.user.role();
    // A refused form shows what was typed; otherwise what is stored.
    let stored = AccountForm {
        display_name: detail.user.display_name.clone(),
        team_name: detail
            .team
            .as_ref()
            .map_or(String::new(), |t| t.team_name.clone()),
        fte: detail
            .team
            .as_ref()
            .map_or(String::new(), |t| tr.number(t.fte, 2)),
        youth_record: detail.youth_record.map_or(String::new(), |r| r.to_string()),
        company_id: detail
            .user
            .company_id
            .map_or(String::new(), |c| c.to_string()),
    };
    // The refused card shows what was typed; the other cards what is stored.
    let form_of = |card: Card| match typed {
        Some((refused, form)) if refused == card => form,
        _ => &stored,
    };
    let name_fields = vec![
        FormField::new(
            tr,
            "display_name",
            "text",
            &form_of(Card::Name).display_name,
            messages,
        )
        .required()
        .max_length(100),
    ];
    let municipality = detail.user.municipality_code;
    let team_fields = match municipality.filter(|_| role.is_programme_staff()) {
        Some(code) => {
            let teams = state.db().team_names(code).await?;
            let hint = if teams.is_empty() {
                tr.t("user-team-hint-none")
            } else {
                tr.t_args("user-team-hint", &[("teams", Arg::Text(teams.join(", ")))])
            };
            vec![
                FormField::new(
                    tr,
                    "team_name",
                    "text",
                    &form_of(Card::Team).team_name,
                    messages,
                )
                .max_length(TEAM_NAME_MAX)
                .hint(hint),
                FormField::new(tr, "fte", "text", &form_of(Card::Team).fte, messages)
                    .max_length(5)
                    .hint(tr.t("user-fte-hint")),
            ]
        }
        None => Vec::new(),
    };
    let link_fields = match (role, municipality) {
        (Role::Youth, Some(_)) => vec![
            FormField::new(
                tr,
                "youth_record",
                "text",
                &form_of(Card::Link).youth_record,
                messages,
            )
            .required()
            .max_length(12)
            .hint(tr.t("user-youth-record-hint")),
        ],
        (Role::CompanyContact, Some(code)) => {
            let companies = state.db().company_names(code).await?;
            let options = std::iter::once((String::new(), tr.t("user-company-choose")))
                .chain(
                    companies
                        .into_iter()
                        .map(|(id, name)| (id.to_string(), name)),
                )
                .collect();
            vec![
                FormField::new(
                    tr,
                    "company_id",
                    "select",
                    &form_of(Card::Link).company_id,
                    messages,
                )
                .required()
                .options(options),
            ]
        }
        _ => Vec::new(),
    };
    let state_label = match (&detail.deactivated_at, detail.user.awaiting_approval) {
        (Some(at), _) => tr.t_args(
            "user-state-deactivated",
            &[("date", Arg::Text(tr.date(at)))],
        ),
        (None, true) => tr.t("user-state-awaiting"),
        (None, false) => tr.t("user-state-active"),
    };
    Ok(UserPageView {
        ctx: caller.page("/admin/users"),
        id,
        role_label: tr.t(&format!("role-{}", role.code().replace('_', "-"))),
        state_label,
        notice,
        name_fields,
        team_fields,
        link_fields,
        banner: messages.banner(),
        is_self: caller.user.user.id == id,
        detail,
    })
}

/// The notice a redirect after a save asks for.
fn notice(tr: Tr, query: &SavedQuery) -> Option<String> {
    let key = match query.saved.as_deref()? {
        "name" => "user-saved-name",
        "team" => "user-saved-team",
        "team-left" => "user-saved-team-left",
        "link" => "user-saved-link",
        "reactivated" => "user-saved-reactivated",
        "deactivated" => {
            return Some(tr.t_args(
                "user-saved-deactivated",
                &[
                    ("sessions", Arg::Number(query.sessions.unwrap_or(0) as i64)),
                    ("youth", Arg::Number(query.youth.unwrap_or(0))),
                ],
            ));
        }
        _ => return None,
    };
    Some(tr.t(key))
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let notice = notice(caller.tr(), &query);
    let view = view(&state, &caller, id, None, &FieldMessages::default(), notice).await?;
    Ok(render(&view))
}

/// Ends every form post: back to the page with its notice, or the page
/// again with the typed values and the refusal at its field.
async fn after(
    state: &AppState,
    caller: &Caller,
    id: i64,
    typed: (Card, &AccountForm),
    result: AppResult<String>,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |saved| format!("/admin/users/{id}?saved={saved}"),
        |messages| async move {
            Ok(render(
                &view(state, caller, id, Some(typed), &messages, None).await?,
            ))
        },
    )
    .await
}

pub async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let actor = Actor::of(&caller.scope());
    let result = state
        .db()
        .rename_user(&actor, id, &form.display_name)
        .await
        .map(|_| "name".to_string())
        .map_err(AppError::from);
    after(&state, &caller, id, (Card::Name, &form), result).await
}

/// The team form: a team name and an FTE, or both empty to leave the team
/// (an FTE without a team is a team forgotten, not a leaving).
fn team_place(form: &AccountForm) -> Result<Option<TeamPlace>, AppError> {
    match (form.team_name.trim().is_empty(), form.fte.trim().is_empty()) {
        (true, true) => return Ok(None),
        (true, false) => {
            return Err(AppError::invalid(vec![spire_domain::FieldError::new(
                "team_name",
                Problem::Required,
            )]));
        }
        _ => {}
    }
    let fte = decimal("fte", &form.fte).map_err(|e| AppError::invalid(vec![e]))?;
    let place = TeamPlace {
        team_name: form.team_name.trim().to_string(),
        fte,
    };
    match place.validate() {
        errors if errors.is_empty() => Ok(Some(place)),
        errors => Err(AppError::invalid(errors)),
    }
}

pub async fn place_in_team(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let actor = Actor::of(&caller.scope());
    let result = match team_place(&form) {
        Ok(place) => state
            .db()
            .place_in_team(&actor, id, place.as_ref())
            .await
            .map(|_| if place.is_some() { "team" } else { "team-left" }.to_string())
            .map_err(AppError::from),
        Err(refused) => Err(refused),
    };
    after(&state, &caller, id, (Card::Team, &form), result).await
}

pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let actor = Actor::of(&caller.scope());
    let db = state.db();
    let invalid = |e| AppError::invalid(vec![e]);
    let result = match db.user_detail(id).await?.user.role() {
        Role::Youth => match required_id("youth_record", &form.youth_record, Problem::RecordNumber)
        {
            Ok(record) => db
                .link_youth_login(&actor, id, record)
                .await
                .map_err(AppError::from),
            Err(e) => Err(invalid(e)),
        },
        _ => match required_id("company_id", &form.company_id, Problem::UnknownCompany) {
            Ok(company) => db
                .link_company_login(&actor, id, company)
                .await
                .map_err(AppError::from),
            Err(e) => Err(invalid(e)),
        },
    };
    after(
        &state,
        &caller,
        id,
        (Card::Link, &form),
        result.map(|_| "link".to_string()),
    )
    .await
}

pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Response> {
    let actor = Actor::of(&caller.scope());
    let result = state
        .db()
        .deactivate_user(&actor, id)
        .await
        .map(|ended| {
            format!(
                "deactivated&sessions={}&youth={}",
                ended.sessions_ended, ended.youth_without_consultant
            )
        })
        .map_err(AppError::from);
    after_access(&state, &caller, id, result).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Response> {
    let actor = Actor::of(&caller.scope());
    let result = state
        .db()
        .reactivate_user(&actor, id)
        .await
        .map(|_| "reactivated".to_string())
        .map_err(AppError::from);
    after_access(&state, &caller, id, result).await
}

/// The access card has no fields: a refusal (one's own account) is said above it.
async fn after_access(
    state: &AppState,
    caller: &Caller,
    id: i64,
    result: AppResult<String>,
) -> AppResult<Response> {
    after(
        state,
        caller,
        id,
        (Card::Access, &AccountForm::default()),
        result,
    )
    .await
}
