//! The web application: HTML pages (askama + htmx), the JSON API under
//! `/api/v1` and its OpenAPI document. The only crate that speaks HTTP.
//!
//! Every route is declared once in [`routes`] with the roles that may use it;
//! the router is built from that table, so the authorisation check cannot be
//! left out and the tests can enumerate every route.

mod api;
mod auth;
mod charts;
mod error;
mod evaluation_pages;
mod forms;
pub mod i18n;
mod middleware;
mod multipart;
mod openapi;
mod pages;
mod routes;
mod trial_api;
mod trial_pages;
mod trial_setup;
mod two_factor;
mod views;

pub use routes::{Access, RouteSpec, route_specs};

use axum::Router;
use spire_store::{Db, ServerKey};
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a proxy): `Secure` cookies with the
    /// `__Host-` prefix, and HSTS.
    pub tls: bool,
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    /// Staff must log in with a one-time code (TOTP) as well as the password.
    pub require_two_factor: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            idle_timeout_secs: 30 * 60,
            absolute_timeout_secs: 12 * 3600,
            require_two_factor: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

struct StateInner {
    db: Db,
    key: ServerKey,
    config: WebConfig,
}

impl AppState {
    pub fn new(db: Db, key: ServerKey, config: WebConfig) -> AppState {
        AppState {
            inner: Arc::new(StateInner { db, key, config }),
        }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn key(&self) -> &ServerKey {
        &self.inner.key
    }

    pub(crate) fn config(&self) -> &WebConfig {
        &self.inner.config
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    routes::build(state)
}
