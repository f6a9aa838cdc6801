//! Course changes shared by the pages and the API: parse what was sent
//! (every field's problem at once), then ask the store.

use super::forms::{self, AssignForm, ExitForm, OpenCourseForm, ProgressForm};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use spire_domain::{CourseId, FieldError, Problem, YouthId};

pub async fn open_course(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    form: &OpenCourseForm,
) -> AppResult<CourseId> {
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let (readiness, start) = forms::parse_open(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .open_course(&caller.scope(), youth, readiness, start)
        .await?)
}

pub async fn exit_course(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    form: &ExitForm,
) -> AppResult<()> {
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let (date, reason, note) = forms::parse_exit(form).map_err(AppError::invalid)?;
    Ok(state
        .db()
        .exit_course(&caller.scope(), youth, date, reason, note.as_deref())
        .await?)
}

pub async fn record_progress(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    form: &ProgressForm,
) -> AppResult<()> {
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let (held_on, scores, note) = forms::parse_progress(form).map_err(AppError::invalid)?;
    if held_on > crate::i18n::today_in_copenhagen() {
        return Err(AppError::invalid(vec![FieldError::new(
            "held_on",
            Problem::DateInFuture,
        )]));
    }
    Ok(state
        .db()
        .record_progress(&caller.scope(), youth, held_on, scores, &note)
        .await?)
}

/// What a reassignment did: each youth by name (or id) with whether it
/// worked, and the consultant's caseload if it now passes the norm.
pub struct Reassigned {
    pub results: Vec<(String, bool)>,
    pub over_norm: Option<(String, i64, i64)>,
}

/// At most this many youth in one reassignment.
pub const MAX_REASSIGN: usize = 200;

pub async fn reassign(
    state: &AppState,
    caller: &Caller,
    form: &AssignForm,
) -> AppResult<Reassigned> {
    let consultant = match form.consultant_id.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::invalid(vec![FieldError::new(
                "consultant_id",
                Problem::UnknownConsultant,
            )])
        })?),
    };
    if form.youth_ids.is_empty() {
        return Err(AppError::invalid(vec![FieldError::new(
            "youth_ids",
            Problem::ChooseAtLeastOne,
        )]));
    }
    if form.youth_ids.len() > MAX_REASSIGN {
        return Err(AppError::invalid(vec![FieldError::new(
            "youth_ids",
            Problem::TooLong,
        )]));
    }
    let scope = caller.scope();
    let mut results = Vec::new();
    for &id in &form.youth_ids {
        let youth = YouthId::new(id);
        match state
            .db()
            .assign_consultant(&scope, youth, consultant)
            .await
        {
            Ok(()) => {
                let person = state.db().get_youth(&scope, youth).await?;
                results.push((format!("{} {}", person.first_name, person.last_name), true));
            }
            Err(spire_store::Error::NotFound) => results.push((format!("#{id}"), false)),
            Err(other) => return Err(other.into()),
        }
    }
    let mut over_norm = None;
    if let Some(consultant) = consultant {
        let team = state
            .db()
            .team_overview(&scope, crate::i18n::today_in_copenhagen())
            .await?;
        if let Some(load) = team.consultants.iter().find(|c| c.user_id == consultant)
            && load.youth > load.norm(team.norm)
        {
            over_norm = Some((load.name.clone(), load.youth, load.norm(team.norm)));
        }
    }
    Ok(Reassigned { results, over_norm })
}
