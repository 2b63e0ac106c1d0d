//! `indicator_check`: each active contract's score so far (SPEC §4, cumulative targets
//! pro-rated to today); below its `min_pay_score`, or an indicator with no measurement in 90
//! days (on a contract running for 90 days) → the officer and the organisation, once a week.
//! One statement reads, of every indicator of the active contracts, its latest measurement, and
//! answers the indicators of the contracts that may warn.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use entity::model::{contract, indicator};
use entity::rules::counts::to_i64;
use entity::rules::performance::{IndicatorSpec, achievement, effective_target, score};
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;
use entity::rules::vocab::{Comparator, Measure};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryResult};
use uuid::Uuid;

use crate::jobs::{iso_week, query};
use crate::outbox::{self, push_to};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// The due set: the indicators of the active contracts that may warn, with their latest value
/// and whether one was measured since `$1` (90 days ago) — only what the score needs; titles,
/// names and recipients are read afterwards for the few contracts that do warn. A contract may
/// warn when one of its indicators is stale (no value since `$1` on a contract started by `$2`,
/// 90 days before today) or not surely achieved, or its weights total under 100. Surely
/// achieved (achievement 1 by SPEC §4, whatever today's pro-rating): `at_least` with the latest
/// value at or above the full target (a pro-rated target is never higher), `at_most` of a level
/// at or below its target. Every other contract scores its full weight, 100: no warning.
pub const DUE_SET_SQL: &str = "WITH x AS (SELECT i.id, i.contract_id, i.target_e4, i.comparator, i.measure, i.weight, \
     c.start_date, c.end_date, c.min_pay_score_tenths, \
     (SELECT m.value_e4 FROM measurement m WHERE m.indicator_id = i.id ORDER BY m.submitted_at DESC LIMIT 1) AS value_e4, \
     CASE WHEN EXISTS (SELECT 1 FROM measurement m WHERE m.indicator_id = i.id AND m.submitted_at >= $1) THEN 1 ELSE 0 END AS recent \
     FROM indicator i JOIN contract c ON c.id = i.contract_id WHERE c.status = 'active') \
     SELECT x.* FROM x WHERE x.contract_id IN (SELECT contract_id FROM x GROUP BY contract_id \
     HAVING SUM(weight) < 100 OR MAX(CASE WHEN recent = 0 AND start_date <= $2 THEN 1 \
     WHEN comparator = 'at_least' AND COALESCE(value_e4, 0) >= target_e4 THEN 0 \
     WHEN comparator = 'at_most' AND measure = 'level' AND COALESCE(value_e4, 0) <= target_e4 THEN 0 \
     ELSE 1 END) = 1)";

/// How many active contracts have indicators: the contracts examined.
const EXAMINED_SQL: &str = "SELECT COUNT(DISTINCT i.contract_id) AS n FROM indicator i \
     JOIN contract c ON c.id = i.contract_id WHERE c.status = 'active'";

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
fn contracts_of(rows: &[QueryResult], today: NaiveDate) -> Result<BTreeMap<Uuid, Contract>, DbErr> {
    let mut contracts: BTreeMap<Uuid, Contract> = BTreeMap::new();
    for r in rows {
        let id: Uuid = r.try_get("", "contract_id")?;
        let c = match contracts.entry(id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(Contract {
                start: r.try_get("", "start_date")?,
                end: r.try_get("", "end_date")?,
                min_pay: r.try_get("", "min_pay_score_tenths")?,
                items: Vec::new(),
                stale: Vec::new(),
            }),
        };
        let comparator: Comparator = r.try_get("", "comparator")?;
        let measure: Measure = r.try_get("", "measure")?;
        let weight: i32 = r.try_get("", "weight")?;
        let target = Quantity::from_e4(r.try_get("", "target_e4")?).decimal();
        let value: Option<i64> = r.try_get("", "value_e4")?;
        let recent: i32 = r.try_get("", "recent")?;
        let spec = IndicatorSpec {
            comparator,
            measure,
            target,
            weight: weight.max(0).unsigned_abs(),
        };
        let t = effective_target(&spec, c.start, c.end, today.clamp(c.start, c.end));
        let v = Quantity::from_e4(value.unwrap_or(0)).decimal();
        c.items.push((spec.weight, achievement(comparator, t, v)));
        let running_90_days = (today - c.start).num_days() >= 90;
        if running_90_days && recent == 0 {
            c.stale.push(r.try_get("", "id")?);
        }
    }
    Ok(contracts)
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
    let rows = query(db, DUE_SET_SQL, vec![since.into(), started_by.into()]).await?;
    let examined: i64 = query(db, EXAMINED_SQL, vec![])
        .await?
        .first()
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let contracts = contracts_of(&rows, today)?;
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
