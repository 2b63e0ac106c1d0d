//! `payment_request_reminders` (SPEC §9): a payment request waiting at one step — `submitted`,
//! `verified`, `approved` or `returned` — for more than [`REMIND_AFTER_DAYS`] local days (since
//! `status_changed_at`) → whoever acts next: submitted → the contract's officer (to verify);
//! verified → the purchaser's active approvers but the verifier, an approver who already
//! approved it (the first of two) and the user who accepted its milestone; approved → the
//! officer (to pay); returned → the organisation (to correct and resubmit). Over
//! [`ESCALATE_AFTER_DAYS`] → the supervisors too. Once a day per step: the dedupe step is the
//! status, the instant it was entered (a request returned and resubmitted starts afresh) and
//! today's date. The due set is read over `payment_request (status, status_changed_at)`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, milestone_report, organisation, payment_request};
use entity::queries::{word, words};
use entity::rules::counts::to_i64;
use entity::rules::vocab::{Decision, PaymentRequestStatus};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoTableRef, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use uuid::Uuid;

use crate::clock::{day_start, days_waited};
use crate::jobs::query;
use crate::outbox::{self, push_to};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// A request waits more than this many days at one step before whoever acts next is reminded.
pub const REMIND_AFTER_DAYS: i64 = 5;
/// A request waits more than this many days at one step before the supervisors are told.
pub const ESCALATE_AFTER_DAYS: i64 = 15;

/// A request of the due set, with its contract and organisation.
#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    status: PaymentRequestStatus,
    #[sea_orm(from_alias = "status_changed_at")]
    changed: DateTime<Utc>,
    amount_fen: i64,
    #[sea_orm(from_alias = "purchaser_id")]
    purchaser: Uuid,
    #[sea_orm(from_alias = "organisation_id")]
    organisation: Uuid,
    verified_by: Option<Uuid>,
    approved_by: Option<Uuid>,
    accepted_by: Option<Uuid>,
    #[sea_orm(from_alias = "contract_title")]
    contract: String,
    #[sea_orm(from_alias = "responsible_officer_id")]
    officer: Uuid,
    organisation_name: String,
}

/// The due set: requests waiting at a step since before `before` (the start of the local day
/// [`REMIND_AFTER_DAYS`] before today), with their contract, organisation and the user who
/// accepted their milestone. The `IN` list and the range are one index range per status of
/// `payment_request (status, status_changed_at)`; `CROSS JOIN` keeps the requests the outer
/// loop on SQLite (PostgreSQL plans it as an inner join), so requests not due are never read.
pub fn due_set(before: DateTime<Utc>) -> SelectStatement {
    use milestone_report::Column as MR;
    use payment_request::Column as R;
    let (r, c, o, mr) = (
        Alias::new("r"),
        Alias::new("c"),
        Alias::new("o"),
        Alias::new("mr"),
    );
    let accepted_by = Query::select()
        .column((mr.clone(), MR::DecidedBy))
        .from_as(milestone_report::Entity, mr.clone())
        .and_where(Expr::col((mr.clone(), MR::MilestoneId)).equals((r.clone(), R::MilestoneId)))
        .and_where(Expr::col((mr.clone(), MR::Decision)).eq(word(Decision::Accepted)))
        .order_by((mr, MR::DecidedAt), Order::Desc)
        .limit(1)
        .to_owned();
    let waiting = [
        PaymentRequestStatus::Submitted,
        PaymentRequestStatus::Verified,
        PaymentRequestStatus::Approved,
        PaymentRequestStatus::Returned,
    ];
    Query::select()
        .columns(
            [
                R::Id,
                R::Status,
                R::StatusChangedAt,
                R::AmountFen,
                R::PurchaserId,
            ]
            .map(|k| (r.clone(), k)),
        )
        .columns([R::OrganisationId, R::VerifiedBy, R::ApprovedBy].map(|k| (r.clone(), k)))
        .expr_as(
            Expr::col((c.clone(), contract::Column::Title)),
            Alias::new("contract_title"),
        )
        .column((c.clone(), contract::Column::ResponsibleOfficerId))
        .expr_as(
            Expr::col((o.clone(), organisation::Column::Name)),
            Alias::new("organisation_name"),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(accepted_by.into())),
            Alias::new("accepted_by"),
        )
        .from_as(payment_request::Entity, r.clone())
        .cross_join(contract::Entity.into_table_ref().alias(c.clone()))
        .cross_join(organisation::Entity.into_table_ref().alias(o.clone()))
        .and_where(Expr::col((c, contract::Column::Id)).equals((r.clone(), R::ContractId)))
        .and_where(Expr::col((o, organisation::Column::Id)).equals((r.clone(), R::OrganisationId)))
        .and_where(Expr::col((r.clone(), R::Status)).is_in(words(waiting)))
        .and_where(Expr::col((r, R::StatusChangedAt)).lt(before))
        .to_owned()
}

