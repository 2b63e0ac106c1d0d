//! `/notifications`: the user's own notifications, newest first — what the mail said, in the
//! app.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};

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
    /// When the user had last opened this page: those created after it are marked new.
    pub seen_before: Option<DateTime<Utc>>,
}

impl NotificationsPage {
    /// Whether the user sees `n` for the first time here.
    pub fn is_new(&self, n: &Notification) -> bool {
        self.seen_before.is_none_or(|seen| n.created_at > seen)
    }
}

/// `GET /notifications`: the list, then the time the user saw it (the header's badge counts
/// from then on).
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadNotifications>,
    mut ui: Ui,
) -> ApiResult<NotificationsPage> {
    let items = outbox::recent(&st, &actor, SHOWN).await?;
    outbox::mark_seen(&st, &actor).await?;
    // They are on the page: nothing is unseen any more.
    ui.unread = 0;
    Ok(NotificationsPage {
        ui,
        items,
        seen_before: actor.user.notifications_seen_at,
    })
}
