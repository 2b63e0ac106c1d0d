//! Milestone reports and their review (SPEC §2–§4): the organisation reports with
//! measurements and attachments; the purchaser's officer accepts (fixing the score and the
//! payable amount) or rejects with a comment; every report and decision is kept.

use std::collections::HashSet;

use chrono::{DateTime, Days, Utc};
use entity::model::{attachment, contract, indicator, measurement, milestone, milestone_report};
use entity::rules::money::Money;
use entity::rules::performance::payable_fen;
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, Decision, MilestoneStatus};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::milestones::{self, Milestone, shape};
use crate::services::notify;
use crate::services::post_funding;
use crate::services::scoring::{self, score_at};
use crate::state::AppState;
use crate::store;
use crate::store::today;
use entity::queries::numbered;
use jobs::templates::Message;
use sea_orm::sea_query::Expr;

/// One measurement in a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementIn {
    pub indicator_id: Uuid,
    pub value: Quantity,
}

/// A report's body (JSON, or the `report` part of a multipart request).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    #[schema(value_type = crate::fields::LongText)]
    pub summary: String,
    #[serde(default)]
    pub measurements: Vec<MeasurementIn>,
}

/// A stored attachment's description.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// Lowercase hex; download at `/api/v1/reports/{id}/files/{sha256}`.
    pub sha256: String,
}

/// A report with its decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub milestone_id: Uuid,
    pub contract_id: Uuid,
    pub summary: String,
    pub measurements: Vec<MeasurementIn>,
    pub attachments: Vec<Attachment>,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Uuid,
    pub decision: Option<Decision>,
    pub review_comment: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// `{comment}` of a rejection (and the optional comment of an acceptance).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[schema(value_type = Option<crate::fields::Comment>)]
    pub comment: Option<String>,
}

/// `POST /milestones/{id}/reject`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    #[schema(value_type = crate::fields::Reason)]
    pub comment: String,
}

async fn shape_reports(
    db: &impl ConnectionTrait,
    rows: Vec<milestone_report::Model>,
) -> ApiResult<Vec<Report>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let (ms, atts) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            measurement::Entity::find()
                .filter(measurement::Column::ReportId.is_in(ids.clone()))
                .all(db)
                .await?,
            attachment::Entity::find()
                .filter(attachment::Column::ReportId.is_in(ids))
                .all(db)
                .await?,
        )
    };
    rows.into_iter()
        .map(|r| {
            let measurements = ms
                .iter()
                .filter(|m| m.report_id == r.id)
                .map(|m| MeasurementIn {
                    indicator_id: m.indicator_id,
                    value: Quantity::from_e4(m.value_e4),
                })
                .collect();
            let attachments = atts
                .iter()
                .filter(|a| a.report_id == r.id)
                .map(|a| Attachment {
                    file_name: a.file_name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                })
                .collect();
            report_of(r, measurements, attachments)
        })
        .collect()
}

/// A report row with its measurements and attachments, as the API shows it.
fn report_of(
    r: milestone_report::Model,
    measurements: Vec<MeasurementIn>,
    attachments: Vec<Attachment>,
) -> ApiResult<Report> {
    Ok(Report {
        measurements,
        attachments,
        decision: r.decision,
        id: r.id,
        milestone_id: r.milestone_id,
        contract_id: r.contract_id,
        summary: r.summary,
        submitted_at: r.submitted_at,
        submitted_by: r.submitted_by,
        review_comment: r.review_comment,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
    })
}

