//! The pages, one module per area, each with its template under `backend/templates/pages/`.

pub mod admin;
pub mod audit;
pub mod budget_lines;
pub mod contract_page;
pub mod contracts;
pub mod dossier;
pub mod findings;
pub mod home;
pub mod jobs;
pub mod notifications;
pub mod payment_requests;
pub mod payments;
pub mod profile;
pub mod public;
pub mod reporting;
pub mod reviews;
pub mod session;
pub mod spending;
pub mod supervisor_home;
pub mod tenders;

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::web::FLASH_COOKIE;

/// A redirect after a successful form (POST → redirect → GET), with the message the next page
/// shows once (a catalogue key starting with `flash-`).
pub fn done(jar: CookieJar, to: &str, flash: &'static str) -> Response {
    let jar = jar.add(
        Cookie::build((FLASH_COOKIE, flash))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax),
    );
    (jar, Redirect::to(to)).into_response()
}

/// A local path to return to after a form (`next`): anything else (another site, `//host`)
/// is the home page.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    }
}
