//! What a supervisor's pages need beside the reports themselves: the supervisor's home
//! (findings waiting, milestones overdue more than 30 days, the audit chain's head, its last
//! witness and its last verification) and the choices of the spending report's filters.
//! Counts are one statement each, over indexes; the anomalies come from the spending report
//! itself (one rule, one place).

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::model::{
    chain_check, contract, finding, job_run, milestone, organisation, purchaser, user,
};
use entity::rules::vocab::{FindingStatus, JobName, JobOutcome, Severity};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::dashboard::{milestones_with_contract, overdue};
use crate::state::AppState;
use crate::store::sql::{self, col, count_all, scalar, t, word};
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
async fn last_check(db: &impl ConnectionTrait) -> ApiResult<Option<LastCheck>> {
    let sel = Query::select()
        .column((t("k"), chain_check::Column::CheckedAt))
        .expr_as(col("u", user::Column::DisplayName), t("checked_by"))
        .column((t("k"), chain_check::Column::Intact))
        .column((t("k"), chain_check::Column::Checked))
        .column((t("k"), chain_check::Column::FirstBadSeq))
        .from_as(chain_check::Entity, t("k"))
        .join_as(
            JoinType::LeftJoin,
            user::Entity,
            t("u"),
            col("u", user::Column::Id).equals((t("k"), chain_check::Column::CheckedBy)),
        )
        .order_by((t("k"), chain_check::Column::CheckedAt), Order::Desc)
        .order_by((t("k"), chain_check::Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    sql::one(db, &sel).await
}

/// The supervisor's home's counts: findings by status and by severity, and milestones late
/// since before `before`, in one statement.
fn counts_select(before: NaiveDate) -> SelectStatement {
    let findings = |cond: Cond| {
        scalar(
            Query::select()
                .expr(count_all())
                .from(finding::Entity)
                .cond_where(cond)
                .to_owned(),
        )
    };
    let status = || Expr::col(finding::Column::Status);
    let unresolved = |severity: Severity| {
        Cond::all()
            .add(status().ne(word(FindingStatus::Resolved)))
            .add(Expr::col(finding::Column::Severity).eq(word(severity)))
    };
    Query::select()
        .expr_as(
            findings(Cond::all().add(status().eq(word(FindingStatus::Open)))),
            t("open"),
        )
        .expr_as(
            findings(Cond::all().add(status().eq(word(FindingStatus::Answered)))),
            t("answered"),
        )
        .expr_as(findings(unresolved(Severity::High)), t("high"))
        .expr_as(findings(unresolved(Severity::Medium)), t("medium"))
        .expr_as(findings(unresolved(Severity::Low)), t("low"))
        .expr_as(
            scalar(
                milestones_with_contract()
                    .expr(count_all())
                    .cond_where(overdue(before))
                    .to_owned(),
            ),
            t("late"),
        )
        .to_owned()
}

/// The oldest milestones late since before `before` (the first [`LATE_LIST`]).
fn late_select(before: NaiveDate) -> SelectStatement {
    milestones_with_contract()
        .expr_as(col("m", milestone::Column::Id), t("milestone_id"))
        .column((t("m"), milestone::Column::Title))
        .column((t("m"), milestone::Column::DueDate))
        .column((t("m"), milestone::Column::AmountFen))
        .expr_as(col("c", contract::Column::Id), t("contract_id"))
        .expr_as(col("c", contract::Column::Title), t("contract_title"))
        .expr_as(col("o", organisation::Column::Name), t("organisation"))
        .expr_as(col("p", purchaser::Column::Name), t("purchaser"))
        .join_as(
            JoinType::InnerJoin,
            organisation::Entity,
            t("o"),
            col("o", organisation::Column::Id).equals((t("c"), contract::Column::OrganisationId)),
        )
        .join_as(
            JoinType::InnerJoin,
            purchaser::Entity,
            t("p"),
            col("p", purchaser::Column::Id).equals((t("c"), contract::Column::PurchaserId)),
        )
        .cond_where(overdue(before))
        .order_by((t("m"), milestone::Column::DueDate), Order::Asc)
        .order_by((t("m"), milestone::Column::Id), Order::Asc)
        .limit(LATE_LIST)
        .to_owned()
}

/// The row of [`counts_select`].
#[derive(FromQueryResult)]
struct Counts {
    open: i64,
    answered: i64,
    high: i64,
    medium: i64,
    low: i64,
    late: i64,
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
    let db = &st.db;
    let counts = counts_select(before);
    let late = late_select(before);
    let counts = sql::one::<Counts>(db, &counts);
    let late = sql::all::<LateMilestone>(db, &late);
    let anchor = job_run::Entity::find()
        .filter(job_run::Column::Job.eq(JobName::AuditAnchor))
        .order_by_desc(job_run::Column::ScheduledFor)
        .one(db);
    let head = async { Ok::<_, ApiError>(entity::queries::audit_head(db).await?) };
    let anchor = async { Ok::<_, ApiError>(anchor.await?) };
    let (counts, late, anchor, head, last_check) =
        tokio::try_join!(counts, late, anchor, head, last_check(db))?;
    let n = counts
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the home's counts")))?;
    Ok(SupervisorHome {
        findings: FindingCounts {
            open: n.open,
            answered: n.answered,
            high: n.high,
            medium: n.medium,
            low: n.low,
        },
        late_count: n.late,
        late,
        today,
        chain: ChainState {
            head: head.map(crate::audit::Head::from),
            anchored_at: anchor.as_ref().and_then(|a| a.finished_at),
            anchor_ok: anchor.is_some_and(|a| a.outcome == JobOutcome::Ok),
            last_check,
        },
    })
}
