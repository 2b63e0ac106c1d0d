//! Operations: `/health` (the process is up), `/ready` (the database answers), `/metrics`
//! (Prometheus text).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

/// A liveness or readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Status)))]
async fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// Readiness: the database answers a query.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, body = Status), (status = 503, body = Problem)))]
async fn ready(State(st): State<AppState>) -> ApiResult<Json<Status>> {
    st.db.execute_unprepared("SELECT 1").await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable
    })?;
    Ok(Json(Status { status: "ready" }))
}

/// Prometheus metrics: request counts and latency histograms by route.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String)))]
async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    // The outbox's depth by status, read when scraped.
    if let Ok(depth) = jobs::jobs::send_notifications::depth(&st.db).await {
        for status in ["pending", "sent", "dead"] {
            let n = depth
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            metrics::gauge!("outbox_notifications", "status" => status).set(n as f64);
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
}
