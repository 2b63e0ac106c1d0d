//! The amount rules of a request (SPEC §9): what a milestone or an advance may still be
//! asked, read in one statement under the contract's lock.

use entity::Money;
use entity::model::{contract, milestone, milestone_report, payment, payment_request};
use entity::rules::requests;
use entity::rules::vocab::{ContractStatus, Decision, MilestoneStatus, PaymentRequestStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::check_payable_contract;
use crate::error::{ApiError, ApiResult, codes};
use crate::store::sql::{self, col, scalar, t, word};

/// What the amount rules read (SPEC §9), in one statement under the contract's lock: for a
/// milestone's request its status, payable, what is paid on it and what the other open
/// requests ask, with its title and the user who accepted it; for an advance what the
/// contract's advances, milestones and other open advance requests take.
pub(crate) struct AmountState {
    /// The milestone's title (None: an advance).
    pub title: Option<String>,
    /// The user who accepted the milestone (the decider of its accepted report).
    pub accepted_by: Option<Uuid>,
    of: Of,
}

enum Of {
    Milestone {
        status: MilestoneStatus,
        payable: i64,
        paid: i64,
        requested: i64,
    },
    Advance {
        advances: i64,
        planned: i64,
        requested: i64,
    },
}

/// Reads the [`AmountState`] of `milestone_id` (an advance without one) on contract `contract`,
/// counting the open requests other than `except`; 422 when the milestone is not one of the
/// contract's.
pub(crate) async fn amount_state(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    milestone_id: Option<Uuid>,
    except: Option<Uuid>,
) -> ApiResult<AmountState> {
    let except = except.unwrap_or(Uuid::nil());
    match milestone_id {
        Some(id) => milestone_state(db, contract, id, except).await,
        None => advance_state(db, contract, except).await,
    }
}

/// The statuses whose requests still hold money.
pub(crate) fn open_statuses() -> Vec<PaymentRequestStatus> {
    PaymentRequestStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect()
}

/// `FROM payment_request WHERE status IN (open) AND id <> except`, selecting nothing yet.
fn other_open_requests(except: Uuid) -> SelectStatement {
    Query::select()
        .from(payment_request::Entity)
        .and_where(sql::among(payment_request::Column::Status, open_statuses()))
        .and_where(Expr::col(payment_request::Column::Id).ne(except))
        .to_owned()
}

/// The row of [`milestone_state`]'s statement.
#[derive(FromQueryResult)]
struct MilestoneRow {
    contract_id: Uuid,
    title: String,
    status: MilestoneStatus,
    payable: i64,
    paid: i64,
    requested: i64,
    accepted_by: Option<Uuid>,
}

/// The [`AmountState`] of milestone `id` of contract `contract`.
async fn milestone_state(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    id: Uuid,
    except: Uuid,
) -> ApiResult<AmountState> {
    let of_m = || col("m", milestone::Column::Id);
    let paid = Query::select()
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::MilestoneId).eq(of_m()))
        .to_owned();
    let requested = other_open_requests(except)
        .and_where(Expr::col(payment_request::Column::MilestoneId).eq(of_m()))
        .to_owned();
    let accepted_by = Query::select()
        .column(milestone_report::Column::DecidedBy)
        .from(milestone_report::Entity)
        .and_where(Expr::col(milestone_report::Column::MilestoneId).eq(of_m()))
        .and_where(Expr::col(milestone_report::Column::Decision).eq(word(Decision::Accepted)))
        .order_by(milestone_report::Column::DecidedAt, Order::Desc)
        .limit(1)
        .to_owned();
    let sel = Query::select()
        .column((t("m"), milestone::Column::ContractId))
        .column((t("m"), milestone::Column::Title))
        .column((t("m"), milestone::Column::Status))
        .expr_as(
            sql::fen(col("m", milestone::Column::PayableFen)),
            t("payable"),
        )
        .expr_as(
            sql::sum_of(paid, Expr::col(payment::Column::AmountFen)),
            t("paid"),
        )
        .expr_as(
            sql::sum_of(requested, Expr::col(payment_request::Column::AmountFen)),
            t("requested"),
        )
        .expr_as(scalar(accepted_by), t("accepted_by"))
        .from_as(milestone::Entity, t("m"))
        .and_where(of_m().eq(id))
        .to_owned();
    let row = sql::one::<MilestoneRow>(db, &sel)
        .await?
        .filter(|r| r.contract_id == contract.id)
        .ok_or_else(|| {
            ApiError::field(
                "milestone_id",
                codes::REFERENCE_UNKNOWN,
                "is not a milestone of this contract",
            )
        })?;
    Ok(AmountState {
        title: Some(row.title),
        accepted_by: row.accepted_by,
        of: Of::Milestone {
            status: row.status,
            payable: row.payable,
            paid: row.paid,
            requested: row.requested,
        },
    })
}

