//! The money a contract's records add up to, in fen, each in one statement. The rules that
//! compare them (SPEC §3) read them under the contract's row lock.

use entity::model::{milestone, payment};
use entity::rules::vocab::MilestoneStatus;
use sea_orm::sea_query::{Expr, Func, IntoCondition};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::sql;
use crate::error::ApiResult;

/// The sum of the contract's milestone amounts, cancelled ones excluded.
pub async fn milestones_fen(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    let amounts: Vec<i64> = milestone::Entity::find()
        .select_only()
        .column(milestone::Column::AmountFen)
        .filter(milestone::Column::ContractId.eq(contract_id))
        .filter(milestone::Column::Status.ne(MilestoneStatus::Cancelled))
        .into_tuple()
        .all(db)
        .await?;
    Ok(amounts.iter().sum())
}

/// What a contract's value must always cover (SPEC §3): its live milestones' amounts and the
/// advances paid on it. Read under the contract's lock by every change of a value or an amount.
pub async fn claimed_fen(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    Ok(milestones_fen(db, contract_id).await? + advances_fen(db, contract_id).await?)
}

/// The advances (payments without a milestone) paid on a contract.
pub async fn advances_fen(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    paid_fen(
        db,
        sea_orm::Condition::all()
            .add(payment::Column::ContractId.eq(contract_id))
            .add(payment::Column::MilestoneId.is_null()),
    )
    .await
}

/// What was paid on a contract.
pub async fn paid_on_contract(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<i64> {
    paid_fen(
        db,
        payment::Column::ContractId.eq(contract_id).into_condition(),
    )
    .await
}

/// The sum of the payments matching `filter`.
async fn paid_fen(db: &impl ConnectionTrait, filter: sea_orm::Condition) -> ApiResult<i64> {
    let sum: Option<i64> = payment::Entity::find()
        .select_only()
        .column_as(
            sql::fen(Func::sum(Expr::col((
                payment::Entity,
                payment::Column::AmountFen,
            )))),
            "n",
        )
        .filter(filter)
        .into_tuple()
        .one(db)
        .await?;
    Ok(sum.unwrap_or(0))
}
