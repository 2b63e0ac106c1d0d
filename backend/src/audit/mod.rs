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
//!
//! Here: what an event is and how it is recorded; [`seal`] appends events to the chain,
//! [`check`] verifies it (and an anchor a witness kept), [`trail`] reads it for the API and
//! the pages.

mod check;
mod seal;
mod trail;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::model::audit_event;
use entity::rules::audit_chain::{ChainBreak, ChainEvent, canonical_json};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DbErr, EntityTrait,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

pub use check::{Anchor, Head, VerifyReport, check_anchor, verify, verify_and_record};
pub use seal::{Sealer, seal_pending, wake_sealer_after_write};
pub use trail::{AuditEntry, AuditFilter, event, events_for, list, list_newest_first};

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
