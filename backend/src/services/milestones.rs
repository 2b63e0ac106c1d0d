//! Milestones and indicators of a contract (SPEC §2–§4), the contract's performance view and
//! the post funding computation.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, indicator, measurement, milestone, post, post_assignment};
use entity::rules::performance::{
    IndicatorSpec, achievement, days_by_year, effective_target, pro_rata, round_fen, score,
};
use entity::rules::posts::Span;
use entity::rules::procurement::milestone_overdue;
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;
use entity::rules::vocab::{Comparator, ContractStatus, Measure, MilestoneStatus};
use jobs::outbox::Recipient;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    FromQueryResult, IdenStatic, IntoActiveModel, Iterable, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::common::{bad_transition, reason, stored};
use crate::services::contracts;
use crate::state::AppState;

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
    let status = stored(
        MilestoneStatus::parse(&m.status),
        "milestone status",
        &m.status,
    )?;
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

/// `{reason}` of a cancellation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schema(value_type = crate::fields::Reason)]
    pub reason: String,
}

/// Today's local date of the installation.
pub fn today(st: &AppState) -> NaiveDate {
    jobs::clock::local_today(st.clock.as_ref(), st.config.tz)
}

/// The sum of the contract's milestone amounts, cancelled ones excluded.
async fn milestone_sum_fen(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    let amounts: Vec<i64> = milestone::Entity::find()
        .select_only()
        .column(milestone::Column::AmountFen)
        .filter(milestone::Column::ContractId.eq(contract_id))
        .filter(milestone::Column::Status.ne(MilestoneStatus::Cancelled.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(amounts.iter().sum())
}

/// What a contract's value must always cover (SPEC §3): its live milestones' amounts and the
/// advances paid on it, in fen. Read under the contract's lock by every change of a value or an
/// amount.
pub async fn claimed_fen(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    Ok(milestone_sum_fen(db, contract_id).await?
        + crate::services::payments::advances_fen(db, contract_id).await?)
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

fn check_milestone(c: &mut Checks, m: &milestone::Model, k: &contract::Model) {
    c.text("title", &m.title, fields::Title::MAX)
        .max_chars("description", &m.description, fields::Description::MAX)
        .check(
            m.amount_fen > 0,
            "amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        )
        .check(
            k.start_date <= m.due_date && m.due_date <= k.end_date,
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
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let k = contracts::load_for_update(&txn, actor, contract_id).await?;
    let m = milestone::Model {
        id: Uuid::now_v7(),
        contract_id,
        title: new.title.trim().to_string(),
        description: new.description,
        due_date: new.due_date,
        amount_fen: new.amount.fen(),
        status: MilestoneStatus::Planned.as_str().into(),
        status_reason: None,
        score_tenths: None,
        payable_fen: None,
        accepted_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut c = Checks::default();
    check_milestone(&mut c, &m, &k);
    c.finish()?;
    if !matches!(
        ContractStatus::parse(&k.status),
        Some(ContractStatus::Draft | ContractStatus::Active)
    ) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("milestones cannot be added to a {} contract", k.status),
        ));
    }
    // Advances already paid are part of the value no milestone can claim.
    check_value_covers(
        k.value_fen,
        claimed_fen(&txn, contract_id).await? + m.amount_fen,
    )?;
    let out = shape(m.into_active_model().insert(&txn).await?, today(st))?;
    audit::record(
        &txn,
        now,
        Change::of(
            Some(actor.id()),
            "create",
            "milestone",
            out.id,
            None,
            Some(&out),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// Loads a milestone and its contract (locked) if the actor may see the contract.
pub async fn load_for_update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(milestone::Model, contract::Model)> {
    // The contract (found by subquery: a milestone never changes contract) is locked first,
    // then the milestone read under that lock: every change to a milestone takes it first.
    let k = contracts::load_where(txn, actor, contract_of(id), Some(LockType::Update)).await?;
    let m = milestone::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((m, k))
}

/// Who hears of a report on a contract: its responsible officer (if active) and the name of its
/// organisation, which the message names.
pub struct ReportParties {
    pub officer: Option<Recipient>,
    pub organisation_name: String,
}

/// The prefix of the milestone's columns in [`load_for_report`]'s row.
const MILESTONE: &str = "milestone_";

/// A contract with a milestone and its [`ReportParties`], read in one statement.
struct WithParties {
    contract: contract::Model,
    milestone: milestone::Model,
    officer_email: Option<String>,
    officer_locale: Option<String>,
    organisation_name: Option<String>,
}

impl FromQueryResult for WithParties {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(WithParties {
            contract: contract::Model::from_query_result(row, pre)?,
            milestone: milestone::Model::from_query_result(row, &format!("{pre}{MILESTONE}"))?,
            officer_email: row.try_get(pre, "officer_email")?,
            officer_locale: row.try_get(pre, "officer_locale")?,
            organisation_name: row.try_get(pre, "organisation_name")?,
        })
    }
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
    let mut find = contract::Entity::find().filter(milestone::Column::Id.eq(id));
    QueryTrait::query(&mut find)
        .inner_join(
            milestone::Entity,
            sea_orm::ExprTrait::equals(
                Expr::col((milestone::Entity, milestone::Column::ContractId)),
                (contract::Entity, contract::Column::Id),
            ),
        )
        .lock_with_tables(LockType::Share, [contract::Entity]);
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
    let k = found.contract;
    contracts::visible(actor, &k)?;
    let parties = ReportParties {
        officer: found.officer_email.map(|email| {
            Recipient::user(
                k.responsible_officer_id,
                email,
                found.officer_locale.as_deref().unwrap_or_default(),
                None,
            )
        }),
        organisation_name: found.organisation_name.unwrap_or_default(),
    };
    Ok((found.milestone, k, parties))
}

/// The condition "the contract of milestone `id`" (none when there is no such milestone).
fn contract_of(id: Uuid) -> sea_orm::Condition {
    let of = Query::select()
        .column(milestone::Column::ContractId)
        .from(milestone::Entity)
        .and_where(milestone::Column::Id.eq(id))
        .to_owned();
    sea_orm::Condition::all().add(contract::Column::Id.in_subquery(of))
}

/// Whether the milestone exists and the actor may see it (its contract), in one statement.
pub async fn visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ApiResult<()> {
    contracts::load_where(db, actor, contract_of(id), None)
        .await
        .map(|_| ())
}

/// Edits a planned milestone.
pub async fn update(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: MilestonePatch,
) -> ApiResult<Milestone> {
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let (old, k) = load_for_update(&txn, actor, id).await?;
    let before = shape(old.clone(), today(st))?;
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
    m.updated_at = now;
    let mut c = Checks::default();
    check_milestone(&mut c, &m, &k);
    c.finish()?;
    if before.status != MilestoneStatus::Planned {
        return Err(ApiError::conflict(
            codes::MILESTONE_NOT_PLANNED,
            "only a planned milestone can be edited",
        ));
    }
    let others = claimed_fen(&txn, k.id).await? - before.amount.fen();
    check_value_covers(k.value_fen, others + m.amount_fen)?;
    let out = shape(
        m.into_active_model().reset_all().update(&txn).await?,
        today(st),
    )?;
    audit::record(
        &txn,
        now,
        Change::of(
            Some(actor.id()),
            "update",
            "milestone",
            id,
            Some(&before),
            Some(&out),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// Cancels a planned or rejected milestone.
pub async fn cancel(st: &AppState, actor: &Actor, id: Uuid, r: Reason) -> ApiResult<Milestone> {
    let why = reason("reason", &r.reason)?;
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let (old, _) = load_for_update(&txn, actor, id).await?;
    let before = shape(old.clone(), today(st))?;
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
    am.status = Set(MilestoneStatus::Cancelled.as_str().into());
    am.status_reason = Set(Some(why));
    am.updated_at = Set(now);
    let out = shape(am.update(&txn).await?, today(st))?;
    audit::record(
        &txn,
        now,
        Change::of(
            Some(actor.id()),
            "cancel",
            "milestone",
            id,
            Some(&before),
            Some(&out),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// One milestone.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Milestone> {
    let m = milestone::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    contracts::load(&st.db, actor, m.contract_id).await?;
    shape(m, today(st))
}

/// A contract's milestones by due date, filtered.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    f: MilestoneFilter,
) -> ApiResult<Vec<Milestone>> {
    contracts::load(&st.db, actor, contract_id).await?;
    let day = today(st);
    let mut q = milestone::Entity::find().filter(milestone::Column::ContractId.eq(contract_id));
    if let Some(s) = f.status {
        q = q.filter(milestone::Column::Status.eq(s.as_str()));
    }
    let open = [
        MilestoneStatus::Planned,
        MilestoneStatus::Submitted,
        MilestoneStatus::Rejected,
    ]
    .map(MilestoneStatus::as_str);
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

/// An indicator as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub target: Quantity,
    pub comparator: Comparator,
    pub measure: Measure,
    pub weight: i32,
}

fn indicator_out(m: indicator::Model) -> ApiResult<Indicator> {
    Ok(Indicator {
        comparator: stored(
            Comparator::parse(&m.comparator),
            "comparator",
            &m.comparator,
        )?,
        measure: stored(Measure::parse(&m.measure), "measure", &m.measure)?,
        id: m.id,
        contract_id: m.contract_id,
        code: m.code,
        name: m.name,
        unit: m.unit,
        target: Quantity::from_e4(m.target_e4),
        weight: m.weight,
    })
}

/// A new indicator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    #[schema(value_type = crate::fields::Code)]
    pub code: String,
    #[schema(value_type = crate::fields::Title)]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = crate::fields::Unit)]
    pub unit: String,
    pub target: Quantity,
    pub comparator: Comparator,
    pub measure: Option<Measure>,
    /// A whole number; a contract's weights sum to 100.
    #[schema(value_type = crate::fields::Weight)]
    #[serde(deserialize_with = "fields::whole")]
    pub weight: i32,
}

/// Changes to an indicator.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::fields::Unit>)]
    pub unit: Option<String>,
    pub target: Option<Quantity>,
    pub comparator: Option<Comparator>,
    pub measure: Option<Measure>,
    #[schema(value_type = Option<crate::fields::Weight>)]
    #[serde(default, deserialize_with = "fields::whole_opt")]
    pub weight: Option<i32>,
}

fn check_indicator(c: &mut Checks, prefix: &str, m: &indicator::Model) {
    let f = |n: &str| format!("{prefix}{n}");
    c.text(&f("code"), &m.code, fields::Code::MAX)
        .text(&f("name"), &m.name, fields::Title::MAX)
        .max_chars(&f("unit"), &m.unit, fields::Unit::MAX)
        .check(
            fields::Weight::contains(m.weight),
            &f("weight"),
            codes::FIELD_OUT_OF_RANGE,
            "must be a whole number from 0 to 100",
        )
        .check(
            m.comparator != Comparator::AtLeast.as_str() || m.target_e4 > 0,
            &f("target"),
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0 for an at_least indicator",
        );
}

/// 409 unless the contract's weights sum to 100 (when it has indicators).
pub async fn check_weights(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<()> {
    let weights: Vec<i32> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::Weight)
        .filter(indicator::Column::ContractId.eq(contract_id))
        .into_tuple()
        .all(db)
        .await?;
    let sum: i32 = weights.iter().sum();
    if weights.is_empty() || sum == 100 {
        Ok(())
    } else {
        Err(ApiError::conflict(
            codes::INDICATORS_WEIGHTS_NOT_100,
            format!("the indicators' weights sum to {sum}, not 100"),
        ))
    }
}

/// Adds one or several indicators to a draft or active contract; on an active contract the
/// weights must still sum to 100 afterwards.
pub async fn add_indicators(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: Vec<NewIndicator>,
) -> ApiResult<Vec<Indicator>> {
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let k = contracts::load_for_update(&txn, actor, contract_id).await?;
    let status = stored(
        ContractStatus::parse(&k.status),
        "contract status",
        &k.status,
    )?;
    let batch = new.len() > 1;
    let mut c = Checks::default();
    let mut rows = Vec::new();
    for (i, n) in new.into_iter().enumerate() {
        let m = indicator::Model {
            id: Uuid::now_v7(),
            contract_id,
            code: n.code.trim().to_string(),
            name: n.name.trim().to_string(),
            unit: n.unit.trim().to_string(),
            target_e4: n.target.e4(),
            comparator: n.comparator.as_str().into(),
            measure: n.measure.unwrap_or(Measure::Level).as_str().into(),
            weight: n.weight,
            created_at: now,
            updated_at: now,
        };
        check_indicator(
            &mut c,
            &if batch {
                format!("[{i}].")
            } else {
                String::new()
            },
            &m,
        );
        rows.push(m);
    }
    c.finish()?;
    if !matches!(status, ContractStatus::Draft | ContractStatus::Active) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("indicators of a {} contract cannot change", k.status),
        ));
    }
    let existing: Vec<String> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::Code)
        .filter(indicator::Column::ContractId.eq(contract_id))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut codes: Vec<&String> = existing
        .iter()
        .chain(rows.iter().map(|r| &r.code))
        .collect();
    codes.sort();
    if codes.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::conflict(
            codes::INDICATOR_DUPLICATE,
            "an indicator with this code already exists on the contract",
        ));
    }
    let mut out = Vec::new();
    for m in rows {
        let ind = indicator_out(m.into_active_model().insert(&txn).await?)?;
        audit::record(
            &txn,
            now,
            Change::of(
                Some(actor.id()),
                "create",
                "indicator",
                ind.id,
                None,
                Some(&ind),
            ),
        )
        .await?;
        out.push(ind);
    }
    if status == ContractStatus::Active {
        check_weights(&txn, contract_id).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Changes an indicator; on an active contract the weights must still sum to 100.
pub async fn update_indicator(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: IndicatorPatch,
) -> ApiResult<Indicator> {
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let old = indicator::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let k = contracts::load_for_update(&txn, actor, old.contract_id).await?;
    let status = stored(
        ContractStatus::parse(&k.status),
        "contract status",
        &k.status,
    )?;
    let before = indicator_out(old.clone())?;
    let mut m = old;
    if let Some(v) = p.name {
        m.name = v.trim().to_string();
    }
    if let Some(v) = p.unit {
        m.unit = v.trim().to_string();
    }
    if let Some(v) = p.target {
        m.target_e4 = v.e4();
    }
    if let Some(v) = p.comparator {
        m.comparator = v.as_str().into();
    }
    if let Some(v) = p.measure {
        m.measure = v.as_str().into();
    }
    if let Some(v) = p.weight {
        m.weight = v;
    }
    m.updated_at = now;
    let mut c = Checks::default();
    check_indicator(&mut c, "", &m);
    c.finish()?;
    if !matches!(status, ContractStatus::Draft | ContractStatus::Active) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("indicators of a {} contract cannot change", k.status),
        ));
    }
    let out = indicator_out(m.into_active_model().reset_all().update(&txn).await?)?;
    if status == ContractStatus::Active {
        check_weights(&txn, k.id).await?;
    }
    audit::record(
        &txn,
        now,
        Change::of(
            Some(actor.id()),
            "update",
            "indicator",
            id,
            Some(&before),
            Some(&out),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// One indicator.
pub async fn get_indicator(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Indicator> {
    let m = indicator::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    contracts::load(&st.db, actor, m.contract_id).await?;
    indicator_out(m)
}

/// A contract's indicators.
pub async fn indicators(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
) -> ApiResult<Vec<Indicator>> {
    contracts::load(&st.db, actor, contract_id).await?;
    indicators_of(&st.db, contract_id)
        .await?
        .into_iter()
        .map(indicator_out)
        .collect()
}

async fn indicators_of(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
) -> ApiResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::ContractId.eq(contract_id))
        .order_by_asc(indicator::Column::Id)
        .all(db)
        .await?)
}

/// One indicator's part in a score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorScore {
    pub indicator_id: Uuid,
    pub code: String,
    pub name: String,
    pub comparator: Comparator,
    pub measure: Measure,
    pub weight: i32,
    pub target: Quantity,
    /// The target compared with (pro-rated for cumulative indicators), as decimal text.
    #[schema(value_type = String)]
    pub effective_target: Decimal,
    /// The value used (the latest measurement; none counts as 0).
    pub value: Option<Quantity>,
    /// 0–1, as decimal text.
    #[schema(value_type = String)]
    pub achievement: Decimal,
    /// weight × achievement, as decimal text.
    #[schema(value_type = String)]
    pub contribution: Decimal,
}

