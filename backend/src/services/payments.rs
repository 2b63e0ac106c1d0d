//! Payments (SPEC §3): recorded by the purchaser's finance officer, for an accepted milestone
//! up to what it may still be paid, or as an advance; never more than the contract's value in
//! total nor the budget line's amount disbursed, under any concurrency. The checks run under
//! the contract's and then the line's row lock, so racing requests are decided one by one.
//! A repeated `voucher_no` with the same content answers the existing payment.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, payment, payment_request};
use entity::rules::vocab::{ContractStatus, PaymentRequestStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::budget::{self, Figures};
use crate::services::notify;
use crate::services::payment_requests::{self, PaymentRequest};
use crate::state::AppState;
use crate::store;
use crate::store::sql::{self, scalar, t};
use jobs::templates::Message;

/// A payment as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payment {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub milestone_id: Option<Uuid>,
    pub amount: Money,
    pub paid_on: NaiveDate,
    pub voucher_no: String,
    pub recorded_by: Uuid,
    /// The approved request it pays (SPEC §9).
    pub payment_request_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<payment::Model> for Payment {
    fn from(m: payment::Model) -> Self {
        Payment {
            id: m.id,
            contract_id: m.contract_id,
            milestone_id: m.milestone_id,
            amount: Money::from_fen(m.amount_fen),
            paid_on: m.paid_on,
            voucher_no: m.voucher_no,
            recorded_by: m.recorded_by,
            payment_request_id: m.payment_request_id,
            created_at: m.created_at,
        }
    }
}

/// A payment to record: it pays an approved request, whose amount and milestone it takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    pub payment_request_id: Uuid,
    pub paid_on: NaiveDate,
    #[schema(value_type = crate::fields::Code)]
    pub voucher_no: String,
}

/// What the payment rules read of a contract under its lock, in one statement: what was paid
/// on it, and the purchaser's payment with the request's voucher, if any.
#[derive(FromQueryResult)]
struct ContractSums {
    paid: i64,
    same_voucher: Option<Uuid>,
}

async fn contract_sums(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    voucher: &str,
) -> ApiResult<ContractSums> {
    let same_voucher = Query::select()
        .column(payment::Column::Id)
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::PurchaserId).eq(contract.purchaser_id))
        .and_where(Expr::col(payment::Column::VoucherNo).eq(voucher))
        .to_owned();
    let paid = Query::select()
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::ContractId).eq(contract.id))
        .to_owned();
    let sel = Query::select()
        .expr_as(scalar(same_voucher), t("same_voucher"))
        .expr_as(
            sql::sum_of(paid, Expr::col(payment::Column::AmountFen)),
            t("paid"),
        )
        .to_owned();
    sql::one(db, &sel)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the contract's sums")))
}

/// Whether a stored payment is the same request as `new` (a retry).
fn same(p: &payment::Model, contract_id: Uuid, new: &NewPayment) -> bool {
    p.contract_id == contract_id
        && p.payment_request_id == Some(new.payment_request_id)
        && p.paid_on == new.paid_on
}

/// Records a payment; answers whether it is new (a retry answers the first one).
pub async fn record(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: ApiResult<NewPayment>,
) -> ApiResult<(bool, Payment)> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let contract = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    let new = new?;
    let voucher = new.voucher_no.trim().to_string();
    check_fields(&new, &voucher, w.today())?;
    let request = request_to_pay(&*w, contract_id, new.payment_request_id).await?;
    let sums = contract_sums(&*w, &contract, &voucher).await?;
    if let Some(id) = sums.same_voucher {
        let existing = payment::Entity::find_by_id(id)
            .one(&*w)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("payment {id} vanished")))?;
        return retry_or_conflict(existing, contract_id, &new);
    }
    check_payable(st, &*w, &contract, &new, &request, sums.paid).await?;
    // Everything but the line's check is written before its lock is taken (a refusal there
    // rolls it all back).
    let to = notify::organisation_of(&*w, &contract).await?;
    let row = payment::Model {
        id: Uuid::now_v7(),
        contract_id,
        milestone_id: request.milestone_id,
        purchaser_id: contract.purchaser_id,
        budget_line_id: contract.budget_line_id,
        amount_fen: request.amount_fen,
        paid_on: new.paid_on,
        voucher_no: voucher.clone(),
        recorded_by: actor.id(),
        payment_request_id: Some(request.id),
        created_at: w.now,
    };
    let out = Payment::from(row.clone());
    w.record("create", "payment", out.id, None, Some(&out));
    mark_paid(st, &mut w, request, out.id).await?;
    match payment::ActiveModel::from(row.clone()).insert(&*w).await {
        Ok(_) => {}
        // The same voucher committed by a request on another contract meanwhile.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            drop(w);
            let existing = payment::Entity::find()
                .filter(payment::Column::PurchaserId.eq(contract.purchaser_id))
                .filter(payment::Column::VoucherNo.eq(&voucher))
                .one(&st.db)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict(codes::VOUCHER_DUPLICATE, "this voucher_no is already used")
                })?;
            return retry_or_conflict(existing, contract_id, &new);
        }
        Err(e) => return Err(e.into()),
    }
    shift_line(&*w, &contract, &row).await?;
    // The notification last, once every check has passed.
    let message = Message::PaymentRecorded {
        contract: contract.title.clone(),
        amount: out.amount,
        paid_on: out.paid_on,
        voucher: out.voucher_no.clone(),
    };
    w.notify(
        to,
        message,
        out.id,
        "recorded",
        format!("/contracts/{contract_id}/payments"),
    )
    .await?;
    w.commit().await?;
    Ok((true, out))
}

