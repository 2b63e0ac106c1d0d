//! Building the application state from a configuration, and serving it.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::serve::ListenerExt as _;
use jobs::clock::{Clock, SystemClock};

use crate::config::Config;
use crate::state::AppState;
use crate::{db, routes, telemetry};

/// Connects to the database, migrates it, and assembles the state.
pub async fn open(config: Config) -> anyhow::Result<AppState> {
    open_with_clock(config, Arc::new(SystemClock)).await
}

/// [`open`] with a chosen clock (tests move time with a manual clock).
pub async fn open_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    entity::rules::procurement::parse_min_bid_days(&config.min_bid_days)
        .map_err(|e| anyhow::anyhow!("HUIMIN_MIN_BID_DAYS: {e}"))?;
    let url = config.database_url();
    let db = db::connect(&url, config.db_max_connections)
        .await
        .with_context(|| format!("connect to the database ({})", redact(&url)))?;
    db::migrate(&db).await.context("migrate the database")?;
    let writer = db::connect_writer(&url, &db)
        .await
        .context("connect the writer to the database")?;
    let secret = load_secret(&config)?;
    let config_session_ms = config.session_cache_ms;
    let mailer = jobs::mailer::Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        &config.data_dir.join("outbox"),
    )?;
    let jobs = jobs::JobContext {
        db: db.clone(),
        clock: clock.clone(),
        tz: config.tz,
        public_url: config.public_url(),
        mailer: Arc::new(mailer),
        digest: config.digest,
        budget_lag: config.budget_lag,
        files_dir: config.files_dir(),
    };
    Ok(AppState {
        read_cache: crate::read_cache::ReadCache::new(std::time::Duration::from_millis(
            config.read_cache_ms,
        )),
        sealer: Arc::new(crate::audit::Sealer::new(writer.clone())),
        db,
        writer,
        config: Arc::new(config),
        clock,
        metrics: telemetry::metrics_handle(),
        secret: Arc::from(secret.into_bytes()),
        sessions: crate::auth::actor::SessionCache::new(std::time::Duration::from_millis(
            config_session_ms,
        )),
        jobs,
    })
}

/// The HMAC key: `HUIMIN_SECRET`, or a random one generated once into the data directory.
fn load_secret(config: &Config) -> anyhow::Result<String> {
    if let Some(s) = &config.secret {
        return Ok(s.clone());
    }
    let path = config.data_dir.join("secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return Ok(s.trim().to_string());
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("create {:?}", config.data_dir))?;
    let (secret, _) = crate::auth::token::generate();
    std::fs::write(&path, &secret).with_context(|| format!("write {path:?}"))?;
    Ok(secret)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The job schedules, with `HUIMIN_JOB_<NAME>` overrides from the environment (a bad
/// expression stops the start).
pub fn schedules() -> anyhow::Result<Vec<jobs::schedule::JobSchedule>> {
    jobs::schedule::schedules(|k| std::env::var(k).ok()).map_err(|e| anyhow::anyhow!(e))
}

/// Runs the scheduler until Ctrl-C or SIGTERM (`huimin worker`, and `serve` in-process).
pub async fn run_scheduler(state: AppState) -> anyhow::Result<()> {
    let scheduler = jobs::runner::Scheduler::new(state.jobs.clone(), schedules()?).await?;
    scheduler.run_until(shutdown_signal()).await;
    Ok(())
}

/// Serves the API on the configured address until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, on_ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.bind)
        .await
        .with_context(|| format!("listen on {}", state.config.bind))?;
    let addr = listener.local_addr()?;
    // Answers go out as soon as they are written: with Nagle's algorithm a second small
    // segment of an answer would wait for the client's (delayed, up to 40 ms) acknowledgement.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set on an accepted connection");
        }
    });
    let app = routes::build(state);
    on_ready(addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serve")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
