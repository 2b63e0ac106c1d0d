//! The audit trail's indexes hold sealed events only (`WHERE seq IS NOT NULL`). Every read of
//! the trail asks for sealed events (unsealed ones are not shown), and the sealer finds its
//! work through `ix_audit_event_unsealed`; so an event no longer enters these indexes twice,
//! once as inserted and again as sealed (the seal changes `seq`, so it is not a HOT update and
//! every index of the row takes the new version). On PostgreSQL the unique `seq`, `prev_hash`
//! and `hash` become partial unique indexes too (NULLs never conflicted); SQLite keeps them,
//! as a table's own unique constraints cannot be dropped there without rebuilding it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::util::{a, drop_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The trail's indexes, as `m20261129_000007_audit_sealer` and `m20261129_000005_findings`
/// made them.
const TRAIL: [(&str, &[&str]); 5] = [
    ("ix_audit_entity", &["entity_type", "entity_id", "seq"]),
    ("ix_audit_actor", &["actor_user_id", "seq"]),
    ("ix_audit_action", &["action", "seq"]),
    ("ix_audit_at", &["at"]),
    ("ix_audit_event_entity_id_seq", &["entity_id", "seq"]),
];

/// The chain's unique columns; on PostgreSQL their constraints kept the name of the table the
/// sealer migration built (`audit_event_next`).
const CHAIN: [&str; 3] = ["seq", "prev_hash", "hash"];

/// `name` on `cols` of `audit_event`, of sealed events only when `sealed_only`.
fn trail_index(name: &str, cols: &[&str], sealed_only: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(a("audit_event"));
    for c in cols {
        i.col(a(c));
    }
    if sealed_only {
        i.and_where(Expr::col(a("seq")).is_not_null());
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too, so every statement runs on one connection (another pooled
    /// connection may still have the dropped index in its cached schema).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in TRAIL {
            m.drop_index(drop_index("audit_event", name)).await?;
            m.create_index(trail_index(name, cols, true)).await?;
        }
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for col in CHAIN {
                db.execute_unprepared(&format!(
                    "ALTER TABLE audit_event DROP CONSTRAINT audit_event_next_{col}_key; \
                     CREATE UNIQUE INDEX audit_event_{col}_key ON audit_event ({col}) \
                     WHERE {col} IS NOT NULL"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for col in CHAIN {
                db.execute_unprepared(&format!(
                    "DROP INDEX audit_event_{col}_key; ALTER TABLE audit_event \
                     ADD CONSTRAINT audit_event_next_{col}_key UNIQUE ({col})"
                ))
                .await?;
            }
        }
        for (name, cols) in TRAIL {
            m.drop_index(drop_index("audit_event", name)).await?;
            m.create_index(trail_index(name, cols, false)).await?;
        }
        Ok(())
    }
}
