//! On PostgreSQL, a queued notification no longer adds to its recipients' `app_user` rows: the
//! trigger appends what it adds to `notification_unseen_added` instead, and the badge is the
//! row's count plus those additions (folded into the row by `send_notifications` and when the
//! user opens the page). Updating the user's row locked it until the notifying transaction's
//! commit, so every write notifying one organisation (its payments, say) queued behind the
//! last. SQLite writes one transaction at a time anyway: its trigger keeps counting on the row,
//! and the table stays empty there.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_UP: &str = r#"
CREATE OR REPLACE FUNCTION notification_unseen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_unseen_added (user_id, n)
    SELECT r.id, COUNT(*) FROM (
        SELECT n.recipient_user_id AS id FROM new_rows n
        WHERE n.recipient_user_id IS NOT NULL
        UNION ALL
        SELECT s.id FROM new_rows n JOIN app_user s ON s.organisation_id = n.organisation_id
        WHERE n.recipient_user_id IS NULL
    ) r GROUP BY r.id;
    RETURN NULL;
END
$$;
"#;

/// The function as migration 000015 made it, with the pending additions folded in first.
const PG_DOWN: &str = r#"
UPDATE app_user u SET notifications_unseen = u.notifications_unseen + s.n
    FROM (SELECT user_id, SUM(n) AS n FROM notification_unseen_added GROUP BY user_id) s
    WHERE u.id = s.user_id;
CREATE OR REPLACE FUNCTION notification_unseen() RETURNS trigger LANGUAGE plpgsql AS $$
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
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("notification_unseen_added"))
                .col(uuid(a("user_id")))
                .col(big_integer(a("n")))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notification_unseen_added", &["user_id"]))
            .await?;
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(PG_UP).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(PG_DOWN).await?;
        }
        m.drop_index(drop_index(
            "notification_unseen_added",
            "ix_notification_unseen_added_user_id",
        ))
        .await?;
        m.drop_table(
            Table::drop()
                .table(a("notification_unseen_added"))
                .to_owned(),
        )
        .await
    }
}
