//! Connecting to the database, migrating it, and starting write transactions.
//!
//! SQLite: a file with WAL, foreign keys on, a busy timeout, several pooled connections for
//! reading, and one more connection ([`connect_writer`]) on which the API begins its writing
//! transactions, `IMMEDIATE`: API writers queue in order for that connection instead of polling
//! SQLite's lock (its busy handler sleeps and retries, so under load a waiter could starve for a
//! second), and a read never upgrades to a write. Other writers (jobs, the CLI) still wait on
//! the busy timeout. PostgreSQL: an ordinary pool, for writes too.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// How much of a SQLite file is read through a memory map.
const MMAP_BYTES: u64 = 1 << 30;

/// How long a pooled connection may sit idle before the pool checks it is still alive when it
/// hands it out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// Opens a pool on `url`, creating a SQLite file's folder if needed.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(format!("create {dir:?}: {e}")))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings every connection it hands out by default: one more round trip to the
        // database per checkout, i.e. per read of the API (the read bench's PostgreSQL CPU per
        // contract read fell by about a third without it). Only a connection idle long enough
        // for a firewall or a restart to have dropped it is pinged; a hot connection the server
        // dropped fails one statement (its request answers an error), and the pool replaces it.
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE)
        // Statements are logged at DEBUG: `RUST_LOG=sea_orm=debug` shows the query log.
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .create_if_missing(true)
                // Pages SQLite's own cache misses are read through a memory map the connections
                // share (no read call and copy per page).
                .pragma("mmap_size", MMAP_BYTES.to_string())
        });
    Database::connect(opts).await
}

/// Where the API begins writing transactions: on a SQLite file, a pool of one connection of
/// its own (see the module comment); otherwise `pool` itself.
pub async fn connect_writer(
    url: &str,
    pool: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    if sqlite_path(url).is_some() {
        connect(url, 1).await
    } else {
        Ok(pool.clone())
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then_some(path)
}

/// Brings the schema up to date.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

pub use entity::queries::begin_write;

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner stability
    /// guarantee, so that a cached statement whose `LIMIT ?` is bound again is not prepared
    /// anew on every execution, and without memory statistics, so that connections allocate
    /// without taking one process-wide mutex.
    #[tokio::test]
    async fn sqlite_is_built_with_the_options_of_cargo_config() {
        let db = super::connect("sqlite::memory:", 1).await.unwrap();
        let options: Vec<String> = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA compile_options",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get_by_index(0).unwrap())
            .collect();
        for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "SQLite was built without SQLITE_{wanted}: {options:?}"
            );
        }
    }
}
