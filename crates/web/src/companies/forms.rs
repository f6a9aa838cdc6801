//! The company form and its parsing.

use crate::http::params::collect;
use spire_domain::validation::{limits, optional_text, required_text};
use spire_domain::{Cvr, FieldError, Problem};
use spire_store::NewCompany;

/// A company to add to the caller's municipality's network.
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = NewCompany)]
pub struct CompanyForm {
    /// Eight digits with a valid modulus-11 check.
    #[serde(default)]
    #[schema(required = true, max_length = 20)]
    pub cvr: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub industry: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
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
    let name = collect(
        &mut errors,
        required_text("name", &form.name, limits::COMPANY_NAME),
    );
    let industry = collect(
        &mut errors,
        required_text("industry", &form.industry, limits::INDUSTRY),
    );
    let address = collect(
        &mut errors,
        optional_text("address", &form.address, limits::ADDRESS),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

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
