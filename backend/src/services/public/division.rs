//! A division's public page (SPEC §8): what is bought for a county, a township or a village
//! and everything below it — the signed contracts, the funded posts (filled or vacant, never a
//! worker), this fiscal year's committed and disbursed by category, the accepted milestones
//! with their scores, and the sub-divisions with their totals.
//!
//! "Below" is by code: a village's contracts count for its township and its county, so the
//! sub-divisions' totals and the division's own contracts (those carrying its very code) add up
//! to the division's totals. Every part is one set-based statement over the code's range (an
//! index range on `division_code`), whatever the number of contracts; the parts are read at
//! once.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, organisation};
use entity::queries::numbered;
use entity::rules::divisions::{Level, ancestors};
use entity::rules::vocab::{ContractStatus, ServiceCategory};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::notices::{check_division, within};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Page, decode};
use crate::services::divisions;
use crate::store::page::Keyset;

/// The contract statuses of services bought: signed, running or ended (never a draft, never a
/// cancelled draft).
pub const SIGNED: [ContractStatus; 3] = [
    ContractStatus::Active,
    ContractStatus::Completed,
    ContractStatus::Terminated,
];

/// How many funded posts and accepted milestones a page lists (their counts are complete).
const LISTED: u64 = 100;

/// A division by code and name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DivisionRef {
    pub code: String,
    /// The register's name (absent when the register does not know the code).
    pub name: Option<String>,
}

/// Money figures of this fiscal year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figures {
    /// Signed contracts on this fiscal year's budget lines.
    pub contracts: i64,
    /// SPEC §2 `committed`: an active contract's value; an ended one's earned part.
    pub committed: Money,
    /// What was paid on them.
    pub disbursed: Money,
}

impl Figures {
    fn add(&mut self, o: Figures) {
        self.contracts += o.contracts;
        self.committed = Money::from_fen(self.committed.fen() + o.committed.fen());
        self.disbursed = Money::from_fen(self.disbursed.fen() + o.disbursed.fen());
    }
}

/// One category's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CategoryFigures {
    pub category: ServiceCategory,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A sub-division and its figures (the division's own contracts, carrying its very code, are
/// `own` on the page instead).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SubDivision {
    pub code: String,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A contract as the public sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicContract {
    pub id: Uuid,
    pub title: String,
    pub organisation: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    pub division_name: Option<String>,
    pub value: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
}

/// A funded post: who must staff it and whether it is staffed today. Never who staffs it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicPost {
    pub title: String,
    pub division_code: String,
    pub division_name: Option<String>,
    pub organisation: String,
    /// The organisation's contact address.
    pub organisation_contact: String,
    pub filled: bool,
}

/// An accepted milestone and its score.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AcceptedMilestone {
    pub title: String,
    pub contract_title: String,
    pub organisation: String,
    pub accepted_at: DateTime<Utc>,
    /// The contract's score at acceptance (0–100, one decimal); none without indicators.
    #[schema(value_type = Option<String>, example = "92.5")]
    pub score: Option<Decimal>,
}

/// A division's public page.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DivisionPage {
    pub code: String,
    pub name: Option<String>,
    /// `county`, `township` or `village`.
    pub level: String,
    /// The divisions above it, the county first.
    pub parents: Vec<DivisionRef>,
    pub fiscal_year: i32,
    /// This fiscal year's figures for the division and everything below it.
    pub totals: Figures,
    pub by_category: Vec<CategoryFigures>,
    /// The figures of contracts carrying the division's own code (not a sub-division's).
    pub own: Figures,
    pub sub_divisions: Vec<SubDivision>,
    /// Signed contracts for it and below, newest first (a page of them).
    pub contracts: Vec<PublicContract>,
    /// Pass as `cursor` for the next page of `contracts`.
    pub contracts_next_cursor: Option<String>,
    /// Posts of active contracts funded today, the first ones.
    pub posts: Vec<PublicPost>,
    pub posts_filled: i64,
    pub posts_vacant: i64,
    /// The latest accepted milestones.
    pub milestones: Vec<AcceptedMilestone>,
}

/// Query of `GET /public/divisions/{code}`: pages through the contracts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DivisionQuery {
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// A division's figures added up: in all, by category, by direct sub-division, and its own
/// (contracts bought for the division itself).
struct Sums {
    totals: Figures,
    own: Figures,
    by_category: BTreeMap<&'static str, (ServiceCategory, Figures)>,
    by_child: BTreeMap<String, Figures>,
}

