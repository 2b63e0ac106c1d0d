//! `/public/…`: what anyone reads without signing in (SPEC §8) — the procurement notices, a
//! division's page and the open-data OCDS package. No handler here takes an actor: the guard
//! ([`crate::public::guard`]) removes every credential before them, throttles per client
//! address and marks the answers cacheable.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::ocds::ReleaseFilter;
use crate::services::ocds::public::PublicExport;
use crate::services::public::division::{self, DivisionPage, DivisionQuery};
use crate::services::public::notices::{self, Notice, NoticeFilter, Order};
use crate::state::AppState;
use crate::store::today;

/// The public API routes; [`crate::routes::build`] puts them behind [`crate::public::guard`].
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notices))
        .routes(routes!(get_notice))
        .routes(routes!(get_division))
        .routes(routes!(releases))
}

/// Procurement notices in the order they happened (tender published, tender result, contract
/// signed, amended, terminated), filtered by kind, division (and below) and time. Public: no
/// sign-in; cacheable for 60 s; throttled per client address.
#[utoipa::path(get, path = "/public/notices", tag = "public", params(NoticeFilter),
    responses((status = 200, body = Page<Notice>), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn list_notices(
    State(st): State<AppState>,
    Query(f): Query<NoticeFilter>,
) -> ApiResult<Json<Page<Notice>>> {
    notices::list(&st.db, &f, Order::Oldest).await.map(Json)
}

/// One notice, as published (a notice never changes; a correction is a new notice).
#[utoipa::path(get, path = "/public/notices/{id}", tag = "public",
    responses((status = 200, body = Notice), (status = 404, body = Problem), (status = 429, body = Problem)))]
async fn get_notice(State(st): State<AppState>, Path(id): Path<Uuid>) -> ApiResult<Json<Notice>> {
    notices::get(&st.db, id).await.map(Json)
}

/// A county's, township's or village's page: the services bought for it and below, its funded
/// posts (filled or vacant; never a worker), this fiscal year's committed and disbursed by
/// category, accepted milestones with their scores, and its sub-divisions with their totals.
#[utoipa::path(get, path = "/public/divisions/{code}", tag = "public",
    params(("code" = crate::fields::DivisionCode, Path), DivisionQuery),
    responses((status = 200, body = DivisionPage), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn get_division(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DivisionQuery>,
) -> ApiResult<Json<DivisionPage>> {
    division::page(&st.db, &code, today(&st), &q)
        .await
        .map(Json)
}

/// The open-data OCDS 1.1 release package: one release per contracting process, restricted to
/// what the notices show (no draft, no bid but the award, no finding, no audit or personal
/// data). Amounts are JSON numbers and dates date-times at the local offset.
#[utoipa::path(get, path = "/public/ocds/releases", tag = "public", params(ReleaseFilter),
    responses((status = 200, description = "an OCDS 1.1 release package", content_type = "application/json"),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn releases(
    State(st): State<AppState>,
    Query(f): Query<ReleaseFilter>,
) -> ApiResult<Response> {
    let mut export = PublicExport::new(&st, f.since);
    let first = export.next_chunk().await?.unwrap_or_default();
    let body =
        futures::stream::once(async move { Ok(Bytes::from(first)) }).chain(export.into_stream());
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}
