//! Operations: `/health` (the process is up), `/ready` (the database answers), `/metrics`
//! (Prometheus text: on the API's address only with the metrics token, since per-route counts
//! tell how many bids a tender has received; see [`crate::routes::metrics_only`]).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::rules::vocab::NotificationStatus;
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

/// Prometheus metrics: request counts and latency histograms by route, open connections, job
/// runs and the outbox. On the API's address only with `HUIMIN_METRICS_TOKEN` as the bearer
/// token (401 without it or with another; 404 when no token is configured); without a token
/// on `HUIMIN_METRICS_BIND` (loopback by default).
#[utoipa::path(get, path = "/metrics", tag = "operations", security(("bearer" = [])),
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn metrics(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let Some(expected) = st.config.metrics_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        Some(token) if same_secret(token, expected) => Ok(metrics_text(State(st)).await),
        _ => Err(ApiError::Unauthorized(
            "send Authorization: Bearer <HUIMIN_METRICS_TOKEN>",
        )),
    }
}

/// Whether two secrets are equal, in a time that depends on neither (their digests are
/// compared in constant time, so not even their lengths leak).
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let (g, e) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    g.as_slice().ct_eq(e.as_slice()).into()
}

/// The Prometheus text, as both listeners serve it.
pub async fn metrics_text(State(st): State<AppState>) -> Response {
    // The outbox's depth by status, read when scraped.
    if let Ok(depth) = jobs::jobs::send_notifications::depth(&st.db).await {
        for &status in NotificationStatus::ALL {
            let n = depth
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            metrics::gauge!("outbox_notifications", "status" => status.as_str()).set(n as f64);
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}
