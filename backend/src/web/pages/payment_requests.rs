//! Payment requests (SPEC §9, UI.md §2): the queue of each role (`/payment-requests`, filtered
//! like `GET /api/v1/payment-requests`: status, contract) and a request's page with its facts,
//! its timeline, how long it has waited at its step, and the forms of the steps the viewer may
//! take — verify, approve, return (officers and approvers), withdraw, correct and resubmit
//! (the organisation), record the payment (the officer). Each form calls the service of its API
//! route; the service decides, and its refusals (409, 422, and the 403s of separation of
//! duties, `approval.same_person` and `approval.not_approver`) are shown on the page in the
//! user's language, with nothing written. Here: the routes and a request as every page shows
//! it ([`RequestView`]); the pages and forms in the modules below.

pub mod actions;
pub mod queue;
pub mod show;
pub mod timeline;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use entity::rules::vocab::PaymentRequestStatus;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::services::names;
use crate::services::payment_request_figures;
use crate::services::payment_requests::PaymentRequest;
use crate::state::AppState;
use crate::store::today;
use crate::web::ui::Ui;
use actions::{approve, pay, resubmit, send_back, verify, withdraw};
use queue::queue;
use show::show;

/// The routes of the queue and the request's page (the request form is the payments tab's:
/// [`super::payments`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payment-requests", get(queue))
        .route("/payment-requests/{id}", get(show))
        .route("/payment-requests/{id}/verify", post(verify))
        .route("/payment-requests/{id}/approve", post(approve))
        .route("/payment-requests/{id}/return", post(send_back))
        .route("/payment-requests/{id}/withdraw", post(withdraw))
        .route("/payment-requests/{id}/resubmit", post(resubmit))
        .route("/payment-requests/{id}/pay", post(pay))
}

/// The catalogue key of where a request waits — whose step is next — or `None` once it is
/// paid or withdrawn.
pub fn waits_key(r: &PaymentRequest) -> Option<&'static str> {
    Some(match r.status {
        PaymentRequestStatus::Submitted => "pr-waits-verify",
        PaymentRequestStatus::Verified if r.approved_by.is_some() => "pr-waits-second",
        PaymentRequestStatus::Verified => "pr-waits-approve",
        PaymentRequestStatus::Approved => "pr-waits-pay",
        PaymentRequestStatus::Returned => "pr-waits-correct",
        PaymentRequestStatus::Paid | PaymentRequestStatus::Withdrawn => return None,
    })
}

/// A request as the lists and its page show it: what it asks for, for whom, its status in
/// words, where it waits and for how long.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub r: PaymentRequest,
    /// The milestone's title, or "advance".
    pub what: String,
    pub contract: String,
    pub organisation: String,
    pub status: String,
    /// Whose step is next ("waiting for an approver"); `None` when it is done.
    pub waits: Option<String>,
    /// How long it has waited there ("3 days").
    pub waited: Option<String>,
    /// It has waited longer than the reminders allow (5 days): shown as late.
    pub late: bool,
}

/// Days after which a waiting request is shown as late (the reminders' first threshold).
const LATE_DAYS: i64 = 5;

impl RequestView {
    /// `r` with the names of its milestone and contract, as of `today`.
    pub fn of(
        ui: &Ui,
        r: PaymentRequest,
        milestones: &HashMap<Uuid, String>,
        contracts: &HashMap<Uuid, (String, String)>,
        today: NaiveDate,
    ) -> Self {
        let what = match r.milestone_id.and_then(|m| milestones.get(&m)) {
            Some(t) => t.clone(),
            None => ui.t("payment-advance"),
        };
        let (contract, organisation) = contracts.get(&r.contract_id).cloned().unwrap_or_default();
        let since = r.status_changed_at.with_timezone(&ui.tz).date_naive();
        let days = (today - since).num_days().max(0);
        let waits = waits_key(&r).map(|k| ui.t(k));
        RequestView {
            status: ui.word("pr-status", r.status.as_str()),
            waited: waits.as_ref().map(|_| ui.tn("pr-waited", days)),
            late: waits.is_some() && days > LATE_DAYS,
            waits,
            what,
            contract,
            organisation,
            r,
        }
    }

    /// Views of `list`, their names read in one query per kind.
    pub async fn all(
        st: &AppState,
        ui: &Ui,
        list: Vec<PaymentRequest>,
    ) -> ApiResult<Vec<RequestView>> {
        let (milestones, contracts) = tokio::try_join!(
            names::milestones(&st.db, list.iter().filter_map(|r| r.milestone_id)),
            payment_request_figures::contract_names(&st.db, list.iter().map(|r| r.contract_id)),
        )?;
        let today = today(st);
        Ok(list
            .into_iter()
            .map(|r| RequestView::of(ui, r, &milestones, &contracts, today))
            .collect())
    }
}
