//! A contract's payments tab (UI.md §2, SPEC §9): what each accepted milestone may be paid (its
//! payable, what was paid on it, what open requests ask, what may still be requested), the
//! contract's payment requests with where each waits, the payments made; for the
//! organisation's staff the form that requests a payment (the service of `POST
//! /api/v1/contracts/{id}/payment-requests`), for the purchaser's officer the form that pays an
//! approved request (`POST /api/v1/contracts/{id}/payments`, whose rules — never above the
//! payable, the value, the budget line; a repeated voucher — decide).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::Money;
use entity::rules::vocab::{PaymentRequestStatus, Role};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::payment_request_figures::{self, Requestable};
use crate::services::payment_requests::{self, NewPaymentRequest};
use crate::services::payments::{self, NewPayment, Payment};
use crate::state::AppState;
use crate::store;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::done;
use crate::web::pages::payment_requests::RequestView;
use crate::web::ui::Ui;

/// The routes of the payments tab and its forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contracts/{id}/payments", get(show).post(record))
        .route("/contracts/{id}/payment-requests", post(request))
}

/// The payment form's fields as typed: the approved request it pays.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentForm {
    #[serde(default)]
    pub payment_request_id: String,
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub voucher_no: String,
}

/// The value of the request form's choice of an advance (the others are milestone ids).
pub const ADVANCE: &str = "advance";

/// The request form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestForm {
    /// A milestone's id, or [`ADVANCE`].
    #[serde(default)]
    pub milestone_id: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub invoice_no: String,
    #[serde(default)]
    pub invoice_date: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/payments/tab.html")]
pub struct PaymentsPage {
    pub ui: Ui,
    pub head: ContractHead,
    /// The accepted milestones' figures and the advance's.
    pub figures: Requestable,
    /// Newest first.
    pub payments: Vec<Payment>,
    /// The contract's requests, newest first.
    pub requests: Vec<RequestView>,
    pub paid_total: Decimal,
    pub value_left: Decimal,
    /// The officer's form: the approved requests it may pay.
    pub can_record: bool,
    /// The contract's approved requests, waiting for their payment.
    pub approved: Vec<RequestView>,
    /// The organisation's request form is shown.
    pub can_request: bool,
    /// The viewer is the organisation's staff (the request form's place, even when nothing
    /// may be requested now).
    pub organisation: bool,
    pub form: PaymentForm,
    pub req: RequestForm,
    /// The feedback of the form that was refused (`record` or `request`).
    pub fb: Feedback,
    pub refused: &'static str,
}

impl PaymentsPage {
    /// The title of a payment's milestone (or "advance").
    pub fn what(&self, p: &Payment) -> String {
        match p
            .milestone_id
            .and_then(|m| self.figures.milestones.iter().find(|f| f.id == m))
        {
            Some(f) => f.title.clone(),
            None => self.ui.t("payment-advance"),
        }
    }

    /// The feedback of form `form`.
    pub fn fb_of(&self, form: &str) -> Feedback {
        if self.refused == form {
            self.fb.clone()
        } else {
            Feedback::none()
        }
    }

    /// The most an advance may ask now, if the contract takes one.
    pub fn advance(&self) -> Option<Money> {
        self.figures.advance.filter(|a| a.fen() > 0)
    }
}

/// What a refused form of the tab leaves to show again.
struct Typed {
    form: PaymentForm,
    req: RequestForm,
    fb: Feedback,
    refused: &'static str,
}

async fn page(st: &AppState, actor: &Actor, ui: Ui, id: Uuid, typed: Typed) -> ApiResult<Response> {
    let (head, figures, mut paid, requests) = tokio::try_join!(
        ContractHead::load(st, actor, id, "payments"),
        payment_request_figures::requestable(st, actor, id),
        payments::list(st, actor, id),
        payment_requests::of_contract(st, actor, id),
    )?;
    let mut requests = RequestView::all(st, &ui, requests).await?;
    requests.reverse();
    let approved: Vec<RequestView> = requests
        .iter()
        .filter(|r| r.r.status == PaymentRequestStatus::Approved)
        .cloned()
        .collect();
    let paid_total: Decimal = paid.iter().map(|p| p.amount.decimal()).sum();
    paid.reverse();
    let organisation = actor.role == Role::Organisation;
    let page = PaymentsPage {
        can_record: actor.role == Role::FinanceOfficer && !approved.is_empty(),
        can_request: organisation && figures.any(),
        organisation,
        approved,
        value_left: (head.contract.value.decimal() - paid_total).max(Decimal::ZERO),
        ui,
        head,
        figures,
        payments: paid,
        requests,
        paid_total,
        form: typed.form,
        req: typed.req,
        fb: typed.fb,
        refused: typed.refused,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /contracts/{id}/payments`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let today = store::today(&st).to_string();
    let typed = Typed {
        form: PaymentForm {
            paid_on: today.clone(),
            ..PaymentForm::default()
        },
        req: RequestForm {
            invoice_date: today,
            ..RequestForm::default()
        },
        fb: Feedback::none(),
        refused: "",
    };
    page(&st, &actor, ui, id, typed).await
}

/// `POST /contracts/{id}/payments`: pays an approved request.
pub async fn record(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<PaymentForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewPayment {
        payment_request_id: f.id("payment_request_id", &form.payment_request_id),
        paid_on: f.date("paid_on", &form.paid_on),
        voucher_no: form.voucher_no.clone(),
    };
    let new = f.finish().map(|()| new);
    match payments::record(&st, &actor, id, new).await {
        Ok((created, _)) => Ok(done(
            jar,
            &format!("/contracts/{id}/payments"),
            if created {
                "flash-payment-recorded"
            } else {
                "flash-payment-already-recorded"
            },
        )),
        Err(e) => {
            let typed = Typed {
                fb: Feedback::refused(&ui, e)?,
                form,
                req: RequestForm::default(),
                refused: "record",
            };
            page(&st, &actor, ui, id, typed).await
        }
    }
}

/// `POST /contracts/{id}/payment-requests`: the organisation requests a payment for an
/// accepted milestone or an advance; then the request's page.
pub async fn request(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::RequestPayment>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<RequestForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let milestone_id = match form.milestone_id.trim() {
        ADVANCE => None,
        other => Some(f.id("milestone_id", other)),
    };
    let new = NewPaymentRequest {
        milestone_id,
        amount: f.money("amount", &form.amount),
        invoice_no: form.invoice_no.clone(),
        invoice_date: f.date("invoice_date", &form.invoice_date),
        note: Some(form.note.clone()),
    };
    let out = match f.finish() {
        Ok(()) => payment_requests::submit(&st, &actor, id, new).await,
        Err(e) => Err(e),
    };
    match out {
        Ok(r) => Ok(done(
            jar,
            &format!("/payment-requests/{}", r.id),
            "flash-pr-submitted",
        )),
        Err(e) => {
            let typed = Typed {
                fb: Feedback::refused(&ui, e)?,
                form: PaymentForm::default(),
                req: form,
                refused: "request",
            };
            page(&st, &actor, ui, id, typed).await
        }
    }
}
