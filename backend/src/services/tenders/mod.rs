//! Tenders (SPEC §2–§3): a finance officer drafts a tender against a budget line and publishes
//! it, organisations bid until the deadline ([`crate::services::bids`]), the officer closes it
//! and awards one bid ([`crate::services::awards`]) or ends it unsuccessful or cancelled.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{budget_line, tender};
use entity::rules::codes::is_valid_division_code;
use entity::rules::vocab::{Role, ServiceCategory, TenderMethod, TenderStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::services::common::period_problem;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;

mod life_cycle;

pub(crate) use life_cycle::transition;
pub use life_cycle::{cancel, close, publish, unsuccessful};

/// A tender as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tender {
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub budget_line_id: Uuid,
    pub title: String,
    pub description: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    pub method: TenderMethod,
    pub ceiling_amount: Money,
    pub bid_deadline: DateTime<Utc>,
    pub service_start: NaiveDate,
    pub service_end: NaiveDate,
    pub multi_year_reason: Option<String>,
    pub status: TenderStatus,
    pub status_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub awarded_bid_id: Option<Uuid>,
}

impl TryFrom<tender::Model> for Tender {
    type Error = ApiError;
    fn try_from(m: tender::Model) -> ApiResult<Self> {
        Ok(Tender {
            service_category: m.service_category,
            method: m.method,
            status: m.status,
            id: m.id,
            purchaser_id: m.purchaser_id,
            budget_line_id: m.budget_line_id,
            title: m.title,
            description: m.description,
            division_code: m.division_code,
            ceiling_amount: Money::from_fen(m.ceiling_fen),
            bid_deadline: m.bid_deadline,
            service_start: m.service_start,
            service_end: m.service_end,
            multi_year_reason: m.multi_year_reason,
            status_reason: m.status_reason,
            published_at: m.published_at,
            awarded_bid_id: m.awarded_bid_id,
        })
    }
}

/// A new tender (a draft). The purchaser is the budget line's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTender {
    pub purchaser_id: Option<Uuid>,
    pub budget_line_id: Uuid,
    #[schema(value_type = crate::fields::Title)]
    pub title: String,
    #[serde(default)]
    #[schema(value_type = crate::fields::Description)]
    pub description: String,
    pub service_category: ServiceCategory,
    #[schema(value_type = crate::fields::DivisionCode)]
    pub division_code: String,
    pub method: TenderMethod,
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub ceiling_amount: Money,
    pub bid_deadline: DateTime<Utc>,
    pub service_start: NaiveDate,
    pub service_end: NaiveDate,
    #[schema(value_type = Option<crate::fields::Reason>)]
    pub multi_year_reason: Option<String>,
}

/// Changes to a draft tender.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderPatch {
    pub budget_line_id: Option<Uuid>,
    #[schema(value_type = Option<crate::fields::Title>)]
    pub title: Option<String>,
    #[schema(value_type = Option<crate::fields::Description>)]
    pub description: Option<String>,
    pub service_category: Option<ServiceCategory>,
    #[schema(value_type = Option<crate::fields::DivisionCode>)]
    pub division_code: Option<String>,
    pub method: Option<TenderMethod>,
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub ceiling_amount: Option<Money>,
    pub bid_deadline: Option<DateTime<Utc>>,
    pub service_start: Option<NaiveDate>,
    pub service_end: Option<NaiveDate>,
    #[schema(value_type = Option<crate::fields::Reason>)]
    pub multi_year_reason: Option<String>,
}

/// Filters of `GET /tenders`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenderFilter {
    pub status: Option<TenderStatus>,
    pub service_category: Option<ServiceCategory>,
    /// Exact division code.
    pub division_code: Option<String>,
    pub purchaser_id: Option<Uuid>,
    /// Deadline at or after this instant.
    pub deadline_from: Option<DateTime<Utc>>,
    /// Deadline before this instant.
    pub deadline_to: Option<DateTime<Utc>>,
    /// `true`: only tenders waiting for the purchaser after their bid deadline — published
    /// with the deadline passed (to close) or closed (to award); `false`: all the others.
    pub to_award: Option<bool>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

fn check_fields(c: &mut Checks, t: &tender::Model) {
    c.text("title", &t.title, fields::Title::MAX)
        .max_chars("description", &t.description, fields::Description::MAX)
        .check(
            is_valid_division_code(&t.division_code),
            "division_code",
            codes::DIVISION_INVALID,
            "must be 6, 9 or 12 digits",
        )
        .check(
            t.ceiling_fen > 0,
            "ceiling_amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        );
    if let Some((code, p)) = period_problem(
        t.service_start,
        t.service_end,
        t.multi_year_reason.is_some(),
    ) {
        c.check(false, "service_end", code, p);
    }
    if let Some(r) = &t.multi_year_reason {
        c.text("multi_year_reason", r, fields::Reason::MAX);
    }
}

/// Loads a budget line of the actor's purchaser (404 for anyone else's).
async fn own_line(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<budget_line::Model> {
    let line = budget_line::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "budget_line_id",
                codes::REFERENCE_UNKNOWN,
                "no such budget line",
            )
        })?;
    actor.see_purchaser(line.purchaser_id).map_err(|_| {
        ApiError::field(
            "budget_line_id",
            codes::REFERENCE_UNKNOWN,
            "no such budget line",
        )
    })?;
    Ok(line)
}

