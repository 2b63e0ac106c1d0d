//! Reviewing milestone reports (UI.md §2 "Review a report"): the officer's worklists
//! (`/milestones?view=review|overdue`); a milestone's page with its reports — each measurement
//! against its target, the attachments as thumbnails — and the score and payable an acceptance
//! would give, computed by the acceptance's own rule ([`reports::preview`]), then accept or
//! reject; the contract's reports and performance tabs; the attachments themselves.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, NaiveDate, Utc};
use entity::rules::vocab::{Comparator, ContractStatus, MilestoneStatus, Role};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::dashboard::{self, WorkItem, Worklist};
use crate::services::indicators::{self, Indicator};
use crate::services::milestones::{self, Milestone, MilestoneFilter};
use crate::services::reports::{self, Assessment, Rejection, Report, Review};
use crate::services::scoring::{self, Performance};
use crate::state::AppState;
use crate::store;
use crate::web::feedback::Feedback;
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::{done, reporting};
use crate::web::ui::Ui;

/// The routes of the review pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/milestones", get(worklist))
        .route("/milestones/{id}", get(show))
        .route("/milestones/{id}/accept", post(accept))
        .route("/milestones/{id}/reject", post(reject))
        .route("/reports/{id}/files/{sha256}", get(file))
        .route("/contracts/{id}/reports", get(contract_reports))
        .route("/contracts/{id}/performance", get(performance))
}

/// `?view=review` (default) or `?view=overdue`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorklistQuery {
    pub view: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reviews/worklist.html")]
pub struct WorklistPage {
    pub ui: Ui,
    pub overdue: bool,
    pub items: Vec<WorkItem>,
    pub today: NaiveDate,
    /// The list reached its limit: more exist than shown.
    pub full: bool,
}

impl WorklistPage {
    /// Days a milestone is past its due date.
    pub fn days_late(&self, due: &NaiveDate) -> i64 {
        (self.today - *due).num_days()
    }
}

/// `GET /milestones`: the officer's reports to review, or overdue milestones.
pub async fn worklist(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Query(q): Query<WorklistQuery>,
) -> ApiResult<WorklistPage> {
    let overdue = q.view.as_deref() == Some("overdue");
    let list = if overdue {
        Worklist::Overdue
    } else {
        Worklist::Review
    };
    let items = dashboard::worklist(&st, &actor, list).await?;
    Ok(WorklistPage {
        ui,
        overdue,
        full: items.len() as u64 >= dashboard::WORKLIST_LIMIT,
        items,
        today: store::today(&st),
    })
}

/// A measurement as the page shows it: the indicator, its target, the value reported.
#[derive(Debug, Clone)]
pub struct MeasureView {
    pub name: String,
    pub unit: String,
    pub target: String,
    pub value: String,
}

/// An attachment's link (and thumbnail, for an image the browser can show).
#[derive(Debug, Clone)]
pub struct FileView {
    pub href: String,
    pub name: String,
    pub kb: i64,
    pub image: bool,
}

/// A report as the page shows it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub id: Uuid,
    pub milestone_id: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub summary: String,
    /// `accepted`, `rejected` or `None` while waiting.
    pub decision: Option<&'static str>,
    pub comment: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub measurements: Vec<MeasureView>,
    pub files: Vec<FileView>,
}

/// `≥ 120` / `≤ 4`.
pub(crate) fn target_text(c: Comparator, target: &impl std::fmt::Display) -> String {
    match c {
        Comparator::AtLeast => format!("≥ {target}"),
        Comparator::AtMost => format!("≤ {target}"),
    }
}

