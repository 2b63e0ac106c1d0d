//! `app_user.notifications_unseen`: how many notifications the user has not seen, kept by the
//! database itself. A trigger on `notification` adds each new row to its recipient's count, and
//! an organisation's own copy (no recipient user) to the count of every user of that
//! organisation; opening the notifications page sets it back to 0. The header's badge then
//! comes with the user's row, which every signed-in request reads anyway: a page costs no
//! statement more than the JSON for it.
//!
//! A trigger rather than code in each writer: notifications are queued by the services one by
//! one and by the jobs in set-based `INSERT … SELECT`s, and a count the next writer forgets to
//! keep would drift. On PostgreSQL the trigger runs once per statement over its new rows and
//! locks the users' rows in id order first, so two transactions notifying the same people
//! cannot deadlock; SQLite has one writer at a time and row triggers only.
//!
//! The column starts as the count the badge showed until now: the user's notifications created
//! after they last opened the page (all of them if they never did).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::util::a;

#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL: &str = "
UPDATE app_user SET notifications_unseen = (
    SELECT COUNT(*) FROM notification n
    WHERE (n.recipient_user_id = app_user.id
           OR (n.recipient_user_id IS NULL AND n.organisation_id = app_user.organisation_id))
      AND (app_user.notifications_seen_at IS NULL OR n.created_at > app_user.notifications_seen_at))
";

const PG_UP: &str = r#"
CREATE FUNCTION notification_unseen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM app_user u
        WHERE u.id IN (SELECT n.recipient_user_id FROM new_rows n)
           OR u.organisation_id IN (
               SELECT n.organisation_id FROM new_rows n WHERE n.recipient_user_id IS NULL)
        ORDER BY u.id FOR UPDATE;
    UPDATE app_user u SET notifications_unseen = u.notifications_unseen + c.n
        FROM (
            SELECT r.id, COUNT(*) AS n FROM (
                SELECT n.recipient_user_id AS id FROM new_rows n
                WHERE n.recipient_user_id IS NOT NULL
                UNION ALL
                SELECT s.id FROM new_rows n JOIN app_user s ON s.organisation_id = n.organisation_id
                WHERE n.recipient_user_id IS NULL
            ) r GROUP BY r.id
        ) c
        WHERE u.id = c.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER notification_unseen AFTER INSERT ON notification
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notification_unseen();
"#;

const PG_DOWN: &str = "
DROP TRIGGER IF EXISTS notification_unseen ON notification;
DROP FUNCTION IF EXISTS notification_unseen();
";

const SQLITE_UP: &str = "
CREATE TRIGGER notification_unseen AFTER INSERT ON notification
BEGIN
    UPDATE app_user SET notifications_unseen = notifications_unseen + 1
    WHERE id = NEW.recipient_user_id
       OR (NEW.recipient_user_id IS NULL AND organisation_id = NEW.organisation_id);
END
";

const SQLITE_DOWN: &str = "DROP TRIGGER IF EXISTS notification_unseen";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .add_column(big_integer(a("notifications_unseen")).default(0))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(BACKFILL).await?;
        db.execute_unprepared(match db.get_database_backend() {
            DbBackend::Postgres => PG_UP,
            _ => SQLITE_UP,
        })
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(match db.get_database_backend() {
            DbBackend::Postgres => PG_DOWN,
            _ => SQLITE_DOWN,
        })
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .drop_column(a("notifications_unseen"))
                .to_owned(),
        )
        .await
    }
}
