//! The company network API under `/api/v1`: members, places offered,
//! network meetings with sign-up and attendance, and the contact log.

use super::actions;
use super::forms::{
    AttendanceForm, ContactLogForm, MeetingForm, MemberForm, SignupForm, SlotForm, TextForm,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_domain::{CompanyId, NetworkMeetingId};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    network_get,
    network_join,
    network_leave,
    slot_create,
    company_slots,
    meeting_create,
    meeting_get,
    meeting_signup,
    meeting_attendance,
    meeting_notes,
    meeting_cancel,
    contact_log_get,
    contact_log_add
))]
pub struct Api;

/// A company in the municipality's network.
#[derive(Serialize, ToSchema)]
pub struct NetworkMember {
    pub company_id: i64,
    pub name: String,
    pub industry: String,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// Places offered in slots that have not ended.
    pub open_places: i64,
    /// The latest contact in the log (staff only).
    pub last_contact: Option<String>,
}

/// Internship places a company offers.
#[derive(Serialize, ToSchema)]
pub struct Slot {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub function: String,
    pub places: i64,
    pub from_date: String,
    pub to_date: String,
}

impl From<spire_store::SlotRow> for Slot {
    fn from(s: spire_store::SlotRow) -> Self {
        Slot {
            id: s.id,
            company_id: s.company_id,
            company_name: s.company_name,
            function: s.function,
            places: s.places,
            from_date: s.from_date,
            to_date: s.to_date,
        }
    }
}

/// A meeting of the company network.
#[derive(Serialize, ToSchema)]
pub struct NetworkMeeting {
    pub id: i64,
    pub date: String,
    pub start_time: String,
    pub duration_minutes: i64,
    pub place: String,
    pub topic: String,
    pub cancelled: bool,
    pub change_reason: Option<String>,
    pub sequence: i64,
    pub notes: String,
    pub signups: i64,
    /// Whether the caller (a company contact) is signed up.
    pub signed_up: bool,
}

