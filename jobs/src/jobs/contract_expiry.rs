//! `contract_expiry`: active contracts ending within 30 days with milestones not accepted →
//! the officer and the organisation, once per end date. Read over `contract (status, end_date)`.

use chrono::{Days, NaiveDate};
use entity::rules::counts::to_i64;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// The due set: active contracts ending within 30 days, with their open milestones counted.
pub const DUE_SET_SQL: &str = "SELECT c.id, c.title, c.end_date, c.organisation_id, c.responsible_officer_id, \
     (SELECT COUNT(*) FROM milestone m WHERE m.contract_id = c.id AND m.status NOT IN ('accepted', 'cancelled')) AS open_milestones \
     FROM contract c WHERE c.status = 'active' AND c.end_date >= $1 AND c.end_date <= $2";

/// Queues the expiry warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let until = today.checked_add_days(Days::new(30)).unwrap_or(today);
    let rows = query(db, DUE_SET_SQL, vec![today.into(), until.into()]).await?;
    let mut due = Vec::new();
    for r in &rows {
        let open: i64 = r.try_get("", "open_milestones")?;
        if open > 0 {
            let id: Uuid = r.try_get("", "id")?;
            let title: String = r.try_get("", "title")?;
            let end: NaiveDate = r.try_get("", "end_date")?;
            let org: Uuid = r.try_get("", "organisation_id")?;
            let officer: Uuid = r.try_get("", "responsible_officer_id")?;
            due.push((id, title, end, org, officer, open));
        }
    }
    let orgs = outbox::organisations(db, &due.iter().map(|d| d.3).collect::<Vec<_>>()).await?;
    let officers = outbox::users(db, &due.iter().map(|d| d.4).collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    for (id, title, end, org, officer, open) in due {
        let message = Message::ContractExpiring {
            contract: title,
            end,
            open_milestones: open,
        };
        let to = orgs
            .get(&org)
            .into_iter()
            .flatten()
            .chain(officers.get(&officer));
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
        examined: to_i64(rows.len()),
        notified: to_i64(notified),
        errors: 0,
    })
}