impl Sums {
    /// Adds up `rows` (division code, category, figures); a code `child_len` long is a direct
    /// sub-division's.
    fn of(rows: Vec<(String, ServiceCategory, Figures)>, child_len: usize) -> Sums {
        let mut totals = Figures::default();
        let mut own = Figures::default();
        let mut by_category: BTreeMap<&'static str, (ServiceCategory, Figures)> = BTreeMap::new();
        let mut by_child: BTreeMap<String, Figures> = BTreeMap::new();
        for (d, cat, f) in rows {
            totals.add(f);
            by_category
                .entry(cat.as_str())
                .or_insert((cat, Figures::default()))
                .1
                .add(f);
            if d.len() == child_len {
                by_child.entry(d).or_default().add(f);
            } else {
                own.add(f);
            }
        }
        Sums {
            totals,
            own,
            by_category,
            by_child,
        }
    }
}

/// The page of `code` as of `today` (the fiscal year is today's calendar year).
#[expect(
    clippy::too_many_lines,
    reason = "one public page, gathered in order; to split further (issue 20)"
)]
pub async fn page(
    db: &impl ConnectionTrait,
    code: &str,
    today: NaiveDate,
    q: &DivisionQuery,
) -> ApiResult<DivisionPage> {
    check_division("code", code)?;
    let level = Level::of(code).ok_or(ApiError::NotFound)?;
    let paging = Keyset::newest_first(q.limit)?;
    let cursor = q.cursor.as_deref().map(decode).transpose()?;
    let fiscal_year = today.year();

    // Four independent reads: at once, each on a connection of its own.
    let (contracts, figures, posts, milestones) = tokio::join!(
        contracts(db, code, paging, cursor),
        figures(db, code, level, fiscal_year),
        posts(db, code, today),
        milestones(db, code),
    );
    let (contracts, contracts_next_cursor) = contracts?;
    let (rows, child_len) = figures?;
    let (posts, posts_filled, posts_vacant) = posts?;
    let milestones = milestones?;

    let Sums {
        totals,
        own,
        by_category,
        mut by_child,
    } = Sums::of(rows, child_len);
    // Every sub-division in the register, with or without contracts, and any other code that
    // has contracts.
    let registered = if level == Level::Village {
        Vec::new()
    } else {
        divisions::children(db, Some(code)).await?
    };
    for (c, _) in &registered {
        by_child.entry(c.clone()).or_default();
    }

    let mut wanted: Vec<String> = ancestors(code).into_iter().map(String::from).collect();
    wanted.push(code.to_string());
    wanted.extend(by_child.keys().cloned());
    wanted.extend(contracts.iter().map(|c| c.division_code.clone()));
    wanted.extend(posts.iter().map(|p| p.division_code.clone()));
    let names = divisions::names(db, &wanted).await?;
    let name_of = |c: &str| names.get(c).cloned();
    // A code neither in the register nor bought for: no such division (a first page without
    // a contract means none at all).
    if name_of(code).is_none() && contracts.is_empty() && cursor.is_none() {
        return Err(ApiError::NotFound);
    }

    let mut contracts = contracts;
    for c in &mut contracts {
        c.division_name = name_of(&c.division_code);
    }
    let mut posts = posts;
    for p in &mut posts {
        p.division_name = name_of(&p.division_code);
    }
    Ok(DivisionPage {
        code: code.to_string(),
        name: name_of(code),
        level: level.as_str().to_string(),
        parents: ancestors(code)
            .into_iter()
            .map(|c| DivisionRef {
                code: c.to_string(),
                name: name_of(c),
            })
            .collect(),
        fiscal_year,
        totals,
        by_category: by_category
            .into_values()
            .map(|(category, figures)| CategoryFigures { category, figures })
            .collect(),
        own,
        sub_divisions: by_child
            .into_iter()
            .map(|(code, figures)| SubDivision {
                name: name_of(&code),
                code,
                figures,
            })
            .collect(),
        contracts,
        contracts_next_cursor,
        posts,
        posts_filled,
        posts_vacant,
        milestones,
    })
}