impl From<spire_store::NetworkMeetingRow> for NetworkMeeting {
    fn from(m: spire_store::NetworkMeetingRow) -> Self {
        NetworkMeeting {
            id: m.id,
            date: m.date,
            start_time: m.start_time,
            duration_minutes: m.duration_minutes,
            place: m.place,
            topic: m.topic,
            cancelled: m.cancelled,
            change_reason: m.change_reason,
            sequence: m.sequence,
            notes: m.notes,
            signups: m.signups,
            signed_up: m.signed_up,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompanyNetwork {
    /// Staff: every member; a company contact: their own company.
    pub members: Vec<NetworkMember>,
    pub slots: Vec<Slot>,
    pub meetings: Vec<NetworkMeeting>,
}

#[derive(Serialize, ToSchema)]
pub struct Signup {
    pub contact_id: i64,
    pub name: String,
    pub company_name: String,
    pub attended: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkMeetingWithSignups {
    pub meeting: NetworkMeeting,
    /// Staff: every sign-up; a company contact: their company's.
    pub signups: Vec<Signup>,
}

#[derive(Serialize, ToSchema)]
pub struct SlotList {
    pub items: Vec<Slot>,
}

/// One line of a company's contact log.
#[derive(Serialize, ToSchema)]
pub struct ContactLogEntry {
    pub id: i64,
    /// `visit`, `phone`, `email` or `meeting`.
    pub kind: String,
    pub contact_name: Option<String>,
    pub happened_on: String,
    pub summary: String,
    pub recorded_by: String,
    /// Unix seconds.
    pub recorded_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ContactLog {
    pub items: Vec<ContactLogEntry>,
}

async fn overview(state: &AppState, caller: &Caller) -> AppResult<CompanyNetwork> {
    let o = state.db().network_overview(&caller.scope()).await?;
    Ok(CompanyNetwork {
        members: o
            .members
            .into_iter()
            .map(|m| NetworkMember {
                company_id: m.company_id,
                name: m.name,
                industry: m.industry,
                joined_on: m.joined_on,
                left_on: m.left_on,
                open_places: m.open_places,
                last_contact: m.last_contact,
            })
            .collect(),
        slots: o.slots.into_iter().map(Slot::from).collect(),
        meetings: o.meetings.into_iter().map(NetworkMeeting::from).collect(),
    })
}

async fn meeting(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
) -> AppResult<NetworkMeetingWithSignups> {
    let detail = state.db().network_meeting(&caller.scope(), id).await?;
    Ok(NetworkMeetingWithSignups {
        meeting: detail.meeting.into(),
        signups: detail
            .signups
            .into_iter()
            .map(|s| Signup {
                contact_id: s.contact_id,
                name: s.name,
                company_name: s.company_name,
                attended: s.attended,
            })
            .collect(),
    })
}

async fn log(state: &AppState, caller: &Caller, company: CompanyId) -> AppResult<ContactLog> {
    let rows = state.db().contact_log(&caller.scope(), company).await?;
    Ok(ContactLog {
        items: rows
            .into_iter()
            .map(|l| ContactLogEntry {
                id: l.id,
                kind: l.kind,
                contact_name: l.contact_name,
                happened_on: l.happened_on,
                summary: l.summary,
                recorded_by: l.recorded_by,
                recorded_at: l.recorded_at,
            })
            .collect(),
    })
}

/// The network: members (a company contact: their own), places offered, meetings.
#[utoipa::path(get, path = "/api/v1/company-network", tag = "company network",
    responses((status = 200, description = "The network", body = CompanyNetwork)))]
pub async fn network_get(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<CompanyNetwork>> {
    Ok(Json(overview(&state, &caller).await?))
}

/// A company joins the network from `date`.
#[utoipa::path(post, path = "/api/v1/company-network/members", tag = "company network",
    request_body = MemberForm,
    responses(
        (status = 200, description = "Joined", body = CompanyNetwork),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn network_join(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MemberForm>, JsonRejection>,
) -> AppResult<Json<CompanyNetwork>> {
    let Json(form) = body?;
    actions::join(&state, &caller, &form).await?;
    Ok(Json(overview(&state, &caller).await?))
}

/// A company leaves the network on `date`.
#[utoipa::path(post, path = "/api/v1/company-network/leave", tag = "company network",
    request_body = MemberForm,
    responses(
        (status = 200, description = "Left", body = CompanyNetwork),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn network_leave(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MemberForm>, JsonRejection>,
) -> AppResult<Json<CompanyNetwork>> {
    let Json(form) = body?;
    actions::leave(&state, &caller, &form).await?;
    Ok(Json(overview(&state, &caller).await?))
}

/// Offer internship places (staff for any company of the municipality; a
/// company contact for their own).
#[utoipa::path(post, path = "/api/v1/company-network/slots", tag = "company network",
    request_body = SlotForm,
    responses(
        (status = 201, description = "Offered", body = CompanyNetwork),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn slot_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SlotForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<CompanyNetwork>)> {
    let Json(form) = body?;
    actions::add_slot(&state, &caller, &form).await?;
    Ok((StatusCode::CREATED, Json(overview(&state, &caller).await?)))
}

/// The places a company offers that have not ended.
#[utoipa::path(get, path = "/api/v1/companies/{id}/slots", tag = "company network",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The places", body = SlotList)))]
pub async fn company_slots(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CompanyId>,
) -> AppResult<Json<SlotList>> {
    let rows = state.db().company_slots(&caller.scope(), id).await?;
    Ok(Json(SlotList {
        items: rows.into_iter().map(Slot::from).collect(),
    }))
}

/// Plan a network meeting.
#[utoipa::path(post, path = "/api/v1/company-network/meetings", tag = "company network",
    request_body = MeetingForm,
    responses(
        (status = 201, description = "Planned", body = NetworkMeetingWithSignups),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MeetingForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<NetworkMeetingWithSignups>)> {
    let Json(form) = body?;
    let id = actions::create_meeting(&state, &caller, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(meeting(&state, &caller, id).await?),
    ))
}

/// One network meeting with its sign-ups.
#[utoipa::path(get, path = "/api/v1/network-meetings/{id}", tag = "company network",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The meeting", body = NetworkMeetingWithSignups)))]
pub async fn meeting_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
) -> AppResult<Json<NetworkMeetingWithSignups>> {
    Ok(Json(meeting(&state, &caller, id).await?))
}

/// A company contact signs up (`attend` = `yes`) or withdraws (`no`).
#[utoipa::path(post, path = "/api/v1/network-meetings/{id}/signup", tag = "company network",
    params(("id" = i64, Path, minimum = 1)), request_body = SignupForm,
    responses(
        (status = 200, description = "Signed up or withdrawn", body = NetworkMeetingWithSignups),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_signup(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    body: Result<Json<SignupForm>, JsonRejection>,
) -> AppResult<Json<NetworkMeetingWithSignups>> {
    let Json(form) = body?;
    actions::sign_up(&state, &caller, id, &form).await?;
    Ok(Json(meeting(&state, &caller, id).await?))
}

/// Whether a signed-up contact came (`attended` = `yes` or `no`).
#[utoipa::path(post, path = "/api/v1/network-meetings/{id}/attendance", tag = "company network",
    params(("id" = i64, Path, minimum = 1)), request_body = AttendanceForm,
    responses(
        (status = 200, description = "Saved", body = NetworkMeetingWithSignups),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_attendance(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    body: Result<Json<AttendanceForm>, JsonRejection>,
) -> AppResult<Json<NetworkMeetingWithSignups>> {
    let Json(form) = body?;
    actions::attendance(&state, &caller, id, &form).await?;
    Ok(Json(meeting(&state, &caller, id).await?))
}

/// The shared notes (`notes`).
#[utoipa::path(post, path = "/api/v1/network-meetings/{id}/notes", tag = "company network",
    params(("id" = i64, Path, minimum = 1)), request_body = TextForm,
    responses(
        (status = 200, description = "Saved", body = NetworkMeetingWithSignups),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_notes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    body: Result<Json<TextForm>, JsonRejection>,
) -> AppResult<Json<NetworkMeetingWithSignups>> {
    let Json(form) = body?;
    actions::notes(&state, &caller, id, &form).await?;
    Ok(Json(meeting(&state, &caller, id).await?))
}

/// Cancel the meeting (`reason`); calendars remove it.
#[utoipa::path(post, path = "/api/v1/network-meetings/{id}/cancel", tag = "company network",
    params(("id" = i64, Path, minimum = 1)), request_body = TextForm,
    responses(
        (status = 200, description = "Cancelled", body = NetworkMeetingWithSignups),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    body: Result<Json<TextForm>, JsonRejection>,
) -> AppResult<Json<NetworkMeetingWithSignups>> {
    let Json(form) = body?;
    actions::cancel(&state, &caller, id, &form).await?;
    Ok(Json(meeting(&state, &caller, id).await?))
}

/// A company's contact log, newest first (programme staff).
#[utoipa::path(get, path = "/api/v1/companies/{id}/contact-log", tag = "company network",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The log", body = ContactLog)))]
pub async fn contact_log_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CompanyId>,
) -> AppResult<Json<ContactLog>> {
    Ok(Json(log(&state, &caller, id).await?))
}

/// Log a contact: `kind`, `contact_id` (optional), `happened_on`, `summary`.
#[utoipa::path(post, path = "/api/v1/companies/{id}/contact-log", tag = "company network",
    params(("id" = i64, Path, minimum = 1)), request_body = ContactLogForm,
    responses(
        (status = 201, description = "Logged", body = ContactLog),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn contact_log_add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CompanyId>,
    body: Result<Json<ContactLogForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<ContactLog>)> {
    let Json(form) = body?;
    actions::log_contact(&state, &caller, id, &form).await?;
    Ok((StatusCode::CREATED, Json(log(&state, &caller, id).await?)))
}
