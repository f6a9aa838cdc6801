//! The onboarding forms (the same fields in the API) and their parsing.

use crate::http::params::{collect, required_id};
use serde::Deserialize;
use spire_domain::internship::parse_date;
use spire_domain::onboarding::Status;
use spire_domain::{FieldError, Problem};
use time::Date;
use utoipa::ToSchema;

pub use spire_domain::onboarding::{NOTES_MAX, TITLE_MAX};

/// Starting a municipality's one-year plan.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewOnboardingPlan)]
pub struct StartForm {
    /// A municipality in Spire without a plan.
    #[serde(default)]
    #[schema(required = true)]
    pub municipality_code: String,
    /// The first day of the plan's first quarter: `2027-01-04` or `4.1.2027`.
    #[serde(default)]
    #[schema(required = true)]
    pub start_date: String,
}

impl StartForm {
    pub fn parse(&self) -> Result<(i64, Date), Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = collect(
            &mut errors,
            required_id(
                "municipality_code",
                &self.municipality_code,
                Problem::UnknownMunicipality,
            ),
        );
        let start = collect(&mut errors, parse_date("start_date", &self.start_date));
        match (code, start) {
            (Some(code), Some(start)) if errors.is_empty() => Ok((code, start)),
            _ => Err(errors),
        }
    }
}

/// A milestone's status, owner and notes.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = OnboardingMilestoneUpdate)]
pub struct ItemForm {
    /// `todo`, `doing` or `done`.
    #[serde(default)]
    #[schema(required = true)]
    pub status: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub owner: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

impl ItemForm {
    pub fn status(&self) -> Result<Status, Vec<FieldError>> {
        Status::from_code(self.status.trim())
            .ok_or_else(|| vec![FieldError::new("status", Problem::UnknownChoice)])
    }
}

/// The template, one milestone a line: `K1 | Titel | Ejer`.
#[derive(Default, Clone, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    pub template: String,
}
