//! Supervision: the spending report (JSON, CSV, XLSX), the contract dossier, and findings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::dossier::{self, Dossier};
use crate::services::findings::{
    self, Finding, NewFinding, Resolution, Response as FindingResponse,
};
use crate::services::spending::{self, Format, SpendingQuery, SpendingReport};
use crate::state::AppState;
use crate::transfer::export;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(spending_report))
        .routes(routes!(dossier))
        .routes(routes!(list_findings, create_finding))
        .routes(routes!(respond))
        .routes(routes!(resolve))
}

/// Where the money went, grouped; `format=csv` (UTF-8 with BOM) or `format=xlsx` for
/// exports. Finance officers see their purchaser's figures; supervisors and admins all.
#[utoipa::path(get, path = "/reports/spending", tag = "supervision", security(("bearer" = [])), params(SpendingQuery),
    responses((status = 200, description = "The report: JSON, or the `format` asked for",
            content((SpendingReport = "application/json"), (String = "text/csv"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn spending_report(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    Query(q): Query<SpendingQuery>,
) -> ApiResult<Response> {
    let report = spending::report(&st, &actor, &q).await?;
    match q.format.unwrap_or_default() {
        Format::Json => Ok(Json(report).into_response()),
        f => export(&report, f, st.now()),
    }
}

/// Everything about one contract for an auditor's review.
#[utoipa::path(get, path = "/contracts/{id}/dossier", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = Dossier), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn dossier(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Dossier>> {
    dossier::get(&st, &actor, id).await.map(Json)
}

/// A contract's findings.
#[utoipa::path(get, path = "/contracts/{id}/findings", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = Page<Finding>), (status = 404, body = Problem)))]
async fn list_findings(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Finding>>> {
    Ok(Json(Page {
        items: findings::list(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Record a finding on a contract (supervisors).
#[utoipa::path(post, path = "/contracts/{id}/findings", tag = "supervision", security(("bearer" = [])), request_body = NewFinding,
    responses((status = 201, body = Finding), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_finding(
    State(st): State<AppState>,
    actor: Can<can::RecordFindings>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(f): Json<NewFinding>,
) -> ApiResult<(StatusCode, Json<Finding>)> {
    Ok((
        StatusCode::CREATED,
        Json(findings::create(&st, &actor, id, f).await?),
    ))
}

/// Answer an open finding (the purchaser's finance officers).
#[utoipa::path(post, path = "/findings/{id}/respond", tag = "supervision", security(("bearer" = [])), request_body = FindingResponse,
    responses((status = 200, body = Finding), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn respond(
    State(st): State<AppState>,
    actor: Can<can::AnswerFindings>,
    _seen: Seen<kind::Finding>,
    Path(id): Path<Uuid>,
    Json(r): Json<FindingResponse>,
) -> ApiResult<Json<Finding>> {
    findings::respond(&st, &actor, id, r).await.map(Json)
}

/// Resolve an answered finding (supervisors).
#[utoipa::path(post, path = "/findings/{id}/resolve", tag = "supervision", security(("bearer" = [])), request_body = Resolution,
    responses((status = 200, body = Finding), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve(
    State(st): State<AppState>,
    actor: Can<can::RecordFindings>,
    _seen: Seen<kind::Finding>,
    Path(id): Path<Uuid>,
    Json(r): Json<Resolution>,
) -> ApiResult<Json<Finding>> {
    findings::resolve(&st, &actor, id, r).await.map(Json)
}
