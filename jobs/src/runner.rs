//! Running jobs: each run is claimed by inserting its `job_run` row (unique per job and
//! scheduled slot) in the transaction that does the work, so of several workers on one
//! database exactly one runs a slot and the others skip it; a crashed run rolls back and the
//! slot can be run again. `send_notifications` claims its slot, then sends outside any
//! transaction; `file_sweep` likewise claims, then walks the file store outside any
//! transaction (a walk must not hold SQLite's write lock).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use entity::model::job_run;
use entity::queries::{begin_write, word};
use entity::rules::vocab::JobOutcome;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::schedule::{JobName, JobSchedule};
use crate::{Counts, JobContext, jobs};

/// Inserts the run's row; `false` when another process has this slot.
async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    job: JobName,
    slot: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = job_run::ActiveModel {
        id: Set(id),
        job: Set(job),
        scheduled_for: Set(slot),
        started_at: Set(now),
        finished_at: Set(None),
        outcome: Set(JobOutcome::Running),
        examined: Set(0),
        notified: Set(0),
        errors: Set(0),
        error: Set(None),
    };
    let res = job_run::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([job_run::Column::Job, job_run::Column::ScheduledFor])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await;
    match res {
        Ok(n) => Ok(n == 1),
        Err(DbErr::RecordNotInserted) => Ok(false),
        Err(e) => Err(e),
    }
}

