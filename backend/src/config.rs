//! Configuration: one typed struct read from flags and the environment (SPEC §7). Secrets are
//! never printed: `Debug` hides them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Everything a `huimin` process needs to know about its installation.
#[derive(Clone, Args)]
pub struct Config {
    /// Database URL: `postgres://…` in production; by default a SQLite file in the data
    /// directory (`sqlite://data/huimin.db?mode=rwc`).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Where the SQLite database, the generated secret, files and the mail outbox live.
    #[arg(long, env = "HUIMIN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(
        long,
        env = "HUIMIN_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// The address users reach the server at, used in links (default: from `bind`).
    #[arg(long, env = "HUIMIN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// HMAC key for personal data (national ID numbers); generated into the data directory
    /// when absent. Every replica must share it.
    #[arg(long, env = "HUIMIN_SECRET", global = true, hide_env_values = true)]
    pub secret: Option<String>,

    /// Where report attachments are stored, by content hash (default: `files` in the data
    /// directory). Replicas must share it.
    #[arg(long, env = "HUIMIN_FILES_DIR", global = true)]
    pub files_dir: Option<PathBuf>,

    /// Time zone for local dates ("today"); China has one, without daylight saving.
    #[arg(
        long,
        env = "HUIMIN_TZ",
        default_value = "Asia/Shanghai",
        global = true
    )]
    pub tz: chrono_tz::Tz,

    /// Proxies whose `X-Forwarded-For` is trusted for the client address: addresses or CIDR
    /// ranges, comma-separated (`10.0.0.0/8,192.0.2.7`).
    #[arg(
        long,
        env = "HUIMIN_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::auth::client_addr::parse_trusted,
        global = true
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Log format: `human` or `json`.
    #[arg(
        long,
        env = "HUIMIN_LOG_FORMAT",
        default_value = "human",
        global = true
    )]
    pub log_format: LogFormat,

    /// Lifetime of a login token in hours.
    #[arg(
        long,
        env = "HUIMIN_TOKEN_TTL_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub token_ttl_hours: i64,

    /// Minimum bid period in days per tender method (an installation may lower them, e.g. to 0
    /// for training).
    #[arg(
        long,
        env = "HUIMIN_MIN_BID_DAYS",
        default_value = "open=20,invited=20,competitive_consultation=10,competitive_negotiation=3,inquiry=3",
        global = true
    )]
    pub min_bid_days: String,

    /// SMTP server for mail, e.g. `smtp://user:pass@mail.example:587?tls=required` or
    /// `smtps://…`; without it mail is written as `.eml` files under `<data>/outbox/`.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "惠民 Huimin <noreply@huimin.local>",
        global = true
    )]
    pub mail_from: String,

    /// Group one recipient's reminders of one job run into one e-mail.
    #[arg(long, env = "HUIMIN_DIGEST", default_value_t = false, global = true)]
    pub digest: bool,

    /// How far (0–1) disbursement may lag behind the elapsed share of the fiscal year before
    /// `budget_watch` warns.
    #[arg(long, env = "HUIMIN_BUDGET_LAG", default_value = "0.20", global = true)]
    pub budget_lag: rust_decimal::Decimal,

    /// A payment request above this amount (CNY) needs a second, different approver before
    /// it is approved (SPEC §9).
    #[arg(
        long,
        env = "HUIMIN_SECOND_APPROVAL_ABOVE",
        default_value = "500000.00",
        global = true
    )]
    pub second_approval_above: entity::Money,

    /// How long (ms, at most 5000) a checked session is remembered in this process; 0 checks
    /// the database on every request. Revocations clear it at once in this process; another
    /// replica may accept a revoked token for at most this long.
    #[arg(
        long,
        env = "HUIMIN_SESSION_CACHE_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(0..=5000),
        global = true
    )]
    pub session_cache_ms: u64,

    /// How many password hashes (argon2id, 19 MiB each) this process computes at once; by
    /// default the number of cores. Logins beyond wait their turn.
    #[arg(long, env = "HUIMIN_PASSWORD_CONCURRENCY", global = true)]
    pub password_concurrency: Option<usize>,

    /// How long (ms) a login waits for its turn to hash before answering 503 with
    /// `Retry-After`.
    #[arg(
        long,
        env = "HUIMIN_PASSWORD_WAIT_MS",
        default_value_t = 2000,
        global = true
    )]
    pub password_wait_ms: u64,

    /// Size of the database connection pool.
    #[arg(
        long,
        env = "HUIMIN_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// The prefix of every OCDS `ocid` (`{prefix}-{tender or contract id}`): the one
    /// registered with the Open Contracting Partnership when the data is published.
    #[arg(
        long,
        env = "HUIMIN_OCID_PREFIX",
        default_value = "ocds-huimin",
        value_parser = parse_ocid_prefix,
        global = true
    )]
    pub ocid_prefix: String,

    /// How long (ms) a client may take to send a request's head: from the connection's
    /// opening, or from the first byte of a request on a kept-alive connection. A client that
    /// stalls mid-head (slow loris) is disconnected.
    #[arg(
        long,
        env = "HUIMIN_HEADER_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub header_timeout_ms: u64,

    /// How long (ms) a kept-alive connection may wait, idle, for its next request.
    #[arg(
        long,
        env = "HUIMIN_IDLE_TIMEOUT_MS",
        default_value_t = 60_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub idle_timeout_ms: u64,

    /// How many client connections a listener holds at once; further clients wait in the
    /// listen queue until one closes.
    #[arg(
        long,
        env = "HUIMIN_MAX_CONNECTIONS",
        default_value_t = 4096,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub max_connections: u32,

    /// Where `/metrics` is served without a token (`serve` and `worker`); `off` for nowhere.
    /// Loopback by default: per-route counts tell how many bids a tender has received.
    #[arg(
        long,
        env = "HUIMIN_METRICS_BIND",
        default_value = "127.0.0.1:9898",
        value_parser = parse_metrics_bind,
        global = true
    )]
    pub metrics_bind: MetricsBind,

    /// A bearer token with which the main listener also answers `/metrics` (at least 16
    /// characters); without it the main listener answers `/metrics` 404.
    #[arg(
        long,
        env = "HUIMIN_METRICS_TOKEN",
        value_parser = parse_metrics_token,
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,

    /// Requests for public answers (notices, division pages, open data) one client address
    /// may make in a minute, counted across replicas in the database; beyond, 429 with
    /// `Retry-After`. 0 turns the limit off (a benchmark behind one address).
    #[arg(
        long,
        env = "HUIMIN_PUBLIC_REQUESTS_PER_MINUTE",
        default_value_t = 300,
        global = true
    )]
    pub public_requests_per_minute: u64,

    /// How often (ms) this process adds its count of an address's public requests to the
    /// database's (and reads every replica's total back); 0 writes every request.
    #[arg(
        long,
        env = "HUIMIN_PUBLIC_THROTTLE_SYNC_MS",
        default_value_t = 1000,
        global = true
    )]
    pub public_throttle_sync_ms: u64,

    /// How long (ms) this process keeps a public answer (they are public and may be 60 s old
    /// by contract); 0 turns the cache off. A write through this process drops them at once.
    #[arg(
        long,
        env = "HUIMIN_PUBLIC_CACHE_MS",
        default_value_t = 60_000,
        global = true
    )]
    pub public_cache_ms: u64,
}

