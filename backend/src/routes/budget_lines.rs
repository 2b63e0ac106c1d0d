//! `/budget-lines` (finance officers manage their purchaser's; admins and supervisors read).

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::budget::{self, BudgetLine, BudgetLineFilter, BudgetLinePatch, NewBudgetLine};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
}

/// Budget lines with committed, reserved, disbursed and available.
#[utoipa::path(get, path = "/budget-lines", tag = "budget", security(("bearer" = [])), params(BudgetLineFilter),
    responses((status = 200, body = Page<BudgetLine>), (status = 403, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadBudget>,
    Query(f): Query<BudgetLineFilter>,
) -> ApiResult<Json<Page<BudgetLine>>> {
    budget::list(&st, &actor, f).await.map(Json)
}

/// Create a budget line of one's own purchaser (finance officers).
#[utoipa::path(post, path = "/budget-lines", tag = "budget", security(("bearer" = [])), request_body = NewBudgetLine,
    responses((status = 201, body = BudgetLine), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageBudget>,
    Json(new): Json<NewBudgetLine>,
) -> ApiResult<(StatusCode, Json<BudgetLine>)> {
    Ok((
        StatusCode::CREATED,
        Json(budget::create(&st, &actor, new).await?),
    ))
}

/// One budget line.
#[utoipa::path(get, path = "/budget-lines/{id}", tag = "budget", security(("bearer" = [])),
    responses((status = 200, body = BudgetLine), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadBudget>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BudgetLine>> {
    budget::get(&st, &actor, id).await.map(Json)
}

/// Change a budget line; a new amount needs a reason and may not go below committed + reserved.
#[utoipa::path(patch, path = "/budget-lines/{id}", tag = "budget", security(("bearer" = [])), request_body = BudgetLinePatch,
    responses((status = 200, body = BudgetLine), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageBudget>,
    _seen: Seen<kind::BudgetLine>,
    Path(id): Path<Uuid>,
    Json(p): Json<BudgetLinePatch>,
) -> ApiResult<Json<BudgetLine>> {
    budget::update(&st, &actor, id, p).await.map(Json)
}
