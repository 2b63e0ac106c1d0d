//! A tender's life cycle after its draft: publishing (the budget reserved, the notice out),
//! closing, cancelling and closing without success, each a recorded transition.

use chrono::Duration;
use entity::model::tender;
use entity::rules::vocab::TenderStatus;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use uuid::Uuid;

use super::Tender;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, codes};
use crate::services::budget::{self, available_fen, lock_line};
use crate::services::common::{Reason, bad_transition, reason};
use crate::services::notify;
use crate::services::public::notices::{self as public_notices, Outcome};
use crate::state::AppState;
use crate::store;
use crate::store::today;
use jobs::templates::Message;

/// Moves a tender to `to` (with an optional reason) and records the transition.
pub(crate) async fn transition(
    w: &mut store::Write<'_>,
    old: tender::Model,
    to: TenderStatus,
    why: Option<String>,
    action: &'static str,
) -> ApiResult<Tender> {
    let before = Tender::try_from(old.clone())?;
    let mut am = old.into_active_model();
    am.status = Set(to);
    if why.is_some() {
        am.status_reason = Set(why);
    }
    if to == TenderStatus::Published {
        am.published_at = Set(Some(w.now));
    }
    am.updated_at = Set(w.now);
    let out = Tender::try_from(am.update(&**w).await?)?;
    w.record(action, "tender", out.id, Some(&before), Some(&out));
    Ok(out)
}

/// Publishes a draft: the line must have the ceiling available, the period be allowed, and
/// the deadline at least the method's minimum bid period away.
pub async fn publish(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Tender> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let t = store::records::tender_for_update(&*w, actor, id).await?;
    let method = t.method;
    if t.status != TenderStatus::Draft {
        return Err(bad_transition("tender", t.status.as_str(), "published"));
    }
    let min_days = st.config.min_bid_days_for(method);
    if t.bid_deadline < now + Duration::days(min_days) || t.bid_deadline <= now {
        return Err(ApiError::field(
            "bid_deadline",
            codes::TENDER_DEADLINE_TOO_SOON,
            format!(
                "must be in the future and at least {min_days} days away for a {} tender",
                method.as_str()
            ),
        ));
    }
    if t.bid_deadline.with_timezone(&st.config.tz).date_naive() > t.service_start {
        return Err(ApiError::field(
            "service_start",
            codes::TENDER_SERVICE_BEFORE_DEADLINE,
            "must not be before the bid deadline",
        ));
    }
    let line = lock_line(&*w, t.budget_line_id).await?;
    if available_fen(&line) < t.ceiling_fen {
        return Err(ApiError::conflict(
            codes::BUDGET_INSUFFICIENT,
            "the budget line does not have the ceiling amount available",
        ));
    }
    let out = transition(&mut w, t, TenderStatus::Published, None, "publish").await?;
    budget::recount(&*w, line.id).await?;
    let message = Message::TenderPublished {
        title: out.title.clone(),
        purchaser: notify::purchaser_name(&*w, out.purchaser_id).await?,
        ceiling: out.ceiling_amount,
        deadline: out.bid_deadline.with_timezone(&st.config.tz).naive_local(),
    };
    let to = jobs::outbox::active_organisations(&*w, today(st)).await?;
    w.notify(
        to,
        message,
        out.id,
        "published",
        format!("/tenders/{}", out.id),
    )
    .await?;
    public_notices::tender_published(&*w, now, out.id).await?;
    w.commit().await?;
    Ok(out)
}

/// Closes a published tender once its deadline has passed.
pub async fn close(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Tender> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let t = store::records::tender_for_update(&*w, actor, id).await?;
    if t.status != TenderStatus::Published {
        return Err(bad_transition("tender", t.status.as_str(), "closed"));
    }
    if now < t.bid_deadline {
        return Err(ApiError::conflict(
            codes::TENDER_DEADLINE_NOT_PASSED,
            "the bid deadline has not passed",
        ));
    }
    let out = transition(&mut w, t, TenderStatus::Closed, None, "close").await?;
    w.commit().await?;
    Ok(out)
}

/// Cancels a draft, published or closed tender, releasing its reservation.
pub async fn cancel(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Tender> {
    let why = reason("reason", &r.reason)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let t = store::records::tender_for_update(&*w, actor, id).await?;
    if !matches!(
        t.status,
        TenderStatus::Draft | TenderStatus::Published | TenderStatus::Closed
    ) {
        return Err(bad_transition("tender", t.status.as_str(), "cancelled"));
    }
    // A published or closed tender's ceiling is reserved on its line: releasing it is a change
    // to the line's totals, made under the line's lock like every other.
    let reserving = t.status != TenderStatus::Draft;
    if reserving {
        lock_line(&*w, t.budget_line_id).await?;
    }
    let out = transition(&mut w, t, TenderStatus::Cancelled, Some(why), "cancel").await?;
    if reserving {
        budget::recount(&*w, out.budget_line_id).await?;
    }
    public_notices::tender_result(&*w, now, out.id, Outcome::Cancelled, None).await?;
    w.commit().await?;
    Ok(out)
}

/// Marks a closed tender unsuccessful (too few or no acceptable bids).
pub async fn unsuccessful(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Tender> {
    let why = reason("reason", &r.reason)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let t = store::records::tender_for_update(&*w, actor, id).await?;
    if t.status != TenderStatus::Closed {
        return Err(bad_transition(
            "tender",
            t.status.as_str(),
            "marked unsuccessful",
        ));
    }
    lock_line(&*w, t.budget_line_id).await?;
    let out = transition(
        &mut w,
        t,
        TenderStatus::Unsuccessful,
        Some(why),
        "mark_unsuccessful",
    )
    .await?;
    budget::recount(&*w, out.budget_line_id).await?;
    public_notices::tender_result(&*w, now, out.id, Outcome::Unsuccessful, None).await?;
    w.commit().await?;
    Ok(out)
}
