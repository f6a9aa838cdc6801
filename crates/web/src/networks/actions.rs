//! The youth network's changes, shared by its pages and the API: check the
//! caller may see the group or meeting, parse what was sent (every field's
//! problem at once), then ask the store.

use super::forms::{
    self, AgendaForm, AttendanceForm, ChangeForm, MemberForm, NotesForm, SeriesForm,
};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use spire_domain::{AgendaItemId, GroupId, MeetingId};
use spire_store::SeriesOutcome;

pub async fn join(
    state: &AppState,
    caller: &Caller,
    group: GroupId,
    form: &MemberForm,
) -> AppResult<()> {
    state
        .db()
        .require_group_visible(&caller.scope(), group)
        .await?;
    let (youth, date) = forms::parse_member(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .join_group(&caller.scope(), group, youth, date)
        .await?)
}

pub async fn leave(
    state: &AppState,
    caller: &Caller,
    group: GroupId,
    form: &MemberForm,
) -> AppResult<()> {
    state
        .db()
        .require_group_visible(&caller.scope(), group)
        .await?;
    let (youth, date) = forms::parse_member(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .leave_group(&caller.scope(), group, youth, date)
        .await?)
}

pub async fn generate(
    state: &AppState,
    caller: &Caller,
    group: GroupId,
    form: &SeriesForm,
) -> AppResult<SeriesOutcome> {
    let detail = state.db().group(&caller.scope(), group).await?;
    let series = forms::parse_series(form, &detail.group.start_time).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .generate_meetings(&caller.scope(), group, &series)
        .await?)
}

pub async fn change(
    state: &AppState,
    caller: &Caller,
    meeting: MeetingId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_meeting_visible(&caller.scope(), meeting)
        .await?;
    let change = forms::parse_change(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .change_meeting(&caller.scope(), meeting, &change)
        .await?)
}

pub async fn propose(
    state: &AppState,
    caller: &Caller,
    meeting: MeetingId,
    form: &AgendaForm,
) -> AppResult<AgendaItemId> {
    state
        .db()
        .require_meeting_visible(&caller.scope(), meeting)
        .await?;
    Ok(state
        .db()
        .propose_agenda_item(&caller.scope(), meeting, &form.text)
        .await?)
}

/// Registers one youth; returns whether the mark made a task for the consultant.
pub async fn attend(
    state: &AppState,
    caller: &Caller,
    meeting: MeetingId,
    form: &AttendanceForm,
) -> AppResult<bool> {
    state
        .db()
        .require_meeting_visible(&caller.scope(), meeting)
        .await?;
    let (youth, mark, reason) = forms::parse_attendance(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .record_attendance(&caller.scope(), meeting, youth, mark, reason.as_deref())
        .await?)
}

pub async fn notes(
    state: &AppState,
    caller: &Caller,
    meeting: MeetingId,
    form: &NotesForm,
) -> AppResult<()> {
    state
        .db()
        .require_meeting_visible(&caller.scope(), meeting)
        .await?;
    Ok(state
        .db()
        .write_meeting_notes(&caller.scope(), meeting, &form.notes)
        .await?)
}
