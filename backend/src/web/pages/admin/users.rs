//! `/users`: user accounts. Admins and supervisors read them (the API's `ReadUsers`); admins
//! create a user and, on a user's page, change the role, reset the password and deactivate or
//! reactivate (`ManageUsers`), through `services::users` as `POST /api/v1/users` and
//! `PATCH /api/v1/users/{id}` do. A user an admin created or whose password an admin reset must
//! change it at the next sign-in.

use crate::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{Locale, Role};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Action, Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::names;
use crate::services::users::{self, NewUser, User, UserFilter, UserPatch};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::admin::{Parties, feedback_of, list_href, opt_id};
use crate::web::pages::done;
use crate::web::ui::{Ui, role_label};

/// The routes of the user pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(show))
        .route("/users/{id}/role", post(change_role))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/active", post(set_active))
        .route("/users/{id}/approver", post(set_approver))
}

/// A user as the pages show it, with the name of their purchaser or organisation.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: User,
    pub role: String,
    pub party: String,
}

impl UserRow {
    async fn load(st: &AppState, ui: &Ui, list: Vec<User>) -> ApiResult<Vec<Self>> {
        let (p, o) = tokio::try_join!(
            names::purchasers(&st.db, list.iter().filter_map(|u| u.purchaser_id)),
            names::organisations(&st.db, list.iter().filter_map(|u| u.organisation_id)),
        )?;
        Ok(list
            .into_iter()
            .map(|user| UserRow {
                role: role_label(ui.locale, user.role),
                party: user
                    .purchaser_id
                    .and_then(|id| p.get(&id))
                    .or_else(|| user.organisation_id.and_then(|id| o.get(&id)))
                    .cloned()
                    .unwrap_or_default(),
                user,
            })
            .collect())
    }
}

/// The list's filters as typed, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub email: String,
    pub cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/users.html")]
pub struct UsersPage {
    pub ui: Ui,
    pub q: ListQuery,
    pub fb: Feedback,
    pub rows: Vec<UserRow>,
    pub next: Option<String>,
    pub can_manage: bool,
    pub roles: &'static [Role],
}

impl UsersPage {
    /// The roles of the filter: (word, name).
    pub fn role_options(&self) -> Vec<(String, String)> {
        self.roles
            .iter()
            .map(|r| (r.as_str().to_string(), role_label(self.ui.locale, *r)))
            .collect()
    }

    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(&["role", "email"])
    }
}

