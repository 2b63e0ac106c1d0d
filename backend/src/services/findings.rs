//! Supervisors' findings on contracts (SPEC §2 `finding`): recorded by a supervisor, answered
//! by the purchaser's finance officer, resolved by a supervisor (`open → answered →
//! resolved`).

use chrono::{DateTime, Utc};
use entity::model::finding;
use entity::rules::vocab::{FindingStatus, Severity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks};
use crate::fields;
use crate::services::common::{bad_transition, reason};
use crate::state::AppState;
use crate::store;

/// A finding as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub severity: Severity,
    pub text: String,
    pub status: FindingStatus,
    pub response: Option<String>,
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl TryFrom<finding::Model> for Finding {
    type Error = ApiError;
    fn try_from(m: finding::Model) -> ApiResult<Self> {
        Ok(Finding {
            severity: m.severity,
            status: m.status,
            id: m.id,
            contract_id: m.contract_id,
            text: m.text,
            response: m.response,
            resolution: m.resolution,
            created_by: m.created_by,
            created_at: m.created_at,
            responded_at: m.responded_at,
            resolved_at: m.resolved_at,
        })
    }
}

/// A new finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub severity: Severity,
    #[schema(value_type = crate::fields::FindingText)]
    pub text: String,
}

/// `{response}` of an answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    #[schema(value_type = crate::fields::Reason)]
    pub response: String,
}

/// `{resolution}` of a resolution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    #[schema(value_type = crate::fields::Reason)]
    pub resolution: String,
}

/// Records a finding on a contract the supervisor can see.
pub async fn create(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: NewFinding,
) -> ApiResult<Finding> {
    let mut c = Checks::default();
    c.text("text", &new.text, fields::FindingText::MAX);
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let contract = store::contracts::load(&*w, actor, contract_id).await?;
    let m = finding::ActiveModel {
        id: Set(Uuid::now_v7()),
        contract_id: Set(contract.id),
        purchaser_id: Set(contract.purchaser_id),
        organisation_id: Set(contract.organisation_id),
        severity: Set(new.severity),
        text: Set(new.text.trim().to_string()),
        status: Set(FindingStatus::Open),
        response: Set(None),
        resolution: Set(None),
        created_by: Set(actor.id()),
        created_at: Set(now),
        responded_by: Set(None),
        responded_at: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
    }
    .insert(&*w)
    .await?;
    let out = Finding::try_from(m)?;
    w.record("create", "finding", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One finding.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Finding> {
    Finding::try_from(store::records::finding(&st.db, actor, id).await?)
}

/// The findings of a contract, oldest first.
pub async fn list(st: &AppState, actor: &Actor, contract_id: Uuid) -> ApiResult<Vec<Finding>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    finding::Entity::find()
        .filter(finding::Column::ContractId.eq(contract_id))
        .order_by_asc(finding::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(Finding::try_from)
        .collect()
}

/// The purchaser's finance officer answers an open finding.
pub async fn respond(st: &AppState, actor: &Actor, id: Uuid, r: Response) -> ApiResult<Finding> {
    let text = reason("response", &r.response)?;
    advance(
        st,
        actor,
        id,
        FindingStatus::Open,
        FindingStatus::Answered,
        |am, now| {
            am.response = Set(Some(text));
            am.responded_by = Set(Some(actor.id()));
            am.responded_at = Set(Some(now));
        },
    )
    .await
}

/// A supervisor resolves an answered finding.
pub async fn resolve(st: &AppState, actor: &Actor, id: Uuid, r: Resolution) -> ApiResult<Finding> {
    let text = reason("resolution", &r.resolution)?;
    advance(
        st,
        actor,
        id,
        FindingStatus::Answered,
        FindingStatus::Resolved,
        |am, now| {
            am.resolution = Set(Some(text));
            am.resolved_by = Set(Some(actor.id()));
            am.resolved_at = Set(Some(now));
        },
    )
    .await
}

/// Moves a finding `from` one status `to` the next under its row lock, with `fill` setting
/// the step's fields, and records the transition.
async fn advance(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    from: FindingStatus,
    to: FindingStatus,
    fill: impl FnOnce(&mut finding::ActiveModel, DateTime<Utc>),
) -> ApiResult<Finding> {
    store::records::finding(&st.db, actor, id).await?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = finding::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let before = Finding::try_from(old.clone())?;
    if before.status != from {
        return Err(bad_transition(
            "finding",
            before.status.as_str(),
            to.as_str(),
        ));
    }
    let mut am = old.into_active_model();
    am.status = Set(to);
    fill(&mut am, now);
    let out = Finding::try_from(am.update(&*w).await?)?;
    let action = if to == FindingStatus::Answered {
        "respond"
    } else {
        "resolve"
    };
    w.record(action, "finding", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// The most findings one list shows.
pub const SEARCH_LIMIT: u64 = 200;

/// What a list of findings across contracts is narrowed to.
#[derive(Debug, Clone, Copy, Default)]
pub struct FindingFilter {
    pub status: Option<FindingStatus>,
    pub severity: Option<Severity>,
    /// One purchaser's findings (a finance officer sees only their own anyway).
    pub purchaser_id: Option<Uuid>,
}

/// Findings across contracts, newest first: a finance officer's purchaser's, or all for a
/// supervisor or an admin (an organisation has no such list), narrowed by `filter`.
pub async fn search(
    st: &AppState,
    actor: &Actor,
    filter: FindingFilter,
) -> ApiResult<Vec<Finding>> {
    if actor.organisation_scope().is_some() {
        return Err(ApiError::Forbidden);
    }
    let q = finding::Entity::find()
        .apply_if(actor.purchaser_scope(), |q, p| {
            q.filter(finding::Column::PurchaserId.eq(p))
        })
        .apply_if(filter.purchaser_id, |q, p| {
            q.filter(finding::Column::PurchaserId.eq(p))
        })
        .apply_if(filter.status, |q, s| {
            q.filter(finding::Column::Status.eq(s))
        })
        .apply_if(filter.severity, |q, s| {
            q.filter(finding::Column::Severity.eq(s))
        });
    q.order_by_desc(finding::Column::Id)
        .limit(SEARCH_LIMIT)
        .all(&st.db)
        .await?
        .into_iter()
        .map(Finding::try_from)
        .collect()
}
