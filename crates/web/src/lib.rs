//! The web application: HTML pages (askama + htmx), the JSON API under
//! `/api/v1` and its OpenAPI document. The only crate that speaks HTTP.
//!
//! One folder per capability (its `routes()`, pages, API handlers, forms);
//! shared plumbing in `http` and shared UI parts in `ui`, which import no
//! capability. Every route is declared once, in its capability's `routes()`,
//! with the roles that may use it; `routes` assembles the table the router,
//! the guard, the menus and the tests are built from.

pub mod i18n;

mod http;
mod ui;

mod access_log;
mod account;
mod admin;
mod calendar;
mod companies;
mod company_network;
mod courses;
mod dashboards;
mod evaluation;
mod events;
mod fidelity;
mod internships;
mod networks;
mod onboarding;
mod portfolio;

mod psychology;
mod site;
mod transparency;
mod trials;
mod youth;

mod routes;

pub use http::access::{Access, NavLink, RouteSpec, menu_for};
pub use http::state::{AppState, WebConfig};
pub use routes::document_json as openapi_document;
pub use routes::route_specs;

/// The whole application.
pub fn router(state: AppState) -> axum::Router {
    routes::build(state)
}
