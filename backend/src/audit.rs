//! Writing, sealing and verifying the audit chain (SPEC §2 `audit_event`).
//!
//! [`record`] runs inside the transaction of the change it describes: it inserts the event
//! with its chain columns (`seq`, `prev_hash`, `hash`, `canonical`) still empty, so concurrent
//! writers never queue on the chain head. Right after commit, [`Sealer::seal`] appends every
//! committed unsealed event to the chain in one short transaction that holds the chain lock (a
//! transaction-scoped advisory lock on PostgreSQL; an `IMMEDIATE` transaction on SQLite), so
//! the order lives in the database even with several replicas and the CLI appending. A
//! successful write wakes the background sealer of `serve` ([`wake_sealer_after_write`]) and
//! answers without waiting for it; whoever reads the chain (the audit trail, a dossier) first
//! seals what has committed ([`Sealer::seal`]), so a reader sees every acknowledged write in
//! the chain. Concurrent callers share one sealing pass (group commit); the background sealer
//! also sweeps every few seconds for events a crashed process left unsealed. [`verify`]
//! recomputes the whole chain in `seq` order, in batches, and counts events left unsealed for
//! over a minute.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use entity::model::{audit_event, chain_check};
use entity::rules::audit_chain::{
    ChainBreak, ChainEvent, ChainVerifier, GENESIS_HASH, StoredEvent, canonical_json, chain_hash,
};
use entity::rules::counts::to_usize;
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, ExprTrait, Query, UpdateStatement, Values, WithClause,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::state::AppState;

/// The key of the PostgreSQL advisory lock that orders the chain.
const CHAIN_LOCK_KEY: i64 = 0x6875_696d_696e; // "huimin"

/// How many events one sealing statement appends (5 parameters each).
const SEAL_BATCH: u64 = 1_000;

/// How long the background sealer lets writes gather after the first wakes it: fewer, larger
/// passes (readers of the chain do not wait for it; they seal for themselves).
const SEAL_GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    pub actor_user_id: Option<Uuid>,
    /// e.g. `create`, `update`, `publish`.
    pub action: &'static str,
    /// One of the SPEC §2 names: `purchaser`, `organisation`, `user`, `budget_line` …
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// A change whose before/after are the serialised API representations.
    pub fn of<T: Serialize>(
        actor: Option<Uuid>,
        action: &'static str,
        entity_type: &'static str,
        entity_id: Uuid,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        let to = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
        Change {
            actor_user_id: actor,
            action,
            entity_type,
            entity_id,
            before: to(before),
            after: to(after),
        }
    }
}

fn at_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Writes `change` as an unsealed event, inside the caller's transaction.
pub async fn record(
    txn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    change: Change,
) -> Result<(), DbErr> {
    record_all(txn, at, [change]).await
}

