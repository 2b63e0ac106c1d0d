//! What a contract's social-work posts earn over a period: filled days are funded pro rata by
//! calendar year, vacant days are deducted (SPEC §2, posts).

use chrono::NaiveDate;
use entity::Money;
use entity::model::{post, post_assignment};
use entity::rules::performance::{days_by_year, pro_rata, round_fen};
use entity::rules::posts::Span;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, codes};
use crate::state::AppState;
use crate::store;
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
pub async fn of_contract(
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
pub async fn get(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    w: FundingWindow,
) -> ApiResult<PostFunding> {
    let contract = store::contracts::load(&st.db, actor, contract_id).await?;
    let from = w.from.unwrap_or(contract.start_date);
    let to = w.to.unwrap_or(contract.end_date);
    if to < from {
        return Err(ApiError::field(
            "to",
            codes::FIELD_DATE_ORDER,
            "must not be before from",
        ));
    }
    let rows = of_contract(&st.db, contract_id, from, to).await?;
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
