//! Milestone reports (JSON, or multipart with attachments), their review, attachment
//! downloads, and payments.

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::scope::{self, Kind};
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Json, Path, parse_json};
use crate::files::{self, ALLOWED, Placed, Upload};
use crate::pagination::Page;
use crate::routes::BODY_LIMIT;
use crate::services::milestones::Milestone;
use crate::services::payments::{self, NewPayment, Payment};
use crate::services::reports::{self, Attachment, NewReport, Rejection, Report, Review};
use crate::state::AppState;

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

/// Submits a report with the files this request put in the store (`placed`; none for a JSON
/// report), as [`reports::submit`] does, then removes those files again when the report was
/// refused or had already been made (a repeated idempotency key): for the API and the report
/// page alike.
pub(crate) async fn submit_stored(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    report: ApiResult<NewReport>,
    stored: Vec<Attachment>,
    mut placed: Option<Placed>,
    key: ApiResult<Option<String>>,
) -> ApiResult<(bool, Report)> {
    // Every file synced and in place before the report that names it is written.
    if let Some(p) = &mut placed
        && let Err(e) = p.settle().await
    {
        if let Some(p) = placed {
            p.discard(&st.db).await;
        }
        return Err(e);
    }
    // From here a request cut off may have written its report: its files stay for the sweep.
    if let Some(p) = &mut placed {
        p.disarm();
    }
    let result = reports::submit(st, actor, id, report, stored, key).await;
    // Files of a refused (or repeated) report must not linger in the store. After a server
    // error it is unknown whether the report was written: the sweep decides, a day later.
    let refused = match &result {
        Ok((created, _)) => !created,
        Err(e) => !matches!(e, ApiError::Internal(_) | ApiError::Unavailable),
    };
    if let Some(p) = placed
        && refused
    {
        p.discard(&st.db).await;
    }
    result
}

/// Why a file part was not stored.
#[derive(Debug)]
pub(crate) enum FileRefusal {
    /// The file is over [`files::MAX_FILE`] (`Some` of its name), or the request over
    /// [`files::MAX_REQUEST`] (`None`).
    TooLarge(Option<String>),
    /// Its declared type is not one of [`ALLOWED`].
    NotAllowed {
        file_name: String,
        content_type: String,
    },
    /// Its first bytes are not of its declared type.
    NotWhatItSays {
        file_name: String,
        content_type: String,
    },
    /// Anything else: a malformed body, the store failing.
    Failed(ApiError),
}

impl From<FileRefusal> for ApiError {
    fn from(r: FileRefusal) -> Self {
        match r {
            FileRefusal::TooLarge(_) => ApiError::PayloadTooLarge,
            FileRefusal::NotAllowed { content_type, .. } => ApiError::UnsupportedMediaType(
                format!("attachments may be JPEG, PNG, HEIC or PDF, not {content_type}"),
            ),
            FileRefusal::NotWhatItSays {
                file_name,
                content_type,
            } => {
                ApiError::UnsupportedMediaType(format!("{file_name} is not a {content_type} file"))
            }
            FileRefusal::Failed(e) => e,
        }
    }
}

/// A multipart body's error: 413 when the request went past its limit, else 400.
pub(crate) fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::BadRequest(e.body_text())
    }
}

/// Streams the file part `field` into the store under `root` (never whole in memory): its
/// declared type must be one of [`ALLOWED`] and its first bytes of that type, its size at most
/// [`files::MAX_FILE`]. The stored file is listed in `placed`, so that it is removed again when
/// the report is refused or the request cut off; a refused file leaves nothing.
pub(crate) async fn store_file(
    root: &std::path::Path,
    mut field: Field<'_>,
    placed: &mut Placed,
) -> Result<Attachment, FileRefusal> {
    let content_type = field
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_ascii_lowercase();
    let file_name = field
        .file_name()
        .unwrap_or("attachment")
        .chars()
        .take(200)
        .collect::<String>();
    if !ALLOWED.iter().any(|(t, _)| *t == content_type) {
        return Err(FileRefusal::NotAllowed {
            file_name,
            content_type,
        });
    }
    // Its temporary file goes when `up` is dropped unfinished, on every path.
    let mut up = Upload::start(root).await.map_err(FileRefusal::Failed)?;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Err(match multipart_error(e) {
                    ApiError::PayloadTooLarge => FileRefusal::TooLarge(None),
                    other => FileRefusal::Failed(other),
                });
            }
        };
        up.write(&chunk).await.map_err(|e| match e {
            ApiError::PayloadTooLarge => FileRefusal::TooLarge(Some(file_name.clone())),
            other => FileRefusal::Failed(other),
        })?;
    }
    if !files::looks_like(&content_type, &up.head) {
        return Err(FileRefusal::NotWhatItSays {
            file_name,
            content_type,
        });
    }
    let size = up.size as i64;
    let sha256 = up.seal().await.map_err(FileRefusal::Failed)?;
    placed.place(up);
    Ok(Attachment {
        file_name,
        content_type,
        size,
        sha256,
    })
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

/// A report's attachment for whoever may read the report: to download, or (`inline`, for the
/// pages: an image shown, a PDF opened in the browser) to show.
pub(crate) async fn send_file(
    st: &AppState,
    actor: &crate::auth::Actor,
    id: Uuid,
    sha256: &str,
    inline: bool,
) -> ApiResult<Response> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::NotFound);
    }
    let a = reports::file(st, actor, id, sha256).await?;
    let file = tokio::fs::File::open(files::path_of(&st.config.files_dir(), &a.sha256)).await.map_err(|e| {
        tracing::error!(error = %e, sha256 = %a.sha256, "attachment missing from the file store");
        ApiError::NotFound
    })?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let how = if inline { "inline" } else { "attachment" };
    let disposition = format!("{how}; filename*=UTF-8''{}", urlencode(&a.file_name));
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, a.size.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        body,
    )
        .into_response())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
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
