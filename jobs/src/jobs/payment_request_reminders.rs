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
use entity::rules::counts::to_i64;
use entity::rules::vocab::PaymentRequestStatus;
use sea_orm::{ConnectionTrait, DbErr};
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

/// The due set: requests waiting at a step since before `$1` (the start of the local day
/// [`REMIND_AFTER_DAYS`] before today), with their contract, organisation and the user who
/// accepted their milestone. The `IN` list and the range are one index range per status of
/// `payment_request (status, status_changed_at)`; `CROSS JOIN` keeps the requests the outer
/// loop on SQLite (PostgreSQL plans it as an inner join), so requests not due are never read.
pub const DUE_SET_SQL: &str = "SELECT r.id, r.status, r.status_changed_at, r.amount_fen, \
     r.purchaser_id, r.organisation_id, r.verified_by, r.approved_by, \
     c.title AS contract_title, c.responsible_officer_id, \
     o.name AS organisation_name, \
     (SELECT mr.decided_by FROM milestone_report mr WHERE mr.milestone_id = r.milestone_id \
      AND mr.decision = 'accepted' ORDER BY mr.decided_at DESC LIMIT 1) AS accepted_by \
     FROM payment_request r CROSS JOIN contract c CROSS JOIN organisation o \
     WHERE c.id = r.contract_id AND o.id = r.organisation_id \
     AND r.status IN ('submitted', 'verified', 'approved', 'returned') \
     AND r.status_changed_at < $1";

struct Row {
    id: Uuid,
    status: PaymentRequestStatus,
    changed: DateTime<Utc>,
    amount_fen: i64,
    purchaser: Uuid,
    organisation: Uuid,
    verified_by: Option<Uuid>,
    approved_by: Option<Uuid>,
    accepted_by: Option<Uuid>,
    contract: String,
    officer: Uuid,
    organisation_name: String,
}

/// The due set: the requests waiting at one step since before [`REMIND_AFTER_DAYS`] ago.
async fn due_set(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<Row>, DbErr> {
    let before = today
        .checked_sub_days(Days::new(REMIND_AFTER_DAYS as u64))
        .unwrap_or(today);
    query(db, DUE_SET_SQL, vec![day_start(before, ctx.tz).into()])
        .await?
        .into_iter()
        .map(|r| {
            Ok(Row {
                id: r.try_get("", "id")?,
                status: r.try_get("", "status")?,
                changed: r.try_get("", "status_changed_at")?,
                amount_fen: r.try_get("", "amount_fen")?,
                purchaser: r.try_get("", "purchaser_id")?,
                organisation: r.try_get("", "organisation_id")?,
                verified_by: r.try_get("", "verified_by")?,
                approved_by: r.try_get("", "approved_by")?,
                accepted_by: r.try_get("", "accepted_by")?,
                contract: r.try_get("", "contract_title")?,
                officer: r.try_get("", "responsible_officer_id")?,
                organisation_name: r.try_get("", "organisation_name")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()
}

/// Queues today's reminders.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows = due_set(ctx, db, today).await?;

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
