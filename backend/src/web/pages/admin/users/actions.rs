//! The forms of a user's page, one handler each (role, password reset, deactivation,
//! approver): each is `PATCH /api/v1/users/{id}` with the one field it sets, then back to the
//! page with a message, or the page again with the refusal.

use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::Role;
use serde::Deserialize;
use uuid::Uuid;

use super::show::{Typed, user_page};
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::users::{self, User, UserPatch};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::admin::opt_id;
use crate::web::pages::done;
use crate::web::ui::Ui;

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
