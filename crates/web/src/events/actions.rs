//! The events' changes, shared by the pages and the API: parse (every
//! problem at once), then ask the store, which checks who may.

use super::forms::{
    self, AnswerForm, CallForm, EventForm, EventYouthForm, InviteForm, MoveForm, OverrideForm,
};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use spire_domain::{CallId, CompanyId, EventId, InternshipId, YouthId};
use spire_store::GridIssue;

pub async fn create(state: &AppState, caller: &Caller, form: &EventForm) -> AppResult<EventId> {
    let new = forms::parse_event(form).map_err(AppError::invalid)?;
    Ok(state.db().create_event(&caller.scope(), &new).await?)
}

pub async fn invite(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    form: &InviteForm,
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let (company, tables) = forms::parse_invite(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .invite_company(&caller.scope(), id, company, tables)
        .await?)
}

pub async fn answer(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    form: &AnswerForm,
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let (company, accept, tables) = forms::parse_answer(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .answer_invitation(&caller.scope(), id, company, accept, tables)
        .await?)
}

pub async fn add_youth(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    form: &EventYouthForm,
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let (youth, host) = forms::parse_event_youth(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .add_event_youth(&caller.scope(), id, youth, host)
        .await?)
}

pub async fn generate_grid(
    state: &AppState,
    caller: &Caller,
    id: EventId,
) -> AppResult<Vec<GridIssue>> {
    Ok(state.db().generate_grid(&caller.scope(), id).await?)
}

/// What the move breaks (nothing saved), or an empty list (saved).
pub async fn move_seat(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    form: &MoveForm,
) -> AppResult<Vec<GridIssue>> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let (seat, accept) = forms::parse_move(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .move_seat(&caller.scope(), id, seat, accept)
        .await?)
}

pub async fn rank(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    youth: Option<YouthId>,
    companies: &[i64],
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let companies: Vec<CompanyId> = companies.iter().map(|c| CompanyId::new(*c)).collect();
    Ok(state
        .db()
        .rank_companies(&caller.scope(), id, youth, &companies)
        .await?)
}

pub async fn mark(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    company: Option<CompanyId>,
    youth: &[i64],
    places: i64,
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let youth: Vec<YouthId> = youth.iter().map(|y| YouthId::new(*y)).collect();
    Ok(state
        .db()
        .mark_youth(&caller.scope(), id, company, &youth, places)
        .await?)
}

pub async fn run_match(state: &AppState, caller: &Caller, id: EventId) -> AppResult<()> {
    Ok(state.db().run_match(&caller.scope(), id).await?)
}

pub async fn override_match(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    form: &OverrideForm,
) -> AppResult<()> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let (youth, company) = forms::parse_override(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .override_match(&caller.scope(), id, youth, company, &form.reason)
        .await?)
}

pub async fn record_call(
    state: &AppState,
    caller: &Caller,
    id: CallId,
    form: &CallForm,
) -> AppResult<Option<InternshipId>> {
    state.db().require_call_visible(&caller.scope(), id).await?;
    let update = forms::parse_call(form).map_err(AppError::invalid)?;
    Ok(state.db().record_call(&caller.scope(), id, &update).await?)
}
