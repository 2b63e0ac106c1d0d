//! `/notifications`: the user's own notifications, newest first — what the mail said, in the
//! app.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::outbox::{self, Notification};
use crate::state::AppState;
use crate::web::ui::Ui;

/// How many notifications the page shows.
const SHOWN: u64 = 50;

/// The routes of the notifications page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/notifications", get(list))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/notifications/list.html")]
pub struct NotificationsPage {
    pub ui: Ui,
    pub items: Vec<Notification>,
}

/// `GET /notifications`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadNotifications>,
    ui: Ui,
) -> ApiResult<NotificationsPage> {
    Ok(NotificationsPage {
        ui,
        items: outbox::recent(&st, &actor, SHOWN).await?,
    })
}
