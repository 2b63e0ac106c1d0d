//! The files the API and the pages both receive and send, below both: a report's attachments
//! (a multipart file part streamed into the file store, the report submitted with the files
//! it stored, an attachment sent back) and the spending report as a CSV or XLSX download.

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::rules::counts::to_i64;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::files::{self, ALLOWED, Placed, Upload};
use crate::services::reports::{self, Attachment, NewReport, Report};
use crate::services::spending::{self, Format, SpendingReport};
use crate::state::AppState;

/// Submits a report with the files this request put in the store (`placed`; none for a JSON
/// report), as [`reports::submit`] does, then removes those files again when the report was
/// refused or had already been made (a repeated idempotency key): for the API and the report
/// page alike.
pub async fn submit_stored(
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
pub enum FileRefusal {
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
pub fn multipart_error(e: MultipartError) -> ApiError {
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
pub async fn store_file(
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
    let size = to_i64(up.size);
    let sha256 = up.seal().await.map_err(FileRefusal::Failed)?;
    placed.place(up);
    Ok(Attachment {
        file_name,
        content_type,
        size,
        sha256,
    })
}

/// A report's attachment for whoever may read the report: to download, or (`inline`, for the
/// pages: an image shown, a PDF opened in the browser) to show.
pub async fn send_file(
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

/// The report as a CSV or XLSX download (JSON for `Format::Json`), for the API and the
/// spending page alike.
pub fn export(
    report: &SpendingReport,
    format: Format,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Response> {
    let name = format!("spending-{}", report.group_by);
    let (mime, ext, bytes) = match format {
        Format::Json => return Ok(Json(report).into_response()),
        Format::Csv => ("text/csv; charset=utf-8", "csv", spending::to_csv(report)?),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            spending::to_xlsx(report, now)?,
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
