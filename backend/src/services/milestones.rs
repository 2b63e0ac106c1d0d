//! A contract's milestones (SPEC §2–§4): the plan of deliverables and amounts the organisation
//! reports against and the purchaser accepts and pays.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, milestone};
use entity::rules::procurement::milestone_overdue;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, Locale, MilestoneStatus};
use jobs::outbox::Recipient;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    IdenStatic, IntoActiveModel, Iterable, JoinType, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, RelationTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::common::{Reason, bad_transition, reason};
use crate::state::AppState;
use crate::store;

/// A milestone as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Milestone {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub title: String,
    pub description: String,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub status: MilestoneStatus,
    pub status_reason: Option<String>,
    /// Due before today and neither accepted nor cancelled.
    pub overdue: bool,
    pub score: Option<Score>,
    pub payable: Option<Money>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// The API form of a milestone, given today's local date.
pub fn shape(m: milestone::Model, today: NaiveDate) -> ApiResult<Milestone> {
    let status = m.status;
    Ok(Milestone {
        overdue: milestone_overdue(m.due_date, status, today),
        status,
        id: m.id,
        contract_id: m.contract_id,
        title: m.title,
        description: m.description,
        due_date: m.due_date,
        amount: Money::from_fen(m.amount_fen),
        status_reason: m.status_reason,
        score: m.score_tenths.map(Score::from_tenths),
        payable: m.payable_fen.map(Money::from_fen),
        accepted_at: m.accepted_at,
    })
}

/// A new milestone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    #[schema(value_type = crate::fields::Title)]
    pub title: String,
    #[serde(default)]
    #[schema(value_type = crate::fields::Description)]
    pub description: String,
    pub due_date: NaiveDate,
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub amount: Money,
}

/// Changes to a planned milestone.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestonePatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub title: Option<String>,
    #[schema(value_type = Option<crate::fields::Description>)]
    pub description: Option<String>,
    pub due_date: Option<NaiveDate>,
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub amount: Option<Money>,
}

/// Filters of `GET /contracts/{id}/milestones`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MilestoneFilter {
    pub status: Option<MilestoneStatus>,
    /// Only overdue (true) or only not overdue (false) milestones.
    pub overdue: Option<bool>,
}

/// 409 unless a contract value of `value_fen` covers `claimed_fen` of milestones and advances.
pub fn check_value_covers(value_fen: i64, claimed_fen: i64) -> ApiResult<()> {
    if claimed_fen > value_fen {
        return Err(ApiError::conflict(
            codes::MILESTONES_EXCEED_VALUE,
            format!(
                "the milestones' amounts and the advances paid ({}) would exceed the contract value ({})",
                entity::Money::from_fen(claimed_fen),
                entity::Money::from_fen(value_fen)
            ),
        ));
    }
    Ok(())
}

