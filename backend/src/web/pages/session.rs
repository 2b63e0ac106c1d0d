//! Signing in and out with the session cookie. A sign-in opens a session of the same kind as
//! the API's (the same service: hashed, expiring, revocable, throttled the same way) and
//! hands its token to the browser as an HttpOnly, SameSite=Lax cookie (Secure under https).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use entity::rules::vocab::Locale;
use serde::Deserialize;

use crate::auth::Actor;
use crate::auth::client_addr::ClientAddr;
use crate::error::{ApiError, ApiResult};
use crate::services::auth::{self, Login};
use crate::state::AppState;
use crate::web::form::Form;
use crate::web::pages::{done, local_path};
use crate::web::ui::Ui;
use crate::web::{LANG_COOKIE, SESSION_COOKIE, csrf};

#[derive(Template, WebTemplate)]
#[template(path = "pages/login.html")]
pub struct LoginPage {
    pub ui: Ui,
    pub next: String,
    pub email: String,
    pub error: Option<String>,
}

/// `GET /login` query: where to go afterwards, and a language chosen before signing in.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    pub next: Option<String>,
    pub lang: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: Option<String>,
}

/// A cookie for the whole site, out of reach of scripts.
fn site_cookie(st: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(st.config.public_url().starts_with("https://"))
        .build()
}

/// `GET /login`.
pub async fn login_form(
    State(st): State<AppState>,
    jar: CookieJar,
    mut ui: Ui,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = local_path(q.next.as_deref());
    if let Some(locale) = q.lang.as_deref().and_then(Locale::parse) {
        let jar = jar.add(site_cookie(&st, LANG_COOKIE, locale.as_str().into()));
        let to = format!(
            "/login?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        return (jar, Redirect::to(&to)).into_response();
    }
    let mut jar = jar;
    if ui.csrf.is_empty() {
        ui.csrf = csrf::new_visitor_token();
        jar = jar.add(site_cookie(&st, csrf::VISITOR_COOKIE, ui.csrf.clone()));
    }
    let page = LoginPage {
        ui,
        next,
        email: String::new(),
        error: None,
    };
    (jar, page).into_response()
}

/// `POST /login`: a session, or the form again with why not.
pub async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    addr: ClientAddr,
    ui: Ui,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = local_path(f.next.as_deref());
    let req = Login {
        email: f.email.clone(),
        password: f.password,
    };
    match auth::login(&st, req, &addr.0).await {
        Ok(answer) => {
            let jar = jar
                .add(site_cookie(&st, SESSION_COOKIE, answer.token))
                .add(site_cookie(
                    &st,
                    LANG_COOKIE,
                    answer.user.locale.as_str().into(),
                ));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let (status, key) = match &e {
                ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "login-failed".into()),
                other => (other.status(), jobs::i18n::error_key(other.code())),
            };
            let error = Some(ui.t(&key));
            let page = LoginPage {
                ui,
                next,
                email: f.email,
                error,
            };
            let mut res = (status, page).into_response();
            if let ApiError::TooManyRequests { retry_after_secs }
            | ApiError::Busy { retry_after_secs } = e
            {
                res.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
            res
        }
    }
}

/// The sign-out form's fields (none but its token).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `POST /logout`: the session is revoked, the cookie dropped.
pub async fn logout(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Actor,
    Form(_): Form<Empty>,
) -> ApiResult<Response> {
    auth::logout(&st, &actor).await?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(done(jar, "/login", "flash-signed-out"))
}
