//! `/audit/verify`: the chain check of `huimin audit verify`, over HTTP.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::audit::{self, VerifyReport};
use crate::auth::{Can, can};
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify))
}

/// Recompute the audit chain (admins and supervisors).
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerifyReport), (status = 403, body = Problem)))]
async fn verify(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
) -> ApiResult<Json<VerifyReport>> {
    Ok(Json(audit::verify(&st.db).await?))
}
