//! The internship forms (the same fields in the API) and their parsing. Every
//! field's problem is collected, so a form shows them all at once.

use crate::http::params::collect;
use spire_domain::internship::{Conversion, EndedBy, Transition, parse_date, parse_hours};
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{CompanyId, FieldError, Problem, YouthId};
use spire_store::NewInternship;

pub use spire_domain::internship::{
    DECIDED_BY_MAX, FUNCTION_MAX, NOTE_MAX, REASON_MAX, SCHEDULE_MAX,
};

/// A new internship.
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = NewInternship)]
pub struct InternshipForm {
    /// A company of the municipality's network.
    #[serde(default)]
    #[schema(required = true)]
    pub company_id: String,
    /// A contact person of that company (optional).
    #[serde(default)]
    pub contact_id: String,
    /// What the youth does there.
    #[serde(default)]
    #[schema(required = true, max_length = 120)]
    pub function: String,
    /// `2026-03-02` or `2.3.2026`.
    #[serde(default)]
    #[schema(required = true)]
    pub start_date: String,
    #[serde(default)]
    #[schema(required = true)]
    pub end_date: String,
    /// At most the legal limit (37); a decimal comma is fine.
    #[serde(default)]
    #[schema(required = true)]
    pub hours_per_week: String,
    /// The weekly schedule in words, e.g. "man-tors 8-15".
    #[serde(default)]
    #[schema(max_length = 500)]
    pub schedule: String,
}

fn optional_id(
    field: &'static str,
    text: &str,
    problem: Problem,
) -> Result<Option<i64>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or(FieldError::new(field, problem)),
    }
}

pub fn parse_internship(
    youth: YouthId,
    form: &InternshipForm,
) -> Result<NewInternship, Vec<FieldError>> {
    let mut errors = Vec::new();
    let company = collect(
        &mut errors,
        optional_id("company_id", &form.company_id, Problem::UnknownCompany)
            .and_then(|id| id.ok_or(FieldError::new("company_id", Problem::Required))),
    );
    let contact = collect(
        &mut errors,
        optional_id("contact_id", &form.contact_id, Problem::UnknownContact),
    );
    let function = collect(
        &mut errors,
        required_text("function", &form.function, FUNCTION_MAX),
    );
    let start = collect(&mut errors, parse_date("start_date", &form.start_date));
    let end = collect(&mut errors, parse_date("end_date", &form.end_date));
    let hours = collect(
        &mut errors,
        parse_hours("hours_per_week", &form.hours_per_week),
    );
    let schedule = collect(
        &mut errors,
        optional_text("schedule", &form.schedule, SCHEDULE_MAX),
    );
    match (company, contact, function, start, end, hours, schedule) {
        (
            Some(company),
            Some(contact_id),
            Some(function),
            Some(start),
            Some(end),
            Some(hours_per_week),
            Some(schedule),
        ) if errors.is_empty() => Ok(NewInternship {
            youth,
            company: CompanyId::new(company),
            contact_id,
            function,
            start,
            end,
            hours_per_week,
            schedule: schedule.unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// Everything the forms on an internship's page send; each form uses its part.
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = InternshipChange)]
pub struct ChangeForm {
    /// A new function (function change).
    #[serde(default)]
    #[schema(max_length = 120)]
    pub function: String,
    /// From when the new function applies.
    #[serde(default)]
    pub from_date: String,
    /// The new end (extension).
    #[serde(default)]
    pub new_end_date: String,
    /// Why (extension, interruption).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: String,
    /// Who decided the extension.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub decided_by: String,
    /// The check-in note.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
    /// `start`, `complete`, `interrupt_youth`, `interrupt_company`,
    /// `convert_job`, `convert_wage_subsidy`, `convert_apprenticeship`, `convert_education`.
    #[serde(default)]
    pub transition: String,
}

/// The transitions a form may ask for, by their codes.
pub const TRANSITIONS: [&str; 8] = [
    "start",
    "complete",
    "interrupt_youth",
    "interrupt_company",
    "convert_job",
    "convert_wage_subsidy",
    "convert_apprenticeship",
    "convert_education",
];

pub fn parse_transition(code: &str) -> Result<Transition, FieldError> {
    let unknown = || FieldError::new("transition", Problem::UnknownChoice);
    match code.trim() {
        "start" => Ok(Transition::Start),
        "complete" => Ok(Transition::Complete),
        other => {
            if let Some(by) = other.strip_prefix("interrupt_") {
                EndedBy::from_code(by)
                    .map(Transition::Interrupt)
                    .ok_or_else(unknown)
            } else if let Some(to) = other.strip_prefix("convert_") {
                Conversion::from_code(to)
                    .map(Transition::Convert)
                    .ok_or_else(unknown)
            } else {
                Err(unknown())
            }
        }
    }
}

/// A bounded reason or note: required, at most `max` characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, Vec<FieldError>> {
    required_text(field, value, max).map_err(|e| vec![e])
}