/// A page of signed contracts for `code` and below, newest first.
async fn contracts(
    db: &impl ConnectionTrait,
    code: &str,
    paging: Keyset,
    before: Option<Uuid>,
) -> ApiResult<(Vec<PublicContract>, Option<String>)> {
    let q = contract::Entity::find()
        .filter(within(contract::Column::DivisionCode, code))
        .filter(contract::Column::Status.is_in(SIGNED));
    let rows = paging
        .after(q, contract::Column::Id, before)
        .all(db)
        .await?;
    let Page {
        items: rows,
        next_cursor: next,
    } = paging.into_page_by_id(rows, |c| c.id);
    let orgs = organisations(db, rows.iter().map(|c| c.organisation_id)).await?;
    let out = rows
        .into_iter()
        .map(|c| {
            Ok(PublicContract {
                service_category: c.service_category,
                status: c.status,
                organisation: orgs
                    .get(&c.organisation_id)
                    .map(|o| o.0.clone())
                    .unwrap_or_default(),
                id: c.id,
                title: c.title,
                division_code: c.division_code,
                division_name: None,
                value: Money::from_fen(c.value_fen),
                start_date: c.start_date,
                end_date: c.end_date,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((out, next))
}

/// Organisations' `(name, contact)` by id, in one statement.
async fn organisations(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, (String, String)>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisation::Entity::find()
        .select_only()
        .columns([
            organisation::Column::Id,
            organisation::Column::Name,
            organisation::Column::ContactEmail,
        ])
        .filter(organisation::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, contact)| (id, (name, contact)))
        .collect())
}

/// A contract's committed (SPEC §2; `entity::queries::COMMITTED_SQL` per contract): an active
/// one's value; an ended one's advances plus the payable of its accepted milestones. Then what
/// was paid on it. Looked up contract by contract (a village's or a township's few contracts:
/// index lookups)…
const FIGURES_BY_LOOKUP: &str = "CAST(SUM(CASE WHEN c.status = 'active' THEN c.value_fen ELSE \
    COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.contract_id = c.id AND p.milestone_id IS NULL), 0) \
    + COALESCE((SELECT SUM(m.payable_fen) FROM milestone m WHERE m.contract_id = c.id AND m.status = 'accepted'), 0) END) AS BIGINT) AS committed, \
    CAST(SUM(COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.contract_id = c.id), 0)) AS BIGINT) AS disbursed \
    FROM contract c";

/// … or from payments and milestones summed per contract once (a county's tens of thousands
/// of contracts: one pass over each table instead of a lookup per contract).
const FIGURES_BY_JOIN: &str = "CAST(SUM(CASE WHEN c.status = 'active' THEN c.value_fen ELSE \
    COALESCE(p.advances, 0) + COALESCE(m.accepted_payable, 0) END) AS BIGINT) AS committed, \
    CAST(SUM(COALESCE(p.paid, 0)) AS BIGINT) AS disbursed \
    FROM contract c \
    LEFT JOIN (SELECT contract_id, SUM(amount_fen) AS paid, \
               SUM(CASE WHEN milestone_id IS NULL THEN amount_fen ELSE 0 END) AS advances \
               FROM payment GROUP BY contract_id) p ON p.contract_id = c.id \
    LEFT JOIN (SELECT contract_id, SUM(payable_fen) AS accepted_payable FROM milestone \
               WHERE status = 'accepted' GROUP BY contract_id) m ON m.contract_id = c.id";

/// This fiscal year's figures for `code` and below, by the code of the next level down (or
/// the division's own code) and category; and the length of a sub-division's code.
async fn figures(
    db: &impl ConnectionTrait,
    code: &str,
    level: Level,
    fiscal_year: i32,
) -> ApiResult<(Vec<(String, ServiceCategory, Figures)>, usize)> {
    let child_len = match level {
        Level::Village => 12,
        _ => code.len() + 3,
    };
    let b = db.get_database_backend();
    let sums = if level == Level::County {
        FIGURES_BY_JOIN
    } else {
        FIGURES_BY_LOOKUP
    };
    let sql = format!(
        "SELECT SUBSTR(c.division_code, 1, {child_len}) AS d, c.service_category AS cat, \
         COUNT(*) AS n, {sums} \
         JOIN budget_line l ON l.id = c.budget_line_id \
         WHERE c.division_code >= $1 AND c.division_code <= $2 \
         AND c.status IN ('active', 'completed', 'terminated') AND l.fiscal_year = $3 \
         GROUP BY SUBSTR(c.division_code, 1, {child_len}), c.service_category"
    );
    /// A row of [`figures`]' statement.
    #[derive(FromQueryResult)]
    struct Row {
        d: String,
        cat: ServiceCategory,
        n: i64,
        committed: i64,
        disbursed: i64,
    }
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &sql),
        [
            code.into(),
            format!("{code}999999").into(),
            fiscal_year.into(),
        ],
    ))
    .all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push((
            if level == Level::Village {
                code.to_string()
            } else {
                r.d
            },
            r.cat,
            Figures {
                contracts: r.n,
                committed: Money::from_fen(r.committed),
                disbursed: Money::from_fen(r.disbursed),
            },
        ));
    }
    // A village has no sub-divisions: everything is its own.
    let child_len = if level == Level::Village {
        0
    } else {
        child_len
    };
    Ok((out, child_len))
}

