//! Verifying the chain: recomputing it from the first event, recording the outcome, and
//! checking an anchor (a head a witness kept) against it.

use chrono::{DateTime, Utc};
use entity::model::{audit_event, chain_check};
use entity::rules::audit_chain::{ChainBreak, ChainVerifier, StoredEvent};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::chain_event;
use crate::state::AppState;

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