/// A score and its breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreBreakdown {
    pub score: Option<Score>,
    pub indicators: Vec<IndicatorScore>,
}

/// Scores a contract at `due` from the latest measurement of each indicator reported up to
/// `until` (SPEC §4: the value in the report being accepted, else the latest earlier one —
/// any earlier report of the contract; none counts as 0), in two queries.
pub async fn score_at(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    due: NaiveDate,
    until: DateTime<Utc>,
) -> ApiResult<ScoreBreakdown> {
    let inds = indicators_of(db, k.id).await?;
    let ids: Vec<Uuid> = inds.iter().map(|i| i.id).collect();
    let mut latest: HashMap<Uuid, i64> = HashMap::new();
    if !ids.is_empty() {
        let rows: Vec<(Uuid, i64)> = measurement::Entity::find()
            .select_only()
            .columns([
                measurement::Column::IndicatorId,
                measurement::Column::ValueE4,
            ])
            .filter(measurement::Column::IndicatorId.is_in(ids))
            .filter(measurement::Column::SubmittedAt.lte(until))
            .order_by_desc(measurement::Column::SubmittedAt)
            .order_by_desc(measurement::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        for (ind, v) in rows {
            latest.entry(ind).or_insert(v);
        }
    }
    let mut parts = Vec::new();
    let mut items = Vec::new();
    for i in inds {
        let comparator = stored(
            Comparator::parse(&i.comparator),
            "comparator",
            &i.comparator,
        )?;
        let measure = stored(Measure::parse(&i.measure), "measure", &i.measure)?;
        let target = Quantity::from_e4(i.target_e4);
        let spec = IndicatorSpec {
            comparator,
            measure,
            target: target.decimal(),
            weight: i.weight.max(0) as u32,
        };
        let t = effective_target(&spec, k.start_date, k.end_date, due);
        let value = latest.get(&i.id).map(|v| Quantity::from_e4(*v));
        let a = achievement(comparator, t, value.unwrap_or_default().decimal());
        items.push((spec.weight, a));
        parts.push(IndicatorScore {
            indicator_id: i.id,
            code: i.code,
            name: i.name,
            comparator,
            measure,
            weight: i.weight,
            target,
            effective_target: t.round_dp(4),
            value,
            achievement: a.round_dp(4),
            contribution: (Decimal::from(spec.weight) * a).round_dp(4),
        });
    }
    Ok(ScoreBreakdown {
        score: score(&items),
        indicators: parts,
    })
}

/// `GET /contracts/{id}/performance`: the score so far, and each milestone's stored score.
#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    pub score: Option<Score>,
    /// The date the score is computed at (today, within the contract period).
    pub as_of: NaiveDate,
    pub indicators: Vec<IndicatorScore>,
    pub milestones: Vec<Milestone>,
}

