//! `GET /tenders/{id}`: a tender with its status and the actions its state allows (publish,
//! close, cancel, mark unsuccessful), and after the deadline its bids side by side with a
//! score form each and the award form. Before the deadline bids are sealed: the page never
//! reads them. To an organisation the page shows its own bid only, with its outcome, and
//! before the deadline the form to submit or replace it ([`super::bid`]). A refused action
//! shows this page again with its message, the API's status.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::TenderStatus;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::awards::{self, Award};
use crate::services::bids::{self, Bid, BidOutcome, BidScore};
use crate::services::contracts::Contract;
use crate::services::names;
use crate::services::tenders;
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::{Form, ReasonForm};
use crate::web::pages::done;
use crate::web::pages::session::Empty;
use crate::web::pages::tenders::TenderRow;
use crate::web::ui::Ui;

/// A bid as the tender's page shows it.
#[derive(Debug, Clone)]
pub struct BidRow {
    pub bid: Bid,
    pub organisation: String,
    pub amount: Decimal,
    pub submitted: String,
}

/// The action whose form was refused, with what was typed in it.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    /// `publish`, `close`, `cancel`, `unsuccessful`, `award`, `score`, `bid`; empty on a
    /// first visit.
    pub action: &'static str,
    pub reason: String,
    /// The bid scored or chosen.
    pub bid: Option<Uuid>,
    pub score: String,
    /// The amount and proposal of the organisation's bid form.
    pub amount: String,
    pub proposal: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/tenders/show.html")]
pub struct TenderPage {
    pub ui: Ui,
    pub row: TenderRow,
    /// The bids, after the deadline only (empty before: sealed).
    pub bids: Vec<BidRow>,
    /// The actor is a finance officer of the tender's purchaser.
    pub can_manage: bool,
    /// The actor reads all bids after the deadline (not an organisation).
    pub reads_bids: bool,
    /// The reader is an organisation: it sees its own bid and may bid.
    pub bidder: bool,
    /// The organisation's own bid with its outcome.
    pub own: Option<(BidRow, BidOutcome)>,
    pub typed: Typed,
    pub fb: Feedback,
}

impl TenderPage {
    fn status(&self) -> TenderStatus {
        self.row.tender.status
    }

    /// Whether the officer may edit and publish (a draft).
    pub fn can_edit(&self) -> bool {
        self.can_manage && self.status() == TenderStatus::Draft
    }

    /// Whether the officer may close bidding (published, deadline passed).
    pub fn can_close(&self) -> bool {
        self.can_manage && self.status() == TenderStatus::Published && self.row.past_deadline
    }

    /// Whether the officer may cancel (draft, published or closed).
    pub fn can_cancel(&self) -> bool {
        self.can_manage
            && matches!(
                self.status(),
                TenderStatus::Draft | TenderStatus::Published | TenderStatus::Closed
            )
    }

    /// Whether the officer may mark it unsuccessful or award a bid (closed).
    pub fn can_decide(&self) -> bool {
        self.can_manage && self.status() == TenderStatus::Closed
    }

    /// Whether the officer may score the bids (after the deadline, not yet decided).
    pub fn can_score(&self) -> bool {
        self.can_manage
            && self.row.past_deadline
            && matches!(
                self.status(),
                TenderStatus::Published | TenderStatus::Closed
            )
    }

    /// Whether the bids are sealed (before the deadline).
    pub fn sealed(&self) -> bool {
        !self.row.past_deadline
    }

    /// Whether the organisation may submit or replace its bid (published, before the
    /// deadline; the service decides the rest, such as a suspended organisation).
    pub fn can_bid(&self) -> bool {
        self.bidder && self.status() == TenderStatus::Published && !self.row.past_deadline
    }

    /// The amount in the bid form: as typed when refused, else the current bid's.
    pub fn bid_amount(&self) -> String {
        if self.typed.action == "bid" {
            return self.typed.amount.clone();
        }
        self.own
            .as_ref()
            .map(|(b, _)| b.amount.to_string())
            .unwrap_or_default()
    }

    /// The proposal in the bid form: as typed when refused, else the current bid's.
    pub fn bid_proposal(&self) -> String {
        if self.typed.action == "bid" {
            return self.typed.proposal.clone();
        }
        self.own
            .as_ref()
            .map(|(b, _)| b.bid.proposal.clone())
            .unwrap_or_default()
    }

