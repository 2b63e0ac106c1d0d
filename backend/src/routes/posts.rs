//! `/contracts/{id}/posts`, `/posts/{id}` and their assignments.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path};
use crate::pagination::Page;
use crate::services::posts::{
    self, Assignment, EndAssignment, NewAssignment, NewPost, Post, PostPatch,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
        .routes(routes!(list_assignments, assign))
        .routes(routes!(end_assignment))
}

/// The posts of a contract, with vacancy.
#[utoipa::path(get, path = "/contracts/{id}/posts", tag = "posts", security(("bearer" = [])),
    responses((status = 200, body = Page<Post>), (status = 404, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Post>>> {
    Ok(Json(Page {
        items: posts::list(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Add a funded post to a draft or active contract.
#[utoipa::path(post, path = "/contracts/{id}/posts", tag = "posts", security(("bearer" = [])), request_body = NewPost,
    responses((status = 201, body = Post), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(p): Json<NewPost>,
) -> ApiResult<(StatusCode, Json<Post>)> {
    Ok((
        StatusCode::CREATED,
        Json(posts::create(&st, &actor, id, p).await?),
    ))
}

/// One post.
#[utoipa::path(get, path = "/posts/{id}", tag = "posts", security(("bearer" = [])),
    responses((status = 200, body = Post), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Post>> {
    posts::get(&st, &actor, id).await.map(Json)
}

/// Change a post.
#[utoipa::path(patch, path = "/posts/{id}", tag = "posts", security(("bearer" = [])), request_body = PostPatch,
    responses((status = 200, body = Post), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Post>,
    Path(id): Path<Uuid>,
    Json(p): Json<PostPatch>,
) -> ApiResult<Json<Post>> {
    posts::update(&st, &actor, id, p).await.map(Json)
}

/// The workers who filled or fill a post.
#[utoipa::path(get, path = "/posts/{id}/assignments", tag = "posts", security(("bearer" = [])),
    responses((status = 200, body = Page<Assignment>), (status = 404, body = Problem)))]
async fn list_assignments(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Assignment>>> {
    Ok(Json(Page {
        items: posts::assignments(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Assign a worker to a post of one's organisation (the ID number is checked, then only its
/// last four characters and a keyed hash are kept).
#[utoipa::path(post, path = "/posts/{id}/assignments", tag = "posts", security(("bearer" = [])), request_body = NewAssignment,
    responses((status = 201, body = Assignment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn assign(
    State(st): State<AppState>,
    actor: Can<can::StaffPosts>,
    _seen: Seen<kind::Post>,
    Path(id): Path<Uuid>,
    Json(a): Json<NewAssignment>,
) -> ApiResult<(StatusCode, Json<Assignment>)> {
    Ok((
        StatusCode::CREATED,
        Json(posts::assign(&st, &actor, id, a).await?),
    ))
}

/// End an assignment on a date.
#[utoipa::path(post, path = "/posts/{id}/assignments/{aid}/end", tag = "posts", security(("bearer" = [])), request_body = EndAssignment,
    responses((status = 200, body = Assignment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_assignment(
    State(st): State<AppState>,
    actor: Can<can::StaffPosts>,
    _seen: Seen<kind::Post>,
    Path((id, aid)): Path<(Uuid, Uuid)>,
    Json(e): Json<EndAssignment>,
) -> ApiResult<Json<Assignment>> {
    posts::end_assignment(&st, &actor, id, aid, e)
        .await
        .map(Json)
}
