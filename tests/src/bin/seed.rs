//! `huimin-seed`: fills an empty database with the load benchmark's data set (see
//! `tests/bench/README.md`), set-based: multi-row `INSERT`s of up to [`BATCH`] rows each,
//! inside one transaction per table, and prints how long each table took.
//!
//! The data set: [`PURCHASERS`] purchasers, `--organisations` organisations with valid credit
//! codes, `--budget-lines` budget lines spread evenly over the purchasers, a finance officer per
//! purchaser ([`FINANCE_EMAIL`] for the first, `bench-finance-NNN@huimin.bench` for the others),
//! an admin [`ADMIN_EMAIL`] and a supervisor [`SUPERVISOR_EMAIL`], all with the password
//! [`PASSWORD`]; then `--tenders` tenders,
//! `--contracts` contracts and `--posts` funded posts:
//!
//! - tender `t` is on budget line `t mod lines`; by [`scatter`]`(t) mod 20`: 0 draft,
//!   1 published, 2 closed, the rest awarded (about 85 %). Awarded tenders have no bids (`awarded_bid_id` is nullable and the
//!   schema has no bid the contract must point to); one awarded tender beyond the number of
//!   contracts stays closed, so that every awarded tender has exactly one contract;
//! - of the contracts, as many as there are awarded tenders (spread evenly over the id order)
//!   are the awards of those tenders (same line, purchaser, title, category, division and
//!   period, value 90–100 % of the ceiling); the others are direct awards (`tender_id` NULL,
//!   with a `direct_award_reason`) on line `c mod lines`. By [`scatter`]`(c) mod 20`: 0 draft,
//!   1 completed, 2 terminated, the rest active (about 85 %); everything but a draft is signed (`signed_at`,
//!   `signed_value_fen`). The responsible officer is the purchaser's bench finance officer, so
//!   the first purchaser's contracts are [`FINANCE_EMAIL`]'s;
//! - post `p` belongs to contract `p mod contracts` (3 per contract by default), with the
//!   contract's period, a village division code and a quarter of the contract's value a year;
//! - with `--milestones N`, N milestones on each active contract at equal steps through its
//!   period, each a 1/(N+1) share of its value: those due before today accepted and paid a
//!   week later (at the latest today), the others planned (what the organisation's pages
//!   show); with `--organisation-users N`, a staff user `bench-org-NNNNN@huimin.bench` for
//!   each of the first N organisations;
//! - with `--villages N`, tenders, contracts and posts are spread over N villages of the
//!   county instead of the purchasers' townships; with `--notices`, the procurement notices
//!   the seeded transitions would have written (SPEC §8: published, awarded, signed,
//!   terminated);
//! - with `--dossier`, one more active contract of the first purchaser with 50 milestones and
//!   200 audit events (the contract dossier page's benchmark), its id printed.
//!
//! Budget lines stay coherent: each line's amount is the original varied amount (10,000.00 to
//! 1,009,999.00 yuan, which `available` then shows) plus what the line's tenders reserve
//! (published and closed ones, awarded ones with a draft contract) and its active contracts
//! commit (their value; completed and terminated contracts have no payments or accepted
//! milestones, so they keep nothing committed). So `committed + reserved <= amount` on every
//! line.
//!
//! The rows bypass the services on purpose, so **no audit events are written** (but the
//! `--dossier` contract's, through the audit module, sealed into a valid chain): bulk
//! benchmark data is not a business change anyone made, and the benchmark reads only `/me`,
//! `/budget-lines` and `/contracts`, none of which touches the audit chain (which stays empty
//! and therefore intact).

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "a benchmark tool: a panic is how it fails; its counts are small"
)]

#[path = "seed_public/notices.rs"]
mod seed_notices;

use std::time::Instant;

