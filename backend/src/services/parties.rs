//! Purchasers and social organisations (SPEC §2), managed by admins.

use chrono::NaiveDate;
use entity::model::{organisation, purchaser};
use entity::rules::codes::{is_valid_credit_code, is_valid_division_code};
use entity::rules::procurement::org_status_on;
use entity::rules::vocab::OrgStatus;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;
use crate::store::today;

/// A purchasing unit as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Purchaser {
    pub id: Uuid,
    pub name: String,
    pub division_code: String,
    pub contact_email: String,
}

impl From<purchaser::Model> for Purchaser {
    fn from(m: purchaser::Model) -> Self {
        Purchaser {
            id: m.id,
            name: m.name,
            division_code: m.division_code,
            contact_email: m.contact_email,
        }
    }
}

/// A new purchaser.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPurchaser {
    #[schema(value_type = crate::fields::Title)]
    pub name: String,
    /// 6, 9 or 12 digits.
    #[schema(value_type = crate::fields::DivisionCode)]
    pub division_code: String,
    #[schema(value_type = crate::fields::Email)]
    pub contact_email: String,
}

/// Changes to a purchaser; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaserPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::fields::DivisionCode>)]
    pub division_code: Option<String>,
    #[schema(value_type = Option<crate::fields::Email>)]
    pub contact_email: Option<String>,
}

/// Filters of `GET /purchasers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurchaserFilter {
    /// Exact division code.
    pub division_code: Option<String>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

fn check_purchaser(
    c: &mut Checks,
    name: Option<&str>,
    division: Option<&str>,
    email: Option<&str>,
) {
    if let Some(n) = name {
        c.text("name", n, fields::Title::MAX);
    }
    if let Some(d) = division {
        c.check(
            is_valid_division_code(d),
            "division_code",
            codes::DIVISION_INVALID,
            "must be 6, 9 or 12 digits",
        );
    }
    if let Some(e) = email {
        c.email("contact_email", e);
    }
}