/// Submits a report; `files` are already in the file store. Answers whether it is new (an
/// `Idempotency-Key` repeated on the same milestone answers the first report).
pub async fn submit(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
    new: ApiResult<NewReport>,
    files: Vec<Attachment>,
    idempotency_key: ApiResult<Option<String>>,
) -> ApiResult<(bool, Report)> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (m, k, parties) = milestones::load_for_report(&*w, actor, milestone_id).await?;
    if k.organisation_id != org {
        return Err(ApiError::NotFound);
    }
    let (new, idempotency_key) = (new?, idempotency_key?);
    check_fields(&new, idempotency_key.as_deref())?;
    check_measurement_count(&*w, k.id, &new.measurements).await?;
    if let Some(key) = &idempotency_key
        && let Some(existing) = milestone_report::Entity::find()
            .filter(milestone_report::Column::MilestoneId.eq(milestone_id))
            .filter(milestone_report::Column::IdempotencyKey.eq(key))
            .one(&*w)
            .await?
    {
        let out = shape_reports(&*w, vec![existing]).await?.remove(0);
        return Ok((false, out));
    }
    if let Some(refusal) = report_refused(k.status, m.status) {
        // A bad measurement (422) is answered before the state (409).
        check_indicators(&*w, k.id, &new.measurements).await?;
        return Err(refusal);
    }
    move_to_submitted(&*w, &m, now, &new.measurements).await?;
    let before = shape(m.clone(), w.today())?;
    let after = shape(
        milestone::Model {
            status: MilestoneStatus::Submitted,
            updated_at: now,
            ..m
        },
        w.today(),
    )?;
    let out = insert_report(&w, actor, &k, milestone_id, new, idempotency_key, files).await?;
    w.record("submit", "milestone_report", out.id, None, Some(&out));
    w.record("submit", "milestone", after.id, Some(&before), Some(&after));
    let to = parties.officer.into_iter().collect();
    let message = Message::ReportSubmitted {
        contract: k.title.clone(),
        milestone: after.title.clone(),
        organisation: parties.organisation_name,
    };
    let link = format!("/milestones/{milestone_id}");
    w.notify(to, message, out.id, "submitted", link).await?;
    w.commit().await?;
    Ok((true, out))
}

/// 422 unless the summary, the `Idempotency-Key` and the measurements (each indicator once)
/// are well formed.
fn check_fields(new: &NewReport, idempotency_key: Option<&str>) -> ApiResult<()> {
    let mut c = Checks::default();
    c.text("summary", &new.summary, fields::LongText::MAX);
    if let Some(k) = idempotency_key {
        c.check(
            !k.is_empty() && k.len() <= fields::IDEMPOTENCY_KEY_MAX,
            "Idempotency-Key",
            codes::IDEMPOTENCY_KEY_INVALID,
            &format!("must be 1 to {} characters", fields::IDEMPOTENCY_KEY_MAX),
        );
    }
    let mut seen = HashSet::new();
    for (i, m) in new.measurements.iter().enumerate() {
        c.check(
            seen.insert(m.indicator_id),
            &format!("measurements[{i}].indicator_id"),
            codes::REPORT_MEASURED_TWICE,
            "is measured twice",
        );
    }
    c.finish()
}

/// Distinct measurements beyond the contract's indicators cannot all be its own. Up to one
/// statement's worth, the guarded insert finds that out; past it, count first, so that no
/// request can make a statement of unbounded size.
async fn check_measurement_count(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
    measurements: &[MeasurementIn],
) -> ApiResult<()> {
    if measurements.len() > MEASUREMENTS_PER_STATEMENT {
        let indicators = indicator::Entity::find()
            .filter(indicator::Column::ContractId.eq(contract_id))
            .count(db)
            .await?;
        if measurements.len() as u64 > indicators {
            return Err(ApiError::field(
                "measurements",
                codes::REPORT_TOO_MANY_MEASUREMENTS,
                format!(
                    "has {} measurements; the contract has {indicators} indicators",
                    measurements.len()
                ),
            ));
        }
    }
    Ok(())
}

