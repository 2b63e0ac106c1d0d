//! The organisation's report on a milestone (UI.md §2 "Report a milestone", the sketch of
//! §5), phone first. `GET /milestones/{id}/report`: the milestone, its contract, its due date
//! and the days left (or late), the officer's comment a resubmission answers, then the form — a
//! summary, one field per indicator of the contract with its unit and target beside it, photos
//! and PDFs, a fresh idempotency key — or, when the milestone takes no report now (by the
//! service's rule, [`reports::report_refused`]), why. `POST` to the same address: a multipart
//! form whose token comes first ([`MultipartForm`]), its files streamed into the store by the
//! API's own upload path and the report submitted by the API's own step
//! ([`crate::transfer::store_file`], [`submit_stored`]); then the milestone's page.
//! `static/report.js` checks the files before sending and shows the upload's progress.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{Decision, Locale, MilestoneStatus};
use jobs::i18n;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::{ApiError, ApiResult, codes};
use crate::files::{self, ALLOWED, Placed};
use crate::services::contracts::{self, Contract};
use crate::services::indicators::{self, Indicator};
use crate::services::milestones::{self, Milestone};
use crate::services::reports::{self, Attachment, MeasurementIn, NewReport};
use crate::state::AppState;
use crate::store;
use crate::transfer::{FileRefusal, store_file, submit_stored};
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::{MultipartForm, part_text};
use crate::web::pages::done;
use crate::web::pages::reviews::target_text;
use crate::web::ui::Ui;

/// The routes of the report page; its POST takes bodies up to the API's upload limit.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/milestones/{id}/report",
        get(form)
            .post(submit)
            .layer(DefaultBodyLimit::max(files::MAX_REQUEST)),
    )
}

/// Whether the staff of organisation `org` may report on milestone `m` of contract `k` now:
/// it is their contract and the service's rule takes a report.
pub fn can_report(org: Option<Uuid>, k: &Contract, m: &Milestone) -> bool {
    org == Some(k.organisation_id) && reports::report_refused(k.status, m.status).is_none()
}

/// The catalogue key of the button that opens the form: a rejected milestone is reported again.
pub fn report_button(m: &Milestone) -> &'static str {
    if m.status == MilestoneStatus::Rejected {
        "report-resubmit"
    } else {
        "report-submit"
    }
}

/// The longest text part read (a summary is at most 20,000 characters).
const MAX_TEXT: usize = 96 * 1024;

