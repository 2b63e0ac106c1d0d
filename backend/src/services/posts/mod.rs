//! Funded social-work posts and the workers who fill them (SPEC §2 `post`,
//! `post_assignment`). A national ID number is checked (GB 11643) and then reduced to its last
//! four characters and a keyed HMAC; the full number is never stored, logged or answered.

use chrono::NaiveDate;
use entity::Money;
use entity::model::{contract, post, post_assignment};
use entity::rules::codes::is_local_division_code;
use entity::rules::posts::{Span, current_vacancy_run, filled_and_vacant};
use entity::rules::vocab::{ContractStatus, Qualification};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::state::AppState;
use crate::store;

mod assignments;

pub use assignments::{
    Assignment, EndAssignment, NewAssignment, assign, assignments, assignments_of_contract,
    end_assignment, id_hmac,
};

/// A post with its staffing today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Post {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub title: String,
    pub division_code: String,
    pub required_qualification: Qualification,
    pub annual_funding: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// No assignment covers today (within the post's dates).
    pub vacant: bool,
    /// Consecutive vacant days up to today.
    pub vacant_days_running: i64,
    /// Vacant days from the post's start to today (or its end).
    pub vacancy_days_to_date: i64,
    pub current_assignment_id: Option<Uuid>,
}

/// A new post (or the fields of a change).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    #[schema(value_type = crate::fields::Title)]
    pub title: String,
    /// A township (9 digits) or village (12 digits).
    #[schema(value_type = crate::fields::LocalDivisionCode)]
    pub division_code: String,
    pub required_qualification: Qualification,
    pub annual_funding: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// Changes to a post.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub title: Option<String>,
    #[schema(value_type = Option<crate::fields::LocalDivisionCode>)]
    pub division_code: Option<String>,
    pub required_qualification: Option<Qualification>,
    pub annual_funding: Option<Money>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

fn shape(
    m: post::Model,
    assignments: &[post_assignment::Model],
    today: NaiveDate,
) -> ApiResult<Post> {
    let spans: Vec<Span> = assignments
        .iter()
        .map(|a| Span {
            from: a.from_date,
            to: a.to_date,
        })
        .collect();
    let in_period = m.start_date <= today && today <= m.end_date;
    let current = assignments.iter().find(|a| {
        in_period
            && Span {
                from: a.from_date,
                to: a.to_date,
            }
            .covers(today)
    });
    let (_, vacant_to_date) =
        filled_and_vacant(m.start_date, m.end_date, &spans, m.start_date, today);
    Ok(Post {
        required_qualification: m.required_qualification,
        vacant: in_period && current.is_none(),
        vacant_days_running: if in_period {
            current_vacancy_run(m.start_date, &spans, today)
        } else {
            0
        },
        vacancy_days_to_date: vacant_to_date,
        current_assignment_id: current.map(|a| a.id),
        id: m.id,
        contract_id: m.contract_id,
        title: m.title,
        division_code: m.division_code,
        annual_funding: Money::from_fen(m.annual_funding_fen),
        start_date: m.start_date,
        end_date: m.end_date,
    })
}

fn check_post(c: &mut Checks, m: &post::Model, contract: &contract::Model) {
    c.text("title", &m.title, fields::Title::MAX)
        .check(
            is_local_division_code(&m.division_code),
            "division_code",
            codes::DIVISION_NOT_LOCAL,
            "must be a township (9 digits) or village (12 digits) code",
        )
        .check(
            m.start_date <= m.end_date,
            "end_date",
            codes::FIELD_DATE_ORDER,
            "must not be before the start date",
        )
        .check(
            m.start_date >= contract.start_date,
            "start_date",
            codes::FIELD_OUTSIDE_PERIOD,
            "must be inside the contract period",
        )
        .check(
            m.end_date <= contract.end_date,
            "end_date",
            codes::FIELD_OUTSIDE_PERIOD,
            "must be inside the contract period",
        );
}

/// The assignments of the given posts, in one query.
async fn assignments_of(
    db: &impl ConnectionTrait,
    post_ids: &[Uuid],
) -> ApiResult<Vec<post_assignment::Model>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(post_assignment::Entity::find()
        .filter(post_assignment::Column::PostId.is_in(post_ids.to_vec()))
        .order_by_asc(post_assignment::Column::FromDate)
        .all(db)
        .await?)
}

fn today(st: &AppState) -> NaiveDate {
    jobs::clock::local_today(st.clock.as_ref(), st.config.tz)
}