/// The milestone moves to `submitted` only from the status it was read in: a racing report on
/// it waits for the first one's row lock, then finds the status changed and is refused as if it
/// had come second (a change of any other field takes the contract's lock, which this
/// transaction holds shared).
async fn move_to_submitted(
    db: &impl ConnectionTrait,
    m: &milestone::Model,
    now: DateTime<Utc>,
    measurements: &[MeasurementIn],
) -> ApiResult<()> {
    let moved = milestone::Entity::update_many()
        .col_expr(
            milestone::Column::Status,
            Expr::value(MilestoneStatus::Submitted),
        )
        .col_expr(milestone::Column::UpdatedAt, Expr::value(now))
        .filter(milestone::Column::Id.eq(m.id))
        .filter(milestone::Column::Status.eq(m.status))
        .exec(db)
        .await?
        .rows_affected;
    if moved == 0 {
        let status = milestone::Entity::find_by_id(m.id)
            .one(db)
            .await?
            .map(|m| m.status.as_str())
            .unwrap_or_default();
        check_indicators(db, m.contract_id, measurements).await?;
        return Err(ApiError::conflict(
            codes::MILESTONE_NO_REPORT_EXPECTED,
            format!("a {status} milestone takes no report"),
        ));
    }
    Ok(())
}

/// Inserts the report with its measurements and attachments; answers it as written
/// (measurements in the request's order, attachments as stored).
async fn insert_report(
    w: &store::Write<'_>,
    actor: &Actor,
    k: &contract::Model,
    milestone_id: Uuid,
    new: NewReport,
    idempotency_key: Option<String>,
    files: Vec<Attachment>,
) -> ApiResult<Report> {
    let report = milestone_report::ActiveModel {
        id: Set(Uuid::now_v7()),
        milestone_id: Set(milestone_id),
        contract_id: Set(k.id),
        summary: Set(new.summary.trim().to_string()),
        submitted_at: Set(w.now),
        submitted_by: Set(actor.id()),
        idempotency_key: Set(idempotency_key),
        decision: Set(None),
        review_comment: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    }
    .insert(&**w)
    .await?;
    if insert_measurements(&**w, report.id, k.id, w.now, &new.measurements).await?
        < new.measurements.len() as u64
    {
        check_indicators(&**w, k.id, &new.measurements).await?;
        return Err(ApiError::internal(anyhow::anyhow!(
            "a measurement of report {} was not stored",
            report.id
        )));
    }
    if !files.is_empty() {
        attachment::Entity::insert_many(files.iter().map(|f| attachment::ActiveModel {
            id: Set(Uuid::now_v7()),
            report_id: Set(report.id),
            file_name: Set(f.file_name.clone()),
            content_type: Set(f.content_type.clone()),
            size: Set(f.size),
            sha256: Set(f.sha256.clone()),
        }))
        .exec_without_returning(&**w)
        .await?;
    }
    report_of(report, new.measurements, files)
}

/// Why a milestone takes no report now, given its contract's status and its own (SPEC §3):
/// reports are taken only on an active contract, on a planned or rejected milestone (a report
/// waiting for its decision, or accepted, or a cancelled milestone takes none). `None` when it
/// takes one. The one rule of [`submit`], also for the pages that offer the report form.
pub fn report_refused(
    contract_status: ContractStatus,
    milestone_status: MilestoneStatus,
) -> Option<ApiError> {
    if contract_status != ContractStatus::Active {
        Some(ApiError::conflict(
            codes::CONTRACT_NOT_ACTIVE,
            format!("reports are taken only on active contracts; this one is {contract_status}"),
        ))
    } else if !matches!(
        milestone_status,
        MilestoneStatus::Planned | MilestoneStatus::Rejected
    ) {
        Some(ApiError::conflict(
            codes::MILESTONE_NO_REPORT_EXPECTED,
            format!("a {milestone_status} milestone takes no report"),
        ))
    } else {
        None
    }
}

/// The most measurements one insert statement carries (SQLite refuses a compound SELECT of
/// over 500 terms).
const MEASUREMENTS_PER_STATEMENT: usize = 100;

