//! Who has looked at whose data: the team lead's search of the access log,
//! one young person's extract, and a young person's own.

use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::params;
use crate::http::state::AppState;
use crate::i18n::Arg;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use spire_domain::YouthId;
use spire_store::{AccessLogEntry, AccessLogQuery};

#[derive(Template)]
#[template(path = "access_log/list.html")]
pub struct AccessLogView {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: String,
    pub entries: Vec<AccessLogEntry>,
    /// The search form (team lead's log) or none (a person's extract).
    pub filters: Option<AccessLogFilters>,
    /// Users who looked up too many young people of other municipalities
    /// (team lead's log), each said in words.
    pub alerts: Vec<String>,
}

#[derive(Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogFilters {
    /// A user's login.
    #[serde(default)]
    pub user: String,
    /// The first day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// The last day, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
}

impl AccessLogFilters {
    /// The search these filters ask for, newest first, at most `limit` rows;
    /// a date that is not YYYY-MM-DD is refused on its field.
    pub fn query(&self, limit: i64) -> AppResult<AccessLogQuery> {
        let from = params::date_start("from", &self.from)?;
        let to = params::date_start("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(crate::http::error::AppError::invalid(vec![
                spire_domain::FieldError::new("to", spire_domain::Problem::EndBeforeStart),
            ]));
        }
        Ok(AccessLogQuery {
            user_login: Some(self.user.trim().to_lowercase()).filter(|u| !u.is_empty()),
            youth_id: None,
            from,
            to: to.map(|t| t + 86_400),
            limit,
        })
    }
}

pub async fn youth_access_log(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
) -> AppResult<Response> {
    let scope = caller.scope();
    let youth = state.db().get_youth(&scope, id).await?;
    let entries = state.db().access_log_for_youth(&scope, id).await?;
    let tr = caller.tr();
    let view = AccessLogView {
        ctx: caller.page("/access-log"),
        title: tr.t_args(
            "access-log-extract-title",
            &[(
                "name",
                Arg::Text(format!("{} {}", youth.first_name, youth.last_name)),
            )],
        ),
        intro: tr.t("access-log-extract-intro"),
        entries,
        filters: None,
        alerts: Vec::new(),
    };
    Ok(render(&view))
}

pub async fn my_access_log(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let scope = caller.scope();
    let id = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_linked)?;
    let entries = state.db().access_log_for_youth(&scope, id).await?;
    let tr = caller.tr();
    let view = AccessLogView {
        ctx: caller.page("/me/access-log"),
        title: tr.t("nav-my-access-log"),
        intro: tr.t("access-log-mine-intro"),
        entries,
        filters: None,
        alerts: Vec::new(),
    };
    Ok(render(&view))
}

pub async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(filters): Query<AccessLogFilters>,
) -> AppResult<Response> {
    let query = filters.query(500)?;
    let entries = state
        .db()
        .search_access_log(&caller.scope(), &query)
        .await?;
    let tr = caller.tr();
    let alerts = state
        .db()
        .cpr_lookup_alerts(&caller.scope())
        .await?
        .into_iter()
        .map(|alert| {
            tr.t_args(
                "access-log-lookup-alert",
                &[
                    ("name", Arg::Text(alert.display_name)),
                    ("login", Arg::Text(alert.login)),
                    ("count", Arg::Number(alert.found)),
                    ("last", Arg::Text(tr.datetime(alert.last_at))),
                ],
            )
        })
        .collect();
    let view = AccessLogView {
        ctx: caller.page("/access-log"),
        title: tr.t("nav-access-log"),
        intro: tr.t("access-log-intro"),
        entries,
        filters: Some(filters),
        alerts,
    };
    Ok(render(&view))
}
