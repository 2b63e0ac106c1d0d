//! `post_vacancy_check`: a post of an active contract vacant more than 30 days in a row → the
//! officer and the organisation, once per vacancy (step = the day it began).

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use entity::rules::counts::to_i64;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// The due set: posts of active contracts, within their dates, that nobody fills today,
/// with the last day an assignment covered them.
pub const DUE_SET_SQL: &str = "SELECT p.id, p.title, p.start_date, c.id AS contract_id, c.title AS contract_title, \
     c.organisation_id, c.responsible_officer_id, \
     (SELECT MAX(a.to_date) FROM post_assignment a WHERE a.post_id = p.id AND a.to_date < $1) AS last_filled \
     FROM post p JOIN contract c ON c.id = p.contract_id \
     WHERE c.status = 'active' AND p.start_date <= $1 AND p.end_date >= $1 \
     AND NOT EXISTS (SELECT 1 FROM post_assignment a WHERE a.post_id = p.id AND a.from_date <= $1 AND (a.to_date IS NULL OR a.to_date >= $1))";

/// Queues the vacancy warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows = query(db, DUE_SET_SQL, vec![today.into()]).await?;
    let mut due = Vec::new();
    for r in &rows {
        let start: NaiveDate = r.try_get("", "start_date")?;
        let last_filled: Option<NaiveDate> = r.try_get("", "last_filled")?;
        let since = last_filled
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .unwrap_or(start)
            .max(start);
        let days = (today - since).num_days() + 1;
        if days > 30 {
            let id: Uuid = r.try_get("", "id")?;
            let title: String = r.try_get("", "title")?;
            let contract: Uuid = r.try_get("", "contract_id")?;
            let contract_title: String = r.try_get("", "contract_title")?;
            let org: Uuid = r.try_get("", "organisation_id")?;
            let officer: Uuid = r.try_get("", "responsible_officer_id")?;
            due.push((
                id,
                title,
                since,
                days,
                contract,
                contract_title,
                org,
                officer,
            ));
        }
    }
    let orgs: HashMap<_, _> =
        outbox::organisations(db, &due.iter().map(|d| d.6).collect::<Vec<_>>()).await?;
    let officers = outbox::users(db, &due.iter().map(|d| d.7).collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    for (id, post, since, days, contract, contract_title, org, officer) in due {
        let message = Message::PostVacant {
            contract: contract_title,
            post,
            since,
            days,
        };
        for rc in orgs
            .get(&org)
            .into_iter()
            .flatten()
            .chain(officers.get(&officer))
        {
            out.push(Outgoing {
                recipient: rc.clone(),
                message: message.clone(),
                entity_id: id,
                step: since.to_string(),
                link: format!("/contracts/{contract}/posts"),
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
