//! The demo's payment requests, made as its people make them: requested with an invoice, verified,
//! approved and paid, or stopped in any state on the way.

use entity::Money;

use chrono::{Duration, Utc};
use jobs::clock::ManualClock;
use uuid::Uuid;

use super::{ctx, money};
use crate::auth::Actor;
use crate::services::payment_requests::{self, NewPaymentRequest};
use crate::services::payments::{self, NewPayment};
use crate::state::AppState;

/// A payment as the demo's people make it (SPEC §9): the organisation requests it with its
/// invoice, the officer verifies it, the approver approves it, and the officer pays it.
pub(super) async fn pay(
    st: &AppState,
    [org, fo, approver]: [&Actor; 3],
    contract_id: Uuid,
    milestone_id: Option<Uuid>,
    amount: Money,
    voucher: &str,
    day: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let request = payment_requests::submit(
        st,
        org,
        contract_id,
        NewPaymentRequest {
            milestone_id,
            amount,
            invoice_no: format!("FP{}", voucher.replace('-', "")),
            invoice_date: day,
            note: None,
        },
    )
    .await
    .map_err(ctx)?;
    payment_requests::verify(st, fo, request.id)
        .await
        .map_err(ctx)?;
    payment_requests::approve(st, approver, request.id)
        .await
        .map_err(ctx)?;
    payments::record(
        st,
        fo,
        contract_id,
        Ok(NewPayment {
            payment_request_id: request.id,
            paid_on: day,
            voucher_no: voucher.into(),
        }),
    )
    .await
    .map_err(ctx)?;
    Ok(())
}

/// What is left of contract A's first milestone after its first instalment: requested, and
/// returned for a wrong invoice.
pub(super) const A_REST: &str = "24500.00";

/// The organisations' payment requests, on the demo's clock.
pub(super) struct Requests<'a> {
    pub(super) st: &'a AppState,
    pub(super) clock: &'a ManualClock,
    pub(super) now: chrono::DateTime<Utc>,
}

impl Requests<'_> {
    /// `org` requests `amount` on the contract's milestone (an advance without one) with its
    /// invoice, `days_ago` days before the story's end; answers the request's id.
    pub(super) async fn submit(
        &self,
        org: &Actor,
        contract_id: Uuid,
        milestone_id: Option<Uuid>,
        amount: &str,
        invoice: &str,
        days_ago: i64,
    ) -> anyhow::Result<Uuid> {
        self.clock.set(self.now - Duration::days(days_ago));
        let day = jobs::clock::local_today(self.clock, self.st.config.tz);
        Ok(payment_requests::submit(
            self.st,
            org,
            contract_id,
            NewPaymentRequest {
                milestone_id,
                amount: money(amount)?,
                invoice_no: invoice.into(),
                invoice_date: day,
                note: None,
            },
        )
        .await
        .map_err(ctx)?
        .id)
    }
}
