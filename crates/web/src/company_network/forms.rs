//! The company network's forms (the same fields in the API) and their parsing.

use crate::http::params::{collect, required_id};
use serde::Deserialize;
use spire_domain::internship::parse_date;
use spire_domain::network::{parse_minutes, parse_time};
use spire_domain::{CompanyId, FieldError, Problem};
use spire_store::{NewContactLog, NewNetworkMeeting, NewSlot};
use utoipa::ToSchema;

pub use spire_domain::network::{
    CONTACT_SUMMARY_MAX, MEETING_NOTES_MAX, PLACE_MAX, REASON_MAX, SLOT_FUNCTION_MAX,
};

/// A company joining or leaving the network.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NetworkMembership)]
pub struct MemberForm {
    #[serde(default)]
    #[schema(required = true)]
    pub company_id: String,
    /// `2026-03-02` or `2.3.2026`.
    #[serde(default)]
    #[schema(required = true)]
    pub date: String,
}

/// Internship places a company offers.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewSlot)]
pub struct SlotForm {
    /// For a company contact: their own company (may be left empty).
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200)]
    pub function: String,
    /// 1 to 50.
    #[serde(default)]
    #[schema(required = true)]
    pub places: String,
    #[serde(default)]
    #[schema(required = true)]
    pub from_date: String,
    #[serde(default)]
    #[schema(required = true)]
    pub to_date: String,
}

/// A network meeting.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewNetworkMeeting)]
pub struct MeetingForm {
    #[serde(default)]
    #[schema(required = true)]
    pub date: String,
    /// "08:30", on the wall clock in Copenhagen.
    #[serde(default)]
    #[schema(required = true)]
    pub start_time: String,
    /// 15 to 480 minutes; 120 if empty.
    #[serde(default)]
    pub duration_minutes: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200)]
    pub topic: String,
}

/// A company contact signs up (`yes`) or withdraws (`no`).
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NetworkSignup)]
pub struct SignupForm {
    #[serde(default)]
    #[schema(required = true)]
    pub attend: String,
}

/// Whether a signed-up contact came (`yes` or `no`).
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NetworkAttendance)]
pub struct AttendanceForm {
    #[serde(default)]
    #[schema(required = true)]
    pub contact_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub attended: String,
}

/// The shared notes of a network meeting, or the reason it is cancelled.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NetworkMeetingText)]
pub struct TextForm {
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
}

/// A line in a company's contact log.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewContactLogEntry)]
pub struct ContactLogForm {
    /// `visit`, `phone`, `email` or `meeting`.
    #[serde(default)]
    #[schema(required = true)]
    pub kind: String,
    /// A contact person of the company (optional).
    #[serde(default)]
    pub contact_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub happened_on: String,
    /// What was talked about and agreed.
    #[serde(default)]
    #[schema(required = true, max_length = 2000)]
    pub summary: String,
}

pub fn yes_no(field: &'static str, text: &str) -> Result<bool, FieldError> {
    match text.trim() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        "" => Err(FieldError::new(field, Problem::Required)),
        _ => Err(FieldError::new(field, Problem::UnknownChoice)),
    }
}

pub fn parse_member(form: &MemberForm) -> Result<(CompanyId, time::Date), Vec<FieldError>> {
    let mut errors = Vec::new();
    let company = collect(
        &mut errors,
        required_id("company_id", &form.company_id, Problem::UnknownCompany),
    );
    let date = collect(&mut errors, parse_date("date", &form.date));
    match (company, date) {
        (Some(company), Some(date)) => Ok((CompanyId::new(company), date)),
        _ => Err(errors),
    }
}

/// A slot; `own_company` fills in a company contact's company.
pub fn parse_slot(form: &SlotForm, own_company: Option<i64>) -> Result<NewSlot, Vec<FieldError>> {
    let mut errors = Vec::new();
    let company = match own_company {
        Some(id) if form.company_id.trim().is_empty() => Some(id),
        _ => collect(
            &mut errors,
            required_id("company_id", &form.company_id, Problem::UnknownCompany),
        ),
    };
    let places = collect(
        &mut errors,
        match form.places.trim() {
            "" => Err(FieldError::new("places", Problem::Required)),
            t => t
                .parse::<i64>()
                .map_err(|_| FieldError::new("places", Problem::WholeNumber)),
        },
    );
    let from = collect(&mut errors, parse_date("from_date", &form.from_date));
    let to = collect(&mut errors, parse_date("to_date", &form.to_date));
    if form.function.trim().is_empty() {
        errors.push(FieldError::new("function", Problem::Required));
    }
    match (company, places, from, to) {
        (Some(company), Some(places), Some(from), Some(to)) if errors.is_empty() => Ok(NewSlot {
            company: CompanyId::new(company),
            function: form.function.clone(),
            places,
            from,
            to,
        }),
        _ => Err(errors),
    }
}

pub fn parse_meeting(form: &MeetingForm) -> Result<NewNetworkMeeting, Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = collect(&mut errors, parse_date("date", &form.date));
    let time = collect(&mut errors, parse_time("start_time", &form.start_time));
    let minutes = collect(
        &mut errors,
        parse_minutes("duration_minutes", &form.duration_minutes, 120),
    );
    if form.topic.trim().is_empty() {
        errors.push(FieldError::new("topic", Problem::Required));
    }
    match (date, time, minutes) {
        (Some(date), Some(time), Some(duration_minutes)) if errors.is_empty() => {
            Ok(NewNetworkMeeting {
                date,
                time,
                duration_minutes,
                place: form.place.clone(),
                topic: form.topic.clone(),
            })
        }
        _ => Err(errors),
    }
}

pub fn parse_contact_log(
    company: CompanyId,
    form: &ContactLogForm,
) -> Result<NewContactLog, Vec<FieldError>> {
    let mut errors = Vec::new();
    let contact = collect(
        &mut errors,
        match form.contact_id.trim() {
            "" => Ok(None),
            t => required_id("contact_id", t, Problem::UnknownContact).map(Some),
        },
    );
    let happened_on = collect(&mut errors, parse_date("happened_on", &form.happened_on));
    if form.kind.trim().is_empty() {
        errors.push(FieldError::new("kind", Problem::Required));
    }
    if form.summary.trim().is_empty() {
        errors.push(FieldError::new("summary", Problem::Required));
    }
    match (contact, happened_on) {
        (Some(contact), Some(happened_on)) if errors.is_empty() => Ok(NewContactLog {
            company,
            kind: form.kind.trim().to_string(),
            contact,
            happened_on,
            summary: form.summary.clone(),
        }),
        _ => Err(errors),
    }
}
