//! Errors. Use [`ApiError`] in handlers and services: it is the one type with a mapping to
//! HTTP status codes and `application/problem+json` bodies (RFC 9457). Use `anyhow::Error`
//! only in the CLI and at start-up. Database errors are mapped once, in `From<DbErr>`:
//! unique violations become 409, a lost connection 503, anything else a 500 whose details go
//! to the log with the request id and never to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

pub mod codes;
pub use codes::Code;

/// One field's problem, as listed in a problem's `errors`.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name (dotted for nested fields, e.g. `measurements[0].value`).
    pub field: String,
    /// A stable machine word for the field's problem (`field.required`, `field.too_long`,
    /// `money.too_precise` …; the registry is `error::codes`), for clients to translate.
    #[schema(example = "field.required")]
    pub code: String,
    /// The problem in English, for people reading the raw answer.
    pub message: String,
}

impl FieldError {
    /// A field error with the registered `code` of its problem.
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// A stable machine word naming the problem (`auth.forbidden`, `budget.insufficient`,
    /// `state.transition`, `validation.failed` with `errors` …; the registry is
    /// `error::codes`): clients translate it; `detail` is for people reading the raw answer.
    #[schema(example = "budget.insufficient")]
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every error an API request can end in.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    /// A 403 for a reason other than the role (e.g. a password to change first). `code` is a
    /// registered word of [`codes`] (a test checks every literal).
    #[error("forbidden: {code}")]
    ForbiddenBecause {
        code: &'static str,
        detail: &'static str,
    },
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload too large")]
    PayloadTooLarge,
    /// A 409: a rule or the record's state forbids the request; `code` names which.
    #[error("conflict: {detail}")]
    Conflict { code: Code, detail: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    /// The server is at its limit for this kind of work: try again after the wait.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The result type of handlers and services.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 422 naming one field, with the registered `code` of its problem (`password.wrong` …).
    pub fn field(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A 409: the registered `code` of the rule or state that forbids the request, and a
    /// sentence saying it.
    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A 500 from any error; the cause is logged, never shown.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(e.into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::ForbiddenBecause { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Unauthorized(why) => (*why).to_string(),
            ApiError::Forbidden => "your role may not do this".into(),
            ApiError::ForbiddenBecause { detail, .. } => (*detail).to_string(),
            ApiError::NotFound => "no such record".into(),
            ApiError::BadRequest(d) | ApiError::Conflict { detail: d, .. } => d.clone(),
            ApiError::UnsupportedMediaType(d) => d.clone(),
            ApiError::Validation(_) => "the request has invalid fields".into(),
            ApiError::PayloadTooLarge => "the request body is too large".into(),
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("too many failed attempts; try again in {retry_after_secs} s")
            }
            ApiError::Unavailable => "the database is unavailable; try again".into(),
            ApiError::Busy { retry_after_secs } => {
                format!("the server is busy; try again in {retry_after_secs} s")
            }
            ApiError::Internal(_) => "an internal error occurred; it has been logged".into(),
        }
    }

    /// The stable machine word of this error (SPEC §6 `code`).
    pub fn code(&self) -> &'static str {
        use codes::*;
        match self {
            ApiError::Unauthorized(_) => AUTH_UNAUTHENTICATED,
            ApiError::Forbidden => AUTH_FORBIDDEN,
            ApiError::ForbiddenBecause { code, .. } => return code,
            ApiError::NotFound => NOT_FOUND,
            ApiError::BadRequest(_) => REQUEST_MALFORMED,
            ApiError::Validation(_) => VALIDATION_FAILED,
            ApiError::UnsupportedMediaType(_) => MEDIA_TYPE_UNSUPPORTED,
            ApiError::PayloadTooLarge => BODY_TOO_LARGE,
            ApiError::Conflict { code, .. } => *code,
            ApiError::TooManyRequests { .. } => THROTTLE_TOO_MANY_ATTEMPTS,
            ApiError::Unavailable => SERVICE_UNAVAILABLE,
            ApiError::Busy { .. } => SERVICE_BUSY,
            ApiError::Internal(_) => INTERNAL,
        }
        .as_str()
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let slug = status
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "-");
        Problem {
            type_: format!("https://huimin.example/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_string(),
            errors: match self {
                ApiError::Validation(e) => e.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::TooManyRequests { retry_after_secs }
        | ApiError::Busy { retry_after_secs } = self
        {
            h.insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return ApiError::conflict(
                    codes::RECORD_DUPLICATE,
                    "a record with the same unique value already exists",
                );
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return ApiError::field(
                    "id",
                    codes::REFERENCE_UNKNOWN,
                    "refers to a record that does not exist",
                );
            }
            _ => {}
        }
        match &e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::Unavailable
            }
            DbErr::RecordNotFound(_) => ApiError::NotFound,
            _ => ApiError::Internal(anyhow::Error::new(e)),
        }
    }
}

/// Collects field errors, so a request reports all its bad fields at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Adds an error with `code` for `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, code: Code, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError::new(field, code, message));
        }
        self
    }

    /// Checks a required text: trimmed non-empty (`field.required`), at most `max`
    /// characters (`field.too_long`).
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        self.check(
            !value.trim().is_empty(),
            field,
            codes::FIELD_REQUIRED,
            "must not be empty",
        );
        self.max_chars(field, value, max)
    }

    /// Checks an optional text's length: at most `max` characters (`field.too_long`).
    pub fn max_chars(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        self.check(
            value.chars().count() <= max,
            field,
            codes::FIELD_TOO_LONG,
            &format!("must be at most {max} characters"),
        )
    }

    /// Checks an e-mail address's shape (one `@`, a dot in the domain, no spaces).
    pub fn email(&mut self, field: &str, value: &str) -> &mut Self {
        let ok = value.len() <= 254
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !value.chars().any(char::is_whitespace);
        self.check(ok, field, codes::FIELD_EMAIL, "must be an e-mail address")
    }

    /// `Ok` when every check passed, else the 422 listing them.
    pub fn finish(&mut self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(std::mem::take(&mut self.0)))
        }
    }
}
