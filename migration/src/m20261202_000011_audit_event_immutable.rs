//! Sealed audit events can be neither changed nor deleted (SPEC §2 `audit_event`): a trigger
//! refuses `UPDATE` and `DELETE` of a row once it has its `seq`. An unsealed row may only be
//! sealed — its chain columns (`seq`, `prev_hash`, `hash`, `canonical`) filled, everything else
//! unchanged — and never deleted (it records a committed change); `TRUNCATE` is refused too.
//!
//! This guards against mistakes and against anyone writing through the application's own
//! database role; an owner or superuser can still disable triggers, which is why the chain
//! is also verified, and its head witnessed outside the database (`audit_anchor`). SQLite
//! gets the same rules as `RAISE(ABORT)` triggers (it has no `TRUNCATE`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_UP: &str = r#"
CREATE FUNCTION audit_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.seq IS NOT NULL THEN
        RAISE EXCEPTION 'audit event % is sealed into the chain: it can be neither changed nor deleted', OLD.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL OR NEW.canonical IS NULL
        OR NEW.id IS DISTINCT FROM OLD.id
        OR NEW.at IS DISTINCT FROM OLD.at
        OR NEW.actor_user_id IS DISTINCT FROM OLD.actor_user_id
        OR NEW.action IS DISTINCT FROM OLD.action
        OR NEW.entity_type IS DISTINCT FROM OLD.entity_type
        OR NEW.entity_id IS DISTINCT FROM OLD.entity_id
        OR NEW.before_json IS DISTINCT FROM OLD.before_json
        OR NEW.after_json IS DISTINCT FROM OLD.after_json THEN
        RAISE EXCEPTION 'an unsealed audit event may only be sealed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable();
"#;

const PG_DOWN: &str = "
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;
DROP TRIGGER IF EXISTS audit_event_immutable ON audit_event;
DROP FUNCTION IF EXISTS audit_event_immutable();
";

const SQLITE_UP: [&str; 4] = [
    "CREATE TRIGGER audit_event_sealed_update BEFORE UPDATE ON audit_event \
     WHEN OLD.seq IS NOT NULL \
     BEGIN SELECT RAISE(ABORT, 'audit event is sealed into the chain: it can be neither changed nor deleted'); END",
    "CREATE TRIGGER audit_event_unsealed_update BEFORE UPDATE ON audit_event \
     WHEN OLD.seq IS NULL AND (NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL \
       OR NEW.canonical IS NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at \
       OR NEW.actor_user_id IS NOT OLD.actor_user_id OR NEW.action IS NOT OLD.action \
       OR NEW.entity_type IS NOT OLD.entity_type OR NEW.entity_id IS NOT OLD.entity_id \
       OR NEW.before_json IS NOT OLD.before_json OR NEW.after_json IS NOT OLD.after_json) \
     BEGIN SELECT RAISE(ABORT, 'an unsealed audit event may only be sealed'); END",
    "CREATE TRIGGER audit_event_sealed_delete BEFORE DELETE ON audit_event \
     WHEN OLD.seq IS NOT NULL \
     BEGIN SELECT RAISE(ABORT, 'audit event is sealed into the chain: it can be neither changed nor deleted'); END",
    "CREATE TRIGGER audit_event_unsealed_delete BEFORE DELETE ON audit_event \
     WHEN OLD.seq IS NULL \
     BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END",
];

const SQLITE_DOWN: [&str; 4] = [
    "DROP TRIGGER IF EXISTS audit_event_unsealed_delete",
    "DROP TRIGGER IF EXISTS audit_event_sealed_delete",
    "DROP TRIGGER IF EXISTS audit_event_unsealed_update",
    "DROP TRIGGER IF EXISTS audit_event_sealed_update",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(PG_UP).await?;
            }
            _ => {
                for sql in SQLITE_UP {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(PG_DOWN).await?;
            }
            _ => {
                for sql in SQLITE_DOWN {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }
}
