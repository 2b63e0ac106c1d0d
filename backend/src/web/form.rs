//! [`Form`]: a posted HTML form, its CSRF token checked ([`super::csrf`]) before its fields are
//! read into the same input type the JSON route deserialises, so that a field is validated
//! once, by the service. [`MultipartForm`]: a posted form with files, its token (its first
//! part) checked by the same rule before any other part is read.

use axum::body::Bytes;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::Actor;
use crate::error::ApiError;
use crate::services::common::Reason;
use crate::state::AppState;
use crate::web::csrf;

/// The largest form this interface posts (files go elsewhere).
const MAX_FORM: usize = 64 * 1024;

/// The token a form of this request must carry: its session's, or a visitor's (sign-in).
async fn expected_token(parts: &mut Parts, st: &AppState) -> Result<Option<String>, ApiError> {
    match Actor::from_request_parts(parts, st).await {
        Ok(actor) => Ok(Some(csrf::session_token(&st.secret, actor.session_id))),
        Err(ApiError::Unauthorized(_)) => Ok(csrf::visitor_token(parts)),
        Err(e) => Err(e),
    }
}

/// 403 unless the form's token is the one expected.
fn check_token(expected: Option<&str>, given: Option<&str>) -> Result<(), ApiError> {
    match (expected, given) {
        (Some(e), Some(t)) if csrf::same(e, t) => Ok(()),
        _ => Err(csrf::refused()),
    }
}

/// A form's fields as `T`, once its token is known good (else 403, nothing read).
pub struct Form<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let expected = expected_token(&mut parts, st).await?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(axum::extract::Request::from(req), st)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        if bytes.len() > MAX_FORM {
            return Err(ApiError::PayloadTooLarge);
        }
        let mut token = None;
        let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .filter_map(|(k, v)| {
                if k == csrf::FIELD {
                    token = Some(v.into_owned());
                    None
                } else {
                    Some((k.into_owned(), v.into_owned()))
                }
            })
            .collect();
        check_token(expected.as_deref(), token.as_deref())?;
        let encoded = serde_urlencoded::to_string(&fields).map_err(ApiError::internal)?;
        // A field the form does not have (a tampered or stale form) is refused as the API
        // refuses it: 422 naming the field, nothing written.
        serde_urlencoded::from_str(&encoded).map(Form).map_err(|e| {
            let message = e.to_string();
            let field = crate::extract::quoted_name(&message).unwrap_or_else(|| "form".into());
            let code = crate::extract::shape_code(&message);
            ApiError::Validation(vec![crate::error::FieldError::new(field, code, message)])
        })
    }
}

/// A posted `multipart/form-data` form (one with files), its CSRF token checked: the token
/// must be the form's first part (a form puts its hidden `_csrf` input first), so that no
/// other part, and no file, is read before it is known good (else 403, nothing read). The
/// handler reads the other parts, in order, from the [`Multipart`].
pub struct MultipartForm(pub Multipart);

/// The longest token part read.
const MAX_TOKEN: usize = 128;

impl FromRequest<AppState> for MultipartForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let expected = expected_token(&mut parts, st).await?;
        let req = Request::from_parts(parts, body);
        let mut mp = Multipart::from_request(crate::files::paced(req), st)
            .await
            .map_err(|_| csrf::refused())?;
        let token = match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some(csrf::FIELD) => {
                part_text(field, MAX_TOKEN).await.ok()
            }
            _ => None,
        };
        check_token(expected.as_deref(), token.as_deref())?;
        Ok(MultipartForm(mp))
    }
}

/// A text part of a multipart form, read up to `max` bytes (413 past them; 400 when it is no
/// UTF-8 or the body is malformed).
pub async fn part_text(mut field: Field<'_>, max: usize) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(crate::transfer::multipart_error)?
    {
        if bytes.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest("a text part is not UTF-8".into()))
}

/// The reason of a cancellation, of an unsuccessful tender or of a termination, as typed: a
/// missing field is an empty one, which the service refuses with its field message.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

impl ReasonForm {
    /// The service's input: the same [`Reason`] the JSON route reads.
    pub fn to_reason(&self) -> Reason {
        Reason {
            reason: self.reason.clone(),
        }
    }
}
