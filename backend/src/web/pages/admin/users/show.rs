//! A user's page (`/users/{id}`): the account, and for an admin the forms that change it
//! ([`super::actions`] posts them), a refused one kept as typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use entity::rules::vocab::Role;
use uuid::Uuid;

use super::UserRow;
use crate::auth::{Action, Actor, Can, can};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::users;
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::pages::admin::{Parties, feedback_of};
use crate::web::ui::Ui;

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

pub(super) async fn user_page(
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