/// 422 unless the voucher is a code and the payment is not dated after `today`.
fn check_fields(new: &NewPayment, voucher: &str, today: NaiveDate) -> ApiResult<()> {
    let mut c = Checks::default();
    c.text("voucher_no", voucher, fields::Code::MAX).check(
        new.paid_on <= today,
        "paid_on",
        codes::FIELD_IN_FUTURE,
        "must not be in the future",
    );
    c.finish()
}

/// The payment request `id` of the contract (422 if it is not one of its requests).
async fn request_to_pay(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
    id: Uuid,
) -> ApiResult<payment_request::Model> {
    payment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.contract_id == contract_id)
        .ok_or_else(|| {
            ApiError::field(
                "payment_request_id",
                codes::REFERENCE_UNKNOWN,
                "is not a payment request of this contract",
            )
        })
}

/// A retry of the stored payment answers it (not new); a different payment with its voucher
/// is a conflict.
fn retry_or_conflict(
    existing: payment::Model,
    contract_id: Uuid,
    new: &NewPayment,
) -> ApiResult<(bool, Payment)> {
    if same(&existing, contract_id, new) {
        Ok((false, Payment::from(existing)))
    } else {
        Err(ApiError::conflict(
            codes::VOUCHER_DUPLICATE,
            "this voucher_no is already used by a different payment",
        ))
    }
}

/// The rules of paying `request` on `contract`, of which `paid_fen` was paid: not before signing,
/// an approved request, still within what may be paid and within the contract's value.
async fn check_payable(
    st: &AppState,
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    new: &NewPayment,
    request: &payment_request::Model,
    paid_fen: i64,
) -> ApiResult<()> {
    let signed_on = contract
        .signed_at
        .map(|t| t.with_timezone(&st.config.tz).date_naive());
    if signed_on.is_some_and(|d| new.paid_on < d) {
        return Err(ApiError::field(
            "paid_on",
            codes::PAYMENT_BEFORE_SIGNING,
            "must not be before the contract was signed",
        ));
    }
    if request.status != PaymentRequestStatus::Approved {
        return Err(ApiError::conflict(
            codes::PAYMENT_REQUEST_NOT_APPROVED,
            format!("a {} payment request cannot be paid", request.status),
        ));
    }
    let amount = request.amount_fen;
    payment_requests::check_amount(db, contract, request.milestone_id, amount, Some(request.id))
        .await?;
    if paid_fen + amount > contract.value_fen {
        return Err(ApiError::conflict(
            codes::PAYMENT_ABOVE_VALUE,
            "payments would exceed the contract value",
        ));
    }
    Ok(())
}

/// Marks `request` paid by payment `payment_id`, and records it.
async fn mark_paid(
    st: &AppState,
    w: &mut store::Write<'_>,
    request: payment_request::Model,
    payment_id: Uuid,
) -> ApiResult<()> {
    let request_before = PaymentRequest::from_model(st, request.clone())?;
    let mut paid = request.into_active_model();
    paid.status = Set(PaymentRequestStatus::Paid);
    paid.payment_id = Set(Some(payment_id));
    paid.status_changed_at = Set(w.now);
    paid.updated_at = Set(w.now);
    let request_after = PaymentRequest::from_model(st, paid.update(&**w).await?)?;
    w.record(
        "pay",
        "payment_request",
        request_after.id,
        Some(&request_before),
        Some(&request_after),
    );
    Ok(())
}

/// The line's check and its totals, last: the statement takes the line's lock, so payments on
/// the contracts of one line queue only for it and the commit. An ended contract's advance adds
/// to what it earned (SPEC §2 `committed`); a milestone's payment was already counted there as
/// the accepted milestone's payable, and an active contract commits its whole value.
async fn shift_line(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    row: &payment::Model,
) -> ApiResult<()> {
    let amount = row.amount_fen;
    let ended = contract.status != ContractStatus::Active;
    let by = Figures {
        reserved_fen: 0,
        committed_fen: if ended && row.milestone_id.is_none() {
            amount
        } else {
            0
        },
        disbursed_fen: amount,
    };
    if !budget::shift(db, contract.budget_line_id, by).await? {
        return Err(ApiError::conflict(
            codes::BUDGET_INSUFFICIENT,
            "payments would exceed the budget line's amount",
        ));
    }
    Ok(())
}

/// A contract's payments, oldest first.
pub async fn list(st: &AppState, actor: &Actor, contract_id: Uuid) -> ApiResult<Vec<Payment>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    let rows = payment::Entity::find()
        .filter(payment::Column::ContractId.eq(contract_id))
        .order_by_asc(payment::Column::Id)
        .all(&st.db)
        .await?;
    Ok(rows.into_iter().map(Payment::from).collect())
}
