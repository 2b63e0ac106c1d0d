//! The in-app view of the outbox and of job runs: a user's own notifications (theirs and
//! their organisation's), retrying dead ones, and the record of job runs.

use chrono::{DateTime, Utc};
use entity::model::{job_run, notification, user};
use entity::queries::word;
use entity::rules::vocab::{JobName, NotificationStatus};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::pagination::Page;
use crate::state::AppState;
use crate::store::page::{page, page_ordered};

/// A notification as its recipient sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub recipient_email: String,
    pub subject: String,
    pub body_text: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The path of the web page of what it is about (`/milestones/{id}` …), under the public
    /// URL; null for notifications queued before it was kept.
    pub link: Option<String>,
}

impl From<notification::Model> for Notification {
    fn from(m: notification::Model) -> Self {
        Notification {
            id: m.id,
            kind: m.kind.as_str().into(),
            recipient_email: m.recipient_email,
            subject: m.subject,
            body_text: m.body_text,
            status: m.status.as_str().into(),
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
            link: m.link,
        }
    }
}

/// Filters of `GET /notifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationFilter {
    pub status: Option<String>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// The notifications that are the actor's: addressed to them, or to their organisation.
fn own(actor: &Actor) -> Condition {
    let mut own = Condition::any().add(notification::Column::RecipientUserId.eq(actor.id()));
    if let Some(org) = actor.organisation_scope() {
        // The organisation's own copies (to its contact address), not colleagues' personal ones.
        own = own.add(
            Condition::all()
                .add(notification::Column::OrganisationId.eq(org))
                .add(notification::Column::RecipientUserId.is_null()),
        );
    }
    own
}

/// The actor's latest `limit` notifications, newest first (the in-app list).
pub async fn recent(st: &AppState, actor: &Actor, limit: u64) -> ApiResult<Vec<Notification>> {
    Ok(notification::Entity::find()
        .filter(own(actor))
        // Ids are time-ordered (UUID v7): the recipient's index serves the order.
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(&st.db)
        .await?
        .into_iter()
        .map(Notification::from)
        .collect())
}

