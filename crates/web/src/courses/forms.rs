//! The course forms (the same fields in the API) and their parsing.

use crate::http::params::collect;
use spire_domain::course::ExitReason;
use spire_domain::eligibility::Readiness;
use spire_domain::internship::parse_date;
use spire_domain::validation::optional_text;
use spire_domain::{FieldError, Problem};
use time::Date;

pub use spire_domain::course::COURSE_NOTE_MAX as NOTE_MAX;

/// Start a course outside the trial.
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = NewCourse)]
pub struct OpenCourseForm {
    /// `jobparat`, `aabenlyst_uddannelsesparat`, `uddannelsesparat` or `aktivitetsparat`.
    #[serde(default)]
    #[schema(required = true)]
    pub readiness: String,
    #[serde(default)]
    #[schema(required = true)]
    pub start_date: String,
}

pub fn parse_open(form: &OpenCourseForm) -> Result<(Readiness, Date), Vec<FieldError>> {
    let mut errors = Vec::new();
    let readiness = collect(
        &mut errors,
        Readiness::from_code(form.readiness.trim())
            .ok_or(FieldError::new("readiness", Problem::UnknownReadiness)),
    );
    let start = collect(&mut errors, parse_date("start_date", &form.start_date));
    match (readiness, start) {
        (Some(r), Some(s)) => Ok((r, s)),
        _ => Err(errors),
    }
}

/// End the open course.
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = CourseExit)]
pub struct ExitForm {
    #[serde(default)]
    #[schema(required = true)]
    pub exit_date: String,
    /// `job`, `education`, `apprenticeship`, `wage_subsidy`, `other_help`,
    /// `moved`, `dropped_out` or `other`.
    #[serde(default)]
    #[schema(required = true)]
    pub exit_reason: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub exit_note: String,
}

pub fn parse_exit(form: &ExitForm) -> Result<(Date, ExitReason, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = collect(&mut errors, parse_date("exit_date", &form.exit_date));
    let reason = collect(
        &mut errors,
        ExitReason::from_code(form.exit_reason.trim())
            .ok_or(FieldError::new("exit_reason", Problem::UnknownChoice)),
    );
    let note = collect(
        &mut errors,
        optional_text("exit_note", &form.exit_note, NOTE_MAX),
    );
    match (date, reason, note) {
        (Some(d), Some(r), Some(n)) => Ok((d, r, n)),
        _ => Err(errors),
    }
}

/// One side's scores of a 6-week progress conversation.
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = ProgressScores)]
pub struct ProgressForm {
    #[serde(default)]
    #[schema(required = true)]
    pub held_on: String,
    /// 1-5.
    #[serde(default)]
    #[schema(required = true)]
    pub direction: String,
    #[serde(default)]
    #[schema(required = true)]
    pub persistence: String,
    #[serde(default)]
    #[schema(required = true)]
    pub curiosity: String,
    #[serde(default)]
    #[schema(required = true)]
    pub resilience: String,
    #[serde(default)]
    #[schema(required = true)]
    pub self_esteem: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

impl ProgressForm {
    pub fn scores(&self) -> [(&'static str, &str); 5] {
        [
            ("direction", &self.direction),
            ("persistence", &self.persistence),
            ("curiosity", &self.curiosity),
            ("resilience", &self.resilience),
            ("self_esteem", &self.self_esteem),
        ]
    }
}

pub fn parse_progress(form: &ProgressForm) -> Result<(Date, [i64; 5], String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let held_on = collect(&mut errors, parse_date("held_on", &form.held_on));
    let mut scores = [0_i64; 5];
    for (slot, (field, text)) in scores.iter_mut().zip(form.scores()) {
        match text.trim().parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => *slot = n,
            _ if text.trim().is_empty() => errors.push(FieldError::new(field, Problem::Required)),
            _ => errors.push(FieldError::new(field, Problem::OutOfRange)),
        }
    }
    let note = collect(&mut errors, optional_text("note", &form.note, NOTE_MAX));
    match (held_on, note) {
        (Some(h), Some(n)) if errors.is_empty() => Ok((h, scores, n.unwrap_or_default())),
        _ => Err(errors),
    }
}

/// Give many youth one consultant (the team lead).
#[derive(Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = Reassignment)]
pub struct AssignForm {
    /// The consultant or psychologist; empty takes the consultant away.
    #[serde(default)]
    pub consultant_id: String,
    /// The youth to give them.
    #[serde(default)]
    pub youth_ids: Vec<i64>,
}
