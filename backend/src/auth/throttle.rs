//! Failed-login throttling (SPEC §6): 5 failures per account or 20 per client address within
//! 15 minutes answer 429 with `Retry-After`. Counters live in the database, so every replica
//! sees them.

use chrono::{DateTime, Duration, Utc};
use entity::model::login_failure;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The window failures are counted in.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures allowed per account within the window.
pub const PER_ACCOUNT: u64 = 5;
/// Failures allowed per client address within the window.
pub const PER_ADDRESS: u64 = 20;

/// 429 when either limit is reached; the wait is until the oldest counted failure leaves the
/// window.
pub async fn check(
    db: &impl ConnectionTrait,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let limits = [
        (login_failure::Column::Account, account, PER_ACCOUNT),
        (login_failure::Column::Address, address, PER_ADDRESS),
    ];
    for (col, key, limit) in limits {
        // The `limit`-th newest failure inside the window, if there is one, blocks until it ages out.
        let nth = login_failure::Entity::find()
            .select_only()
            .column(login_failure::Column::At)
            .filter(col.eq(key))
            .filter(login_failure::Column::At.gt(since))
            .order_by_desc(login_failure::Column::At)
            .offset(limit - 1)
            .limit(1)
            .into_tuple::<DateTime<Utc>>()
            .one(db)
            .await?;
        if let Some(at) = nth {
            let wait = (at + Duration::minutes(WINDOW_MINUTES) - now)
                .num_seconds()
                .max(1);
            return Err(ApiError::TooManyRequests {
                retry_after_secs: wait as u64,
            });
        }
    }
    Ok(())
}

/// Counts one failure.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    login_failure::Entity::insert(login_failure::ActiveModel {
        id: Set(Uuid::now_v7()),
        account: Set(account.to_string()),
        address: Set(address.to_string()),
        at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Forgets an account's failures after a successful login, and old rows of everyone.
pub async fn clear(db: &impl ConnectionTrait, account: &str, now: DateTime<Utc>) -> ApiResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Account.eq(account))
        .exec(db)
        .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(now - Duration::minutes(WINDOW_MINUTES)))
        .exec(db)
        .await?;
    Ok(())
}
