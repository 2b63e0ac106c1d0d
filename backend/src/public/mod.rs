//! What guards the public answers (SPEC §8: notices, division pages, open data, their pages
//! and feed), read by anyone without signing in:
//!
//! - **No session**: the request's `Cookie` and `Authorization` headers are removed before any
//!   handler runs and any `Set-Cookie` is removed from the answer, so a public answer is the
//!   same for everyone and never depends on, opens or extends a session.
//! - **Cacheable**: `Cache-Control: public, max-age=60` (pages also `Vary: Accept-Language`).
//! - **Throttled per client address** ([`throttle`]): beyond `HUIMIN_PUBLIC_REQUESTS_PER_MINUTE`
//!   requests in a minute, 429 with `Retry-After` (the seconds left in the minute).
//! - **Answer cache** ([`cache`]): an answer is kept for `HUIMIN_PUBLIC_CACHE_MS` (the 60 s a
//!   client may keep it anyway); a write through this process drops every kept answer at once.

pub mod cache;
pub mod throttle;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use entity::rules::vocab::Locale;

use crate::auth::client_addr::ClientAddr;
use crate::error::codes;
use crate::state::AppState;

/// What every public answer carries.
pub const CACHE_CONTROL: &str = "public, max-age=60";

/// The state the guard keeps in this process (see the module's text).
#[derive(Clone)]
pub struct Guard {
    pub throttle: throttle::Throttle,
    pub cache: cache::AnswerCache,
}

impl Guard {
    /// A guard configured from `HUIMIN_PUBLIC_*`.
    pub fn new(c: &crate::config::Config) -> Self {
        Guard {
            throttle: throttle::Throttle::new(
                c.public_requests_per_minute,
                std::time::Duration::from_millis(c.public_throttle_sync_ms),
            ),
            cache: cache::AnswerCache::new(std::time::Duration::from_millis(c.public_cache_ms)),
        }
    }
}

/// The language a public page is shown in: `?lang=` when given, else the first of
/// `Accept-Language` we speak, else `zh-CN`. Never a cookie: the page is the same for
/// everyone who asks the same way.
pub fn page_locale(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Locale {
    let chosen = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Locale::parse(&v))
    });
    if let Some(l) = chosen {
        return l;
    }
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in accepted.split(',') {
        let tag = tag
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("zh") {
            return Locale::ZhCn;
        }
        if tag.starts_with("en") {
            return Locale::En;
        }
    }
    Locale::ZhCn
}

/// The 429 of a client over its limit: a problem document with `Retry-After`.
fn too_many(retry_after_secs: u64) -> Response {
    let problem = crate::error::Problem {
        type_: "https://huimin.example/problems/too-many-requests".into(),
        title: "Too Many Requests".into(),
        status: 429,
        detail: format!("too many requests from your address; try again in {retry_after_secs} s"),
        code: codes::THROTTLE_TOO_MANY_REQUESTS.into(),
        errors: Vec::new(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut res = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    h.insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs.max(1)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The API's middleware: [`guard`] for the public routes (`/api/v1/public/…`), nothing for the
/// others.
pub async fn guard_api(st: State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(PUBLIC_API) {
        guard(st, req, next).await
    } else {
        next.run(req).await
    }
}

/// Where the public API lives.
pub const PUBLIC_API: &str = "/api/v1/public/";

/// Middleware of every public route (see the module's text).
pub async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let addr = {
        use axum::extract::FromRequestParts;
        match ClientAddr::from_request_parts(&mut parts, &st).await {
            Ok(a) => a.0,
            Err(never) => match never {},
        }
    };
    if let Err(retry) = st.public.throttle.hit(&st.writer, &addr, st.now()).await {
        return too_many(retry);
    }
    parts.headers.remove(header::COOKIE);
    parts.headers.remove(header::AUTHORIZATION);
    let page = !parts.uri.path().starts_with("/api/");
    let key = (parts.method == Method::GET).then(|| {
        let mut k = parts.uri.to_string();
        if page {
            k.push('|');
            k.push_str(page_locale(&parts.uri, &parts.headers).as_str());
        }
        k
    });
    let req = Request::from_parts(parts, body);
    let mut res = match key {
        Some(key) => st.public.cache.answer(key, next.run(req)).await,
        None => next.run(req).await,
    };
    let h = res.headers_mut();
    h.remove(header::SET_COOKIE);
    if res.status().is_success() || res.status() == StatusCode::NOT_FOUND {
        let h = res.headers_mut();
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
        if page {
            h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        }
    }
    res
}