/// The contract's score so far from the latest measurements, with the breakdown.
pub async fn performance(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
) -> ApiResult<Performance> {
    let k = contracts::load(&st.db, actor, contract_id).await?;
    let as_of = today(st).clamp(k.start_date, k.end_date);
    let b = score_at(&st.db, &k, as_of, st.now()).await?;
    let day = today(st);
    let ms = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .order_by_asc(milestone::Column::DueDate)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|m| shape(m, day))
        .collect::<ApiResult<_>>()?;
    Ok(Performance {
        score: b.score,
        as_of,
        indicators: b.indicators,
        milestones: ms,
    })
}

/// Filled and vacant days of the contract's posts over `[from, to]`, with funding.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostFunding {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub posts: Vec<PostFundingLine>,
    pub total: Money,
    pub vacancy_deduction: Money,
}

/// One post's funding over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostFundingLine {
    pub post_id: Uuid,
    pub title: String,
    pub annual_funding: Money,
    pub filled_days: i64,
    pub vacancy_days: i64,
    /// `annual_funding × filled days / days in that calendar year`, summed over years.
    pub funding: Money,
    pub vacancy_deduction: Money,
}

/// Query of `GET /contracts/{id}/post-funding` (defaults: the contract period).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FundingWindow {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Per post: (funding, deduction) in unrounded fen, with day counts.
pub async fn post_funding_of(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<(post::Model, i64, i64, Decimal, Decimal)>> {
    let posts = post::Entity::find()
        .filter(post::Column::ContractId.eq(contract_id))
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = posts.iter().map(|p| p.id).collect();
    let assignments = if ids.is_empty() {
        Vec::new()
    } else {
        post_assignment::Entity::find()
            .filter(post_assignment::Column::PostId.is_in(ids))
            .all(db)
            .await?
    };
    Ok(posts
        .into_iter()
        .map(|p| {
            let spans: Vec<Span> = assignments
                .iter()
                .filter(|a| a.post_id == p.id)
                .map(|a| Span {
                    from: a.from_date,
                    to: a.to_date,
                })
                .collect();
            let years = days_by_year(p.start_date, p.end_date, &spans, from, to);
            let filled: i64 = years.iter().map(|y| y.1).sum();
            let vacant: i64 = years.iter().map(|y| y.2).sum();
            let funding = pro_rata(p.annual_funding_fen, years.iter().map(|y| (y.0, y.1)));
            let deduction = pro_rata(p.annual_funding_fen, years.iter().map(|y| (y.0, y.2)));
            (p, filled, vacant, funding, deduction)
        })
        .collect())
}

/// `GET /contracts/{id}/post-funding`.
pub async fn post_funding(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    w: FundingWindow,
) -> ApiResult<PostFunding> {
    let k = contracts::load(&st.db, actor, contract_id).await?;
    let from = w.from.unwrap_or(k.start_date);
    let to = w.to.unwrap_or(k.end_date);
    if to < from {
        return Err(ApiError::field(
            "to",
            codes::FIELD_DATE_ORDER,
            "must not be before from",
        ));
    }
    let rows = post_funding_of(&st.db, contract_id, from, to).await?;
    let total: Decimal = rows.iter().map(|r| r.3).sum();
    let deduction: Decimal = rows.iter().map(|r| r.4).sum();
    let posts = rows
        .into_iter()
        .map(|(p, filled, vacant, funding, ded)| PostFundingLine {
            post_id: p.id,
            title: p.title,
            annual_funding: Money::from_fen(p.annual_funding_fen),
            filled_days: filled,
            vacancy_days: vacant,
            funding: Money::from_fen(round_fen(funding)),
            vacancy_deduction: Money::from_fen(round_fen(ded)),
        })
        .collect();
    Ok(PostFunding {
        from,
        to,
        posts,
        total: Money::from_fen(round_fen(total)),
        vacancy_deduction: Money::from_fen(round_fen(deduction)),
    })
}
