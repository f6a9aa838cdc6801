//! The application's shared state and settings.

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

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn key(&self) -> &ServerKey {
        &self.inner.key
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }
}
