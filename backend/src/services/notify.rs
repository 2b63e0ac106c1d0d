//! Notifications of events (SPEC §5), queued in the outbox inside the transaction of the
//! change they announce: report submitted → the officer; report accepted or rejected → the
//! organisation; payment recorded → the organisation; tender published → active
//! organisations; a budget line's amount changed → supervisors.

use entity::model::{contract, purchaser};
use jobs::outbox::{self, Outgoing, Recipient};
use jobs::templates::Message;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::state::AppState;

/// Queues `message` about `entity_id` to each recipient, once per `step`.
pub async fn queue(
    st: &AppState,
    db: &impl ConnectionTrait,
    recipients: Vec<Recipient>,
    message: Message,
    entity_id: Uuid,
    step: &str,
    link: String,
) -> ApiResult<()> {
    let items = recipients
        .into_iter()
        .map(|recipient| Outgoing {
            recipient,
            message: message.clone(),
            entity_id,
            step: step.to_string(),
            link: link.clone(),
        })
        .collect();
    outbox::enqueue(db, st.now(), &st.jobs.public_url, None, items).await?;
    Ok(())
}

/// The recipients of "the organisation" of a contract.
pub async fn organisation_of(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
) -> ApiResult<Vec<Recipient>> {
    Ok(outbox::organisations(db, &[contract.organisation_id])
        .await?
        .remove(&contract.organisation_id)
        .unwrap_or_default())
}

/// A purchaser's name, for messages.
pub async fn purchaser_name(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<String> {
    Ok(purchaser::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}