/// The row of [`advance_state`]'s statement.
#[derive(FromQueryResult)]
struct AdvanceRow {
    advances: i64,
    planned: i64,
    requested: i64,
}

/// The [`AmountState`] of an advance on contract `contract`.
async fn advance_state(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    except: Uuid,
) -> ApiResult<AmountState> {
    let no_row = || ApiError::internal(anyhow::anyhow!("no row of sums"));
    let advances = Query::select()
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::ContractId).eq(contract.id))
        .and_where(Expr::col(payment::Column::MilestoneId).is_null())
        .to_owned();
    let planned = Query::select()
        .from(milestone::Entity)
        .and_where(Expr::col(milestone::Column::ContractId).eq(contract.id))
        .and_where(Expr::col(milestone::Column::Status).ne(word(MilestoneStatus::Cancelled)))
        .to_owned();
    let requested = other_open_requests(except)
        .and_where(Expr::col(payment_request::Column::ContractId).eq(contract.id))
        .and_where(Expr::col(payment_request::Column::MilestoneId).is_null())
        .to_owned();
    let sel = Query::select()
        .expr_as(
            sql::sum_of(advances, Expr::col(payment::Column::AmountFen)),
            t("advances"),
        )
        .expr_as(
            sql::sum_of(planned, Expr::col(milestone::Column::AmountFen)),
            t("planned"),
        )
        .expr_as(
            sql::sum_of(requested, Expr::col(payment_request::Column::AmountFen)),
            t("requested"),
        )
        .to_owned();
    let row: AdvanceRow = sql::one(db, &sel).await?.ok_or_else(no_row)?;
    Ok(AmountState {
        title: None,
        accepted_by: None,
        of: Of::Advance {
            advances: row.advances,
            planned: row.planned,
            requested: row.requested,
        },
    })
}

impl AmountState {
    /// The most an advance may ask now (SPEC §3's rule less the open advance requests); `None`
    /// for a milestone's state, or when contract `contract` takes no advance (it is not active).
    pub(crate) fn advance_requestable(&self, contract: &contract::Model) -> Option<i64> {
        match &self.of {
            Of::Advance {
                advances,
                planned,
                requested,
            } if contract.status == ContractStatus::Active => Some(requests::advance_requestable(
                contract.value_fen,
                *advances,
                *planned,
                *requested,
            )),
            _ => None,
        }
    }

    /// 409 unless `amount_fen` may be requested (or paid) on contract `contract` now.
    pub(crate) fn check(&self, contract: &contract::Model, amount_fen: i64) -> ApiResult<()> {
        check_payable_contract(contract)?;
        match &self.of {
            Of::Milestone {
                status,
                payable,
                paid,
                requested,
            } => {
                if *status != MilestoneStatus::Accepted {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_MILESTONE_NOT_ACCEPTED,
                        "a milestone is paid only after its report is accepted",
                    ));
                }
                if amount_fen > requests::milestone_requestable(*payable, *paid, *requested) {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_ABOVE_PAYABLE,
                        format!(
                            "the milestone's payable is {}, of which {} is paid and {} is requested",
                            Money::from_fen(*payable),
                            Money::from_fen(*paid),
                            Money::from_fen(*requested)
                        ),
                    ));
                }
            }
            Of::Advance {
                advances,
                planned,
                requested,
            } => {
                // An ended contract has released what it did not earn: no more advances.
                if contract.status != ContractStatus::Active {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_NO_ADVANCE,
                        format!(
                            "a {} contract takes no advance; request its accepted milestones",
                            contract.status
                        ),
                    ));
                }
                if amount_fen
                    > requests::advance_requestable(
                        contract.value_fen,
                        *advances,
                        *planned,
                        *requested,
                    )
                {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_ADVANCE_TOO_LARGE,
                        "an advance may be at most the value not planned in milestones, less earlier advances and open advance requests",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Reads the [`AmountState`] and checks `amount_fen` against it (422, then 409).
pub(crate) async fn check_amount(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    milestone_id: Option<Uuid>,
    amount_fen: i64,
    except: Option<Uuid>,
) -> ApiResult<AmountState> {
    let state = amount_state(db, contract, milestone_id, except).await?;
    state.check(contract, amount_fen)?;
    Ok(state)
}
