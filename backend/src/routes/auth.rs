//! `/auth/login`, `/auth/logout`, `/me`, `/me/password`.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Actor;
use crate::auth::client_addr::ClientAddr;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::auth::{self, Login, LoginAnswer, PasswordChange};
use crate::services::users::User;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

/// Log in with e-mail and password; answers a bearer token valid for 12 hours.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = LoginAnswer), (status = 401, body = Problem), (status = 429, body = Problem, description = "too many failures; see Retry-After")))]
async fn login(
    State(st): State<AppState>,
    addr: ClientAddr,
    Json(req): Json<Login>,
) -> ApiResult<Json<LoginAnswer>> {
    auth::login(&st, req, &addr.0).await.map(Json)
}

/// Revoke the token of this request.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn logout(State(st): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    auth::logout(&st, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in user.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = Problem)))]
async fn me(actor: Actor) -> ApiResult<Json<User>> {
    User::from_model(&actor.user).map(Json)
}

/// Change one's own password; the user's other sessions end.
#[utoipa::path(post, path = "/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, description = "too many failures; see Retry-After")))]
async fn change_password(
    State(st): State<AppState>,
    actor: Actor,
    addr: ClientAddr,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    auth::change_password(&st, &actor, req, &addr.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
