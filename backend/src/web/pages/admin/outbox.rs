//! `/outbox`: notifications whose delivery failed 8 times (`dead`), newest first, each with
//! its last error, for the admin to put back in the queue (`POST /outbox/{id}/retry`, the
//! service of `POST /api/v1/notifications/{id}/retry`; the API's `RetryNotifications`).

use crate::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::outbox::{self, Notification};
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::pages::session::Empty;
use crate::web::ui::Ui;

/// The routes of the dead notifications' page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(list))
        .route("/outbox/{id}/retry", post(retry))
}

/// The page's cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/admin/outbox.html")]
pub struct OutboxPage {
    pub ui: Ui,
    pub items: Vec<Notification>,
    pub next: Option<String>,
    pub fb: Feedback,
}

impl OutboxPage {
    /// How many times `n` was tried.
    pub fn attempts(&self, n: &Notification) -> i64 {
        i64::from(n.attempts)
    }
}

async fn outbox_page(
    st: &AppState,
    ui: Ui,
    cursor: Option<&str>,
    fb: Feedback,
) -> ApiResult<Response> {
    let (items, next, fb) = match outbox::dead(st, cursor).await {
        Ok(page) => (
            page.items,
            page.next_cursor.map(|c| {
                let c: String = form_urlencoded::byte_serialize(c.as_bytes()).collect();
                format!("/outbox?cursor={c}")
            }),
            fb,
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = OutboxPage {
        ui,
        items,
        next,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /outbox`.
pub async fn list(
    State(st): State<AppState>,
    _actor: Can<can::RetryNotifications>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    outbox_page(&st, ui, q.cursor.as_deref(), Feedback::none()).await
}

/// `POST /outbox/{id}/retry`: back in the queue with its attempts reset (409 unless dead).
pub async fn retry(
    State(st): State<AppState>,
    jar: CookieJar,
    _actor: Can<can::RetryNotifications>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<Empty>,
) -> ApiResult<Response> {
    match outbox::retry(&st, id).await {
        Ok(_) => Ok(done(jar, "/outbox", "flash-notification-retried")),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            outbox_page(&st, ui, None, fb).await
        }
    }
}
