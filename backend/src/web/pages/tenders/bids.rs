//! `GET /bids`: the organisation's own bids, newest first, each with its tender, amount,
//! submitted time and outcome (to be decided, in review, won with its contract, lost,
//! unsuccessful, cancelled), a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::bids::{self, OwnBid};
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::pages::contracts::cursor_param;
use crate::web::ui::Ui;

/// The page's cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidsQuery {
    pub cursor: Option<String>,
}

/// A bid as the list shows it.
#[derive(Debug, Clone)]
pub struct BidLine {
    pub own: OwnBid,
    pub amount: Decimal,
    pub submitted: String,
    pub deadline: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/tenders/bids.html")]
pub struct BidsPage {
    pub ui: Ui,
    pub rows: Vec<BidLine>,
    /// The next page's address.
    pub next: Option<String>,
    pub fb: Feedback,
}

impl BidsPage {
    /// Messages of refused fields the page has no place for (a stale `cursor`).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&[])
    }
}

/// `GET /bids` (organisation staff; any other role 403, as the bid routes of the API).
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::SubmitBid>,
    ui: Ui,
    Query(q): Query<BidsQuery>,
) -> ApiResult<Response> {
    let (rows, next, fb) = match bids::own_bids(&st, &actor, None, q.cursor.as_deref()).await {
        Ok(page) => (
            page.items
                .into_iter()
                .map(|own| BidLine {
                    amount: own.bid.amount.decimal(),
                    submitted: ui.datetime(&own.bid.submitted_at),
                    deadline: ui.datetime(&own.bid_deadline),
                    own,
                })
                .collect(),
            cursor_param(page.next_cursor).map(|c| format!("/bids?cursor={c}")),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = BidsPage { ui, rows, next, fb };
    Ok((page.fb.status, page).into_response())
}
