//! `/notifications` (own), `/notifications/{id}/retry` (admin) and `/jobs/runs`.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, can};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::outbox::{self, JobRun, Notification, NotificationFilter, RunFilter};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(retry))
        .routes(routes!(runs))
}

/// One's notifications: addressed to the user, or to their organisation.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationFilter),
    responses((status = 200, body = Page<Notification>), (status = 401, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadNotifications>,
    Query(f): Query<NotificationFilter>,
) -> ApiResult<Json<Page<Notification>>> {
    outbox::mine(&st, &actor, f).await.map(Json)
}

/// Put a dead notification back in the queue (admins).
#[utoipa::path(post, path = "/notifications/{id}/retry", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Notification), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry(
    State(st): State<AppState>,
    _actor: Can<can::RetryNotifications>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Notification>> {
    outbox::retry(&st, id).await.map(Json)
}

/// The record of job runs with their counts (admins and supervisors).
#[utoipa::path(get, path = "/jobs/runs", tag = "notifications", security(("bearer" = [])), params(RunFilter),
    responses((status = 200, body = Page<JobRun>), (status = 403, body = Problem)))]
async fn runs(
    State(st): State<AppState>,
    _actor: Can<can::ReadJobRuns>,
    Query(f): Query<RunFilter>,
) -> ApiResult<Json<Page<JobRun>>> {
    outbox::runs(&st, f).await.map(Json)
}
