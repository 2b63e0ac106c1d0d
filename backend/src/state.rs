//! The application state every handler receives.

use std::sync::Arc;

use jobs::clock::Clock;
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;

use crate::config::Config;

/// The state every handler receives: one `Arc`, so that the clone each extractor and
/// middleware takes is one reference count (cloning the parts took some thirty, a tenth of the
/// server's CPU on a single read). Its parts are [`AppStateInner`]'s, reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    /// The state of `parts`.
    pub fn new(parts: AppStateInner) -> Self {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// The parts of [`AppState`]. Holds nothing another replica would need: sessions, throttle
/// counters and the audit chain live in the database.
#[derive(Clone)]
pub struct AppStateInner {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Where writing transactions begin ([`crate::db::begin_write`] on it): on SQLite one
    /// connection the writers queue for in order, on PostgreSQL the pool (see [`crate::db`]).
    pub writer: DatabaseConnection,
    /// The installation's configuration.
    pub config: Arc<Config>,
    /// Where "now" comes from (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The HMAC key for personal data (`HUIMIN_SECRET`).
    pub secret: Arc<[u8]>,
    /// Bounds the password hashes computed at once (see [`crate::auth::password`]).
    pub passwords: Arc<crate::auth::password::PasswordGate>,
    /// What scheduled jobs and the outbox need (the same pool and clock).
    pub jobs: jobs::JobContext,
    /// Recently checked sessions (see [`crate::auth::actor::SessionCache`]).
    pub sessions: crate::auth::actor::SessionCache,
    /// Seals committed audit events into the chain (see [`crate::audit`]).
    pub sealer: Arc<crate::audit::Sealer>,
    /// Throttles and caches the public answers (see [`crate::public`]).
    pub public: crate::public::Guard,
    /// The supervisor's home's last anomaly counts (see [`crate::services::home_anomalies`]).
    pub home_anomalies: crate::services::home_anomalies::HomeAnomalies,
}

impl AppStateInner {
    /// The current instant from the clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// After a write through this process (an API write or a page's form): the sealer seals
    /// its audit events, and the public answers kept here are recomputed.
    pub fn wrote(&self) {
        self.sealer.wake();
        self.public.cache.forget_all();
    }
}
