//! [`Form`]: a posted HTML form, its CSRF token checked ([`super::csrf`]) before its fields are
//! read into the same input type the JSON route deserialises, so that a field is validated
//! once, by the service.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;

use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::csrf;

/// The largest form this interface posts (files go elsewhere).
const MAX_FORM: usize = 64 * 1024;

/// A form's fields as `T`, once its token is known good (else 403, nothing read).
pub struct Form<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let expected = match Actor::from_request_parts(&mut parts, st).await {
            Ok(actor) => Some(csrf::session_token(&st.secret, actor.session_id)),
            Err(ApiError::Unauthorized(_)) => csrf::visitor_token(&parts),
            Err(e) => return Err(e),
        };
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
        let good = matches!((&expected, &token), (Some(e), Some(t)) if csrf::same(e, t));
        if !good {
            return Err(csrf::refused());
        }
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
