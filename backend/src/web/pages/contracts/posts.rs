//! `/contracts/{id}/posts`: the contract's funded posts with their current worker (name and
//! qualification; of the ID number at most its last four characters) and vacancy days, a
//! finance officer's form to create a post, and for the organisation's own staff the forms of
//! [`super::staffing`]; `/contracts/{id}/post-funding`: the posts' funding and vacancy
//! deductions over a period.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use entity::rules::vocab::{ContractStatus, Qualification};
use serde::Deserialize;
use uuid::Uuid;

use super::staffing::Staffing;
use super::{Forms, settle};
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::post_funding::{self, FundingWindow, PostFunding};
use crate::services::posts::{self, Assignment, NewPost, Post};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::ui::Ui;

/// A new post's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub required_qualification: String,
    #[serde(default)]
    pub annual_funding: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/posts.html")]
pub struct PostsPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub posts: Vec<Post>,
    /// The current assignments by id.
    pub current: HashMap<Uuid, Assignment>,
    /// The actor may add a post now.
    pub can_add: bool,
    /// The actor is the organisation's staff and the contract is active: it may assign
    /// workers and end assignments.
    pub can_staff: bool,
    /// The local date today (what the forms propose).
    pub today: NaiveDate,
    pub staffing: Staffing,
    pub qualifications: &'static [Qualification],
    pub form: PostForm,
    pub forms: Forms,
}

impl PostsPage {
    /// The worker filling the post today.
    pub fn worker(&self, p: &Post) -> Option<&Assignment> {
        p.current_assignment_id.and_then(|a| self.current.get(&a))
    }
}

/// The posts tab for `actor`, with the refused form of `forms` and what was typed in it.
pub(super) async fn page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    form: PostForm,
    (forms, staffing): (Forms, Staffing),
) -> ApiResult<Response> {
    let mut head = ContractHead::load(st, actor, id, "posts").await?;
    let posts = posts::list(st, actor, id).await?;
    let codes: Vec<String> = posts.iter().map(|p| p.division_code.clone()).collect();
    head.divisions
        .extend(crate::services::divisions::names(&st.db, &codes).await?);
    let current = posts::assignments_of_contract(&st.db, id)
        .await?
        .into_iter()
        .filter(|a| posts.iter().any(|p| p.current_assignment_id == Some(a.id)))
        .map(|a| (a.id, a))
        .collect();
    let can_add = actor.purchaser_scope() == Some(head.contract.purchaser_id)
        && matches!(
            head.contract.status,
            ContractStatus::Draft | ContractStatus::Active
        );
    let can_staff = actor.organisation_scope() == Some(head.contract.organisation_id)
        && head.contract.status == ContractStatus::Active;
    let page = PostsPage {
        ui,
        head,
        posts,
        current,
        can_add,
        can_staff,
        today: jobs::clock::local_today(st.clock.as_ref(), st.config.tz),
        staffing,
        qualifications: Qualification::ALL,
        form,
        forms,
    };
    Ok((page.forms.status(), page).into_response())
}

/// `GET /contracts/{id}/posts`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let form = PostForm {
        required_qualification: Qualification::SocialWorker.as_str().to_string(),
        ..PostForm::default()
    };
    let none = (Forms::none(), Staffing::default());
    page(&st, &actor, ui, id, form, none).await
}

/// `POST /contracts/{id}/posts`: the service of `POST /api/v1/contracts/{id}/posts`.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<PostForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewPost {
        title: form.title.clone(),
        division_code: form.division_code.trim().to_string(),
        required_qualification: f
            .choice(
                "required_qualification",
                &form.required_qualification,
                Qualification::parse,
            )
            .unwrap_or(Qualification::None),
        annual_funding: f.money("annual_funding", &form.annual_funding),
        start_date: f.date("start_date", &form.start_date),
        end_date: f.date("end_date", &form.end_date),
    };
    let r = match f.finish() {
        Ok(()) => posts::create(&st, &actor, id, new).await,
        Err(e) => Err(e),
    };
    let to = format!("/contracts/{id}/posts");
    match settle(&ui, jar, r, &to, "flash-post-created", "post")? {
        Ok(done) => Ok(done),
        Err(forms) => page(&st, &actor, ui, id, form, (forms, Staffing::default())).await,
    }
}

/// The funding period as typed (blank: the contract's period).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/funding.html")]
pub struct FundingPage {
    pub ui: Ui,
    pub head: ContractHead,
    /// The figures, unless the period was refused.
    pub funding: Option<PostFunding>,
    pub window: WindowQuery,
    pub fb: Feedback,
}

/// `GET /contracts/{id}/post-funding`: the service of `GET /api/v1/contracts/{id}/post-funding`.
pub async fn funding(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Query(window): Query<WindowQuery>,
) -> ApiResult<Response> {
    let head = ContractHead::load(&st, &actor, id, "funding").await?;
    let mut f = Fields::default();
    let w = FundingWindow {
        from: f.opt_date("from", &window.from),
        to: f.opt_date("to", &window.to),
    };
    let r = match f.finish() {
        Ok(()) => post_funding::get(&st, &actor, id, w).await,
        Err(e) => Err(e),
    };
    let (funding, fb) = match r {
        Ok(p) => (Some(p), Feedback::none()),
        Err(e) => (None, Feedback::refused(&ui, e)?),
    };
    let page = FundingPage {
        ui,
        head,
        funding,
        window,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}
