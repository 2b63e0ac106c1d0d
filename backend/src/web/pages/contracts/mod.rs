//! The contracts pages of the finance officer's workspace (UI.md §2): the list, a direct award,
//! and the tabs of a contract's page this module owns (overview, milestones and indicators,
//! posts with the organisation's staffing forms, post funding, history). Each form follows
//! the pattern of [`crate::web::pages::budget_lines`]: the service of the API route does the work, a refusal
//! shows the page again with its messages and the API's status.

pub mod history;
pub mod list;
pub mod milestones;
pub mod overview;
pub mod posts;
pub mod staffing;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// The routes of the contracts pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(list::list).post(list::create))
        .route("/contracts/new", get(list::new_form))
        .route("/contracts/{id}", get(overview::show))
        .route("/contracts/{id}/sign", post(overview::sign))
        .route("/contracts/{id}/cancel", post(overview::cancel))
        .route("/contracts/{id}/amendments", post(overview::amend))
        .route("/contracts/{id}/terminate", post(overview::terminate))
        .route("/contracts/{id}/complete", post(overview::complete))
        .route(
            "/contracts/{id}/milestones",
            get(milestones::show).post(milestones::create),
        )
        .route(
            "/contracts/{id}/indicators",
            post(milestones::add_indicator),
        )
        .route("/milestones/{id}/cancel", post(milestones::cancel))
        .route(
            "/contracts/{id}/posts",
            get(posts::show).post(posts::create),
        )
        .route("/posts/{id}/assignments", post(staffing::assign))
        .route("/posts/{id}/assignments/{aid}/end", post(staffing::end))
        .route("/contracts/{id}/post-funding", get(posts::funding))
        .route("/contracts/{id}/history", get(history::show))
}

/// Which of a page's forms was refused, with what it says; the page's other forms show
/// nothing.
#[derive(Debug, Default)]
pub struct Forms {
    failed: Option<(&'static str, Feedback)>,
    none: Feedback,
}

impl Forms {
    /// A first visit: no form refused.
    pub fn none() -> Self {
        Self::default()
    }

    /// The form `name` was refused with `e` (translated; errors no form can fix stay errors).
    pub fn refused(ui: &Ui, name: &'static str, e: ApiError) -> ApiResult<Self> {
        Ok(Forms {
            failed: Some((name, Feedback::refused(ui, e)?)),
            none: Feedback::none(),
        })
    }

    /// What the form `name` shows.
    pub fn fb(&self, name: &str) -> &Feedback {
        match &self.failed {
            Some((n, fb)) if *n == name => fb,
            _ => &self.none,
        }
    }

    /// Whether the form `name` was the one refused (to keep what was typed, or open it).
    pub fn is(&self, name: &str) -> bool {
        matches!(&self.failed, Some((n, _)) if *n == name)
    }

    /// The status of the page: the refusal's, else 200.
    pub fn status(&self) -> StatusCode {
        self.failed
            .as_ref()
            .map_or(StatusCode::OK, |(_, fb)| fb.status)
    }
}

/// What became of a form's action: on success the redirect to `to` with its message, else
/// the refusal of the page's form `form` to show.
pub fn settle<T>(
    ui: &Ui,
    jar: CookieJar,
    result: ApiResult<T>,
    to: &str,
    flash: &'static str,
    form: &'static str,
) -> ApiResult<Result<Response, Forms>> {
    match result {
        Ok(_) => Ok(Ok(done(jar, to, flash))),
        Err(e) => Forms::refused(ui, form, e).map(Err),
    }
}

/// The refusal `e` with the field `from` named `to`: a page with two forms that both have a
/// field the API calls `reason` names one of them differently, so that each input keeps its
/// own id and message.
pub fn renamed(e: ApiError, from: &str, to: &str) -> ApiError {
    match e {
        ApiError::Validation(mut errors) => {
            for f in &mut errors {
                if f.field == from {
                    f.field = to.to_string();
                }
            }
            ApiError::Validation(errors)
        }
        other => other,
    }
}

/// An action without fields: only the form's token.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// A cursor as a link carries it.
pub fn cursor_param(c: Option<String>) -> Option<String> {
    c.map(|c| form_urlencoded::byte_serialize(c.as_bytes()).collect())
}
