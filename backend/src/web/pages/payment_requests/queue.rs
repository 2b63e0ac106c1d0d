//! The queue of payment requests (`/payment-requests`): the requests the viewer may see,
//! filtered like `GET /api/v1/payment-requests` (status, contract), with the ready-made views
//! of the viewer's role ("to verify", "to approve", "to pay", "returned") and their hints.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entity::rules::vocab::{PaymentRequestStatus, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::RequestView;
use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::payment_requests::{self, PaymentRequestFilter};
use crate::state::AppState;
use crate::store;
use crate::web::feedback::{Feedback, Fields};
use crate::web::ui::Ui;

/// The queue's filters as typed (read by the API's rules: a bad one is said beside it).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub contract_id: String,
    pub cursor: Option<String>,
}

/// One of the queue's ready-made views: a link, its name, whether it is open.
#[derive(Debug, Clone)]
pub struct View {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/payment_requests/queue.html")]
pub struct QueuePage {
    pub ui: Ui,
    pub q: QueueQuery,
    pub fb: Feedback,
    pub rows: Vec<RequestView>,
    pub views: Vec<View>,
    /// (word, name) of each status, for the filter.
    pub statuses: Vec<(String, String)>,
    /// The contract the list is limited to, with its title.
    pub contract: Option<(Uuid, String)>,
    /// The list names each request's organisation (not for the organisation's own staff).
    pub show_organisation: bool,
    /// The catalogue key of a hint above the list, if the view has one.
    pub hint: Option<&'static str>,
    /// The next page's address.
    pub next: Option<String>,
}

impl QueuePage {
    /// Messages of refused filters the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["status", "contract_id"])
    }
}

/// `/payment-requests?status=…&contract_id=…` (blank values left out).
fn queue_href(status: &str, contract: Option<Uuid>, cursor: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        q.append_pair("status", status);
    }
    if let Some(c) = contract {
        q.append_pair("contract_id", &c.to_string());
    }
    if let Some(c) = cursor {
        q.append_pair("cursor", c);
    }
    let q = q.finish();
    if q.is_empty() {
        "/payment-requests".into()
    } else {
        format!("/payment-requests?{q}")
    }
}

/// The ready-made views of the actor's role: (status word, catalogue key).
fn views_of(actor: &Actor) -> Vec<(&'static str, &'static str)> {
    match actor.role {
        Role::FinanceOfficer => {
            let mut v = vec![(
                PaymentRequestStatus::Submitted.as_str(),
                "pr-view-to-verify",
            )];
            if actor.user.approver {
                v.push((
                    PaymentRequestStatus::Verified.as_str(),
                    "pr-view-to-approve",
                ));
            }
            v.push((PaymentRequestStatus::Approved.as_str(), "pr-view-to-pay"));
            v.push(("", "pr-view-all"));
            v
        }
        Role::Organisation => vec![
            ("", "pr-view-all"),
            (PaymentRequestStatus::Returned.as_str(), "pr-view-returned"),
        ],
        _ => Vec::new(),
    }
}

/// The catalogue key of the hint above the list of `actor`'s view of status `status`, if it
/// has one.
fn hint_of(actor: &Actor, status: Option<PaymentRequestStatus>) -> Option<&'static str> {
    match (actor.role, status) {
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Verified)) if actor.user.approver => {
            Some("pr-hint-approver")
        }
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Submitted)) => Some("pr-hint-verify"),
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Approved)) => Some("pr-hint-pay"),
        (Role::Organisation, Some(PaymentRequestStatus::Returned)) => Some("pr-hint-returned"),
        (Role::Supervisor | Role::Admin, _) => Some("pr-hint-read-only"),
        _ => None,
    }
}

/// `GET /payment-requests`: the requests the actor may see (the API's scope), oldest first,
/// filtered by status and contract, a page at a time.
pub async fn queue(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let status = (!q.status.trim().is_empty())
        .then(|| f.choice("status", &q.status, PaymentRequestStatus::parse))
        .flatten();
    let contract_id =
        (!q.contract_id.trim().is_empty()).then(|| f.id("contract_id", &q.contract_id));
    let found = match f.finish() {
        Ok(()) => {
            payment_requests::list(
                &st,
                &actor,
                PaymentRequestFilter {
                    status,
                    contract_id,
                    limit: Some(50),
                    cursor: q.cursor.clone(),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    let (rows, next, fb) = match found {
        Ok(page) => (
            RequestView::all(&st, &ui, page.items).await?,
            page.next_cursor
                .map(|c| queue_href(status.map_or("", |s| s.as_str()), contract_id, Some(&c))),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    // The contract of the filter, named when the actor may see it (else the list is empty).
    let contract = match contract_id {
        Some(c) => store::contracts::load(&st.db, &actor, c)
            .await
            .ok()
            .map(|k| (c, k.title)),
        None => None,
    };
    let shown = status.map_or("", |s| s.as_str());
    let views = views_of(&actor)
        .into_iter()
        .map(|(s, key)| View {
            href: queue_href(s, contract_id, None),
            label: ui.t(key),
            current: s == shown,
        })
        .collect();
    let hint = hint_of(&actor, status);
    let page = QueuePage {
        statuses: PaymentRequestStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), ui.word("pr-status", s.as_str())))
            .collect(),
        show_organisation: actor.role != Role::Organisation,
        ui,
        q,
        fb,
        rows,
        views,
        contract,
        hint,
        next,
    };
    Ok((page.fb.status, page).into_response())
}