impl ReportView {
    /// A report as the pages show it, its measurements named by `indicators`.
    pub(crate) fn of(r: Report, indicators: &HashMap<Uuid, Indicator>) -> Self {
        let measurements = r
            .measurements
            .iter()
            .map(|m| match indicators.get(&m.indicator_id) {
                Some(i) => MeasureView {
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    target: target_text(i.comparator, &i.target),
                    value: m.value.to_string(),
                },
                None => MeasureView {
                    name: String::new(),
                    unit: String::new(),
                    target: String::new(),
                    value: m.value.to_string(),
                },
            })
            .collect();
        let files = r
            .attachments
            .iter()
            .map(|a| FileView {
                href: format!("/reports/{}/files/{}", r.id, a.sha256),
                name: a.file_name.clone(),
                kb: (a.size + 1023) / 1024,
                // HEIC is stored but no common browser shows it: a link, not a thumbnail.
                image: matches!(a.content_type.as_str(), "image/jpeg" | "image/png"),
            })
            .collect();
        ReportView {
            id: r.id,
            milestone_id: r.milestone_id,
            submitted_at: r.submitted_at,
            summary: r.summary,
            decision: r.decision.map(|d| d.as_str()),
            comment: r.review_comment,
            decided_at: r.decided_at,
            measurements,
            files,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reviews/milestone.html")]
pub struct MilestonePage {
    pub ui: Ui,
    pub head: ContractHead,
    pub milestone: Milestone,
    /// Newest first.
    pub reports: Vec<ReportView>,
    pub preview: Option<Assessment>,
    pub can_decide: bool,
    pub fb: Feedback,
    /// The comment typed into the refused form.
    pub comment: String,
    /// Which form was refused: `accept` or `reject`.
    pub refused: &'static str,
    /// For the organisation's staff while the milestone takes a report: the catalogue key of
    /// the button to the report form.
    pub report_button: Option<&'static str>,
}

/// The cells of `components/score_table.html`, for the pages that include it.
pub trait ScoreTable {
    /// The target of an indicator of a score's breakdown.
    fn target(&self, c: &Comparator, t: &rust_decimal::Decimal) -> String {
        target_text(*c, &t.normalize())
    }

    /// A 0–1 achievement in whole per cent.
    fn percent(&self, a: &rust_decimal::Decimal) -> String {
        format!("{}%", (a * rust_decimal::Decimal::from(100)).round())
    }
}

impl ScoreTable for MilestonePage {}

async fn milestone_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    fb: Feedback,
    (comment, refused): (String, &'static str),
) -> ApiResult<Response> {
    let milestone = milestones::get(st, actor, id).await?;
    let (head, reports, indicators, preview) = tokio::try_join!(
        ContractHead::load(st, actor, milestone.contract_id, "reports"),
        reports::list(st, actor, id),
        indicators::list(st, actor, milestone.contract_id),
        reports::preview(st, actor, id),
    )?;
    let indicators: HashMap<Uuid, Indicator> = indicators.into_iter().map(|i| (i.id, i)).collect();
    let can_decide = actor.role == Role::FinanceOfficer
        && milestone.status == MilestoneStatus::Submitted
        && head.contract.status == ContractStatus::Active
        && preview.is_some();
    let report_button =
        reporting::can_report(actor.organisation_scope(), &head.contract, &milestone)
            .then(|| reporting::report_button(&milestone));
    let page = MilestonePage {
        report_button,
        reports: reports
            .into_iter()
            .rev()
            .map(|r| ReportView::of(r, &indicators))
            .collect(),
        ui,
        head,
        milestone,
        preview,
        can_decide,
        comment,
        refused,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /milestones/{id}`: the milestone, its reports and, while one waits, the decision.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    milestone_page(&st, &actor, ui, id, Feedback::none(), (String::new(), "")).await
}

/// The comment of an acceptance (optional) or a rejection (required).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentForm {
    #[serde(default)]
    pub comment: String,
}

/// `POST /milestones/{id}/accept`: the service of `POST /api/v1/milestones/{id}/accept`.
pub async fn accept(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(f): Form<CommentForm>,
) -> ApiResult<Response> {
    let review = Review {
        comment: Some(f.comment.clone()),
    };
    match reports::accept(&st, &actor, id, review).await {
        Ok(_) => Ok(done(
            jar,
            &format!("/milestones/{id}"),
            "flash-report-accepted",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            milestone_page(&st, &actor, ui, id, fb, (f.comment, "accept")).await
        }
    }
}

/// `POST /milestones/{id}/reject`: the service of `POST /api/v1/milestones/{id}/reject`.
pub async fn reject(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(f): Form<CommentForm>,
) -> ApiResult<Response> {
    let rejection = Rejection {
        comment: f.comment.clone(),
    };
    match reports::reject(&st, &actor, id, rejection).await {
        Ok(_) => Ok(done(
            jar,
            &format!("/milestones/{id}"),
            "flash-report-rejected",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            milestone_page(&st, &actor, ui, id, fb, (f.comment, "reject")).await
        }
    }
}

/// `GET /reports/{id}/files/{sha256}`: an attachment, shown in the browser. Its content never
/// changes (it is named by its hash): the browser may keep it.
pub async fn file(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> ApiResult<Response> {
    let mut res = crate::transfer::send_file(&st, &actor, id, &sha256, true).await?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reviews/contract_reports.html")]
pub struct ContractReportsPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub reports: Vec<ReportView>,
    pub titles: HashMap<Uuid, String>,
}

impl ContractReportsPage {
    /// The title of a report's milestone.
    pub fn title(&self, milestone: &Uuid) -> &str {
        self.titles.get(milestone).map_or("", String::as_str)
    }
}

/// `GET /contracts/{id}/reports`: every report of the contract with its decision, newest first.
pub async fn contract_reports(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<ContractReportsPage> {
    let head = ContractHead::load(&st, &actor, id, "reports").await?;
    let all = MilestoneFilter {
        status: None,
        overdue: None,
    };
    let (reports, ms, indicators) = tokio::try_join!(
        reports::of_contract(&st.db, id),
        milestones::list(&st, &actor, id, all),
        indicators::list(&st, &actor, id),
    )?;
    let indicators: HashMap<Uuid, Indicator> = indicators.into_iter().map(|i| (i.id, i)).collect();
    Ok(ContractReportsPage {
        ui,
        head,
        reports: reports
            .into_iter()
            .rev()
            .map(|r| ReportView::of(r, &indicators))
            .collect(),
        titles: ms.into_iter().map(|m| (m.id, m.title)).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/reviews/performance.html")]
pub struct PerformancePage {
    pub ui: Ui,
    pub head: ContractHead,
    pub perf: Performance,
}

impl ScoreTable for PerformancePage {}

/// `GET /contracts/{id}/performance`: the score so far and each milestone's.
pub async fn performance(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<PerformancePage> {
    let (head, perf) = tokio::try_join!(
        ContractHead::load(&st, &actor, id, "performance"),
        scoring::performance(&st, &actor, id),
    )?;
    Ok(PerformancePage { ui, head, perf })
}
