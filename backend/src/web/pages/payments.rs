//! A contract's payments tab (UI.md §2): what each accepted milestone may be paid (its
//! payable, what was paid on it, what is still payable), the payments made, and the form that
//! records one — the service of `POST /api/v1/contracts/{id}/payments`, whose rules (never
//! above the payable, the value, the budget line; a repeated voucher) decide.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use entity::rules::money::Money;
use entity::rules::vocab::{ContractStatus, MilestoneStatus, PaymentRequestStatus, Role};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::milestones::{self, MilestoneFilter};
use crate::services::payment_requests::{self, PaymentRequest};
use crate::services::payments::{self, NewPayment, Payment};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The routes of the payments tab.
pub fn routes() -> Router<AppState> {
    Router::new().route("/contracts/{id}/payments", get(show).post(record))
}

/// An accepted milestone with what it may still be paid.
#[derive(Debug, Clone)]
pub struct Payable {
    pub id: Uuid,
    pub title: String,
    pub payable: Decimal,
    pub paid: Decimal,
    pub remaining: Decimal,
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

#[derive(Template, WebTemplate)]
#[template(path = "pages/payments/tab.html")]
pub struct PaymentsPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub payables: Vec<Payable>,
    /// Newest first.
    pub payments: Vec<Payment>,
    pub titles: std::collections::HashMap<Uuid, String>,
    pub paid_total: Decimal,
    pub value_left: Decimal,
    pub can_record: bool,
    /// The contract's approved requests, waiting for their payment.
    pub approved: Vec<PaymentRequest>,
    pub form: PaymentForm,
    pub fb: Feedback,
}

impl PaymentsPage {
    /// The title of a request's milestone (or "advance").
    pub fn requested(&self, r: &PaymentRequest) -> String {
        match r.milestone_id.and_then(|m| self.titles.get(&m)) {
            Some(t) => t.clone(),
            None => self.ui.t("payment-advance"),
        }
    }

    /// The title of a payment's milestone (or "advance").
    pub fn what(&self, p: &Payment) -> String {
        match p.milestone_id.and_then(|m| self.titles.get(&m)) {
            Some(t) => t.clone(),
            None => self.ui.t("payment-advance"),
        }
    }
}

async fn page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    form: PaymentForm,
    fb: Feedback,
) -> ApiResult<Response> {
    let all = MilestoneFilter {
        status: None,
        overdue: None,
    };
    let (head, ms, mut paid, requests) = tokio::try_join!(
        ContractHead::load(st, actor, id, "payments"),
        milestones::list(st, actor, id, all),
        payments::list(st, actor, id),
        payment_requests::of_contract(st, actor, id),
    )?;
    let approved: Vec<PaymentRequest> = requests
        .into_iter()
        .filter(|r| r.status == PaymentRequestStatus::Approved)
        .collect();
    let paid_on = |m: Uuid| -> Decimal {
        paid.iter()
            .filter(|p| p.milestone_id == Some(m))
            .map(|p| p.amount.decimal())
            .sum()
    };
    let payables = ms
        .iter()
        .filter(|m| m.status == MilestoneStatus::Accepted)
        .map(|m| {
            let payable = m.payable.unwrap_or(Money::ZERO).decimal();
            let done = paid_on(m.id);
            Payable {
                id: m.id,
                title: m.title.clone(),
                payable,
                paid: done,
                remaining: (payable - done).max(Decimal::ZERO),
            }
        })
        .collect();
    let paid_total: Decimal = paid.iter().map(|p| p.amount.decimal()).sum();
    paid.reverse();
    let page = PaymentsPage {
        can_record: actor.role == Role::FinanceOfficer
            && head.contract.status == ContractStatus::Active
            && !approved.is_empty(),
        approved,
        value_left: (head.contract.value.decimal() - paid_total).max(Decimal::ZERO),
        titles: ms.into_iter().map(|m| (m.id, m.title)).collect(),
        ui,
        head,
        payables,
        payments: paid,
        paid_total,
        form,
        fb,
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
    let form = PaymentForm {
        paid_on: milestones::today(&st).to_string(),
        ..PaymentForm::default()
    };
    page(&st, &actor, ui, id, form, Feedback::none()).await
}

/// `POST /contracts/{id}/payments`.
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
            let fb = Feedback::refused(&ui, e)?;
            page(&st, &actor, ui, id, form, fb).await
        }
    }
}
