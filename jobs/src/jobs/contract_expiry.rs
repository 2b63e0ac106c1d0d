//! `contract_expiry`: active contracts ending within 30 days with milestones not accepted →
//! the officer and the organisation, once per end date. Read over `contract (status, end_date)`.

use chrono::{Days, NaiveDate};
use entity::model::{contract, milestone};
use entity::queries::{word, words};
use entity::rules::counts::to_i64;
use entity::rules::vocab::{ContractStatus, MilestoneStatus};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// A contract of the due set.
#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    title: String,
    end_date: NaiveDate,
    organisation_id: Uuid,
    responsible_officer_id: Uuid,
    open_milestones: i64,
}

/// The due set: active contracts ending from `today` to `until`, with their open milestones
/// counted.
pub fn due_set(today: NaiveDate, until: NaiveDate) -> SelectStatement {
    use contract::Column as C;
    let (c, m) = (Alias::new("c"), Alias::new("m"));
    let open = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from_as(milestone::Entity, m.clone())
        .and_where(Expr::col((m.clone(), milestone::Column::ContractId)).equals((c.clone(), C::Id)))
        .and_where(Expr::col((m, milestone::Column::Status)).is_not_in(words([
            MilestoneStatus::Accepted,
            MilestoneStatus::Cancelled,
        ])))
        .to_owned();
    Query::select()
        .columns(
            [
                C::Id,
                C::Title,
                C::EndDate,
                C::OrganisationId,
                C::ResponsibleOfficerId,
            ]
            .map(|k| (c.clone(), k)),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(open.into())),
            Alias::new("open_milestones"),
        )
        .from_as(contract::Entity, c.clone())
        .and_where(Expr::col((c.clone(), C::Status)).eq(word(ContractStatus::Active)))
        .and_where(Expr::col((c.clone(), C::EndDate)).gte(today))
        .and_where(Expr::col((c, C::EndDate)).lte(until))
        .to_owned()
}

/// Queues the expiry warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let until = today.checked_add_days(Days::new(30)).unwrap_or(today);
    let rows: Vec<Row> = query(db, &due_set(today, until)).await?;
    let examined = rows.len();
    let due: Vec<Row> = rows.into_iter().filter(|r| r.open_milestones > 0).collect();
    let orgs = outbox::organisations(
        db,
        &due.iter().map(|d| d.organisation_id).collect::<Vec<_>>(),
    )
    .await?;
    let officers = outbox::users(
        db,
        &due.iter()
            .map(|d| d.responsible_officer_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut out = Vec::new();
    for d in due {
        let (id, end) = (d.id, d.end_date);
        let message = Message::ContractExpiring {
            contract: d.title,
            end,
            open_milestones: d.open_milestones,
        };
        let to = orgs
            .get(&d.organisation_id)
            .into_iter()
            .flatten()
            .chain(officers.get(&d.responsible_officer_id));
        for rc in to {
            out.push(Outgoing {
                recipient: rc.clone(),
                message: message.clone(),
                entity_id: id,
                step: end.to_string(),
                link: format!("/contracts/{id}"),
            });
        }
    }
    let notified = outbox::enqueue(db, ctx.clock.now(), &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined: to_i64(examined),
        notified: to_i64(notified),
        errors: 0,
    })
}
