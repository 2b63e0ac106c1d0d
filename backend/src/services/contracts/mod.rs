//! Contracts (SPEC §2–§3): drafts from an award or a direct award, signing (which commits the
//! value against the budget line), amendments within 10 % of the signed value, termination and
//! completion. Every check that money depends on runs under the budget line's lock.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{amendment, contract, organisation, user};
use entity::rules::codes::is_valid_division_code;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, MilestoneStatus, Role, ServiceCategory};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::common::period_problem;
use crate::state::AppState;
use crate::store;
use crate::store::contracts::load_for_update;
use crate::store::today;

mod lifecycle;
mod reads;
pub use lifecycle::{amend, cancel, complete, sign, terminate};
pub use reads::{Parties, amendments, amendments_of_shown, get, get_with_parties, list};

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
