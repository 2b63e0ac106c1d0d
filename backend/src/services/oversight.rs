//! What a supervisor's pages need beside the reports themselves: the supervisor's home
//! (findings waiting, milestones overdue more than 30 days, the audit chain's head, its last
//! witness and its last verification) and the choices of the spending report's filters.
//! Counts are one statement each, over indexes; the anomalies come from the spending report
//! itself (one rule, one place).

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::model::{job_run, organisation, purchaser};
use entity::queries::numbered;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::dashboard::OVERDUE;
use crate::state::AppState;
use crate::store::today;

/// How late a milestone is before the supervisor's home lists it (SPEC §5: "overdue 30 days →
/// supervisors").
pub const LATE_DAYS: u64 = 30;
/// The most late milestones the home lists (the oldest first).
pub const LATE_LIST: u64 = 20;

/// The purchasers and organisations a spending filter offers, by name.
#[derive(Debug, Clone, Default)]
pub struct FilterChoices {
    pub purchasers: Vec<(Uuid, String)>,
    pub organisations: Vec<(Uuid, String)>,
}

/// The choices of the spending filters: every organisation, and every purchaser when
/// `purchasers` (a finance officer's report is their own purchaser's: no choice).
pub async fn filter_choices(
    db: &impl ConnectionTrait,
    purchasers: bool,
) -> ApiResult<FilterChoices> {
    let organisations = organisation::Entity::find()
        .select_only()
        .columns([organisation::Column::Id, organisation::Column::Name])
        .order_by_asc(organisation::Column::Name)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?;
    let purchasers = if purchasers {
        purchaser::Entity::find()
            .select_only()
            .columns([purchaser::Column::Id, purchaser::Column::Name])
            .order_by_asc(purchaser::Column::Name)
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    Ok(FilterChoices {
        purchasers,
        organisations,
    })
}

/// Findings not yet resolved, by status and severity.
#[derive(Debug, Clone, Default)]
pub struct FindingCounts {
    /// Waiting for the finance officer's answer.
    pub open: i64,
    /// Answered, waiting for a supervisor to resolve them.
    pub answered: i64,
    /// Open or answered, by severity: high, medium, low.
    pub high: i64,
    pub medium: i64,
    pub low: i64,
}

/// A milestone of an active contract overdue more than [`LATE_DAYS`].
#[derive(Debug, Clone, FromQueryResult)]
pub struct LateMilestone {
    pub milestone_id: Uuid,
    pub title: String,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    pub contract_id: Uuid,
    pub contract_title: String,
    pub organisation: String,
    pub purchaser: String,
}

/// The audit chain as the home shows it: its head, the last run of the job that sends the
/// head to supervisors (`audit_anchor`) and the last verification.
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    pub head: Option<crate::audit::Head>,
    /// When `audit_anchor` last ran and whether it succeeded.
    pub anchored_at: Option<DateTime<Utc>>,
    pub anchor_ok: bool,
    /// The last verification of the chain (`None`: never verified).
    pub last_check: Option<LastCheck>,
}

/// The chain's last verification (`chain_check`) and who ran it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LastCheck {
    pub checked_at: DateTime<Utc>,
    /// The verifier's display name; `None`: the command line.
    pub checked_by: Option<String>,
    pub intact: bool,
    pub checked: i64,
    pub first_bad_seq: Option<i64>,
}

/// The newest row of `chain_check` (through its index on `checked_at`), with the verifier's
/// name.
async fn last_check(db: &impl ConnectionTrait) -> Result<Option<LastCheck>, sea_orm::DbErr> {
    let b = db.get_database_backend();
    LastCheck::find_by_statement(Statement::from_string(
        b,
        "SELECT k.checked_at, u.display_name AS checked_by, k.intact, k.checked, k.first_bad_seq \
         FROM chain_check k LEFT JOIN app_user u ON u.id = k.checked_by \
         ORDER BY k.checked_at DESC, k.id DESC LIMIT 1",
    ))
    .one(db)
    .await
}

/// The supervisor's home.
#[derive(Debug, Clone, Default)]
pub struct SupervisorHome {
    pub findings: FindingCounts,
    /// How many milestones are overdue more than [`LATE_DAYS`], and the oldest of them.
    pub late_count: i64,
    pub late: Vec<LateMilestone>,
    pub today: NaiveDate,
    pub chain: ChainState,
}

/// The figures of a supervisor's (or an admin's) home: every purchaser's.
pub async fn supervisor_home(st: &AppState, actor: &Actor) -> ApiResult<SupervisorHome> {
    if actor.purchaser_scope().is_some() || actor.organisation_scope().is_some() {
        return Err(ApiError::Forbidden);
    }
    let today = today(st);
    let before = today - Days::new(LATE_DAYS);
    let b = st.db.get_database_backend();
    let counts_sql = format!(
        "SELECT \
         (SELECT COUNT(*) FROM finding WHERE status = 'open') AS open, \
         (SELECT COUNT(*) FROM finding WHERE status = 'answered') AS answered, \
         (SELECT COUNT(*) FROM finding WHERE status <> 'resolved' AND severity = 'high') AS high, \
         (SELECT COUNT(*) FROM finding WHERE status <> 'resolved' AND severity = 'medium') AS medium, \
         (SELECT COUNT(*) FROM finding WHERE status <> 'resolved' AND severity = 'low') AS low, \
         (SELECT COUNT(*) FROM milestone m JOIN contract c ON c.id = m.contract_id WHERE {OVERDUE}) AS late"
    )
    .replace("$2", "$1");
    let late_sql = format!(
        "SELECT m.id AS milestone_id, m.title, m.due_date, m.amount_fen, \
         c.id AS contract_id, c.title AS contract_title, o.name AS organisation, p.name AS purchaser \
         FROM milestone m JOIN contract c ON c.id = m.contract_id \
         JOIN organisation o ON o.id = c.organisation_id JOIN purchaser p ON p.id = c.purchaser_id \
         WHERE {OVERDUE} ORDER BY m.due_date, m.id LIMIT {LATE_LIST}"
    )
    .replace("$2", "$1");
    let db = &st.db;
    let counts = db.query_one_raw(Statement::from_sql_and_values(
        b,
        numbered(b, &counts_sql),
        [before.into()],
    ));
    let late = LateMilestone::find_by_statement(Statement::from_sql_and_values(
        b,
        numbered(b, &late_sql),
        [before.into()],
    ))
    .all(db);
    let anchor = job_run::Entity::find()
        .filter(job_run::Column::Job.eq("audit_anchor"))
        .order_by_desc(job_run::Column::ScheduledFor)
        .one(db);
    let (counts, late, anchor, head, last_check) = tokio::try_join!(
        counts,
        late,
        anchor,
        entity::queries::audit_head(db),
        last_check(db)
    )?;
    let row = counts
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the home's counts")))?;
    let n = |c: &str| row.try_get::<i64>("", c);
    Ok(SupervisorHome {
        findings: FindingCounts {
            open: n("open")?,
            answered: n("answered")?,
            high: n("high")?,
            medium: n("medium")?,
            low: n("low")?,
        },
        late_count: n("late")?,
        late,
        today,
        chain: ChainState {
            head: head.map(crate::audit::Head::from),
            anchored_at: anchor.as_ref().and_then(|a| a.finished_at),
            anchor_ok: anchor.is_some_and(|a| a.outcome == "ok"),
            last_check,
        },
    })
}
