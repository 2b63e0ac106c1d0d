//! Public disclosure (SPEC §8): `notice`, the procurement notices written in the transaction of
//! each transition and never changed (a trigger refuses `UPDATE` and `DELETE` on both
//! databases, as for sealed audit events); `public_hit`, the per-address request counters that
//! throttle the public answers (in the database, so every replica counts together); and the
//! indexes a division's page reads contracts and posts by (a code's range: the division and
//! everything below it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::util::{a, drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_UP: &str = r#"
CREATE FUNCTION notice_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a notice is never changed or deleted: publish a correction as a new notice'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER notice_immutable BEFORE UPDATE OR DELETE ON notice
    FOR EACH ROW EXECUTE FUNCTION notice_immutable();
CREATE TRIGGER notice_no_truncate BEFORE TRUNCATE ON notice
    FOR EACH STATEMENT EXECUTE FUNCTION notice_immutable();
"#;

const PG_DOWN: &str = "
DROP TRIGGER IF EXISTS notice_no_truncate ON notice;
DROP TRIGGER IF EXISTS notice_immutable ON notice;
DROP FUNCTION IF EXISTS notice_immutable();
";

const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER notice_no_update BEFORE UPDATE ON notice \
     BEGIN SELECT RAISE(ABORT, 'a notice is never changed or deleted: publish a correction as a new notice'); END",
    "CREATE TRIGGER notice_no_delete BEFORE DELETE ON notice \
     BEGIN SELECT RAISE(ABORT, 'a notice is never changed or deleted: publish a correction as a new notice'); END",
];

const SQLITE_DOWN: [&str; 2] = [
    "DROP TRIGGER IF EXISTS notice_no_delete",
    "DROP TRIGGER IF EXISTS notice_no_update",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("notice"))
            .col(pk_uuid(a("id")))
            .col(string_len(a("kind"), 32))
            .col(timestamp_with_time_zone(a("at")))
            // The contracting process: the tender, or the contract of a direct award.
            .col(uuid(a("process_id")))
            .col(uuid_null(a("tender_id")))
            .col(uuid_null(a("contract_id")))
            .col(uuid(a("purchaser_id")))
            .col(string_len(a("division_code"), 12))
            .col(string_len(a("service_category"), 16))
            .col(text(a("title")))
            // The notice's content as published (JSON text), never rewritten.
            .col(text(a("body")));
        m.create_table(t).await?;
        for cols in [
            &["kind", "id"][..],
            &["division_code", "id"],
            &["process_id", "id"],
            &["at"],
        ] {
            m.create_index(index("notice", cols)).await?;
        }
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(PG_UP).await?;
        } else {
            for sql in SQLITE_UP {
                db.execute_unprepared(sql).await?;
            }
        }

        let mut t = Table::create();
        t.table(a("public_hit"))
            .col(string_len(a("address"), 64))
            // The first second (Unix time) of the minute counted.
            .col(big_integer(a("window_start")))
            .col(big_integer(a("hits")))
            .primary_key(Index::create().col(a("address")).col(a("window_start")));
        m.create_table(t).await?;
        m.create_index(index("public_hit", &["window_start"]))
            .await?;

        m.create_index(index("contract", &["division_code", "status"]))
            .await?;
        m.create_index(index("post", &["division_code"])).await?;
        // A division's accepted milestones: its contracts' milestones, by status.
        m.create_index(index("milestone", &["contract_id", "status"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("milestone", "ix_milestone_contract_id_status"))
            .await?;
        m.drop_index(drop_index("post", "ix_post_division_code"))
            .await?;
        m.drop_index(drop_index("contract", "ix_contract_division_code_status"))
            .await?;
        m.drop_table(Table::drop().table(a("public_hit")).to_owned())
            .await?;
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(PG_DOWN).await?;
        } else {
            for sql in SQLITE_DOWN {
                db.execute_unprepared(sql).await?;
            }
        }
        m.drop_table(Table::drop().table(a("notice")).to_owned())
            .await
    }
}
