//! The list of users (`/users`), filtered by role and e-mail as `GET /api/v1/users`, a page at
//! a time, with a link to the new user's form for those who may manage users.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entity::rules::vocab::Role;
use serde::Deserialize;

use super::UserRow;
use crate::auth::{Action, Can, can};
use crate::error::ApiResult;
use crate::services::users::{self, UserFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::pages::admin::list_href;
use crate::web::ui::{Ui, role_label};

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