/// `GET /users`: filtered by role and e-mail as the API's list, a page at a time.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadUsers>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let found = async {
        let mut f = Fields::default();
        let role = (!q.role.trim().is_empty())
            .then(|| f.choice("role", &q.role, Role::parse))
            .flatten();
        let email = f.opt_text(&q.email);
        f.finish()?;
        let filter = UserFilter {
            role,
            purchaser_id: None,
            organisation_id: None,
            email,
            limit: Some(50),
            cursor: q.cursor.clone(),
        };
        users::list_users(&st, filter).await
    }
    .await;
    let (rows, next, fb) = match found {
        Ok(page) => (
            UserRow::load(&st, &ui, page.items).await?,
            page.next_cursor
                .map(|c| list_href("/users", &[("role", &q.role), ("email", &q.email)], &c)),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = UsersPage {
        can_manage: actor.require(Action::ManageUsers).is_ok(),
        ui,
        q,
        fb,
        rows,
        next,
        roles: Role::ALL,
    };
    Ok((page.fb.status, page).into_response())
}

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

/// What the admin typed in the refused form of a user's page.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    /// `role`, `password`, `active` or `approver`; empty on a first visit.
    pub form: &'static str,
    pub role: String,
    pub purchaser_id: String,
    pub organisation_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/user.html")]
pub struct UserPage {
    pub ui: Ui,
    pub row: UserRow,
    pub can_manage: bool,
    pub parties: Parties,
    pub roles: &'static [Role],
    pub typed: Typed,
    pub fb: Feedback,
    /// The page is the admin's own account (no deactivation offered).
    pub own: bool,
}

impl UserPage {
    /// The name of the user's language.
    pub fn locale_name(&self) -> String {
        self.ui
            .t(&format!("lang-name-{}", self.row.user.locale.as_str()))
    }

    /// The feedback of one of the page's forms.
    pub fn fb_of(&self, form: &str) -> Feedback {
        feedback_of(&self.fb, self.typed.form, form)
    }

    /// The role the role form shows: as typed when it was refused, else the user's.
    pub fn role_shown(&self) -> String {
        if self.typed.form == "role" {
            self.typed.role.clone()
        } else {
            self.row.user.role.as_str().to_string()
        }
    }

    /// Whether the user is a finance officer, who may be an approver (SPEC §9).
    pub fn officer(&self) -> bool {
        self.row.user.role == Role::FinanceOfficer
    }

    /// The purchaser the role form shows (an id, or blank).
    pub fn purchaser_shown(&self) -> String {
        if self.typed.form == "role" {
            self.typed.purchaser_id.clone()
        } else {
            self.row
                .user
                .purchaser_id
                .map(|id| id.to_string())
                .unwrap_or_default()
        }
    }

    /// The organisation the role form shows (an id, or blank).
    pub fn organisation_shown(&self) -> String {
        if self.typed.form == "role" {
            self.typed.organisation_id.clone()
        } else {
            self.row
                .user
                .organisation_id
                .map(|id| id.to_string())
                .unwrap_or_default()
        }
    }
}

async fn user_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Typed,
    fb: Feedback,
) -> ApiResult<Response> {
    let user = users::get_user(st, id).await?;
    let can_manage = actor.require(Action::ManageUsers).is_ok();
    let parties = if can_manage {
        Parties::load(st, actor).await?
    } else {
        Parties::default()
    };
    let row = UserRow::load(st, &ui, vec![user])
        .await?
        .pop()
        .ok_or(crate::error::ApiError::NotFound)?;
    let page = UserPage {
        own: id == actor.id(),
        ui,
        row,
        can_manage,
        parties,
        roles: Role::ALL,
        typed,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /users/{id}`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadUsers>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    user_page(&st, &actor, ui, id, Typed::default(), Feedback::none()).await
}

/// The answer to one of a user page's forms: back to the page with its message, or the page
/// again with the refusal.
async fn answer(
    st: &AppState,
    actor: &Actor,
    (jar, ui): (CookieJar, Ui),
    id: Uuid,
    out: ApiResult<User>,
    flash: &'static str,
    typed: Typed,
) -> ApiResult<Response> {
    match out {
        Ok(_) => Ok(done(jar, &format!("/users/{id}"), flash)),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            user_page(st, actor, ui, id, typed, fb).await
        }
    }
}

/// A patch of nothing but what a form sets.
fn patch() -> UserPatch {
    UserPatch {
        display_name: None,
        role: None,
        purchaser_id: None,
        organisation_id: None,
        active: None,
        password: None,
        locale: None,
        approver: None,
    }
}

/// The role form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub purchaser_id: String,
    #[serde(default)]
    pub organisation_id: String,
}

/// `POST /users/{id}/role`: `PATCH /api/v1/users/{id} {role, purchaser_id?,
/// organisation_id?}` (the user's sessions end).
pub async fn change_role(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageUsers>,
    _seen: Seen<kind::User>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<RoleForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let p = UserPatch {
        role: f.choice("role", &form.role, Role::parse),
        purchaser_id: opt_id(&mut f, "purchaser_id", &form.purchaser_id),
        organisation_id: opt_id(&mut f, "organisation_id", &form.organisation_id),
        ..patch()
    };
    let out = match f.finish() {
        Ok(()) => users::update_user(&st, &actor, id, p).await,
        Err(e) => Err(e),
    };
    let typed = Typed {
        form: "role",
        role: form.role,
        purchaser_id: form.purchaser_id,
        organisation_id: form.organisation_id,
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        "flash-user-role-changed",
        typed,
    )
    .await
}

/// The password reset's field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    #[serde(default)]
    pub password: String,
}

/// `POST /users/{id}/password`: `PATCH /api/v1/users/{id} {password}`: the user's sessions end
/// and they must change it at the next sign-in.
pub async fn reset_password(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageUsers>,
    _seen: Seen<kind::User>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    let p = UserPatch {
        password: Some(form.password),
        ..patch()
    };
    let out = users::update_user(&st, &actor, id, p).await;
    let typed = Typed {
        form: "password",
        ..Typed::default()
    };
    answer(
        &st,
        &actor,
        (jar, ui),
        id,
        out,
        "flash-user-password-reset",
        typed,
    )
    .await
}

/// The activation form's field: `true` or `false`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveForm {
    #[serde(default)]
    pub active: String,
}

/// `POST /users/{id}/active`: `PATCH /api/v1/users/{id} {active}` (deactivating ends the
/// user's sessions; nobody deactivates themselves).
pub async fn set_active(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageUsers>,
    _seen: Seen<kind::User>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ActiveForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let active = f.choice("active", &form.active, |v| match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    });
    let out = match f.finish() {
        Ok(()) => {
            let p = UserPatch { active, ..patch() };
            users::update_user(&st, &actor, id, p).await
        }
        Err(e) => Err(e),
    };
    let flash = if active == Some(false) {
        "flash-user-deactivated"
    } else {
        "flash-user-reactivated"
    };
    let typed = Typed {
        form: "active",
        ..Typed::default()
    };
    answer(&st, &actor, (jar, ui), id, out, flash, typed).await
}

/// The approver form's box: `true` when ticked (absent otherwise).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproverForm {
    #[serde(default)]
    pub approver: String,
}

/// `POST /users/{id}/approver`: `PATCH /api/v1/users/{id} {approver}` (finance officers only:
/// the service refuses others, 422 on `approver`).
pub async fn set_approver(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageUsers>,
    _seen: Seen<kind::User>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ApproverForm>,
) -> ApiResult<Response> {
    let approver = form.approver == "true";
    let p = UserPatch {
        approver: Some(approver),
        ..patch()
    };
    let out = users::update_user(&st, &actor, id, p).await;
    let typed = Typed {
        form: "approver",
        ..Typed::default()
    };
    let flash = if approver {
        "flash-user-approver-on"
    } else {
        "flash-user-approver-off"
    };
    answer(&st, &actor, (jar, ui), id, out, flash, typed).await
}
