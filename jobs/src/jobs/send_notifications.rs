//! `send_notifications`: claims batches of due pending messages by setting a lease
//! (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers never take the same rows; SQLite: one
//! immediate transaction at a time), sends them outside any transaction through the pooled
//! transport, marks them sent once the server accepted them, and on failure retries with
//! exponential backoff and jitter, marking them `dead` after 8 attempts. A worker that dies
//! holding a lease loses nothing: the lease expires and another worker claims the rows.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use entity::model::notification;
use entity::queries::{begin_write, word};
use entity::rules::counts::to_i64;
use entity::rules::vocab::{Locale, NotificationStatus};
use rand::Rng;
use sea_orm::sea_query::{
    Asterisk, Cond, Expr, LockBehavior, LockType, Order, Query, UpdateStatement,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::mailer::Email;
use crate::outbox::message_id;
use crate::templates::{Message, render};
use crate::{Counts, JobContext};

/// Attempts before a message is `dead`.
pub const MAX_ATTEMPTS: i32 = 8;
/// Rows claimed at a time.
pub const BATCH: i64 = 200;
/// How long a claim holds.
pub const LEASE_SECS: i64 = 120;
/// Messages sent at once, each on its own pooled SMTP connection ([`crate::mailer`]'s pool has
/// as many). lettre writes a message's body and its final dot separately on a socket without
/// `TCP_NODELAY`, so every message waits for the server's delayed ACK (about 40 ms on Linux):
/// throughput grows with the connections, well within what a relay accepts from one client
/// (Postfix allows 50 by default).
pub const CONCURRENCY: usize = 32;

/// The statement that leases up to `limit` due messages until `lease_until`: one `UPDATE …
/// WHERE id IN (SELECT … ORDER BY next_attempt_at LIMIT … FOR UPDATE SKIP LOCKED) RETURNING *`
/// (sea-query leaves the lock clause out on SQLite, where the transaction is IMMEDIATE).
pub fn claim_statement(
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> UpdateStatement {
    use notification::Column as N;
    use sea_orm::sea_query::ExprTrait;
    let due = Query::select()
        .column(N::Id)
        .from(notification::Entity)
        .and_where(Expr::col(N::Status).eq(word(NotificationStatus::Pending)))
        .and_where(Expr::col(N::NextAttemptAt).lte(now))
        .cond_where(
            Cond::any()
                .add(Expr::col(N::LeaseUntil).is_null())
                .add(Expr::col(N::LeaseUntil).lt(now)),
        )
        .order_by(N::NextAttemptAt, Order::Asc)
        .limit(Ord::max(limit, 0).unsigned_abs())
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    Query::update()
        .table(notification::Entity)
        .value(N::LeaseUntil, lease_until)
        .value(N::Attempts, Expr::col(N::Attempts).add(1))
        .and_where(Expr::col(N::Id).in_subquery(due))
        .returning_all()
        .to_owned()
}

/// Claims up to `limit` due messages for `LEASE_SECS`.
pub async fn claim(ctx: &JobContext, limit: i64) -> Result<Vec<notification::Model>, DbErr> {
    let now = ctx.clock.now();
    let txn = begin_write(&ctx.db).await?;
    let stmt = claim_statement(now, now + Duration::seconds(LEASE_SECS), limit);
    let stmt = txn.get_database_backend().build(&stmt);
    let mut rows = notification::Entity::find()
        .from_raw_sql(stmt)
        .all(&txn)
        .await?;
    if ctx.digest {
        rows.extend(claim_rest_of_digests(&txn, &rows, now).await?);
    }
    txn.commit().await?;
    Ok(rows)
}

/// With digests, a recipient's reminders of one run go out as one e-mail even when they span
/// more than a batch: the rest of each claimed (recipient, run) group is claimed with it.
async fn claim_rest_of_digests(
    txn: &impl ConnectionTrait,
    claimed: &[notification::Model],
    now: DateTime<Utc>,
) -> Result<Vec<notification::Model>, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    use std::collections::BTreeSet;
    let groups: BTreeSet<(String, Uuid)> = claimed
        .iter()
        .filter_map(|r| r.job_run_id.map(|run| (r.recipient_email.clone(), run)))
        .collect();
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let runs: BTreeSet<Uuid> = groups.iter().map(|g| g.1).collect();
    let emails: BTreeSet<String> = groups.iter().map(|g| g.0.clone()).collect();
    let rest = notification::Entity::update_many()
        .col_expr(
            notification::Column::LeaseUntil,
            Expr::value(now + Duration::seconds(LEASE_SECS)),
        )
        .col_expr(
            notification::Column::Attempts,
            Expr::col(notification::Column::Attempts).add(1),
        )
        .filter(notification::Column::Status.eq(NotificationStatus::Pending))
        .filter(notification::Column::NextAttemptAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(notification::Column::LeaseUntil.is_null())
                .add(notification::Column::LeaseUntil.lt(now)),
        )
        .filter(notification::Column::JobRunId.is_in(runs))
        .filter(notification::Column::RecipientEmail.is_in(emails))
        .exec_with_returning(txn)
        .await?;
    // Every row claimed here is sent in this batch (`compose` groups them by recipient and
    // run), so none is left leased and unsent.
    Ok(rest)
}

/// One e-mail and the rows it delivers (several for a digest).
struct Job {
    email: Email,
    ids: Vec<Uuid>,
    attempts: i32,
}

/// Groups claimed rows into e-mails: one each, or with the digest option one per recipient
/// and job run.
fn compose(ctx: &JobContext, rows: Vec<notification::Model>) -> Vec<Job> {
    let mut single = Vec::new();
    let mut groups: BTreeMap<(String, Uuid), Vec<notification::Model>> = BTreeMap::new();
    for r in rows {
        match r.job_run_id {
            Some(run) if ctx.digest => groups
                .entry((r.recipient_email.clone(), run))
                .or_default()
                .push(r),
            _ => single.push(r),
        }
    }
    let mut jobs: Vec<Job> = single
        .into_iter()
        .map(|r| Job {
            email: Email {
                to: r.recipient_email.clone(),
                subject: r.subject.clone(),
                text: r.body_text.clone(),
                html: r.body_html.clone(),
                message_id: r
                    .message_id
                    .clone()
                    .unwrap_or_else(|| message_id(&r.dedupe_key, "huimin")),
            },
            attempts: r.attempts,
            ids: vec![r.id],
        })
        .collect();
    for ((to, run), rows) in groups {
        if rows.len() == 1 {
            let r = &rows[0];
            jobs.push(Job {
                email: Email {
                    to,
                    subject: r.subject.clone(),
                    text: r.body_text.clone(),
                    html: r.body_html.clone(),
                    message_id: r.message_id.clone().unwrap_or_default(),
                },
                attempts: r.attempts,
                ids: vec![r.id],
            });
            continue;
        }
        let items = rows
            .iter()
            .map(|r| (r.subject.clone(), r.body_text.clone()))
            .collect();
        let zh = rows.iter().all(|r| !r.subject.starts_with("[Huimin]"));
        let locale = if zh { Locale::ZhCn } else { Locale::En };
        let (subject, text, html) = render(
            &Message::Digest { items },
            locale,
            &format!("{}/", ctx.public_url),
        );
        jobs.push(Job {
            email: Email {
                to: to.clone(),
                subject,
                text,
                html,
                // One Message-ID per digest e-mail, even when a run's digest spans several batches.
                message_id: message_id(&format!("digest:{run}:{to}:{}", rows[0].id), "huimin"),
            },
            attempts: rows.iter().map(|r| r.attempts).max().unwrap_or(1),
            ids: rows.iter().map(|r| r.id).collect(),
        });
    }
    jobs
}

/// The wait before attempt `attempts + 1`: 30 s doubling, at most 6 h, with ±50 % jitter.
pub fn backoff(attempts: i32) -> Duration {
    let base = 30i64
        .saturating_mul(1i64 << attempts.clamp(0, 20))
        .min(6 * 3600);
    // Seconds × ‰ of jitter: milliseconds.
    let jitter_permille = rand::rng().random_range(500..1500);
    Duration::milliseconds(base * jitter_permille)
}

async fn mark_sent(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        notification::Entity::update_many()
            .col_expr(
                notification::Column::Status,
                Expr::value(NotificationStatus::Sent),
            )
            .col_expr(notification::Column::SentAt, Expr::value(now))
            .col_expr(
                notification::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                notification::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(notification::Column::Id.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn mark_failed(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    attempts: i32,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let dead = attempts >= MAX_ATTEMPTS;
    notification::Entity::update_many()
        .col_expr(
            notification::Column::Status,
            Expr::value(if dead {
                NotificationStatus::Dead
            } else {
                NotificationStatus::Pending
            }),
        )
        .col_expr(
            notification::Column::NextAttemptAt,
            Expr::value(now + backoff(attempts)),
        )
        .col_expr(
            notification::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            notification::Column::LastError,
            Expr::value(error.chars().take(1000).collect::<String>()),
        )
        .filter(notification::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Sends what is due, batch after batch, for at most 50 seconds.
pub async fn run(ctx: &JobContext) -> Result<Counts, DbErr> {
    let started = Instant::now();
    let mut counts = Counts::default();
    // The badges' additions since the last run, into the users' rows (see
    // `entity::queries::fold_unseen_notifications`).
    entity::queries::fold_unseen_notifications(&ctx.db).await?;
    while started.elapsed().as_secs() < 50 {
        let rows = claim(ctx, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        counts.examined += to_i64(rows.len());
        let mut pending = compose(ctx, rows).into_iter();
        let mut set = JoinSet::new();
        let mut sent = Vec::new();
        loop {
            while set.len() < CONCURRENCY {
                let Some(job) = pending.next() else { break };
                let mailer = ctx.mailer.clone();
                set.spawn(async move {
                    let result = mailer.send(&job.email).await;
                    (job, result)
                });
            }
            let Some(done) = set.join_next().await else {
                break;
            };
            let Ok((job, result)) = done else {
                counts.errors += 1;
                continue;
            };
            match result {
                Ok(_) => {
                    counts.notified += to_i64(job.ids.len());
                    sent.extend(job.ids);
                }
                Err(e) => {
                    counts.errors += 1;
                    tracing::warn!(to = %job.email.to, error = %e, attempts = job.attempts, "sending failed");
                    mark_failed(&ctx.db, &job.ids, job.attempts, &e, ctx.clock.now()).await?;
                }
            }
        }
        mark_sent(&ctx.db, sent, ctx.clock.now()).await?;
    }
    Ok(counts)
}

/// Counts of the outbox by status, for `/metrics`.
pub async fn depth(db: &impl ConnectionTrait) -> Result<Vec<(NotificationStatus, i64)>, DbErr> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::ExprTrait;
    notification::Entity::find()
        .select_only()
        .column(notification::Column::Status)
        .column_as(Expr::col(Asterisk).count().cast_as("BIGINT"), "n")
        .group_by(notification::Column::Status)
        .into_tuple()
        .all(db)
        .await
}
