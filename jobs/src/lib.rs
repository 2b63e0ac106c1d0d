//! Scheduled jobs, the notification outbox and the clock (SPEC §5). `backend` depends on this
//! crate (it runs the scheduler in `serve` and `worker`, and enqueues event notifications in
//! its transactions); this crate never depends on `backend`.
//!
//! - [`clock`]: where "now" comes from.
//! - [`schedule`]: the jobs, their cron expressions and next runs.
//! - [`runner`]: claiming a run (unique per job and slot), running it, the scheduler loop.
//! - [`jobs`]: one module per job, each set-based SQL over indexes.
//! - [`file_store`]: the attachment store's layout on disk and its safe removal (the uploads
//!   in `backend` and the `file_sweep` job share it).
//! - [`outbox`]: idempotent enqueueing and recipients; [`mailer`]: delivery with lettre;
//!   [`templates`]: the messages in `zh-CN` and `en`; [`i18n`]: the message catalogue;
//!   [`format`]: money and dates as pages and messages show them.

pub mod clock;
pub mod file_store;
pub mod format;
pub mod i18n;
pub mod jobs;
pub mod mailer;
pub mod outbox;
pub mod runner;
pub mod schedule;
pub mod templates;

use std::sync::Arc;

use chrono_tz::Tz;
use sea_orm::DatabaseConnection;

pub use schedule::JobName;

/// What a job run needs.
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn clock::Clock>,
    pub tz: Tz,
    /// Base of the links in messages (`HUIMIN_PUBLIC_URL`).
    pub public_url: String,
    pub mailer: Arc<mailer::Mailer>,
    /// Group one recipient's reminders of one run into one e-mail.
    pub digest: bool,
    /// How far (0–1) disbursement may lag behind the elapsed share of the fiscal year before
    /// `budget_watch` warns.
    pub budget_lag: rust_decimal::Decimal,
    /// The attachment store (`HUIMIN_FILES_DIR`), which `file_sweep` tidies.
    pub files_dir: std::path::PathBuf,
}

impl JobContext {
    /// Today's local date.
    pub fn today(&self) -> chrono::NaiveDate {
        clock::local_today(self.clock.as_ref(), self.tz)
    }
}

/// What a job run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub examined: i64,
    pub notified: i64,
    pub errors: i64,
}