/// Records several changes of one transaction, in one statement, in the given order.
pub async fn record_all(
    txn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    changes: impl IntoIterator<Item = Change>,
) -> Result<(), DbErr> {
    audit_event::Entity::insert_many(changes.into_iter().map(|change| audit_event::ActiveModel {
        id: NotSet,
        seq: Set(None),
        at: Set(at),
        actor_user_id: Set(change.actor_user_id),
        action: Set(change.action.to_string()),
        entity_type: Set(change.entity_type.to_string()),
        entity_id: Set(change.entity_id),
        before_json: Set(change.before.as_ref().map(canonical_json)),
        after_json: Set(change.after.as_ref().map(canonical_json)),
        canonical: Set(None),
        prev_hash: Set(None),
        hash: Set(None),
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The event a row describes, placed at `seq` after `prev_hash`.
fn chain_event(
    row: &audit_event::Model,
    seq: i64,
    prev_hash: String,
) -> Result<ChainEvent, ChainBreak> {
    let parse = |s: &Option<String>| -> Result<Option<Value>, ChainBreak> {
        s.as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| ChainBreak {
                seq,
                reason: "before/after is not JSON (edited)".into(),
            })
    };
    Ok(ChainEvent {
        seq,
        at: at_text(row.at),
        actor_user_id: row.actor_user_id.map(|u| u.to_string()),
        action: row.action.clone(),
        entity_type: row.entity_type.clone(),
        entity_id: row.entity_id.to_string(),
        before: parse(&row.before_json)?,
        after: parse(&row.after_json)?,
        prev_hash,
    })
}

/// Appends every committed unsealed event to the chain, in insertion order, a batch per
/// transaction. Returns how many it sealed.
pub async fn seal_pending(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let n = seal_batch(db).await?;
        total += n;
        if n < SEAL_BATCH {
            return Ok(total);
        }
    }
}

/// The sealed head of the chain: its `seq` and `hash`, none before the first seal.
async fn chain_head(txn: &impl ConnectionTrait) -> Result<Option<(i64, String)>, DbErr> {
    audit_event::Entity::find()
        .select_only()
        .columns([audit_event::Column::Seq, audit_event::Column::Hash])
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .into_tuple::<(i64, String)>()
        .one(txn)
        .await
}

/// The seals of `rows`, chained after `head`: one row of the sealing statement's `VALUES` per
/// event (id, seq, prev_hash, hash, canonical).
fn seals(rows: &[audit_event::Model], head: Option<(i64, String)>) -> Result<Vec<Values>, DbErr> {
    let (mut seq, mut prev_hash) = match head {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS_HASH.to_string()),
    };
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        seq += 1;
        let event = chain_event(row, seq, prev_hash.clone())
            .map_err(|b| DbErr::Custom(format!("audit event {}: {}", row.id, b.reason)))?;
        let canonical = event.canonical();
        let hash = chain_hash(&prev_hash, &canonical);
        tuples.push(Values(vec![
            row.id.into(),
            seq.into(),
            prev_hash.clone().into(),
            hash.clone().into(),
            canonical.into(),
        ]));
        prev_hash = hash;
    }
    Ok(tuples)
}

/// The sealing statement: `WITH v (id, seq, prev_hash, hash, canonical) AS (VALUES …) UPDATE
/// audit_event SET … FROM v WHERE audit_event.id = v.id AND audit_event.seq IS NULL`.
/// `seq IS NULL`: only unsealed rows, found through their partial index whatever the
/// statistics say of the table (stale ones, right after a bulk load, planned a scan of the
/// whole table per pass).
fn seal_statement(seals: Vec<Values>) -> UpdateStatement {
    use audit_event::Column as A;
    let v = Alias::new("v");
    let chained = [A::Seq, A::PrevHash, A::Hash, A::Canonical];
    let mut cte = CommonTableExpression::new();
    cte.table_name(v.clone())
        .column(A::Id)
        .columns(chained)
        .values(seals);
    Query::update()
        .table(audit_event::Entity)
        .values(chained.map(|k| (k, Expr::col((v.clone(), k)))))
        .from(v.clone())
        .and_where(Expr::col((audit_event::Entity, A::Id)).equals((v, A::Id)))
        .and_where(Expr::col((audit_event::Entity, A::Seq)).is_null())
        .with_cte(WithClause::new().cte(cte).to_owned())
        .to_owned()
}

async fn seal_batch(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let unsealed = || audit_event::Entity::find().filter(audit_event::Column::Seq.is_null());
    // Most calls find nothing (another pass sealed it): answer without taking the lock.
    if unsealed()
        .select_only()
        .column(audit_event::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    let txn = entity::queries::begin_write(db).await?;
    if backend == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})"))
            .await?;
    }
    let head = chain_head(&txn).await?;
    let rows = unsealed()
        .order_by_asc(audit_event::Column::Id)
        .limit(SEAL_BATCH)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let seal = seal_statement(seals(&rows, head)?);
    let sealed = txn.execute(&seal).await?.rows_affected();
    if sealed != rows.len() as u64 {
        // Another sealer without the chain lock? Roll back rather than leave a gap.
        return Err(DbErr::Custom(format!(
            "sealed {sealed} of {} audit events",
            rows.len()
        )));
    }
    txn.commit().await?;
    Ok(rows.len() as u64)
}

/// Seals after commit, one pass at a time per process: a caller whose events committed before
/// a pass started needs no pass of its own, so concurrent writers share passes.
pub struct Sealer {
    db: DatabaseConnection,
    gate: tokio::sync::Mutex<()>,
    /// Wakes [`Sealer::run`] after a write.
    wake: tokio::sync::Notify,
    /// Passes started / finished, numbered from 1.
    started: AtomicU64,
    finished: AtomicU64,
}

