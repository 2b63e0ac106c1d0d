//! A payment request's page (`/payment-requests/{id}`): its facts, its timeline, how long it
//! has waited at its step, and the forms of the steps the viewer may take, kept as typed when
//! one was refused ([`super::actions`] posts them).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use entity::Money;
use entity::rules::vocab::{PaymentRequestStatus, Role};
use uuid::Uuid;

use super::RequestView;
use super::timeline::{Step, timeline};
use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::payment_request_figures::{self, MilestoneFigures};
use crate::services::payment_requests::{self, PaymentRequest};
use crate::services::payments::{self, Payment};
use crate::services::{contracts, names};
use crate::state::AppState;
use crate::store::today;
use crate::web::feedback::Feedback;
use crate::web::ui::Ui;

/// What the viewer typed into the refused form of the page.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    /// `verify`, `approve`, `return`, `withdraw`, `resubmit` or `pay`; empty on a first visit.
    pub form: &'static str,
    pub comment: String,
    pub amount: String,
    pub invoice_no: String,
    pub invoice_date: String,
    pub note: String,
    pub paid_on: String,
    pub voucher_no: String,
}

impl Typed {
    /// The forms' fields: a form sent back with a refusal keeps what was typed; the others
    /// start from request `r` (the payment's date from `today`).
    fn filled(self, r: &PaymentRequest, today: NaiveDate) -> Self {
        let typed = if self.form == "resubmit" {
            self
        } else {
            Typed {
                amount: r.amount.decimal().to_string(),
                invoice_no: r.invoice_no.clone(),
                invoice_date: r.invoice_date.to_string(),
                note: r.note.clone(),
                ..self
            }
        };
        if typed.form == "pay" {
            typed
        } else {
            Typed {
                paid_on: today.to_string(),
                ..typed
            }
        }
    }
}

/// The forms the page offers the viewer (the service still decides each one).
#[derive(Debug, Default, Clone, Copy)]
pub struct Offers {
    pub verify: bool,
    pub approve: bool,
    pub send_back: bool,
    pub withdraw: bool,
    pub resubmit: bool,
    pub pay: bool,
}

impl Offers {
    /// The forms `actor` is offered on a request in status `s`.
    fn of(actor: &Actor, s: PaymentRequestStatus) -> Self {
        let officer = actor.role == Role::FinanceOfficer;
        let org = actor.role == Role::Organisation;
        let approver = officer && actor.user.approver;
        Offers {
            verify: officer && s == PaymentRequestStatus::Submitted,
            approve: approver && s == PaymentRequestStatus::Verified,
            send_back: officer
                && (s == PaymentRequestStatus::Submitted
                    || (approver && s == PaymentRequestStatus::Verified)),
            withdraw: org
                && matches!(
                    s,
                    PaymentRequestStatus::Submitted | PaymentRequestStatus::Returned
                ),
            resubmit: org && s == PaymentRequestStatus::Returned,
            pay: officer && s == PaymentRequestStatus::Approved,
        }
    }

    fn any(&self) -> bool {
        self.verify || self.approve || self.send_back || self.withdraw || self.resubmit || self.pay
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/payment_requests/show.html")]
pub struct RequestPage {
    pub ui: Ui,
    pub v: RequestView,
    pub purchaser: String,
    pub steps: Vec<Step>,
    pub offers: Offers,
    pub typed: Typed,
    pub fb: Feedback,
    /// Above this amount two approvers approve.
    pub second_above: Money,
    /// The viewer is an officer who verified this request (an approver must be another).
    pub verified_by_me: bool,
    /// While it is open, its milestone's payable, what is paid on it and what open requests
    /// (this one too) ask: what a verifier and an approver check it against.
    pub milestone: Option<MilestoneFigures>,
}

impl RequestPage {
    /// The feedback of form `form`: the page's, when that form was the one refused.
    pub fn fb_of(&self, form: &str) -> Feedback {
        if self.typed.form == form {
            self.fb.clone()
        } else {
            Feedback::none()
        }
    }

    /// Whether any form is offered.
    pub fn acts(&self) -> bool {
        self.offers.any()
    }

    /// The messages of a refused form the page no longer offers (the request moved on, or
    /// the form was forced): shown above the page, since no form is there to hold them.
    pub fn stray(&self) -> Vec<String> {
        let o = &self.offers;
        let offered = match self.typed.form {
            "" => return Vec::new(),
            "verify" => o.verify,
            "approve" => o.approve,
            "return" => o.send_back,
            "withdraw" => o.withdraw,
            "resubmit" => o.resubmit,
            "pay" => o.pay,
            _ => false,
        };
        if offered {
            return Vec::new();
        }
        self.fb
            .notice
            .iter()
            .cloned()
            .chain(self.fb.others(&[]).into_iter().map(str::to_string))
            .collect()
    }
}

/// The payment that paid `r`, if it is paid.
async fn payment_of(
    st: &AppState,
    actor: &Actor,
    r: &PaymentRequest,
) -> ApiResult<Option<Payment>> {
    if r.payment_id.is_none() {
        return Ok(None);
    }
    let paid = payments::list(st, actor, r.contract_id).await?;
    Ok(paid.into_iter().find(|p| Some(p.id) == r.payment_id))
}

/// While `r` is open, the figures of its milestone (none for an advance).
async fn open_milestone(
    st: &AppState,
    actor: &Actor,
    r: &PaymentRequest,
) -> ApiResult<Option<MilestoneFigures>> {
    Ok(match r.milestone_id {
        Some(m) if r.status.is_open() => {
            payment_request_figures::requestable(st, actor, r.contract_id)
                .await?
                .milestones
                .into_iter()
                .find(|f| f.id == m)
        }
        _ => None,
    })
}

/// The page of request `id`, its forms as `typed` with the feedback `fb`.
pub(super) async fn request_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Typed,
    fb: Feedback,
) -> ApiResult<Response> {
    let r = payment_requests::get(st, actor, id).await?;
    let ((contract, parties), payment) = tokio::try_join!(
        contracts::get_with_parties(st, actor, r.contract_id),
        payment_of(st, actor, &r),
    )?;
    let people = [
        Some(r.submitted_by),
        r.verified_by,
        r.approved_by,
        r.second_approved_by,
        r.returned_by,
        payment.as_ref().map(|p| p.recorded_by),
    ];
    let (users, milestones) = tokio::try_join!(
        names::users(&st.db, people.into_iter().flatten()),
        names::milestones(&st.db, r.milestone_id),
    )?;
    let steps = timeline(&ui, &r, &users, payment.as_ref());
    let milestone = open_milestone(st, actor, &r).await?;
    let contracts = HashMap::from([(contract.id, (contract.title, parties.organisation))]);
    let offers = Offers::of(actor, r.status);
    let typed = typed.filled(&r, today(st));
    let page = RequestPage {
        verified_by_me: r.verified_by == Some(actor.id()),
        milestone,
        second_above: st.config.second_approval_above,
        v: RequestView::of(&ui, r, &milestones, &contracts, today(st)),
        purchaser: parties.purchaser,
        ui,
        steps,
        offers,
        typed,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /payment-requests/{id}`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    request_page(&st, &actor, ui, id, Typed::default(), Feedback::none()).await
}
