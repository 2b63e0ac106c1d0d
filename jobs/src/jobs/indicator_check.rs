//! `indicator_check`: each active contract's score so far (SPEC §4, cumulative targets
//! pro-rated to today); below its `min_pay_score`, or an indicator with no measurement in 90
//! days (on a contract running for 90 days) → the officer and the organisation, once a week.
//! One statement reads, of every indicator of the active contracts, its latest measurement, and
//! answers the indicators of the contracts that may warn.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::model::{contract, indicator, measurement};
use entity::queries::{Count, word};
use entity::rules::counts::to_i64;
use entity::rules::performance::{IndicatorSpec, achievement, effective_target, score};
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;
use entity::rules::vocab::{Comparator, ContractStatus, Measure};
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, Func, JoinType, Order, Query, SelectStatement,
    WithClause,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter};
use uuid::Uuid;

use crate::jobs::{iso_week, query};
use crate::outbox::{self, push_to};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// An indicator of the due set, with its contract's dates and minimum score.
#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    contract_id: Uuid,
    target_e4: i64,
    comparator: Comparator,
    measure: Measure,
    weight: i32,
    start_date: NaiveDate,
    end_date: NaiveDate,
    min_pay_score_tenths: i32,
    value_e4: Option<i64>,
    recent: i32,
}

/// An integer written into the statement, as the hand-written SQL had it.
fn int(n: i32) -> Expr {
    Expr::Constant(n.into())
}

/// The indicators of the active contracts (the `x` of [`due_set`]), each with its latest value
/// and whether one was measured since `since`.
fn indicators(since: DateTime<Utc>) -> SelectStatement {
    use indicator::Column as I;
    use measurement::Column as M;
    use sea_orm::sea_query::ExprTrait;
    let (i, c, m) = (Alias::new("i"), Alias::new("c"), Alias::new("m"));
    let of_indicator = || Expr::col((m.clone(), M::IndicatorId)).equals((i.clone(), I::Id));
    let latest = Query::select()
        .column((m.clone(), M::ValueE4))
        .from_as(measurement::Entity, m.clone())
        .and_where(of_indicator())
        .order_by((m.clone(), M::SubmittedAt), Order::Desc)
        .limit(1)
        .to_owned();
    let measured = Query::select()
        .expr(int(1))
        .from_as(measurement::Entity, m.clone())
        .and_where(of_indicator())
        .and_where(Expr::col((m, M::SubmittedAt)).gte(since))
        .to_owned();
    Query::select()
        .columns(
            [
                I::Id,
                I::ContractId,
                I::TargetE4,
                I::Comparator,
                I::Measure,
                I::Weight,
            ]
            .map(|k| (i.clone(), k)),
        )
        .columns(
            [
                contract::Column::StartDate,
                contract::Column::EndDate,
                contract::Column::MinPayScoreTenths,
            ]
            .map(|k| (c.clone(), k)),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(latest.into())),
            Alias::new("value_e4"),
        )
        .expr_as(
            Expr::case(Expr::exists(measured), int(1)).finally(int(0)),
            Alias::new("recent"),
        )
        .from_as(indicator::Entity, i.clone())
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            c.clone(),
            Expr::col((c.clone(), contract::Column::Id)).equals((i, I::ContractId)),
        )
        .and_where(Expr::col((c, contract::Column::Status)).eq(word(ContractStatus::Active)))
        .to_owned()
}

/// The due set: the indicators of the active contracts that may warn, with their latest value
/// and whether one was measured since `since` (90 days ago) — only what the score needs;
/// titles, names and recipients are read afterwards for the few contracts that do warn. A
/// contract may warn when one of its indicators is stale (no value since `since` on a contract
/// started by `started_by`, 90 days before today) or not surely achieved, or its weights total
/// under 100. Surely achieved (achievement 1 by SPEC §4, whatever today's pro-rating):
/// `at_least` with the latest value at or above the full target (a pro-rated target is never
/// higher), `at_most` of a level at or below its target. Every other contract scores its full
/// weight, 100: no warning.
pub fn due_set(since: DateTime<Utc>, started_by: NaiveDate) -> SelectStatement {
    use indicator::Column as I;
    use sea_orm::sea_query::ExprTrait;
    let x = Alias::new("x");
    let (recent, value) = (
        Expr::col(Alias::new("recent")),
        Expr::col(Alias::new("value_e4")),
    );
    let value = || Func::coalesce([value.clone(), int(0)]);
    let may_warn = Expr::case(
        recent
            .eq(int(0))
            .and(Expr::col(contract::Column::StartDate).lte(started_by)),
        int(1),
    )
    .case(
        Expr::col(I::Comparator)
            .eq(word(Comparator::AtLeast))
            .and(Expr::expr(value()).gte(Expr::col(I::TargetE4))),
        int(0),
    )
    .case(
        Expr::col(I::Comparator)
            .eq(word(Comparator::AtMost))
            .and(Expr::col(I::Measure).eq(word(Measure::Level)))
            .and(Expr::expr(value()).lte(Expr::col(I::TargetE4))),
        int(0),
    )
    .finally(int(1));
    let contracts = Query::select()
        .column(I::ContractId)
        .from(x.clone())
        .group_by_col(I::ContractId)
        .and_having(
            Expr::col(I::Weight)
                .sum()
                .lt(int(100))
                .or(Expr::expr(may_warn).max().eq(int(1))),
        )
        .to_owned();
    Query::select()
        .column((x.clone(), Asterisk))
        .from(x.clone())
        .and_where(Expr::col((x.clone(), I::ContractId)).in_subquery(contracts))
        .with_cte(
            WithClause::new()
                .cte(
                    CommonTableExpression::new()
                        .query(indicators(since))
                        .table_name(x)
                        .to_owned(),
                )
                .to_owned(),
        )
        .to_owned()
}

