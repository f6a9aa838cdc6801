//! In-process tests of the web application on the real router, with a real
//! SQLite file (and PostgreSQL where a test says so).

mod api;
mod architecture;
mod evaluation;
mod matrix;
mod pages;
mod privacy;
mod security;
mod support;
mod trial_setup;
mod trials;
mod two_factor;
