//! `/organisations`: the social organisations. Everyone reads them as the API lets them
//! (`ReadOrganisations`: an organisation's staff only their own); admins register one, change
//! its name and contact address, and set its status with a reason and an end date
//! (`ManageParties`), through `services::parties` as `POST` and `PATCH /api/v1/organisations`
//! do. The status shown is the one in force today (a lapsed suspension shows as active).

use crate::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::OrgStatus;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Action, Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::parties::{
    self, NewOrganisation, Organisation, OrganisationFilter, OrganisationPatch,
};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::admin::{feedback_of, list_href};
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The routes of the organisation pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(list).post(create))
        .route("/organisations/new", get(new_form))
        .route("/organisations/{id}", get(show).post(update))
        .route("/organisations/{id}/status", post(change_status))
}

/// The list's filters as typed, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub credit_code: String,
    pub cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/organisations.html")]
pub struct OrganisationsPage {
    pub ui: Ui,
    pub q: ListQuery,
    pub fb: Feedback,
    pub items: Vec<Organisation>,
    pub next: Option<String>,
    pub can_manage: bool,
    pub statuses: &'static [OrgStatus],
}

impl OrganisationsPage {
    /// The statuses of the filter: (word, name).
    pub fn status_options(&self) -> Vec<(String, String)> {
        self.statuses
            .iter()
            .map(|s| {
                let w = s.as_str();
                (w.to_string(), self.ui.word("organisations-status", w))
            })
            .collect()
    }

    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["status", "credit_code"])
    }
}

/// `GET /organisations`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadOrganisations>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let found = async {
        let mut f = Fields::default();
        let status = (!q.status.trim().is_empty())
            .then(|| f.choice("status", &q.status, OrgStatus::parse))
            .flatten();
        let credit_code = f.opt_text(&q.credit_code);
        f.finish()?;
        let filter = OrganisationFilter {
            status,
            credit_code,
            limit: Some(50),
            cursor: q.cursor.clone(),
        };
        parties::list_organisations(&st, &actor, filter).await
    }
    .await;
    let (items, next, fb) = match found {
        Ok(page) => (
            page.items,
            page.next_cursor.map(|c| {
                list_href(
                    "/organisations",
                    &[("status", &q.status), ("credit_code", &q.credit_code)],
                    &c,
                )
            }),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = OrganisationsPage {
        can_manage: actor.require(Action::ManageParties).is_ok(),
        ui,
        q,
        fb,
        items,
        next,
        statuses: OrgStatus::ALL,
    };
    Ok((page.fb.status, page).into_response())
}

/// An organisation's fields as typed: all of them for a new one; name and contact address,
/// or status, reason and end date, for a change.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub status_reason: String,
    #[serde(default)]
    pub status_until: String,
}

