//! Cross-site request forgery, refused twice: every POST must come from this site (its `Origin`,
//! or when a browser sends none its `Referer`, names the host it was sent to), and every form
//! carries a token another site cannot know: for a signed-in user an HMAC of the session with
//! the server's secret (so it ends with the session), for a visitor (the sign-in form) a random
//! value also set as a cookie. Either refusal answers 403 before anything is read or written.

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::ApiError;
use crate::web::ui::cookie;

/// The cookie holding a visitor's token (before sign-in).
pub const VISITOR_COOKIE: &str = "huimin_csrf";
/// The form field carrying the token.
pub const FIELD: &str = "_csrf";

/// The refusal of a forged or stale form.
pub fn refused() -> ApiError {
    ApiError::ForbiddenBecause {
        code: "csrf",
        detail: "the form's origin or token is missing or wrong; reload the page",
    }
}

/// The token of a session's forms.
pub fn session_token(secret: &[u8], session: Uuid) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"huimin-csrf:");
    mac.update(session.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..20])
}

/// The visitor's token, from its cookie.
pub fn visitor_token(parts: &Parts) -> Option<String> {
    cookie(parts, VISITOR_COOKIE)
        .filter(|t| t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string)
}

/// A new random visitor token.
pub fn new_visitor_token() -> String {
    hex::encode(rand::random::<[u8; 20]>())
}

/// Whether two tokens are equal, in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses (403) a request that changes something and does not come from this site.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    let source = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok());
    let from_here = match (host, source) {
        (Some(host), Some(url)) => {
            let authority = match url.port() {
                Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_string(),
            };
            authority.to_ascii_lowercase() == host
        }
        _ => false,
    };
    if !from_here {
        return refused().into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_token_is_its_own_and_compared_in_full() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let t = session_token(b"k".repeat(32).as_slice(), a);
        assert_eq!(t.len(), 40);
        assert_eq!(t, session_token(b"k".repeat(32).as_slice(), a));
        assert_ne!(t, session_token(b"k".repeat(32).as_slice(), b));
        assert_ne!(t, session_token(b"j".repeat(32).as_slice(), a));
        assert!(same(&t, &t.clone()));
        assert!(!same(&t, &t[..39]));
        assert!(!same(&t, &new_visitor_token()));
    }
}
