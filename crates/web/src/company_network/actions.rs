//! The company network's changes, shared by its pages and the API: check the
//! caller may see the meeting or company, parse (every problem at once),
//! then ask the store.

use super::forms::{
    self, AttendanceForm, ContactLogForm, MeetingForm, MemberForm, SignupForm, SlotForm, TextForm,
};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use spire_domain::{CompanyId, NetworkMeetingId, Role};

pub async fn join(state: &AppState, caller: &Caller, form: &MemberForm) -> AppResult<()> {
    let (company, date) = forms::parse_member(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .join_network(&caller.scope(), company, date)
        .await?)
}

pub async fn leave(state: &AppState, caller: &Caller, form: &MemberForm) -> AppResult<()> {
    let (company, date) = forms::parse_member(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .leave_network(&caller.scope(), company, date)
        .await?)
}

pub async fn add_slot(state: &AppState, caller: &Caller, form: &SlotForm) -> AppResult<i64> {
    let own = if caller.role() == Role::CompanyContact {
        caller.user.user.company_id
    } else {
        None
    };
    let slot = forms::parse_slot(form, own).map_err(AppError::invalid)?;
    Ok(state.db().add_slot(&caller.scope(), &slot).await?)
}

pub async fn create_meeting(
    state: &AppState,
    caller: &Caller,
    form: &MeetingForm,
) -> AppResult<NetworkMeetingId> {
    let meeting = forms::parse_meeting(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .create_network_meeting(&caller.scope(), &meeting)
        .await?)
}

pub async fn sign_up(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    form: &SignupForm,
) -> AppResult<()> {
    state
        .db()
        .require_network_meeting_visible(&caller.scope(), id)
        .await?;
    let attend = forms::yes_no("attend", &form.attend).map_err(|e| AppError::invalid(vec![e]))?;
    Ok(state
        .db()
        .sign_up_for_network_meeting(&caller.scope(), id, attend)
        .await?)
}

pub async fn attendance(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    form: &AttendanceForm,
) -> AppResult<()> {
    state
        .db()
        .require_network_meeting_visible(&caller.scope(), id)
        .await?;
    let mut errors = Vec::new();
    let contact = crate::http::params::collect(
        &mut errors,
        crate::http::params::required_id(
            "contact_id",
            &form.contact_id,
            spire_domain::Problem::UnknownContact,
        ),
    );
    let attended =
        crate::http::params::collect(&mut errors, forms::yes_no("attended", &form.attended));
    let (Some(contact), Some(attended)) = (contact, attended) else {
        return Err(AppError::invalid(errors));
    };
    Ok(state
        .db()
        .record_network_attendance(&caller.scope(), id, contact, attended)
        .await?)
}

pub async fn notes(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    form: &TextForm,
) -> AppResult<()> {
    state
        .db()
        .require_network_meeting_visible(&caller.scope(), id)
        .await?;
    Ok(state
        .db()
        .write_network_notes(&caller.scope(), id, &form.notes)
        .await?)
}

pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    form: &TextForm,
) -> AppResult<()> {
    state
        .db()
        .require_network_meeting_visible(&caller.scope(), id)
        .await?;
    Ok(state
        .db()
        .cancel_network_meeting(&caller.scope(), id, &form.reason)
        .await?)
}

pub async fn log_contact(
    state: &AppState,
    caller: &Caller,
    company: CompanyId,
    form: &ContactLogForm,
) -> AppResult<i64> {
    // Another municipality's company is not found, whatever was sent.
    state.db().contact_log(&caller.scope(), company).await?;
    let entry = forms::parse_contact_log(company, form).map_err(AppError::invalid)?;
    Ok(state.db().add_contact_log(&caller.scope(), &entry).await?)
}
