//! Submitting a report (SPEC §3): its checks, the report row, its measurements inserted
//! set-based, the milestone moved to `submitted`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::model::{attachment, contract, indicator, measurement, milestone, milestone_report};
use entity::rules::vocab::{ContractStatus, MilestoneStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{Attachment, MeasurementIn, NewReport, Report, report_of, shape_reports};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::milestones::{self, shape};
use crate::state::AppState;
use crate::store;
use jobs::templates::Message;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, UnionType};

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
    let (m, contract, parties) = milestones::load_for_report(&*w, actor, milestone_id).await?;
    if contract.organisation_id != org {
        return Err(ApiError::NotFound);
    }
    let (new, idempotency_key) = (new?, idempotency_key?);
    check_fields(&new, idempotency_key.as_deref())?;
    check_measurement_count(&*w, contract.id, &new.measurements).await?;
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
    if let Some(refusal) = report_refused(contract.status, m.status) {
        // A bad measurement (422) is answered before the state (409).
        check_indicators(&*w, contract.id, &new.measurements).await?;
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
    let out = insert_report(
        &w,
        actor,
        &contract,
        milestone_id,
        new,
        idempotency_key,
        files,
    )
    .await?;
    w.record("submit", "milestone_report", out.id, None, Some(&out));
    w.record("submit", "milestone", after.id, Some(&before), Some(&after));
    let to = parties.officer.into_iter().collect();
    let message = Message::ReportSubmitted {
        contract: contract.title.clone(),
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
    if let Some(key) = idempotency_key {
        c.check(
            !key.is_empty() && key.len() <= fields::IDEMPOTENCY_KEY_MAX,
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
    contract: &contract::Model,
    milestone_id: Uuid,
    new: NewReport,
    idempotency_key: Option<String>,
    files: Vec<Attachment>,
) -> ApiResult<Report> {
    let report = milestone_report::ActiveModel {
        id: Set(Uuid::now_v7()),
        milestone_id: Set(milestone_id),
        contract_id: Set(contract.id),
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
    if insert_measurements(&**w, report.id, contract.id, w.now, &new.measurements).await?
        < new.measurements.len() as u64
    {
        check_indicators(&**w, contract.id, &new.measurements).await?;
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

/// Inserts a report's measurements, each only if its indicator is one of contract `contract`'s, in
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
    // One `SELECT … FROM indicator` a measurement, so an indicator of another contract
    // inserts nothing.
    let select = |ms: &MeasurementIn| -> SelectStatement {
        Query::select()
            .expr(Expr::val(Uuid::now_v7()))
            .expr(Expr::val(report_id))
            .column(indicator::Column::ContractId)
            .column(indicator::Column::Id)
            .expr(Expr::val(ms.value.e4()))
            .expr(Expr::val(now))
            .from(indicator::Entity)
            .and_where(Expr::col(indicator::Column::Id).eq(ms.indicator_id))
            .and_where(Expr::col(indicator::Column::ContractId).eq(contract_id))
            .to_owned()
    };
    let mut measurements = measurements.iter();
    let Some(first) = measurements.next() else {
        return Ok(0);
    };
    let mut selects = select(first);
    for ms in measurements {
        selects.union(UnionType::All, select(ms));
    }
    let insert = Query::insert()
        .into_table(measurement::Entity)
        .columns([
            measurement::Column::Id,
            measurement::Column::ReportId,
            measurement::Column::ContractId,
            measurement::Column::IndicatorId,
            measurement::Column::ValueE4,
            measurement::Column::SubmittedAt,
        ])
        .select_from(selects)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("measurement insert: {e}")))?
        .to_owned();
    let done = txn
        .execute_raw(txn.get_database_backend().build(&insert))
        .await?;
    Ok(done.rows_affected())
}

/// 422 naming each measurement whose indicator is not one of contract `contract`'s.
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
