//! Password-guessing throttling (SPEC §6), for logins and password changes. Within 15 minutes
//! at most 5 failures of one account from one client address, 20 from one address whatever the
//! account, and 50 of one account from all addresses together; beyond, 429 with `Retry-After`.
//! So an attacker who knows an e-mail address locks out only their own address, not its owner,
//! unless they spread their guesses over many addresses. Counters live in the database, so every
//! replica sees them.
//!
//! An attempt is counted *before* its password is verified ([`begin`]): parallel guesses all
//! see each other, so however many arrive at once, at most 5 of one account from one address
//! are ever verified. A verified failure stays counted; a success forgets the account's
//! failures from that address ([`Attempt::succeeded`]); a refused attempt withdraws itself.

use chrono::{DateTime, Duration, Utc};
use entity::model::login_failure;
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The window attempts are counted in.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures allowed for one account from one client address within the window.
pub const PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Failures allowed from one client address within the window, whatever the account.
pub const PER_ADDRESS: i64 = 20;
/// Failures allowed for one account within the window, from all addresses together.
pub const PER_ACCOUNT: i64 = 50;

/// An attempt counted and allowed: verify the password, then say how it went.
#[must_use = "a verified attempt is either a failure (drop it) or a success (`succeeded`)"]
pub struct Attempt {
    account: String,
    address: String,
}

/// Counts an attempt of `account` from `address` (a key from
/// [`crate::auth::client_addr::ClientAddr`]) and answers 429 if it goes over a limit.
pub async fn begin(
    db: &impl ConnectionTrait,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> ApiResult<Attempt> {
    let id = Uuid::now_v7();
    login_failure::Entity::insert(login_failure::ActiveModel {
        id: Set(id),
        account: Set(account.to_string()),
        address: Set(address.to_string()),
        at: Set(now),
    })
    .exec(db)
    .await?;
    let since = now - Duration::minutes(WINDOW_MINUTES);
    // Every attempt counted so far, this one included, in one statement over both indexes.
    let Counted {
        pair,
        by_address,
        by_account,
    } = Counted::find_by_statement(
        db.get_database_backend()
            .build(&counts(account, address, since)),
    )
    .one(db)
    .await?
    .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the attempt count")))?;
    let over = [
        (
            pair > PER_ACCOUNT_AND_ADDRESS,
            Condition::all()
                .add(login_failure::Column::Account.eq(account))
                .add(login_failure::Column::Address.eq(address)),
            PER_ACCOUNT_AND_ADDRESS,
        ),
        (
            by_address > PER_ADDRESS,
            login_failure::Column::Address.eq(address).into(),
            PER_ADDRESS,
        ),
        (
            by_account > PER_ACCOUNT,
            login_failure::Column::Account.eq(account).into(),
            PER_ACCOUNT,
        ),
    ]
    .into_iter()
    .find(|(over, _, _)| *over);
    let Some((_, counted, limit)) = over else {
        return Ok(Attempt {
            account: account.to_string(),
            address: address.to_string(),
        });
    };
    // Refused before any verification: it is no failure, so it withdraws itself.
    login_failure::Entity::delete_by_id(id).exec(db).await?;
    Err(ApiError::TooManyRequests {
        retry_after_secs: retry_after(db, counted, limit, now).await?,
    })
}

/// The attempts of the window that each limit counts.
#[derive(FromQueryResult)]
struct Counted {
    pair: i64,
    by_address: i64,
    by_account: i64,
}

/// Counts the attempts since `since` of `account` from `address`, from `address` and of
/// `account`: one statement over the `account` and `address` indexes.
fn counts(account: &str, address: &str, since: DateTime<Utc>) -> SelectStatement {
    use login_failure::Column as L;
    use sea_orm::sea_query::ExprTrait;
    let of_account = || Expr::col(L::Account).eq(account);
    let from_address = || Expr::col(L::Address).eq(address);
    // `COUNT(CASE WHEN … THEN 1 END)`: the rows the condition holds for.
    let count_if = |cond: Expr| Expr::expr(Expr::case(cond, Expr::Constant(1.into()))).count();
    Query::select()
        .expr_as(
            count_if(of_account().and(from_address())),
            Alias::new("pair"),
        )
        .expr_as(count_if(from_address()), Alias::new("by_address"))
        .expr_as(count_if(of_account()), Alias::new("by_account"))
        .from(login_failure::Entity)
        .and_where(Expr::col(L::At).gt(since))
        .and_where(of_account().or(from_address()))
        .to_owned()
}

/// Seconds until the `limit`-th newest counted failure leaves the window.
async fn retry_after(
    db: &impl ConnectionTrait,
    counted: Condition,
    limit: i64,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let nth = login_failure::Entity::find()
        .select_only()
        .column(login_failure::Column::At)
        .filter(counted)
        .filter(login_failure::Column::At.gt(since))
        .order_by_desc(login_failure::Column::At)
        .offset(limit.unsigned_abs() - 1)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    let wait = nth.map_or(1, |at| {
        (at + Duration::minutes(WINDOW_MINUTES) - now).num_seconds()
    });
    Ok(wait.max(1).unsigned_abs())
}

impl Attempt {
    /// The password was right: the account's failures from this address are forgotten (its
    /// failures from elsewhere still count towards [`PER_ACCOUNT`]), and so are everyone's
    /// attempts older than the window.
    pub async fn succeeded(self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<()> {
        login_failure::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(login_failure::Column::Account.eq(&self.account))
                            .add(login_failure::Column::Address.eq(&self.address)),
                    )
                    .add(login_failure::Column::At.lt(now - Duration::minutes(WINDOW_MINUTES))),
            )
            .exec(db)
            .await?;
        Ok(())
    }
}
