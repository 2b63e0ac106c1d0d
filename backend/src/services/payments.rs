//! Payments (SPEC §3): recorded by the purchaser's finance officer, for an accepted milestone
//! up to what it may still be paid, or as an advance; never more than the contract's value in
//! total nor the budget line's amount disbursed, under any concurrency. The checks run under
//! the contract's and then the line's row lock, so racing requests are decided one by one.
//! A repeated `voucher_no` with the same content answers the existing payment.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, payment, payment_request};
use entity::queries::numbered;
use entity::rules::vocab::{ContractStatus, PaymentRequestStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::budget::{self, Figures};
use crate::services::notify;
use crate::services::payment_requests::{self, PaymentRequest};
use crate::state::AppState;
use crate::store;
use crate::store::today;
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
struct ContractSums {
    paid: i64,
    same_voucher: Option<Uuid>,
}

async fn contract_sums(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    voucher: &str,
) -> ApiResult<ContractSums> {
    let sql = "SELECT (SELECT id FROM payment WHERE purchaser_id = $2 AND voucher_no = $3) AS same_voucher, \
               CAST(COALESCE((SELECT SUM(amount_fen) FROM payment WHERE contract_id = $1), 0) AS BIGINT) AS paid";
    let b = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            numbered(b, sql),
            [k.id.into(), k.purchaser_id.into(), voucher.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the contract's sums")))?;
    Ok(ContractSums {
        same_voucher: row.try_get("", "same_voucher")?,
        paid: row.try_get("", "paid")?,
    })
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
    let now = st.now();
    let txn = begin_write(&st.writer).await?;
    let k = store::contracts::load_for_update(&txn, actor, contract_id).await?;
    let new = new?;
    let voucher = new.voucher_no.trim().to_string();
    let mut c = Checks::default();
    c.text("voucher_no", &voucher, fields::Code::MAX).check(
        new.paid_on <= today(st),
        "paid_on",
        codes::FIELD_IN_FUTURE,
        "must not be in the future",
    );
    c.finish()?;
    let request = payment_request::Entity::find_by_id(new.payment_request_id)
        .one(&txn)
        .await?
        .filter(|r| r.contract_id == contract_id)
        .ok_or_else(|| {
            ApiError::field(
                "payment_request_id",
                codes::REFERENCE_UNKNOWN,
                "is not a payment request of this contract",
            )
        })?;
    let sums = contract_sums(&txn, &k, &voucher).await?;
    if let Some(id) = sums.same_voucher {
        let existing = payment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("payment {id} vanished")))?;
        return if same(&existing, contract_id, &new) {
            Ok((false, Payment::from(existing)))
        } else {
            Err(ApiError::conflict(
                codes::VOUCHER_DUPLICATE,
                "this voucher_no is already used by a different payment",
            ))
        };
    }
    let signed_on = k
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
    payment_requests::check_amount(&txn, &k, request.milestone_id, amount, Some(request.id))
        .await?;
    if sums.paid + amount > k.value_fen {
        return Err(ApiError::conflict(
            codes::PAYMENT_ABOVE_VALUE,
            "payments would exceed the contract value",
        ));
    }
    // Everything but the line's check is written before its lock is taken (a refusal there
    // rolls it all back).
    let to = notify::organisation_of(&txn, &k).await?;
    let row = payment::Model {
        id: Uuid::now_v7(),
        contract_id,
        milestone_id: request.milestone_id,
        purchaser_id: k.purchaser_id,
        budget_line_id: k.budget_line_id,
        amount_fen: amount,
        paid_on: new.paid_on,
        voucher_no: voucher.clone(),
        recorded_by: actor.id(),
        payment_request_id: Some(request.id),
        created_at: now,
    };
    let out = Payment::from(row.clone());
    let request_before = PaymentRequest::from_model(st, request.clone())?;
    let mut paid = request.into_active_model();
    paid.status = Set(PaymentRequestStatus::Paid);
    paid.payment_id = Set(Some(out.id));
    paid.status_changed_at = Set(now);
    paid.updated_at = Set(now);
    let request_after = PaymentRequest::from_model(st, paid.update(&txn).await?)?;
    audit::record_all(
        &txn,
        now,
        [
            Change::of(
                Some(actor.id()),
                "create",
                "payment",
                out.id,
                None,
                Some(&out),
            ),
            Change::of(
                Some(actor.id()),
                "pay",
                "payment_request",
                request_after.id,
                Some(&request_before),
                Some(&request_after),
            ),
        ],
    )
    .await?;
    match payment::ActiveModel::from(row.clone()).insert(&txn).await {
        Ok(_) => {}
        // The same voucher committed by a request on another contract meanwhile.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            drop(txn);
            let existing = payment::Entity::find()
                .filter(payment::Column::PurchaserId.eq(k.purchaser_id))
                .filter(payment::Column::VoucherNo.eq(&voucher))
                .one(&st.db)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict(codes::VOUCHER_DUPLICATE, "this voucher_no is already used")
                })?;
            return if same(&existing, contract_id, &new) {
                Ok((false, Payment::from(existing)))
            } else {
                Err(ApiError::conflict(
                    codes::VOUCHER_DUPLICATE,
                    "this voucher_no is already used by a different payment",
                ))
            };
        }
        Err(e) => return Err(e.into()),
    }
    // The line's check and its totals, last: the statement takes the line's lock, so payments
    // on the contracts of one line queue only for it and the commit. An ended contract's
    // advance adds to what it earned (SPEC §2 `committed`); a milestone's payment was already
    // counted there as the accepted milestone's payable, and an active contract commits its
    // whole value.
    let ended = k.status != ContractStatus::Active;
    let by = Figures {
        reserved_fen: 0,
        committed_fen: if ended && row.milestone_id.is_none() {
            amount
        } else {
            0
        },
        disbursed_fen: amount,
    };
    if !budget::shift(&txn, k.budget_line_id, by).await? {
        return Err(ApiError::conflict(
            codes::BUDGET_INSUFFICIENT,
            "payments would exceed the budget line's amount",
        ));
    }
    // The notification last, once every check has passed.
    let message = Message::PaymentRecorded {
        contract: k.title.clone(),
        amount: out.amount,
        paid_on: out.paid_on,
        voucher: out.voucher_no.clone(),
    };
    notify::queue(
        st,
        &txn,
        to,
        message,
        out.id,
        "recorded",
        format!("/contracts/{contract_id}/payments"),
    )
    .await?;
    txn.commit().await?;
    Ok((true, out))
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
