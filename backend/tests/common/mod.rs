//! What the command-line tests share: a scratch folder and database for each test (SQLite,
//! or a fresh database on the PostgreSQL server of `TEST_DATABASE_URL`, named after it so that
//! `.ci/run` drops it), the `huimin` binary pointed at them, and tampering with the audit
//! chain past its triggers.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub url: String,
}

/// A scratch folder and an empty database.
pub async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let admin = Database::connect(&server).await.unwrap();
            let base = server
                .rsplit('/')
                .next()
                .unwrap_or("huimin")
                .split('?')
                .next()
                .unwrap_or("huimin");
            let name = format!("{base}_t_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let (server_part, _) = server.rsplit_once('/').unwrap();
            format!("{server_part}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display()),
    };
    Env { dir, url }
}

/// `huimin` in the scratch folder, on the scratch database, logging warnings only.
pub fn command(env: &Env) -> Command {
    let dir = env.dir.path();
    let mut c = Command::new(env!("CARGO_BIN_EXE_huimin"));
    c.current_dir(dir)
        .env("DATABASE_URL", &env.url)
        .env("HUIMIN_DATA_DIR", dir.join("data"))
        // Tests run side by side: a metrics listener on a free port each.
        .env("HUIMIN_METRICS_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs `sql` against the audit chain as an attacker with the database's keys would: past the
/// triggers that refuse changes to sealed events (PostgreSQL: replica mode, which skips
/// ordinary triggers, for this transaction; SQLite: the triggers dropped).
pub async fn tamper(url: &str, sql: &str) {
    let db = Database::connect(url).await.unwrap();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;"
        ))
        .await
        .unwrap();
    } else {
        for t in [
            "audit_event_sealed_update",
            "audit_event_unsealed_update",
            "audit_event_sealed_delete",
            "audit_event_unsealed_delete",
        ] {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}"))
                .await
                .unwrap();
        }
        db.execute_unprepared(sql).await.unwrap();
    }
    let _ = db.close().await;
}
