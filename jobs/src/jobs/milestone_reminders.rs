//! `milestone_reminders`: milestones due in 7 days and in 1 day → the organisation; overdue →
//! the organisation and the officer, once per week of lateness (step = days overdue ÷ 7);
//! overdue 30 days → supervisors. The due set is read over `milestone (status, due_date)`.

use chrono::{Days, NaiveDate};
use entity::rules::counts::to_i64;
use entity::rules::vocab::MilestoneStatus;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Recipient, push_to};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// The due set: open milestones of active contracts due in 7 or 1 days, or overdue. Each arm
/// of the `UNION ALL` is one range of the `milestone (status, due_date)` index (points, then
/// everything before today), and `CROSS JOIN` keeps the milestones as the outer loop on SQLite
/// (its join-order hint; PostgreSQL plans it as an inner join): however many milestones are
/// not due, only the due ones are read.
pub const DUE_SET_SQL: &str = "SELECT m.id, m.title, m.due_date, m.status, m.amount_fen, c.id AS contract_id, c.title AS contract_title, \
     c.organisation_id, c.responsible_officer_id, o.name AS organisation_name \
     FROM milestone m CROSS JOIN contract c CROSS JOIN organisation o \
     WHERE c.id = m.contract_id AND o.id = c.organisation_id AND c.status = 'active' \
     AND m.status IN ('planned', 'rejected', 'submitted') AND m.due_date IN ($1, $2) \
     UNION ALL \
     SELECT m.id, m.title, m.due_date, m.status, m.amount_fen, c.id AS contract_id, c.title AS contract_title, \
     c.organisation_id, c.responsible_officer_id, o.name AS organisation_name \
     FROM milestone m CROSS JOIN contract c CROSS JOIN organisation o \
     WHERE c.id = m.contract_id AND o.id = c.organisation_id AND c.status = 'active' \
     AND m.status IN ('planned', 'rejected', 'submitted') AND m.due_date < $3";

struct Row {
    id: Uuid,
    title: String,
    due: NaiveDate,
    status: MilestoneStatus,
    amount_fen: i64,
    contract_id: Uuid,
    contract: String,
    organisation: Uuid,
    organisation_name: String,
    officer: Uuid,
}

/// The due set of `today` (see [`DUE_SET_SQL`]).
async fn due_set(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Vec<Row>, DbErr> {
    let in7 = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let in1 = today.checked_add_days(Days::new(1)).unwrap_or(today);
    query(db, DUE_SET_SQL, vec![in7.into(), in1.into(), today.into()])
        .await?
        .into_iter()
        .map(|r| {
            Ok(Row {
                id: r.try_get("", "id")?,
                title: r.try_get("", "title")?,
                due: r.try_get("", "due_date")?,
                status: r.try_get("", "status")?,
                amount_fen: r.try_get("", "amount_fen")?,
                contract_id: r.try_get("", "contract_id")?,
                contract: r.try_get("", "contract_title")?,
                organisation: r.try_get("", "organisation_id")?,
                organisation_name: r.try_get("", "organisation_name")?,
                officer: r.try_get("", "responsible_officer_id")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()
}

/// Queues the reminders of today.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows = due_set(db, today).await?;
    let orgs: Vec<Uuid> = rows.iter().map(|r| r.organisation).collect();
    let officers: Vec<Uuid> = rows.iter().map(|r| r.officer).collect();
    let org_recipients = outbox::organisations(db, &orgs).await?;
    let officer_recipients = outbox::users(db, &officers).await?;
    let supervisors = if rows.iter().any(|r| (today - r.due).num_days() >= 30) {
        outbox::supervisors(db).await?
    } else {
        Vec::new()
    };

    let mut out = Vec::new();
    for r in &rows {
        let link = format!("/contracts/{}", r.contract_id);
        let for_org = r.status != MilestoneStatus::Submitted;
        let org_list = org_recipients
            .get(&r.organisation)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if r.due > today {
            let days = (r.due - today).num_days();
            if !for_org {
                continue;
            }
            let message = Message::MilestoneDue {
                contract: r.contract.clone(),
                milestone: r.title.clone(),
                due: r.due,
                days,
                amount: entity::Money::from_fen(r.amount_fen),
            };
            let step = format!("due{days}@{}", r.due);
            push_to(&mut out, org_list, &message, r.id, &step, &link);
            continue;
        }
        let days = (today - r.due).num_days();
        let message = Message::MilestoneOverdue {
            contract: r.contract.clone(),
            milestone: r.title.clone(),
            due: r.due,
            days,
        };
        // The due date is part of the step: a rescheduled milestone is reminded afresh.
        let step = format!("late-w{}@{}", days / 7, r.due);
        let officer = officer_recipients.get(&r.officer).into_iter();
        let to: Vec<&Recipient> = if for_org {
            org_list.iter().chain(officer).collect()
        } else {
            officer.collect()
        };
        push_to(&mut out, to, &message, r.id, &step, &link);
        if days >= 30 {
            let message = Message::MilestoneEscalation {
                contract: r.contract.clone(),
                organisation: r.organisation_name.clone(),
                milestone: r.title.clone(),
                due: r.due,
                days,
            };
            push_to(&mut out, &supervisors, &message, r.id, "late30", &link);
        }
    }
    let notified = outbox::enqueue(db, ctx.clock.now(), &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined: to_i64(rows.len()),
        notified: to_i64(notified),
        errors: 0,
    })
}
