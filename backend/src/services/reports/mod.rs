//! Milestone reports and their review (SPEC §2–§4): the organisation reports with
//! measurements and attachments; the purchaser's officer accepts (fixing the score and the
//! payable amount) or rejects with a comment; every report and decision is kept.

use chrono::{DateTime, Utc};
use entity::model::{attachment, measurement, milestone, milestone_report};
use entity::rules::quantity::Quantity;
use entity::rules::vocab::Decision;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;

mod decide;
mod submission;
pub use decide::{Assessment, accept, preview, reject};
pub use submission::{report_refused, submit};

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
