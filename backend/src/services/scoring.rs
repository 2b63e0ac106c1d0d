//! Scoring a contract from its indicators' latest measurements (SPEC §4), and the contract's
//! performance view.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::model::{contract, measurement, milestone};
use entity::rules::performance::{IndicatorSpec, achievement, effective_target, score};
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;
use entity::rules::vocab::{Comparator, Measure};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::services::indicators::indicators_of;
use crate::services::milestones::{Milestone, shape};
use crate::state::AppState;
use crate::store;
use crate::store::today;
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
    contract: &contract::Model,
    due: NaiveDate,
    until: DateTime<Utc>,
) -> ApiResult<ScoreBreakdown> {
    let inds = indicators_of(db, contract.id).await?;
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
        let comparator = i.comparator;
        let measure = i.measure;
        let target = Quantity::from_e4(i.target_e4);
        let spec = IndicatorSpec {
            comparator,
            measure,
            target: target.decimal(),
            weight: i.weight.max(0).unsigned_abs(),
        };
        let t = effective_target(&spec, contract.start_date, contract.end_date, due);
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
    let contract = store::contracts::load(&st.db, actor, contract_id).await?;
    let as_of = today(st).clamp(contract.start_date, contract.end_date);
    let b = score_at(&st.db, &contract, as_of, st.now()).await?;
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
