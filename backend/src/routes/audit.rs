//! `/audit/verify`: the chain check of `huimin audit verify`, over HTTP.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::audit::{self, AuditEntry, AuditFilter, VerifyReport};
use crate::auth::{Can, can};
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::extract::Query;
use crate::pagination::Page;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(list))
}

/// Recompute the audit chain (admins and supervisors).
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerifyReport), (status = 403, body = Problem)))]
async fn verify(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
) -> ApiResult<Json<VerifyReport>> {
    Ok(Json(audit::verify(&st.db, st.now()).await?))
}

/// The audit trail, filtered, in chain order (admins and supervisors). Events of sealed bids
/// appear only after their tender's deadline.
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])), params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
    Query(f): Query<AuditFilter>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    // Every acknowledged write is in the chain before it is read.
    st.sealer.seal().await?;
    Ok(Json(audit::list(&st.db, f, st.now()).await?))
}
