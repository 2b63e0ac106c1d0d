//! The admin's part of the home page: the users by role (and those deactivated or still to
//! change the password an admin set), each job's latest run, and the outbox (mail waiting and
//! dead); each figure links to its page.

use crate::error::ApiResult;
use crate::services::outbox::{self, Depth};
use crate::services::users::{self, UserCounts};
use crate::state::AppState;
use crate::web::pages::jobs::job_word;
use crate::web::ui::Ui;

/// A job's latest run.
#[derive(Debug, Clone)]
pub struct JobHealth {
    /// The job's machine name (the jobs page's filter).
    pub job: String,
    /// Its name in the page's language.
    pub name: String,
    /// `ok`, `error` or `running`.
    pub outcome: String,
    /// When that run's slot was, in the page's language.
    pub at: String,
}

/// What the admin's home shows.
#[derive(Debug, Clone)]
pub struct AdminHome {
    pub users: UserCounts,
    pub jobs: Vec<JobHealth>,
    /// How many jobs' latest run failed.
    pub failing: i64,
    pub depth: Depth,
}

/// The admin's home: three statements (users, latest runs, outbox).
pub async fn load(st: &AppState, ui: &Ui) -> ApiResult<AdminHome> {
    let (users, runs, depth) = tokio::try_join!(
        users::counts(st),
        outbox::latest_runs(st),
        outbox::depth(st),
    )?;
    let jobs: Vec<JobHealth> = runs
        .into_iter()
        .map(|r| JobHealth {
            name: job_word(ui, &r.job),
            at: ui.datetime(&r.scheduled_for),
            job: r.job,
            outcome: r.outcome,
        })
        .collect();
    Ok(AdminHome {
        failing: jobs.iter().filter(|j| j.outcome == "error").count() as i64,
        users,
        jobs,
        depth,
    })
}