/// The address of the metrics listener, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsBind(pub Option<SocketAddr>);

/// `HOST:PORT`, or `off` (or empty) for no metrics listener.
fn parse_metrics_bind(s: &str) -> Result<MetricsBind, String> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("off") {
        return Ok(MetricsBind(None));
    }
    s.parse()
        .map(|a| MetricsBind(Some(a)))
        .map_err(|_| "expected an address such as 127.0.0.1:9898, or off".into())
}

/// A metrics token long enough not to be guessed.
fn parse_metrics_token(s: &str) -> Result<String, String> {
    if s.chars().count() >= 16 {
        Ok(s.to_string())
    } else {
        Err("use at least 16 characters, e.g. the output of `openssl rand -hex 24`".into())
    }
}

/// An `ocid` prefix: letters, digits and `-`, not empty, not ending in `-`.
fn parse_ocid_prefix(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && !s.ends_with('-')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err("expected letters, digits and '-', e.g. ocds-a1b2c3".into())
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object a line, for log collectors.
    Json,
}

impl Config {
    /// The minimum bid period of `method` in days (20 for a method the setting leaves out).
    pub fn min_bid_days_for(&self, method: entity::rules::vocab::TenderMethod) -> i64 {
        entity::rules::procurement::parse_min_bid_days(&self.min_bid_days)
            .ok()
            .and_then(|v| v.into_iter().find(|(m, _)| *m == method).map(|(_, d)| d))
            .unwrap_or(20)
    }

