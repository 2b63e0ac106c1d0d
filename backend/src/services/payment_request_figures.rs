//! What the pages of payment requests (SPEC §9) show beside the requests themselves, each read
//! in one statement: how many requests wait for the viewer (the home page's to-do), and how
//! much a contract's organisation may still request — per accepted milestone, and as an
//! advance. The figures are the sums the request rule of
//! [`crate::services::payment_requests::check_amount`] compares; that rule still decides at
//! every step, these only tell people what it will allow.

use entity::Money;
use entity::model::{milestone, payment, payment_request};
use entity::rules::requests;
use entity::rules::vocab::{MilestoneStatus, PaymentRequestStatus, Role};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::payment_requests;
use crate::state::AppState;
use crate::store;
use crate::store::sql::{self, col, count_all, scalar, t, word};

/// The requests that wait for the viewer, by step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestTodo {
    /// Officers: submitted requests of their purchaser, to verify.
    pub to_verify: i64,
    /// Approvers: verified requests of their purchaser, to approve (the service decides
    /// whether this approver may approve each one).
    pub to_approve: i64,
    /// Officers: approved requests of their purchaser, to pay.
    pub to_pay: i64,
    /// Organisation staff: their organisation's requests returned to correct.
    pub returned: i64,
}

/// An officer's counts in [`todo`]: submitted, verified and approved requests.
#[derive(FromQueryResult)]
struct OfficerCounts {
    a: i64,
    b: i64,
    c: i64,
}

/// An organisation's count in [`todo`]: returned requests.
#[derive(FromQueryResult)]
struct Returned {
    d: i64,
}

/// The to-do counts of the actor's requests, in one statement (zeros for roles without a
/// queue of their own).
pub async fn todo(st: &AppState, actor: &Actor) -> ApiResult<RequestTodo> {
    let (party_col, party) = match actor.role {
        Role::FinanceOfficer => (
            payment_request::Column::PurchaserId,
            actor.purchaser_scope(),
        ),
        Role::Organisation => (
            payment_request::Column::OrganisationId,
            actor.organisation_scope(),
        ),
        _ => return Ok(RequestTodo::default()),
    };
    let party = party.ok_or(ApiError::Forbidden)?;
    let count = |status: PaymentRequestStatus| {
        scalar(
            Query::select()
                .expr(count_all())
                .from(payment_request::Entity)
                .cond_where(
                    Cond::all()
                        .add(Expr::col(party_col).eq(party))
                        .add(Expr::col(payment_request::Column::Status).eq(word(status))),
                )
                .to_owned(),
        )
    };
    let no_row = || ApiError::internal(anyhow::anyhow!("no row of request counts"));
    if actor.role == Role::FinanceOfficer {
        let sel = Query::select()
            .expr_as(count(PaymentRequestStatus::Submitted), t("a"))
            .expr_as(count(PaymentRequestStatus::Verified), t("b"))
            .expr_as(count(PaymentRequestStatus::Approved), t("c"))
            .to_owned();
        let n: OfficerCounts = sql::one(&st.db, &sel).await?.ok_or_else(no_row)?;
        return Ok(RequestTodo {
            to_verify: n.a,
            to_approve: if actor.user.approver { n.b } else { 0 },
            to_pay: n.c,
            returned: 0,
        });
    }
    let sel = Query::select()
        .expr_as(count(PaymentRequestStatus::Returned), t("d"))
        .to_owned();
    let n: Returned = sql::one(&st.db, &sel).await?.ok_or_else(no_row)?;
    Ok(RequestTodo {
        returned: n.d,
        ..RequestTodo::default()
    })
}

/// An accepted milestone with what it may be paid, what was paid on it, what open requests
/// ask of it, and so what may still be requested.
#[derive(Debug, Clone)]
pub struct MilestoneFigures {
    pub id: Uuid,
    pub title: String,
    pub payable: Money,
    pub paid: Money,
    /// Asked by requests submitted, verified or approved and not yet paid.
    pub requested: Money,
    /// `payable − paid − requested`, never below 0.
    pub requestable: Money,
}

