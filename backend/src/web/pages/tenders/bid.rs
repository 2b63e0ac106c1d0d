//! `POST /tenders/{id}/bid`: an organisation submits its bid on a tender, or replaces it,
//! through the service of `POST /api/v1/tenders/{id}/bids`. A refusal (an amount above the
//! ceiling or not positive, the deadline passed, a suspended organisation …) shows the tender's
//! page again with its messages and what was typed; nothing is written.

use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use super::show::{Typed, answer};
use crate::auth::{Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::bids::{self, NewBid};
use crate::state::AppState;
use crate::web::feedback::Fields;
use crate::web::form::Form;
use crate::web::ui::Ui;

/// The bid form as typed: an amount in yuan and the proposal.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub proposal: String,
}

/// `POST /tenders/{id}/bid`: back to the tender's page, "submitted" or "replaced".
pub async fn submit(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::SubmitBid>,
    _seen: Seen<kind::Tender>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<BidForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let amount = f.money("amount", &form.amount);
    let out = async {
        f.finish()?;
        let new = NewBid {
            amount,
            proposal: form.proposal.clone(),
        };
        bids::submit_bid(&st, &actor, id, new).await
    }
    .await;
    let flash = match &out {
        Ok((true, _)) => "flash-bid-submitted",
        _ => "flash-bid-replaced",
    };
    let typed = Typed {
        action: "bid",
        amount: form.amount,
        proposal: form.proposal,
        ..Typed::default()
    };
    let here = |_: &_| format!("/tenders/{id}");
    answer(&st, &actor, (jar, ui), id, out, (here, flash), typed).await
}
