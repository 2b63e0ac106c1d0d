//! Contracts (SPEC §2–§3): drafts from an award or a direct award, signing (which commits the
//! value against the budget line), amendments within 10 % of the signed value, termination and
//! completion. Every check that money depends on runs under the budget line's lock.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{amendment, contract, organisation, tender, user};
use entity::rules::codes::is_valid_division_code;
use entity::rules::procurement::increases_within_limit;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, MilestoneStatus, Role, ServiceCategory, TenderStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::services::budget::{self, available_fen, lock_line};
use crate::services::common::{Reason, bad_transition, period_problem, reason};
use crate::services::public::notices::{self as public_notices, Outcome};
use crate::state::AppState;
use crate::store;
use crate::store::contracts::{load, load_for_update, visible};
use crate::store::page::page;
use crate::store::today;

/// The default score at or above which a milestone is paid in full.
pub const DEFAULT_FULL_PAY_TENTHS: i32 = 800;
/// The default score below which a milestone's payment is withheld.
pub const DEFAULT_MIN_PAY_TENTHS: i32 = 600;

/// How a milestone's score turns into its payable amount (SPEC §4).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PerformanceRule {
    pub full_pay_score: Score,
    pub min_pay_score: Score,
}

/// A contract as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contract {
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub organisation_id: Uuid,
    pub tender_id: Option<Uuid>,
    pub bid_id: Option<Uuid>,
    pub budget_line_id: Uuid,
    pub title: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    pub value: Money,
    pub signed_value: Option<Money>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
    pub status_reason: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub responsible_officer_id: Uuid,
    pub direct_award_reason: Option<String>,
    pub multi_year_reason: Option<String>,
    pub performance_rule: PerformanceRule,
}

impl TryFrom<contract::Model> for Contract {
    type Error = ApiError;
    fn try_from(m: contract::Model) -> ApiResult<Self> {
        Ok(Contract {
            service_category: m.service_category,
            status: m.status,
            id: m.id,
            purchaser_id: m.purchaser_id,
            organisation_id: m.organisation_id,
            tender_id: m.tender_id,
            bid_id: m.bid_id,
            budget_line_id: m.budget_line_id,
            title: m.title,
            division_code: m.division_code,
            value: Money::from_fen(m.value_fen),
            signed_value: m.signed_value_fen.map(Money::from_fen),
            start_date: m.start_date,
            end_date: m.end_date,
            status_reason: m.status_reason,
            signed_at: m.signed_at,
            responsible_officer_id: m.responsible_officer_id,
            direct_award_reason: m.direct_award_reason,
            multi_year_reason: m.multi_year_reason,
            performance_rule: PerformanceRule {
                full_pay_score: Score::from_tenths(m.full_pay_score_tenths),
                min_pay_score: Score::from_tenths(m.min_pay_score_tenths),
            },
        })
    }
}

/// A direct award (no tender): a finance officer's `single_source` purchase.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub purchaser_id: Uuid,
    pub organisation_id: Uuid,
    pub budget_line_id: Uuid,
    #[schema(value_type = crate::fields::Title)]
    pub title: String,
    pub service_category: ServiceCategory,
    #[schema(value_type = crate::fields::DivisionCode)]
    pub division_code: String,
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub value: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[schema(value_type = crate::fields::Reason)]
    pub direct_award_reason: String,
    pub responsible_officer_id: Option<Uuid>,
    #[schema(value_type = Option<crate::fields::Reason>)]
    pub multi_year_reason: Option<String>,
    pub performance_rule: Option<PerformanceRule>,
}

/// Changes to a draft contract. A tendered contract keeps the awarded bid's value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub title: Option<String>,
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub value: Option<Money>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub responsible_officer_id: Option<Uuid>,
    #[schema(value_type = Option<crate::fields::Reason>)]
    pub direct_award_reason: Option<String>,
    #[schema(value_type = Option<crate::fields::Reason>)]
    pub multi_year_reason: Option<String>,
    pub performance_rule: Option<PerformanceRule>,
}

/// Filters of `GET /contracts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContractFilter {
    pub status: Option<ContractStatus>,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// Only contracts whose end date is from today to this many days ahead (0–366); with
    /// `status=active`, the contracts ending soon that an officer's home page counts.
    #[param(value_type = Option<crate::fields::EndingWithinDays>)]
    pub ending_within_days: Option<u32>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// The longest horizon of `ending_within_days`.
