//! The anomaly counts the supervisor's home shows, kept in the application state.
//!
//! They are the spending report's `totals.flags` over every purchaser (one rule, one place:
//! [`spending::report`]), but that report reads every contract, milestone and payment and takes
//! seconds on a large database, so the home never waits for it: it shows the last counts
//! computed, with the time they were computed, and starts a new computation in a task of its
//! own when they are older than [`FRESH_FOR`] (one at a time). The first home after a start
//! has no counts yet and says that they are being computed.
//!
//! The counts are the same for every supervisor (a supervisor's scope is every purchaser), so
//! one copy serves them all; only supervisors' homes use it. Each process keeps its own.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use entity::rules::vocab::Role;

use crate::auth::Actor;
use crate::services::spending::{self, Flags, GroupBy, SpendingQuery};
use crate::state::AppState;

/// How long computed counts are shown without starting a new computation.
pub const FRESH_FOR: Duration = Duration::minutes(5);

/// Counts computed at an instant (the instant the computation started: what they reflect).
#[derive(Debug, Clone)]
pub struct Computed {
    pub flags: Flags,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
struct Inner {
    last: Option<Computed>,
    refreshing: bool,
}

/// See the module documentation (cheaply cloned: the clones share the counts).
#[derive(Clone, Default)]
pub struct HomeAnomalies {
    inner: Arc<Mutex<Inner>>,
}

impl HomeAnomalies {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Clears the "refreshing" mark when the computation ends, however it ends (a panic too).
struct Refreshing(HomeAnomalies);

impl Drop for Refreshing {
    fn drop(&mut self) {
        self.0.lock().refreshing = false;
    }
}

/// The last counts computed, at once (`None` before the first computation has finished).
/// Starts a computation in a task of its own when there are none or they are older than
/// [`FRESH_FOR`] by the state's clock, unless one is running already. Only for a supervisor
/// (`None` for anyone else: the counts are the whole report's).
pub fn current(st: &AppState, actor: &Actor) -> Option<Computed> {
    if actor.role != Role::Supervisor {
        return None;
    }
    let now = st.now();
    let (last, start) = {
        let mut inner = st.home_anomalies.lock();
        let fresh = inner.last.as_ref().is_some_and(|c| now - c.at < FRESH_FOR);
        let start = !fresh && !inner.refreshing;
        inner.refreshing |= start;
        (inner.last.clone(), start)
    };
    if start {
        let guard = Refreshing(st.home_anomalies.clone());
        let (st, actor) = (st.clone(), actor.clone());
        tokio::spawn(async move {
            let _guard = guard;
            match compute(&st, &actor).await {
                Ok(computed) => st.home_anomalies.lock().last = Some(computed),
                Err(e) => tracing::error!(error = ?e, "the home's anomaly counts failed"),
            }
        });
    }
    last
}

/// The spending report over every purchaser, as the supervisor's spending page groups it, and
/// its anomaly totals.
async fn compute(st: &AppState, actor: &Actor) -> crate::error::ApiResult<Computed> {
    let at = st.now();
    let q = SpendingQuery {
        group_by: GroupBy::Purchaser,
        fiscal_year: None,
        purchaser_id: None,
        organisation_id: None,
        service_category: None,
        division_code: None,
        from: None,
        to: None,
        format: None,
    };
    let report = spending::report(st, actor, &q).await?;
    Ok(Computed {
        flags: report.totals.flags,
        at,
    })
}
