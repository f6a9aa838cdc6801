//! The youth network API under `/api/v1`: groups, members, meetings, the
//! agenda and attendance, with the same rules and messages as the pages.

use super::actions;
use super::forms::{
    self, AgendaForm, AttendanceForm, ChangeForm, GroupForm, MemberForm, NotesForm, SeriesForm,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_domain::{AgendaItemId, GroupId, MeetingId};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    group_list,
    group_create,
    group_get,
    group_join,
    group_leave,
    group_series,
    meeting_get,
    meeting_change,
    meeting_agenda,
    agenda_move_up,
    meeting_attendance,
    meeting_notes
))]
pub struct Api;

/// A youth network group (ungenetværk).
#[derive(Serialize, ToSchema)]
pub struct YouthGroup {
    pub id: i64,
    pub name: String,
    pub facilitator_id: Option<i64>,
    pub facilitator_name: Option<String>,
    pub place: String,
    /// "16:00", on the wall clock in Copenhagen.
    pub start_time: String,
    pub duration_minutes: i64,
    /// Members now.
    pub members: i64,
    /// The next meeting not cancelled (ISO date), and its id.
    pub next_meeting: Option<String>,
    pub next_meeting_id: Option<i64>,
}

impl From<spire_store::GroupRow> for YouthGroup {
    fn from(g: spire_store::GroupRow) -> Self {
        YouthGroup {
            id: g.id,
            name: g.name,
            facilitator_id: g.facilitator_id,
            facilitator_name: g.facilitator_name,
            place: g.place,
            start_time: g.start_time,
            duration_minutes: g.duration_minutes,
            members: g.members,
            next_meeting: g.next_meeting,
            next_meeting_id: g.next_meeting_id,
        }
    }
}

/// A member with dates (staff only).
#[derive(Serialize, ToSchema)]
pub struct GroupMember {
    pub youth_id: i64,
    pub name: String,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// Share (0–1) of the last 8 registered meetings attended; null before the first.
    pub meeting_stability: Option<f64>,
}

/// One meeting of a group.
#[derive(Serialize, ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub group_id: i64,
    pub date: String,
    pub start_time: String,
    pub duration_minutes: i64,
    pub place: String,
    pub cancelled: bool,
    /// The date it had before it was moved.
    pub moved_from: Option<String>,
    /// Why it was moved or cancelled.
    pub change_reason: Option<String>,
    /// How many times it changed (the calendar feeds' SEQUENCE).
    pub sequence: i64,
    /// The shared notes after the meeting.
    pub notes: String,
    pub agenda_items: i64,
    pub registered: i64,
}

