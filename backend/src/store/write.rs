//! One change, one transaction: [`Write`] begins it on the writer, collects the audit events of
//! the change and commits them with it, so a service function states only its rule. Returning
//! early with `?` drops the transaction: a refusal writes nothing.

use std::ops::Deref;

use chrono::{DateTime, NaiveDate, Utc};
use jobs::outbox::Recipient;
use jobs::templates::Message;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::begin_write;
use crate::error::ApiResult;
use crate::services::notify;
use crate::state::AppState;

/// A write transaction with the audit events it will commit.
pub struct Write<'a> {
    st: &'a AppState,
    txn: DatabaseTransaction,
    /// When the change happens: the state's clock, read once at the start.
    pub now: DateTime<Utc>,
    actor: Option<Uuid>,
    changes: Vec<Change>,
}

impl<'a> Write<'a> {
    /// Begins a write on the writer connection (SQLite: `BEGIN IMMEDIATE`), made by `actor`
    /// (none for the system).
    pub async fn begin(st: &'a AppState, actor: Option<&Actor>) -> ApiResult<Self> {
        let now = st.now();
        Ok(Write {
            txn: begin_write(&st.writer).await?,
            st,
            now,
            actor: actor.map(Actor::id),
            changes: Vec::new(),
        })
    }

    /// Today's local date of the installation.
    pub fn today(&self) -> NaiveDate {
        super::today(self.st)
    }

    /// Records that the actor did `action` to `entity_type` `id`, with its API form before and
    /// after; written as an unsealed audit event when the change commits.
    pub fn record<T: Serialize>(
        &mut self,
        action: &'static str,
        entity_type: &'static str,
        id: Uuid,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        let change = Change::of(self.actor, action, entity_type, id, before, after);
        self.changes.push(change);
    }

    /// Records `change` as it is (e.g. with a field added to its after-form).
    pub fn record_change(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Queues `message` about `entity_id` to each recipient, once per `step`, in this
    /// transaction (the outbox sends it after the commit).
    pub async fn notify(
        &self,
        recipients: Vec<Recipient>,
        message: Message,
        entity_id: Uuid,
        step: &str,
        link: String,
    ) -> ApiResult<()> {
        notify::queue(
            self.st, &self.txn, recipients, message, entity_id, step, link,
        )
        .await
    }

    /// Writes the recorded audit events and commits.
    pub async fn commit(self) -> ApiResult<()> {
        if !self.changes.is_empty() {
            audit::record_all(&self.txn, self.now, self.changes).await?;
        }
        self.txn.commit().await?;
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
