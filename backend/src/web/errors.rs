//! The web interface's answers to refusals. A page handler refuses as the API does (the same
//! [`ApiError`]s, as problem documents); this layer turns them into what a browser needs: no
//! session → the sign-in page (then back); a password to change first → the profile page;
//! 403, 404 and the rest → an error page in the visitor's language with the translated
//! refusal. It also forgets the one-time message of the last action once a page showed it.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::to_bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;
use crate::state::AppState;
use crate::web::ui::{Ui, cookie, visitor_locale};
use crate::web::{FLASH_COOKIE, csrf};

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ui: Ui,
    pub status: u16,
    pub title: String,
    pub message: String,
}

/// Renders refusals of the pages for a browser (see the module's text).
pub async fn error_pages(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // What the error page needs to show its header as on any page (the user, the language).
    let headers = parts.headers.clone();
    let locale = visitor_locale(&parts);
    let had_flash = cookie(&parts, FLASH_COOKIE).is_some();
    let visitor_csrf = csrf::visitor_token(&parts).unwrap_or_default();
    let (path, method) = (parts.uri.path().to_string(), parts.method.clone());
    let query = parts.uri.query().map(str::to_string);
    let res = next.run(Request::from_parts(parts, body)).await;
    // The API's unknown paths fall back here too: they keep their problem documents.
    if path.starts_with("/api/") {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        let mut res = res;
        if had_flash && method == Method::GET && res.status().is_success() {
            res.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static("huimin_flash=; Path=/; Max-Age=0; SameSite=Lax"),
            );
        }
        return res;
    }
    let status = res.status();
    let problem: serde_json::Value = to_bytes(res.into_body(), 64 * 1024)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let code = problem["code"].as_str().unwrap_or("internal").to_string();
    if status == StatusCode::UNAUTHORIZED {
        let back = match (&method, query) {
            (&Method::GET, Some(q)) => format!("{path}?{q}"),
            (&Method::GET, None) => path.clone(),
            _ => "/".to_string(),
        };
        let next = form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    if code == "password.change_required" {
        return Redirect::to("/profile").into_response();
    }
    let ui = signed_in_ui(&st, &headers, &path).await.unwrap_or(Ui {
        locale,
        user: None,
        csrf: visitor_csrf,
        flash: None,
        path,
        tz: st.config.tz,
        unread: 0,
    });
    let title = ui.t(match status.as_u16() {
        403 => "error-title-403",
        404 => "error-title-404",
        _ => "error-title-other",
    });
    let message = ui.t(&jobs::i18n::error_key(&code));
    let page = ErrorPage {
        ui,
        status: status.as_u16(),
        title,
        message,
    };
    let mut res = page.into_response();
    *res.status_mut() = status;
    if let Some(retry) = problem_retry_after(&problem, status) {
        res.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    res
}

/// The page context of the signed-in user who met the error, so that the error page keeps the
/// header of every page (their name, the language switch, sign out); `None` for a visitor.
async fn signed_in_ui(st: &AppState, headers: &axum::http::HeaderMap, path: &str) -> Option<Ui> {
    let mut probe = Request::new(axum::body::Body::empty());
    *probe.headers_mut() = headers.clone();
    probe.extensions_mut().insert(crate::web::CookieSession);
    let (mut parts, _) = probe.into_parts();
    let mut ui = Ui::from_request_parts(&mut parts, st).await.ok()?;
    ui.user.as_ref()?;
    ui.path = path.to_string();
    ui.flash = None;
    Some(ui)
}

/// The wait a 429 or 503 asked for, kept on the page's answer.
fn problem_retry_after(problem: &serde_json::Value, status: StatusCode) -> Option<HeaderValue> {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
    .then(|| {
        problem["detail"]
            .as_str()
            .and_then(|d| d.split_whitespace().find_map(|w| w.parse::<u64>().ok()))
            .unwrap_or(1)
    })
    .map(HeaderValue::from)
}

/// The fallback of the web interface: its 404 page.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