impl Sealer {
    pub fn new(db: DatabaseConnection) -> Self {
        Sealer {
            db,
            gate: tokio::sync::Mutex::new(()),
            wake: tokio::sync::Notify::new(),
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
        }
    }

    /// Returns once every event committed before the call is sealed (by this call's pass or
    /// by one that started after the call).
    pub async fn seal(&self) -> Result<(), DbErr> {
        let seen = self.started.load(Ordering::SeqCst);
        let _gate = self.gate.lock().await;
        if self.finished.load(Ordering::SeqCst) > seen {
            return Ok(());
        }
        let pass = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let outcome = seal_pending(&self.db).await;
        self.finished.store(pass, Ordering::SeqCst);
        outcome.map(|_| ())
    }

    /// Asks the background sealer ([`Sealer::run`]) for a pass, without waiting for it.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The background sealer: a pass [`SEAL_GATHER`] after a write wakes it (the writes of that
    /// while share the pass), and every `every` anyway, for events a crashed process left
    /// unsealed.
    pub async fn run(&self, every: std::time::Duration) {
        loop {
            if let Err(e) = self.seal().await {
                tracing::warn!(error = %e, "sealing the audit chain failed; retrying");
            }
            if tokio::time::timeout(every, self.wake.notified())
                .await
                .is_ok()
            {
                tokio::time::sleep(SEAL_GATHER).await;
            }
        }
    }
}

/// Middleware: after a successful write, wake the background sealer (and forget the public
/// answers kept: [`AppState::wrote`]); the answer does not wait for the sealer (readers of the
/// chain seal first). A failed pass does not undo the committed change; the next one retries
/// it.
pub async fn wake_sealer_after_write(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let res = next.run(req).await;
    if write && res.status().is_success() {
        st.wrote();
    }
    res
}

/// The outcome of verifying the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    /// Whether every event checked out.
    pub intact: bool,
    /// How many events were checked before the first break (all of them when intact).
    pub checked: u64,
    /// The `seq` of the first bad event.
    pub first_bad_seq: Option<i64>,
    /// What is wrong with it.
    pub reason: Option<String>,
    /// Events written over a minute ago and still not sealed into the chain (a sealer is not
    /// running, or keeps failing): not yet protected by the chain.
    pub unsealed_over_a_minute: u64,
}

/// The stored columns of a sealed row as the event they claim to be.
fn stored(row: audit_event::Model) -> Result<StoredEvent, ChainBreak> {
    let seq = row.seq.unwrap_or_default();
    let event = chain_event(&row, seq, row.prev_hash.clone().unwrap_or_default())?;
    Ok(StoredEvent {
        event,
        canonical: row.canonical.unwrap_or_default(),
        hash: row.hash.unwrap_or_default(),
    })
}

/// Recomputes the chain from the first event; stops at the first break. Also counts the
/// events still unsealed a minute after `now` minus their time.
pub async fn verify(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<VerifyReport, DbErr> {
    Ok(verify_through(db, now).await?.0)
}

/// [`verify`], and the `seq` of the last event it read (0: none).
async fn verify_through(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(VerifyReport, i64), DbErr> {
    const BATCH: u64 = 5_000;
    let stale = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.is_null())
        .filter(audit_event::Column::At.lt(now - chrono::Duration::minutes(1)))
        .count(db)
        .await?;
    let mut verifier = ChainVerifier::default();
    let mut after_seq = 0i64;
    loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after_seq = last.seq.unwrap_or(after_seq);
        let n = rows.len() as u64;
        for row in rows {
            if let Err(b) = stored(row).and_then(|e| verifier.check(&e)) {
                let report = VerifyReport {
                    intact: false,
                    checked: verifier.checked,
                    first_bad_seq: Some(b.seq),
                    reason: Some(b.reason),
                    unsealed_over_a_minute: stale,
                };
                return Ok((report, after_seq));
            }
        }
        if n < BATCH {
            break;
        }
    }
    let report = VerifyReport {
        intact: true,
        checked: verifier.checked,
        first_bad_seq: None,
        reason: None,
        unsealed_over_a_minute: stale,
    };
    Ok((report, after_seq))
}

