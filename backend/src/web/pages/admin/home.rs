//! The admin's part of the home page: the users by role (and those deactivated or still to
//! change the password an admin set), each job's latest run, and the outbox (mail waiting and
//! dead); each figure links to its page.

use crate::error::ApiResult;
use crate::services::outbox::{self, Depth};
use crate::services::users::{self, UserCounts};
use crate::state::AppState;
use crate::web::pages::jobs::job_word;
use crate::web::ui::Ui;
use entity::rules::counts::to_i64;

/// A job's latest run.
#[derive(Debug, Clone)]
pub struct JobHealth {
    /// The job's machine name (the jobs page's filter).
    pub job: String,
    /// Its name in the page's language.
    pub name: String,
    /// `ok`, `error` or `running`; `never` for a job that has not run yet.
    pub outcome: String,
    /// When that run's slot was, in the page's language (empty: never).
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

/// The admin's home: the users, each job's latest run and the outbox, read at once.
pub async fn load(st: &AppState, ui: &Ui) -> ApiResult<AdminHome> {
    let (users, runs, depth) = tokio::try_join!(
        users::counts(st),
        outbox::latest_runs(st),
        outbox::depth(st),
    )?;
    // Every job, run or not: one that never ran is news too.
    let jobs: Vec<JobHealth> = jobs::JobName::ALL
        .iter()
        .map(|j| {
            let last = runs.iter().find(|r| r.job == j.as_str());
            JobHealth {
                job: j.as_str().to_string(),
                name: job_word(ui, j.as_str()),
                outcome: last.map_or_else(|| "never".to_string(), |r| r.outcome.clone()),
                at: last.map_or_else(String::new, |r| ui.datetime(&r.scheduled_for)),
            }
        })
        .collect();
    Ok(AdminHome {
        failing: to_i64(jobs.iter().filter(|j| j.outcome == "error").count()),
        users,
        jobs,
        depth,
    })
}
