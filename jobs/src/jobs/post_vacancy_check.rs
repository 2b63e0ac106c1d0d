//! `post_vacancy_check`: a post of an active contract vacant more than 30 days in a row → the
//! officer and the organisation, once per vacancy (step = the day it began).

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use entity::model::{contract, post, post_assignment};
use entity::queries::word;
use entity::rules::counts::to_i64;
use entity::rules::vocab::ContractStatus;
use sea_orm::sea_query::{Alias, Cond, Expr, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use uuid::Uuid;

use crate::jobs::query;
use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// A post of the due set.
#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    title: String,
    start_date: NaiveDate,
    contract_id: Uuid,
    contract_title: String,
    organisation_id: Uuid,
    responsible_officer_id: Uuid,
    last_filled: Option<NaiveDate>,
}

/// The due set: posts of active contracts, within their dates, that nobody fills `today`,
/// with the last day an assignment covered them.
pub fn due_set(today: NaiveDate) -> SelectStatement {
    use post_assignment::Column as A;
    use sea_orm::sea_query::ExprTrait;
    let (p, c, a) = (Alias::new("p"), Alias::new("c"), Alias::new("a"));
    let of_post = || Expr::col((a.clone(), A::PostId)).equals((p.clone(), post::Column::Id));
    let last_filled = Query::select()
        .expr(Expr::col((a.clone(), A::ToDate)).max())
        .from_as(post_assignment::Entity, a.clone())
        .and_where(of_post())
        .and_where(Expr::col((a.clone(), A::ToDate)).lt(today))
        .to_owned();
    let filled = Query::select()
        .expr(Expr::Constant(1.into()))
        .from_as(post_assignment::Entity, a.clone())
        .and_where(of_post())
        .and_where(Expr::col((a.clone(), A::FromDate)).lte(today))
        .cond_where(
            Cond::any()
                .add(Expr::col((a.clone(), A::ToDate)).is_null())
                .add(Expr::col((a.clone(), A::ToDate)).gte(today)),
        )
        .to_owned();
    Query::select()
        .columns(
            [
                post::Column::Id,
                post::Column::Title,
                post::Column::StartDate,
            ]
            .map(|k| (p.clone(), k)),
        )
        .expr_as(
            Expr::col((c.clone(), contract::Column::Id)),
            Alias::new("contract_id"),
        )
        .expr_as(
            Expr::col((c.clone(), contract::Column::Title)),
            Alias::new("contract_title"),
        )
        .columns(
            [
                contract::Column::OrganisationId,
                contract::Column::ResponsibleOfficerId,
            ]
            .map(|k| (c.clone(), k)),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(last_filled.into())),
            Alias::new("last_filled"),
        )
        .from_as(post::Entity, p.clone())
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            c.clone(),
            Expr::col((c.clone(), contract::Column::Id))
                .equals((p.clone(), post::Column::ContractId)),
        )
        .and_where(Expr::col((c, contract::Column::Status)).eq(word(ContractStatus::Active)))
        .and_where(Expr::col((p.clone(), post::Column::StartDate)).lte(today))
        .and_where(Expr::col((p, post::Column::EndDate)).gte(today))
        .and_where(Expr::exists(filled).not())
        .to_owned()
}

/// Queues the vacancy warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let rows: Vec<Row> = query(db, &due_set(today)).await?;
    let mut due = Vec::new();
    for r in &rows {
        let since = r
            .last_filled
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .unwrap_or(r.start_date)
            .max(r.start_date);
        let days = (today - since).num_days() + 1;
        if days > 30 {
            due.push((r, since, days));
        }
    }
    let orgs: HashMap<_, _> = outbox::organisations(
        db,
        &due.iter().map(|d| d.0.organisation_id).collect::<Vec<_>>(),
    )
    .await?;
    let officers = outbox::users(
        db,
        &due.iter()
            .map(|d| d.0.responsible_officer_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut out = Vec::new();
    for (r, since, days) in due {
        let message = Message::PostVacant {
            contract: r.contract_title.clone(),
            post: r.title.clone(),
            since,
            days,
        };
        for rc in orgs
            .get(&r.organisation_id)
            .into_iter()
            .flatten()
            .chain(officers.get(&r.responsible_officer_id))
        {
            out.push(Outgoing {
                recipient: rc.clone(),
                message: message.clone(),
                entity_id: r.id,
                step: since.to_string(),
                link: format!("/contracts/{}/posts", r.contract_id),
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
