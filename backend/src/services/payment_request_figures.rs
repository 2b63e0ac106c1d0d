//! What the pages of payment requests (SPEC §9) show beside the requests themselves, each read
//! in one statement: how many requests wait for the viewer (the home page's to-do), and how
//! much a contract's organisation may still request — per accepted milestone, and as an
//! advance. The figures are the sums the request rule of
//! [`crate::services::payment_requests::check_amount`] compares; that rule still decides at
//! every step, these only tell people what it will allow.

use entity::Money;
use entity::queries::numbered;
use entity::rules::requests;
use entity::rules::vocab::{MilestoneStatus, PaymentRequestStatus, Role};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::payment_requests;
use crate::state::AppState;
use crate::store;

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

/// The statuses whose requests still hold money, as SQL's `'a','b'`.
fn open_statuses() -> String {
    let open: Vec<&str> = PaymentRequestStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    format!("'{}'", open.join("','"))
}

/// The to-do counts of the actor's requests, in one statement (zeros for roles without a
/// queue of their own).
pub async fn todo(st: &AppState, actor: &Actor) -> ApiResult<RequestTodo> {
    let b = st.db.get_database_backend();
    let (sql, party) = match actor.role {
        Role::FinanceOfficer => (
            format!(
                "SELECT \
                 (SELECT COUNT(*) FROM payment_request WHERE purchaser_id = $1 AND status = '{s}') AS a, \
                 (SELECT COUNT(*) FROM payment_request WHERE purchaser_id = $1 AND status = '{v}') AS b, \
                 (SELECT COUNT(*) FROM payment_request WHERE purchaser_id = $1 AND status = '{p}') AS c",
                s = PaymentRequestStatus::Submitted.as_str(),
                v = PaymentRequestStatus::Verified.as_str(),
                p = PaymentRequestStatus::Approved.as_str(),
            ),
            actor.purchaser_scope(),
        ),
        Role::Organisation => (
            format!(
                "SELECT 0 AS a, 0 AS b, 0 AS c, \
                 (SELECT COUNT(*) FROM payment_request WHERE organisation_id = $1 AND status = '{r}') AS d",
                r = PaymentRequestStatus::Returned.as_str(),
            ),
            actor.organisation_scope(),
        ),
        _ => return Ok(RequestTodo::default()),
    };
    let party = party.ok_or(ApiError::Forbidden)?;
    let row = st
        .db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            numbered(b, &sql),
            [party.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row of request counts")))?;
    let n = |c: &str| row.try_get::<i64>("", c);
    Ok(match actor.role {
        Role::FinanceOfficer => RequestTodo {
            to_verify: n("a")?,
            to_approve: if actor.user.approver { n("b")? } else { 0 },
            to_pay: n("c")?,
            returned: 0,
        },
        _ => RequestTodo {
            returned: n("d")?,
            ..RequestTodo::default()
        },
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
    let k = store::contracts::load(&st.db, actor, contract_id).await?;
    let b = st.db.get_database_backend();
    let open = open_statuses();
    let sql = format!(
        "SELECT m.id AS id, m.title AS title, CAST(COALESCE(m.payable_fen, 0) AS BIGINT) AS payable, \
         CAST(COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.milestone_id = m.id), 0) AS BIGINT) AS paid, \
         CAST(COALESCE((SELECT SUM(r.amount_fen) FROM payment_request r WHERE r.milestone_id = m.id \
           AND r.status IN ({open})), 0) AS BIGINT) AS requested \
         FROM milestone m WHERE m.contract_id = $1 AND m.status = '{accepted}' \
         ORDER BY m.due_date, m.id",
        accepted = MilestoneStatus::Accepted.as_str(),
    );
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &sql),
        [contract_id.into()],
    ))
    .all(&st.db)
    .await?;
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
    let advance = payment_requests::amount_state(&st.db, &k, None, None)
        .await?
        .advance_requestable(&k)
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
