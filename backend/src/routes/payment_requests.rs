//! Payment requests (SPEC §9): the organisation requests, an officer verifies, an approver
//! approves, either returns; the payment itself is `POST /contracts/{id}/payments`.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::pagination::Page;
use crate::services::payment_requests::{
    self, NewPaymentRequest, PaymentRequest, PaymentRequestFilter, PaymentRequestPatch,
    ReturnComment,
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_of_contract, submit))
        .routes(routes!(list))
        .routes(routes!(get, resubmit))
        .routes(routes!(verify))
        .routes(routes!(approve))
        .routes(routes!(send_back))
        .routes(routes!(withdraw))
}

/// A contract's payment requests, oldest first.
#[utoipa::path(get, path = "/contracts/{id}/payment-requests", tag = "payment requests", security(("bearer" = [])),
    responses((status = 200, body = Page<PaymentRequest>), (status = 404, body = Problem)))]
async fn list_of_contract(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<PaymentRequest>>> {
    Ok(Json(Page {
        items: payment_requests::of_contract(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Request a payment (organisation staff): for an accepted milestone, at most its payable
/// less what is paid and what other open requests ask; or an advance (no `milestone_id`).
#[utoipa::path(post, path = "/contracts/{id}/payment-requests", tag = "payment requests", security(("bearer" = [])), request_body = NewPaymentRequest,
    responses((status = 201, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submit(
    State(st): State<AppState>,
    actor: Can<can::RequestPayment>,
    _seen: Seen<kind::Contract>,
    Path(id): Path<Uuid>,
    Json(new): Json<NewPaymentRequest>,
) -> ApiResult<(StatusCode, Json<PaymentRequest>)> {
    Ok((
        StatusCode::CREATED,
        Json(payment_requests::submit(&st, &actor, id, new).await?),
    ))
}

/// The payment requests the actor may see (officers: their purchaser's; organisation staff:
/// their organisation's), oldest first.
#[utoipa::path(get, path = "/payment-requests", tag = "payment requests", security(("bearer" = [])), params(PaymentRequestFilter),
    responses((status = 200, body = Page<PaymentRequest>), (status = 422, body = Problem)))]
async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Query(f): Query<PaymentRequestFilter>,
) -> ApiResult<Json<Page<PaymentRequest>>> {
    payment_requests::list(&st, &actor, f).await.map(Json)
}

/// One payment request.
#[utoipa::path(get, path = "/payment-requests/{id}", tag = "payment requests", security(("bearer" = [])),
    responses((status = 200, body = PaymentRequest), (status = 404, body = Problem)))]
async fn get(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::get(&st, &actor, id).await.map(Json)
}

/// Correct a returned request (organisation staff); this resubmits it (`{}` resubmits it
/// unchanged).
#[utoipa::path(patch, path = "/payment-requests/{id}", tag = "payment requests", security(("bearer" = [])), request_body = PaymentRequestPatch,
    responses((status = 200, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resubmit(
    State(st): State<AppState>,
    actor: Can<can::RequestPayment>,
    _seen: Seen<kind::PaymentRequest>,
    Path(id): Path<Uuid>,
    Json(patch): Json<PaymentRequestPatch>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::resubmit(&st, &actor, id, patch)
        .await
        .map(Json)
}

/// Verify a submitted request (a finance officer of the purchaser).
#[utoipa::path(post, path = "/payment-requests/{id}/verify", tag = "payment requests", security(("bearer" = [])),
    responses((status = 200, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn verify(
    State(st): State<AppState>,
    actor: Can<can::ReviewPaymentRequests>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::verify(&st, &actor, id).await.map(Json)
}

/// Approve a verified request (an approver who neither verified it nor accepted its
/// milestone: else 403 `approval.same_person`); above the threshold, two approvers.
#[utoipa::path(post, path = "/payment-requests/{id}/approve", tag = "payment requests", security(("bearer" = [])),
    responses((status = 200, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn approve(
    State(st): State<AppState>,
    actor: Can<can::ReviewPaymentRequests>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::approve(&st, &actor, id).await.map(Json)
}

/// Return a request to the organisation with a comment: a submitted one (any officer of the
/// purchaser) or a verified one (an approver).
#[utoipa::path(post, path = "/payment-requests/{id}/return", tag = "payment requests", security(("bearer" = [])), request_body = ReturnComment,
    responses((status = 200, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn send_back(
    State(st): State<AppState>,
    actor: Can<can::ReviewPaymentRequests>,
    _seen: Seen<kind::PaymentRequest>,
    Path(id): Path<Uuid>,
    Json(body): Json<ReturnComment>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::send_back(&st, &actor, id, body)
        .await
        .map(Json)
}

/// Withdraw a submitted or returned request (organisation staff).
#[utoipa::path(post, path = "/payment-requests/{id}/withdraw", tag = "payment requests", security(("bearer" = [])),
    responses((status = 200, body = PaymentRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(st): State<AppState>,
    actor: Can<can::RequestPayment>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PaymentRequest>> {
    payment_requests::withdraw(&st, &actor, id).await.map(Json)
}