pub const MAX_ENDING_WITHIN_DAYS: u32 = 366;

/// An amendment request: a new value and/or end date, with the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub value: Option<Money>,
    pub end_date: Option<NaiveDate>,
    #[schema(value_type = crate::fields::Reason)]
    pub reason: String,
}

/// An amendment with the values it replaced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amendment {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub old_value: Money,
    pub new_value: Money,
    pub old_end_date: NaiveDate,
    pub new_end_date: NaiveDate,
    pub reason: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<amendment::Model> for Amendment {
    fn from(m: amendment::Model) -> Self {
        Amendment {
            id: m.id,
            contract_id: m.contract_id,
            old_value: Money::from_fen(m.old_value_fen),
            new_value: Money::from_fen(m.new_value_fen),
            old_end_date: m.old_end_date,
            new_end_date: m.new_end_date,
            reason: m.reason,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

fn check_fields(c: &mut Checks, m: &contract::Model) {
    c.text("title", &m.title, fields::Title::MAX)
        .check(
            is_valid_division_code(&m.division_code),
            "division_code",
            codes::DIVISION_INVALID,
            "must be 6, 9 or 12 digits",
        )
        .check(
            m.value_fen > 0,
            "value",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        )
        .check(
            m.min_pay_score_tenths <= m.full_pay_score_tenths,
            "performance_rule",
            codes::PERFORMANCE_RULE_ORDER,
            "min_pay_score must not exceed full_pay_score",
        );
    if let Some((code, p)) = period_problem(m.start_date, m.end_date, m.multi_year_reason.is_some())
    {
        c.check(false, "end_date", code, p);
    }
    if m.tender_id.is_none() {
        c.text(
            "direct_award_reason",
            m.direct_award_reason.as_deref().unwrap_or_default(),
            fields::Reason::MAX,
        );
    }
}

/// Inserts a new draft contract with its audit event (award and direct award).
pub async fn insert(w: &mut store::Write<'_>, m: contract::Model) -> ApiResult<Contract> {
    let mut c = Checks::default();
    check_fields(&mut c, &m);
    c.finish()?;
    let out = Contract::try_from(m.into_active_model().insert(&**w).await?)?;
    w.record("create", "contract", out.id, None, Some(&out));
    Ok(out)
}

/// Checks that `officer` is an active finance officer of `purchaser`.
async fn check_officer(db: &impl ConnectionTrait, officer: Uuid, purchaser: Uuid) -> ApiResult<()> {
    let ok = user::Entity::find_by_id(officer)
        .one(db)
        .await?
        .is_some_and(|u| {
            u.active && u.role == Role::FinanceOfficer && u.purchaser_id == Some(purchaser)
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "responsible_officer_id",
            codes::CONTRACT_OFFICER_INVALID,
            "must be an active finance officer of the purchaser",
        ))
    }
}

/// Creates a direct-award draft contract.
pub async fn create(st: &AppState, actor: &Actor, new: NewContract) -> ApiResult<Contract> {
    actor.see_purchaser(new.purchaser_id)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let line = entity::model::budget_line::Entity::find_by_id(new.budget_line_id)
        .one(&*w)
        .await?
        .filter(|l| l.purchaser_id == new.purchaser_id)
        .ok_or_else(|| {
            ApiError::field(
                "budget_line_id",
                codes::REFERENCE_UNKNOWN,
                "no such budget line of this purchaser",
            )
        })?;
    let org = organisation::Entity::find_by_id(new.organisation_id)
        .one(&*w)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "organisation_id",
                codes::REFERENCE_UNKNOWN,
                "no such organisation",
            )
        })?;
    let officer = new.responsible_officer_id.unwrap_or(actor.id());
    check_officer(&*w, officer, new.purchaser_id).await?;
    let rule = new.performance_rule.unwrap_or(PerformanceRule {
        full_pay_score: Score::from_tenths(DEFAULT_FULL_PAY_TENTHS),
        min_pay_score: Score::from_tenths(DEFAULT_MIN_PAY_TENTHS),
    });
    let m = contract::Model {
        id: Uuid::now_v7(),
        purchaser_id: new.purchaser_id,
        organisation_id: org.id,
        tender_id: None,
        bid_id: None,
        budget_line_id: line.id,
        title: new.title.trim().to_string(),
        service_category: new.service_category,
        division_code: new.division_code,
        value_fen: new.value.fen(),
        signed_value_fen: None,
        start_date: new.start_date,
        end_date: new.end_date,
        status: ContractStatus::Draft,
        status_reason: None,
        signed_at: None,
        responsible_officer_id: officer,
        direct_award_reason: Some(new.direct_award_reason.trim().to_string()),
        multi_year_reason: new.multi_year_reason.filter(|r| !r.trim().is_empty()),
        full_pay_score_tenths: rule.full_pay_score.tenths(),
        min_pay_score_tenths: rule.min_pay_score.tenths(),
        created_at: now,
        updated_at: now,
    };
    // Bad input (422) is reported before a state that forbids the award (409).
    let mut c = Checks::default();
    check_fields(&mut c, &m);
    c.finish()?;
    crate::services::parties::check_active(&org, today(st), "cannot be awarded a contract")?;
    let out = insert(&mut w, m).await?;
    w.commit().await?;
    Ok(out)
}

