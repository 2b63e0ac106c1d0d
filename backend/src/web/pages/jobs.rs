//! `/jobs`: the scheduled jobs' recent runs with their counts and outcome, newest first,
//! filtered by job and paged as `GET /api/v1/jobs/runs` (admins and supervisors: the API's
//! `ReadJobRuns`), and the outbox's depth: notifications waiting and dead.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jobs::JobName;
use serde::Deserialize;

use crate::auth::{Action, Can, can};
use crate::error::ApiResult;
use crate::services::outbox::{self, Depth, JobRun, RunFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::pages::admin::list_href;
use crate::web::ui::Ui;

/// The route of the jobs page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/jobs", get(runs))
}

/// How many runs a page shows.
const PAGE: u64 = 50;

/// The filter as typed, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    #[serde(default)]
    pub job: String,
    pub cursor: Option<String>,
}

impl RunsQuery {
    fn filter(&self) -> ApiResult<RunFilter> {
        let mut f = Fields::default();
        let job = if self.job.trim().is_empty() {
            None
        } else {
            f.choice("job", &self.job, JobName::parse)
        };
        f.finish()?;
        Ok(RunFilter {
            job: job.map(|j| j.as_str().to_string()),
            limit: Some(PAGE),
            cursor: self.cursor.clone(),
        })
    }

    fn href(&self, cursor: &str) -> String {
        list_href("/jobs", &[("job", &self.job)], cursor)
    }
}

/// A run as the page shows it.
#[derive(Debug)]
pub struct RunRow {
    pub run: JobRun,
    /// The job's name in the page's language.
    pub job: String,
    pub scheduled_for: String,
    pub started_at: String,
    /// How long it took, in milliseconds (none while running).
    pub millis: Option<i64>,
}

impl RunRow {
    /// The runs with their words and local times.
    pub fn of(ui: &Ui, runs: Vec<JobRun>) -> Vec<Self> {
        runs.into_iter()
            .map(|run| RunRow {
                job: job_word(ui, &run.job),
                scheduled_for: ui.datetime(&run.scheduled_for),
                started_at: ui.datetime(&run.started_at),
                millis: run
                    .finished_at
                    .map(|f| (f - run.started_at).num_milliseconds().max(0)),
                run,
            })
            .collect()
    }
}

/// A job's name in the page's language.
pub fn job_word(ui: &Ui, job: &str) -> String {
    crate::web::pages::contracts::history::word_or_raw(ui, "jobs-name", job)
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/jobs/runs.html")]
pub struct JobsPage {
    pub ui: Ui,
    pub q: RunsQuery,
    pub fb: Feedback,
    pub depth: Depth,
    pub rows: Vec<RunRow>,
    pub next: Option<String>,
    /// The reader may retry dead notifications (admins): the dead count links to their list.
    pub can_retry: bool,
    /// The jobs of the filter: (name, name in the page's language).
    pub jobs: Vec<(String, String)>,
}

impl JobsPage {
    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["job"])
    }
}

/// `GET /jobs`.
pub async fn runs(
    State(st): State<AppState>,
    actor: Can<can::ReadJobRuns>,
    ui: Ui,
    Query(q): Query<RunsQuery>,
) -> ApiResult<Response> {
    let depth = outbox::depth(&st).await?;
    let found = async { outbox::recent_runs(&st, q.filter()?).await }.await;
    let (rows, next, fb) = match found {
        Ok(page) => (
            RunRow::of(&ui, page.items),
            page.next_cursor.map(|c| q.href(&c)),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let jobs = JobName::ALL
        .iter()
        .map(|j| (j.as_str().to_string(), job_word(&ui, j.as_str())))
        .collect();
    let page = JobsPage {
        can_retry: actor.require(Action::RetryNotifications).is_ok(),
        ui,
        q,
        fb,
        depth,
        rows,
        next,
        jobs,
    };
    Ok((page.fb.status, page).into_response())
}
