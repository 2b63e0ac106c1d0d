//! The audit chain is sealed after commit (SPEC §2 `audit_event`): a writer inserts its event
//! in the transaction of its change with `seq`, `prev_hash`, `hash` and `canonical` still
//! empty, and a single sealer assigns them right after commit, so concurrent writers no longer
//! queue on the chain head. The table gets a surrogate key `id` (insertion order, the order
//! the sealer takes) and the chain columns become nullable, still unique. SQLite cannot alter a
//! primary key, so the table is rebuilt on both databases; the events keep their seq and hash.
//!
//! `down` keeps only sealed events: run the sealer (any `huimin` write, or `huimin audit
//! verify`'s report of unsealed events) before going back.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::a;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &str = "seq, at, actor_user_id, action, entity_type, entity_id, before_json, \
                       after_json, canonical, prev_hash, hash";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: the rebuild is all or nothing, and every statement runs
    /// on one connection (another pooled connection may still have the old schema cached).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("audit_event_next"))
            .col(big_integer(a("id")).auto_increment().primary_key())
            .col(big_integer_null(a("seq")).unique_key());
        payload(&mut t);
        t.col(text_null(a("canonical")))
            .col(string_len_null(a("prev_hash"), 64).unique_key())
            .col(string_len_null(a("hash"), 64).unique_key());
        m.create_table(t.take()).await?;
        rebuild(m, "audit_event_next", "ORDER BY seq").await?;
        // The sealer's work queue: only unsealed rows are in this index.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_audit_event_unsealed ON audit_event (id) WHERE seq IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("audit_event_next"))
            .col(big_integer(a("seq")).primary_key());
        payload(&mut t);
        t.col(text(a("canonical")))
            .col(string_len_uniq(a("prev_hash"), 64))
            .col(string_len_uniq(a("hash"), 64));
        m.create_table(t.take()).await?;
        rebuild(m, "audit_event_next", "WHERE seq IS NOT NULL ORDER BY seq").await
    }
}

/// The columns of an event besides its key and its chain link.
fn payload(t: &mut TableCreateStatement) {
    t.col(timestamp_with_time_zone(a("at")))
        .col(uuid_null(a("actor_user_id")))
        .col(string_len(a("action"), 64))
        .col(string_len(a("entity_type"), 64))
        .col(uuid(a("entity_id")))
        .col(text_null(a("before_json")))
        .col(text_null(a("after_json")));
}

/// Copies the events into `next`, puts it in place of `audit_event`, and recreates the indexes
/// the audit API filters by.
async fn rebuild(m: &SchemaManager<'_>, next: &str, select_tail: &str) -> Result<(), DbErr> {
    let db = m.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO {next} ({COLUMNS}) SELECT {COLUMNS} FROM audit_event {select_tail}"
    ))
    .await?;
    m.drop_table(Table::drop().table(a("audit_event")).to_owned())
        .await?;
    m.rename_table(Table::rename().table(a(next), a("audit_event")).to_owned())
        .await?;
    for (name, cols) in [
        ("ix_audit_entity", &["entity_type", "entity_id", "seq"][..]),
        ("ix_audit_actor", &["actor_user_id", "seq"]),
        ("ix_audit_action", &["action", "seq"]),
        ("ix_audit_at", &["at"]),
        ("ix_audit_event_entity_id_seq", &["entity_id", "seq"]),
    ] {
        let mut i = Index::create();
        i.name(name).table(a("audit_event"));
        for c in cols {
            i.col(a(c));
        }
        m.create_index(i.take()).await?;
    }
    Ok(())
}