/// What a contract's organisation may still request.
#[derive(Debug, Clone)]
pub struct Requestable {
    /// The accepted milestones, by due date.
    pub milestones: Vec<MilestoneFigures>,
    /// The most an advance may ask now; `None` when the contract takes no advance (it is not
    /// active).
    pub advance: Option<Money>,
}

impl Requestable {
    /// Whether anything at all may be requested now.
    pub fn any(&self) -> bool {
        self.milestones.iter().any(|m| m.requestable.fen() > 0)
            || self.advance.is_some_and(|a| a.fen() > 0)
    }
}

#[derive(Debug, FromQueryResult)]
struct Row {
    id: Uuid,
    title: String,
    payable: i64,
    paid: i64,
    requested: i64,
}

/// What the organisation of contract `contract_id` may still request (404 outside the actor's
/// scope, as the contract): the accepted milestones' figures in one statement, the advance's
/// in another.
pub async fn requestable(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
) -> ApiResult<Requestable> {
    let contract = store::contracts::load(&st.db, actor, contract_id).await?;
    let id = || col("m", milestone::Column::Id);
    let paid = Query::select()
        .from_as(payment::Entity, t("p"))
        .and_where(col("p", payment::Column::MilestoneId).eq(id()))
        .to_owned();
    let requested = Query::select()
        .from_as(payment_request::Entity, t("r"))
        .and_where(col("r", payment_request::Column::MilestoneId).eq(id()))
        .and_where(sql::among(
            (t("r"), payment_request::Column::Status),
            payment_requests::open_statuses(),
        ))
        .to_owned();
    let sel = Query::select()
        .expr_as(id(), t("id"))
        .expr_as(col("m", milestone::Column::Title), t("title"))
        .expr_as(
            sql::fen(col("m", milestone::Column::PayableFen)),
            t("payable"),
        )
        .expr_as(
            sql::sum_of(paid, col("p", payment::Column::AmountFen)),
            t("paid"),
        )
        .expr_as(
            sql::sum_of(requested, col("r", payment_request::Column::AmountFen)),
            t("requested"),
        )
        .from_as(milestone::Entity, t("m"))
        .and_where(col("m", milestone::Column::ContractId).eq(contract_id))
        .and_where(col("m", milestone::Column::Status).eq(word(MilestoneStatus::Accepted)))
        .order_by((t("m"), milestone::Column::DueDate), Order::Asc)
        .order_by((t("m"), milestone::Column::Id), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = sql::all(&st.db, &sel).await?;
    let milestones = rows
        .into_iter()
        .map(|r| MilestoneFigures {
            id: r.id,
            title: r.title,
            payable: Money::from_fen(r.payable),
            paid: Money::from_fen(r.paid),
            requested: Money::from_fen(r.requested),
            requestable: Money::from_fen(requests::milestone_requestable(
                r.payable,
                r.paid,
                r.requested,
            )),
        })
        .collect();
    // The advance's figure is the one its requests are checked against.
    let advance = payment_requests::amount_state(&st.db, &contract, None, None)
        .await?
        .advance_requestable(&contract)
        .map(Money::from_fen);
    Ok(Requestable {
        milestones,
        advance,
    })
}

/// Contracts' titles and their organisations' names by id, in one query (for lists of
/// requests, which carry only their contract's id). Callers pass ids of contracts the actor
/// may already see.
pub async fn contract_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<std::collections::HashMap<Uuid, (String, String)>> {
    use entity::model::contract;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(contract::Entity::find()
        .select_only()
        .columns([contract::Column::Id, contract::Column::Title])
        .column_as(
            Expr::cust(
                "COALESCE((SELECT o.name FROM organisation o WHERE o.id = contract.organisation_id), '')",
            ),
            "organisation",
        )
        .filter(contract::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, org)| (id, (title, org)))
        .collect())
}