/// Creates a draft tender.
pub async fn create(st: &AppState, actor: &Actor, new: NewTender) -> ApiResult<Tender> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let line = own_line(&*w, actor, new.budget_line_id).await?;
    if new.purchaser_id.is_some_and(|p| p != line.purchaser_id) {
        return Err(ApiError::field(
            "purchaser_id",
            codes::TENDER_PURCHASER_MISMATCH,
            "must be the budget line's purchaser",
        ));
    }
    let m = tender::Model {
        id: Uuid::now_v7(),
        purchaser_id: line.purchaser_id,
        budget_line_id: line.id,
        title: new.title.trim().to_string(),
        description: new.description,
        service_category: new.service_category,
        division_code: new.division_code,
        method: new.method,
        ceiling_fen: new.ceiling_amount.fen(),
        bid_deadline: new.bid_deadline,
        service_start: new.service_start,
        service_end: new.service_end,
        multi_year_reason: new.multi_year_reason,
        status: TenderStatus::Draft,
        status_reason: None,
        published_at: None,
        awarded_bid_id: None,
        created_by: actor.id(),
        created_at: now,
        updated_at: now,
    };
    let mut c = Checks::default();
    check_fields(&mut c, &m);
    c.finish()?;
    let m = m.into_active_model().insert(&*w).await?;
    let out = Tender::try_from(m)?;
    w.record("create", "tender", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Edits a draft tender.
pub async fn update(st: &AppState, actor: &Actor, id: Uuid, p: TenderPatch) -> ApiResult<Tender> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = store::records::tender_for_update(&*w, actor, id).await?;
    let before = Tender::try_from(old.clone())?;
    if before.status != TenderStatus::Draft {
        return Err(ApiError::conflict(
            codes::TENDER_NOT_DRAFT,
            "only a draft tender can be edited",
        ));
    }
    let mut m = old;
    if let Some(l) = p.budget_line_id {
        m.budget_line_id = own_line(&*w, actor, l).await?.id;
    }
    if let Some(v) = p.title {
        m.title = v.trim().to_string();
    }
    if let Some(v) = p.description {
        m.description = v;
    }
    if let Some(v) = p.service_category {
        m.service_category = v;
    }
    if let Some(v) = p.division_code {
        m.division_code = v;
    }
    if let Some(v) = p.method {
        m.method = v;
    }
    if let Some(v) = p.ceiling_amount {
        m.ceiling_fen = v.fen();
    }
    if let Some(v) = p.bid_deadline {
        m.bid_deadline = v;
    }
    if let Some(v) = p.service_start {
        m.service_start = v;
    }
    if let Some(v) = p.service_end {
        m.service_end = v;
    }
    if let Some(v) = p.multi_year_reason {
        m.multi_year_reason = Some(v).filter(|r| !r.trim().is_empty());
    }
    m.updated_at = now;
    let mut c = Checks::default();
    check_fields(&mut c, &m);
    c.finish()?;
    let out = Tender::try_from(m.into_active_model().reset_all().update(&*w).await?)?;
    w.record("update", "tender", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One tender.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Tender> {
    Tender::try_from(store::records::tender(&st.db, actor, id).await?)
}

/// A page of the tenders the actor may see.
pub async fn list(st: &AppState, actor: &Actor, f: TenderFilter) -> ApiResult<Page<Tender>> {
    let mut q = tender::Entity::find().apply_if(actor.purchaser_scope(), |q, own| {
        q.filter(tender::Column::PurchaserId.eq(own))
    });
    if actor.role == Role::Organisation {
        q = q.filter(tender::Column::PublishedAt.is_not_null());
    }
    let q = q
        .apply_if(f.status, |q, v| q.filter(tender::Column::Status.eq(v)))
        .apply_if(f.service_category, |q, v| {
            q.filter(tender::Column::ServiceCategory.eq(v))
        })
        .apply_if(f.division_code, |q, v| {
            q.filter(tender::Column::DivisionCode.eq(v))
        })
        .apply_if(f.purchaser_id, |q, v| {
            q.filter(tender::Column::PurchaserId.eq(v))
        })
        .apply_if(f.deadline_from, |q, v| {
            q.filter(tender::Column::BidDeadline.gte(v))
        })
        .apply_if(f.deadline_to, |q, v| {
            q.filter(tender::Column::BidDeadline.lt(v))
        })
        .apply_if(f.to_award, |q, v| {
            let waiting = waiting_for_award(st.now());
            q.filter(if v { waiting } else { waiting.not() })
        });
    let models = page(
        &st.db,
        q,
        tender::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &tender::Model| m.id,
    )
    .await?;
    models.try_map(Tender::try_from)
}

/// Tenders waiting for an award: published with their bid deadline passed, or closed.
fn waiting_for_award(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(tender::Column::Status.eq(TenderStatus::Published))
                .add(tender::Column::BidDeadline.lt(now)),
        )
        .add(tender::Column::Status.eq(TenderStatus::Closed))
}
