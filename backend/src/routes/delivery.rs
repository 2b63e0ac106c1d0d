//! Milestones, indicators, performance and post funding of contracts.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query, from_value};
use crate::pagination::Page;
use crate::services::common::Reason;
use crate::services::indicators::{self, Indicator, IndicatorPatch, NewIndicator};
use crate::services::milestones::{self, Milestone, MilestoneFilter, MilestonePatch, NewMilestone};
use crate::services::post_funding::{self, FundingWindow, PostFunding};
use crate::services::scoring::{self, Performance};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_milestones, create_milestone))
        .routes(routes!(get_milestone, update_milestone))
        .routes(routes!(cancel_milestone))
        .routes(routes!(list_indicators, add_indicators))
        .routes(routes!(get_indicator, update_indicator))
        .routes(routes!(performance))
        .routes(routes!(post_funding))
}

/// A contract's milestones by due date; `overdue` is derived and filterable.
#[utoipa::path(get, path = "/contracts/{id}/milestones", tag = "delivery", security(("bearer" = [])), params(MilestoneFilter),
    responses((status = 200, body = Page<Milestone>), (status = 404, body = Problem)))]
async fn list_milestones(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Query(f): Query<MilestoneFilter>,
) -> ApiResult<Json<Page<Milestone>>> {
    Ok(Json(Page {
        items: milestones::list(&st, &actor, id, f).await?,
        next_cursor: None,
    }))
}

/// Add a milestone to a draft or active contract; amounts never exceed the value.
#[utoipa::path(post, path = "/contracts/{id}/milestones", tag = "delivery", security(("bearer" = [])), request_body = NewMilestone,
    responses((status = 201, body = Milestone), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_milestone(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(m): Json<NewMilestone>,
) -> ApiResult<(StatusCode, Json<Milestone>)> {
    Ok((
        StatusCode::CREATED,
        Json(milestones::create(&st, &actor, id, m).await?),
    ))
}

/// One milestone.
#[utoipa::path(get, path = "/milestones/{id}", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Milestone), (status = 404, body = Problem)))]
async fn get_milestone(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Milestone>> {
    milestones::get(&st, &actor, id).await.map(Json)
}

/// Edit a planned milestone.
#[utoipa::path(patch, path = "/milestones/{id}", tag = "delivery", security(("bearer" = [])), request_body = MilestonePatch,
    responses((status = 200, body = Milestone), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_milestone(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    Path(id): Path<Uuid>,
    Json(p): Json<MilestonePatch>,
) -> ApiResult<Json<Milestone>> {
    milestones::update(&st, &actor, id, p).await.map(Json)
}

/// Cancel a planned or rejected milestone, with a reason.
#[utoipa::path(post, path = "/milestones/{id}/cancel", tag = "delivery", security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Milestone), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel_milestone(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    Path(id): Path<Uuid>,
    Json(r): Json<Reason>,
) -> ApiResult<Json<Milestone>> {
    milestones::cancel(&st, &actor, id, r).await.map(Json)
}

/// A contract's indicators.
#[utoipa::path(get, path = "/contracts/{id}/indicators", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Page<Indicator>), (status = 404, body = Problem)))]
async fn list_indicators(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Indicator>>> {
    Ok(Json(Page {
        items: indicators::list(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Add an indicator (an object: 201 with it) or several at once (an array: 201 with the
/// list, weights checked after the whole batch on an active contract).
#[utoipa::path(post, path = "/contracts/{id}/indicators", tag = "delivery", security(("bearer" = [])), request_body = NewIndicator,
    responses((status = 201, body = Indicator), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_indicators(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(body): Json<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let many = body.is_array();
    let new: Vec<NewIndicator> = if many {
        from_value(body)?
    } else {
        vec![from_value(body)?]
    };
    let mut out = indicators::add(&st, &actor, id, new).await?;
    let v = if many {
        serde_json::to_value(&out)
    } else {
        serde_json::to_value(out.remove(0))
    };
    Ok((
        StatusCode::CREATED,
        Json(v.map_err(crate::error::ApiError::internal)?),
    ))
}

/// One indicator.
#[utoipa::path(get, path = "/indicators/{id}", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Indicator), (status = 404, body = Problem)))]
async fn get_indicator(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Indicator>> {
    indicators::get(&st, &actor, id).await.map(Json)
}

/// Change an indicator; on an active contract the weights must still sum to 100.
#[utoipa::path(patch, path = "/indicators/{id}", tag = "delivery", security(("bearer" = [])), request_body = IndicatorPatch,
    responses((status = 200, body = Indicator), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_indicator(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Indicator>,
    Path(id): Path<Uuid>,
    Json(p): Json<IndicatorPatch>,
) -> ApiResult<Json<Indicator>> {
    indicators::update(&st, &actor, id, p).await.map(Json)
}

/// The contract's score so far and its breakdown per indicator, with each milestone's
/// stored score and payable.
#[utoipa::path(get, path = "/contracts/{id}/performance", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Performance), (status = 404, body = Problem)))]
async fn performance(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Performance>> {
    scoring::performance(&st, &actor, id).await.map(Json)
}

/// Each post's funding by filled days over a period, with vacancy days and the total.
#[utoipa::path(get, path = "/contracts/{id}/post-funding", tag = "delivery", security(("bearer" = [])), params(FundingWindow),
    responses((status = 200, body = PostFunding), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn post_funding(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Query(w): Query<FundingWindow>,
) -> ApiResult<Json<PostFunding>> {
    post_funding::get(&st, &actor, id, w).await.map(Json)
}