use anyhow::{Context, bail};
use backend::demo::demo_credit_code;
use backend::services::contracts::{DEFAULT_FULL_PAY_TENTHS, DEFAULT_MIN_PAY_TENTHS};
use chrono::{DateTime, Days, NaiveDate, SubsecRound, TimeZone, Utc};
use clap::Parser;
use entity::model::{
    budget_line, contract, milestone, organisation, payment, payment_request, post, purchaser,
    tender, user,
};
use entity::rules::procurement::max_end_date;
use entity::rules::vocab::{
    ContractStatus, FundSource, Locale, MilestoneStatus, OrgStatus, PaymentRequestStatus,
    Qualification, Role, ServiceCategory, TenderMethod, TenderStatus,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityName, EntityTrait,
    Iterable, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

/// Rows per `INSERT` statement at most.
const BATCH: usize = 1000;
/// Bound parameters per statement at most (rows × columns): below SQLite's 32,766 and
/// PostgreSQL's 65,535 (the contract's 23 columns × 1000 rows is 23,000).
const MAX_PARAMS: usize = 30_000;
/// How many purchasers the budget lines are spread over.
const PURCHASERS: usize = 100;
/// The finance officer the benchmark logs in as (purchaser number 0).
const FINANCE_EMAIL: &str = "bench-finance@huimin.bench";
/// An admin, to look at the whole data set by hand.
const ADMIN_EMAIL: &str = "bench-admin@huimin.bench";
/// The password of every bench account.
const PASSWORD: &str = "bench-password-1";
/// The fiscal year of every seeded budget line.
const FISCAL_YEAR: i32 = 2026;
/// The county all purchasers' division codes are under.
const COUNTY: &str = "410523";

/// Seeds the load benchmark's data set into an empty Huimin database.
#[derive(Parser)]
#[command(name = "huimin-seed", about)]
struct Args {
    /// The database to fill (migrated first).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// How many organisations to insert.
    #[arg(long, default_value_t = 10_000)]
    organisations: u32,
    /// How many budget lines to insert, spread over the purchasers.
    #[arg(long, default_value_t = 10_000)]
    budget_lines: u32,
    /// How many tenders to insert (85 % awarded, 5 % each published, closed, draft).
    #[arg(long, default_value_t = 20_000)]
    tenders: u32,
    /// How many contracts to insert (the awarded tenders' contracts, the rest direct awards;
    /// 85 % active, 5 % each draft, completed, terminated).
    #[arg(long, default_value_t = 100_000)]
    contracts: u32,
    /// How many funded posts to insert, spread over the contracts.
    #[arg(long, default_value_t = 300_000)]
    posts: u32,
    /// Milestones per active contract (none by default), due at equal steps through its
    /// period: those due before today accepted at their full amount and paid a week after
    /// their due date (at the latest today), the others planned.
    #[arg(long, default_value_t = 0)]
    milestones: u32,
    /// How many organisations (the first ones) get a staff user
    /// `bench-org-NNNNN@huimin.bench`, with the same password.
    #[arg(long, default_value_t = 0)]
    organisation_users: u32,
    /// One more active contract of the first purchaser, for the dossier page's benchmark:
    /// [`DOSSIER_MILESTONES`] milestones (those due before today accepted and paid) and
    /// [`DOSSIER_EVENTS`] audit events on it and its records, written and sealed as the
    /// services do; its id is printed as `dossier contract <id>`.
    #[arg(long)]
    dossier: bool,
    /// With N > 0, tenders, contracts and posts are spread over N villages of the bench county
    /// (30 to a township: `410523100201`…`410523100230`, `410523101201`…) instead of the
    /// purchasers' townships: what the public division pages read.
    #[arg(long, default_value_t = 0)]
    villages: u32,
    /// Also write the procurement notices the seeded transitions would have written
    /// (SPEC §8): what the public notices, feed and open data show.
    #[arg(long)]
    notices: bool,
}

/// The dossier contract's milestones, audit events and value (`--dossier`).
const DOSSIER_MILESTONES: u32 = 50;
const DOSSIER_EVENTS: usize = 200;
const DOSSIER_VALUE_FEN: i64 = 10_000_000;
/// A supervisor, for the supervisor's pages.
const SUPERVISOR_EMAIL: &str = "bench-supervisor@huimin.bench";

/// A tender as planned before anything is inserted.
struct TenderPlan {
    id: Uuid,
    line: usize,
    status: TenderStatus,
    ceiling_fen: i64,
    start: NaiveDate,
    end: NaiveDate,
    /// The bid deadline; published and draft tenders' lies ahead.
    deadline: DateTime<Utc>,
}

/// A contract as planned before anything is inserted.
struct ContractPlan {
    id: Uuid,
    line: usize,
    /// The awarded tender (index into the tender plan), or `None` for a direct award.
    tender: Option<usize>,
    status: ContractStatus,
    value_fen: i64,
    start: NaiveDate,
    end: NaiveDate,
}

/// Ids and codes the rows refer to.
struct Ctx {
    now: DateTime<Utc>,
    purchasers: Vec<Uuid>,
    officers: Vec<Uuid>,
    organisations: Vec<Uuid>,
    lines: Vec<Uuid>,
    /// `--villages`.
    villages: usize,
}

impl Ctx {
    fn purchaser_of_line(&self, line: usize) -> usize {
        line % self.purchasers.len()
    }

    /// The division of a row of `purchaser` numbered `key`: its village with `--villages`,
    /// else the purchaser's township.
    fn place(&self, purchaser: usize, key: usize) -> String {
        if self.villages > 0 {
            village(key % self.villages)
        } else {
            division(purchaser)
        }
    }
}

/// Village `v` of the bench county: 30 to a township, townships numbered from 100.
fn village(v: usize) -> String {
    format!("{COUNTY}{:03}{:03}", 100 + v / 30, 201 + v % 30)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.contracts > 0 && (args.organisations == 0 || args.budget_lines == 0) {
        bail!("contracts need at least one organisation and one budget line");
    }
    if args.tenders > 0 && args.budget_lines == 0 {
        bail!("tenders need at least one budget line");
    }
    if args.posts > 0 && args.contracts == 0 {
        bail!("posts need at least one contract");
    }
    if args.dossier && (args.organisations == 0 || args.budget_lines == 0) {
        bail!("the dossier contract needs an organisation and a budget line");
    }
    let started = Instant::now();
    let db = backend::db::connect(&args.database_url, 2)
        .await
        .context("connect to the database")?;
    backend::db::migrate(&db).await.context("migrate")?;
    let taken = user::Entity::find()
        .filter(user::Column::Email.is_in([FINANCE_EMAIL, ADMIN_EMAIL, SUPERVISOR_EMAIL]))
        .count(&db)
        .await?;
    if taken > 0 {
        bail!("this database is already seeded (the bench accounts exist): use a fresh one");
    }
    let now = Utc::now().trunc_subsecs(0);
    let mut ctx = Ctx {
        now,
        purchasers: (0..PURCHASERS).map(|_| Uuid::now_v7()).collect(),
        officers: (0..PURCHASERS).map(|_| Uuid::now_v7()).collect(),
        organisations: (0..args.organisations).map(|_| Uuid::now_v7()).collect(),
        lines: Vec::new(),
        villages: args.villages as usize,
    };
    let (tenders, contracts) = plan(&args, &ctx);
    let mut total = 0;

    let rows = ctx
        .purchasers
        .iter()
        .enumerate()
        .map(|(i, id)| purchaser::ActiveModel {
            id: Set(*id),
            name: Set(format!("基准测试采购单位 {i:03}")),
            division_code: Set(division(i)),
            contact_email: Set(format!("purchaser{i}@huimin.bench")),
            created_at: Set(now),
            updated_at: Set(now),
        });
    total += insert_batched(&db, rows).await?;

    let rows = ctx
        .organisations
        .iter()
        .enumerate()
        .map(|(n, id)| organisation::ActiveModel {
            id: Set(*id),
            name: Set(format!("基准测试社会工作服务中心 {n:05}")),
            credit_code: Set(demo_credit_code(n as u32 + 1)),
            contact_email: Set(format!("org{n}@huimin.bench")),
            status: Set(OrgStatus::Active),
            status_reason: Set(None),
            status_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    total += insert_batched(&db, rows).await?;

    // What the tenders reserve and the contracts commit on each line, added to its amount.
    let mut held = vec![0i64; args.budget_lines as usize];
    for t in &tenders {
        if matches!(t.status, TenderStatus::Published | TenderStatus::Closed) {
            held[t.line] += t.ceiling_fen;
        }
    }
    for k in &contracts {
        match (k.status, k.tender) {
            (ContractStatus::Active, _) => held[k.line] += k.value_fen,
            // An awarded tender whose contract is unsigned still reserves its ceiling.
            (ContractStatus::Draft, Some(t)) => held[k.line] += tenders[t].ceiling_fen,
            _ => {}
        }
    }
    let dossier = args.dossier.then(|| ContractPlan {
        id: Uuid::now_v7(),
        line: 0,
        tender: None,
        status: ContractStatus::Active,
        value_fen: DOSSIER_VALUE_FEN,
        start: NaiveDate::from_ymd_opt(FISCAL_YEAR, 1, 1).unwrap_or_default(),
        end: year_from(NaiveDate::from_ymd_opt(FISCAL_YEAR, 1, 1).unwrap_or_default()),
    });
    if dossier.is_some() {
        held[0] += DOSSIER_VALUE_FEN;
    }
    ctx.lines = (0..args.budget_lines).map(|_| Uuid::now_v7()).collect();
    let rows = (0..ctx.lines.len()).map(|n| budget_line(n, &ctx, held[n]));
    total += insert_batched(&db, rows).await?;

    let hash = backend::auth::password::hash_blocking(PASSWORD)
        .map_err(|e| anyhow::anyhow!("hash the password: {}", e.problem().detail))?;
    let officers = ctx.officers.iter().enumerate().map(|(i, id)| {
        let (email, name) = if i == 0 {
            (FINANCE_EMAIL.to_string(), "基准测试 财务".to_string())
        } else {
            (
                format!("bench-finance-{i:03}@huimin.bench"),
                format!("基准测试 财务 {i:03}"),
            )
        };
        (
            *id,
            email,
            name,
            Role::FinanceOfficer,
            Some(ctx.purchasers[i]),
        )
    });
    let admin = (
        Uuid::now_v7(),
        ADMIN_EMAIL.to_string(),
        "基准测试 管理员".to_string(),
        Role::Admin,
        None,
    );
    let supervisor = (
        Uuid::now_v7(),
        SUPERVISOR_EMAIL.to_string(),
        "基准测试 监督人员".to_string(),
        Role::Supervisor,
        None,
    );
    let staff = ctx
        .organisations
        .iter()
        .take(args.organisation_users as usize)
        .enumerate()
        .map(|(n, org)| {
            (
                Uuid::now_v7(),
                format!("bench-org-{n:05}@huimin.bench"),
                format!("基准测试 社工 {n:05}"),
                Role::Organisation,
                Some(*org),
            )
        });
    let rows = officers
        .map(|(id, email, name, role, purchaser)| (id, email, name, role, purchaser, None))
        .chain(
            [admin, supervisor]
                .map(|(id, email, name, role, purchaser)| (id, email, name, role, purchaser, None)),
        )
        .chain(staff.map(|(id, email, name, role, org)| (id, email, name, role, None, org)))
        .map(
            |(id, email, name, role, purchaser_id, organisation_id)| user::ActiveModel {
                id: Set(id),
                email: Set(email),
                display_name: Set(name),
                role: Set(role),
                purchaser_id: Set(purchaser_id),
                organisation_id: Set(organisation_id),
                password_hash: Set(hash.clone()),
                active: Set(true),
                locale: Set(Locale::ZhCn),
                must_change_password: Set(false),
                approver: Set(false),
                notifications_seen_at: Set(None),
                notifications_unseen: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            },
        );
    total += insert_batched(&db, rows).await?;

    let rows = tenders
        .iter()
        .enumerate()
        .map(|(t, plan)| tender_row(t, plan, &ctx));
    total += insert_batched(&db, rows).await?;

    let rows = contracts
        .iter()
        .enumerate()
        .map(|(c, plan)| contract_row(c, plan, &tenders, &ctx));
    total += insert_batched(&db, rows).await?;

    let rows = (0..args.posts as usize).map(|p| {
        let k = &contracts[p % contracts.len()];
        let purchaser = ctx.purchaser_of_line(k.line);
        post::ActiveModel {
            id: Set(Uuid::now_v7()),
            contract_id: Set(k.id),
            title: Set(format!("基准测试社工岗位 {p:06}")),
            // A village (12 digits) under the purchaser's township.
            division_code: Set(if ctx.villages > 0 {
                ctx.place(purchaser, k.tender.unwrap_or(p % contracts.len()))
            } else {
                format!("{}{:03}", division(purchaser), p % 1000)
            }),
            required_qualification: Set(Qualification::ALL[p % Qualification::ALL.len()]),
            // Three posts take three quarters of the contract's value a year, in whole yuan.
            annual_funding_fen: Set((k.value_fen / 4 / 100 * 100).max(100)),
            start_date: Set(k.start),
            end_date: Set(k.end),
            created_at: Set(now),
            updated_at: Set(now),
        }
    });
    total += insert_batched(&db, rows).await?;

    if args.milestones > 0 {
        let today = ctx.now.date_naive();
        let (milestones, payments) = milestone_rows(&contracts, args.milestones, today, &ctx);
        let (requests, payments): (Vec<_>, Vec<_>) = payments.into_iter().unzip();
        total += insert_batched(&db, milestones.into_iter()).await?;
        total += insert_batched(&db, requests.into_iter()).await?;
        total += insert_batched(&db, payments.into_iter()).await?;
    }

    if let Some(plan) = &dossier {
        total += dossier_contract(&db, plan, contracts.len(), &tenders, &ctx).await?;
    }
    if args.notices {
        total += insert_batched(&db, notice_rows(&tenders, &contracts, &ctx)).await?;
    }

    // The lines' kept totals, counted from the rows just inserted, as the application keeps
    // them (one statement over every line).
    let recount = Instant::now();
    entity::queries::recount_budget_lines(&db, &ctx.lines)
        .await
        .context("budget totals")?;
    println!(
        "seed  {:<14} {:>8} rows {:>8.2} s",
        "(budget totals)",
        ctx.lines.len(),
        recount.elapsed().as_secs_f64()
    );

    // Planner statistics, as after any bulk load. On PostgreSQL a VACUUM too, as `pgbench -i`
    // does and autovacuum would soon after such a load: it sets the tables' visibility maps, so
    // counts that an index covers read the index alone, as in a database that has been running.
    // (SQLite has no visibility map; its VACUUM only rewrites the file.)
    let analyze = Instant::now();
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(sql).await.context("analyze")?;
    println!(
        "seed  {:<14} {:>8} rows {:>8.2} s",
        "(analyze)",
        0,
        analyze.elapsed().as_secs_f64()
    );
    db.close().await?;

    let secs = started.elapsed().as_secs_f64();
    println!("seed  {:<14} {total:>8} rows {secs:>8.2} s", "total");
    println!(
        "seeded {PURCHASERS} purchasers, {} organisations, {} budget lines, {} users, {} tenders, \
         {} contracts and {} posts in {secs:.2} s (login {FINANCE_EMAIL} / {PASSWORD})",
        args.organisations,
        args.budget_lines,
        PURCHASERS + 2 + (args.organisation_users.min(args.organisations) as usize),
        args.tenders,
        args.contracts,
        args.posts,
    );
    Ok(())
}

/// Purchaser `i`'s division code: a township (9 digits) of the bench county.
fn division(i: usize) -> String {
    format!("{COUNTY}{i:03}")
}

/// `i` scattered (Fibonacci hashing), so that a status chosen by `scatter(i) mod 20` does not
/// line up with the budget line (`i mod lines`) or the purchaser (`i mod 100`) of row `i`:
/// every line and every purchaser gets a mix of statuses.
fn scatter(i: usize) -> usize {
    ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

/// A service period of a year (the longest without a multi-year reason) from `start`.
fn year_from(start: NaiveDate) -> NaiveDate {
    max_end_date(start, false).unwrap_or(start)
}

/// 02:00 UTC (10:00 in Shanghai) on `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
}

/// Plans every tender and contract (statuses, lines, values, periods), so that the budget
/// lines' amounts can cover them before any of them is inserted.
fn plan(args: &Args, ctx: &Ctx) -> (Vec<TenderPlan>, Vec<ContractPlan>) {
    let lines = args.budget_lines as usize;
    let jan1 = NaiveDate::from_ymd_opt(FISCAL_YEAR, 1, 1).unwrap_or_default();
    let mut tenders: Vec<TenderPlan> = (0..args.tenders as usize)
        .map(|t| {
            let status = match scatter(t) % 20 {
                0 => TenderStatus::Draft,
                1 => TenderStatus::Published,
                2 => TenderStatus::Closed,
                _ => TenderStatus::Awarded,
            };
            // 50,000 to 300,000 yuan.
            let ceiling_fen = (50_000 + (t % 26) as i64 * 10_000) * 100;
            let (start, deadline) =
                if matches!(status, TenderStatus::Draft | TenderStatus::Published) {
                    // Bids still to come: the deadline 20–29 days ahead, the service a month later.
                    let deadline = ctx.now + Days::new(20 + (t % 10) as u64);
                    (deadline.date_naive() + Days::new(30), deadline)
                } else {
                    // Services of the fiscal year, bid for a month before they start.
                    let start = jan1 + Days::new((t % 180) as u64);
                    (start, morning(start - Days::new(30)))
                };
            TenderPlan {
                id: Uuid::now_v7(),
                line: t % lines.max(1),
                status,
                ceiling_fen,
                start,
                end: year_from(start),
                deadline,
            }
        })
        .collect();
    let awarded: Vec<usize> = (0..tenders.len())
        .filter(|&t| tenders[t].status == TenderStatus::Awarded)
        .collect();
    let n = args.contracts as usize;
    let tendered = awarded.len().min(n);
    for &t in &awarded[tendered..] {
        tenders[t].status = TenderStatus::Closed;
    }
    let contracts = (0..n)
        .map(|c| {
            let status = match scatter(c) % 20 {
                0 => ContractStatus::Draft,
                1 => ContractStatus::Completed,
                2 => ContractStatus::Terminated,
                _ => ContractStatus::Active,
            };
            // Exactly `tendered` of the contracts, evenly spread, are awards: the k-th of them
            // takes the k-th awarded tender.
            let k = c * tendered / n;
            let tender = ((c + 1) * tendered / n > k).then(|| awarded[k]);
            match tender {
                Some(t) => {
                    let tp = &tenders[t];
                    ContractPlan {
                        id: Uuid::now_v7(),
                        line: tp.line,
                        tender: Some(t),
                        status,
                        // The winning bid: 90–100 % of the ceiling, in whole yuan.
                        value_fen: tp.ceiling_fen * (90 + (c % 11) as i64) / 100,
                        start: tp.start,
                        end: tp.end,
                    }
                }
                None => {
                    let start = jan1 + Days::new((c % 180) as u64);
                    ContractPlan {
                        id: Uuid::now_v7(),
                        line: c % lines,
                        tender: None,
                        status,
                        // 30,000 to 200,000 yuan.
                        value_fen: (30_000 + (c % 18) as i64 * 10_000) * 100,
                        start,
                        end: year_from(start),
                    }
                }
            }
        })
        .collect();
    (tenders, contracts)
}

/// Budget line `n`: purchaser `n mod PURCHASERS`, code unique within that purchaser and year,
/// an amount in fen of 10,000.00 to 1,009,999.00 yuan plus `held_fen`, what the line's
/// tenders and contracts reserve and commit.
fn budget_line(n: usize, ctx: &Ctx, held_fen: i64) -> budget_line::ActiveModel {
    let sources = FundSource::ALL;
    budget_line::ActiveModel {
        id: Set(ctx.lines[n]),
        purchaser_id: Set(ctx.purchasers[ctx.purchaser_of_line(n)]),
        fiscal_year: Set(FISCAL_YEAR),
        code: Set(format!("{FISCAL_YEAR}-BENCH-{n:06}")),
        name: Set(format!("基准测试预算项目 {n:06}")),
        amount_fen: Set(1_000_000 + (n as i64 % 10_000) * 10_000_000 + held_fen),
        source: Set(sources[n % sources.len()]),
        // Kept totals: counted from the records once they are all in (see `main`).
        reserved_fen: Set(0),
        committed_fen: Set(0),
        disbursed_fen: Set(0),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
    }
}

/// Tender `t` as planned.
fn tender_row(t: usize, plan: &TenderPlan, ctx: &Ctx) -> tender::ActiveModel {
    let purchaser = ctx.purchaser_of_line(plan.line);
    let categories = ServiceCategory::ALL;
    let methods = TenderMethod::ALL;
    tender::ActiveModel {
        id: Set(plan.id),
        purchaser_id: Set(ctx.purchasers[purchaser]),
        budget_line_id: Set(ctx.lines[plan.line]),
        title: Set(format!("基准测试招标项目 {t:05}")),
        description: Set(format!(
            "基准测试：第 {t} 号政府购买社会工作服务项目招标公告。"
        )),
        service_category: Set(categories[t % categories.len()]),
        division_code: Set(ctx.place(purchaser, t)),
        method: Set(methods[t % methods.len()]),
        ceiling_fen: Set(plan.ceiling_fen),
        bid_deadline: Set(plan.deadline),
        service_start: Set(plan.start),
        service_end: Set(plan.end),
        multi_year_reason: Set(None),
        status: Set(plan.status),
        status_reason: Set(None),
        // Published 25 days before the deadline (every method's minimum bid period is shorter).
        published_at: Set(
            (plan.status != TenderStatus::Draft).then(|| plan.deadline - Days::new(25))
        ),
        awarded_bid_id: Set(None),
        created_by: Set(ctx.officers[purchaser]),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
    }
}

/// Contract `c` as planned: an award copies its tender's fields, a direct award has its own.
/// The organisation (index into the context's) that contract `c` of `plan` is with.
fn organisation_of(c: usize, plan: &ContractPlan, ctx: &Ctx) -> usize {
    let orgs = ctx.organisations.len();
    match plan.tender {
        Some(t) => (t * 13 + 5) % orgs,
        None => (c * 31 + 7) % orgs,
    }
}

fn contract_row(
    c: usize,
    plan: &ContractPlan,
    tenders: &[TenderPlan],
    ctx: &Ctx,
) -> contract::ActiveModel {
    let purchaser = ctx.purchaser_of_line(plan.line);
    let categories = ServiceCategory::ALL;
    let organisation = organisation_of(c, plan, ctx);
    let (title, category, reason) = match plan.tender {
        Some(t) => (
            format!("基准测试招标项目 {t:05}"),
            categories[t % categories.len()],
            None,
        ),
        None => (
            format!("基准测试直接采购服务合同 {c:06}"),
            categories[c % categories.len()],
            Some("基准测试：单一来源采购，只能从唯一供应商处采购。".to_string()),
        ),
    };
    let signed = plan.status != ContractStatus::Draft;
    contract::ActiveModel {
        id: Set(plan.id),
        purchaser_id: Set(ctx.purchasers[purchaser]),
        organisation_id: Set(ctx.organisations[organisation]),
        tender_id: Set(plan.tender.map(|t| tenders[t].id)),
        bid_id: Set(None),
        budget_line_id: Set(ctx.lines[plan.line]),
        title: Set(title),
        service_category: Set(category),
        division_code: Set(ctx.place(purchaser, plan.tender.unwrap_or(c))),
        value_fen: Set(plan.value_fen),
        signed_value_fen: Set(signed.then_some(plan.value_fen)),
        start_date: Set(plan.start),
        end_date: Set(plan.end),
        status: Set(plan.status),
        status_reason: Set((plan.status == ContractStatus::Terminated)
            .then(|| "基准测试：服务提前终止。".to_string())),
        // A week before the service starts.
        signed_at: Set(signed.then(|| morning(plan.start - Days::new(7)))),
        responsible_officer_id: Set(ctx.officers[purchaser]),
        direct_award_reason: Set(reason),
        multi_year_reason: Set(None),
        full_pay_score_tenths: Set(DEFAULT_FULL_PAY_TENTHS),
        min_pay_score_tenths: Set(DEFAULT_MIN_PAY_TENTHS),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
    }
}

/// The notices of the seeded tenders and contracts (`--notices`; see [`seed_notices`]).
fn notice_rows(
    tenders: &[TenderPlan],
    contracts: &[ContractPlan],
    ctx: &Ctx,
) -> Vec<entity::model::notice::ActiveModel> {
    use crate::seed_notices::{self as n, Seen};
    use backend::services::public::notices::{NoticeKind, Supplier};
    let purchaser_name = |i: usize| format!("基准测试采购单位 {i:03}");
    let supplier = |o: usize| Supplier {
        name: format!("基准测试社会工作服务中心 {o:05}"),
        credit_code: demo_credit_code(o as u32 + 1),
    };
    let categories = ServiceCategory::ALL;
    let methods = TenderMethod::ALL;
    let orgs = ctx.organisations.len().max(1);
    let mut contract_of = vec![None; tenders.len()];
    for (c, k) in contracts.iter().enumerate() {
        if let Some(t) = k.tender {
            contract_of[t] = Some(c);
        }
    }
    let mut out = Vec::new();
    for (t, plan) in tenders.iter().enumerate() {
        if !n::announced(plan.status) {
            continue;
        }
        let p = ctx.purchaser_of_line(plan.line);
        let seen = |kind, at, contract, details| Seen {
            kind,
            at,
            process: plan.id,
            tender: Some(plan.id),
            contract,
            purchaser: ctx.purchasers[p],
            division: ctx.place(p, t),
            category: categories[t % categories.len()],
            title: format!("基准测试招标项目 {t:05}"),
            details,
        };
        let method = methods[t % methods.len()];
        out.push(n::row(seen(
            NoticeKind::TenderPublished,
            plan.deadline - Days::new(25),
            None,
            n::published(
                purchaser_name(p),
                method,
                plan.ceiling_fen,
                plan.deadline,
                plan.start,
                plan.end,
            ),
        )));
        if plan.status == TenderStatus::Awarded
            && let Some(c) = contract_of[t]
        {
            let k = &contracts[c];
            let mut d = n::of_contract(
                purchaser_name(p),
                supplier((t * 13 + 5) % orgs),
                k.value_fen,
                k.start,
                k.end,
            );
            d.outcome = Some(n::AWARDED);
            d.method = Some(method);
            out.push(n::row(seen(
                NoticeKind::TenderResult,
                plan.deadline + Days::new(1),
                Some(k.id),
                d,
            )));
        }
    }
    for (c, k) in contracts.iter().enumerate() {
        let p = ctx.purchaser_of_line(k.line);
        let (key, title, org, reason) = match k.tender {
            Some(t) => (
                t,
                format!("基准测试招标项目 {t:05}"),
                (t * 13 + 5) % orgs,
                None,
            ),
            None => (
                c,
                format!("基准测试直接采购服务合同 {c:06}"),
                (c * 31 + 7) % orgs,
                Some("基准测试：单一来源采购，只能从唯一供应商处采购。".to_string()),
            ),
        };
        for (kind, at) in n::contract_kinds(k.status, k.start, ctx.now) {
            let mut d = n::of_contract(
                purchaser_name(p),
                supplier(org),
                k.value_fen,
                k.start,
                k.end,
            );
            match kind {
                NoticeKind::ContractSigned => d.direct_award_reason.clone_from(&reason),
                _ => d.reason = Some("基准测试：服务提前终止。".into()),
            }
            out.push(n::row(Seen {
                kind,
                at,
                process: k.tender.map_or(k.id, |t| tenders[t].id),
                tender: k.tender.map(|t| tenders[t].id),
                contract: Some(k.id),
                purchaser: ctx.purchasers[p],
                division: ctx.place(p, key),
                category: categories[key % categories.len()],
                title: title.clone(),
                details: d,
            }));
        }
    }
    out
}

/// The milestones of the active contracts, `per_contract` each, and the payments of those
/// accepted, each with the paid request it paid (SPEC §9; marked `migrated`, as the payments
/// recorded before requests existed, the request taking the payment's id). Their amounts, a share each of the contract's value in whole yuan, sum to less
/// than the value, and what is paid stays within what the contract commits: every budget line
/// stays coherent.
fn milestone_rows(
    contracts: &[ContractPlan],
    per_contract: u32,
    today: NaiveDate,
    ctx: &Ctx,
) -> (
    Vec<milestone::ActiveModel>,
    Vec<(payment_request::ActiveModel, payment::ActiveModel)>,
) {
    let n = i64::from(per_contract);
    let mut milestones = Vec::new();
    let mut payments = Vec::new();
    for (c, k) in contracts.iter().enumerate() {
        if k.status != ContractStatus::Active {
            continue;
        }
        let purchaser = ctx.purchaser_of_line(k.line);
        let days = (k.end - k.start).num_days();
        let amount_fen = (k.value_fen / (n + 1) / 100 * 100).max(100);
        for i in 1..=n {
            let due = k.start + Days::new((days * i / n).max(0) as u64);
            let id = Uuid::now_v7();
            let accepted = due < today;
            milestones.push(milestone::ActiveModel {
                id: Set(id),
                contract_id: Set(k.id),
                title: Set(format!("基准测试服务节点 {c:06}-{i}")),
                description: Set(String::new()),
                due_date: Set(due),
                amount_fen: Set(amount_fen),
                status: Set(if accepted {
                    MilestoneStatus::Accepted
                } else {
                    MilestoneStatus::Planned
                }),
                status_reason: Set(None),
                score_tenths: Set(None),
                payable_fen: Set(accepted.then_some(amount_fen)),
                accepted_at: Set(accepted.then(|| morning(due))),
                created_at: Set(ctx.now),
                updated_at: Set(ctx.now),
            });
            if accepted {
                let paid_on = (due + Days::new(7)).min(today);
                let payment_id = Uuid::now_v7();
                let officer = ctx.officers[purchaser];
                let at = Some(ctx.now);
                let request = payment_request::ActiveModel {
                    id: Set(payment_id),
                    contract_id: Set(k.id),
                    purchaser_id: Set(ctx.purchasers[purchaser]),
                    organisation_id: Set(ctx.organisations[organisation_of(c, k, ctx)]),
                    milestone_id: Set(Some(id)),
                    amount_fen: Set(amount_fen),
                    invoice_no: Set(format!("BENCH-{c:06}-{i}")),
                    invoice_date: Set(paid_on),
                    note: Set(String::new()),
                    status: Set(PaymentRequestStatus::Paid),
                    submitted_by: Set(officer),
                    submitted_at: Set(ctx.now),
                    verified_by: Set(Some(officer)),
                    verified_at: Set(at),
                    approved_by: Set(Some(officer)),
                    approved_at: Set(at),
                    second_approved_by: Set(None),
                    second_approved_at: Set(None),
                    returned_by: Set(None),
                    return_comment: Set(None),
                    payment_id: Set(Some(payment_id)),
                    migrated: Set(true),
                    status_changed_at: Set(ctx.now),
                    created_at: Set(ctx.now),
                    updated_at: Set(ctx.now),
                };
                let payment = payment::ActiveModel {
                    id: Set(payment_id),
                    contract_id: Set(k.id),
                    milestone_id: Set(Some(id)),
                    purchaser_id: Set(ctx.purchasers[purchaser]),
                    budget_line_id: Set(ctx.lines[k.line]),
                    amount_fen: Set(amount_fen),
                    paid_on: Set(paid_on),
                    voucher_no: Set(format!("BENCH-{c:06}-{i}")),
                    recorded_by: Set(officer),
                    payment_request_id: Set(Some(payment_id)),
                    created_at: Set(ctx.now),
                };
                payments.push((request, payment));
            }
        }
    }
    (milestones, payments)
}

/// The dossier contract of `plan` (`--dossier`) with its milestones, payments and audit
/// events (sealed into the chain); answers the rows inserted and prints its id.
async fn dossier_contract(
    db: &DatabaseConnection,
    plan: &ContractPlan,
    c: usize,
    tenders: &[TenderPlan],
    ctx: &Ctx,
) -> anyhow::Result<usize> {
    use backend::audit::{self, Change};
    use serde_json::json;
    let mut total = insert_batched(db, [contract_row(c, plan, tenders, ctx)]).await?;
    let today = ctx.now.date_naive();
    let (mut milestones, mut payments) =
        milestone_rows(std::slice::from_ref(plan), DOSSIER_MILESTONES, today, ctx);
    for (i, m) in milestones.iter_mut().enumerate() {
        m.title = Set(format!("卷宗基准服务节点 {:02}", i + 1));
    }
    for (i, (_, p)) in payments.iter_mut().enumerate() {
        p.voucher_no = Set(format!("DOSSIER-{:02}", i + 1));
    }
    let (requests, payments): (Vec<_>, Vec<_>) = payments.into_iter().unzip();
    let ids = |v: &[milestone::ActiveModel]| -> Vec<(Uuid, bool)> {
        v.iter()
            .map(|m| {
                (
                    *m.id.as_ref(),
                    *m.status.as_ref() == MilestoneStatus::Accepted,
                )
            })
            .collect()
    };
    let milestone_ids = ids(&milestones);
    let payment_ids: Vec<Uuid> = payments.iter().map(|p| *p.id.as_ref()).collect();
    total += insert_batched(db, milestones).await?;
    total += insert_batched(db, requests).await?;
    total += insert_batched(db, payments).await?;
    // The events the services would have written, in their order, then edits of the
    // milestones up to DOSSIER_EVENTS.
    let officer = Some(ctx.officers[0]);
    let after = |what: &str| json!({ "bench": what });
    let change = |action: &'static str, entity: &'static str, id: Uuid, what: &str| {
        Change::of(officer, action, entity, id, None, Some(&after(what)))
    };
    let mut changes = vec![
        change("create", "contract", plan.id, "contract"),
        change("sign", "contract", plan.id, "contract"),
    ];
    changes.extend(
        milestone_ids
            .iter()
            .map(|(id, _)| change("create", "milestone", *id, "milestone")),
    );
    changes.extend(
        milestone_ids
            .iter()
            .filter(|(_, accepted)| *accepted)
            .map(|(id, _)| change("accept", "milestone", *id, "accepted")),
    );
    changes.extend(
        payment_ids
            .iter()
            .map(|id| change("create", "payment", *id, "payment")),
    );
    let mut edit = 0;
    while changes.len() < DOSSIER_EVENTS {
        let (id, _) = milestone_ids[edit % milestone_ids.len()];
        changes.push(change("update", "milestone", id, &format!("edit {edit}")));
        edit += 1;
    }
    changes.truncate(DOSSIER_EVENTS);
    let started = Instant::now();
    let txn = backend::db::begin_write(db).await?;
    audit::record_all(&txn, ctx.now, changes).await?;
    txn.commit().await?;
    let sealed = audit::seal_pending(db).await?;
    println!(
        "seed  {:<14} {sealed:>8} rows {:>8.2} s",
        "audit_event",
        started.elapsed().as_secs_f64()
    );
    println!("dossier contract {}", plan.id);
    Ok(total + sealed as usize)
}

/// Inserts `rows` in statements of up to [`BATCH`] rows (fewer for wide tables, see
/// [`MAX_PARAMS`]), all in one transaction; prints the table's row count and time and answers
/// the row count.
async fn insert_batched<A>(
    db: &DatabaseConnection,
    rows: impl IntoIterator<Item = A>,
) -> anyhow::Result<usize>
where
    A: ActiveModelTrait + Send,
{
    let started = Instant::now();
    let table = A::Entity::default().table_name();
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per_statement = (MAX_PARAMS / columns.max(1)).clamp(1, BATCH);
    let txn = backend::db::begin_write(db).await?;
    let mut rows = rows.into_iter().peekable();
    let mut count = 0;
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        count += chunk.len();
        A::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await
            .with_context(|| format!("insert into {table}"))?;
    }
    txn.commit().await?;
    println!(
        "seed  {table:<14} {count:>8} rows {:>8.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(count)
}
