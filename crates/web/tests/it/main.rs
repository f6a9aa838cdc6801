//! In-process tests of the web application on the real router, with a real
//! SQLite file (and PostgreSQL where a test says so).

mod support;

// Cross-cutting: the shape of the code, who may use what, privacy, security.
mod architecture;
mod matrix;
mod matrix_table;
mod matrix_table_programme;
mod privacy;
mod query_strings;
mod security;

// One file per capability.
mod access_log;
mod account;
mod admin;
mod api_doc;
mod companies;
mod courses;
mod dashboards;
mod evaluation;
mod events;
mod fidelity;
mod field_labels;
mod first_day;
mod form_values;
mod internships;
mod networks;
mod onboarding;
mod once_forms;
mod site;
mod tokens;
mod trial_integrity;
mod trials;
mod trials_setup;
mod trials_support;
mod two_factor;
mod youth;