    /// The database URL in force: the configured one or the default SQLite file.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("huimin.db").display()
            )
        })
    }

    /// How many password hashes may run at once: the setting, or the number of cores.
    pub fn password_concurrency(&self) -> usize {
        self.password_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
    }

    /// The folder of the file store.
    pub fn files_dir(&self) -> PathBuf {
        self.files_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("files"))
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }

    /// A configuration for tests and tools: the defaults, with this database and data folder.
    pub fn for_database(database_url: impl Into<String>, data_dir: PathBuf) -> Self {
        Config {
            database_url: Some(database_url.into()),
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            files_dir: None,
            secret: Some("test-secret-not-for-production-use-0123456789".into()),
            tz: chrono_tz::Asia::Shanghai,
            trusted_proxies: Vec::new(),
            log_format: LogFormat::Human,
            token_ttl_hours: 12,
            min_bid_days:
                "open=0,invited=0,competitive_consultation=0,competitive_negotiation=0,inquiry=0"
                    .into(),
            db_max_connections: 8,
            session_cache_ms: 1000,
            password_concurrency: None,
            password_wait_ms: 2000,
            smtp_url: None,
            mail_from: "Huimin <noreply@huimin.local>".into(),
            digest: false,
            budget_lag: rust_decimal::Decimal::new(20, 2),
            second_approval_above: entity::Money::from_fen(50_000_000),
            ocid_prefix: "ocds-huimin".into(),
            header_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            max_connections: 4096,
            // Tests and tools bind no metrics listener of their own.
            metrics_bind: MetricsBind(None),
            metrics_token: None,
            // Exact counts and fresh answers: tests read what they just wrote.
            public_requests_per_minute: 300,
            public_throttle_sync_ms: 0,
            public_cache_ms: 0,
        }
    }

    /// The limits of every HTTP listener of this process.
    pub fn connection_limits(&self) -> crate::server::Limits {
        crate::server::Limits {
            header_timeout: std::time::Duration::from_millis(self.header_timeout_ms),
            idle_timeout: std::time::Duration::from_millis(self.idle_timeout_ms),
            max_connections: self.max_connections,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self
                    .database_url()
                    .split('@')
                    .next_back()
                    .unwrap_or_default(),
            )
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("secret", &self.secret.as_ref().map(|_| "<hidden>"))
            .field("tz", &self.tz)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("token_ttl_hours", &self.token_ttl_hours)
            .field(
                "smtp_url",
                &self
                    .smtp_url
                    .as_ref()
                    .map(|u| u.split('@').next_back().unwrap_or_default().to_string()),
            )
            .field("digest", &self.digest)
            .field("header_timeout_ms", &self.header_timeout_ms)
            .field("idle_timeout_ms", &self.idle_timeout_ms)
            .field("max_connections", &self.max_connections)
            .field("metrics_bind", &self.metrics_bind)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<hidden>"),
            )
            .finish()
    }
}