/// Creates a purchaser.
pub async fn create_purchaser(
    st: &AppState,
    actor: &Actor,
    new: NewPurchaser,
) -> ApiResult<Purchaser> {
    let mut c = Checks::default();
    check_purchaser(
        &mut c,
        Some(&new.name),
        Some(&new.division_code),
        Some(&new.contact_email),
    );
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let m = purchaser::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name.trim().to_string()),
        division_code: Set(new.division_code),
        contact_email: Set(new.contact_email.trim().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = Purchaser::from(m);
    w.record("create", "purchaser", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Changes a purchaser.
pub async fn update_purchaser(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: PurchaserPatch,
) -> ApiResult<Purchaser> {
    let mut c = Checks::default();
    check_purchaser(
        &mut c,
        p.name.as_deref(),
        p.division_code.as_deref(),
        p.contact_email.as_deref(),
    );
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = purchaser::Entity::find_by_id(id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let before = Purchaser::from(old.clone());
    let mut am = old.into_active_model();
    if let Some(v) = p.name {
        am.name = Set(v.trim().to_string());
    }
    if let Some(v) = p.division_code {
        am.division_code = Set(v);
    }
    if let Some(v) = p.contact_email {
        am.contact_email = Set(v.trim().to_string());
    }
    am.updated_at = Set(now);
    let out = Purchaser::from(am.update(&*w).await?);
    w.record("update", "purchaser", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One purchaser.
pub async fn get_purchaser(st: &AppState, id: Uuid) -> ApiResult<Purchaser> {
    purchaser::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .map(Purchaser::from)
        .ok_or(ApiError::NotFound)
}

/// A page of purchasers.
pub async fn list_purchasers(st: &AppState, f: PurchaserFilter) -> ApiResult<Page<Purchaser>> {
    let q = purchaser::Entity::find().apply_if(f.division_code, |q, d| {
        q.filter(purchaser::Column::DivisionCode.eq(d))
    });
    let models = page(
        &st.db,
        q,
        purchaser::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &purchaser::Model| m.id,
    )
    .await?;
    Ok(models.map(Purchaser::from))
}

/// A social organisation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    /// Unified social credit code (GB 32100-2015).
    pub credit_code: String,
    pub contact_email: String,
    pub status: OrgStatus,
    pub status_reason: Option<String>,
    pub status_until: Option<NaiveDate>,
}

impl Organisation {
    /// The organisation as it stands on `today`: a suspension or blacklisting whose
    /// `status_until` has passed shows as `active` (SPEC §2), whatever the row still says.
    pub fn on(m: organisation::Model, today: NaiveDate) -> ApiResult<Self> {
        let status = org_status_on(m.status, m.status_until, today);
        Ok(Organisation {
            id: m.id,
            name: m.name,
            credit_code: m.credit_code,
            contact_email: m.contact_email,
            status,
            status_reason: m.status_reason,
            status_until: m.status_until,
        })
    }
}

/// 409 unless the organisation is active on `today`; `refused` says what it may not do
/// ("cannot sign").
pub fn check_active(org: &organisation::Model, today: NaiveDate, refused: &str) -> ApiResult<()> {
    match org_status_on(org.status, org.status_until, today) {
        OrgStatus::Active => Ok(()),
        s => Err(ApiError::conflict(
            codes::ORGANISATION_NOT_ACTIVE,
            format!("the organisation is {} and {refused}", s.as_str()),
        )),
    }
}

/// A new organisation (status `active` unless given).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schema(value_type = crate::fields::Title)]
    pub name: String,
    #[schema(value_type = crate::fields::CreditCode)]
    pub credit_code: String,
    #[schema(value_type = crate::fields::Email)]
    pub contact_email: String,
    pub status: Option<OrgStatus>,
    #[schema(value_type = Option<crate::fields::Note>)]
    pub status_reason: Option<String>,
    pub status_until: Option<NaiveDate>,
}

/// Changes to an organisation; a suspension or blacklisting needs a `status_reason`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::fields::Email>)]
    pub contact_email: Option<String>,
    pub status: Option<OrgStatus>,
    #[schema(value_type = Option<crate::fields::Note>)]
    pub status_reason: Option<String>,
    pub status_until: Option<NaiveDate>,
}

/// Filters of `GET /organisations`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrganisationFilter {
    pub status: Option<OrgStatus>,
    pub credit_code: Option<String>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

fn check_status(c: &mut Checks, status: OrgStatus, reason: Option<&str>) {
    if status != OrgStatus::Active {
        c.check(
            reason.is_some_and(|r| !r.trim().is_empty()),
            "status_reason",
            codes::ORGANISATION_STATUS_REASON_REQUIRED,
            "is required when an organisation is suspended or blacklisted",
        );
    }
    if let Some(r) = reason {
        c.max_chars("status_reason", r, fields::Note::MAX);
    }
}

/// Creates an organisation.
pub async fn create_organisation(
    st: &AppState,
    actor: &Actor,
    new: NewOrganisation,
) -> ApiResult<Organisation> {
    let status = new.status.unwrap_or(OrgStatus::Active);
    let mut c = Checks::default();
    c.text("name", &new.name, fields::Title::MAX)
        .email("contact_email", &new.contact_email)
        .check(
            is_valid_credit_code(&new.credit_code),
            "credit_code",
            codes::CREDIT_CODE_INVALID,
            "must be an 18-character unified social credit code with a valid check character",
        );
    check_status(&mut c, status, new.status_reason.as_deref());
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let taken = organisation::Entity::find()
        .filter(organisation::Column::CreditCode.eq(&new.credit_code))
        .one(&*w)
        .await?;
    if taken.is_some() {
        return Err(ApiError::conflict(
            codes::ORGANISATION_DUPLICATE,
            "an organisation with this credit_code already exists",
        ));
    }
    let m = organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name.trim().to_string()),
        credit_code: Set(new.credit_code),
        contact_email: Set(new.contact_email.trim().to_string()),
        status: Set(status),
        status_reason: Set(new.status_reason.filter(|_| status != OrgStatus::Active)),
        status_until: Set(new.status_until.filter(|_| status != OrgStatus::Active)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = Organisation::on(m, today(st))?;
    w.record("create", "organisation", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Changes an organisation; returning to `active` clears the reason and end date.
pub async fn update_organisation(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: OrganisationPatch,
) -> ApiResult<Organisation> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = organisation::Entity::find_by_id(id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let before = Organisation::on(old.clone(), today(st))?;
    let status = p.status.unwrap_or(before.status);
    let reason = p.status_reason.clone().or_else(|| {
        (p.status.is_none())
            .then(|| before.status_reason.clone())
            .flatten()
    });
    let mut c = Checks::default();
    if let Some(n) = &p.name {
        c.text("name", n, fields::Title::MAX);
    }
    if let Some(e) = &p.contact_email {
        c.email("contact_email", e);
    }
    check_status(&mut c, status, reason.as_deref());
    c.finish()?;
    let mut am = old.into_active_model();
    if let Some(v) = p.name {
        am.name = Set(v.trim().to_string());
    }
    if let Some(v) = p.contact_email {
        am.contact_email = Set(v.trim().to_string());
    }
    let active = status == OrgStatus::Active;
    am.status = Set(status);
    am.status_reason = Set(reason.filter(|_| !active));
    am.status_until = Set(p.status_until.or(before.status_until).filter(|_| !active));
    am.updated_at = Set(now);
    let out = Organisation::on(am.update(&*w).await?, today(st))?;
    let action = if p.status.is_some_and(|s| s != before.status) {
        "change_status"
    } else {
        "update"
    };
    w.record(action, "organisation", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One organisation, within the actor's scope.
pub async fn get_organisation(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Organisation> {
    actor.see_organisation(id)?;
    organisation::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)
        .and_then(|m| Organisation::on(m, today(st)))
}

/// A page of organisations within the actor's scope.
pub async fn list_organisations(
    st: &AppState,
    actor: &Actor,
    f: OrganisationFilter,
) -> ApiResult<Page<Organisation>> {
    let mut q = organisation::Entity::find().apply_if(actor.organisation_scope(), |q, own| {
        q.filter(organisation::Column::Id.eq(own))
    });
    if let Some(s) = f.status {
        // By the status in force today (a lapsed suspension counts as active).
        let active = entity::queries::organisation_active_on(today(st));
        q = q.filter(match s {
            OrgStatus::Active => active,
            s => sea_orm::Condition::all()
                .add(organisation::Column::Status.eq(s))
                .add(active.not()),
        });
    }
    q = q.apply_if(f.credit_code, |q, cc| {
        q.filter(organisation::Column::CreditCode.eq(cc))
    });
    let models = page(
        &st.db,
        q,
        organisation::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &organisation::Model| m.id,
    )
    .await?;
    models.try_map(|m| Organisation::on(m, today(st)))
}
