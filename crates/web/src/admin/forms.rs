//! The new-user form and its parsing.

use crate::http::params::collect;
use spire_domain::{FieldError, Problem, Role};
use spire_store::NewUser;

#[derive(Default, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub municipality_code: String,
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
