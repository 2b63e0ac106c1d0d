//! `/users`: user accounts. Admins and supervisors read them (the API's `ReadUsers`); admins
//! create a user and, on a user's page, change the role, reset the password and deactivate or
//! reactivate (`ManageUsers`), through `services::users` as `POST /api/v1/users` and
//! `PATCH /api/v1/users/{id}` do. A user an admin created or whose password an admin reset must
//! change it at the next sign-in. Here: the routes and a user as the pages show them; the
//! pages and forms in the modules below.

pub mod actions;
pub mod list;
pub mod new;
pub mod show;

use axum::Router;
use axum::routing::{get, post};

use crate::error::ApiResult;
use crate::services::names;
use crate::services::users::User;
use crate::state::AppState;
use crate::web::ui::{Ui, role_label};
use actions::{change_role, reset_password, set_active, set_approver};
use list::list;
use new::{create, new_form};
use show::show;

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