/// The due set: the requests waiting at one step since before [`REMIND_AFTER_DAYS`] ago.
async fn due_rows(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<Row>, DbErr> {
    let before = today
        .checked_sub_days(Days::new(REMIND_AFTER_DAYS as u64))
        .unwrap_or(today);
    query(db, &due_set(day_start(before, ctx.tz))).await
}

/// Queues today's reminders.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows = due_rows(ctx, db, today).await?;

    // The recipients of the whole due set, a few statements for all of it.
    let of = |s: PaymentRequestStatus| rows.iter().filter(move |r| r.status == s);
    let officers: Vec<Uuid> = of(PaymentRequestStatus::Submitted)
        .chain(of(PaymentRequestStatus::Approved))
        .map(|r| r.officer)
        .collect();
    let officers = outbox::users(db, &officers).await?;
    let purchasers: Vec<Uuid> = of(PaymentRequestStatus::Verified)
        .map(|r| r.purchaser)
        .collect();
    let approvers = outbox::purchaser_approvers(db, &purchasers, &[]).await?;
    let orgs: Vec<Uuid> = of(PaymentRequestStatus::Returned)
        .map(|r| r.organisation)
        .collect();
    let orgs = outbox::organisations(db, &orgs).await?;
    let waited = |r: &Row| days_waited(r.changed, today, ctx.tz);
    let supervisors = if rows.iter().any(|r| waited(r) > ESCALATE_AFTER_DAYS) {
        outbox::supervisors(db).await?
    } else {
        Vec::new()
    };

    let mut out = Vec::new();
    for r in &rows {
        let days = waited(r);
        let message = |escalation| Message::PaymentRequestWaiting {
            contract: r.contract.clone(),
            organisation: r.organisation_name.clone(),
            amount: Money::from_fen(r.amount_fen),
            status: r.status,
            days,
            escalation,
        };
        let next: Vec<&outbox::Recipient> = match r.status {
            PaymentRequestStatus::Submitted | PaymentRequestStatus::Approved => {
                officers.get(&r.officer).into_iter().collect()
            }
            PaymentRequestStatus::Verified => {
                // Nobody approves what they verified, what they accepted, or twice.
                let not = [r.verified_by, r.approved_by, r.accepted_by];
                approvers
                    .get(&r.purchaser)
                    .into_iter()
                    .flatten()
                    .filter(|a| !not.contains(&a.user_id))
                    .collect()
            }
            _ => orgs.get(&r.organisation).into_iter().flatten().collect(),
        };
        // The step it waits at (entered at that instant), and the day: once a day per step.
        let step = format!(
            "{}@{}/{today}",
            r.status.as_str(),
            r.changed.format("%Y%m%dT%H%M%S%.6fZ")
        );
        let link = format!("/payment-requests/{}", r.id);
        let waiting = message(false);
        push_to(&mut out, next, &waiting, r.id, &step, &link);
        if days > ESCALATE_AFTER_DAYS {
            let escalation = message(true);
            push_to(&mut out, &supervisors, &escalation, r.id, &step, &link);
        }
    }
    let notified = outbox::enqueue(db, ctx.clock.now(), &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined: to_i64(rows.len()),
        notified: to_i64(notified),
        errors: 0,
    })
}