/// Inserts a report's measurements, each only if its indicator is one of contract `k`'s, in
/// one statement per [`MEASUREMENTS_PER_STATEMENT`] (no read of the contract's indicators
/// first); answers how many it inserted.
async fn insert_measurements(
    txn: &impl ConnectionTrait,
    report_id: Uuid,
    contract_id: Uuid,
    now: DateTime<Utc>,
    measurements: &[MeasurementIn],
) -> ApiResult<u64> {
    let mut inserted = 0;
    for chunk in measurements.chunks(MEASUREMENTS_PER_STATEMENT) {
        inserted += insert_measurement_chunk(txn, report_id, contract_id, now, chunk).await?;
    }
    Ok(inserted)
}

async fn insert_measurement_chunk(
    txn: &impl ConnectionTrait,
    report_id: Uuid,
    contract_id: Uuid,
    now: DateTime<Utc>,
    measurements: &[MeasurementIn],
) -> ApiResult<u64> {
    let b = txn.get_database_backend();
    let mut selects = Vec::with_capacity(measurements.len());
    let mut values: Vec<sea_orm::Value> = vec![report_id.into(), contract_id.into(), now.into()];
    for ms in measurements {
        let n = values.len();
        selects.push(format!(
            "SELECT ${}, $1, contract_id, id, ${}, $3 FROM indicator WHERE id = ${} AND contract_id = $2",
            n + 1,
            n + 2,
            n + 3
        ));
        values.extend([
            Uuid::now_v7().into(),
            ms.value.e4().into(),
            ms.indicator_id.into(),
        ]);
    }
    let sql = format!(
        "INSERT INTO measurement (id, report_id, contract_id, indicator_id, value_e4, submitted_at) {}",
        selects.join(" UNION ALL ")
    );
    let done = txn
        .execute_raw(Statement::from_sql_and_values(b, numbered(b, &sql), values))
        .await?;
    Ok(done.rows_affected())
}

/// 422 naming each measurement whose indicator is not one of contract `k`'s.
async fn check_indicators(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
    measurements: &[MeasurementIn],
) -> ApiResult<()> {
    if measurements.is_empty() {
        return Ok(());
    }
    let known: HashSet<Uuid> = indicator::Entity::find()
        .select_only()
        .column(indicator::Column::Id)
        .filter(indicator::Column::ContractId.eq(contract_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut c = Checks::default();
    for (i, ms) in measurements.iter().enumerate() {
        c.check(
            known.contains(&ms.indicator_id),
            &format!("measurements[{i}].indicator_id"),
            codes::REFERENCE_UNKNOWN,
            "is not an indicator of this contract",
        );
    }
    c.finish()
}

/// The reports of a milestone, oldest first, with their decisions.
pub async fn list(st: &AppState, actor: &Actor, milestone_id: Uuid) -> ApiResult<Vec<Report>> {
    let m = milestone::Entity::find_by_id(milestone_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    store::contracts::load(&st.db, actor, m.contract_id).await?;
    let rows = milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.eq(milestone_id))
        .order_by_asc(milestone_report::Column::SubmittedAt)
        .order_by_asc(milestone_report::Column::Id)
        .all(&st.db)
        .await?;
    shape_reports(&st.db, rows).await
}

/// The report awaiting a decision on a submitted milestone.
async fn pending(
    db: &impl ConnectionTrait,
    m: &milestone::Model,
) -> ApiResult<milestone_report::Model> {
    if m.status != MilestoneStatus::Submitted {
        return Err(ApiError::conflict(
            codes::MILESTONE_NO_PENDING_REPORT,
            format!("a {} milestone has no report to review", m.status),
        ));
    }
    milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.eq(m.id))
        .filter(milestone_report::Column::Decision.is_null())
        .order_by_desc(milestone_report::Column::SubmittedAt)
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                codes::MILESTONE_NO_PENDING_REPORT,
                "the milestone has no report awaiting a decision",
            )
        })
}

