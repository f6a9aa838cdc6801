//! The changes to an internship, shared by its page and the API: check the
//! caller may see it, parse what was sent (every field's problem at once),
//! then ask the store.

use super::forms::{self, ChangeForm, DECIDED_BY_MAX, FUNCTION_MAX, NOTE_MAX, REASON_MAX};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::params::collect;
use crate::http::state::AppState;
use spire_domain::InternshipId;
use spire_domain::internship::parse_date;
use spire_domain::validation::{optional_text, required_text};

pub async fn apply_status(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_internship_visible(&caller.scope(), id)
        .await?;
    let mut errors = Vec::new();
    let transition = collect(&mut errors, forms::parse_transition(&form.transition));
    let reason = collect(
        &mut errors,
        optional_text("reason", &form.reason, REASON_MAX),
    );
    let (Some(transition), Some(reason)) = (transition, reason) else {
        return Err(AppError::invalid(errors));
    };
    Ok(state
        .db()
        .transition_internship(
            &caller.scope(),
            id,
            transition,
            reason.as_deref().unwrap_or(""),
        )
        .await?)
}

pub async fn apply_extension(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_internship_visible(&caller.scope(), id)
        .await?;
    let mut errors = Vec::new();
    let new_end = collect(&mut errors, parse_date("new_end_date", &form.new_end_date));
    let reason = collect(
        &mut errors,
        required_text("reason", &form.reason, REASON_MAX),
    );
    let decided_by = collect(
        &mut errors,
        required_text("decided_by", &form.decided_by, DECIDED_BY_MAX),
    );
    let (Some(new_end), Some(reason), Some(decided_by)) = (new_end, reason, decided_by) else {
        return Err(AppError::invalid(errors));
    };
    Ok(state
        .db()
        .extend_internship(&caller.scope(), id, new_end, &reason, &decided_by)
        .await?)
}

pub async fn apply_function(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_internship_visible(&caller.scope(), id)
        .await?;
    let mut errors = Vec::new();
    let function = collect(
        &mut errors,
        required_text("function", &form.function, FUNCTION_MAX),
    );
    let from = collect(&mut errors, parse_date("from_date", &form.from_date));
    let (Some(function), Some(from)) = (function, from) else {
        return Err(AppError::invalid(errors));
    };
    Ok(state
        .db()
        .change_internship_function(&caller.scope(), id, &function, from)
        .await?)
}

pub async fn apply_check_in(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_internship_visible(&caller.scope(), id)
        .await?;
    let note = forms::text("note", &form.note, NOTE_MAX).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .check_in_internship(&caller.scope(), id, &note)
        .await?)
}

pub async fn apply_end(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    form: &ChangeForm,
) -> AppResult<()> {
    state
        .db()
        .require_internship_visible(&caller.scope(), id)
        .await?;
    let reason = forms::text("reason", &form.reason, REASON_MAX).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .end_own_internship(&caller.scope(), id, &reason)
        .await?)
}
