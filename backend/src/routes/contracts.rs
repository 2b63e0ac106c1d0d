//! `/contracts`, their transitions and amendments.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::common::Reason;
use crate::services::contracts::{
    self, Amendment, Contract, ContractFilter, ContractPatch, NewAmendment, NewContract,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
        .routes(routes!(sign))
        .routes(routes!(cancel))
        .routes(routes!(terminate))
        .routes(routes!(complete))
        .routes(routes!(list_amendments, amend))
}

/// Contracts: a finance officer's purchaser's, an organisation's own, all for supervisors.
#[utoipa::path(get, path = "/contracts", tag = "contracts", security(("bearer" = [])), params(ContractFilter),
    responses((status = 200, body = Page<Contract>), (status = 422, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Query(f): Query<ContractFilter>,
) -> ApiResult<Json<Page<Contract>>> {
    contracts::list(&st, &actor, f).await.map(Json)
}

/// A direct award (no tender): a draft contract with its reason.
#[utoipa::path(post, path = "/contracts", tag = "contracts", security(("bearer" = [])), request_body = NewContract,
    responses((status = 201, body = Contract), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Json(new): Json<NewContract>,
) -> ApiResult<(StatusCode, Json<Contract>)> {
    Ok((
        StatusCode::CREATED,
        Json(contracts::create(&st, &actor, new).await?),
    ))
}

/// One contract.
#[utoipa::path(get, path = "/contracts/{id}", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = Contract), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Contract>> {
    contracts::get(&st, &actor, id).await.map(Json)
}

/// Edit a draft contract.
#[utoipa::path(patch, path = "/contracts/{id}", tag = "contracts", security(("bearer" = [])), request_body = ContractPatch,
    responses((status = 200, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(p): Json<ContractPatch>,
) -> ApiResult<Json<Contract>> {
    contracts::update(&st, &actor, id, p).await.map(Json)
}

/// Sign a draft: commits its value against the budget line (409 when not available).
#[utoipa::path(post, path = "/contracts/{id}/sign", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn sign(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Contract>> {
    contracts::sign(&st, &actor, id).await.map(Json)
}

/// Cancel a draft; an awarded tender returns to closed.
#[utoipa::path(post, path = "/contracts/{id}/cancel", tag = "contracts", security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(r): Json<Reason>,
) -> ApiResult<Json<Contract>> {
    contracts::cancel(&st, &actor, id, r).await.map(Json)
}

/// Terminate an active contract with a reason; the unpaid rest is released.
#[utoipa::path(post, path = "/contracts/{id}/terminate", tag = "contracts", security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn terminate(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(r): Json<Reason>,
) -> ApiResult<Json<Contract>> {
    contracts::terminate(&st, &actor, id, r).await.map(Json)
}

/// Complete an active contract.
#[utoipa::path(post, path = "/contracts/{id}/complete", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = Contract), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Contract>> {
    contracts::complete(&st, &actor, id).await.map(Json)
}

/// A contract's amendments with the values they replaced.
#[utoipa::path(get, path = "/contracts/{id}/amendments", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = Page<Amendment>), (status = 404, body = Problem)))]
async fn list_amendments(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Amendment>>> {
    Ok(Json(Page {
        items: contracts::amendments(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Amend an active contract's value and/or end date, with a reason.
#[utoipa::path(post, path = "/contracts/{id}/amendments", tag = "contracts", security(("bearer" = [])), request_body = NewAmendment,
    responses((status = 201, body = Amendment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn amend(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(a): Json<NewAmendment>,
) -> ApiResult<(StatusCode, Json<Amendment>)> {
    Ok((
        StatusCode::CREATED,
        Json(contracts::amend(&st, &actor, id, a).await?),
    ))
}
