//! Throttling of public answers per client address: at most `limit` requests a minute (a
//! fixed window: the minute of the clock), then 429 with `Retry-After` until the minute ends.
//!
//! The counters live in the database (`public_hit`, one row per address and minute), so every
//! replica counts against the same limit. A process does not write each request, though: it
//! counts locally and adds its count to the row at most once per `sync` interval per address
//! (one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement, which answers the total of all
//! replicas). Between syncs it decides on the last total it read plus its own unsynced
//! requests: a client is never let through past the limit by this process's own requests,
//! and by other replicas' only within one `sync` interval. With `sync` zero every request is
//! written (exact; the tests use it). Rows of windows over an hour old are deleted now and then.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::model::public_hit;
use entity::rules::counts::to_i64;
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter};

/// An address's total in a window, as the upsert answers it.
#[derive(FromQueryResult)]
struct Hits {
    hits: i64,
}

/// The length of a window, in seconds.
const WINDOW: i64 = 60;

/// One address's count in this process.
#[derive(Default)]
struct Local {
    /// The window counted (its first second).
    window: i64,
    /// Requests of this window not yet added to the database.
    pending: i64,
    /// The window's total in the database when last synced (all replicas).
    synced: i64,
    last_sync: Option<Instant>,
    syncing: bool,
}

/// See the module documentation.
#[derive(Clone)]
pub struct Throttle {
    limit: u64,
    sync: Duration,
    local: moka::sync::Cache<String, Arc<Mutex<Local>>>,
    last_cleanup: Arc<AtomicI64>,
}

impl Throttle {
    /// At most `limit` requests a minute per address (0: no limit), synced every `sync`.
    pub fn new(limit: u64, sync: Duration) -> Self {
        Throttle {
            limit,
            sync,
            local: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(2 * WINDOW as u64))
                .build(),
            last_cleanup: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Counts a request of `address` at `now`; `Err(seconds)` when it is over the limit.
    /// A database error lets the request through (and is logged): public reads stay up.
    pub async fn hit(
        &self,
        db: &DatabaseConnection,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let window = now.timestamp().div_euclid(WINDOW) * WINDOW;
        let retry = (window + WINDOW - now.timestamp()).max(1).unsigned_abs();
        let entry = self.local.get_with(address.to_string(), || {
            Arc::new(Mutex::new(Local::default()))
        });
        let to_sync = {
            let mut l = entry.lock().unwrap_or_else(|e| e.into_inner());
            if l.window != window {
                *l = Local {
                    window,
                    ..Local::default()
                };
            }
            l.pending += 1;
            let due = !l.syncing && l.last_sync.is_none_or(|t| t.elapsed() >= self.sync);
            if due {
                l.syncing = true;
                Some(std::mem::take(&mut l.pending))
            } else {
                None
            }
        };
        if let Some(n) = to_sync {
            let result = self.sync(db, address, window, n).await;
            let mut l = entry.lock().unwrap_or_else(|e| e.into_inner());
            l.syncing = false;
            l.last_sync = Some(Instant::now());
            match result {
                Ok(total) if l.window == window => l.synced = l.synced.max(total),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "public throttle: counting in the database failed");
                    if l.window == window {
                        l.pending += n;
                    }
                }
            }
        }
        let l = entry.lock().unwrap_or_else(|e| e.into_inner());
        if l.window == window && l.synced + l.pending > to_i64(self.limit) {
            return Err(retry);
        }
        Ok(())
    }

    /// Adds `n` requests to the database's count of (`address`, `window`); answers its total.
    async fn sync(
        &self,
        db: &DatabaseConnection,
        address: &str,
        window: i64,
        n: i64,
    ) -> Result<i64, DbErr> {
        use public_hit::Column as H;
        use sea_orm::sea_query::ExprTrait;
        if self.last_cleanup.swap(window, Ordering::Relaxed) != window {
            public_hit::Entity::delete_many()
                .filter(H::WindowStart.lt(window - 3600))
                .exec(db)
                .await?;
        }
        let add = Query::insert()
            .into_table(public_hit::Entity)
            .columns([H::Address, H::WindowStart, H::Hits])
            .values([address.into(), window.into(), n.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .on_conflict(
                OnConflict::columns([H::Address, H::WindowStart])
                    .value(
                        H::Hits,
                        Expr::col((public_hit::Entity, H::Hits))
                            .add(Expr::col((Alias::new("excluded"), H::Hits))),
                    )
                    .to_owned(),
            )
            .returning_col(H::Hits)
            .to_owned();
        let row = Hits::find_by_statement(db.get_database_backend().build(&add))
            .one(db)
            .await?
            .ok_or_else(|| DbErr::Custom("no row from the public_hit upsert".into()))?;
        Ok(row.hits)
    }
}
