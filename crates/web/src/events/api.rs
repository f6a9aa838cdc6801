//! The events API under `/api/v1`: events, invitations and answers, youth,
//! the rotation grid, rankings and marks, the preferences in `spire match`'s
//! input format, the match with each youth's explanation, overrides and the
//! calls.

use super::actions;
use super::explain::explanation_text;
use super::forms::{
    AnswerForm, CallForm, EventForm, EventYouthForm, InviteForm, MarksBody, MoveForm, OverrideForm,
    RankingBody,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_domain::{CallId, CompanyId, EventId, YouthId};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    events_list,
    event_create,
    event_get,
    event_invite,
    event_answer,
    event_youth,
    event_grid,
    event_move,
    event_ranking,
    event_marks,
    event_preferences,
    match_get,
    match_run,
    match_override,
    calls_list,
    call_record
))]
pub struct Api;

/// An event.
#[derive(Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub start_time: String,
    pub place: String,
    pub rounds: i64,
    pub meetings_per_youth: i64,
    pub ranking_deadline: String,
    /// Companies that said yes.
    pub companies: i64,
    pub youth: i64,
    pub matched: bool,
}

impl From<spire_store::EventRow> for Event {
    fn from(e: spire_store::EventRow) -> Self {
        Event {
            id: e.id,
            title: e.title,
            date: e.event_date,
            start_time: e.start_time,
            place: e.place,
            rounds: e.rounds,
            meetings_per_youth: e.meetings_per_youth,
            ranking_deadline: e.ranking_deadline,
            companies: e.companies,
            youth: e.youth,
            matched: e.matched,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
}

#[derive(Serialize, ToSchema)]
pub struct EventCompany {
    pub company_id: i64,
    pub name: String,
    pub industry: String,
    /// `invited`, `accepted` or `declined`.
    pub status: String,
    pub tables: i64,
    pub places: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventPerson {
    pub youth_id: i64,
    pub first_name: String,
    /// Staff only; empty for others.
    pub last_name: String,
    pub host: bool,
}

/// A seat of the grid; rounds and tables count from 1.
#[derive(Serialize, ToSchema)]
pub struct Seat {
    pub round: i64,
    pub company_id: i64,
    pub table: i64,
    pub youth_id: i64,
}

/// Something the grid breaks, in the caller's language.
#[derive(Serialize, ToSchema)]
pub struct GridIssue {
    /// `no_such_seat`, `youth_twice_in_round`, `table_taken`, `met_twice`,
    /// `no_shared_interest`, `fewer_meetings`.
    pub kind: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct GridIssues {
    pub issues: Vec<GridIssue>,
}

/// An event as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    pub event: Event,
    pub facilitators: Vec<String>,
    pub companies: Vec<EventCompany>,
    pub youth: Vec<EventPerson>,
    pub grid: Vec<Seat>,
    /// Staff: what the grid as it stands breaks.
    pub grid_issues: Vec<GridIssue>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// One youth's result, and why, in the caller's language.
#[derive(Serialize, ToSchema)]
pub struct MatchResult {
    pub youth_id: i64,
    pub youth_name: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub explanation: String,
    /// Set when staff gave another result than the engine's.
    pub override_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MatchOutcome {
    pub run_at: i64,
    /// SHA-256 of the preferences the engine ran on (their export, as JSON).
    pub input_digest: String,
    /// Whether the result with its overrides is stable.
    pub stable: bool,
    pub instability: Option<String>,
    pub results: Vec<MatchResult>,
}

/// The event's preferences in `spire match --input`'s format.
#[derive(Serialize, ToSchema)]
pub struct Preferences {
    pub youth: Vec<PreferenceYouth>,
    pub companies: Vec<PreferenceCompany>,
}

#[derive(Serialize, ToSchema)]
pub struct PreferenceYouth {
    pub id: String,
    pub prefs: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PreferenceCompany {
    pub id: String,
    pub capacity: i64,
    pub prefs: Vec<String>,
}

/// A company's call to a youth it was matched with.
#[derive(Serialize, ToSchema)]
pub struct Call {
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

#[derive(Serialize, ToSchema)]
pub struct CallList {
    pub items: Vec<Call>,
}

fn issues(caller: &Caller, list: &[spire_store::GridIssue]) -> Vec<GridIssue> {
    list.iter()
        .map(|i| GridIssue {
            kind: i.kind.to_string(),
            message: super::grid::grid_issue_text(caller.tr(), i),
        })
        .collect()
}

async fn detail(state: &AppState, caller: &Caller, id: EventId) -> AppResult<EventDetail> {
    let d = state.db().event(&caller.scope(), id).await?;
    Ok(EventDetail {
        grid_issues: issues(caller, &d.grid_issues),
        event: d.event.into(),
        facilitators: d.facilitators,
        companies: d
            .companies
            .into_iter()
            .map(|c| EventCompany {
                company_id: c.company_id,
                name: c.name,
                industry: c.industry,
                status: c.status,
                tables: c.tables,
                places: c.places,
            })
            .collect(),
        youth: d
            .youth
            .into_iter()
            .map(|y| EventPerson {
                youth_id: y.youth_id,
                first_name: y.first_name,
                last_name: y.last_name,
                host: y.host,
            })
            .collect(),
        grid: d
            .grid
            .into_iter()
            .map(|s| Seat {
                round: s.round + 1,
                company_id: s.company_id,
                table: s.table_no + 1,
                youth_id: s.youth_id,
            })
            .collect(),
    })
}

/// The events the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "The events", body = EventList)))]
pub async fn events_list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<EventList>> {
    let rows = state.db().events(&caller.scope()).await?;
    Ok(Json(EventList {
        items: rows.into_iter().map(Event::from).collect(),
    }))
}

/// Plan an event.
#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    request_body = EventForm,
    responses(
        (status = 201, description = "Planned", body = Created),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<EventForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let Json(form) = body?;
    let id = actions::create(&state, &caller, &form).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })))
}

/// One event as the caller may see it.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The event", body = EventDetail)))]
pub async fn event_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Json<EventDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Invite a company of the network (again: change its tables).
#[utoipa::path(post, path = "/api/v1/events/{id}/invitations", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = InviteForm,
    responses(
        (status = 200, description = "Invited", body = EventDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_invite(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<InviteForm>, JsonRejection>,
) -> AppResult<Json<EventDetail>> {
    let Json(form) = body?;
    actions::invite(&state, &caller, id, &form).await?;
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Accept or decline an invitation (a company's contact; staff name the company).
#[utoipa::path(post, path = "/api/v1/events/{id}/answer", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = AnswerForm,
    responses(
        (status = 200, description = "Answered", body = EventDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_answer(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<AnswerForm>, JsonRejection>,
) -> AppResult<Json<EventDetail>> {
    let Json(form) = body?;
    actions::answer(&state, &caller, id, &form).await?;
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Add a youth to the event (as a host or not).
#[utoipa::path(post, path = "/api/v1/events/{id}/youth", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = EventYouthForm,
    responses(
        (status = 200, description = "Added", body = EventDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_youth(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<EventYouthForm>, JsonRejection>,
) -> AppResult<Json<EventDetail>> {
    let Json(form) = body?;
    actions::add_youth(&state, &caller, id, &form).await?;
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Plan the rotation grid with the engine (replaces the grid); says what
/// the plan could not give.
#[utoipa::path(post, path = "/api/v1/events/{id}/grid", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "Planned", body = GridIssues),
        (status = 422, description = "No companies or no youth yet", body = InvalidBody),
    ))]
pub async fn event_grid(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Json<GridIssues>> {
    let list = actions::generate_grid(&state, &caller, id).await?;
    Ok(Json(GridIssues {
        issues: issues(&caller, &list),
    }))
}

/// Move a youth's seat in one round. When the check finds problems and
/// `accept_breaks` is not `yes`, nothing is saved and the answer is 409
/// with what the move would break.
#[utoipa::path(post, path = "/api/v1/events/{id}/grid/move", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = MoveForm,
    responses(
        (status = 200, description = "Moved", body = GridIssues),
        (status = 409, description = "Not saved: what the move would break", body = GridIssues),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_move(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<MoveForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<GridIssues>)> {
    let Json(form) = body?;
    let list = actions::move_seat(&state, &caller, id, &form).await?;
    let status = if list.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    Ok((
        status,
        Json(GridIssues {
            issues: issues(&caller, &list),
        }),
    ))
}

/// A youth's order of the companies they met, best first (staff give the youth).
#[utoipa::path(post, path = "/api/v1/events/{id}/ranking", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = RankingBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_ranking(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<RankingBody>, JsonRejection>,
) -> AppResult<StatusCode> {
    let Json(body) = body?;
    let youth = body.youth_id.map(YouthId::new);
    actions::rank(&state, &caller, id, youth, &body.companies).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom a company would welcome, best first, and its places (staff give the company).
#[utoipa::path(post, path = "/api/v1/events/{id}/marks", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = MarksBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn event_marks(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    body: Result<Json<MarksBody>, JsonRejection>,
) -> AppResult<StatusCode> {
    let Json(body) = body?;
    let company = body.company_id.map(CompanyId::new);
    actions::mark(&state, &caller, id, company, &body.youth, body.places).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The preferences as `spire match --input` reads them: run the engine on
/// them and compare with the result here.
#[utoipa::path(get, path = "/api/v1/events/{id}/preferences", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The preferences", body = Preferences)))]
pub async fn event_preferences(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Json<Preferences>> {
    let export = state.db().event_preferences(&caller.scope(), id).await?;
    Ok(Json(Preferences {
        youth: export
            .youth
            .into_iter()
            .map(|y| PreferenceYouth {
                id: y.id,
                prefs: y.prefs,
            })
            .collect(),
        companies: export
            .companies
            .into_iter()
            .map(|c| PreferenceCompany {
                id: c.id,
                capacity: c.capacity,
                prefs: c.prefs,
            })
            .collect(),
    }))
}

/// The latest result (a youth: their own), each with its explanation; 404
/// before the match has run.
#[utoipa::path(get, path = "/api/v1/events/{id}/match", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The result", body = MatchOutcome)))]
pub async fn match_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Json<MatchOutcome>> {
    let result = state
        .db()
        .match_result(&caller.scope(), id)
        .await?
        .ok_or_else(crate::http::error::AppError::not_found)?;
    let tr = caller.tr();
    Ok(Json(MatchOutcome {
        run_at: result.run_at,
        input_digest: result.input_digest.clone(),
        stable: result.stable,
        instability: result.instability.as_ref().map(|i| {
            super::explain::instability_text(tr, i, &result.youth_names, &result.company_names)
        }),
        results: result
            .lines
            .iter()
            .map(|l| MatchResult {
                youth_id: l.youth_id,
                youth_name: l.youth_name.clone(),
                company_id: l.company_id,
                company_name: l.company_name.clone(),
                explanation: l
                    .explanation
                    .as_ref()
                    .map(|e| explanation_text(tr, e, &result.company_names))
                    .unwrap_or_default(),
                override_reason: l.override_reason.clone(),
            })
            .collect(),
    }))
}

/// Run the engine on the preferences; each pair becomes a call.
#[utoipa::path(post, path = "/api/v1/events/{id}/match", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "Matched", body = MatchOutcome),
        (status = 422, description = "Not held yet, or calls are recorded", body = InvalidBody),
    ))]
pub async fn match_run(
    State(state): State<AppState>,
    caller: Caller,
    path: PathId<EventId>,
) -> AppResult<Json<MatchOutcome>> {
    actions::run_match(&state, &caller, path.0).await?;
    match_get(State(state), caller, path).await
}

/// Give a youth another result than the engine's, with a reason.
#[utoipa::path(post, path = "/api/v1/events/{id}/override", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = OverrideForm,
    responses(
        (status = 200, description = "Changed", body = MatchOutcome),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn match_override(
    State(state): State<AppState>,
    caller: Caller,
    path: PathId<EventId>,
    body: Result<Json<OverrideForm>, JsonRejection>,
) -> AppResult<Json<MatchOutcome>> {
    let Json(form) = body?;
    actions::override_match(&state, &caller, path.0, &form).await?;
    match_get(State(state), caller, path).await
}

/// The calls: a company contact's own company's; staff every call.
#[utoipa::path(get, path = "/api/v1/calls", tag = "events",
    responses((status = 200, description = "The calls", body = CallList)))]
pub async fn calls_list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<CallList>> {
    let rows = state.db().calls(&caller.scope(), None).await?;
    Ok(Json(CallList {
        items: rows
            .into_iter()
            .map(|c| Call {
                id: c.id,
                event_id: c.event_id,
                event_title: c.event_title,
                youth_id: c.youth_id,
                first_name: c.first_name,
                phone: c.phone,
                company_id: c.company_id,
                company_name: c.company_name,
                status: c.status,
                note: c.note,
                internship_id: c.internship_id,
            })
            .collect(),
    }))
}

/// Record what came of a call; `agreed` plans the internship (201 with its id).
#[utoipa::path(post, path = "/api/v1/calls/{id}", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = CallForm,
    responses(
        (status = 200, description = "Recorded"),
        (status = 201, description = "Agreed: the planned internship", body = Created),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn call_record(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CallId>,
    body: Result<Json<CallForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<Option<Created>>)> {
    let Json(form) = body?;
    Ok(
        match actions::record_call(&state, &caller, id, &form).await? {
            Some(internship) => (
                StatusCode::CREATED,
                Json(Some(Created {
                    id: internship.get(),
                })),
            ),
            None => (StatusCode::OK, Json(None)),
        },
    )
}
