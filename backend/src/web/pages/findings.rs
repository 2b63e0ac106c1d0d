//! Findings as the finance officer and the supervisor meet them: the list across contracts
//! (`/findings`, filtered by status, severity and purchaser; open ones by default), the
//! contract's findings tab, and the three steps of a finding, each the API's service: a
//! supervisor records one (`POST /contracts/{id}/findings`), the purchaser's officer answers it
//! (`POST /findings/{id}/respond`), a supervisor resolves the answered one
//! (`POST /findings/{id}/resolve`). A refused step shows its page again with the message; the
//! contract's dossier (`/contracts/{id}/dossier`) carries the same panel.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{FindingStatus, Role, Severity};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::findings::{self, Finding, FindingFilter, NewFinding};
use crate::services::{names, oversight};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::{done, dossier, local_path};
use crate::web::ui::Ui;

/// The routes of the findings pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(list))
        .route("/findings/{id}/respond", post(respond))
        .route("/findings/{id}/resolve", post(resolve))
        .route(
            "/contracts/{id}/findings",
            get(contract_findings).post(record),
        )
}

/// What the findings' forms of a page show: who may do what, and a refused form's message
/// and text.
#[derive(Debug, Clone, Default)]
pub struct FindingForms {
    /// A finance officer answers open findings.
    pub can_answer: bool,
    /// A supervisor records findings and resolves answered ones.
    pub can_record: bool,
    pub fb: Feedback,
    /// The finding whose answer or resolution was refused (nil: none, or the new finding's).
    pub refused_id: Uuid,
    /// The text typed in the refused form.
    pub typed: String,
    /// The severity chosen in a refused new finding.
    pub severity: String,
    /// The page's address, where each form returns.
    pub back: String,
}

impl FindingForms {
    /// The forms of `actor`'s role on the page at `back`, nothing refused.
    pub fn of(actor: &Actor, back: String) -> Self {
        FindingForms {
            can_answer: actor.role == Role::FinanceOfficer,
            can_record: actor.role == Role::Supervisor,
            back,
            ..Self::default()
        }
    }

    /// Whether the new finding's form was the one refused.
    pub fn new_refused(&self) -> bool {
        self.fb.is_refusal() && self.refused_id.is_nil()
    }

    /// The severities a new finding may have.
    pub fn severities(&self) -> &'static [Severity] {
        Severity::ALL
    }
}

/// `?status=open|answered|resolved|all` (default: open), `severity`, `purchaser_id`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub purchaser_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/findings/list.html")]
pub struct FindingsPage {
    pub ui: Ui,
    /// The status shown (`all` for every one).
    pub status: String,
    /// The severity shown (`""`: every one).
    pub severity: String,
    /// The purchaser shown (`""`: every one).
    pub purchaser: String,
    /// The purchasers of the filter (none for a finance officer: theirs is the only one).
    pub purchasers: Vec<(Uuid, String)>,
    pub findings: Vec<Finding>,
    pub contracts: HashMap<Uuid, String>,
    pub full: bool,
    pub forms: FindingForms,
}

impl FindingsPage {
    /// The title of a finding's contract.
    pub fn contract(&self, id: &Uuid) -> &str {
        self.contracts.get(id).map_or("", String::as_str)
    }

    /// The statuses of the filter.
    pub fn statuses(&self) -> [&'static str; 4] {
        ["open", "answered", "resolved", "all"]
    }

    /// The severities of the filter.
    pub fn severities(&self) -> &'static [Severity] {
        Severity::ALL
    }
}

/// The list of `q` with the forms of `forms`.
async fn list_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    q: ListQuery,
    mut forms: FindingForms,
) -> ApiResult<Response> {
    let status = q.status.clone().unwrap_or_else(|| "open".into());
    let mut f = Fields::default();
    let severity = (!q.severity.trim().is_empty())
        .then(|| f.choice("severity", &q.severity, Severity::parse))
        .flatten();
    let purchaser_id =
        (!q.purchaser_id.trim().is_empty()).then(|| f.id("purchaser_id", &q.purchaser_id));
    f.finish()?;
    let filter = FindingFilter {
        status: FindingStatus::parse(&status),
        severity,
        purchaser_id,
    };
    let officer = actor.purchaser_scope().is_some();
    let (list, choices) = tokio::try_join!(
        findings::search(st, actor, filter),
        oversight::filter_choices(&st.db, !officer),
    )?;
    let contracts = names::contracts(&st.db, list.iter().map(|f| f.contract_id)).await?;
    let mut back = form_urlencoded::Serializer::new(String::new());
    back.append_pair("status", &status);
    if let Some(s) = severity {
        back.append_pair("severity", s.as_str());
    }
    if let Some(p) = purchaser_id {
        back.append_pair("purchaser_id", &p.to_string());
    }
    forms.back = format!("/findings?{}", back.finish());
    let page = FindingsPage {
        ui,
        status: if filter.status.is_some() {
            status
        } else {
            "all".into()
        },
        severity: severity.map(|s| s.as_str().to_string()).unwrap_or_default(),
        purchaser: purchaser_id.map(|p| p.to_string()).unwrap_or_default(),
        purchasers: choices.purchasers,
        full: list.len() as u64 >= findings::SEARCH_LIMIT,
        findings: list,
        contracts,
        forms,
    };
    Ok((page.forms.fb.status, page).into_response())
}