/// How many active contracts have indicators: the contracts examined.
fn examined() -> SelectStatement {
    use sea_orm::sea_query::ExprTrait;
    let (i, c) = (Alias::new("i"), Alias::new("c"));
    Query::select()
        .expr_as(
            Expr::col((i.clone(), indicator::Column::ContractId)).count_distinct(),
            Alias::new("n"),
        )
        .from_as(indicator::Entity, i.clone())
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            c.clone(),
            Expr::col((c.clone(), contract::Column::Id)).equals((i, indicator::Column::ContractId)),
        )
        .and_where(Expr::col((c, contract::Column::Status)).eq(word(ContractStatus::Active)))
        .to_owned()
}

struct Contract {
    start: NaiveDate,
    end: NaiveDate,
    min_pay: i32,
    items: Vec<(u32, rust_decimal::Decimal)>,
    /// Indicators with no value in 90 days.
    stale: Vec<Uuid>,
}

/// The contracts of the due set's rows (one per indicator), each with its indicators'
/// weighted achievements at `today` and its stale indicators.
fn contracts_of(rows: &[Row], today: NaiveDate) -> BTreeMap<Uuid, Contract> {
    let mut contracts: BTreeMap<Uuid, Contract> = BTreeMap::new();
    for r in rows {
        let c = contracts.entry(r.contract_id).or_insert_with(|| Contract {
            start: r.start_date,
            end: r.end_date,
            min_pay: r.min_pay_score_tenths,
            items: Vec::new(),
            stale: Vec::new(),
        });
        let spec = IndicatorSpec {
            comparator: r.comparator,
            measure: r.measure,
            target: Quantity::from_e4(r.target_e4).decimal(),
            weight: r.weight.max(0).unsigned_abs(),
        };
        let t = effective_target(&spec, c.start, c.end, today.clamp(c.start, c.end));
        let v = Quantity::from_e4(r.value_e4.unwrap_or(0)).decimal();
        c.items.push((spec.weight, achievement(r.comparator, t, v)));
        let running_90_days = (today - c.start).num_days() >= 90;
        if running_90_days && r.recent == 0 {
            c.stale.push(r.id);
        }
    }
    contracts
}

/// Queues the performance warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let now = ctx.clock.now();
    let since = now - Duration::days(90);
    let started_by = today - Duration::days(90);
    let rows: Vec<Row> = query(db, &due_set(since, started_by)).await?;
    let examined = query::<Count>(db, &examined())
        .await?
        .first()
        .map_or(0, |r| r.n);
    let contracts = contracts_of(&rows, today);
    let mut alerts = Vec::new();
    for (id, c) in contracts.iter() {
        // Before the first due measurement period the score is not meaningful.
        let started = today >= c.start;
        let s = score(&c.items).filter(|_| started);
        let low = s.filter(|s| s.tenths() < c.min_pay);
        if low.is_some() || !c.stale.is_empty() {
            alerts.push((*id, c, low));
        }
    }
    let ids: Vec<Uuid> = alerts.iter().map(|a| a.0).collect();
    let parties = contract_parties(db, &ids).await?;
    let stale: Vec<Uuid> = alerts.iter().flat_map(|a| a.1.stale.clone()).collect();
    let names = indicator_names(db, &stale).await?;
    let alerts: Vec<_> = alerts
        .into_iter()
        .filter_map(|(id, c, low)| parties.get(&id).map(|p| (id, c, low, p)))
        .collect();
    let orgs = outbox::organisations(
        db,
        &alerts.iter().map(|a| a.3.organisation).collect::<Vec<_>>(),
    )
    .await?;
    let officers =
        outbox::users(db, &alerts.iter().map(|a| a.3.officer).collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    let step = iso_week(today);
    for (id, c, low, p) in alerts {
        let message = Message::IndicatorAlert {
            contract: p.title.clone(),
            score: low.map(|s| s.to_string()),
            min_pay: Score::from_tenths(c.min_pay).to_string(),
            stale: c
                .stale
                .iter()
                .filter_map(|i| names.get(i).cloned())
                .collect(),
        };
        let to = orgs
            .get(&p.organisation)
            .into_iter()
            .flatten()
            .chain(officers.get(&p.officer));
        let link = format!("/contracts/{id}/performance");
        push_to(&mut out, to, &message, id, &step, &link);
    }
    let notified = outbox::enqueue(db, now, &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined,
        notified: to_i64(notified),
        errors: 0,
    })
}

/// A contract's title and parties, for a message.
struct Parties {
    title: String,
    organisation: Uuid,
    officer: Uuid,
}

/// The titles and parties of the given contracts, 1000 at a time.
async fn contract_parties(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Parties>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        for k in contract::Entity::find()
            .filter(contract::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.insert(
                k.id,
                Parties {
                    title: k.title,
                    organisation: k.organisation_id,
                    officer: k.responsible_officer_id,
                },
            );
        }
    }
    Ok(out)
}

/// The names of the given indicators, 1000 at a time.
async fn indicator_names(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        for i in indicator::Entity::find()
            .filter(indicator::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.insert(i.id, i.name);
        }
    }
    Ok(out)
}