/// The vacancy deduction of a milestone's period (from the day after the previous
/// milestone's due date, or the contract start, to its due date), in unrounded fen.
async fn vacancy_deduction(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    m: &milestone::Model,
) -> ApiResult<Decimal> {
    let previous: Option<chrono::NaiveDate> = milestone::Entity::find()
        .select_only()
        .column(milestone::Column::DueDate)
        .filter(milestone::Column::ContractId.eq(k.id))
        .filter(milestone::Column::Id.ne(m.id))
        .filter(milestone::Column::Status.ne(MilestoneStatus::Cancelled))
        .filter(milestone::Column::DueDate.lt(m.due_date))
        .order_by_desc(milestone::Column::DueDate)
        .into_tuple()
        .one(db)
        .await?;
    let from = previous
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(k.start_date);
    let rows = post_funding::of_contract(db, k.id, from, m.due_date).await?;
    Ok(rows.iter().map(|r| r.4).sum())
}

/// 409 unless the contract is active: a report pending when the contract ended stays
/// undecided (SPEC §3), so that no acceptance raises an ended contract's commitment.
fn check_contract_active(k: &contract::Model) -> ApiResult<()> {
    if k.status != ContractStatus::Active {
        return Err(ApiError::conflict(
            codes::CONTRACT_NOT_ACTIVE,
            format!(
                "reports are decided only on active contracts; this one is {}",
                k.status
            ),
        ));
    }
    Ok(())
}

/// What accepting a report gives: the score with its breakdown (each measurement against its
/// target), the vacancy deduction of the milestone's period and the payable.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub breakdown: scoring::ScoreBreakdown,
    pub deduction: Money,
    pub payable: Money,
}

/// The one computation of an acceptance (SPEC §4), for the acceptance itself and for the
/// review page that shows it before the officer confirms.
async fn assess(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    m: &milestone::Model,
    report: &milestone_report::Model,
) -> ApiResult<Assessment> {
    let breakdown = score_at(db, k, m.due_date, report.submitted_at).await?;
    let deduction = vacancy_deduction(db, k, m).await?;
    let payable = payable_fen(
        m.amount_fen,
        breakdown.score,
        Score::from_tenths(k.full_pay_score_tenths),
        Score::from_tenths(k.min_pay_score_tenths),
        deduction,
    );
    Ok(Assessment {
        breakdown,
        deduction: Money::round_half_up(deduction / Decimal::from(100))
            .map_err(|e| ApiError::internal(anyhow::anyhow!("deduction: {e}")))?,
        payable: Money::from_fen(payable),
    })
}

