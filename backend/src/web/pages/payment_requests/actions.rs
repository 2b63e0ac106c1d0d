//! The forms of a payment request's page, one handler per step (verify, approve, return,
//! withdraw, resubmit, pay): each calls the service of its API route, then goes back to the
//! page with a message, or shows the page again with the refusal in the user's language.

use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::PaymentRequestStatus;
use serde::Deserialize;
use uuid::Uuid;

use super::show::{Typed, request_page};
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::{ApiError, ApiResult, codes};
use crate::extract::Path;
use crate::services::payment_requests::{self, PaymentRequest, PaymentRequestPatch, ReturnComment};
use crate::services::payments::{self, NewPayment, Payment};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The refusal `e` as the page shows it: the API's 422 and 409 as [`Feedback::refused`] has
/// them, and the 403s of separation of duties (the viewer may act on requests, but not on
/// this one) as a message above the form, with their status.
fn refusal(ui: &Ui, e: ApiError) -> ApiResult<Feedback> {
    match e {
        ApiError::ForbiddenBecause { code, .. }
            if code == codes::APPROVAL_SAME_PERSON.as_str()
                || code == codes::APPROVAL_NOT_APPROVER.as_str() =>
        {
            let mut fb = Feedback::none();
            fb.status = e.status();
            fb.notice = Some(ui.error_text(code));
            Ok(fb)
        }
        other => Feedback::refused(ui, other),
    }
}

/// The answer to one of the page's forms: back to the page with `flash`, or the page again
/// with the refusal. A 403 of separation of duties on a request the viewer cannot see stays
/// the API's 403 (the approver check comes before the request is looked up).
async fn answer<T>(
    st: &AppState,
    actor: &Actor,
    (jar, ui): (CookieJar, Ui),
    id: Uuid,
    out: ApiResult<T>,
    flash: impl FnOnce(&T) -> &'static str,
    typed: Typed,
) -> ApiResult<Response> {
    match out {
        Ok(v) => Ok(done(jar, &format!("/payment-requests/{id}"), flash(&v))),
        Err(e) => {
            let forbidden = match &e {
                ApiError::ForbiddenBecause { code, detail } => Some((*code, *detail)),
                _ => None,
            };
            let fb = refusal(&ui, e)?;
            match (request_page(st, actor, ui, id, typed, fb).await, forbidden) {
                (Err(ApiError::NotFound), Some((code, detail))) => {
                    Err(ApiError::ForbiddenBecause { code, detail })
                }
                (other, _) => other,
            }
        }
    }
}

/// A form of nothing but its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// `POST /payment-requests/{id}/verify`: `POST /api/v1/payment-requests/{id}/verify`.
pub async fn verify(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ReviewPaymentRequests>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<NoFields>,
) -> ApiResult<Response> {
    let out = payment_requests::verify(&st, &actor, id).await;
    let typed = Typed {
        form: "verify",
        ..Typed::default()
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        |_| "flash-pr-verified",
        typed,
    )
    .await
}

/// `POST /payment-requests/{id}/approve`: `POST /api/v1/payment-requests/{id}/approve`.
pub async fn approve(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ReviewPaymentRequests>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<NoFields>,
) -> ApiResult<Response> {
    let out = payment_requests::approve(&st, &actor, id).await;
    let typed = Typed {
        form: "approve",
        ..Typed::default()
    };
    let flash = |r: &PaymentRequest| {
        if r.status == PaymentRequestStatus::Approved {
            "flash-pr-approved"
        } else {
            "flash-pr-first-approval"
        }
    };
    answer(&st, &actor, (jar, ui), id, out, flash, typed).await
}

/// The return form's comment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentForm {
    #[serde(default)]
    pub comment: String,
}

/// `POST /payment-requests/{id}/return`: `POST /api/v1/payment-requests/{id}/return`.
pub async fn send_back(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ReviewPaymentRequests>,
    _seen: Seen<kind::PaymentRequest>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<CommentForm>,
) -> ApiResult<Response> {
    let body = ReturnComment {
        comment: form.comment.clone(),
    };
    let out = payment_requests::send_back(&st, &actor, id, body).await;
    let typed = Typed {
        form: "return",
        comment: form.comment,
        ..Typed::default()
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        |_| "flash-pr-returned",
        typed,
    )
    .await
}

/// `POST /payment-requests/{id}/withdraw`: `POST /api/v1/payment-requests/{id}/withdraw`.
pub async fn withdraw(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::RequestPayment>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<NoFields>,
) -> ApiResult<Response> {
    let out = payment_requests::withdraw(&st, &actor, id).await;
    let typed = Typed {
        form: "withdraw",
        ..Typed::default()
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        |_| "flash-pr-withdrawn",
        typed,
    )
    .await
}

/// The corrected request's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub invoice_no: String,
    #[serde(default)]
    pub invoice_date: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /payment-requests/{id}/resubmit`: `PATCH /api/v1/payment-requests/{id}` with every
/// field as corrected, which resubmits the request.
pub async fn resubmit(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::RequestPayment>,
    _seen: Seen<kind::PaymentRequest>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<CorrectionForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let patch = PaymentRequestPatch {
        amount: Some(f.money("amount", &form.amount)),
        invoice_no: Some(form.invoice_no.clone()),
        invoice_date: Some(f.date("invoice_date", &form.invoice_date)),
        note: Some(form.note.clone()),
    };
    let out = match f.finish() {
        Ok(()) => payment_requests::resubmit(&st, &actor, id, patch).await,
        Err(e) => Err(e),
    };
    let typed = Typed {
        form: "resubmit",
        amount: form.amount,
        invoice_no: form.invoice_no,
        invoice_date: form.invoice_date,
        note: form.note,
        ..Typed::default()
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        |_| "flash-pr-resubmitted",
        typed,
    )
    .await
}

/// The payment form's fields as typed (the amount and milestone are the request's).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayForm {
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub voucher_no: String,
}

/// `POST /payment-requests/{id}/pay`: `POST /api/v1/contracts/{contract}/payments
/// {payment_request_id, paid_on, voucher_no}` for this request.
pub async fn pay(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<PayForm>,
) -> ApiResult<Response> {
    let r = payment_requests::get(&st, &actor, id).await?;
    let mut f = Fields::default();
    let new = NewPayment {
        payment_request_id: id,
        paid_on: f.date("paid_on", &form.paid_on),
        voucher_no: form.voucher_no.clone(),
    };
    let new = f.finish().map(|()| new);
    let out = payments::record(&st, &actor, r.contract_id, new).await;
    let typed = Typed {
        form: "pay",
        paid_on: form.paid_on,
        voucher_no: form.voucher_no,
        ..Typed::default()
    };
    let flash = |(created, _): &(bool, Payment)| {
        if *created {
            "flash-payment-recorded"
        } else {
            "flash-payment-already-recorded"
        }
    };
    answer(&st, &actor, (jar, ui), id, out, flash, typed).await
}
