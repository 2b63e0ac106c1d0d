//! `/users` (admins manage; supervisors read).

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::users::{self, NewUser, User, UserFilter, UserPatch};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
}

/// Users, filtered and paginated (admins and supervisors).
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(UserFilter),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    _actor: Can<can::ReadUsers>,
    Query(f): Query<UserFilter>,
) -> ApiResult<Json<Page<User>>> {
    users::list_users(&st, f).await.map(Json)
}

/// Create a user (admins).
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageUsers>,
    Json(new): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(users::create_user(&st, Some(&actor), new).await?),
    ))
}

/// One user (admins and supervisors).
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    _actor: Can<can::ReadUsers>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<User>> {
    users::get_user(&st, id).await.map(Json)
}

/// Change a user: role, activation, password reset (admins).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])), request_body = UserPatch,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageUsers>,
    _seen: Seen<kind::User>,
    Path(id): Path<Uuid>,
    Json(p): Json<UserPatch>,
) -> ApiResult<Json<User>> {
    users::update_user(&st, &actor, id, p).await.map(Json)
}
