//! Request extractors whose rejections are problem+json like every other error: a JSON body
//! ([`Json`]), query parameters ([`Query`]) and path parameters ([`Path`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code, FieldError, codes};

/// A JSON body. Refuses a missing or wrong `Content-Type` (415), a body over the limit (413),
/// malformed JSON (400), and wrong types or unknown fields (422, naming the field).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge,
            other => ApiError::BadRequest(other.body_text()),
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON document into `T`, mapping errors to 400 (syntax) or 422 (shape).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::BadRequest(format!("the body is not valid JSON: {inner}"))
            }
            _ => {
                let message = strip_position(&inner.to_string());
                let field = if path == "." {
                    // serde reports unknown and missing fields at the top level.
                    quoted_name(&message).unwrap_or_else(|| "body".into())
                } else {
                    path
                };
                let code = shape_code(&message);
                ApiError::Validation(vec![FieldError::new(field, code, message)])
            }
        }
    })
}

/// The code of a body's or query's shape problem, from serde's message (its only output):
/// an unknown or missing field, a wrong type, a word not in the list, or one of the value
/// rules of `entity` (money, quantities, scores, dates).
pub(crate) fn shape_code(message: &str) -> Code {
    use entity::rules::money::MoneyError;
    let starts = |p: &str| message.starts_with(p);
    if starts("unknown field") {
        codes::FIELD_UNKNOWN
    } else if starts("missing field") {
        codes::FIELD_REQUIRED
    } else if starts("invalid type") {
        codes::FIELD_TYPE
    } else if starts("unknown variant") {
        codes::FIELD_CHOICE
    } else if let Some(e) = [
        MoneyError::NotANumber,
        MoneyError::TooPrecise,
        MoneyError::Negative,
        MoneyError::TooLarge,
    ]
    .into_iter()
    .find(|e| e.to_string() == message)
    {
        match e {
            MoneyError::NotANumber => codes::MONEY_NOT_A_NUMBER,
            MoneyError::TooPrecise => codes::MONEY_TOO_PRECISE,
            MoneyError::Negative => codes::MONEY_NEGATIVE,
            MoneyError::TooLarge => codes::MONEY_TOO_LARGE,
        }
    } else if message == entity::rules::quantity::QUANTITY_PROBLEM {
        codes::QUANTITY_INVALID
    } else if message == entity::rules::score::SCORE_PROBLEM {
        codes::SCORE_INVALID
    } else if CHRONO_PROBLEMS.contains(&message) {
        codes::FIELD_DATE
    } else {
        codes::FIELD_INVALID
    }
}

/// chrono's parse errors, which its serde support reports for a bad date or time.
const CHRONO_PROBLEMS: &[&str] = &[
    "input is out of range",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "bad or unsupported format string",
];

/// serde_json appends " at line 1 column 17": the field name says more to a user.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

pub(crate) fn quoted_name(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_string())
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters; a bad one answers 422 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = if path == "." {
                    quoted_name(&message).unwrap_or_else(|| "query".into())
                } else {
                    path
                };
                let code = shape_code(&message);
                ApiError::Validation(vec![FieldError::new(field, code, message)])
            })
    }
}

/// Reads a JSON value already parsed (e.g. a body that may be an object or an array) into
/// `T`, with the same 422 naming the field.
pub fn from_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    parse_json(v.to_string().as_bytes())
}

/// Path parameters. A value that does not parse (`/purchasers/not-a-uuid`) names no record:
/// 404, as [`crate::auth::Seen`] answers for the same path, never axum's plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::NotFound),
            Err(e) => Err(ApiError::internal(anyhow::anyhow!("path parameters: {e}"))),
        }
    }
}
