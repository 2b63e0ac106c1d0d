//! Milestone reports (JSON, or multipart with attachments), their review, attachment
//! downloads, and payments.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::scope::{self, Kind};
use crate::auth::{Can, Seen, can, kind};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Json, Path, parse_json};
use crate::files::{self, Placed};
use crate::pagination::Page;
use crate::routes::BODY_LIMIT;
use crate::services::milestones::Milestone;
use crate::services::payments::{self, NewPayment, Payment};
use crate::services::reports::{self, Attachment, NewReport, Rejection, Report, Review};
use crate::state::AppState;
use crate::transfer::{multipart_error, send_file, store_file, submit_stored};

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(list_reports, submit_report))
        .layer(DefaultBodyLimit::max(files::MAX_REQUEST));
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(download))
        .routes(routes!(list_payments, record_payment))
}

/// A milestone's reports and decisions, oldest first.
#[utoipa::path(get, path = "/milestones/{id}/reports", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Page<Report>), (status = 404, body = Problem)))]
async fn list_reports(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(Page {
        items: reports::list(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Report on a milestone: JSON `{summary, measurements}`, or multipart with a `report` part
/// holding that JSON and `files` parts (JPEG, PNG, HEIC, PDF; 20 MB each, 25 MB in all). An
/// `Idempotency-Key` header makes a retry answer the first report (200).
#[utoipa::path(post, path = "/milestones/{id}/reports", tag = "delivery", security(("bearer" = [])), request_body = NewReport,
    params(("Idempotency-Key" = Option<crate::fields::IdempotencyKey>, Header, description = "makes retries safe")),
    responses((status = 201, body = Report), (status = 200, body = Report), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn submit_report(
    State(st): State<AppState>,
    actor: Can<can::ReportMilestones>,
    Path(id): Path<Uuid>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let key = idempotency_key(req.headers());
    let mime = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (report, stored, placed) = if mime.starts_with("multipart/form-data") {
        // 404 before any file is stored.
        scope::visible(&st, &actor, Kind::Milestone, id).await?;
        let mp = Multipart::from_request(files::paced(req), &st)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let mut stored = Vec::new();
        let mut placed = Placed::new(&st.config.files_dir());
        // Cut off in there, `placed` is dropped armed and removes what it stored.
        match read_multipart(&st, mp, &mut stored, &mut placed).await {
            Ok(report) => (Ok(report), stored, Some(placed)),
            Err(e) => {
                placed.discard(&st.db).await;
                return Err(e);
            }
        }
    } else {
        // The milestone's visibility (404) is checked in the write's transaction, before
        // the body is judged (413, 415, 422): one round trip fewer than a check of its own.
        let body = match axum::body::to_bytes(req.into_body(), BODY_LIMIT).await {
            Ok(bytes) => json_body(&mime, &bytes).map(|Json(r)| r),
            Err(_) => Err(ApiError::PayloadTooLarge),
        };
        (body, Vec::new(), None)
    };
    let (created, out) = submit_stored(&st, &actor, id, report, stored, placed, key).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(out),
    ))
}

fn idempotency_key(h: &HeaderMap) -> ApiResult<Option<String>> {
    h.get("idempotency-key")
        .map(|v| {
            v.to_str().map(str::to_string).map_err(|_| {
                ApiError::field(
                    "Idempotency-Key",
                    crate::error::codes::IDEMPOTENCY_KEY_INVALID,
                    "must be visible ASCII",
                )
            })
        })
        .transpose()
}

fn json_body(mime: &str, bytes: &[u8]) -> ApiResult<Json<NewReport>> {
    if !(mime.starts_with("application/json")
        || mime
            .split(';')
            .next()
            .is_some_and(|m| m.trim().ends_with("+json")))
    {
        return Err(ApiError::UnsupportedMediaType(
            "send the report as application/json or multipart/form-data".into(),
        ));
    }
    parse_json(bytes).map(Json)
}

/// Reads the `report` part and streams each `files` part into the file store, listing each
/// stored file in `out` and in `placed` as it goes (so that they are removed on a later
/// refusal, or when the request is cut off).
async fn read_multipart(
    st: &AppState,
    mut mp: Multipart,
    out: &mut Vec<Attachment>,
    placed: &mut Placed,
) -> ApiResult<NewReport> {
    let root = st.config.files_dir();
    let mut report = None;
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "report" => {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                report = Some(parse_json::<NewReport>(&bytes)?);
            }
            "files" | "files[]" => out.push(store_file(&root, field, placed).await?),
            other => {
                return Err(ApiError::field(
                    other,
                    crate::error::codes::FIELD_UNKNOWN,
                    "unknown part; send `report` and `files`",
                ));
            }
        }
    }
    let report = report.ok_or_else(|| {
        ApiError::field(
            "report",
            crate::error::codes::FIELD_REQUIRED,
            "the `report` part is required",
        )
    })?;
    Ok(report)
}

/// Accept the milestone's pending report: fixes its score and payable.
#[utoipa::path(post, path = "/milestones/{id}/accept", tag = "delivery", security(("bearer" = [])), request_body = Option<Review>,
    responses((status = 200, body = Milestone), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    Path(id): Path<Uuid>,
    req: Request,
) -> ApiResult<Json<Milestone>> {
    // Accepting needs no body; an optional `{comment}` is read when sent.
    let review = if req.headers().contains_key(header::CONTENT_TYPE) {
        Json::<Review>::from_request(req, &st).await?.0
    } else {
        Review::default()
    };
    reports::accept(&st, &actor, id, review).await.map(Json)
}

/// Reject the milestone's pending report with a comment.
#[utoipa::path(post, path = "/milestones/{id}/reject", tag = "delivery", security(("bearer" = [])), request_body = Rejection,
    responses((status = 200, body = Milestone), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reject(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    Path(id): Path<Uuid>,
    Json(r): Json<Rejection>,
) -> ApiResult<Json<Milestone>> {
    reports::reject(&st, &actor, id, r).await.map(Json)
}

/// Download a report's attachment (whoever may read the report).
#[utoipa::path(get, path = "/reports/{id}/files/{sha256}", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("sha256" = crate::fields::Sha256, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = Problem)))]
async fn download(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> ApiResult<Response> {
    send_file(&st, &actor, id, &sha256, false).await
}

/// A contract's payments.
#[utoipa::path(get, path = "/contracts/{id}/payments", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Page<Payment>), (status = 404, body = Problem)))]
async fn list_payments(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Page<Payment>>> {
    Ok(Json(Page {
        items: payments::list(&st, &actor, id).await?,
        next_cursor: None,
    }))
}

/// Record a payment (201); repeating a voucher with the same content answers the existing
/// payment (200), with different content 409.
#[utoipa::path(post, path = "/contracts/{id}/payments", tag = "delivery", security(("bearer" = [])), request_body = NewPayment,
    responses((status = 201, body = Payment), (status = 200, body = Payment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_payment(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    Path(id): Path<Uuid>,
    // The contract's visibility (404) is checked in the write's transaction, before the body
    // is judged (415, 422): one round trip fewer than a check of its own.
    body: Result<Json<NewPayment>, ApiError>,
) -> ApiResult<(StatusCode, Json<Payment>)> {
    let (created, out) = payments::record(&st, &actor, id, body.map(|Json(p)| p)).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(out),
    ))
}