/// 422 unless the period `start..=end` still contains the contract's milestones and posts.
async fn check_holds_children(
    db: &impl ConnectionTrait,
    id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> ApiResult<()> {
    use entity::model::{milestone, post};
    let dues: Vec<NaiveDate> = milestone::Entity::find()
        .select_only()
        .column(milestone::Column::DueDate)
        .filter(milestone::Column::ContractId.eq(id))
        .filter(milestone::Column::Status.ne(MilestoneStatus::Cancelled))
        .into_tuple()
        .all(db)
        .await?;
    if dues.iter().any(|d| *d < start || *d > end) {
        return Err(ApiError::field(
            "end_date",
            codes::CONTRACT_PERIOD_EXCLUDES_MILESTONES,
            "the contract period must still contain every milestone's due date",
        ));
    }
    let posts: Vec<(NaiveDate, NaiveDate)> = post::Entity::find()
        .select_only()
        .columns([post::Column::StartDate, post::Column::EndDate])
        .filter(post::Column::ContractId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    if posts.iter().any(|(s, e)| *s < start || *e > end) {
        return Err(ApiError::field(
            "end_date",
            codes::CONTRACT_PERIOD_EXCLUDES_POSTS,
            "the contract period must still contain every post's dates",
        ));
    }
    Ok(())
}

/// Edits a draft contract.
pub async fn update(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: ContractPatch,
) -> ApiResult<Contract> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let mut m = load_for_update(&*w, actor, id).await?;
    let before = Contract::try_from(m.clone())?;
    if before.status != ContractStatus::Draft {
        return Err(ApiError::conflict(
            codes::CONTRACT_NOT_DRAFT,
            "only a draft contract can be edited; amend an active one",
        ));
    }
    if let Some(v) = p.value {
        if m.tender_id.is_some() {
            return Err(ApiError::field(
                "value",
                codes::CONTRACT_VALUE_FIXED,
                "a tendered contract keeps the awarded bid's amount",
            ));
        }
        m.value_fen = v.fen();
    }
    if let Some(v) = p.title {
        m.title = v.trim().to_string();
    }
    if let Some(v) = p.start_date {
        m.start_date = v;
    }
    if let Some(v) = p.end_date {
        m.end_date = v;
    }
    if let Some(v) = p.responsible_officer_id {
        check_officer(&*w, v, m.purchaser_id).await?;
        m.responsible_officer_id = v;
    }
    if let Some(v) = p.direct_award_reason {
        m.direct_award_reason = Some(v.trim().to_string());
    }
    if let Some(v) = p.multi_year_reason {
        m.multi_year_reason = Some(v).filter(|r| !r.trim().is_empty());
    }
    if let Some(r) = p.performance_rule {
        m.full_pay_score_tenths = r.full_pay_score.tenths();
        m.min_pay_score_tenths = r.min_pay_score.tenths();
    }
    m.updated_at = now;
    let mut c = Checks::default();
    check_fields(&mut c, &m);
    c.finish()?;
    check_holds_children(&*w, id, m.start_date, m.end_date).await?;
    let claimed = store::sums::claimed_fen(&*w, id).await?;
    crate::services::milestones::check_value_covers(m.value_fen, claimed)?;
    let out = Contract::try_from(m.into_active_model().reset_all().update(&*w).await?)?;
    w.record("update", "contract", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Saves a contract's new state and records the transition.
async fn save(
    w: &mut store::Write<'_>,
    before: &Contract,
    mut m: contract::Model,
    action: &'static str,
) -> ApiResult<Contract> {
    m.updated_at = w.now;
    let out = Contract::try_from(m.into_active_model().reset_all().update(&**w).await?)?;
    w.record(action, "contract", out.id, Some(before), Some(&out));
    Ok(out)
}

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

/// A contract's amendments, oldest first.
pub async fn amendments(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Vec<Amendment>> {
    load(&st.db, actor, id).await?;
    amendments_of_shown(st, id).await
}

/// The amendments of a contract the actor was just shown (by [`get`], which checked that
/// they may see it): one query, no second visibility check.
pub async fn amendments_of_shown(st: &AppState, id: Uuid) -> ApiResult<Vec<Amendment>> {
    let rows = amendment::Entity::find()
        .filter(amendment::Column::ContractId.eq(id))
        .order_by_asc(amendment::Column::Id)
        .all(&st.db)
        .await?;
    Ok(rows.into_iter().map(Amendment::from).collect())
}

/// One contract.
/// What a contract's page shows above its tabs besides the contract: the names of its
/// organisation, its purchaser and its budget line (`code name`), and how many amendments it
/// has.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    pub organisation: String,
    pub purchaser: String,
    pub budget_line: String,
    pub amendments: i64,
}

/// The contract row with its [`Parties`], read in one statement.
struct WithParties(contract::Model, Parties);

impl sea_orm::FromQueryResult for WithParties {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let text = |c: &str| -> Result<String, sea_orm::DbErr> {
            Ok(res.try_get::<Option<String>>(pre, c)?.unwrap_or_default())
        };
        Ok(WithParties(
            contract::Model::from_query_result(res, pre)?,
            Parties {
                organisation: text("parties_organisation")?,
                purchaser: text("parties_purchaser")?,
                budget_line: text("parties_line")?,
                amendments: res.try_get(pre, "parties_amendments")?,
            },
        ))
    }
}

/// One contract as [`get`] answers it, with its [`Parties`], in one statement (a page's).
pub async fn get_with_parties(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(Contract, Parties)> {
    use sea_orm::sea_query::Expr;
    let WithParties(c, parties) = contract::Entity::find_by_id(id)
        .column_as(
            Expr::cust("(SELECT name FROM organisation o WHERE o.id = contract.organisation_id)"),
            "parties_organisation",
        )
        .column_as(
            Expr::cust("(SELECT name FROM purchaser p WHERE p.id = contract.purchaser_id)"),
            "parties_purchaser",
        )
        .column_as(
            Expr::cust(
                "(SELECT b.code || ' ' || b.name FROM budget_line b WHERE b.id = contract.budget_line_id)",
            ),
            "parties_line",
        )
        .column_as(
            Expr::cust(
                "(SELECT CAST(COUNT(*) AS BIGINT) FROM amendment a WHERE a.contract_id = contract.id)",
            ),
            "parties_amendments",
        )
        .into_model::<WithParties>()
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    visible(actor, &c)?;
    Ok((Contract::try_from(c)?, parties))
}

pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Contract> {
    Contract::try_from(load(&st.db, actor, id).await?)
}

/// A page of the contracts the actor may see.
pub async fn list(st: &AppState, actor: &Actor, f: ContractFilter) -> ApiResult<Page<Contract>> {
    let mut q = contract::Entity::find()
        .apply_if(actor.purchaser_scope(), |q, own| {
            q.filter(contract::Column::PurchaserId.eq(own))
        })
        .apply_if(actor.organisation_scope(), |q, own| {
            q.filter(contract::Column::OrganisationId.eq(own))
        })
        .apply_if(f.status, |q, v| q.filter(contract::Column::Status.eq(v)))
        .apply_if(f.purchaser_id, |q, v| {
            q.filter(contract::Column::PurchaserId.eq(v))
        })
        .apply_if(f.organisation_id, |q, v| {
            q.filter(contract::Column::OrganisationId.eq(v))
        });
    if let Some(days) = f.ending_within_days {
        if days > MAX_ENDING_WITHIN_DAYS {
            return Err(ApiError::field(
                "ending_within_days",
                crate::error::codes::FIELD_OUT_OF_RANGE,
                format!("must be from 0 to {MAX_ENDING_WITHIN_DAYS}"),
            ));
        }
        let day = today(st);
        q = q
            .filter(contract::Column::EndDate.gte(day))
            .filter(contract::Column::EndDate.lte(day + chrono::Days::new(days.into())));
    }
    let models = page(
        &st.db,
        q,
        contract::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &contract::Model| m.id,
    )
    .await?;
    models.try_map(Contract::try_from)
}