impl From<Organisation> for OrganisationForm {
    fn from(o: Organisation) -> Self {
        OrganisationForm {
            name: o.name,
            credit_code: o.credit_code,
            contact_email: o.contact_email,
            status: o.status.as_str().to_string(),
            status_reason: o.status_reason.unwrap_or_default(),
            status_until: o.status_until.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/organisation.html")]
pub struct OrganisationPage {
    pub ui: Ui,
    /// `None`: the form of a new organisation.
    pub organisation: Option<Organisation>,
    pub form: OrganisationForm,
    pub fb: Feedback,
    /// The form refused: `details` or `status` (empty on a first visit).
    pub failed: &'static str,
    pub can_manage: bool,
    pub statuses: &'static [OrgStatus],
}

impl OrganisationPage {
    /// The feedback of one of the page's forms (`new`, `details`, `status`).
    pub fn fb_of(&self, form: &str) -> Feedback {
        feedback_of(&self.fb, self.failed, form)
    }

    /// Messages of refused fields the form `form` has no place for.
    pub fn other_problems(&self, form: &str) -> Vec<String> {
        let shown: &[&str] = match form {
            "status" => &["status", "status_reason", "status_until"],
            "details" => &["name", "contact_email"],
            _ => &[
                "name",
                "credit_code",
                "contact_email",
                "status",
                "status_reason",
                "status_until",
            ],
        };
        self.fb_of(form)
            .others(shown)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

fn answer(page: OrganisationPage) -> Response {
    (page.fb.status, page).into_response()
}

/// `GET /organisations/new`.
pub async fn new_form(_actor: Can<can::ManageParties>, ui: Ui) -> Response {
    answer(OrganisationPage {
        ui,
        organisation: None,
        form: OrganisationForm {
            status: OrgStatus::Active.as_str().into(),
            ..OrganisationForm::default()
        },
        fb: Feedback::none(),
        failed: "",
        can_manage: true,
        statuses: OrgStatus::ALL,
    })
}

/// The status, reason and end date of a form, read as the API's fields.
fn status_fields(
    f: &mut Fields,
    form: &OrganisationForm,
) -> (Option<OrgStatus>, Option<String>, Option<chrono::NaiveDate>) {
    let status = (!form.status.trim().is_empty())
        .then(|| f.choice("status", &form.status, OrgStatus::parse))
        .flatten();
    let reason = f.opt_text(&form.status_reason);
    let until = f.opt_date("status_until", &form.status_until);
    (status, reason, until)
}

/// `POST /organisations`: the service of `POST /api/v1/organisations`.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageParties>,
    ui: Ui,
    Form(form): Form<OrganisationForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let (status, status_reason, status_until) = status_fields(&mut f, &form);
    let new = NewOrganisation {
        name: form.name.clone(),
        credit_code: form.credit_code.trim().to_uppercase(),
        contact_email: form.contact_email.clone(),
        status,
        status_reason,
        status_until,
    };
    let created = match f.finish() {
        Ok(()) => parties::create_organisation(&st, &actor, new).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(o) => Ok(done(
            jar,
            &format!("/organisations/{}", o.id),
            "flash-organisation-created",
        )),
        Err(e) => Ok(answer(OrganisationPage {
            fb: Feedback::refused(&ui, e)?,
            ui,
            organisation: None,
            form,
            failed: "new",
            can_manage: true,
            statuses: OrgStatus::ALL,
        })),
    }
}

async fn organisation_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Option<(&'static str, OrganisationForm)>,
    fb: Feedback,
) -> ApiResult<Response> {
    let o = parties::get_organisation(st, actor, id).await?;
    let (failed, form) = match typed {
        Some((failed, form)) => (failed, form),
        None => ("", o.clone().into()),
    };
    Ok(answer(OrganisationPage {
        ui,
        organisation: Some(o),
        form,
        fb,
        failed,
        can_manage: actor.require(Action::ManageParties).is_ok(),
        statuses: OrgStatus::ALL,
    }))
}

/// `GET /organisations/{id}` (404 for another organisation's staff, as the API).
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadOrganisations>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    organisation_page(&st, &actor, ui, id, None, Feedback::none()).await
}

/// The refusal of one of an organisation page's forms shown on the page, or its redirect.
async fn changed(
    st: &AppState,
    actor: &Actor,
    (jar, ui): (CookieJar, Ui),
    id: Uuid,
    out: ApiResult<Organisation>,
    (failed, form, flash): (&'static str, OrganisationForm, &'static str),
) -> ApiResult<Response> {
    match out {
        Ok(_) => Ok(done(jar, &format!("/organisations/{id}"), flash)),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            // What the other form shows stays as stored.
            let stored: OrganisationForm = parties::get_organisation(st, actor, id).await?.into();
            let form = match failed {
                "status" => OrganisationForm {
                    status: form.status,
                    status_reason: form.status_reason,
                    status_until: form.status_until,
                    ..stored
                },
                _ => OrganisationForm {
                    name: form.name,
                    contact_email: form.contact_email,
                    ..stored
                },
            };
            organisation_page(st, actor, ui, id, Some((failed, form)), fb).await
        }
    }
}

/// `POST /organisations/{id}`: `PATCH /api/v1/organisations/{id} {name, contact_email}`.
pub async fn update(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageParties>,
    _seen: Seen<kind::Organisation>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<OrganisationForm>,
) -> ApiResult<Response> {
    let patch = OrganisationPatch {
        name: Some(form.name.clone()),
        contact_email: Some(form.contact_email.clone()),
        status: None,
        status_reason: None,
        status_until: None,
    };
    let out = parties::update_organisation(&st, &actor, id, patch).await;
    let typed = ("details", form, "flash-organisation-saved");
    changed(&st, &actor, (jar, ui), id, out, typed).await
}

/// `POST /organisations/{id}/status`: `PATCH /api/v1/organisations/{id} {status,
/// status_reason, status_until}` (a suspension or blacklisting needs its reason).
pub async fn change_status(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageParties>,
    _seen: Seen<kind::Organisation>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<OrganisationForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let (status, status_reason, status_until) = status_fields(&mut f, &form);
    if status.is_none() && form.status.trim().is_empty() {
        f.choice("status", "", OrgStatus::parse);
    }
    let patch = OrganisationPatch {
        name: None,
        contact_email: None,
        status,
        status_reason,
        status_until,
    };
    let out = match f.finish() {
        Ok(()) => parties::update_organisation(&st, &actor, id, patch).await,
        Err(e) => Err(e),
    };
    let typed = ("status", form, "flash-organisation-status-changed");
    changed(&st, &actor, (jar, ui), id, out, typed).await
}
