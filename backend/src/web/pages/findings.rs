//! Findings as the finance officer meets them: the list of their purchaser's findings
//! (`/findings`, open ones first by default), the contract's findings tab, and the answer to
//! an open finding (`POST /findings/{id}/respond`, the API's service).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{FindingStatus, Role};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::findings::{self, Finding};
use crate::services::names;
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::form::Form;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::{done, local_path};
use crate::web::ui::Ui;

/// The routes of the findings pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(list))
        .route("/findings/{id}/respond", post(respond))
        .route("/contracts/{id}/findings", get(contract_findings))
}

/// `?status=open|answered|resolved|all` (default: open).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/findings/list.html")]
pub struct FindingsPage {
    pub ui: Ui,
    /// The status shown (`all` for every one).
    pub status: String,
    pub findings: Vec<Finding>,
    pub contracts: HashMap<Uuid, String>,
    pub can_answer: bool,
    pub full: bool,
    pub fb: Feedback,
    /// The finding whose answer was refused (nil: none), and the answer typed.
    pub refused_id: Uuid,
    pub typed: String,
    /// This page's address, where an answer returns.
    pub back: String,
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
}

/// `GET /findings`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<FindingsPage> {
    let status = q.status.unwrap_or_else(|| "open".into());
    let filter = FindingStatus::parse(&status);
    let findings = findings::search(&st, &actor, filter).await?;
    let contracts = names::contracts(&st.db, findings.iter().map(|f| f.contract_id)).await?;
    Ok(FindingsPage {
        ui,
        back: format!("/findings?status={status}"),
        status: if filter.is_some() {
            status
        } else {
            "all".into()
        },
        full: findings.len() as u64 >= findings::SEARCH_LIMIT,
        findings,
        contracts,
        can_answer: actor.role == Role::FinanceOfficer,
        fb: Feedback::none(),
        refused_id: Uuid::nil(),
        typed: String::new(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/findings/contract.html")]
pub struct ContractFindingsPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub findings: Vec<Finding>,
    pub can_answer: bool,
    pub fb: Feedback,
    pub refused_id: Uuid,
    pub typed: String,
    /// This page's address, where an answer returns.
    pub back: String,
}

async fn contract_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    fb: Feedback,
    refused: Option<(Uuid, String)>,
) -> ApiResult<Response> {
    let (head, mut list) = tokio::try_join!(
        ContractHead::load(st, actor, id, "findings"),
        findings::list(st, actor, id),
    )?;
    list.reverse();
    let page = ContractFindingsPage {
        back: format!("/contracts/{id}/findings"),
        ui,
        head,
        findings: list,
        can_answer: actor.role == Role::FinanceOfficer,
        fb,
        refused_id: refused.as_ref().map_or(Uuid::nil(), |r| r.0),
        typed: refused.map(|r| r.1).unwrap_or_default(),
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /contracts/{id}/findings`: the contract's findings, newest first.
pub async fn contract_findings(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    contract_page(&st, &actor, ui, id, Feedback::none(), None).await
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
            let fb = Feedback::refused(&ui, e)?;
            let finding = findings::get(&st, &actor, id).await?;
            if back.starts_with("/contracts/") {
                let refused = Some((id, f.response));
                return contract_page(&st, &actor, ui, finding.contract_id, fb, refused).await;
            }
            let findings = findings::search(&st, &actor, Some(FindingStatus::Open)).await?;
            let contracts =
                names::contracts(&st.db, findings.iter().map(|f| f.contract_id)).await?;
            let page = FindingsPage {
                ui,
                status: "open".into(),
                back: "/findings?status=open".into(),
                full: findings.len() as u64 >= findings::SEARCH_LIMIT,
                findings,
                contracts,
                can_answer: true,
                fb,
                refused_id: id,
                typed: f.response,
            };
            Ok((page.fb.status, page).into_response())
        }
    }
}