/// `GET /findings`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let forms = FindingForms::of(&actor, String::new());
    list_page(&st, &actor, ui, q, forms).await
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/findings/contract.html")]
pub struct ContractFindingsPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub findings: Vec<Finding>,
    pub forms: FindingForms,
}

async fn contract_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    mut forms: FindingForms,
) -> ApiResult<Response> {
    let (head, mut list) = tokio::try_join!(
        ContractHead::load(st, actor, id, "findings"),
        findings::list(st, actor, id),
    )?;
    list.reverse();
    forms.back = format!("/contracts/{id}/findings");
    let page = ContractFindingsPage {
        ui,
        head,
        findings: list,
        forms,
    };
    Ok((page.forms.fb.status, page).into_response())
}

/// `GET /contracts/{id}/findings`: the contract's findings, newest first.
pub async fn contract_findings(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let forms = FindingForms::of(&actor, String::new());
    contract_page(&st, &actor, ui, id, forms).await
}

/// Shows the page at `back` again (the contract's dossier, its findings tab, or the list)
/// with the refused form of `forms`; `contract` is the finding's contract.
async fn show_again(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    back: &str,
    contract: Uuid,
    forms: FindingForms,
) -> ApiResult<Response> {
    if back.starts_with(&format!("/contracts/{contract}/dossier")) {
        return dossier::render(st, actor, ui, contract, forms).await;
    }
    if back.starts_with("/findings") {
        let q = back
            .split_once('?')
            .and_then(|(_, q)| serde_urlencoded::from_str::<ListQuery>(q).ok())
            .unwrap_or_default();
        return list_page(st, actor, ui, q, forms).await;
    }
    contract_page(st, actor, ui, contract, forms).await
}

/// The answer's fields; `next` is the page the form was on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    #[serde(default)]
    pub response: String,
    pub next: Option<String>,
}

/// `POST /findings/{id}/respond`: the service of `POST /api/v1/findings/{id}/respond`.
pub async fn respond(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::AnswerFindings>,
    _seen: Seen<kind::Finding>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(f): Form<AnswerForm>,
) -> ApiResult<Response> {
    let back = local_path(f.next.as_deref());
    let answer = findings::Response {
        response: f.response.clone(),
    };
    match findings::respond(&st, &actor, id, answer).await {
        Ok(_) => Ok(done(jar, &back, "flash-finding-answered")),
        Err(e) => {
            let mut forms = FindingForms::of(&actor, back.clone());
            forms.fb = Feedback::refused(&ui, e)?;
            forms.refused_id = id;
            forms.typed = f.response;
            let finding = findings::get(&st, &actor, id).await?;
            show_again(&st, &actor, ui, &back, finding.contract_id, forms).await
        }
    }
}

/// The resolution's fields; `next` is the page the form was on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveForm {
    #[serde(default)]
    pub resolution: String,
    pub next: Option<String>,
}

/// `POST /findings/{id}/resolve`: the service of `POST /api/v1/findings/{id}/resolve`.
pub async fn resolve(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::RecordFindings>,
    _seen: Seen<kind::Finding>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(f): Form<ResolveForm>,
) -> ApiResult<Response> {
    let back = local_path(f.next.as_deref());
    let resolution = findings::Resolution {
        resolution: f.resolution.clone(),
    };
    match findings::resolve(&st, &actor, id, resolution).await {
        Ok(_) => Ok(done(jar, &back, "flash-finding-resolved")),
        Err(e) => {
            let mut forms = FindingForms::of(&actor, back.clone());
            forms.fb = Feedback::refused(&ui, e)?;
            forms.refused_id = id;
            forms.typed = f.resolution;
            let finding = findings::get(&st, &actor, id).await?;
            show_again(&st, &actor, ui, &back, finding.contract_id, forms).await
        }
    }
}

/// A new finding's fields; `next` is the page the form was on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordForm {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub text: String,
    pub next: Option<String>,
}

/// `POST /contracts/{id}/findings`: the service of `POST /api/v1/contracts/{id}/findings`.
pub async fn record(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::RecordFindings>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(f): Form<RecordForm>,
) -> ApiResult<Response> {
    let back = local_path(f.next.as_deref());
    let mut fields = Fields::default();
    let severity = fields.choice("severity", &f.severity, Severity::parse);
    let result = match (fields.finish(), severity) {
        (Ok(()), Some(severity)) => {
            let new = NewFinding {
                severity,
                text: f.text.clone(),
            };
            findings::create(&st, &actor, id, new).await.map(|_| ())
        }
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(crate::error::ApiError::field(
            "severity",
            crate::error::codes::FIELD_REQUIRED,
            "must be one of the choices",
        )),
    };
    match result {
        Ok(()) => Ok(done(jar, &back, "flash-finding-recorded")),
        Err(e) => {
            let mut forms = FindingForms::of(&actor, back.clone());
            forms.fb = Feedback::refused(&ui, e)?;
            forms.typed = f.text;
            forms.severity = f.severity;
            show_again(&st, &actor, ui, &back, id, forms).await
        }
    }
}
