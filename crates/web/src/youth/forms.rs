//! The youth forms (page and API share them) and their parsing into checked
//! values, every field's problem collected at once.

use crate::http::params::collect;
use spire_domain::eligibility::OutsideTrial;
use spire_domain::validation::{limits, optional_email, optional_phone, required_text, tag_list};
use spire_domain::{Cpr, FieldError, Problem};
use spire_store::NewYouth;

/// The longest list of interests or strengths.
pub const PORTFOLIO_MAX: usize = limits::PORTFOLIO;

/// A young person's work-identity portfolio: interests and strengths,
/// comma-separated, each at most 500 characters.
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = Portfolio)]
pub struct PortfolioForm {
    #[serde(default)]
    #[schema(max_length = 500)]
    pub interests: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub strengths: String,
}

/// A young person to register in the caller's municipality.
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = NewYouth)]
pub struct YouthForm {
    /// DDMMYY-XXXX; stored encrypted, never returned.
    #[serde(default)]
    #[schema(required = true, max_length = 20)]
    pub cpr: String,
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub first_name: String,
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub last_name: String,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub interests: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub strengths: String,
    /// While a trial is open in the municipality (then required): why the
    /// young person is outside its target group — `age`, `benefit`,
    /// `qualification` or `other` (with `outside_trial_note`).
    #[serde(default)]
    #[schema(max_length = 20)]
    pub outside_trial: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub outside_trial_note: String,
}

pub fn parse_youth(
    form: &YouthForm,
    consultant_id: Option<i64>,
) -> Result<NewYouth, Vec<FieldError>> {
    let mut errors = Vec::new();
    let today = time::OffsetDateTime::now_utc().date();
    let cpr = collect(
        &mut errors,
        if form.cpr.trim().is_empty() {
            Err(FieldError::new("cpr", Problem::Required))
        } else {
            // The century rule can place a number in the future (e.g. 010130-4123 is 2030).
            Cpr::parse("cpr", &form.cpr).and_then(|cpr| {
                if cpr.birth_date() > today {
                    Err(FieldError::new("cpr", Problem::CprDate))
                } else {
                    Ok(cpr)
                }
            })
        },
    );
    let first_name = collect(
        &mut errors,
        required_text("first_name", &form.first_name, limits::PERSON_NAME),
    );
    let last_name = collect(
        &mut errors,
        required_text("last_name", &form.last_name, limits::PERSON_NAME),
    );
    let phone = collect(&mut errors, optional_phone("phone", &form.phone));
    let email = collect(&mut errors, optional_email("email", &form.email));
    let interests = collect(
        &mut errors,
        tag_list("interests", &form.interests, PORTFOLIO_MAX),
    );
    let strengths = collect(
        &mut errors,
        tag_list("strengths", &form.strengths, PORTFOLIO_MAX),
    );
    let outside_trial = collect(
        &mut errors,
        OutsideTrial::parse(&form.outside_trial, &form.outside_trial_note),
    );
    match (
        cpr, first_name, last_name, phone, email, interests, strengths,
    ) {
        (
            Some(cpr),
            Some(first_name),
            Some(last_name),
            Some(phone),
            Some(email),
            Some(interests),
            Some(strengths),
        ) if errors.is_empty() => Ok(NewYouth {
            cpr,
            first_name,
            last_name,
            phone,
            email,
            interests: interests.unwrap_or_default(),
            strengths: strengths.unwrap_or_default(),
            consultant_id,
            user_id: None,
            outside_trial: outside_trial.flatten(),
        }),
        _ => Err(errors),
    }
}

/// Interests and strengths: comma-separated, each list at most 500 characters.
pub fn parse_portfolio(form: &PortfolioForm) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let interests = collect(
        &mut errors,
        tag_list("interests", &form.interests, PORTFOLIO_MAX),
    );
    let strengths = collect(
        &mut errors,
        tag_list("strengths", &form.strengths, PORTFOLIO_MAX),
    );
    match (interests, strengths) {
        (Some(i), Some(s)) => Ok((i.unwrap_or_default(), s.unwrap_or_default())),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_youth_field_is_reported_at_once() {
        let form = YouthForm {
            cpr: "310299-1234".into(),
            first_name: " ".into(),
            last_name: "Hansen".into(),
            phone: "12".into(),
            email: "nope".into(),
            interests: String::new(),
            strengths: String::new(),
            outside_trial: "other".into(),
            outside_trial_note: " ".into(),
        };
        let errors = parse_youth(&form, None).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("cpr", Problem::CprDate),
                ("first_name", Problem::Required),
                ("phone", Problem::PhoneFormat),
                ("email", Problem::EmailFormat),
                ("outside_trial_note", Problem::Required)
            ]
        );
    }
}
