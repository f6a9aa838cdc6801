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
    /// The longest a request may take (its body read and its answer made);
    /// then 503 with Retry-After, and its transaction rolled back.
    pub request_timeout_secs: u64,
    /// Requests per second one client address may send on average (with
    /// bursts of ten times as many); then 429 with Retry-After. 0: no limit.
    pub rate_limit_per_second: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            idle_timeout_secs: 30 * 60,
            absolute_timeout_secs: 12 * 3600,
            require_two_factor: false,
            request_timeout_secs: 120,
            rate_limit_per_second: 0,
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
    dashboards: DashboardCache,
    once_forms: super::once::OnceForms,
    log_files: LogFileCache,
}

/// The public log's files that read the whole ledger (`heads`, `bundle.tar`),
/// by (trial, path), with the tree size and reveal they describe: made once
/// per new head, one at a time (the lock), so that many requests for them
/// cost one reading and hold one copy.
pub type LogFileCache =
    tokio::sync::Mutex<std::collections::HashMap<(String, String), (u64, bool, axum::body::Bytes)>>;

/// The dashboards' counts per half-year and day: reading them reads a year
/// of the programme's work. The first reader of a day waits for them (and
/// readers who come meanwhile wait for that one reading, the lock); after a
/// few minutes the next reader gets them as they are while a fresh count is
/// made in the background (`refreshing`).
pub type DashboardCache = tokio::sync::Mutex<
    std::collections::HashMap<(spire_domain::dashboard::HalfYear, time::Date), CachedDashboard>,
>;

#[derive(Clone)]
pub struct CachedDashboard {
    pub data: std::sync::Arc<spire_store::DashboardData>,
    pub refreshing: bool,
}

impl AppState {
    pub fn new(db: Db, key: ServerKey, config: WebConfig) -> AppState {
        AppState {
            inner: Arc::new(StateInner {
                db,
                key,
                config,
                dashboards: DashboardCache::default(),
                once_forms: super::once::OnceForms::default(),
                log_files: LogFileCache::default(),
            }),
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

    pub fn dashboards(&self) -> &DashboardCache {
        &self.inner.dashboards
    }

    pub fn log_files(&self) -> &LogFileCache {
        &self.inner.log_files
    }

    /// The forms already sent (`once.rs`).
    pub fn once_forms(&self) -> &super::once::OnceForms {
        &self.inner.once_forms
    }

    /// The dashboards' counts for `period` as of `today`: kept, recounted in
    /// the background once older than `fresh_seconds`.
    pub async fn dashboard_data(
        &self,
        period: spire_domain::dashboard::HalfYear,
        today: time::Date,
        fresh_seconds: i64,
    ) -> Result<std::sync::Arc<spire_store::DashboardData>, spire_store::Error> {
        let key = (period, today);
        let mut cache = self.dashboards().lock().await;
        cache.retain(|(_, day), _| *day == today);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match cache.get_mut(&key) {
            Some(entry) => {
                if now - entry.data.computed_at() >= fresh_seconds && !entry.refreshing {
                    entry.refreshing = true;
                    let state = self.clone();
                    tokio::spawn(async move {
                        let fresh = state.db().dashboard_data(period, today).await;
                        let mut cache = state.dashboards().lock().await;
                        if let Some(entry) = cache.get_mut(&key) {
                            entry.refreshing = false;
                            match fresh {
                                Ok(data) => entry.data = std::sync::Arc::new(data),
                                Err(e) => tracing::error!(error = %e, "recounting a dashboard"),
                            }
                        }
                    });
                }
                Ok(entry.data.clone())
            }
            None => {
                let data = std::sync::Arc::new(self.db().dashboard_data(period, today).await?);
                cache.insert(
                    key,
                    CachedDashboard {
                        data: data.clone(),
                        refreshing: false,
                    },
                );
                Ok(data)
            }
        }
    }
}