/// The assessment an acceptance of the milestone's pending report would make now, without
/// deciding anything; `None` when no report awaits a decision.
pub async fn preview(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
) -> ApiResult<Option<Assessment>> {
    let m = milestone::Entity::find_by_id(milestone_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let k = store::contracts::load(&st.db, actor, m.contract_id).await?;
    if m.status != MilestoneStatus::Submitted {
        return Ok(None);
    }
    match pending(&st.db, &m).await {
        Ok(report) => assess(&st.db, &k, &m, &report).await.map(Some),
        Err(ApiError::Conflict { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Accepts the pending report: the score is computed and stored, and the payable follows the
/// contract's performance rule less the vacancy deduction.
pub async fn accept(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
    r: Review,
) -> ApiResult<Milestone> {
    let comment = r
        .comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if let Some(c) = &comment {
        Checks::default()
            .max_chars("comment", c, fields::Comment::MAX)
            .finish()?;
    }
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (m, k) = store::contracts::milestone_for_update(&*w, actor, milestone_id).await?;
    check_contract_active(&k)?;
    let report = pending(&*w, &m).await?;
    let Assessment {
        breakdown, payable, ..
    } = assess(&*w, &k, &m, &report).await?;
    let payable = payable.fen();
    let decided = decide(&mut w, actor, report, Decision::Accepted, comment).await?;
    let before = shape(m.clone(), today(st))?;
    let mut am = m.into_active_model();
    am.status = Set(MilestoneStatus::Accepted);
    am.score_tenths = Set(breakdown.score.map(Score::tenths));
    am.payable_fen = Set(Some(payable));
    am.accepted_at = Set(Some(now));
    am.updated_at = Set(now);
    let out = shape(am.update(&*w).await?, today(st))?;
    w.record("accept", "milestone", out.id, Some(&before), Some(&out));
    notify_decision(&w, &k, &out, &decided, true).await?;
    w.commit().await?;
    Ok(out)
}

/// Rejects the pending report with a comment; the organisation may report again.
pub async fn reject(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
    r: Rejection,
) -> ApiResult<Milestone> {
    let comment = crate::services::common::reason("comment", &r.comment)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (m, k) = store::contracts::milestone_for_update(&*w, actor, milestone_id).await?;
    check_contract_active(&k)?;
    let report = pending(&*w, &m).await?;
    let decided = decide(&mut w, actor, report, Decision::Rejected, Some(comment)).await?;
    let before = shape(m.clone(), today(st))?;
    let mut am = m.into_active_model();
    am.status = Set(MilestoneStatus::Rejected);
    am.updated_at = Set(now);
    let out = shape(am.update(&*w).await?, today(st))?;
    w.record("reject", "milestone", out.id, Some(&before), Some(&out));
    notify_decision(&w, &k, &out, &decided, false).await?;
    w.commit().await?;
    Ok(out)
}

/// Tells the organisation of the decision on its report (in the decision's transaction).
async fn notify_decision(
    w: &store::Write<'_>,
    k: &contract::Model,
    m: &Milestone,
    decided: &Report,
    accepted: bool,
) -> ApiResult<()> {
    let message = Message::ReportDecided {
        contract: k.title.clone(),
        milestone: m.title.clone(),
        accepted,
        comment: decided.review_comment.clone(),
        payable: m.payable,
    };
    let link = format!("/milestones/{}", m.id);
    let to = notify::organisation_of(&**w, k).await?;
    w.notify(to, message, decided.id, "decided", link).await
}

async fn decide(
    w: &mut store::Write<'_>,
    actor: &Actor,
    report: milestone_report::Model,
    d: Decision,
    comment: Option<String>,
) -> ApiResult<Report> {
    let before = shape_reports(&**w, vec![report.clone()]).await?.remove(0);
    let mut am = report.into_active_model();
    am.decision = Set(Some(d));
    am.review_comment = Set(comment);
    am.decided_by = Set(Some(actor.id()));
    am.decided_at = Set(Some(w.now));
    let after = shape_reports(&**w, vec![am.update(&**w).await?])
        .await?
        .remove(0);
    w.record(
        d.as_str(),
        "milestone_report",
        after.id,
        Some(&before),
        Some(&after),
    );
    Ok(after)
}

/// The attachment `sha256` of report `id`, if the actor may read the report.
pub async fn file(
    st: &AppState,
    actor: &Actor,
    report_id: Uuid,
    sha256: &str,
) -> ApiResult<Attachment> {
    let r = milestone_report::Entity::find_by_id(report_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    store::contracts::load(&st.db, actor, r.contract_id).await?;
    let a = attachment::Entity::find()
        .filter(attachment::Column::ReportId.eq(report_id))
        .filter(attachment::Column::Sha256.eq(sha256.to_ascii_lowercase()))
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Attachment {
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
    })
}

/// Every report of a contract with its decision, oldest first (three queries).
pub async fn of_contract(db: &impl ConnectionTrait, contract_id: Uuid) -> ApiResult<Vec<Report>> {
    let rows = milestone_report::Entity::find()
        .filter(milestone_report::Column::ContractId.eq(contract_id))
        .order_by_asc(milestone_report::Column::SubmittedAt)
        .order_by_asc(milestone_report::Column::Id)
        .all(db)
        .await?;
    shape_reports(db, rows).await
}
