//! `/purchasers` (everyone reads; admins manage).

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::parties::{self, NewPurchaser, Purchaser, PurchaserFilter, PurchaserPatch};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
}

/// Purchasing units, filtered and paginated.
#[utoipa::path(get, path = "/purchasers", tag = "parties", security(("bearer" = [])), params(PurchaserFilter),
    responses((status = 200, body = Page<Purchaser>), (status = 401, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    _actor: Can<can::ReadPurchasers>,
    Query(f): Query<PurchaserFilter>,
) -> ApiResult<Json<Page<Purchaser>>> {
    parties::list_purchasers(&st, f).await.map(Json)
}

/// Create a purchasing unit (admins).
#[utoipa::path(post, path = "/purchasers", tag = "parties", security(("bearer" = [])), request_body = NewPurchaser,
    responses((status = 201, body = Purchaser), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageParties>,
    Json(new): Json<NewPurchaser>,
) -> ApiResult<(StatusCode, Json<Purchaser>)> {
    Ok((
        StatusCode::CREATED,
        Json(parties::create_purchaser(&st, &actor, new).await?),
    ))
}

/// One purchasing unit.
#[utoipa::path(get, path = "/purchasers/{id}", tag = "parties", security(("bearer" = [])),
    responses((status = 200, body = Purchaser), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    _actor: Can<can::ReadPurchasers>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Purchaser>> {
    parties::get_purchaser(&st, id).await.map(Json)
}

/// Change a purchasing unit (admins).
#[utoipa::path(patch, path = "/purchasers/{id}", tag = "parties", security(("bearer" = [])), request_body = PurchaserPatch,
    responses((status = 200, body = Purchaser), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageParties>,
    _seen: Seen<kind::Purchaser>,
    Path(id): Path<Uuid>,
    Json(p): Json<PurchaserPatch>,
) -> ApiResult<Json<Purchaser>> {
    parties::update_purchaser(&st, &actor, id, p)
        .await
        .map(Json)
}
