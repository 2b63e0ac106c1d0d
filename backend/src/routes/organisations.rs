//! `/organisations` (admins manage; organisation staff see only their own).

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::parties::{
    self, NewOrganisation, Organisation, OrganisationFilter, OrganisationPatch,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
}

/// Social organisations, filtered and paginated.
#[utoipa::path(get, path = "/organisations", tag = "parties", security(("bearer" = [])), params(OrganisationFilter),
    responses((status = 200, body = Page<Organisation>), (status = 401, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadOrganisations>,
    Query(f): Query<OrganisationFilter>,
) -> ApiResult<Json<Page<Organisation>>> {
    parties::list_organisations(&st, &actor, f).await.map(Json)
}

/// Register a social organisation (admins).
#[utoipa::path(post, path = "/organisations", tag = "parties", security(("bearer" = [])), request_body = NewOrganisation,
    responses((status = 201, body = Organisation), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageParties>,
    Json(new): Json<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<Organisation>)> {
    Ok((
        StatusCode::CREATED,
        Json(parties::create_organisation(&st, &actor, new).await?),
    ))
}

/// One organisation.
#[utoipa::path(get, path = "/organisations/{id}", tag = "parties", security(("bearer" = [])),
    responses((status = 200, body = Organisation), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadOrganisations>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Organisation>> {
    parties::get_organisation(&st, &actor, id).await.map(Json)
}

/// Change an organisation, e.g. suspend it with a reason (admins).
#[utoipa::path(patch, path = "/organisations/{id}", tag = "parties", security(("bearer" = [])), request_body = OrganisationPatch,
    responses((status = 200, body = Organisation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageParties>,
    _seen: Seen<kind::Organisation>,
    Path(id): Path<Uuid>,
    Json(p): Json<OrganisationPatch>,
) -> ApiResult<Json<Organisation>> {
    parties::update_organisation(&st, &actor, id, p)
        .await
        .map(Json)
}
