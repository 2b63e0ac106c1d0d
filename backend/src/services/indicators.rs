//! A contract's performance indicators (SPEC §4): what is measured, the target, the weight;
//! the weights of an active contract sum to 100.

use chrono::{DateTime, Utc};
use entity::model::indicator;
use entity::rules::quantity::Quantity;
use entity::rules::vocab::{Comparator, ContractStatus, Measure};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::state::AppState;
use crate::store;
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
        comparator: m.comparator,
        measure: m.measure,
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
            m.comparator != Comparator::AtLeast || m.target_e4 > 0,
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
pub async fn add(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: Vec<NewIndicator>,
) -> ApiResult<Vec<Indicator>> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let contract = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    let status = contract.status;
    let rows = new_rows(contract_id, new, now)?;
    if !matches!(status, ContractStatus::Draft | ContractStatus::Active) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("indicators of a {} contract cannot change", contract.status),
        ));
    }
    check_codes_unique(&*w, contract_id, &rows).await?;
    let mut out = Vec::new();
    for m in rows {
        let ind = indicator_out(m.into_active_model().insert(&*w).await?)?;
        w.record("create", "indicator", ind.id, None, Some(&ind));
        out.push(ind);
    }
    if status == ContractStatus::Active {
        check_weights(&*w, contract_id).await?;
    }
    w.commit().await?;
    Ok(out)
}

/// The rows of the new indicators of contract `contract_id`, checked (422; the fields of a
/// batch are named by their index).
fn new_rows(
    contract_id: Uuid,
    new: Vec<NewIndicator>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<indicator::Model>> {
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
            comparator: n.comparator,
            measure: n.measure.unwrap_or(Measure::Level),
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
    c.finish()?;
    Ok(rows)
}

/// 409 if a code of `rows` is already used on the contract or twice among them.
async fn check_codes_unique(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
    rows: &[indicator::Model],
) -> ApiResult<()> {
    let existing: Vec<String> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::Code)
        .filter(indicator::Column::ContractId.eq(contract_id))
        .into_tuple()
        .all(db)
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
    Ok(())
}

/// Changes an indicator; on an active contract the weights must still sum to 100.
pub async fn update(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: IndicatorPatch,
) -> ApiResult<Indicator> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = indicator::Entity::find_by_id(id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contract = store::contracts::load_for_update(&*w, actor, old.contract_id).await?;
    let status = contract.status;
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
        m.comparator = v;
    }
    if let Some(v) = p.measure {
        m.measure = v;
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
            format!("indicators of a {} contract cannot change", contract.status),
        ));
    }
    let out = indicator_out(m.into_active_model().reset_all().update(&*w).await?)?;
    if status == ContractStatus::Active {
        check_weights(&*w, contract.id).await?;
    }
    w.record("update", "indicator", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One indicator.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Indicator> {
    indicator_out(store::records::indicator(&st.db, actor, id).await?)
}

/// A contract's indicators.
pub async fn list(st: &AppState, actor: &Actor, contract_id: Uuid) -> ApiResult<Vec<Indicator>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    indicators_of(&st.db, contract_id)
        .await?
        .into_iter()
        .map(indicator_out)
        .collect()
}

pub(crate) async fn indicators_of(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
) -> ApiResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::ContractId.eq(contract_id))
        .order_by_asc(indicator::Column::Id)
        .all(db)
        .await?)
}