impl From<spire_store::MeetingRow> for Meeting {
    fn from(m: spire_store::MeetingRow) -> Self {
        Meeting {
            id: m.id,
            group_id: m.group_id,
            date: m.date,
            start_time: m.start_time,
            duration_minutes: m.duration_minutes,
            place: m.place,
            cancelled: m.cancelled,
            moved_from: m.moved_from,
            change_reason: m.change_reason,
            sequence: m.sequence,
            notes: m.notes,
            agenda_items: m.agenda_items,
            registered: m.registered,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupWithMeetings {
    pub group: YouthGroup,
    /// Staff only; a youth gets none.
    pub members: Vec<GroupMember>,
    pub meetings: Vec<Meeting>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<YouthGroup>,
}

/// An agenda item in the group's order.
#[derive(Serialize, ToSchema)]
pub struct AgendaItem {
    pub id: i64,
    pub text: String,
    pub position: i64,
    /// The youth who proposed it; null: added by the facilitator.
    pub youth_id: Option<i64>,
    /// The youth's first name, or the staff member's name.
    pub proposer: String,
}

/// One youth on the register (staff only).
#[derive(Serialize, ToSchema)]
pub struct AttendanceLine {
    pub youth_id: i64,
    pub name: String,
    /// `present`, `absent_reason`, `absent_no_notice`; null: not registered.
    pub mark: Option<String>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingWithAgenda {
    pub meeting: Meeting,
    pub group_name: String,
    pub agenda: Vec<AgendaItem>,
    /// Staff only: every member on the meeting's date.
    pub attendance: Vec<AttendanceLine>,
    /// For a youth: the item they moved up for this meeting.
    pub moved_up: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedDay {
    pub date: String,
    pub holiday: String,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesResult {
    pub created: usize,
    /// Weeks skipped for a Danish public holiday.
    pub skipped: Vec<SkippedDay>,
    /// Dates that already had a meeting.
    pub existing: usize,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceResult {
    /// Three absences without notice in a row made a task for the consultant.
    pub task_created: bool,
    pub meeting: MeetingWithAgenda,
}

async fn group_detail(
    state: &AppState,
    caller: &Caller,
    id: GroupId,
) -> AppResult<GroupWithMeetings> {
    let detail = state.db().group(&caller.scope(), id).await?;
    Ok(GroupWithMeetings {
        group: detail.group.into(),
        members: detail
            .members
            .into_iter()
            .map(|m| GroupMember {
                youth_id: m.youth_id,
                name: m.name,
                joined_on: m.joined_on,
                left_on: m.left_on,
                meeting_stability: m.stability,
            })
            .collect(),
        meetings: detail.meetings.into_iter().map(Meeting::from).collect(),
    })
}

async fn meeting_detail(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
) -> AppResult<MeetingWithAgenda> {
    let detail = state.db().meeting(&caller.scope(), id).await?;
    Ok(MeetingWithAgenda {
        meeting: detail.meeting.into(),
        group_name: detail.group_name,
        agenda: detail
            .agenda
            .into_iter()
            .map(|a| AgendaItem {
                id: a.id,
                text: a.text,
                position: a.position,
                youth_id: a.youth_id,
                proposer: a.proposer,
            })
            .collect(),
        attendance: detail
            .attendance
            .into_iter()
            .map(|a| AttendanceLine {
                youth_id: a.youth_id,
                name: a.name,
                mark: a.mark,
                reason: a.reason,
            })
            .collect(),
        moved_up: detail.moved_up,
    })
}

/// The groups the caller may see: staff, the municipality's; a youth, their own.
#[utoipa::path(get, path = "/api/v1/groups", tag = "networks",
    responses((status = 200, description = "The groups", body = GroupList)))]
pub async fn group_list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<GroupList>> {
    let rows = state.db().groups(&caller.scope()).await?;
    Ok(Json(GroupList {
        items: rows.into_iter().map(YouthGroup::from).collect(),
    }))
}

/// Create a group with a facilitator, a weekly time and a place.
#[utoipa::path(post, path = "/api/v1/groups", tag = "networks", request_body = GroupForm,
    responses(
        (status = 201, description = "Created", body = GroupWithMeetings),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn group_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<GroupForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<GroupWithMeetings>)> {
    let Json(form) = body?;
    let group = forms::parse_group(&form).map_err(AppError::invalid)?;
    let id = state.db().create_group(&caller.scope(), &group).await?;
    Ok((
        StatusCode::CREATED,
        Json(group_detail(&state, &caller, id).await?),
    ))
}

/// One group with its members (staff) and meetings.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "networks",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The group", body = GroupWithMeetings)))]
pub async fn group_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
) -> AppResult<Json<GroupWithMeetings>> {
    Ok(Json(group_detail(&state, &caller, id).await?))
}

/// A youth joins the group from `date` (one group at a time).
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = MemberForm,
    responses(
        (status = 200, description = "Joined", body = GroupWithMeetings),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn group_join(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    body: Result<Json<MemberForm>, JsonRejection>,
) -> AppResult<Json<GroupWithMeetings>> {
    let Json(form) = body?;
    actions::join(&state, &caller, id, &form).await?;
    Ok(Json(group_detail(&state, &caller, id).await?))
}

/// A youth leaves the group on `date`.
#[utoipa::path(post, path = "/api/v1/groups/{id}/leave", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = MemberForm,
    responses(
        (status = 200, description = "Left", body = GroupWithMeetings),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn group_leave(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    body: Result<Json<MemberForm>, JsonRejection>,
) -> AppResult<Json<GroupWithMeetings>> {
    let Json(form) = body?;
    actions::leave(&state, &caller, id, &form).await?;
    Ok(Json(group_detail(&state, &caller, id).await?))
}

/// Generate the weekly meetings from `first_date` to `last_date`, skipping
/// Danish public holidays and dates that already have a meeting.
#[utoipa::path(post, path = "/api/v1/groups/{id}/meetings", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = SeriesForm,
    responses(
        (status = 200, description = "Generated", body = SeriesResult),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn group_series(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    body: Result<Json<SeriesForm>, JsonRejection>,
) -> AppResult<Json<SeriesResult>> {
    let Json(form) = body?;
    state
        .db()
        .require_group_visible(&caller.scope(), id)
        .await?;
    let outcome = actions::generate(&state, &caller, id, &form).await?;
    Ok(Json(SeriesResult {
        created: outcome.created,
        skipped: outcome
            .skipped
            .into_iter()
            .map(|(date, holiday)| SkippedDay { date, holiday })
            .collect(),
        existing: outcome.existing,
    }))
}

/// One meeting: the agenda in the group's order, and for staff the register.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "networks",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The meeting", body = MeetingWithAgenda)))]
pub async fn meeting_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
) -> AppResult<Json<MeetingWithAgenda>> {
    Ok(Json(meeting_detail(&state, &caller, id).await?))
}

/// Move (`action` = `move`) or cancel (`cancel`) one meeting, with a reason.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/change", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Changed", body = MeetingWithAgenda),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_change(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<MeetingWithAgenda>> {
    let Json(form) = body?;
    actions::change(&state, &caller, id, &form).await?;
    Ok(Json(meeting_detail(&state, &caller, id).await?))
}

/// Put an item on the agenda (a youth of the group, or staff), last.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = AgendaForm,
    responses(
        (status = 201, description = "Proposed", body = MeetingWithAgenda),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_agenda(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    body: Result<Json<AgendaForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<MeetingWithAgenda>)> {
    let Json(form) = body?;
    actions::propose(&state, &caller, id, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(meeting_detail(&state, &caller, id).await?),
    ))
}

/// A youth moves an item one place up: once per meeting each.
#[utoipa::path(post, path = "/api/v1/agenda/{id}/up", tag = "networks",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "Moved", body = MeetingWithAgenda),
        (status = 422, description = "Already at the top, or already moved one for this meeting", body = InvalidBody),
    ))]
pub async fn agenda_move_up(
    State(state): State<AppState>,
    caller: Caller,
    PathId(item): PathId<AgendaItemId>,
) -> AppResult<Json<MeetingWithAgenda>> {
    let meeting = state
        .db()
        .agenda_item_meeting(&caller.scope(), item)
        .await?;
    state
        .db()
        .move_agenda_item_up(&caller.scope(), item)
        .await?;
    Ok(Json(meeting_detail(&state, &caller, meeting).await?))
}

/// Register one youth: `present`, `absent_reason` (with a reason) or `absent_no_notice`.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendance", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = AttendanceForm,
    responses(
        (status = 200, description = "Registered", body = AttendanceResult),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_attendance(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    body: Result<Json<AttendanceForm>, JsonRejection>,
) -> AppResult<Json<AttendanceResult>> {
    let Json(form) = body?;
    let task_created = actions::attend(&state, &caller, id, &form).await?;
    Ok(Json(AttendanceResult {
        task_created,
        meeting: meeting_detail(&state, &caller, id).await?,
    }))
}

/// The shared notes after the meeting, for the group to read.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/notes", tag = "networks",
    params(("id" = i64, Path, minimum = 1)), request_body = NotesForm,
    responses(
        (status = 200, description = "Saved", body = MeetingWithAgenda),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn meeting_notes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    body: Result<Json<NotesForm>, JsonRejection>,
) -> AppResult<Json<MeetingWithAgenda>> {
    let Json(form) = body?;
    actions::notes(&state, &caller, id, &form).await?;
    Ok(Json(meeting_detail(&state, &caller, id).await?))
}
