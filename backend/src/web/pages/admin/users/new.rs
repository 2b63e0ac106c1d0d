//! A new user (`/users/new`, `POST /users`): the form, and its creation through the service
//! of `POST /api/v1/users`, or the form again with the refusal (the password never shown
//! back).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{Locale, Role};
use serde::Deserialize;

use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::users::{self, NewUser};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::admin::{Parties, opt_id};
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The new user's fields as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub purchaser_id: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub locale: String,
    /// `true` when the approver box is ticked (absent otherwise).
    #[serde(default)]
    pub approver: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/user_new.html")]
pub struct NewUserPage {
    pub ui: Ui,
    pub form: NewUserForm,
    pub fb: Feedback,
    pub parties: Parties,
    pub roles: &'static [Role],
    pub locales: &'static [Locale],
}

impl NewUserPage {
    /// Messages of refused fields the form has no place for.
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&[
            "email",
            "display_name",
            "role",
            "purchaser_id",
            "organisation_id",
            "password",
            "locale",
            "approver",
        ])
    }

    /// A language's name (in that language).
    pub fn locale_label(&self, l: &Locale) -> String {
        self.ui.t(&format!("lang-name-{}", l.as_str()))
    }
}

async fn new_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    form: NewUserForm,
    fb: Feedback,
) -> ApiResult<Response> {
    let page = NewUserPage {
        parties: Parties::load(st, actor).await?,
        ui,
        form,
        fb,
        roles: Role::ALL,
        locales: Locale::ALL,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /users/new`.
pub async fn new_form(
    State(st): State<AppState>,
    actor: Can<can::ManageUsers>,
    ui: Ui,
) -> ApiResult<Response> {
    let form = NewUserForm {
        locale: Locale::ZhCn.as_str().into(),
        ..NewUserForm::default()
    };
    new_page(&st, &actor, ui, form, Feedback::none()).await
}

/// `POST /users`: the service of `POST /api/v1/users`; the user must change the password at
/// the first sign-in.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageUsers>,
    ui: Ui,
    Form(form): Form<NewUserForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewUser {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        // A refused choice is reported by `finish`: the service is not called then.
        role: f
            .choice("role", &form.role, Role::parse)
            .unwrap_or(Role::Organisation),
        purchaser_id: opt_id(&mut f, "purchaser_id", &form.purchaser_id),
        organisation_id: opt_id(&mut f, "organisation_id", &form.organisation_id),
        password: form.password.clone(),
        locale: (!form.locale.trim().is_empty())
            .then(|| f.choice("locale", &form.locale, Locale::parse))
            .flatten(),
        approver: Some(form.approver == "true"),
    };
    let created = match f.finish() {
        Ok(()) => users::create_user(&st, Some(&actor), new).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(u) => Ok(done(jar, &format!("/users/{}", u.id), "flash-user-created")),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            let form = NewUserForm {
                password: String::new(),
                ..form
            };
            new_page(&st, &actor, ui, form, fb).await
        }
    }
}
