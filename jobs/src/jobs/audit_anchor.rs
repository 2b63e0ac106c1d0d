//! `audit_anchor`: the audit chain's head (`seq`, hash) → all active supervisors, and to the
//! log, daily. A head witnessed outside the database is what lets `huimin audit verify
//! --anchor SEQ:HASH` catch the deletion of the newest events, which a recomputation of the
//! chain alone cannot see.
//!
//! The head is the newest *sealed* event: events written since, and not yet sealed by a
//! `serve`, are covered by the next anchor. One message per supervisor and head and local
//! day (dedupe step: the date), so a second run on the same day sends only if the head moved.

use entity::rules::counts::to_i64;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

/// Queues the head for every active supervisor and logs it.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let Some(head) = entity::queries::audit_head(db).await? else {
        tracing::info!("audit chain head: the chain is empty");
        return Ok(Counts::default());
    };
    tracing::info!(seq = head.seq, hash = %head.hash, at = %head.at, "audit chain head");
    let message = Message::AuditAnchor {
        seq: head.seq,
        hash: head.hash.clone(),
        at: head.at.with_timezone(&ctx.tz).naive_local(),
    };
    let step = ctx.today().to_string();
    // The dedupe key's entity is the head's seq (as a UUID's low bits: keys name a UUID).
    let entity_id = Uuid::from_u64_pair(0, u64::try_from(head.seq).unwrap_or_default());
    let out = outbox::supervisors(db)
        .await?
        .into_iter()
        .map(|recipient| Outgoing {
            recipient,
            message: message.clone(),
            entity_id,
            step: step.clone(),
            link: "/audit".into(),
        })
        .collect();
    let notified = outbox::enqueue(db, ctx.clock.now(), &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined: 1,
        notified: to_i64(notified),
        errors: 0,
    })
}