/// Verifies the chain ([`verify`]) and records the result in `chain_check`, for the
/// supervisor's home: every way to verify (the API, the audit trail page, `huimin audit
/// verify`) goes through here. `checked_by` is the user who asked; `None` is the command line.
/// `head_seq` is the newest event the check read when the chain is intact, else the chain's
/// head at the time of the break.
pub async fn verify_and_record(
    st: &AppState,
    checked_by: Option<Uuid>,
) -> Result<VerifyReport, DbErr> {
    let now = st.now();
    let (report, last_seq) = verify_through(&st.db, now).await?;
    let head_seq = if report.intact {
        (last_seq > 0).then_some(last_seq)
    } else {
        entity::queries::audit_head(&st.db).await?.map(|h| h.seq)
    };
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    chain_check::Entity::insert(chain_check::ActiveModel {
        id: Set(Uuid::now_v7()),
        checked_at: Set(now),
        checked_by: Set(checked_by),
        intact: Set(report.intact),
        checked: Set(n(report.checked)),
        first_bad_seq: Set(report.first_bad_seq),
        head_seq: Set(head_seq),
    })
    .exec_without_returning(&st.writer)
    .await?;
    Ok(report)
}

/// The chain's head as `GET /audit/head` answers it and a witness keeps it (the daily
/// `audit_anchor` mail): `huimin audit verify --anchor SEQ:HASH` later proves that the chain
/// still holds this event with this hash, so deleting the newest events does not go unnoticed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Head {
    /// The newest sealed event's place in the chain.
    pub seq: i64,
    /// Its hash (lowercase hex SHA-256).
    pub hash: String,
    /// When it was written.
    pub at: DateTime<Utc>,
}

impl From<entity::queries::AuditHead> for Head {
    fn from(h: entity::queries::AuditHead) -> Self {
        Head {
            seq: h.seq,
            hash: h.hash,
            at: h.at,
        }
    }
}

/// A head witnessed earlier, written `SEQ:HASH` (as `GET /audit/head` and the `audit_anchor`
/// mail give it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    /// Lowercase hex.
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "expected SEQ:HASH, a positive sequence number and the event's 64-hex-digit \
                 hash as `GET /api/v1/audit/head` gives them (e.g. 42:{}), not {s:?}",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            )
        };
        let (seq, hash) = s.trim().split_once(':').ok_or_else(usage)?;
        let seq: i64 = seq.trim().parse().map_err(|_| usage())?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(usage());
        }
        Ok(Anchor { seq, hash })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Whether the chain still holds the anchored event with the anchored hash: `Err` says how
/// it does not (the event is gone: the newest events were deleted; or its hash differs: the
/// chain was rewritten from there on). The rest of the chain is [`verify`]'s business.
pub async fn check_anchor(
    db: &impl ConnectionTrait,
    anchor: &Anchor,
) -> Result<Result<(), String>, DbErr> {
    let hash = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Hash)
        .filter(audit_event::Column::Seq.eq(anchor.seq))
        .into_tuple::<Option<String>>()
        .one(db)
        .await?
        .flatten();
    Ok(match hash {
        Some(h) if h == anchor.hash => Ok(()),
        Some(h) => Err(format!(
            "event {} now has hash {h}, not the anchored {}: the chain was rewritten from \
             there on",
            anchor.seq, anchor.hash
        )),
        None => {
            let head = entity::queries::audit_head(db).await?;
            Err(format!(
                "the chain no longer holds event {} ({}): events were deleted",
                anchor.seq,
                match head {
                    Some(h) => format!("its newest event is {}", h.seq),
                    None => "it is empty".into(),
                }
            ))
        }
    })
}

/// An audit event as the audit API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit_event::Model> for AuditEntry {
    /// A sealed row (the API reads only sealed events).
    fn from(r: audit_event::Model) -> Self {
        let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
        AuditEntry {
            seq: r.seq.unwrap_or_default(),
            at: r.at,
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            prev_hash: r.prev_hash.unwrap_or_default(),
            hash: r.hash.unwrap_or_default(),
        }
    }
}

/// Filters of `GET /audit`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// The acting user's id.
    pub actor: Option<Uuid>,
    pub action: Option<String>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    /// The `seq` the previous page ended at.
    #[param(value_type = Option<crate::fields::SeqCursor>)]
    pub cursor: Option<String>,
}

