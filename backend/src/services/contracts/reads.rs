//! Reading contracts: one, with the names a page shows beside it, a page of them, and
//! their amendments.

use entity::model::{amendment, contract};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use super::{Amendment, Contract, ContractFilter, MAX_ENDING_WITHIN_DAYS};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::pagination::Page;
use crate::state::AppState;
use crate::store::contracts::{load, visible};
use crate::store::page::page;
use crate::store::today;

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

/// The contract row with its [`Parties`], read in one statement (a name is `None` when its
/// row is missing).
#[derive(sea_orm::FromQueryResult)]
struct WithParties {
    #[sea_orm(nested)]
    contract: contract::Model,
    parties_organisation: Option<String>,
    parties_purchaser: Option<String>,
    parties_line: Option<String>,
    parties_amendments: i64,
}

/// One contract as [`get`] answers it, with its [`Parties`], in one statement (a page's).
pub async fn get_with_parties(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(Contract, Parties)> {
    use sea_orm::sea_query::Expr;
    let row = contract::Entity::find_by_id(id)
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
    let c = row.contract;
    visible(actor, &c)?;
    let parties = Parties {
        organisation: row.parties_organisation.unwrap_or_default(),
        purchaser: row.parties_purchaser.unwrap_or_default(),
        budget_line: row.parties_line.unwrap_or_default(),
        amendments: row.parties_amendments,
    };
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
