//! Parsing what people type (forms, JSON, query strings) into checked values,
//! collecting every field's problem at once so a form can show them all.

use crate::error::{AppError, ErrorKind};
use crate::views::{CompanyForm, PortfolioForm, UserForm, YouthForm};
use spire_domain::validation::{optional_email, optional_phone, optional_text, required_text};
use spire_domain::{Cpr, Cvr, FieldError, Problem, Role};
use spire_store::{NewCompany, NewUser, NewYouth};

/// An id in a path; anything else is simply not found.
pub fn path_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(AppError::not_found)
}

pub fn page_number(text: Option<&str>) -> Result<i64, AppError> {
    match text {
        None | Some("") => Ok(1),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or(AppError(ErrorKind::Invalid(vec![FieldError::new(
                "page",
                Problem::PageNumber,
            )]))),
    }
}

/// The start of a day (YYYY-MM-DD) in UTC seconds; empty means no bound.
pub fn date_start(field: &'static str, text: &str) -> Result<Option<i64>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    time::Date::parse(
        text.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map(|d| Some(d.midnight().assume_utc().unix_timestamp()))
    .map_err(|_| AppError::invalid(vec![FieldError::new(field, Problem::Required)]))
}

/// Keeps the value or records the problem; parsing goes on for other fields.
pub(crate) fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
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
        required_text("first_name", &form.first_name, 100),
    );
    let last_name = collect(
        &mut errors,
        required_text("last_name", &form.last_name, 100),
    );
    let phone = collect(&mut errors, optional_phone("phone", &form.phone));
    let email = collect(&mut errors, optional_email("email", &form.email));
    let interests = collect(
        &mut errors,
        optional_text("interests", &form.interests, 500),
    );
    let strengths = collect(
        &mut errors,
        optional_text("strengths", &form.strengths, 500),
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
        }),
        _ => Err(errors),
    }
}

/// Interests and strengths: comma-separated, each list at most 500 characters.
pub fn parse_portfolio(form: &PortfolioForm) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let interests = collect(
        &mut errors,
        optional_text("interests", &form.interests, 500),
    );
    let strengths = collect(
        &mut errors,
        optional_text("strengths", &form.strengths, 500),
    );
    match (interests, strengths) {
        (Some(i), Some(s)) => Ok((i.unwrap_or_default(), s.unwrap_or_default())),
        _ => Err(errors),
    }
}

pub fn parse_company(form: &CompanyForm) -> Result<NewCompany, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cvr = collect(
        &mut errors,
        if form.cvr.trim().is_empty() {
            Err(FieldError::new("cvr", Problem::Required))
        } else {
            Cvr::parse("cvr", &form.cvr)
        },
    );
    let name = collect(&mut errors, required_text("name", &form.name, 200));
    let industry = collect(&mut errors, required_text("industry", &form.industry, 100));
    let address = collect(&mut errors, optional_text("address", &form.address, 300));
    match (cvr, name, industry, address) {
        (Some(cvr), Some(name), Some(industry), Some(address)) if errors.is_empty() => {
            Ok(NewCompany {
                cvr,
                name,
                industry,
                address,
            })
        }
        _ => Err(errors),
    }
}

pub fn parse_user(form: &UserForm) -> Result<NewUser, Vec<FieldError>> {
    let mut errors = Vec::new();
    let role = collect(
        &mut errors,
        form.role
            .parse::<Role>()
            .map_err(|_| FieldError::new("role", Problem::UnknownRole)),
    );
    let municipality_code = match form.municipality_code.trim() {
        "" => None,
        code => collect(
            &mut errors,
            code.parse::<i64>()
                .map_err(|_| FieldError::new("municipality_code", Problem::UnknownMunicipality)),
        ),
    };
    let user = NewUser {
        login: form.login.trim().to_lowercase(),
        display_name: form.display_name.trim().to_string(),
        password: form.password.clone(),
        role: role.unwrap_or(Role::Youth),
        municipality_code,
        company_id: None,
    };
    if role.is_some() {
        errors.extend(user.validate());
    }
    if errors.is_empty() {
        Ok(user)
    } else {
        Err(errors)
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
        };
        let errors = parse_youth(&form, None).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("cpr", Problem::CprDate),
                ("first_name", Problem::Required),
                ("phone", Problem::PhoneFormat),
                ("email", Problem::EmailFormat)
            ]
        );
    }

    #[test]
    fn company_needs_a_valid_cvr() {
        let form = CompanyForm {
            cvr: "12345678".into(),
            name: "X".into(),
            industry: "Y".into(),
            address: String::new(),
        };
        assert_eq!(
            parse_company(&form).unwrap_err()[0].problem,
            Problem::CvrChecksum
        );
    }
}
