//! Writing and verifying the audit chain (SPEC §2 `audit_event`).
//!
//! [`record`] runs inside the transaction of the change it describes, as its last statement:
//! it takes the chain lock (a transaction-scoped advisory lock on PostgreSQL; on SQLite the
//! write transaction is already `IMMEDIATE`, so writers are serialised), reads the chain head,
//! and appends the next event. The lock is held only from there to the commit. [`verify`]
//! recomputes the whole chain in `seq` order, in batches.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::model::audit_event;
use entity::rules::audit_chain::{
    ChainBreak, ChainEvent, ChainVerifier, GENESIS_HASH, StoredEvent, canonical_json, chain_hash,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The key of the PostgreSQL advisory lock that orders the chain.
const CHAIN_LOCK_KEY: i64 = 0x6875_696d_696e; // "huimin"

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

/// Appends `change` to the chain, inside the caller's transaction.
pub async fn record(
    txn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    change: Change,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})"))
            .await?;
    }
    let head = audit_event::Entity::find()
        .select_only()
        .columns([audit_event::Column::Seq, audit_event::Column::Hash])
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .into_tuple::<(i64, String)>()
        .one(txn)
        .await?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let event = ChainEvent {
        seq,
        at: at_text(at),
        actor_user_id: change.actor_user_id.map(|u| u.to_string()),
        action: change.action.to_string(),
        entity_type: change.entity_type.to_string(),
        entity_id: change.entity_id.to_string(),
        before: change.before,
        after: change.after,
        prev_hash,
    };
    let canonical = event.canonical();
    let hash = chain_hash(&event.prev_hash, &canonical);
    audit_event::Entity::insert(audit_event::ActiveModel {
        seq: Set(seq),
        at: Set(at),
        actor_user_id: Set(change.actor_user_id),
        action: Set(event.action.clone()),
        entity_type: Set(event.entity_type.clone()),
        entity_id: Set(change.entity_id),
        before_json: Set(event.before.as_ref().map(canonical_json)),
        after_json: Set(event.after.as_ref().map(canonical_json)),
        canonical: Set(canonical),
        prev_hash: Set(event.prev_hash),
        hash: Set(hash),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
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
}

/// The stored columns of a row as the event they claim to be.
fn stored(row: audit_event::Model) -> Result<StoredEvent, ChainBreak> {
    let parse = |s: &Option<String>| -> Result<Option<Value>, ChainBreak> {
        s.as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| ChainBreak {
                seq: row.seq,
                reason: "before/after is not JSON (edited)".into(),
            })
    };
    let event = ChainEvent {
        seq: row.seq,
        at: at_text(row.at),
        actor_user_id: row.actor_user_id.map(|u| u.to_string()),
        action: row.action.clone(),
        entity_type: row.entity_type.clone(),
        entity_id: row.entity_id.to_string(),
        before: parse(&row.before_json)?,
        after: parse(&row.after_json)?,
        prev_hash: row.prev_hash.clone(),
    };
    Ok(StoredEvent {
        event,
        canonical: row.canonical,
        hash: row.hash,
    })
}

/// Recomputes the chain from the first event; stops at the first break.
pub async fn verify(db: &impl ConnectionTrait) -> Result<VerifyReport, DbErr> {
    const BATCH: u64 = 5_000;
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
        after_seq = last.seq;
        let n = rows.len() as u64;
        for row in rows {
            if let Err(b) = stored(row).and_then(|e| verifier.check(&e)) {
                return Ok(VerifyReport {
                    intact: false,
                    checked: verifier.checked,
                    first_bad_seq: Some(b.seq),
                    reason: Some(b.reason),
                });
            }
        }
        if n < BATCH {
            break;
        }
    }
    Ok(VerifyReport {
        intact: true,
        checked: verifier.checked,
        first_bad_seq: None,
        reason: None,
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
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Audit events in `seq` order. Events of bids whose tender's deadline has not passed are
/// left out: a sealed bid is read by nobody but its bidder, through any path.
pub async fn list(
    db: &impl ConnectionTrait,
    f: AuditFilter,
    now: DateTime<Utc>,
) -> Result<crate::pagination::Page<AuditEntry>, crate::error::ApiError> {
    use crate::error::ApiError;
    let limit = f.limit.unwrap_or(crate::pagination::DEFAULT_LIMIT);
    if !(1..=crate::pagination::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 500"));
    }
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
        let after: i64 = c
            .parse()
            .map_err(|_| ApiError::validation("cursor", "is not a cursor this server gave"))?;
        q = q.filter(audit_event::Column::Seq.gt(after));
    }
    let mut rows = q
        .order_by_asc(audit_event::Column::Seq)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
        .collect();
    Ok(crate::pagination::Page {
        items,
        next_cursor: next,
    })
}

/// Audit events, less those of bids still sealed at `now` (their tender's deadline to come).
fn visible_events(now: DateTime<Utc>) -> sea_orm::Select<audit_event::Entity> {
    use entity::model::{bid, tender};
    use sea_orm::sea_query::{Expr, Query};
    use sea_orm::{Condition, ExprTrait};
    let sealed = Query::select()
        .column((bid::Entity, bid::Column::Id))
        .from(bid::Entity)
        .inner_join(
            tender::Entity,
            Expr::col((tender::Entity, tender::Column::Id))
                .equals((bid::Entity, bid::Column::TenderId)),
        )
        .and_where(Expr::col((tender::Entity, tender::Column::BidDeadline)).gt(now))
        .take();
    audit_event::Entity::find().filter(
        Condition::any()
            .add(audit_event::Column::EntityType.ne("bid"))
            .add(audit_event::Column::EntityId.not_in_subquery(sealed)),
    )
}

/// The visible audit events of the given records, in chain order.
pub async fn events_for(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<AuditEntry>, DbErr> {
    let mut out = Vec::new();
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    for chunk in ids.chunks(500) {
        let rows = visible_events(now)
            .filter(audit_event::Column::EntityId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|r| AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            prev_hash: r.prev_hash,
            hash: r.hash,
        }));
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}
