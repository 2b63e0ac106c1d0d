//! Payment requests (SPEC §9, UI.md §2): the queue of each role (`/payment-requests`, filtered
//! like `GET /api/v1/payment-requests`: status, contract) and a request's page with its facts,
//! its timeline, how long it has waited at its step, and the forms of the steps the viewer may
//! take — verify, approve, return (officers and approvers), withdraw, correct and resubmit
//! (the organisation), record the payment (the officer). Each form calls the service of its API
//! route; the service decides, and its refusals (409, 422, and the 403s of separation of
//! duties, `approval.same_person` and `approval.not_approver`) are shown on the page in the
//! user's language, with nothing written.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use entity::Money;
use entity::rules::vocab::{PaymentRequestStatus, Role};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::{ApiError, ApiResult, codes};
use crate::extract::Path;
use crate::services::payment_request_figures::{self, MilestoneFigures};
use crate::services::payment_requests::{
    self, PaymentRequest, PaymentRequestFilter, PaymentRequestPatch, ReturnComment,
};
use crate::services::payments::{self, NewPayment, Payment};
use crate::services::{contracts, names};
use crate::state::AppState;
use crate::store;
use crate::store::today;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::ui::Ui;

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
    let hint = match (actor.role, status) {
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Verified)) if actor.user.approver => {
            Some("pr-hint-approver")
        }
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Submitted)) => Some("pr-hint-verify"),
        (Role::FinanceOfficer, Some(PaymentRequestStatus::Approved)) => Some("pr-hint-pay"),
        (Role::Organisation, Some(PaymentRequestStatus::Returned)) => Some("pr-hint-returned"),
        (Role::Supervisor | Role::Admin, _) => Some("pr-hint-read-only"),
        _ => None,
    };
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

/// One step of a request's timeline.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its kind, for its mark (`submit`, `verify`, `approve`, `return`, `withdraw`, `pay`).
    pub kind: &'static str,
    pub label: String,
    pub who: Option<String>,
    pub at: String,
    pub detail: Option<String>,
    /// A link to what it made (the payment).
    pub link: Option<(String, String)>,
}

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

/// The timeline of `r` from its own record: each step with who took it and when.
fn timeline(
    ui: &Ui,
    r: &PaymentRequest,
    users: &HashMap<Uuid, String>,
    payment: Option<&Payment>,
) -> Vec<Step> {
    let who = |u: Option<Uuid>| u.and_then(|u| users.get(&u).cloned());
    let mut steps = Vec::new();
    // A request returned before and corrected since: its submission is a resubmission.
    let resubmitted = r.return_comment.is_some() && r.status != PaymentRequestStatus::Returned;
    steps.push(Step {
        kind: "submit",
        label: ui.t(if resubmitted {
            "pr-step-resubmitted"
        } else if r.migrated {
            "pr-step-migrated"
        } else {
            "pr-step-submitted"
        }),
        who: who(Some(r.submitted_by)),
        at: ui.datetime(&r.submitted_at),
        detail: resubmitted
            .then(|| r.return_comment.clone())
            .flatten()
            .map(|c| format!("{} {c}", ui.t("pr-earlier-return"))),
        link: None,
    });
    if let Some(at) = r.verified_at {
        steps.push(Step {
            kind: "verify",
            label: ui.t("pr-step-verified"),
            who: who(r.verified_by),
            at: ui.datetime(&at),
            detail: None,
            link: None,
        });
    }
    if let Some(at) = r.approved_at {
        steps.push(Step {
            kind: "approve",
            label: ui.t(if r.needs_second_approval {
                "pr-step-first-approval"
            } else {
                "pr-step-approved"
            }),
            who: who(r.approved_by),
            at: ui.datetime(&at),
            detail: None,
            link: None,
        });
    }
    if let Some(at) = r.second_approved_at {
        steps.push(Step {
            kind: "approve",
            label: ui.t("pr-step-second-approval"),
            who: who(r.second_approved_by),
            at: ui.datetime(&at),
            detail: None,
            link: None,
        });
    }
    match r.status {
        PaymentRequestStatus::Returned => steps.push(Step {
            kind: "return",
            // Returned at approval (by an approver) once verified, else at verification.
            label: ui.t(if r.verified_at.is_some() {
                "pr-step-returned-at-approval"
            } else {
                "pr-step-returned"
            }),
            who: who(r.returned_by),
            at: ui.datetime(&r.status_changed_at),
            detail: r.return_comment.clone(),
            link: None,
        }),
        PaymentRequestStatus::Withdrawn => steps.push(Step {
            kind: "withdraw",
            label: ui.t("pr-step-withdrawn"),
            who: None,
            at: ui.datetime(&r.status_changed_at),
            detail: None,
            link: None,
        }),
        PaymentRequestStatus::Paid => steps.push(Step {
            kind: "pay",
            label: ui.t("pr-step-paid"),
            who: payment.and_then(|p| who(Some(p.recorded_by))),
            at: ui.datetime(&r.status_changed_at),
            detail: payment.map(|p| {
                format!(
                    "{} {} · {} {}",
                    ui.t("payment-paid-on"),
                    ui.date(&p.paid_on),
                    ui.t("payment-voucher"),
                    p.voucher_no
                )
            }),
            link: Some((
                match r.payment_id {
                    Some(p) => format!("/contracts/{}/payments#payment-{p}", r.contract_id),
                    None => format!("/contracts/{}/payments", r.contract_id),
                },
                ui.t("pr-see-payment"),
            )),
        }),
        _ => {}
    }
    steps
}

async fn request_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Typed,
    fb: Feedback,
) -> ApiResult<Response> {
    let r = payment_requests::get(st, actor, id).await?;
    let ((contract, parties), paid) = tokio::try_join!(
        contracts::get_with_parties(st, actor, r.contract_id),
        async {
            match r.payment_id {
                Some(_) => payments::list(st, actor, r.contract_id).await,
                None => Ok(Vec::new()),
            }
        },
    )?;
    let payment = paid.into_iter().find(|p| Some(p.id) == r.payment_id);
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
    let milestone = match r.milestone_id {
        Some(m) if r.status.is_open() => {
            payment_request_figures::requestable(st, actor, r.contract_id)
                .await?
                .milestones
                .into_iter()
                .find(|f| f.id == m)
        }
        _ => None,
    };
    let contracts = HashMap::from([(contract.id, (contract.title, parties.organisation))]);
    let officer = actor.role == Role::FinanceOfficer;
    let org = actor.role == Role::Organisation;
    let approver = officer && actor.user.approver;
    let s = r.status;
    let offers = Offers {
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
    };
    // A form sent back with a refusal keeps what was typed; the others start from the request.
    let typed = if typed.form == "resubmit" {
        typed
    } else {
        Typed {
            amount: r.amount.decimal().to_string(),
            invoice_no: r.invoice_no.clone(),
            invoice_date: r.invoice_date.to_string(),
            note: r.note.clone(),
            ..typed
        }
    };
    let typed = if typed.form == "pay" {
        typed
    } else {
        Typed {
            paid_on: today(st).to_string(),
            ..typed
        }
    };
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
