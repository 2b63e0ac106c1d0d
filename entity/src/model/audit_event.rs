//! The append-only audit chain (see [`crate::rules::audit_chain`]).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Insertion order: the order in which the sealer takes unsealed events.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The event's place in the chain; `None` until sealed.
    #[sea_orm(unique)]
    pub seq: Option<i64>,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// Canonical JSON of the record before the change (null for a create).
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    /// The canonical event exactly as hashed (set when sealed).
    pub canonical: Option<String>,
    #[sea_orm(unique)]
    pub prev_hash: Option<String>,
    #[sea_orm(unique)]
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