fn check_milestone(c: &mut Checks, m: &milestone::Model, contract: &contract::Model) {
    c.text("title", &m.title, fields::Title::MAX)
        .max_chars("description", &m.description, fields::Description::MAX)
        .check(
            m.amount_fen > 0,
            "amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        )
        .check(
            contract.start_date <= m.due_date && m.due_date <= contract.end_date,
            "due_date",
            codes::FIELD_OUTSIDE_PERIOD,
            "must be inside the contract period",
        );
}

/// Adds a milestone to a draft or active contract; the amounts never exceed the value.
pub async fn create(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: NewMilestone,
) -> ApiResult<Milestone> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let contract = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    let m = milestone::Model {
        id: Uuid::now_v7(),
        contract_id,
        title: new.title.trim().to_string(),
        description: new.description,
        due_date: new.due_date,
        amount_fen: new.amount.fen(),
        status: MilestoneStatus::Planned,
        status_reason: None,
        score_tenths: None,
        payable_fen: None,
        accepted_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut c = Checks::default();
    check_milestone(&mut c, &m, &contract);
    c.finish()?;
    if !matches!(
        contract.status,
        ContractStatus::Draft | ContractStatus::Active
    ) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!(
                "milestones cannot be added to a {} contract",
                contract.status
            ),
        ));
    }
    // Advances already paid are part of the value no milestone can claim.
    check_value_covers(
        contract.value_fen,
        store::sums::claimed_fen(&*w, contract_id).await? + m.amount_fen,
    )?;
    let out = shape(m.into_active_model().insert(&*w).await?, w.today())?;
    w.record("create", "milestone", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Who hears of a report on a contract: its responsible officer (if active) and the name of its
/// organisation, which the message names.
pub struct ReportParties {
    pub officer: Option<Recipient>,
    pub organisation_name: String,
}

/// The prefix of the milestone's columns in [`load_for_report`]'s row.
const MILESTONE: &str = "milestone_";

/// A contract with a milestone and its [`ReportParties`], read in one statement (the
/// milestone's columns prefixed with [`MILESTONE`]).
#[derive(FromQueryResult)]
struct WithParties {
    #[sea_orm(nested)]
    contract: contract::Model,
    #[sea_orm(nested(prefix = "milestone_"))]
    milestone: milestone::Model,
    officer_email: Option<String>,
    officer_locale: Option<Locale>,
    organisation_name: Option<String>,
}

/// A milestone to report on and its contract, locked for share, in one statement: reports on
/// different milestones of one contract go ahead together, and every change to the contract or
/// its milestones (which takes the contract's exclusive lock first) waits for them. The
/// milestone is not locked: its move to `submitted` is conditional on the status read here.
/// The contract comes with who hears of the report.
pub async fn load_for_report(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(milestone::Model, contract::Model, ReportParties)> {
    let officer = |column: &str| {
        Expr::cust(format!(
            "(SELECT app_user.{column} FROM app_user WHERE app_user.id = \
             contract.responsible_officer_id AND app_user.active)"
        ))
    };
    let mut find = contract::Entity::find()
        .join(
            JoinType::InnerJoin,
            milestone::Relation::Contract.def().rev(),
        )
        .filter(milestone::Column::Id.eq(id));
    QueryTrait::query(&mut find).lock_with_tables(LockType::Share, [contract::Entity]);
    for c in milestone::Column::iter() {
        find = find.column_as(
            Expr::col((milestone::Entity, c)),
            format!("{MILESTONE}{}", c.as_str()),
        );
    }
    let found = find
        .column_as(officer("email"), "officer_email")
        .column_as(officer("locale"), "officer_locale")
        .column_as(
            Expr::cust(
                "(SELECT organisation.name FROM organisation \
                 WHERE organisation.id = contract.organisation_id)",
            ),
            "organisation_name",
        )
        .into_model::<WithParties>()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contract = found.contract;
    store::contracts::visible(actor, &contract)?;
    let parties = ReportParties {
        officer: found.officer_email.map(|email| {
            Recipient::user(
                contract.responsible_officer_id,
                email,
                found.officer_locale.unwrap_or(Locale::ZhCn),
                None,
            )
        }),
        organisation_name: found.organisation_name.unwrap_or_default(),
    };
    Ok((found.milestone, contract, parties))
}

/// Edits a planned milestone.
pub async fn update(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: MilestonePatch,
) -> ApiResult<Milestone> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let (old, contract) = store::contracts::milestone_for_update(&*w, actor, id).await?;
    let before = shape(old.clone(), w.today())?;
    let mut m = old;
    if let Some(v) = p.title {
        m.title = v.trim().to_string();
    }
    if let Some(v) = p.description {
        m.description = v;
    }
    if let Some(v) = p.due_date {
        m.due_date = v;
    }
    if let Some(v) = p.amount {
        m.amount_fen = v.fen();
    }
    m.updated_at = w.now;
    let mut c = Checks::default();
    check_milestone(&mut c, &m, &contract);
    c.finish()?;
    if before.status != MilestoneStatus::Planned {
        return Err(ApiError::conflict(
            codes::MILESTONE_NOT_PLANNED,
            "only a planned milestone can be edited",
        ));
    }
    let others = store::sums::claimed_fen(&*w, contract.id).await? - before.amount.fen();
    check_value_covers(contract.value_fen, others + m.amount_fen)?;
    let out = shape(
        m.into_active_model().reset_all().update(&*w).await?,
        w.today(),
    )?;
    w.record("update", "milestone", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Cancels a planned or rejected milestone.
pub async fn cancel(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Milestone> {
    let why = reason("reason", &r.reason)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let (old, _) = store::contracts::milestone_for_update(&*w, actor, id).await?;
    let before = shape(old.clone(), w.today())?;
    if !matches!(
        before.status,
        MilestoneStatus::Planned | MilestoneStatus::Rejected
    ) {
        return Err(bad_transition(
            "milestone",
            before.status.as_str(),
            "cancelled",
        ));
    }
    let mut am = old.into_active_model();
    am.status = Set(MilestoneStatus::Cancelled);
    am.status_reason = Set(Some(why));
    am.updated_at = Set(w.now);
    let out = shape(am.update(&*w).await?, w.today())?;
    w.record("cancel", "milestone", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One milestone.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Milestone> {
    let m = milestone::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    store::contracts::load(&st.db, actor, m.contract_id).await?;
    shape(m, store::today(st))
}

/// A contract's milestones by due date, filtered.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    f: MilestoneFilter,
) -> ApiResult<Vec<Milestone>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    let day = store::today(st);
    let mut q = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .apply_if(f.status, |q, s| q.filter(milestone::Column::Status.eq(s)));
    let open = [
        MilestoneStatus::Planned,
        MilestoneStatus::Submitted,
        MilestoneStatus::Rejected,
    ];
    match f.overdue {
        Some(true) => {
            q = q
                .filter(milestone::Column::DueDate.lt(day))
                .filter(milestone::Column::Status.is_in(open))
        }
        Some(false) => {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(milestone::Column::DueDate.gte(day))
                    .add(milestone::Column::Status.is_not_in(open)),
            )
        }
        None => {}
    }
    let rows = q
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id)
        .all(&st.db)
        .await?;
    rows.into_iter().map(|m| shape(m, day)).collect()
}
