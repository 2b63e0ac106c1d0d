//! A person who logs in. The table is `app_user` (`user` is reserved in PostgreSQL).

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{Locale, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// An argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub active: bool,
    pub locale: Locale,
    /// Set when an admin creates the user or resets the password: until the user changes it,
    /// every other request is refused.
    pub must_change_password: bool,
    /// A finance officer who may approve payment requests (SPEC §9); set by an admin.
    pub approver: bool,
    /// When the user last opened their notifications page (the header's badge counts those
    /// created after it); null until the first time.
    pub notifications_seen_at: Option<DateTimeUtc>,
    /// How many notifications the user has not seen, as last folded: a trigger on
    /// `notification` counts each new one for its recipient (an organisation's own copy for
    /// every user of it) — on SQLite here, on PostgreSQL as rows of
    /// `notification_unseen_added`, which `send_notifications` folds in — and opening the
    /// notifications page sets it back to 0 (`queries::unseen_notifications` reads both).
    pub notifications_unseen: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