/// Adds a post to a draft or active contract.
pub async fn create(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: NewPost,
) -> ApiResult<Post> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let contract = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    let m = post::Model {
        id: Uuid::now_v7(),
        contract_id,
        title: new.title.trim().to_string(),
        division_code: new.division_code,
        required_qualification: new.required_qualification,
        annual_funding_fen: new.annual_funding.fen(),
        start_date: new.start_date,
        end_date: new.end_date,
        created_at: now,
        updated_at: now,
    };
    let mut c = Checks::default();
    check_post(&mut c, &m, &contract);
    c.finish()?;
    if !matches!(
        contract.status,
        ContractStatus::Draft | ContractStatus::Active
    ) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("posts cannot be added to a {} contract", contract.status),
        ));
    }
    let out = shape(m.into_active_model().insert(&*w).await?, &[], today(st))?;
    w.record("create", "post", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// Changes a post of a draft or active contract.
pub async fn update(st: &AppState, actor: &Actor, id: Uuid, patch: PostPatch) -> ApiResult<Post> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (old, contract) = store::records::post(&*w, actor, id).await?;
    if !matches!(
        contract.status,
        ContractStatus::Draft | ContractStatus::Active
    ) {
        return Err(ApiError::conflict(
            codes::CONTRACT_CLOSED,
            format!("posts of a {} contract cannot change", contract.status),
        ));
    }
    let list = assignments_of(&*w, &[id]).await?;
    let before = shape(old.clone(), &list, today(st))?;
    let mut m = old;
    if let Some(v) = patch.title {
        m.title = v.trim().to_string();
    }
    if let Some(v) = patch.division_code {
        m.division_code = v;
    }
    if let Some(v) = patch.required_qualification {
        m.required_qualification = v;
    }
    if let Some(v) = patch.annual_funding {
        m.annual_funding_fen = v.fen();
    }
    if let Some(v) = patch.start_date {
        m.start_date = v;
    }
    if let Some(v) = patch.end_date {
        m.end_date = v;
    }
    m.updated_at = now;
    let mut c = Checks::default();
    check_post(&mut c, &m, &contract);
    c.check(
        list.iter()
            .all(|a| a.from_date >= m.start_date && a.to_date.is_none_or(|t| t <= m.end_date)),
        "start_date",
        codes::POST_DATES_EXCLUDE_ASSIGNMENTS,
        "the post's dates must still contain its assignments",
    );
    c.finish()?;
    let out = shape(
        m.into_active_model().reset_all().update(&*w).await?,
        &list,
        today(st),
    )?;
    w.record("update", "post", id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}

/// One post.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Post> {
    let (p, _) = store::records::post(&st.db, actor, id).await?;
    let list = assignments_of(&st.db, &[id]).await?;
    shape(p, &list, today(st))
}

/// The posts of a contract with their staffing.
pub async fn list(st: &AppState, actor: &Actor, contract_id: Uuid) -> ApiResult<Vec<Post>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    let posts = post::Entity::find()
        .filter(post::Column::ContractId.eq(contract_id))
        .order_by_asc(post::Column::Id)
        .all(&st.db)
        .await?;
    let ids: Vec<Uuid> = posts.iter().map(|p| p.id).collect();
    let all = assignments_of(&st.db, &ids).await?;
    let day = today(st);
    posts
        .into_iter()
        .map(|p| {
            let mine: Vec<_> = all.iter().filter(|a| a.post_id == p.id).cloned().collect();
            shape(p, &mine, day)
        })
        .collect()
}

/// The posts of the organisation's active contracts that are vacant today, with their
/// contract's title, longest vacant first (at most `limit`): the posts in their period in one
/// query, their assignments in another, and the vacancy by the same rule as every post's.
pub async fn vacant_of_organisation(
    st: &AppState,
    organisation_id: Uuid,
    limit: usize,
) -> ApiResult<Vec<(Post, String)>> {
    let day = today(st);
    let rows: Vec<(post::Model, Option<contract::Model>)> = post::Entity::find()
        .find_also_related(contract::Entity)
        .filter(contract::Column::OrganisationId.eq(organisation_id))
        .filter(contract::Column::Status.eq(ContractStatus::Active))
        .filter(post::Column::StartDate.lte(day))
        .filter(post::Column::EndDate.gte(day))
        .order_by_asc(post::Column::Id)
        .limit(VACANCY_SCAN)
        .all(&st.db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|(p, _)| p.id).collect();
    let all = assignments_of(&st.db, &ids).await?;
    let mut by_post: std::collections::HashMap<Uuid, Vec<post_assignment::Model>> =
        std::collections::HashMap::new();
    for a in all {
        by_post.entry(a.post_id).or_default().push(a);
    }
    let mut vacant = Vec::new();
    for (p, contract) in rows {
        let mine = by_post.remove(&p.id).unwrap_or_default();
        let post = shape(p, &mine, day)?;
        if post.vacant {
            vacant.push((
                post,
                contract.map(|contract| contract.title).unwrap_or_default(),
            ));
        }
    }
    vacant.sort_by_key(|(p, _)| std::cmp::Reverse(p.vacant_days_running));
    vacant.truncate(limit);
    Ok(vacant)
}

/// How many posts in their period [`vacant_of_organisation`] looks at, at most.
const VACANCY_SCAN: u64 = 1_000;
