//! Reading the chain: the sealed events a user may see, filtered and paged (the audit API and
//! page), one by its place, or those of given records (a dossier).

use chrono::{DateTime, Utc};
use entity::model::audit_event;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

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
    let paging = crate::store::page::Keyset::ordered(f.limit, newest_first)?;
    let q = visible_events(now)
        .apply_if(f.entity_type, |q, v| {
            q.filter(audit_event::Column::EntityType.eq(v))
        })
        .apply_if(f.entity_id, |q, v| {
            q.filter(audit_event::Column::EntityId.eq(v))
        })
        .apply_if(f.actor, |q, v| {
            q.filter(audit_event::Column::ActorUserId.eq(v))
        })
        .apply_if(f.action, |q, v| q.filter(audit_event::Column::Action.eq(v)))
        .apply_if(f.from, |q, v| q.filter(audit_event::Column::At.gte(v)))
        .apply_if(f.to, |q, v| q.filter(audit_event::Column::At.lt(v)));
    let after = f
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ApiError::field(
                    "cursor",
                    crate::error::codes::CURSOR_INVALID,
                    "is not a cursor this server gave",
                )
            })
        })
        .transpose()?;
    let rows = paging
        .after(q, audit_event::Column::Seq, after)
        .all(db)
        .await?;
    Ok(paging
        .into_page(rows, |r| r.seq.map(|s| s.to_string()))
        .map(AuditEntry::from))
}

/// Sealed audit events, less those of bids still sealed at `now` (their tender's deadline to
/// come). Events not yet sealed into the chain are not shown.
fn visible_events(now: DateTime<Utc>) -> sea_orm::Select<audit_event::Entity> {
    use entity::model::{bid, tender};
    use sea_orm::Condition;
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