/// What the form holds: the values typed, or those of the rejected report it answers.
#[derive(Debug, Default)]
pub struct Typed {
    pub summary: String,
    /// `(indicator id, value)` as typed, in the form's order.
    pub values: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reports/new.html")]
pub struct ReportPage {
    pub ui: Ui,
    pub milestone: Milestone,
    pub contract: Contract,
    /// Days from today to the due date (negative: past it).
    pub days_left: i64,
    /// The officer's comment on the rejected report this one answers.
    pub rejection: Option<String>,
    /// Why the milestone takes no report now (translated), shown instead of the form.
    pub closed: Option<String>,
    pub indicators: Vec<Indicator>,
    pub typed: Typed,
    pub fb: Feedback,
    /// A fresh idempotency key for this rendering of the form: a retry of the same form (a
    /// lost answer, a double tap) makes one report.
    pub key: Uuid,
}

impl ReportPage {
    fn text(&self, key: &str, args: &[(&'static str, String)]) -> String {
        i18n::text_with(self.ui.locale, key, args)
    }

    /// "还有 28 天" / "今天到期" / "逾期 3 天".
    pub fn due_text(&self) -> String {
        match self.days_left {
            0 => self.ui.t("report-due-today"),
            d if d > 0 => self.ui.tn("report-days-left", d),
            d => self.ui.tn("milestone-days-late", -d),
        }
    }

    /// The catalogue key of the submit button.
    pub fn submit_key(&self) -> &'static str {
        report_button(&self.milestone)
    }

    /// "入户走访（次）".
    pub fn label(&self, i: &Indicator) -> String {
        if i.unit.is_empty() {
            i.name.clone()
        } else {
            self.text(
                "report-indicator-label",
                &[("name", i.name.clone()), ("unit", i.unit.clone())],
            )
        }
    }

    /// "目标 ≥ 120".
    pub fn target(&self, i: &Indicator) -> String {
        self.text(
            "report-target",
            &[("target", target_text(i.comparator, &i.target))],
        )
    }

    /// The value typed for indicator `i`.
    pub fn value(&self, i: &Indicator) -> &str {
        let id = i.id.to_string();
        self.typed
            .values
            .iter()
            .find(|(k, _)| *k == id)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The refusal of indicator `i`'s field.
    pub fn value_error(&self, i: &Indicator) -> Option<&str> {
        self.fb.field(&format!("m-{}", i.id))
    }

    /// Messages of refused fields the form shows no field for.
    pub fn others(&self) -> Vec<&str> {
        let mut shown = vec!["summary".to_string(), "files".to_string()];
        shown.extend(self.indicators.iter().map(|i| format!("m-{}", i.id)));
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        self.fb.others(&shown)
    }

    /// The hint under the files input: the types and the limits.
    pub fn files_hint(&self) -> String {
        self.text(
            "report-files-hint",
            &[("file", mb(files::MAX_FILE)), ("total", mb(total_limit()))],
        )
    }

    /// For `report.js`: the largest file, in bytes.
    pub fn max_file(&self) -> u64 {
        files::MAX_FILE
    }

    /// For `report.js`: the most bytes of files in one report.
    pub fn max_total(&self) -> u64 {
        total_limit()
    }

    /// For `report.js`: the content types a report may attach.
    pub fn types(&self) -> String {
        ALLOWED.map(|(t, _)| t).join(",")
    }

    /// For `report.js`: the messages, with `{name}`, `{current}` and `{total}` to fill in.
    pub fn msg_file_too_large(&self) -> String {
        too_large(self.ui.locale, Some("{name}"))
    }

    pub fn msg_total_too_large(&self) -> String {
        too_large(self.ui.locale, None)
    }

    pub fn msg_wrong_type(&self) -> String {
        wrong_type(self.ui.locale, "{name}")
    }

    pub fn msg_progress(&self) -> String {
        self.text(
            "report-uploading",
            &[("current", "{current}".into()), ("total", "{total}".into())],
        )
    }
}

fn total_limit() -> u64 {
    files::MAX_REQUEST as u64
}

/// Whole megabytes.
fn mb(bytes: u64) -> String {
    (bytes / (1024 * 1024)).to_string()
}

/// The refusal of a file over its limit (`Some` of its name), or of files over theirs.
fn too_large(locale: Locale, file: Option<&str>) -> String {
    match file {
        Some(name) => i18n::text_with(
            locale,
            "report-file-too-large",
            &[("name", name.to_string()), ("mb", mb(files::MAX_FILE))],
        ),
        None => i18n::text_with(
            locale,
            "report-files-too-large",
            &[("mb", mb(total_limit()))],
        ),
    }
}

/// The refusal of a file of a type a report may not attach.
fn wrong_type(locale: Locale, name: &str) -> String {
    i18n::text_with(locale, "report-file-type", &[("name", name.to_string())])
}

/// Why a milestone of contract `k` takes no report now, as the service refused it (`e`).
fn closed_reason(ui: &Ui, k: &Contract, m: &Milestone, e: &ApiError) -> String {
    if e.code() == codes::CONTRACT_NOT_ACTIVE.as_str() {
        let status = ui.word("contract-status", k.status.as_str());
        return ui.tname("report-closed-contract", &status);
    }
    match m.status {
        MilestoneStatus::Submitted => ui.t("report-closed-submitted"),
        MilestoneStatus::Accepted => ui.t("report-closed-accepted"),
        MilestoneStatus::Cancelled => ui.t("report-closed-cancelled"),
        MilestoneStatus::Planned | MilestoneStatus::Rejected => ui.error_text(e.code()),
    }
}

/// The page: the form as typed (`typed`; on a first visit, the rejected report it answers),
/// with what `fb` says.
async fn page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    typed: Option<Typed>,
    fb: Feedback,
) -> ApiResult<Response> {
    let milestone = milestones::get(st, actor, id).await?;
    let (contract, history, indicators) = tokio::try_join!(
        contracts::get(st, actor, milestone.contract_id),
        reports::list(st, actor, id),
        indicators::list(st, actor, milestone.contract_id),
    )?;
    let rejected = history
        .last()
        .filter(|r| r.decision == Some(Decision::Rejected));
    let typed = typed.unwrap_or_else(|| match rejected {
        Some(r) => Typed {
            summary: r.summary.clone(),
            values: r
                .measurements
                .iter()
                .map(|m| (m.indicator_id.to_string(), m.value.to_string()))
                .collect(),
        },
        None => Typed::default(),
    });
    let closed = reports::report_refused(contract.status, milestone.status)
        .map(|e| closed_reason(&ui, &contract, &milestone, &e));
    let page = ReportPage {
        days_left: (milestone.due_date - store::today(st)).num_days(),
        rejection: rejected.and_then(|r| r.review_comment.clone()),
        key: Uuid::new_v4(),
        ui,
        milestone,
        contract,
        closed,
        indicators,
        typed,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /milestones/{id}/report`: the form, for the milestone's organisation.
pub async fn form(
    State(st): State<AppState>,
    actor: Can<can::ReportMilestones>,
    _seen: Seen<kind::Milestone>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    page(&st, &actor, ui, id, None, Feedback::none()).await
}

/// What a posted form carried besides its token.
#[derive(Default)]
struct Posted {
    typed: Typed,
    key: String,
    stored: Vec<Attachment>,
}

/// A part's problem as a refusal of the files (an oversize request is one of them).
fn part_refused(e: ApiError) -> FileRefusal {
    match e {
        ApiError::PayloadTooLarge => FileRefusal::TooLarge(None),
        other => FileRefusal::Failed(other),
    }
}

/// Reads the form's parts after its token, in order: the text fields into `out`, each file
/// streamed into the store (and listed in `placed`). An empty file input sends a part without
/// a file name: it is no file.
async fn read_parts(
    st: &AppState,
    mp: &mut Multipart,
    out: &mut Posted,
    placed: &mut Placed,
) -> Result<(), FileRefusal> {
    let root = st.config.files_dir();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| part_refused(crate::transfer::multipart_error(e)))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "files" => {
                if field.file_name().is_none_or(str::is_empty) {
                    continue;
                }
                out.stored.push(store_file(&root, field, placed).await?);
            }
            "summary" => {
                out.typed.summary = part_text(field, MAX_TEXT).await.map_err(part_refused)?
            }
            "idempotency_key" => {
                out.key = part_text(field, MAX_TEXT).await.map_err(part_refused)?
            }
            _ if name.starts_with("m-") => {
                let value = part_text(field, MAX_TEXT).await.map_err(part_refused)?;
                out.typed.values.push((name[2..].to_string(), value));
            }
            _ => {
                return Err(FileRefusal::Failed(ApiError::field(
                    name,
                    codes::FIELD_UNKNOWN,
                    "is not a field of this form",
                )));
            }
        }
    }
    Ok(())
}

/// The refusal of a part as the form shows it: a file's beside the files input, with the
/// API's status (413, 415); any other as [`Feedback::refused`] shows it.
fn part_feedback(ui: &Ui, r: FileRefusal) -> ApiResult<Feedback> {
    Ok(match r {
        FileRefusal::TooLarge(name) => Feedback::field_message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "files",
            too_large(ui.locale, name.as_deref()),
        ),
        FileRefusal::NotAllowed { file_name, .. }
        | FileRefusal::NotWhatItSays { file_name, .. } => Feedback::field_message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "files",
            wrong_type(ui.locale, &file_name),
        ),
        FileRefusal::Failed(e) => Feedback::refused(ui, e)?,
    })
}

/// The service's refusal of `measurements[i]…` named as the form's field of that measurement
/// (`names[i]`), so that its message stands beside it.
fn at_fields(e: ApiError, names: &[String]) -> ApiError {
    match e {
        ApiError::Validation(mut errors) => {
            for fe in &mut errors {
                let index = fe
                    .field
                    .strip_prefix("measurements[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok());
                if let Some(name) = index.and_then(|i| names.get(i)) {
                    fe.field = name.clone();
                }
            }
            ApiError::Validation(errors)
        }
        other => other,
    }
}

/// `POST /milestones/{id}/report`: the service of `POST /api/v1/milestones/{id}/reports`
/// (multipart), then the milestone's page; a refusal shows the form again, nothing kept.
pub async fn submit(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ReportMilestones>,
    _seen: Seen<kind::Milestone>,
    ui: Ui,
    Path(id): Path<Uuid>,
    req: Request,
) -> ApiResult<Response> {
    // A body announced over the limit is answered before a byte of it is read.
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > total_limit()) {
        let fb = part_feedback(&ui, FileRefusal::TooLarge(None))?;
        return page(&st, &actor, ui, id, None, fb).await;
    }
    let MultipartForm(mut mp) = MultipartForm::from_request(req, &st).await?;
    let mut posted = Posted::default();
    // Cut off while reading, `placed` is dropped armed and removes what it stored.
    let mut placed = Placed::new(&st.config.files_dir());
    if let Err(r) = read_parts(&st, &mut mp, &mut posted, &mut placed).await {
        placed.discard(&st.db).await;
        let fb = part_feedback(&ui, r)?;
        return page(&st, &actor, ui, id, Some(posted.typed), fb).await;
    }
    let Posted { typed, key, stored } = posted;
    let mut f = Fields::default();
    let summary = f.text("summary", &typed.summary);
    let mut measurements = Vec::new();
    let mut names = Vec::new();
    for (indicator, raw) in &typed.values {
        let field = format!("m-{indicator}");
        let indicator_id = f.id(&field, indicator);
        if let Some(value) = f.opt_quantity(&field, raw) {
            measurements.push(MeasurementIn {
                indicator_id,
                value,
            });
            names.push(field);
        }
    }
    let key = Some(key.trim().to_string()).filter(|k| !k.is_empty());
    let r = match f.finish() {
        Ok(()) => {
            let new = NewReport {
                summary,
                measurements,
            };
            submit_stored(&st, &actor, id, Ok(new), stored, Some(placed), Ok(key)).await
        }
        Err(e) => {
            placed.discard(&st.db).await;
            Err(e)
        }
    };
    match r {
        Ok(_) => Ok(done(
            jar,
            &format!("/milestones/{id}"),
            "flash-report-submitted",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, at_fields(e, &names))?;
            page(&st, &actor, ui, id, Some(typed), fb).await
        }
    }
}
