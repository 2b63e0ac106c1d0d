//! Workers on posts: assigning one (an ID number checked, then kept only as its last four
//! characters and a keyed HMAC), ending an assignment, and the assignments of a post or a contract.

use chrono::NaiveDate;
use entity::model::{contract, post, post_assignment};
use entity::rules::codes::is_valid_id_number;
use entity::rules::posts::Span;
use entity::rules::vocab::{ContractStatus, Qualification};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, RelationTrait,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use super::assignments_of;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::state::AppState;
use crate::store;

/// An assignment as the API shows it (never the ID number or its HMAC).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub id: Uuid,
    pub post_id: Uuid,
    pub worker_name: String,
    pub qualification: Qualification,
    pub certificate_no: Option<String>,
    pub id_number_last4: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
}

/// A new assignment. `id_number` is checked and discarded.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    #[schema(value_type = crate::fields::PersonName)]
    pub worker_name: String,
    pub qualification: Qualification,
    #[schema(value_type = Option<crate::fields::CertificateNo>)]
    pub certificate_no: Option<String>,
    /// 18 characters with a valid GB 11643 check character.
    #[schema(value_type = crate::fields::IdNumber)]
    pub id_number: String,
    pub from_date: NaiveDate,
}

impl std::fmt::Debug for NewAssignment {
    /// Redacts the ID number, so no log line can carry it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAssignment")
            .field("worker_name", &self.worker_name)
            .field("qualification", &self.qualification)
            .field("id_number", &"<redacted>")
            .field("from_date", &self.from_date)
            .finish_non_exhaustive()
    }
}

/// `{to_date}` of ending an assignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndAssignment {
    pub to_date: NaiveDate,
}

pub(super) fn assignment(m: post_assignment::Model) -> ApiResult<Assignment> {
    Ok(Assignment {
        qualification: m.qualification,
        id: m.id,
        post_id: m.post_id,
        worker_name: m.worker_name,
        certificate_no: m.certificate_no,
        id_number_last4: m.id_number_last4,
        from_date: m.from_date,
        to_date: m.to_date,
    })
}

/// The keyed HMAC of an ID number (upper-cased check character), hex.
pub fn id_hmac(secret: &[u8], id_number: &str) -> ApiResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(ApiError::internal)?;
    mac.update(id_number.to_ascii_uppercase().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Assigns a worker to a post of the actor's organisation.
pub async fn assign(
    st: &AppState,
    actor: &Actor,
    post_id: Uuid,
    new: NewAssignment,
) -> ApiResult<Assignment> {
    let cert = check_assignment_fields(&new)?;
    let last4 = new.id_number[new.id_number.len() - 4..].to_ascii_uppercase();
    let hmac = id_hmac(&st.secret, &new.id_number)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (p, contract) = store::records::post(&*w, actor, post_id).await?;
    lock_post_and_person(&w, post_id, &hmac).await?;
    check_post_takes(&p, &contract, &new)?;
    let span = Span {
        from: new.from_date,
        to: None,
    };
    check_post_free(&*w, post_id, &span).await?;
    check_person_free(&*w, &hmac, &span).await?;
    let row = post_assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        post_id: Set(post_id),
        worker_name: Set(new.worker_name.trim().to_string()),
        qualification: Set(new.qualification),
        certificate_no: Set(cert),
        id_number_last4: Set(last4),
        id_number_hmac: Set(hmac),
        from_date: Set(new.from_date),
        to_date: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = assignment(row)?;
    w.record("create", "post_assignment", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// 422 unless the worker's name, ID number and certificate are well formed; answers the
/// certificate number, trimmed (none if blank).
fn check_assignment_fields(new: &NewAssignment) -> ApiResult<Option<String>> {
    let mut c = Checks::default();
    c.text("worker_name", &new.worker_name, fields::PersonName::MAX)
        .check(
            is_valid_id_number(&new.id_number),
            "id_number",
            codes::ID_NUMBER_INVALID,
            "must be an 18-character national ID number with a valid check character",
        );
    let cert = new
        .certificate_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    c.check(
        new.qualification == Qualification::None || cert.is_some(),
        "certificate_no",
        codes::FIELD_REQUIRED,
        "is required for a qualified social worker",
    );
    if let Some(cn) = &cert {
        c.max_chars("certificate_no", cn, fields::CertificateNo::MAX);
    }
    c.finish()?;
    Ok(cert)
}

/// Serialises assignments of this post and of this person: the row lock on the post, and on
/// PostgreSQL an advisory lock keyed by the person's HMAC (SQLite's write transactions are
/// serialised already).
async fn lock_post_and_person(w: &store::Write<'_>, post_id: Uuid, hmac: &str) -> ApiResult<()> {
    post::Entity::find_by_id(post_id)
        .lock_exclusive()
        .one(&**w)
        .await?;
    if w.get_database_backend() == sea_orm::DbBackend::Postgres {
        let key = i64::from_str_radix(&hmac[..15], 16).map_err(ApiError::internal)?;
        w.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})"))
            .await?;
    }
    Ok(())
}

/// The post takes the worker: qualified enough, from a day inside its dates, on a draft or
/// active contract.
fn check_post_takes(
    p: &post::Model,
    contract: &contract::Model,
    new: &NewAssignment,
) -> ApiResult<()> {
    let required = p.required_qualification;
    if !new.qualification.satisfies(required) {
        return Err(ApiError::field(
            "qualification",
            codes::POST_QUALIFICATION_LOW,
            format!("the post requires at least {}", required.as_str()),
        ));
    }
    if new.from_date < p.start_date || new.from_date > p.end_date {
        return Err(ApiError::field(
            "from_date",
            codes::FIELD_OUTSIDE_PERIOD,
            "must be inside the post's dates",
        ));
    }
    if !matches!(
        contract.status,
        ContractStatus::Draft | ContractStatus::Active
    ) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("posts of a {} contract cannot be staffed", contract.status),
        ));
    }
    Ok(())
}