async fn finish(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    c: Counts,
    error: Option<String>,
) -> Result<(), DbErr> {
    job_run::Entity::update_many()
        .col_expr(job_run::Column::FinishedAt, Expr::value(now))
        .col_expr(
            job_run::Column::Outcome,
            word(if error.is_some() {
                JobOutcome::Error
            } else {
                JobOutcome::Ok
            }),
        )
        .col_expr(job_run::Column::Examined, Expr::value(c.examined))
        .col_expr(job_run::Column::Notified, Expr::value(c.notified))
        .col_expr(job_run::Column::Errors, Expr::value(c.errors))
        .col_expr(job_run::Column::Error, Expr::value(error))
        .filter(job_run::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs `job` for `slot` unless another process has; answers the counts, or `None` when
/// skipped.
pub async fn run(
    ctx: &JobContext,
    job: JobName,
    slot: DateTime<Utc>,
) -> Result<Option<Counts>, DbErr> {
    let started = Instant::now();
    let id = Uuid::now_v7();
    let now = ctx.clock.now();
    let result = if matches!(job, JobName::SendNotifications | JobName::FileSweep) {
        if !claim(&ctx.db, id, job, slot, now).await? {
            return Ok(None);
        }
        let counts = if job == JobName::FileSweep {
            jobs::file_sweep::run(ctx).await
        } else {
            jobs::send_notifications::run(ctx).await
        };
        match counts {
            Ok(c) => {
                finish(&ctx.db, id, ctx.clock.now(), c, None).await?;
                Ok(c)
            }
            Err(e) => Err(e),
        }
    } else {
        let txn = begin_write(&ctx.db).await?;
        if !claim(&txn, id, job, slot, now).await? {
            txn.rollback().await?;
            return Ok(None);
        }
        let work = match job {
            JobName::MilestoneReminders => jobs::milestone_reminders::run(ctx, &txn, id).await,
            JobName::IndicatorCheck => jobs::indicator_check::run(ctx, &txn, id).await,
            JobName::PostVacancyCheck => jobs::post_vacancy_check::run(ctx, &txn, id).await,
            JobName::ContractExpiry => jobs::contract_expiry::run(ctx, &txn, id).await,
            JobName::BudgetWatch => jobs::budget_watch::run(ctx, &txn, id).await,
            JobName::AuditAnchor => jobs::audit_anchor::run(ctx, &txn, id).await,
            JobName::PaymentRequestReminders => {
                jobs::payment_request_reminders::run(ctx, &txn, id).await
            }
            JobName::SendNotifications | JobName::FileSweep => unreachable!("handled above"),
        };
        match work {
            Ok(c) => {
                finish(&txn, id, ctx.clock.now(), c, None).await?;
                txn.commit().await?;
                Ok(c)
            }
            Err(e) => {
                txn.rollback().await?;
                Err(e)
            }
        }
    };
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok(c) => {
            metrics::histogram!("job_duration_seconds", "job" => job.as_str(), "outcome" => "ok")
                .record(secs);
            metrics::counter!("job_runs_total", "job" => job.as_str(), "outcome" => "ok")
                .increment(1);
            tracing::info!(job = job.as_str(), %slot, examined = c.examined, notified = c.notified, errors = c.errors, secs, "job run");
            Ok(Some(c))
        }
        Err(e) => {
            metrics::histogram!("job_duration_seconds", "job" => job.as_str(), "outcome" => "error").record(secs);
            metrics::counter!("job_runs_total", "job" => job.as_str(), "outcome" => "error")
                .increment(1);
            tracing::error!(job = job.as_str(), %slot, error = %e, "job failed");
            // Record the failure in a row of its own (the work's transaction rolled back).
            let c = Counts {
                errors: 1,
                ..Counts::default()
            };
            let failed_id = Uuid::now_v7();
            if claim(&ctx.db, failed_id, job, slot, now).await? {
                finish(&ctx.db, failed_id, ctx.clock.now(), c, Some(e.to_string())).await?;
            } else {
                finish(&ctx.db, id, ctx.clock.now(), c, Some(e.to_string())).await?;
            }
            Ok(Some(c))
        }
    }
}

/// Runs a job now, as a manual slot (`scheduled_for` = the current second).
pub async fn run_now(ctx: &JobContext, job: JobName) -> Result<Option<Counts>, DbErr> {
    run(ctx, job, ctx.clock.now().trunc_subsecs(0)).await
}

/// Decides which jobs are due and runs them.
pub struct Scheduler {
    ctx: JobContext,
    schedules: Vec<JobSchedule>,
    last: HashMap<JobName, DateTime<Utc>>,
}

impl Scheduler {
    /// A scheduler that continues from the latest slot each job has run in this database
    /// (or from now on a new one: a fresh installation does not catch up on the past).
    pub async fn new(ctx: JobContext, schedules: Vec<JobSchedule>) -> Result<Self, DbErr> {
        let rows: Vec<(JobName, Option<DateTime<Utc>>)> = job_run::Entity::find()
            .select_only()
            .column(job_run::Column::Job)
            .column_as(job_run::Column::ScheduledFor.max(), "last")
            .group_by(job_run::Column::Job)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        let now = ctx.clock.now();
        let mut last = HashMap::new();
        for s in &schedules {
            let from_db = rows.iter().find(|(j, _)| *j == s.job).and_then(|(_, t)| *t);
            last.insert(s.job, from_db.unwrap_or(now));
        }
        Ok(Scheduler {
            ctx,
            schedules,
            last,
        })
    }

    /// Runs every job whose latest due slot since its last run has come (at most once each),
    /// one after the other.
    pub async fn tick(&mut self) -> Vec<(JobName, DateTime<Utc>, Option<Counts>)> {
        let now = self.ctx.clock.now();
        let mut done = Vec::new();
        for s in &self.schedules {
            let since = self.last.get(&s.job).copied().unwrap_or(now);
            if let Some(slot) = s.due_slot(since, now, self.ctx.tz) {
                self.last.insert(s.job, slot);
                if let Some(c) = run_logged(&self.ctx, s.job, slot).await {
                    done.push((s.job, slot, c));
                }
            }
        }
        done
    }

    /// Runs the jobs until `stop` resolves, each in a lane of its own that looks for its due
    /// slot every second: a long run of one job (a sender draining a large outbox, a slow SMTP
    /// server) never holds back another's slot. On `stop`, each lane finishes the run it is in
    /// and starts no other.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()>) {
        let Scheduler {
            ctx,
            schedules,
            last,
        } = self;
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let mut lanes = tokio::task::JoinSet::new();
        for s in schedules {
            let since = last.get(&s.job).copied().unwrap_or_else(|| ctx.clock.now());
            lanes.spawn(lane(ctx.clone(), s, since, stopped.clone()));
        }
        stop.await;
        let _ = stopping.send(true);
        while lanes.join_next().await.is_some() {}
    }
}

/// Runs `job` for `slot`, logging an error that kept it from running at all; answers its
/// counts (`None` inside when another process had the slot), or `None` on that error.
async fn run_logged(ctx: &JobContext, job: JobName, slot: DateTime<Utc>) -> Option<Option<Counts>> {
    match run(ctx, job, slot).await {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::error!(job = job.as_str(), error = %e, "could not run the job");
            None
        }
    }
}

/// One job's lane: every second, its latest due slot since `since`, if one has come.
async fn lane(
    ctx: JobContext,
    schedule: JobSchedule,
    mut since: DateTime<Utc>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        if let Some(slot) = schedule.due_slot(since, ctx.clock.now(), ctx.tz) {
            since = slot;
            run_logged(&ctx, schedule.job, slot).await;
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(Duration::from_millis(1000)) => {}
        }
    }
}
