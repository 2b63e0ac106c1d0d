//! The outbox: one e-mail to one recipient, inserted idempotently by its `dedupe_key` in the
//! transaction that decided to send it, delivered later by `send_notifications`.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{NotificationKind, NotificationStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recipient_user_id: Option<Uuid>,
    pub recipient_email: String,
    /// The organisation the message is addressed to (its contact or its staff), for
    /// `GET /notifications`.
    pub organisation_id: Option<Uuid>,
    pub kind: NotificationKind,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// The job run that queued it (digests group by it), or null for an event.
    pub job_run_id: Option<Uuid>,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The path of the web page of what it is about (`/milestones/{id}` …); null for rows
    /// queued before it was kept.
    pub link: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