/// Records that the actor has just seen their notifications: the badge (see
/// [`entity::queries::unseen_notifications`]) starts again from 0, and the list marks new what
/// comes after `now`. The additions go before the user's row, in the order the fold takes them.
pub async fn mark_seen(st: &AppState, actor: &Actor) -> ApiResult<()> {
    let txn = crate::db::begin_write(&st.writer).await?;
    let added = Query::delete()
        .from_table(Alias::new("notification_unseen_added"))
        .and_where(Expr::col(Alias::new("user_id")).eq(actor.id()))
        .to_owned();
    txn.execute(&added).await?;
    user::Entity::update_many()
        .col_expr(user::Column::NotificationsSeenAt, Expr::value(st.now()))
        .col_expr(user::Column::NotificationsUnseen, Expr::value(0i64))
        .filter(user::Column::Id.eq(actor.id()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    // Cached sessions carry the user as they were: the next page must count from now.
    st.sessions.forget_user(actor.id());
    Ok(())
}

/// The actor's notifications: addressed to them, or to their organisation.
pub async fn mine(
    st: &AppState,
    actor: &Actor,
    f: NotificationFilter,
) -> ApiResult<Page<Notification>> {
    let q = notification::Entity::find()
        .filter(own(actor))
        .apply_if(f.status, |q, s| {
            q.filter(notification::Column::Status.eq(s))
        });
    let models = page(
        &st.db,
        q,
        notification::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &notification::Model| m.id,
    )
    .await?;
    Ok(models.map(Notification::from))
}

/// Puts a dead notification back in the queue, with its attempts reset.
pub async fn retry(st: &AppState, id: Uuid) -> ApiResult<Notification> {
    let res = notification::Entity::update_many()
        .col_expr(
            notification::Column::Status,
            Expr::value(NotificationStatus::Pending),
        )
        .col_expr(notification::Column::Attempts, Expr::value(0))
        .col_expr(notification::Column::NextAttemptAt, Expr::value(st.now()))
        .col_expr(
            notification::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::Status.eq(NotificationStatus::Dead))
        .exec(&st.db)
        .await?;
    let n = notification::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if res.rows_affected == 0 {
        return Err(ApiError::conflict(
            crate::error::codes::NOTIFICATION_NOT_DEAD,
            format!(
                "only a dead notification is retried; this one is {}",
                n.status
            ),
        ));
    }
    Ok(Notification::from(n))
}

/// A job run.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobRun {
    pub id: Uuid,
    pub job: String,
    pub scheduled_for: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub examined: i64,
    pub notified: i64,
    pub errors: i64,
    pub error: Option<String>,
}

impl From<job_run::Model> for JobRun {
    fn from(m: job_run::Model) -> Self {
        JobRun {
            id: m.id,
            job: m.job.as_str().into(),
            scheduled_for: m.scheduled_for,
            started_at: m.started_at,
            finished_at: m.finished_at,
            outcome: m.outcome.as_str().into(),
            examined: m.examined,
            notified: m.notified,
            errors: m.errors,
            error: m.error,
        }
    }
}

/// Filters of `GET /jobs/runs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RunFilter {
    pub job: Option<String>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// Job runs, oldest first.
pub async fn runs(st: &AppState, f: RunFilter) -> ApiResult<Page<JobRun>> {
    runs_in(st, f, false).await
}

/// Job runs, newest first (the jobs page), filtered as `GET /jobs/runs`.
pub async fn recent_runs(st: &AppState, f: RunFilter) -> ApiResult<Page<JobRun>> {
    runs_in(st, f, true).await
}

async fn runs_in(st: &AppState, f: RunFilter, newest_first: bool) -> ApiResult<Page<JobRun>> {
    let q = job_run::Entity::find().apply_if(f.job, |q, j| match JobName::parse(&j) {
        Some(job) => q.filter(job_run::Column::Job.eq(job)),
        // No run is of an unknown job: an empty page, not a refusal.
        None => q.filter(Expr::value(false)),
    });
    let models = page_ordered(
        &st.db,
        q,
        job_run::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &job_run::Model| m.id,
        newest_first,
    )
    .await?;
    Ok(models.map(JobRun::from))
}

/// The latest run of each job that has run, in the order of `jobs list`: one statement, each
/// job's newest slot found through the index of (`job`, `scheduled_for`).
pub async fn latest_runs(st: &AppState) -> ApiResult<Vec<JobRun>> {
    let names = JobName::ALL;
    let latest = |(n, &job): (usize, &JobName)| {
        let newest = Query::select()
            .column(Asterisk)
            .from(job_run::Entity)
            .and_where(Expr::col(job_run::Column::Job).eq(word(job)))
            .order_by(job_run::Column::ScheduledFor, Order::Desc)
            .limit(1)
            .to_owned();
        Query::select()
            .column(Asterisk)
            .from_subquery(newest, Alias::new(format!("latest_{}", n + 1)))
            .to_owned()
    };
    let mut each = names.iter().enumerate().map(latest);
    let Some(mut stmt) = each.next() else {
        return Ok(Vec::new());
    };
    stmt.unions(each.map(|s| (UnionType::All, s)));
    let rows = job_run::Entity::find()
        .from_raw_sql(st.db.get_database_backend().build(&stmt))
        .all(&st.db)
        .await?;
    let mut out: Vec<JobRun> = rows.into_iter().map(JobRun::from).collect();
    out.sort_by_key(|r| names.iter().position(|j| j.as_str() == r.job));
    Ok(out)
}

/// Dead notifications (every recipient's), newest first: the admin's list to retry.
pub async fn dead(st: &AppState, cursor: Option<&str>) -> ApiResult<Page<Notification>> {
    let q = notification::Entity::find()
        .filter(notification::Column::Status.eq(NotificationStatus::Dead));
    let models = page_ordered(
        &st.db,
        q,
        notification::Column::Id,
        (None, cursor),
        |m: &notification::Model| m.id,
        true,
    )
    .await?;
    Ok(models.map(Notification::from))
}

/// What waits in the outbox: notifications pending (and of those, due now) and dead.
#[derive(Debug, Clone, Copy, Default)]
pub struct Depth {
    pub pending: i64,
    /// Pending and due: the sender takes them on its next pass.
    pub due: i64,
    pub dead: i64,
}

/// The outbox's depth, counted through the index of (`status`, `next_attempt_at`): the sent
/// ones, most of the table, are not read.
pub async fn depth(st: &AppState) -> ApiResult<Depth> {
    use sea_orm::PaginatorTrait;
    use sea_orm::sea_query::Expr as E;
    let by_status = notification::Entity::find()
        .select_only()
        .column(notification::Column::Status)
        .column_as(E::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(
            notification::Column::Status
                .is_in([NotificationStatus::Pending, NotificationStatus::Dead]),
        )
        .group_by(notification::Column::Status)
        .into_tuple::<(NotificationStatus, i64)>()
        .all(&st.db);
    let due = notification::Entity::find()
        .filter(notification::Column::Status.eq(NotificationStatus::Pending))
        .filter(notification::Column::NextAttemptAt.lte(st.now()))
        .count(&st.db);
    let (rows, due) = tokio::try_join!(by_status, due)?;
    let mut d = Depth {
        due: i64::try_from(due).unwrap_or(i64::MAX),
        ..Depth::default()
    };
    for (status, n) in rows {
        match status {
            NotificationStatus::Pending => d.pending = n,
            _ => d.dead = n,
        }
    }
    Ok(d)
}
