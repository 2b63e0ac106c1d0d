//! `/ocds/releases`: the OCDS 1.1 release package (SPEC §6), streamed as it is built.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{Can, can};
use crate::error::{ApiResult, Problem};
use crate::extract::Query;
use crate::services::ocds::{Export, ReleaseFilter, Scope};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(releases))
}

/// The OCDS 1.1 release package of every tender and direct award, with their awards,
/// contracts, milestones and payments (admins and supervisors: all; finance officers: their
/// purchaser's). Amounts are JSON numbers and dates date-times at the local offset, as OCDS
/// requires; bids stay sealed until the deadline.
#[utoipa::path(get, path = "/ocds/releases", tag = "ocds", security(("bearer" = [])), params(ReleaseFilter),
    responses((status = 200, description = "an OCDS 1.1 release package", content_type = "application/json"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn releases(
    State(st): State<AppState>,
    actor: Can<can::ExportOcds>,
    Query(f): Query<ReleaseFilter>,
) -> ApiResult<Response> {
    let scope = Scope {
        purchaser: actor.purchaser_scope(),
        since: f.since,
    };
    let mut export = Export::new(&st, scope);
    // The first page is read before answering, so that a failing database still answers
    // with a problem rather than a cut-off 200.
    let first = export.next_chunk().await?.unwrap_or_default();
    let body =
        futures::stream::once(async move { Ok(Bytes::from(first)) }).chain(export.into_stream());
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}
