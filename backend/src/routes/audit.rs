//! The audit API: the trail (`/audit`), the chain check of `huimin audit verify`
//! (`/audit/verify`) and the chain's head (`/audit/head`), for a witness to keep.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::audit::{self, AuditEntry, AuditFilter, Head, VerifyReport};
use crate::auth::{Can, can};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::extract::Query;
use crate::pagination::Page;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(head))
        .routes(routes!(list))
}

/// Recompute the audit chain (admins and supervisors); the result is recorded for the
/// supervisor's home.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerifyReport), (status = 403, body = Problem)))]
async fn verify(
    State(st): State<AppState>,
    actor: Can<can::ReadAudit>,
) -> ApiResult<Json<VerifyReport>> {
    Ok(Json(audit::verify_and_record(&st, Some(actor.id())).await?))
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

/// The audit chain's head `{seq, hash, at}` (admins and supervisors): kept outside the
/// database, it lets `huimin audit verify --anchor SEQ:HASH` prove later that no event up to
/// it was deleted or rewritten. Every acknowledged write is sealed into the chain first. 404
/// while the chain is empty.
#[utoipa::path(get, path = "/audit/head", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Head), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn head(State(st): State<AppState>, _actor: Can<can::ReadAudit>) -> ApiResult<Json<Head>> {
    st.sealer.seal().await?;
    entity::queries::audit_head(&st.db)
        .await?
        .map(|h| Json(h.into()))
        .ok_or(ApiError::NotFound)
}
