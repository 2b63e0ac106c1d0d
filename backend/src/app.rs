//! Building the application state from a configuration, and serving it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use jobs::clock::{Clock, SystemClock};
use tokio::net::TcpListener;
use tokio::sync::watch;

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
    let config_password_concurrency = config.password_concurrency();
    let config_password_wait_ms = config.password_wait_ms;
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
    Ok(AppState::new(crate::state::AppStateInner {
        sealer: Arc::new(crate::audit::Sealer::new(writer.clone())),
        public: crate::public::Guard::new(&config),
        db,
        writer,
        config: Arc::new(config),
        clock,
        metrics: telemetry::metrics_handle(),
        secret: Arc::from(secret.into_bytes()),
        passwords: Arc::new(crate::auth::password::PasswordGate::new(
            config_password_concurrency,
            std::time::Duration::from_millis(config_password_wait_ms),
        )),
        sessions: crate::auth::actor::SessionCache::new(std::time::Duration::from_millis(
            config_session_ms,
        )),
        jobs,
        home_anomalies: Default::default(),
    }))
}

/// The shortest HMAC key accepted, in bytes: a key keyed-hashing national ID numbers must not
/// be guessable.
pub const MIN_SECRET_BYTES: usize = 32;

/// The HMAC key: `HUIMIN_SECRET`, or a random one generated once into the data directory,
/// readable by its owner only. A key shorter than [`MIN_SECRET_BYTES`] stops the start.
fn load_secret(config: &Config) -> anyhow::Result<String> {
    let path = config.data_dir.join("secret");
    let (secret, from) = match &config.secret {
        Some(s) => (s.clone(), "HUIMIN_SECRET".to_string()),
        None => match std::fs::read_to_string(&path) {
            Ok(s) => (s.trim().to_string(), format!("{}", path.display())),
            Err(_) => return generate_secret(config, &path),
        },
    };
    if secret.len() < MIN_SECRET_BYTES {
        anyhow::bail!(
            "{from} is {} bytes long; the secret must have at least {MIN_SECRET_BYTES} bytes \
             (e.g. `openssl rand -base64 48`)",
            secret.len()
        );
    }
    Ok(secret)
}

/// Writes a new random secret to `path` with mode 0600 (created so: never readable by others,
/// not even for an instant).
fn generate_secret(config: &Config, path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Write as _;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("create {:?}", config.data_dir))?;
    let (secret, _) = crate::auth::token::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("create {path:?}"))?;
    file.write_all(secret.as_bytes())
        .with_context(|| format!("write {path:?}"))?;
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

/// Runs the scheduler until Ctrl-C or SIGTERM (`serve` in-process).
pub async fn run_scheduler(state: AppState) -> anyhow::Result<()> {
    let scheduler = jobs::runner::Scheduler::new(state.jobs.clone(), schedules()?).await?;
    scheduler.run_until(shutdown_signal()).await;
    Ok(())
}

/// Where a process listens: the API (none for a worker) and the metrics listener
/// (`HUIMIN_METRICS_BIND`, unless `off`).
#[derive(Debug, Clone, Copy)]
pub struct Listening {
    pub api: Option<SocketAddr>,
    pub metrics: Option<SocketAddr>,
}

/// `huimin worker`: runs the scheduler, and serves `/metrics` on `HUIMIN_METRICS_BIND` (the
/// job and outbox figures live in this process), until Ctrl-C or SIGTERM.
pub async fn run_worker(state: AppState, on_ready: impl FnOnce(&Listening)) -> anyhow::Result<()> {
    let scheduler = jobs::runner::Scheduler::new(state.jobs.clone(), schedules()?).await?;
    let metrics = bind_metrics(&state.config).await?;
    let listening = Listening {
        api: None,
        metrics: metrics.as_ref().map(TcpListener::local_addr).transpose()?,
    };
    let stop = stop_on(shutdown_signal());
    let metrics = metrics.map(|l| {
        tokio::spawn(crate::server::serve(
            l,
            routes::metrics_only(state.clone()),
            state.config.connection_limits(),
            stopped(stop.clone()),
        ))
    });
    on_ready(&listening);
    scheduler.run_until(stopped(stop)).await;
    if let Some(m) = metrics {
        let _ = m.await;
    }
    Ok(())
}

/// Serves the API on the configured address, and `/metrics` on `HUIMIN_METRICS_BIND`, until
/// Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, on_ready: impl FnOnce(&Listening)) -> anyhow::Result<()> {
    serve_until(state, on_ready, shutdown_signal()).await
}

/// [`serve`] until `shutdown` resolves: then both listeners stop accepting, finish the
/// requests they are answering, close their idle connections, and this returns.
pub async fn serve_until(
    state: AppState,
    on_ready: impl FnOnce(&Listening),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(state.config.bind)
        .await
        .with_context(|| format!("listen on {}", state.config.bind))?;
    let metrics = bind_metrics(&state.config).await?;
    let listening = Listening {
        api: Some(listener.local_addr()?),
        metrics: metrics.as_ref().map(TcpListener::local_addr).transpose()?,
    };
    let limits = state.config.connection_limits();
    let stop = stop_on(shutdown);
    let metrics = metrics.map(|l| {
        tokio::spawn(crate::server::serve(
            l,
            routes::metrics_only(state.clone()),
            limits,
            stopped(stop.clone()),
        ))
    });
    let app = routes::build(state);
    on_ready(&listening);
    crate::server::serve(listener, app, limits, stopped(stop)).await;
    if let Some(m) = metrics {
        let _ = m.await;
    }
    Ok(())
}

/// The metrics listener, if one is configured.
async fn bind_metrics(config: &Config) -> anyhow::Result<Option<TcpListener>> {
    let Some(addr) = config.metrics_bind.0 else {
        return Ok(None);
    };
    let l = TcpListener::bind(addr).await.with_context(|| {
        format!(
            "serve /metrics on {addr} (HUIMIN_METRICS_BIND; another huimin process on this \
             host needs another address, or `off`)"
        )
    })?;
    Ok(Some(l))
}

/// A flag raised once `signal` resolves, for several listeners to watch.
fn stop_on(signal: impl Future<Output = ()> + Send + 'static) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        signal.await;
        let _ = tx.send(true);
    });
    rx
}

/// Resolves when the flag is raised (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
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