/// 409 if an assignment of the post overlaps `span`.
async fn check_post_free(db: &impl ConnectionTrait, post_id: Uuid, span: &Span) -> ApiResult<()> {
    let on_post = assignments_of(db, &[post_id]).await?;
    if on_post.iter().any(|a| {
        Span {
            from: a.from_date,
            to: a.to_date,
        }
        .overlaps(span)
    }) {
        return Err(ApiError::conflict(
            codes::POST_OCCUPIED,
            "the post is already filled on some of these days; end that assignment first",
        ));
    }
    Ok(())
}

/// 409 if the person's other assignments, clipped to their posts' ends, on contracts still
/// funded, overlap `span`.
async fn check_person_free(db: &impl ConnectionTrait, hmac: &str, span: &Span) -> ApiResult<()> {
    let same_person: Vec<(NaiveDate, Option<NaiveDate>, NaiveDate, ContractStatus)> =
        post_assignment::Entity::find()
            .select_only()
            .columns([
                post_assignment::Column::FromDate,
                post_assignment::Column::ToDate,
            ])
            .column(post::Column::EndDate)
            .column(contract::Column::Status)
            .join(
                sea_orm::JoinType::InnerJoin,
                post_assignment::Relation::Post.def(),
            )
            .join(sea_orm::JoinType::InnerJoin, post::Relation::Contract.def())
            .filter(post_assignment::Column::IdNumberHmac.eq(hmac))
            .into_tuple()
            .all(db)
            .await?;
    let funded =
        |status: &ContractStatus| matches!(status, ContractStatus::Draft | ContractStatus::Active);
    if same_person.iter().any(|(from, to, post_end, status)| {
        funded(status)
            && Span {
                from: *from,
                to: Some(to.unwrap_or(*post_end).min(*post_end)),
            }
            .overlaps(span)
    }) {
        return Err(ApiError::conflict(
            codes::WORKER_ALREADY_POSTED,
            "this person already holds a funded post on some of these days",
        ));
    }
    Ok(())
}

/// Ends a serving assignment on `to_date` (inclusive).
pub async fn end_assignment(
    st: &AppState,
    actor: &Actor,
    post_id: Uuid,
    id: Uuid,
    e: EndAssignment,
) -> ApiResult<Assignment> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (p, _) = store::records::post(&*w, actor, post_id).await?;
    let a = post_assignment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*w)
        .await?
        .filter(|a| a.post_id == post_id)
        .ok_or(ApiError::NotFound)?;
    if a.to_date.is_some() {
        return Err(ApiError::conflict(
            codes::ASSIGNMENT_ENDED,
            "the assignment has already ended",
        ));
    }
    if e.to_date < a.from_date || e.to_date > p.end_date {
        return Err(ApiError::field(
            "to_date",
            codes::FIELD_OUTSIDE_PERIOD,
            "must be between the assignment's start and the post's end",
        ));
    }
    let before = assignment(a.clone())?;
    let mut am = a.into_active_model();
    am.to_date = Set(Some(e.to_date));
    am.updated_at = Set(now);
    let out = assignment(am.update(&*w).await?)?;
    w.record("end", "post_assignment", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// The assignments of a post, oldest first.
pub async fn assignments(
    st: &AppState,
    actor: &Actor,
    post_id: Uuid,
) -> ApiResult<Vec<Assignment>> {
    store::records::post(&st.db, actor, post_id).await?;
    assignments_of(&st.db, &[post_id])
        .await?
        .into_iter()
        .map(assignment)
        .collect()
}

/// Every assignment of a contract's posts (one query).
pub async fn assignments_of_contract(
    db: &impl ConnectionTrait,
    contract_id: Uuid,
) -> ApiResult<Vec<Assignment>> {
    let ids: Vec<Uuid> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(post::Column::ContractId.eq(contract_id))
        .into_tuple()
        .all(db)
        .await?;
    assignments_of(db, &ids)
        .await?
        .into_iter()
        .map(assignment)
        .collect()
}
