//! The HTTP router: every resource's routes under `/api/v1`, the operations endpoints, the
//! OpenAPI document (`/api/openapi.json`, generated from the handlers' annotations) and the
//! offline Swagger UI (`/docs`), wrapped in the request-id, tracing, metrics and body-limit
//! layers (a body announced over its route's limit is refused before it is read). The
//! metrics listener's own router is [`metrics_only`].

mod audit;
mod auth;
mod budget_lines;
mod contracts;
mod delivery;
pub mod document;
mod ocds;
mod ops;
mod organisations;
mod outbox;
mod payment_requests;
mod posts;
mod public;
mod purchasers;
pub(crate) mod reports;
pub(crate) mod supervision;
mod tenders;
mod users;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request as AxumRequest};
use axum::http::{HeaderName, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::error::ApiError;
use crate::state::AppState;
use crate::telemetry;

/// JSON bodies above this size answer 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The routes that take multipart uploads, whose bodies may reach
/// [`crate::files::MAX_REQUEST`] (their handlers set that limit too).
const UPLOAD_ROUTES: [&str; 1] = ["/api/v1/milestones/{id}/reports"];

/// Refuses with 413, before a byte of the body is read, a request whose `Content-Length`
/// announces more than its route takes: a multipart upload on an upload route at most
/// [`crate::files::MAX_REQUEST`], any other body [`BODY_LIMIT`]. (The limits still apply
/// while reading a body sent without a length.) Without this, the body would be read up to the
/// limit first, however large it was announced.
async fn refuse_announced_oversize(req: AxumRequest, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = announced {
        let upload = req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| UPLOAD_ROUTES.contains(&p.as_str()))
            && req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("multipart/form-data")
                });
        let limit = if upload {
            crate::files::MAX_REQUEST
        } else {
            BODY_LIMIT
        };
        if n > limit as u64 {
            return ApiError::PayloadTooLarge.into_response();
        }
    }
    next.run(req).await
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Huimin API", description = "Government purchase of social-work and volunteer services: tenders, contracts, posts, milestones, payments and supervision."),
    modifiers(&BearerAuth),
    // The schemas query and path parameters name (utoipa collects those of bodies only).
    components(schemas(crate::error::Problem, crate::error::FieldError,
        crate::fields::Limit, crate::fields::Cursor, crate::fields::SeqCursor,
        crate::fields::DivisionCode, crate::fields::DivisionPrefix,
        crate::fields::EndingWithinDays, crate::fields::IdempotencyKey, crate::fields::Sha256,
        entity::rules::vocab::OrgStatus, entity::rules::vocab::Role,
        entity::rules::vocab::FundSource, entity::rules::vocab::TenderStatus,
        entity::rules::vocab::ServiceCategory, entity::rules::vocab::ContractStatus,
        entity::rules::vocab::MilestoneStatus, entity::rules::vocab::PaymentRequestStatus,
        crate::services::public::notices::NoticeKind, crate::services::spending::GroupBy,
        crate::services::spending::Format)),
    tags((name = "public", description = "Public disclosure (SPEC §8): procurement notices, a division's page and the open-data OCDS package, read without signing in; cacheable for 60 s, throttled per client address (429 with Retry-After)."))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The router with its OpenAPI document, [`document::finished`].
pub fn api() -> (Router<AppState>, serde_json::Value) {
    let v1 = OpenApiRouter::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(purchasers::routes())
        .merge(organisations::routes())
        .merge(budget_lines::routes())
        .merge(tenders::routes())
        .merge(contracts::routes())
        .merge(posts::routes())
        .merge(delivery::routes())
        .merge(reports::routes())
        .merge(payment_requests::routes())
        .merge(outbox::routes())
        .merge(supervision::routes())
        .merge(audit::routes())
        .merge(ocds::routes())
        .merge(public::routes());
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(ops::routes())
        .split_for_parts();
    (router, document::finished(&doc))
}

/// The whole application, ready to serve.
pub fn build(state: AppState) -> Router {
    let (api, openapi) = api();
    let docs = SwaggerUi::new("/docs")
        .external_url_unchecked("/api/openapi.json", openapi)
        .config(SwaggerConfig::from("/api/openapi.json").validator_url("none"));
    let request_id = HeaderName::from_static("x-request-id");
    api.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::audit::wake_sealer_after_write,
    ))
    .route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::public::guard_api,
    ))
    .route_layer(axum::middleware::from_fn(refuse_announced_oversize))
    .route_layer(axum::middleware::from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // The web interface's pages; its fallback answers every unknown path (a page's 404
        // in the visitor's language, a problem document under /api/).
        .merge(crate::web::routes(state.clone()))
        // The public pages, with layers of their own (no session; see `crate::public`).
        .merge(crate::web::pages::public::routes(state.clone()))
        .with_state(state)
        .merge(docs)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CatchPanicLayer::custom(|_| -> Response {
                    ApiError::internal(anyhow::anyhow!("handler panicked")).into_response()
                }))
                .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(60),
                )),
        )
}

/// The metrics listener's router (`HUIMIN_METRICS_BIND`): `/metrics` without a token, nothing
/// else.
pub fn metrics_only(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(ops::metrics_text))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}