    /// The bid form's hint: more than 0, not above the ceiling.
    pub fn ceiling_hint(&self) -> String {
        self.ui
            .tname("bid-ceiling-hint", &self.ui.money(self.row.ceiling))
    }

    /// The bid form's feedback (empty unless that form was refused).
    pub fn bid_fb(&self) -> Feedback {
        if self.typed.action == "bid" {
            self.fb.clone()
        } else {
            Feedback::none()
        }
    }

    /// The message of `field` in the form of `action`, if that form was refused.
    pub fn error(&self, action: &str, field: &str) -> Option<&str> {
        (self.typed.action == action)
            .then(|| self.fb.field(field))
            .flatten()
    }

    /// Whether `bid` won the award.
    pub fn awarded(&self, bid: &Uuid) -> bool {
        self.row.tender.awarded_bid_id == Some(*bid)
    }

    /// Whether `bid` was the one chosen in a refused award form.
    pub fn chosen(&self, bid: &Uuid) -> bool {
        self.typed.action == "award" && self.typed.bid == Some(*bid)
    }

    /// The message of the score field of `bid`, if its form was refused.
    pub fn score_error(&self, bid: &Uuid) -> Option<&str> {
        (self.typed.bid == Some(*bid))
            .then(|| self.error("score", "score"))
            .flatten()
    }

    /// The score typed for `bid` (the refused value), else its score.
    pub fn score_value(&self, b: &BidRow) -> String {
        if self.typed.action == "score" && self.typed.bid == Some(b.bid.id) {
            return self.typed.score.clone();
        }
        b.bid.score.map(|s| s.to_string()).unwrap_or_default()
    }

    /// The refusal's messages shown above the actions: the notice and the field messages
    /// the refused form has no place for.
    pub fn problems(&self) -> Vec<String> {
        let shown: &[&str] = match self.typed.action {
            "cancel" | "unsuccessful" => &["reason"],
            "score" => &["score"],
            "bid" if self.can_bid() => &["amount", "proposal"],
            _ => &[],
        };
        self.fb
            .notice
            .iter()
            .cloned()
            .chain(self.fb.others(shown).into_iter().map(String::from))
            .collect()
    }
}

