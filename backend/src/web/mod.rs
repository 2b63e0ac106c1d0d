//! The web interface: pages at `/`, beside the API under `/api/v1`, served from compile-checked
//! templates (`backend/templates/`) and embedded assets (`backend/static/`).
//!
//! A page handler has the API handler's shape: the actor comes from the session cookie through
//! the same [`crate::auth::Actor`], `Can` and `Seen` extractors as the API's bearer token (a
//! request of this router carries [`CookieSession`], so the extractors read the cookie and
//! never a header), then one service call, then a template. Rules live in the services only.
//!
//! Every POST is a plain form that works without JavaScript (POST → redirect → GET). It must
//! come from this site (`Origin`, else `Referer`, matches the host) and carry the CSRF token
//! of its session ([`csrf`]): otherwise 403 and nothing is written. Refusals of the services
//! come back as the problem codes of the API, which the pages show in the user's language;
//! a 401 sends the browser to the sign-in page, a 403 or 404 shows the error page
//! ([`errors::error_pages`]).

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod feedback;
pub mod form;
pub mod pages;
pub mod ui;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;

pub use crate::auth::actor::{CookieSession, SESSION_COOKIE};
use crate::state::AppState;

/// The language of a visitor who is not signed in (`zh-CN` or `en`).
pub const LANG_COOKIE: &str = "huimin_lang";
/// The catalogue key of the message shown once on the next page (after a redirect).
pub const FLASH_COOKIE: &str = "huimin_flash";

/// The pages and their assets, with the layers every page needs.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/login",
            get(pages::session::login_form).post(pages::session::login),
        )
        .route("/logout", post(pages::session::logout))
        .route("/profile", get(pages::profile::profile))
        .route("/profile/password", post(pages::profile::change_password))
        .route("/profile/language", post(pages::profile::change_language))
        .route("/assets/{*name}", get(assets::serve))
        .merge(pages::budget_lines::routes())
        .merge(pages::tenders::routes())
        .merge(pages::contracts::routes())
        .merge(pages::reviews::routes())
        .merge(pages::reporting::routes())
        .merge(pages::payments::routes())
        .merge(pages::payment_requests::routes())
        .merge(pages::findings::routes())
        .merge(pages::notifications::routes())
        .merge(pages::spending::routes())
        .merge(pages::dossier::routes())
        .merge(pages::audit::routes())
        .merge(pages::jobs::routes())
        .merge(pages::admin::routes())
        .fallback(errors::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            wake_sealer_after_form,
        ))
        .layer(middleware::from_fn(csrf::same_origin))
        .layer(middleware::from_fn(cookie_session))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            errors::error_pages,
        ))
        // Pages and assets travel compressed to a browser that accepts it (a village phone on
        // a weak connection): brotli, else gzip, at a level cheap enough for every answer.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
}

/// A form that changed something (any POST not refused) is a write like an API write's (see
/// [`AppState::wrote`]).
async fn wake_sealer_after_form(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let write = req.method() == axum::http::Method::POST;
    let res = next.run(req).await;
    if write && res.status().as_u16() < 400 {
        st.wrote();
    }
    res
}

/// Marks the request as a page's: its actor comes from the session cookie.
async fn cookie_session(mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(CookieSession);
    next.run(req).await
}

/// Nothing but this server is ever asked for anything: a county intranet has no internet.
const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
                   form-action 'self'; base-uri 'none'";

/// Headers every page carries (the public pages too): the content security policy and friends.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}
