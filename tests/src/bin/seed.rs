//! `huimin-seed`: fills an empty database with the load benchmark's data set (see
//! `tests/bench/README.md`), set-based: multi-row `INSERT`s of [`BATCH`] rows each, inside one
//! transaction per table.
//!
//! The data set: [`PURCHASERS`] purchasers, `--organisations` organisations with valid credit
//! codes, `--budget-lines` budget lines spread evenly over the purchasers, a finance officer
//! [`FINANCE_EMAIL`] of the first purchaser and an admin [`ADMIN_EMAIL`], both with the
//! password [`PASSWORD`].
//!
//! The rows bypass the services on purpose, so **no audit events are written**: bulk
//! benchmark data is not a business change anyone made, and the benchmark reads only
//! `/me` and `/budget-lines`, neither of which touches the audit chain (which stays empty and
//! therefore intact).

use std::time::Instant;

use anyhow::{Context, bail};
use backend::demo::demo_credit_code;
use chrono::{DateTime, Utc};
use clap::Parser;
use entity::model::{budget_line, organisation, purchaser, user};
use entity::rules::vocab::{FundSource, Locale, OrgStatus, Role};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityName, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

/// Rows per `INSERT` statement (9 columns × 1000 stays below SQLite's and PostgreSQL's
/// bound-parameter limits).
const BATCH: usize = 1000;
/// How many purchasers the budget lines are spread over.
const PURCHASERS: usize = 100;
/// The finance officer the benchmark logs in as (purchaser number 0).
const FINANCE_EMAIL: &str = "bench-finance@huimin.bench";
/// An admin, to look at the whole data set by hand.
const ADMIN_EMAIL: &str = "bench-admin@huimin.bench";
/// The password of both accounts.
const PASSWORD: &str = "bench-password-1";
/// The fiscal year of every seeded budget line.
const FISCAL_YEAR: i32 = 2026;

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let db = backend::db::connect(&args.database_url, 2)
        .await
        .context("connect to the database")?;
    backend::db::migrate(&db).await.context("migrate")?;
    let taken = user::Entity::find()
        .filter(user::Column::Email.is_in([FINANCE_EMAIL, ADMIN_EMAIL]))
        .count(&db)
        .await?;
    if taken > 0 {
        bail!("this database is already seeded (the bench accounts exist): use a fresh one");
    }
    let now = Utc::now();

    let purchasers: Vec<Uuid> = (0..PURCHASERS).map(|_| Uuid::now_v7()).collect();
    let rows = purchasers
        .iter()
        .enumerate()
        .map(|(i, id)| purchaser::ActiveModel {
            id: Set(*id),
            name: Set(format!("基准测试采购单位 {i:03}")),
            division_code: Set(format!("410523{i:03}")),
            contact_email: Set(format!("purchaser{i}@huimin.bench")),
            created_at: Set(now),
            updated_at: Set(now),
        });
    insert_batched(&db, rows.collect()).await?;

    let rows = (0..args.organisations).map(|n| organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(format!("基准测试社会工作服务中心 {n:05}")),
        credit_code: Set(demo_credit_code(n + 1)),
        contact_email: Set(format!("org{n}@huimin.bench")),
        status: Set(OrgStatus::Active.as_str().to_string()),
        status_reason: Set(None),
        status_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    });
    insert_batched(&db, rows.collect()).await?;

    let rows = (0..args.budget_lines as usize).map(|n| budget_line(n, &purchasers, now));
    insert_batched(&db, rows.collect()).await?;

    let hash = backend::auth::password::hash(PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("hash the password: {}", e.problem().detail))?;
    let users = [
        (
            FINANCE_EMAIL,
            "基准测试 财务",
            Role::FinanceOfficer,
            Some(purchasers[0]),
        ),
        (ADMIN_EMAIL, "基准测试 管理员", Role::Admin, None),
    ];
    let rows = users.map(|(email, name, role, purchaser_id)| user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_string()),
        display_name: Set(name.to_string()),
        role: Set(role.as_str().to_string()),
        purchaser_id: Set(purchaser_id),
        organisation_id: Set(None),
        password_hash: Set(hash.clone()),
        active: Set(true),
        locale: Set(Locale::ZhCn.as_str().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    });
    insert_batched(&db, rows.into()).await?;
    // Planner statistics, as after any bulk load (both databases understand a bare ANALYZE).
    db.execute_unprepared("ANALYZE").await.context("analyze")?;
    db.close().await?;

    println!(
        "seeded {PURCHASERS} purchasers, {} organisations, {} budget lines and 2 users in {:.2} s \
         (login {FINANCE_EMAIL} / {PASSWORD})",
        args.organisations,
        args.budget_lines,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Budget line `n`: purchaser `n mod PURCHASERS`, code unique within that purchaser and year,
/// an amount in fen between 10,000.00 and 1,009,999.00 yuan.
fn budget_line(n: usize, purchasers: &[Uuid], now: DateTime<Utc>) -> budget_line::ActiveModel {
    let sources = FundSource::ALL;
    budget_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        purchaser_id: Set(purchasers[n % purchasers.len()]),
        fiscal_year: Set(FISCAL_YEAR),
        code: Set(format!("{FISCAL_YEAR}-BENCH-{n:06}")),
        name: Set(format!("基准测试预算项目 {n:06}")),
        amount_fen: Set(1_000_000 + (n as i64 % 10_000) * 10_000_000),
        source: Set(sources[n % sources.len()].as_str().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Inserts `rows` in statements of [`BATCH`] rows, all in one transaction.
async fn insert_batched<A>(db: &DatabaseConnection, rows: Vec<A>) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
{
    let table = A::Entity::default().table_name();
    let txn = backend::db::begin_write(db).await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(BATCH).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await
            .with_context(|| format!("insert into {table}"))?;
    }
    txn.commit().await?;
    Ok(())
}
