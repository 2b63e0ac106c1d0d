//! Payment requests (SPEC §9): the organisation asks to be paid for an accepted milestone (or
//! an advance) with its invoice; an officer of the purchaser verifies it; an approver who is
//! neither the verifier nor the user who accepted the milestone approves it (two different
//! approvers above `HUIMIN_SECOND_APPROVAL_ABOVE`); then a payment pays it
//! ([`crate::services::payments::record`]). Either officer step may return it to the
//! organisation with a comment; the organisation edits it (`PATCH`, which resubmits it) or
//! withdraws it.
//!
//! Every transition locks the contract's row first, as a payment does, so the amount rules —
//! a milestone's request at most its payable less what is paid and what other open requests
//! ask; an advance at most the advance rule less other open advance requests — are decided one
//! request at a time, at submission, verification, approval and payment.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, payment_request};
use entity::rules::vocab::{ContractStatus, PaymentRequestStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;
use crate::store::today;

mod amounts;
mod steps;

pub(crate) use amounts::{amount_state, check_amount, open_statuses};
pub use steps::{approve, resubmit, send_back, submit, verify, withdraw};

/// A payment request as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentRequest {
    pub id: Uuid,
    pub contract_id: Uuid,
    /// None: an advance.
    pub milestone_id: Option<Uuid>,
    pub amount: Money,
    pub invoice_no: String,
    pub invoice_date: NaiveDate,
    pub note: String,
    pub status: PaymentRequestStatus,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub second_approved_by: Option<Uuid>,
    pub second_approved_at: Option<DateTime<Utc>>,
    /// Who last returned it to the organisation, with `return_comment`.
    pub returned_by: Option<Uuid>,
    pub return_comment: Option<String>,
    pub payment_id: Option<Uuid>,
    /// Above `HUIMIN_SECOND_APPROVAL_ABOVE`: two different approvers approve it.
    pub needs_second_approval: bool,
    /// Made for a payment recorded before requests existed.
    pub migrated: bool,
    /// When the request entered its status: how long it has waited there.
    pub status_changed_at: DateTime<Utc>,
}

impl PaymentRequest {
    /// The API form of a stored request.
    pub fn from_model(st: &AppState, m: payment_request::Model) -> ApiResult<Self> {
        let status = m.status;
        Ok(PaymentRequest {
            id: m.id,
            contract_id: m.contract_id,
            milestone_id: m.milestone_id,
            amount: Money::from_fen(m.amount_fen),
            invoice_no: m.invoice_no,
            invoice_date: m.invoice_date,
            note: m.note,
            status,
            submitted_by: m.submitted_by,
            submitted_at: m.submitted_at,
            verified_by: m.verified_by,
            verified_at: m.verified_at,
            approved_by: m.approved_by,
            approved_at: m.approved_at,
            second_approved_by: m.second_approved_by,
            second_approved_at: m.second_approved_at,
            returned_by: m.returned_by,
            return_comment: m.return_comment,
            payment_id: m.payment_id,
            needs_second_approval: needs_second(st, m.amount_fen),
            migrated: m.migrated,
            status_changed_at: m.status_changed_at,
        })
    }
}

/// Whether a request of `amount_fen` needs two approvers.
pub fn needs_second(st: &AppState, amount_fen: i64) -> bool {
    amount_fen > st.config.second_approval_above.fen()
}

/// A request to submit: for an accepted milestone, or an advance (no `milestone_id`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPaymentRequest {
    pub milestone_id: Option<Uuid>,
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub amount: Money,
    #[schema(value_type = crate::fields::Code)]
    pub invoice_no: String,
    pub invoice_date: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Option<crate::fields::Note>)]
    pub note: Option<String>,
}

/// The organisation's corrections to a returned request; sending them resubmits it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequestPatch {
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub amount: Option<Money>,
    #[schema(value_type = Option<crate::fields::Code>)]
    pub invoice_no: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    #[schema(value_type = Option<crate::fields::Note>)]
    pub note: Option<String>,
}

/// Why a request goes back to the organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnComment {
    #[schema(value_type = crate::fields::Reason)]
    pub comment: String,
}

/// Filters of `GET /payment-requests`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequestFilter {
    pub status: Option<PaymentRequestStatus>,
    pub contract_id: Option<Uuid>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// The checks of a request's fields.
fn check_fields(
    st: &AppState,
    amount: Money,
    invoice_no: &str,
    invoice_date: NaiveDate,
    note: &str,
) -> ApiResult<()> {
    let mut c = Checks::default();
    c.text("invoice_no", invoice_no, fields::Code::MAX)
        .check(
            amount.fen() > 0,
            "amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        )
        .check(
            invoice_date <= today(st),
            "invoice_date",
            codes::FIELD_IN_FUTURE,
            "must not be in the future",
        )
        .max_chars("note", note, fields::Note::MAX);
    c.finish()
}

/// 409 unless the contract can be paid (active, completed or terminated).
fn check_payable_contract(contract: &contract::Model) -> ApiResult<()> {
    if matches!(
        contract.status,
        ContractStatus::Active | ContractStatus::Completed | ContractStatus::Terminated
    ) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            codes::CONTRACT_NOT_PAYABLE,
            format!("a {} contract cannot be paid", contract.status),
        ))
    }
}

/// One request the actor may see.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<PaymentRequest> {
    let request = store::records::payment_request(&st.db, actor, id).await?;
    PaymentRequest::from_model(st, request)
}

/// The requests the actor may see (officers: their purchaser's; organisation staff: their
/// organisation's), oldest first.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    f: PaymentRequestFilter,
) -> ApiResult<Page<PaymentRequest>> {
    let q = payment_request::Entity::find()
        .apply_if(actor.purchaser_scope(), |q, own| {
            q.filter(payment_request::Column::PurchaserId.eq(own))
        })
        .apply_if(actor.organisation_scope(), |q, own| {
            q.filter(payment_request::Column::OrganisationId.eq(own))
        })
        .apply_if(f.status, |q, s| {
            q.filter(payment_request::Column::Status.eq(s))
        })
        .apply_if(f.contract_id, |q, c| {
            q.filter(payment_request::Column::ContractId.eq(c))
        });
    let models = page(
        &st.db,
        q,
        payment_request::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &payment_request::Model| m.id,
    )
    .await?;
    models.try_map(|m| PaymentRequest::from_model(st, m))
}

/// A contract's requests, oldest first.
pub async fn of_contract(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
) -> ApiResult<Vec<PaymentRequest>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    payment_request::Entity::find()
        .filter(payment_request::Column::ContractId.eq(contract_id))
        .order_by_asc(payment_request::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|m| PaymentRequest::from_model(st, m))
        .collect()
}
