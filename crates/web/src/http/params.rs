//! Parsing what people type into paths and query strings: ids, page numbers,
//! dates; and collecting every field's problem at once so a form can show them all.

use super::error::{AppError, ErrorKind};
use spire_domain::{FieldError, Problem};

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
pub fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A positive id typed into a field; empty is `Required`, anything else `problem`.
pub fn required_id(field: &'static str, text: &str, problem: Problem) -> Result<i64, FieldError> {
    match text.trim() {
        "" => Err(FieldError::new(field, Problem::Required)),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or(FieldError::new(field, problem)),
    }
}

/// A decimal number typed with a point or a comma (`0,8`); empty is `Required`.
pub fn decimal(field: &'static str, text: &str) -> Result<f64, FieldError> {
    match text.trim() {
        "" => Err(FieldError::new(field, Problem::Required)),
        t => t
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(FieldError::new(field, Problem::NotANumber)),
    }
}

/// A whole number typed into a field, within `min..=max`.
pub fn whole_number(
    field: &'static str,
    text: &str,
    min: i64,
    max: i64,
) -> Result<i64, FieldError> {
    let value: i64 = match text.trim() {
        "" => return Err(FieldError::new(field, Problem::Required)),
        t => t
            .parse()
            .map_err(|_| FieldError::new(field, Problem::WholeNumber))?,
    };
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::out_of_range(field, min, max))
    }
}