/// The posts of active contracts funded on `today` for `code` and below (the first
/// [`LISTED`]), and how many are filled and vacant.
async fn posts(
    db: &impl ConnectionTrait,
    code: &str,
    today: NaiveDate,
) -> ApiResult<(Vec<PublicPost>, i64, i64)> {
    let b = db.get_database_backend();
    // A village's few posts look their contract up one by one; a township's or county's many
    // join the contracts once.
    let (from, org) = if Level::of(code) == Some(Level::Village) {
        (
            "FROM post p WHERE p.division_code >= $1 AND p.division_code <= $2 \
             AND (SELECT c.status FROM contract c WHERE c.id = p.contract_id) = 'active' \
             AND p.start_date <= $3 AND p.end_date >= $3",
            "(SELECT c.organisation_id FROM contract c WHERE c.id = p.contract_id)",
        )
    } else {
        (
            "FROM post p JOIN contract c ON c.id = p.contract_id \
             WHERE p.division_code >= $1 AND p.division_code <= $2 AND c.status = 'active' \
             AND p.start_date <= $3 AND p.end_date >= $3",
            "c.organisation_id",
        )
    };
    let filled = "EXISTS (SELECT 1 FROM post_assignment a WHERE a.post_id = p.id \
         AND a.from_date <= $3 AND (a.to_date IS NULL OR a.to_date >= $3))";
    let values =
        || -> [sea_orm::Value; 3] { [code.into(), format!("{code}999999").into(), today.into()] };
    let count_sql = format!(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN {filled} THEN 1 ELSE 0 END), 0) AS filled {from}"
    );
    /// How many posts, and how many of them filled (PostgreSQL sums integers as BIGINT,
    /// SQLite as INTEGER: both read as i64).
    #[derive(FromQueryResult)]
    struct Counts {
        n: i64,
        filled: i64,
    }
    let (n, n_filled) = Counts::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &count_sql),
        values(),
    ))
    .one(db)
    .await?
    .map_or((0, 0), |c| (c.n, c.filled));
    let list_sql = format!(
        "SELECT p.title AS title, p.division_code AS division_code, {org} AS org, \
         CASE WHEN {filled} THEN 1 ELSE 0 END AS filled {from} \
         ORDER BY p.division_code, p.id LIMIT {LISTED}"
    );
    /// A listed post.
    #[derive(FromQueryResult)]
    struct Row {
        title: String,
        division_code: String,
        org: Uuid,
        filled: i32,
    }
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &list_sql),
        values(),
    ))
    .all(db)
    .await?;
    let orgs = organisations(db, rows.iter().map(|r| r.org)).await?;
    let posts = rows
        .into_iter()
        .map(|r| {
            let (organisation, organisation_contact) =
                orgs.get(&r.org).cloned().unwrap_or_default();
            PublicPost {
                title: r.title,
                division_code: r.division_code,
                division_name: None,
                organisation,
                organisation_contact,
                filled: r.filled == 1,
            }
        })
        .collect();
    Ok((posts, n_filled, n - n_filled))
}

/// The latest accepted milestones of signed contracts for `code` and below.
async fn milestones(db: &impl ConnectionTrait, code: &str) -> ApiResult<Vec<AcceptedMilestone>> {
    let b = db.get_database_backend();
    let sql = format!(
        "SELECT m.title AS title, c.title AS contract_title, c.organisation_id AS org, \
         m.accepted_at AS accepted_at, m.score_tenths AS score_tenths \
         FROM milestone m JOIN contract c ON c.id = m.contract_id \
         WHERE c.division_code >= $1 AND c.division_code <= $2 \
         AND c.status IN ('active', 'completed', 'terminated') AND m.status = 'accepted' \
         ORDER BY m.accepted_at DESC, m.id DESC LIMIT {LISTED}"
    );
    /// An accepted milestone, with its contract's title and organisation.
    #[derive(FromQueryResult)]
    struct Row {
        title: String,
        contract_title: String,
        org: Uuid,
        accepted_at: DateTime<Utc>,
        score_tenths: Option<i32>,
    }
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &sql),
        [code.into(), format!("{code}999999").into()],
    ))
    .all(db)
    .await?;
    let orgs = organisations(db, rows.iter().map(|r| r.org)).await?;
    Ok(rows
        .into_iter()
        .map(|r| AcceptedMilestone {
            organisation: orgs.get(&r.org).map(|o| o.0.clone()).unwrap_or_default(),
            title: r.title,
            contract_title: r.contract_title,
            accepted_at: r.accepted_at,
            score: r.score_tenths.map(|t| Decimal::new(i64::from(t), 1)),
        })
        .collect())
}
