//! `/purchasers`: the purchasing units. Everyone reads them (the API's `ReadPurchasers`);
//! admins register one and change its name, division and contact address (`ManageParties`),
//! through `services::parties` as `POST` and `PATCH /api/v1/purchasers` do.

use crate::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Action, Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::parties::{self, NewPurchaser, Purchaser, PurchaserFilter, PurchaserPatch};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::admin::list_href;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The routes of the purchaser pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/purchasers", get(list).post(create))
        .route("/purchasers/new", get(new_form))
        .route("/purchasers/{id}", get(show).post(update))
}

/// The list's filter as typed, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    pub division_code: String,
    pub cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/purchasers.html")]
pub struct PurchasersPage {
    pub ui: Ui,
    pub q: ListQuery,
    pub fb: Feedback,
    pub items: Vec<Purchaser>,
    pub next: Option<String>,
    pub can_manage: bool,
}

impl PurchasersPage {
    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["division_code"])
    }
}

/// `GET /purchasers`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadPurchasers>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let filter = PurchaserFilter {
        division_code: f.opt_text(&q.division_code),
        limit: Some(50),
        cursor: q.cursor.clone(),
    };
    let (items, next, fb) = match parties::list_purchasers(&st, filter).await {
        Ok(page) => (
            page.items,
            page.next_cursor
                .map(|c| list_href("/purchasers", &[("division_code", &q.division_code)], &c)),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = PurchasersPage {
        can_manage: actor.require(Action::ManageParties).is_ok(),
        ui,
        q,
        fb,
        items,
        next,
    };
    Ok((page.fb.status, page).into_response())
}

/// A purchaser's fields as typed (the new one's, or the changed one's).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub contact_email: String,
}

impl From<Purchaser> for PurchaserForm {
    fn from(p: Purchaser) -> Self {
        PurchaserForm {
            name: p.name,
            division_code: p.division_code,
            contact_email: p.contact_email,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/purchaser.html")]
pub struct PurchaserPage {
    pub ui: Ui,
    /// `None`: the form of a new purchaser.
    pub purchaser: Option<Purchaser>,
    pub form: PurchaserForm,
    pub fb: Feedback,
    pub can_manage: bool,
}

impl PurchaserPage {
    /// Where the form posts.
    pub fn action(&self) -> String {
        match &self.purchaser {
            Some(p) => format!("/purchasers/{}", p.id),
            None => "/purchasers".into(),
        }
    }

    /// Messages of refused fields the form has no place for.
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["name", "division_code", "contact_email"])
    }
}

fn answer(page: PurchaserPage) -> Response {
    (page.fb.status, page).into_response()
}

/// `GET /purchasers/new`.
pub async fn new_form(_actor: Can<can::ManageParties>, ui: Ui) -> Response {
    answer(PurchaserPage {
        ui,
        purchaser: None,
        form: PurchaserForm::default(),
        fb: Feedback::none(),
        can_manage: true,
    })
}

/// `POST /purchasers`: the service of `POST /api/v1/purchasers`.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageParties>,
    ui: Ui,
    Form(form): Form<PurchaserForm>,
) -> ApiResult<Response> {
    let new = NewPurchaser {
        name: form.name.clone(),
        division_code: form.division_code.trim().to_string(),
        contact_email: form.contact_email.clone(),
    };
    match parties::create_purchaser(&st, &actor, new).await {
        Ok(p) => Ok(done(
            jar,
            &format!("/purchasers/{}", p.id),
            "flash-purchaser-created",
        )),
        Err(e) => Ok(answer(PurchaserPage {
            fb: Feedback::refused(&ui, e)?,
            ui,
            purchaser: None,
            form,
            can_manage: true,
        })),
    }
}

async fn purchaser_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    form: Option<PurchaserForm>,
    fb: Feedback,
) -> ApiResult<Response> {
    let p = parties::get_purchaser(st, id).await?;
    Ok(answer(PurchaserPage {
        ui,
        form: form.unwrap_or_else(|| p.clone().into()),
        purchaser: Some(p),
        fb,
        can_manage: actor.require(Action::ManageParties).is_ok(),
    }))
}

/// `GET /purchasers/{id}`: the purchaser, and for an admin its form.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadPurchasers>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    purchaser_page(&st, &actor, ui, id, None, Feedback::none()).await
}

/// `POST /purchasers/{id}`: the service of `PATCH /api/v1/purchasers/{id}` with the form's
/// three fields.
pub async fn update(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageParties>,
    _seen: Seen<kind::Purchaser>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<PurchaserForm>,
) -> ApiResult<Response> {
    let patch = PurchaserPatch {
        name: Some(form.name.clone()),
        division_code: Some(form.division_code.trim().to_string()),
        contact_email: Some(form.contact_email.clone()),
    };
    match parties::update_purchaser(&st, &actor, id, patch).await {
        Ok(_) => Ok(done(
            jar,
            &format!("/purchasers/{id}"),
            "flash-purchaser-saved",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            purchaser_page(&st, &actor, ui, id, Some(form), fb).await
        }
    }
}
