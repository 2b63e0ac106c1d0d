//! A contract's moves after its creation: sign, cancel, terminate, complete, and amend
//! (with the checks of an amended value), each in one transaction under the contract's lock.

use entity::Money;
use entity::model::{amendment, contract, organisation, tender};
use entity::rules::procurement::increases_within_limit;
use entity::rules::vocab::{ContractStatus, MilestoneStatus, TenderStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{Amendment, Contract, NewAmendment, check_holds_children, save};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, codes};
use crate::services::budget::{self, available_fen, lock_line};
use crate::services::common::Reason;
use crate::services::common::{bad_transition, period_problem, reason};
use crate::services::public::notices::{self as public_notices, Outcome};
use crate::state::AppState;
use crate::store;
use crate::store::contracts::load_for_update;
use crate::store::today;

/// Signs a draft: the organisation must be active and the line must have the value available
/// (the contract's own tender reservation is released by the signature, so it counts as free).
pub async fn sign(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Contract> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let mut m = load_for_update(&*w, actor, id).await?;
    let before = Contract::try_from(m.clone())?;
    if before.status != ContractStatus::Draft {
        return Err(bad_transition("contract", before.status.as_str(), "signed"));
    }
    let org = organisation::Entity::find_by_id(m.organisation_id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::services::parties::check_active(&org, today(st), "cannot sign")?;
    crate::services::indicators::check_weights(&*w, m.id).await?;
    let line = lock_line(&*w, m.budget_line_id).await?;
    let own_reservation = match m.tender_id {
        Some(t) => tender::Entity::find_by_id(t)
            .one(&*w)
            .await?
            .filter(|t| t.status == TenderStatus::Awarded)
            .map_or(0, |t| t.ceiling_fen),
        None => 0,
    };
    if available_fen(&line) + own_reservation < m.value_fen {
        return Err(ApiError::conflict(
            codes::BUDGET_INSUFFICIENT,
            "the budget line does not have the contract value available",
        ));
    }
    m.status = ContractStatus::Active;
    m.signed_at = Some(now);
    m.signed_value_fen = Some(m.value_fen);
    let out = save(&mut w, &before, m, "sign").await?;
    budget::recount(&*w, line.id).await?;
    public_notices::contract_signed(&*w, now, id).await?;
    w.commit().await?;
    Ok(out)
}

/// Cancels a draft; an awarded tender returns to `closed` for a new award.
pub async fn cancel(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Contract> {
    let why = reason("reason", &r.reason)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let mut m = load_for_update(&*w, actor, id).await?;
    let before = Contract::try_from(m.clone())?;
    if before.status != ContractStatus::Draft {
        return Err(bad_transition(
            "contract",
            before.status.as_str(),
            "cancelled",
        ));
    }
    let mut withdrawn = None;
    if let Some(tid) = m.tender_id
        && let Some(t) = tender::Entity::find_by_id(tid)
            .lock_exclusive()
            .one(&*w)
            .await?
        && t.status == TenderStatus::Awarded
    {
        let t_before = crate::services::tenders::Tender::try_from(t.clone())?;
        let mut am = t.into_active_model();
        am.status = Set(TenderStatus::Closed);
        am.awarded_bid_id = Set(None);
        am.updated_at = Set(now);
        let t_after = crate::services::tenders::Tender::try_from(am.update(&*w).await?)?;
        w.record(
            "reopen_award",
            "tender",
            tid,
            Some(&t_before),
            Some(&t_after),
        );
        withdrawn = Some(tid);
    }
    m.status = ContractStatus::Cancelled;
    m.status_reason = Some(why);
    let out = save(&mut w, &before, m, "cancel").await?;
    if let Some(tid) = withdrawn {
        public_notices::tender_result(&*w, now, tid, Outcome::AwardWithdrawn, Some(id)).await?;
    }
    w.commit().await?;
    Ok(out)
}

/// Terminates an active contract; the unpaid rest is released from the budget line.
pub async fn terminate(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Contract> {
    let why = reason("reason", &r.reason)?;
    end(st, actor, id, ContractStatus::Terminated, Some(why)).await
}

/// Completes an active contract (every milestone accepted or cancelled).
pub async fn complete(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Contract> {
    end(st, actor, id, ContractStatus::Completed, None).await
}

async fn end(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    to: ContractStatus,
    why: Option<String>,
) -> ApiResult<Contract> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let mut m = load_for_update(&*w, actor, id).await?;
    let before = Contract::try_from(m.clone())?;
    if before.status != ContractStatus::Active {
        let verb = if to == ContractStatus::Completed {
            "completed"
        } else {
            "terminated"
        };
        return Err(bad_transition("contract", before.status.as_str(), verb));
    }
    if to == ContractStatus::Completed {
        let open = entity::model::milestone::Entity::find()
            .filter(entity::model::milestone::Column::ContractId.eq(id))
            .filter(
                entity::model::milestone::Column::Status
                    .is_not_in([MilestoneStatus::Accepted, MilestoneStatus::Cancelled]),
            )
            .count(&*w)
            .await?;
        if open > 0 {
            return Err(ApiError::conflict(
                codes::CONTRACT_MILESTONES_OPEN,
                format!("{open} milestones are neither accepted nor cancelled"),
            ));
        }
    }
    // The line's figures change: take its lock like every other change to them.
    let line = lock_line(&*w, m.budget_line_id).await?;
    m.status = to;
    m.status_reason = why;
    let action = if to == ContractStatus::Completed {
        "complete"
    } else {
        "terminate"
    };
    let out = save(&mut w, &before, m, action).await?;
    budget::recount(&*w, line.id).await?;
    if to == ContractStatus::Terminated {
        public_notices::contract_terminated(&*w, now, id).await?;
    }
    w.commit().await?;
    Ok(out)
}

/// Amends an active contract's value and/or end date (SPEC §3).
pub async fn amend(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    a: NewAmendment,
) -> ApiResult<Amendment> {
    let why = reason("reason", &a.reason)?;
    if a.value.is_none() && a.end_date.is_none() {
        return Err(ApiError::field(
            "value",
            codes::AMENDMENT_EMPTY,
            "give a new value, a new end_date, or both",
        ));
    }
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let mut m = load_for_update(&*w, actor, id).await?;
    let before = Contract::try_from(m.clone())?;
    if before.status != ContractStatus::Active {
        return Err(ApiError::conflict(
            codes::CONTRACT_NOT_ACTIVE,
            format!("a {} contract cannot be amended", before.status.as_str()),
        ));
    }
    let new_value = a.value.map_or(m.value_fen, Money::fen);
    let new_end = a.end_date.unwrap_or(m.end_date);
    if new_value <= 0 {
        return Err(ApiError::field(
            "value",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        ));
    }
    if let Some((code, p)) = period_problem(m.start_date, new_end, m.multi_year_reason.is_some()) {
        return Err(ApiError::field("end_date", code, p));
    }
    check_holds_children(&*w, id, m.start_date, new_end).await?;
    check_amended_value(&*w, id, new_value).await?;
    let line = lock_line(&*w, m.budget_line_id).await?;
    if new_value > m.value_fen {
        check_increase(&*w, &m, &line, new_value).await?;
    }
    let row = amendment::ActiveModel {
        id: Set(Uuid::now_v7()),
        contract_id: Set(id),
        old_value_fen: Set(m.value_fen),
        new_value_fen: Set(new_value),
        old_end_date: Set(m.end_date),
        new_end_date: Set(new_end),
        reason: Set(why),
        created_by: Set(actor.id()),
        created_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = Amendment::from(row);
    let value_changes = new_value != m.value_fen;
    m.value_fen = new_value;
    m.end_date = new_end;
    save(&mut w, &before, m, "amend").await?;
    if value_changes {
        budget::recount(&*w, line.id).await?;
    }
    w.record("create", "amendment", out.id, None, Some(&out));
    public_notices::contract_amended(&*w, now, id, out.id).await?;
    w.commit().await?;
    Ok(out)
}

/// 409 unless the amended value still covers the milestones and advances and what was paid.
async fn check_amended_value(db: &impl ConnectionTrait, id: Uuid, new_value: i64) -> ApiResult<()> {
    let claimed = store::sums::claimed_fen(db, id).await?;
    crate::services::milestones::check_value_covers(new_value, claimed)?;
    let paid = store::sums::paid_on_contract(db, id).await?;
    if new_value < paid {
        return Err(ApiError::conflict(
            codes::AMENDMENT_BELOW_PAID,
            format!(
                "the value cannot be below what was paid ({})",
                Money::from_fen(paid)
            ),
        ));
    }
    Ok(())
}

/// 409 unless an increase to `new_value` keeps all increases within 10 % of the signed value
/// and the locked line has it available.
async fn check_increase(
    db: &impl ConnectionTrait,
    m: &contract::Model,
    line: &entity::model::budget_line::Model,
    new_value: i64,
) -> ApiResult<()> {
    let earlier: Vec<(i64, i64)> = amendment::Entity::find()
        .select_only()
        .columns([
            amendment::Column::OldValueFen,
            amendment::Column::NewValueFen,
        ])
        .filter(amendment::Column::ContractId.eq(m.id))
        .into_tuple()
        .all(db)
        .await?;
    let increases: i64 =
        earlier.iter().map(|(o, n)| (n - o).max(0)).sum::<i64>() + (new_value - m.value_fen);
    if !increases_within_limit(m.signed_value_fen.unwrap_or(m.value_fen), increases) {
        return Err(ApiError::conflict(
            codes::AMENDMENT_OVER_LIMIT,
            "increases may total at most 10 % of the signed value",
        ));
    }
    if available_fen(line) < new_value - m.value_fen {
        return Err(ApiError::conflict(
            codes::BUDGET_INSUFFICIENT,
            "the budget line does not have the increase available",
        ));
    }
    Ok(())
}
