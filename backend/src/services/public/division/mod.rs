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
use entity::rules::divisions::{Level, ancestors};
use entity::rules::vocab::{ContractStatus, ServiceCategory};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::notices::check_division;
use crate::error::{ApiError, ApiResult};
use crate::pagination::decode;
use crate::services::divisions;
use crate::store::page::Keyset;

mod reads;

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

/// The four reads of a page, made at once, each on a connection of its own.
struct Parts {
    contracts: Vec<PublicContract>,
    contracts_next_cursor: Option<String>,
    sums: Sums,
    posts: Vec<PublicPost>,
    posts_filled: i64,
    posts_vacant: i64,
    milestones: Vec<AcceptedMilestone>,
}

impl Parts {
    async fn read(
        db: &impl ConnectionTrait,
        code: &str,
        level: Level,
        today: NaiveDate,
        (paging, cursor): (Keyset, Option<Uuid>),
    ) -> ApiResult<Parts> {
        let (contracts, figures, posts, milestones) = tokio::join!(
            reads::contracts(db, code, paging, cursor),
            reads::figures(db, code, level, today.year()),
            reads::posts(db, code, today),
            reads::milestones(db, code),
        );
        let (contracts, contracts_next_cursor) = contracts?;
        let (rows, child_len) = figures?;
        let (posts, posts_filled, posts_vacant) = posts?;
        Ok(Parts {
            contracts,
            contracts_next_cursor,
            sums: Sums::of(rows, child_len),
            posts,
            posts_filled,
            posts_vacant,
            milestones: milestones?,
        })
    }

    /// Every sub-division in the register, with or without contracts, beside any other code
    /// that has contracts.
    async fn add_registered(
        &mut self,
        db: &impl ConnectionTrait,
        code: &str,
        level: Level,
    ) -> ApiResult<()> {
        if level == Level::Village {
            return Ok(());
        }
        for (c, _) in divisions::children(db, Some(code)).await? {
            self.sums.by_child.entry(c).or_default();
        }
        Ok(())
    }

    /// The codes whose names the page shows: the division's, its parents', its
    /// sub-divisions', its contracts' and its posts'.
    fn codes(&self, code: &str) -> Vec<String> {
        let mut wanted: Vec<String> = ancestors(code).into_iter().map(String::from).collect();
        wanted.push(code.to_string());
        wanted.extend(self.sums.by_child.keys().cloned());
        wanted.extend(self.contracts.iter().map(|c| c.division_code.clone()));
        wanted.extend(self.posts.iter().map(|p| p.division_code.clone()));
        wanted
    }
}

/// The page of `code` as of `today` (the fiscal year is today's calendar year).
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
    let mut parts = Parts::read(db, code, level, today, (paging, cursor)).await?;
    parts.add_registered(db, code, level).await?;
    let names = divisions::names(db, &parts.codes(code)).await?;
    // A code neither in the register nor bought for: no such division (a first page without
    // a contract means none at all).
    if !names.contains_key(code) && parts.contracts.is_empty() && cursor.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok(assemble(code, level, today.year(), parts, &names))
}

/// The page from its parts, each code with its name.
fn assemble(
    code: &str,
    level: Level,
    fiscal_year: i32,
    mut parts: Parts,
    names: &HashMap<String, String>,
) -> DivisionPage {
    let name_of = |c: &str| names.get(c).cloned();
    for c in &mut parts.contracts {
        c.division_name = name_of(&c.division_code);
    }
    for p in &mut parts.posts {
        p.division_name = name_of(&p.division_code);
    }
    let Sums {
        totals,
        own,
        by_category,
        by_child,
    } = parts.sums;
    DivisionPage {
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
        contracts: parts.contracts,
        contracts_next_cursor: parts.contracts_next_cursor,
        posts: parts.posts,
        posts_filled: parts.posts_filled,
        posts_vacant: parts.posts_vacant,
        milestones: parts.milestones,
    }
}
