//! The youth network's forms (the same fields in the API) and their parsing:
//! every field's problem at once, so a form shows them all.

use crate::http::params::{collect, required_id as parse_id};
use serde::Deserialize;
use spire_domain::internship::parse_date;
pub use spire_domain::network::{
    AGENDA_ITEM_MAX, GROUP_NAME_MAX, MEETING_NOTES_MAX, PLACE_MAX, REASON_MAX,
};
use spire_domain::network::{Mark, Series, parse_minutes, parse_time};
use spire_domain::{FieldError, Problem, YouthId};
use spire_store::{MeetingChange, NewGroup};
use utoipa::ToSchema;

/// A new youth network group.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewYouthGroup)]
pub struct GroupForm {
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub name: String,
    /// A consultant, psychologist or team lead of the municipality.
    #[serde(default)]
    pub facilitator_id: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place: String,
    /// "16:00", on the wall clock in Copenhagen.
    #[serde(default)]
    #[schema(required = true)]
    pub start_time: String,
    /// 15 to 480 minutes; 90 if empty.
    #[serde(default)]
    pub duration_minutes: String,
}

/// A youth joining or leaving a group.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = GroupMembership)]
pub struct MemberForm {
    #[serde(default)]
    #[schema(required = true)]
    pub youth_id: String,
    /// The date they join or leave: `2026-03-02` or `2.3.2026`.
    #[serde(default)]
    #[schema(required = true)]
    pub date: String,
}

/// A weekly series of meetings: the first date sets the weekday.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = MeetingSeries)]
pub struct SeriesForm {
    #[serde(default)]
    #[schema(required = true)]
    pub first_date: String,
    #[serde(default)]
    #[schema(required = true)]
    pub last_date: String,
    /// "16:00"; the group's time if empty.
    #[serde(default)]
    pub start_time: String,
}

/// Move (`action` = `move`, with `date` and `start_time`) or cancel one meeting, with a reason.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = MeetingChange)]
pub struct ChangeForm {
    /// `move` or `cancel`.
    #[serde(default)]
    #[schema(required = true)]
    pub action: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    #[schema(required = true, max_length = 500)]
    pub reason: String,
}

/// An agenda item: a youth proposes it, or the facilitator adds it.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = AgendaItemText)]
pub struct AgendaForm {
    #[serde(default)]
    #[schema(required = true, max_length = 300)]
    pub text: String,
}

/// One youth's mark at a meeting.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = AttendanceMark)]
pub struct AttendanceForm {
    #[serde(default)]
    #[schema(required = true)]
    pub youth_id: String,
    /// `present`, `absent_reason` or `absent_no_notice`.
    #[serde(default)]
    #[schema(required = true)]
    pub mark: String,
    /// For `absent_reason`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
}

/// The shared notes after a meeting, for the group.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = MeetingNotes)]
pub struct NotesForm {
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: String,
}

pub fn parse_group(form: &GroupForm) -> Result<NewGroup, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = collect(
        &mut errors,
        spire_domain::validation::required_text("name", &form.name, GROUP_NAME_MAX),
    );
    let facilitator = collect(
        &mut errors,
        match form.facilitator_id.trim() {
            "" => Ok(None),
            text => parse_id("facilitator_id", text, Problem::UnknownConsultant).map(Some),
        },
    );
    let place = collect(
        &mut errors,
        spire_domain::validation::optional_text("place", &form.place, PLACE_MAX),
    );
    let start = collect(&mut errors, parse_time("start_time", &form.start_time));
    let minutes = collect(
        &mut errors,
        parse_minutes("duration_minutes", &form.duration_minutes, 90),
    );
    match (name, facilitator, place, start, minutes) {
        (Some(name), Some(facilitator), Some(place), Some(start_time), Some(duration_minutes)) => {
            Ok(NewGroup {
                name,
                facilitator,
                place: place.unwrap_or_default(),
                start_time,
                duration_minutes,
            })
        }
        _ => Err(errors),
    }
}

pub fn parse_member(form: &MemberForm) -> Result<(YouthId, time::Date), Vec<FieldError>> {
    let mut errors = Vec::new();
    let youth = collect(
        &mut errors,
        parse_id("youth_id", &form.youth_id, Problem::UnknownYouth),
    );
    let date = collect(&mut errors, parse_date("date", &form.date));
    match (youth, date) {
        (Some(youth), Some(date)) => Ok((YouthId::new(youth), date)),
        _ => Err(errors),
    }
}

pub fn parse_series(form: &SeriesForm, group_time: &str) -> Result<Series, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first = collect(&mut errors, parse_date("first_date", &form.first_date));
    let last = collect(&mut errors, parse_date("last_date", &form.last_date));
    let time_text = if form.start_time.trim().is_empty() {
        group_time
    } else {
        &form.start_time
    };
    let start = collect(&mut errors, parse_time("start_time", time_text));
    match (first, last, start) {
        (Some(first), Some(last), Some(start)) => {
            Series::new(first, last, start).map_err(|e| vec![e])
        }
        _ => Err(errors),
    }
}

pub fn parse_change(form: &ChangeForm) -> Result<MeetingChange, Vec<FieldError>> {
    let reason = form.reason.clone();
    let mut errors = Vec::new();
    let reason_ok = collect(
        &mut errors,
        spire_domain::validation::required_text("reason", &reason, REASON_MAX),
    )
    .is_some();
    let change = match form.action.trim() {
        "cancel" => Some(MeetingChange::Cancel {
            reason: reason.clone(),
        }),
        "move" => {
            let date = collect(&mut errors, parse_date("date", &form.date));
            let time = collect(&mut errors, parse_time("start_time", &form.start_time));
            date.zip(time).map(|(date, time)| MeetingChange::Move {
                date,
                time,
                reason: reason.clone(),
            })
        }
        "" => {
            errors.push(FieldError::new("action", Problem::Required));
            None
        }
        _ => {
            errors.push(FieldError::new("action", Problem::UnknownChoice));
            None
        }
    };
    match change {
        Some(change) if reason_ok && errors.is_empty() => Ok(change),
        _ => Err(errors),
    }
}

pub fn parse_attendance(
    form: &AttendanceForm,
) -> Result<(YouthId, Mark, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let youth = collect(
        &mut errors,
        parse_id("youth_id", &form.youth_id, Problem::UnknownYouth),
    );
    let mark = collect(
        &mut errors,
        Mark::from_code(form.mark.trim()).ok_or(FieldError::new(
            "mark",
            if form.mark.trim().is_empty() {
                Problem::Required
            } else {
                Problem::UnknownChoice
            },
        )),
    );
    let reason = collect(
        &mut errors,
        spire_domain::validation::optional_text("reason", &form.reason, REASON_MAX),
    );
    match (youth, mark, reason) {
        (Some(youth), Some(mark), Some(reason)) => Ok((YouthId::new(youth), mark, reason)),
        _ => Err(errors),
    }
}