/// Audit events in `seq` order. Events of bids whose tender's deadline has not passed are
/// left out: a sealed bid is read by nobody but its bidder, through any path.
pub async fn list(
    db: &impl ConnectionTrait,
    f: AuditFilter,
    now: DateTime<Utc>,
) -> Result<crate::pagination::Page<AuditEntry>, crate::error::ApiError> {
    list_in(db, f, now, false).await
}

/// [`list`] newest first (the audit trail page: the head on top); its cursor pages back
/// towards the first event.
pub async fn list_newest_first(
    db: &impl ConnectionTrait,
    f: AuditFilter,
    now: DateTime<Utc>,
) -> Result<crate::pagination::Page<AuditEntry>, crate::error::ApiError> {
    list_in(db, f, now, true).await
}

async fn list_in(
    db: &impl ConnectionTrait,
    f: AuditFilter,
    now: DateTime<Utc>,
    newest_first: bool,
) -> Result<crate::pagination::Page<AuditEntry>, crate::error::ApiError> {
    use crate::error::ApiError;
    let limit = crate::pagination::check_limit(f.limit)?;
    let mut q = visible_events(now);
    if let Some(v) = f.entity_type {
        q = q.filter(audit_event::Column::EntityType.eq(v));
    }
    if let Some(v) = f.entity_id {
        q = q.filter(audit_event::Column::EntityId.eq(v));
    }
    if let Some(v) = f.actor {
        q = q.filter(audit_event::Column::ActorUserId.eq(v));
    }
    if let Some(v) = f.action {
        q = q.filter(audit_event::Column::Action.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(audit_event::Column::At.gte(v));
    }
    if let Some(v) = f.to {
        q = q.filter(audit_event::Column::At.lt(v));
    }
    if let Some(c) = &f.cursor {
        let after: i64 = c.parse().map_err(|_| {
            ApiError::field(
                "cursor",
                crate::error::codes::CURSOR_INVALID,
                "is not a cursor this server gave",
            )
        })?;
        q = q.filter(if newest_first {
            audit_event::Column::Seq.lt(after)
        } else {
            audit_event::Column::Seq.gt(after)
        });
    }
    q = if newest_first {
        q.order_by_desc(audit_event::Column::Seq)
    } else {
        q.order_by_asc(audit_event::Column::Seq)
    };
    let mut rows = q.limit(limit + 1).all(db).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(to_usize(limit));
        rows.last().and_then(|r| r.seq).map(|s| s.to_string())
    } else {
        None
    };
    let items = rows.into_iter().map(AuditEntry::from).collect();
    Ok(crate::pagination::Page {
        items,
        next_cursor: next,
    })
}

/// Sealed audit events, less those of bids still sealed at `now` (their tender's deadline to
/// come). Events not yet sealed into the chain are not shown.
fn visible_events(now: DateTime<Utc>) -> sea_orm::Select<audit_event::Entity> {
    use entity::model::{bid, tender};
    use sea_orm::{Condition, QuerySelect, QueryTrait};
    let sealed = bid::Entity::find()
        .select_only()
        .column(bid::Column::Id)
        .inner_join(tender::Entity)
        .filter(tender::Column::BidDeadline.gt(now))
        .into_query();
    audit_event::Entity::find()
        .filter(audit_event::Column::Seq.is_not_null())
        .filter(
            Condition::any()
                .add(audit_event::Column::EntityType.ne("bid"))
                .add(audit_event::Column::EntityId.not_in_subquery(sealed)),
        )
}

/// One visible event by its place in the chain (`None`: no such sealed event, or one of a bid
/// still sealed at `now`).
pub async fn event(
    db: &impl ConnectionTrait,
    seq: i64,
    now: DateTime<Utc>,
) -> Result<Option<AuditEntry>, DbErr> {
    Ok(visible_events(now)
        .filter(audit_event::Column::Seq.eq(seq))
        .one(db)
        .await?
        .map(AuditEntry::from))
}

/// The visible audit events of the given records, in chain order.
pub async fn events_for(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<AuditEntry>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows = visible_events(now)
            .filter(audit_event::Column::EntityId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(AuditEntry::from));
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}
