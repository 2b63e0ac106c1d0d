//! `/profile`: one's own password and language. A user an admin gave a password lands here
//! and may do nothing else until it is changed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use entity::rules::vocab::Locale;
use serde::Deserialize;

use crate::auth::Actor;
use crate::auth::client_addr::ClientAddr;
use crate::error::{ApiError, ApiResult};
use crate::services::{auth, users};
use crate::state::AppState;
use crate::web::LANG_COOKIE;
use crate::web::form::Form;
use crate::web::pages::{done, local_path};
use crate::web::ui::Ui;

#[derive(Template, WebTemplate)]
#[template(path = "pages/profile.html")]
pub struct ProfilePage {
    pub ui: Ui,
    pub must_change: bool,
    pub current_error: Option<String>,
    pub new_error: Option<String>,
}

/// `GET /profile`.
pub async fn profile(actor: Actor, ui: Ui) -> ProfilePage {
    ProfilePage {
        ui,
        must_change: actor.user.must_change_password,
        current_error: None,
        new_error: None,
    }
}

/// `POST /profile/password`: the same service as `POST /api/v1/me/password`.
pub async fn change_password(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Actor,
    addr: ClientAddr,
    ui: Ui,
    Form(f): Form<auth::PasswordChange>,
) -> ApiResult<Response> {
    match auth::change_password(&st, &actor, f, &addr.0).await {
        Ok(()) => Ok(done(jar, "/", "flash-password-changed")),
        Err(ApiError::Validation(errors)) => {
            let message = |field: &str| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| ui.t(&jobs::i18n::error_key(&e.code)))
            };
            let page = ProfilePage {
                must_change: actor.user.must_change_password,
                current_error: message("current_password"),
                new_error: message("new_password"),
                ui,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The language form's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageForm {
    pub locale: String,
    pub next: Option<String>,
}

/// `POST /profile/language`: saved on the user (and for the sign-in page on this browser).
pub async fn change_language(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Actor,
    Form(f): Form<LanguageForm>,
) -> ApiResult<Response> {
    let locale = Locale::parse(&f.locale).ok_or_else(|| {
        ApiError::field(
            "locale",
            crate::error::codes::FIELD_CHOICE,
            "must be zh-CN or en",
        )
    })?;
    users::set_own_locale(&st, &actor, locale).await?;
    let jar = jar.add(
        Cookie::build((LANG_COOKIE, locale.as_str()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax),
    );
    Ok(done(
        jar,
        &local_path(f.next.as_deref()),
        "flash-language-saved",
    ))
}