/// The tender's page for `actor`, with the refused form `typed` and its feedback.
pub(super) async fn tender_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Typed,
    fb: Feedback,
) -> ApiResult<Response> {
    let t = tenders::get(st, actor, id).await?;
    let now = st.now();
    let past = now >= t.bid_deadline;
    let bidder = actor.organisation_scope().is_some();
    // Before the deadline nobody but the bidder reads a bid: the page does not ask.
    let reads_bids = !bidder;
    let bids = if bidder || past {
        bids::list_bids(st, actor, id).await?
    } else {
        Vec::new()
    };
    let orgs = if reads_bids {
        names::organisations(&st.db, bids.iter().map(|b| b.organisation_id)).await?
    } else {
        Default::default()
    };
    let mut bids: Vec<BidRow> = bids
        .into_iter()
        .map(|bid| BidRow {
            organisation: orgs.get(&bid.organisation_id).cloned().unwrap_or_default(),
            submitted: ui.datetime(&bid.submitted_at),
            amount: bid.amount.decimal(),
            bid,
        })
        .collect();
    // An organisation's list holds its own bid only.
    let own = if bidder { bids.pop() } else { None }.map(|b| {
        let outcome = bids::bid_outcome(b.bid.id, t.status, t.bid_deadline, t.awarded_bid_id, now);
        (b, outcome)
    });
    let can_manage = actor.purchaser_scope() == Some(t.purchaser_id);
    let row = TenderRow::load(st, &ui, actor, vec![t])
        .await?
        .pop()
        .ok_or(crate::error::ApiError::NotFound)?;
    let page = TenderPage {
        ui,
        row,
        bids,
        can_manage,
        reads_bids,
        bidder,
        own,
        typed,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /tenders/{id}`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    tender_page(&st, &actor, ui, id, Typed::default(), Feedback::none()).await
}

/// After an action: on to the page `to` names with its message, or the tender's page again
/// with the refusal.
pub(super) async fn answer<T>(
    st: &AppState,
    actor: &Actor,
    (jar, ui): (CookieJar, Ui),
    id: Uuid,
    outcome: ApiResult<T>,
    (to, flash): (impl FnOnce(&T) -> String, &'static str),
    typed: Typed,
) -> ApiResult<Response> {
    match outcome {
        Ok(v) => Ok(done(jar, &to(&v), flash)),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            tender_page(st, actor, ui, id, typed, fb).await
        }
    }
}

/// An action without fields (publish, close), back to the tender's page.
async fn act(
    st: &AppState,
    actor: &Actor,
    page: (CookieJar, Ui),
    id: Uuid,
    action: &'static str,
) -> ApiResult<Response> {
    let (out, flash) = match action {
        "publish" => (
            tenders::publish(st, actor, id).await,
            "flash-tender-published",
        ),
        _ => (tenders::close(st, actor, id).await, "flash-tender-closed"),
    };
    let typed = Typed {
        action,
        ..Typed::default()
    };
    let here = |_: &_| format!("/tenders/{id}");
    answer(st, actor, page, id, out, (here, flash), typed).await
}

/// `POST /tenders/{id}/publish`.
pub async fn publish(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<Empty>,
) -> ApiResult<Response> {
    act(&st, &actor, (jar, ui), id, "publish").await
}

/// `POST /tenders/{id}/close`.
pub async fn close(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<Empty>,
) -> ApiResult<Response> {
    act(&st, &actor, (jar, ui), id, "close").await
}

/// An action with its reason (cancel, unsuccessful), back to the tender's page.
async fn act_for(
    st: &AppState,
    actor: &Actor,
    page: (CookieJar, Ui),
    id: Uuid,
    (action, form): (&'static str, ReasonForm),
) -> ApiResult<Response> {
    let r = form.to_reason();
    let (out, flash) = match action {
        "cancel" => (
            tenders::cancel(st, actor, id, r).await,
            "flash-tender-cancelled",
        ),
        _ => (
            tenders::unsuccessful(st, actor, id, r).await,
            "flash-tender-unsuccessful",
        ),
    };
    let typed = Typed {
        action,
        reason: form.reason,
        ..Typed::default()
    };
    let here = |_: &_| format!("/tenders/{id}");
    answer(st, actor, page, id, out, (here, flash), typed).await
}

/// `POST /tenders/{id}/cancel`.
pub async fn cancel(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ReasonForm>,
) -> ApiResult<Response> {
    act_for(&st, &actor, (jar, ui), id, ("cancel", form)).await
}

/// `POST /tenders/{id}/unsuccessful`.
pub async fn unsuccessful(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ReasonForm>,
) -> ApiResult<Response> {
    act_for(&st, &actor, (jar, ui), id, ("unsuccessful", form)).await
}

/// The award form: the chosen bid.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardForm {
    #[serde(default)]
    pub bid_id: String,
}

/// `POST /tenders/{id}/award`: on to the new draft contract's page.
pub async fn award(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<AwardForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let bid_id = f.id("bid_id", &form.bid_id);
    let out = async {
        f.finish()?;
        awards::award(&st, &actor, id, Award { bid_id }).await
    }
    .await;
    let typed = Typed {
        action: "award",
        bid: Some(bid_id),
        ..Typed::default()
    };
    let contract = |c: &Contract| format!("/contracts/{}", c.id);
    let to = (contract, "flash-tender-awarded");
    answer(&st, &actor, (jar, ui), id, out, to, typed).await
}

/// A bid's score as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreForm {
    #[serde(default)]
    pub score: String,
}

/// `POST /bids/{id}/score`: the service of `PATCH /api/v1/bids/{id}` (after the deadline).
pub async fn score(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Bid>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ScoreForm>,
) -> ApiResult<Response> {
    let tender_id = bids::get_bid(&st, &actor, id).await?.tender_id;
    let mut f = Fields::default();
    let score = f.score("score", &form.score);
    let out = async {
        f.finish()?;
        bids::score_bid(&st, &actor, id, BidScore { score }).await
    }
    .await;
    let typed = Typed {
        action: "score",
        bid: Some(id),
        score: form.score,
        ..Typed::default()
    };
    let here = |_: &_| format!("/tenders/{tender_id}");
    answer(
        &st,
        &actor,
        (jar, ui),
        tender_id,
        out,
        (here, "flash-bid-scored"),
        typed,
    )
    .await
}
