//! `/tenders`, their transitions and their bids; `/bids/{id}` for scoring.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::awards::{self, Award};
use crate::services::bids::{self, Bid, BidScore, NewBid};
use crate::services::common::Reason;
use crate::services::contracts::Contract;
use crate::services::tenders::{self, NewTender, Tender, TenderFilter, TenderPatch};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
        .routes(routes!(publish))
        .routes(routes!(close))
        .routes(routes!(cancel))
        .routes(routes!(unsuccessful))
        .routes(routes!(award))
        .routes(routes!(list_bids, submit_bid))
        .routes(routes!(score_bid))
}

/// Tenders: a finance officer's own, organisations' published ones, everyone's for supervisors.
#[utoipa::path(get, path = "/tenders", tag = "tenders", security(("bearer" = [])), params(TenderFilter),
    responses((status = 200, body = Page<Tender>), (status = 422, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Query(f): Query<TenderFilter>,
) -> ApiResult<Json<Page<Tender>>> {
    tenders::list(&st, &actor, f).await.map(Json)
}

/// Create a draft tender against a budget line of one's purchaser.
#[utoipa::path(post, path = "/tenders", tag = "tenders", security(("bearer" = [])), request_body = NewTender,
    responses((status = 201, body = Tender), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Json(new): Json<NewTender>,
) -> ApiResult<(StatusCode, Json<Tender>)> {
    Ok((
        StatusCode::CREATED,
        Json(tenders::create(&st, &actor, new).await?),
    ))
}

/// One tender.
#[utoipa::path(get, path = "/tenders/{id}", tag = "tenders", security(("bearer" = [])),
    responses((status = 200, body = Tender), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Tender>> {
    tenders::get(&st, &actor, id).await.map(Json)
}

/// Edit a draft tender.
#[utoipa::path(patch, path = "/tenders/{id}", tag = "tenders", security(("bearer" = [])), request_body = TenderPatch,
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    Path(id): Path<Uuid>,
    Json(p): Json<TenderPatch>,
) -> ApiResult<Json<Tender>> {
    tenders::update(&st, &actor, id, p).await.map(Json)
}

/// Publish a draft: reserves the ceiling on the budget line.
#[utoipa::path(post, path = "/tenders/{id}/publish", tag = "tenders", security(("bearer" = [])),
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn publish(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Tender>> {
    tenders::publish(&st, &actor, id).await.map(Json)
}

/// Close a published tender after its bid deadline.
#[utoipa::path(post, path = "/tenders/{id}/close", tag = "tenders", security(("bearer" = [])),
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn close(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Tender>> {
    tenders::close(&st, &actor, id).await.map(Json)
}

/// Cancel a draft, published or closed tender, with a reason.
#[utoipa::path(post, path = "/tenders/{id}/cancel", tag = "tenders", security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    Path(id): Path<Uuid>,
    Json(r): Json<Reason>,
) -> ApiResult<Json<Tender>> {
    tenders::cancel(&st, &actor, id, r).await.map(Json)
}

/// Mark a closed tender unsuccessful, with a reason.
#[utoipa::path(post, path = "/tenders/{id}/unsuccessful", tag = "tenders", security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn unsuccessful(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    Path(id): Path<Uuid>,
    Json(r): Json<Reason>,
) -> ApiResult<Json<Tender>> {
    tenders::unsuccessful(&st, &actor, id, r).await.map(Json)
}

/// Award a bid of a closed tender: answers 201 with the new draft contract.
#[utoipa::path(post, path = "/tenders/{id}/award", tag = "tenders", security(("bearer" = [])), request_body = Award,
    responses((status = 201, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn award(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    Path(id): Path<Uuid>,
    Json(a): Json<Award>,
) -> ApiResult<(StatusCode, Json<Contract>)> {
    Ok((
        StatusCode::CREATED,
        Json(awards::award(&st, &actor, id, a).await?),
    ))
}

/// The bids one may read: one's own before the deadline; all of them after it for the
/// purchaser's officers, supervisors and admins.
#[utoipa::path(get, path = "/tenders/{id}/bids", tag = "tenders", security(("bearer" = [])),
    responses((status = 200, body = Page<Bid>), (status = 404, body = Problem)))]
async fn list_bids(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Bid>>> {
    Ok(Json(Page {
        items: bids::list_bids(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Submit (201) or replace (200) one's organisation's bid before the deadline.
#[utoipa::path(post, path = "/tenders/{id}/bids", tag = "tenders", security(("bearer" = [])), request_body = NewBid,
    responses((status = 201, body = Bid), (status = 200, body = Bid), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submit_bid(
    State(st): State<AppState>,
    actor: Can<can::SubmitBid>,
    _seen: Seen<kind::Tender>,
    Path(id): Path<Uuid>,
    Json(b): Json<NewBid>,
) -> ApiResult<(StatusCode, Json<Bid>)> {
    let (created, bid) = bids::submit_bid(&st, &actor, id, b).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(bid),
    ))
}

/// Score a bid after the deadline (the purchaser's finance officers).
#[utoipa::path(patch, path = "/bids/{id}", tag = "tenders", security(("bearer" = [])), request_body = BidScore,
    responses((status = 200, body = Bid), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn score_bid(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Bid>,
    Path(id): Path<Uuid>,
    Json(s): Json<BidScore>,
) -> ApiResult<Json<Bid>> {
    bids::score_bid(&st, &actor, id, s).await.map(Json)
}
