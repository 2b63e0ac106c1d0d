//! `milestone_reminders`: milestones due in 7 days and in 1 day → the organisation; overdue →
//! the organisation and the officer, once per week of lateness (step = days overdue ÷ 7);
//! overdue 30 days → supervisors. The due set is read over `milestone (status, due_date)`.

use chrono::{Days, NaiveDate};
use entity::model::{contract, milestone, organisation};
use entity::queries::{word, words};
use entity::rules::counts::to_i64;
use entity::rules::vocab::{ContractStatus, MilestoneStatus};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoTableRef, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Recipient, push_to};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// A milestone of the due set, with its contract and organisation.
#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    title: String,
    #[sea_orm(from_alias = "due_date")]
    due: NaiveDate,
    status: MilestoneStatus,
    amount_fen: i64,
    contract_id: Uuid,
    #[sea_orm(from_alias = "contract_title")]
    contract: String,
    #[sea_orm(from_alias = "organisation_id")]
    organisation: Uuid,
    organisation_name: String,
    #[sea_orm(from_alias = "responsible_officer_id")]
    officer: Uuid,
}

/// The open milestones of active contracts whose due date meets `due` (one arm of
/// [`due_set`]). `CROSS JOIN` keeps the milestones as the outer loop on SQLite (its join-order
/// hint; PostgreSQL plans it as an inner join).
fn open_milestones(due: Expr) -> SelectStatement {
    use contract::Column as C;
    use milestone::Column as M;
    let (m, c, o) = (Alias::new("m"), Alias::new("c"), Alias::new("o"));
    let open = [
        MilestoneStatus::Planned,
        MilestoneStatus::Rejected,
        MilestoneStatus::Submitted,
    ];
    Query::select()
        .columns([M::Id, M::Title, M::DueDate, M::Status, M::AmountFen].map(|k| (m.clone(), k)))
        .expr_as(Expr::col((c.clone(), C::Id)), Alias::new("contract_id"))
        .expr_as(
            Expr::col((c.clone(), C::Title)),
            Alias::new("contract_title"),
        )
        .columns([C::OrganisationId, C::ResponsibleOfficerId].map(|k| (c.clone(), k)))
        .expr_as(
            Expr::col((o.clone(), organisation::Column::Name)),
            Alias::new("organisation_name"),
        )
        .from_as(milestone::Entity, m.clone())
        .cross_join(contract::Entity.into_table_ref().alias(c.clone()))
        .cross_join(organisation::Entity.into_table_ref().alias(o.clone()))
        .and_where(Expr::col((c.clone(), C::Id)).equals((m.clone(), M::ContractId)))
        .and_where(Expr::col((o, organisation::Column::Id)).equals((c.clone(), C::OrganisationId)))
        .and_where(Expr::col((c, C::Status)).eq(word(ContractStatus::Active)))
        .and_where(Expr::col((m.clone(), M::Status)).is_in(words(open)))
        .and_where(due)
        .to_owned()
}

/// The due set of `today`: open milestones of active contracts due in 7 or 1 days, or
/// overdue. Each arm of the `UNION ALL` is one range of the `milestone (status, due_date)`
/// index (points, then everything before today): however many milestones are not due, only
/// the due ones are read.
pub fn due_set(today: NaiveDate) -> SelectStatement {
    let in7 = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let in1 = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let due = || Expr::col((Alias::new("m"), milestone::Column::DueDate));
    open_milestones(due().is_in([in7, in1]))
        .union(UnionType::All, open_milestones(due().lt(today)))
        .to_owned()
}

/// Queues the reminders of today.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows: Vec<Row> = query(db, &due_set(today)).await?;
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
