//! The admin's workspace (UI.md §2): users, purchasers, organisations, dead notifications and
//! the admin's home. Every page reads and every form writes through the services of the JSON
//! API with its policy extractors (`ManageUsers`, `ManageParties`, `RetryNotifications` …), so
//! a page answers whom the API answers and refuses whom it refuses: a supervisor reads users
//! and parties as the API lets them, and any admin form answers them 403, nothing written.

pub mod home;
pub mod organisations;
pub mod outbox;
pub mod purchasers;
pub mod users;

use axum::Router;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::services::parties::{self, OrganisationFilter, PurchaserFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};

/// The routes of the admin's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(purchasers::routes())
        .merge(organisations::routes())
        .merge(outbox::routes())
}

/// The purchasers and organisations a form offers (a user's party), by name: the first
/// [`crate::pagination::MAX_LIMIT`] of each, one query each.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    pub purchasers: Vec<(Uuid, String)>,
    pub organisations: Vec<(Uuid, String)>,
}

impl Parties {
    pub async fn load(st: &AppState, actor: &Actor) -> ApiResult<Self> {
        let limit = Some(crate::pagination::MAX_LIMIT);
        let (p, o) = tokio::try_join!(
            parties::list_purchasers(
                st,
                PurchaserFilter {
                    division_code: None,
                    limit,
                    cursor: None,
                },
            ),
            parties::list_organisations(
                st,
                actor,
                OrganisationFilter {
                    status: None,
                    credit_code: None,
                    limit,
                    cursor: None,
                },
            ),
        )?;
        let mut purchasers: Vec<_> = p.items.into_iter().map(|p| (p.id, p.name)).collect();
        let mut organisations: Vec<_> = o.items.into_iter().map(|o| (o.id, o.name)).collect();
        purchasers.sort_by(|a, b| a.1.cmp(&b.1));
        organisations.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Parties {
            purchasers,
            organisations,
        })
    }
}

/// An optional id from a select (blank: none).
pub fn opt_id(f: &mut Fields, field: &str, raw: &str) -> Option<Uuid> {
    (!raw.trim().is_empty()).then(|| f.id(field, raw))
}

/// The feedback of the form `form` of a page with several forms, empty unless that one was
/// refused.
pub fn feedback_of(fb: &Feedback, failed: &str, form: &str) -> Feedback {
    if failed == form {
        fb.clone()
    } else {
        Feedback::none()
    }
}

/// The address of a list page with its filters at `cursor` (the blank filters left out).
pub fn list_href(path: &str, filters: &[(&str, &str)], cursor: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in filters {
        if !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
    q.append_pair("cursor", cursor);
    format!("{path}?{}", q.finish())
}
